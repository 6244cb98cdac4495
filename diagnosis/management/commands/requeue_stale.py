from django.core.management.base import BaseCommand
from django.utils import timezone

from diagnosis.models import Diagnosis
from diagnosis.services import requeue_stale


class Command(BaseCommand):
    help = (
        "Send diagnoses that are stuck to the worker again: queued ones whose task never "
        "reached the broker (or was lost) and running ones whose worker died. Safe to run at "
        "any time: a row that is being worked on is never run twice. Celery beat runs the "
        "same sweep every minute (diagnosis.tasks.requeue_stale)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only list what would be sent.")

    def handle(self, *args, dry_run=False, **options):
        stale = Diagnosis.objects.stale(timezone.now())
        if dry_run:
            for d in stale.order_by("queued_at"):
                self.stdout.write(f"{d.pk}\t{d.status}\tqueued {d.queued_at:%Y-%m-%d %H:%M:%S}")
            self.stdout.write(f"{stale.count()} stale diagnoses")
            return
        sent = requeue_stale()
        self.stdout.write(f"Re-sent {sent} stale diagnoses to the worker.")
