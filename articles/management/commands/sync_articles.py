from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.content_sync import CONTENT_DIR, ContentError, sync_articles
from articles.models import Article, Reference


class Command(BaseCommand):
    help = (
        "Create or update the articles from the Markdown files in articles/content/ "
        "(the files win over edits made in the admin; articles without a file are kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--content-dir", default=str(CONTENT_DIR))
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing."
        )

    def handle(self, *args, content_dir, dry_run, **options):
        try:
            with transaction.atomic():
                report = sync_articles(Article, Reference, content_dir)
                if dry_run:
                    transaction.set_rollback(True)
        except ContentError as exc:
            raise CommandError(f"Nothing was changed: {exc}") from exc
        prefix = "Would have " if dry_run else ""
        for verb, slugs in (("created", report.created), ("updated", report.updated)):
            for slug in slugs:
                self.stdout.write(f"{prefix}{verb} {slug}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}created {len(report.created)}, updated {len(report.updated)}, "
                f"{len(report.unchanged)} unchanged."
            )
        )
