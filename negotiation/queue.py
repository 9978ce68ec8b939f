"""Celery tasks queued from services: after the change's transaction commits (a task
never sees a row that may yet roll back), and by the task's name, so that services never
import the tasks module, whose thin tasks call the services."""

from __future__ import annotations

from django.db import transaction

from config.celery import app


def task_after_commit(name: str, *args: object) -> None:
    """Queue the task `name` (e.g. "negotiation.tasks.invitation_send") with `args`
    (ids, never content) once the current transaction commits."""
    transaction.on_commit(lambda: app.signature(name, args=args).delay())
