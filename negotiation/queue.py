"""Celery tasks queued from services: after the change's transaction commits (a task
never sees a row that may yet roll back), and by the task's name, so that services never
import the tasks module, whose thin tasks call the services."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.db import transaction

from config.celery import app


def _task(name: str) -> Any:
    """The registered task `name`, its module imported first if nothing has yet: a task
    unknown to this process would otherwise go out by name, past eager mode in tests."""
    if name not in app.tasks:
        import_module(name.rpartition(".")[0])
    return app.tasks[name]


def task_after_commit(name: str, *args: object, countdown: float | None = None) -> None:
    """Queue the task `name` (e.g. "negotiation.tasks.invitation_send") with `args`
    (ids, never content) once the current transaction commits; `countdown` seconds later
    when given."""
    transaction.on_commit(lambda: _task(name).apply_async(args=args, countdown=countdown))
