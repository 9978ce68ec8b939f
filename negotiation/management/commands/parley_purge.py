"""Delete every closed mediation past its retention period (PARLEY_RETENTION_DAYS), with
everything in it, as the hourly Celery beat task does. `--dry-run` only lists them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from negotiation.services.retention import mediation_purge, mediations_due_for_deletion


class Command(BaseCommand):
    help = "Delete closed mediations whose retention period (PARLEY_RETENTION_DAYS) has passed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List them; delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        due = mediations_due_for_deletion()
        deleted = 0
        for mediation in due:
            closed = mediation.closed_at.isoformat() if mediation.closed_at else "?"
            if options["dry_run"]:
                self.stdout.write(f"would delete {mediation.pk} (closed {closed})")
            elif mediation_purge(mediation_id=mediation.pk):
                deleted += 1
                self.stdout.write(f"deleted {mediation.pk} (closed {closed})")
        days = settings.PARLEY_RETENTION_DAYS
        if options["dry_run"]:
            self.stdout.write(f"{len(due)} closed more than {days} days ago; nothing deleted.")
        else:
            self.stdout.write(f"Deleted {deleted} closed more than {days} days ago.")
