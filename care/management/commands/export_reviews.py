import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from care.feedback import ExportError, export


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = """Export results that doctors reviewed as a dataset the ML training code reads.

By default only corrections are written (the doctors' label differs from the model's);
--include-agreements adds the results doctors confirmed. A result whose doctors gave
different labels is left out and reported.

Layout of DIR (a new or empty folder):
  manifest.json   {"format": "ecg-insight-feedback", "version": 2, "examples": [...]}
  manifest.csv    the same, one row per example
  beats.csv       the doctors' labels of single beats, one row per beat
  files/<id>/     the uploaded file(s) of diagnosis <id> under their stored names
Each example has: example_id, kind (image|signal), input_format, input (the file to open:
image, WFDB header, CSV or EDF), files, input_fs, reviewed_label (N L R A V VF or
uninterpretable), original_label, agrees, model_version, reviews, reviewed_at, fs and
beat_labels. For a signal reviewed_label is the recording's finding; beat_labels are the
doctors' labels of single beats: sample (R-peak index at fs), time_s, label,
original_label, reviews. A result whose doctors relabelled beats is a correction.
Read it with care.feedback_dataset.read_manifest(DIR) (no Django needed); see
care/README.md."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, metavar="DIR",
                            help="folder to create (must not exist or be empty)")
        parser.add_argument("--include-agreements", action="store_true",
                            help="also export results the doctors confirmed")
        parser.add_argument("--since", type=_date, metavar="YYYY-MM-DD",
                            help="only reviews written or changed on or after this day")

    def handle(self, *args, out, include_agreements, since, **options):
        since_dt = None
        if since is not None:
            since_dt = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
        try:
            report = export(out, include_agreements=include_agreements, since=since_dt)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Wrote {report.examples} examples ({report.corrections} "
                          f"corrections) with {report.beat_labels} labels of single beats to "
                          f"{report.out}")
        if report.beat_conflicts:
            self.stdout.write(f"Left out {report.beat_conflicts} single beats whose doctors "
                              "gave different labels")
        if report.conflicts:
            self.stdout.write(f"Left out {len(report.conflicts)} results whose doctors gave "
                              f"different labels: {report.conflicts}")
        if report.missing_files:
            self.stderr.write(f"Left out {len(report.missing_files)} results whose files are "
                              f"missing from storage: {report.missing_files}")
