"""Step 2 of 3: convert the stored digits to class codes (and back when reversed).

The digits were positions in the class order of the time, frozen here: the registry's order
may change later, and that must not change what an old digit meant.
"""
from django.db import migrations

LEGACY_ORDER = ("N", "L", "R", "A", "V", "VF")


def digits_to_codes(apps, schema_editor):
    SignalResult = apps.get_model("diagnosis", "SignalResult")
    rows = SignalResult.objects.only("pk", "labels").order_by("pk")
    for row in rows.iterator(chunk_size=200):
        codes = [LEGACY_ORDER[int(digit)] for digit in row.labels]
        SignalResult.objects.filter(pk=row.pk).update(label_codes=codes)


def codes_to_digits(apps, schema_editor):
    SignalResult = apps.get_model("diagnosis", "SignalResult")
    rows = SignalResult.objects.only("pk", "label_codes").order_by("pk")
    for row in rows.iterator(chunk_size=200):
        unknown = sorted(set(row.label_codes) - set(LEGACY_ORDER))
        if unknown:
            raise ValueError(
                f"Beat results of diagnosis {row.pk} use the classes {', '.join(unknown)}, "
                f"which the one-digit format ({', '.join(LEGACY_ORDER)}) cannot hold; they "
                "cannot be migrated back."
            )
        digits = "".join(str(LEGACY_ORDER.index(code)) for code in row.label_codes)
        SignalResult.objects.filter(pk=row.pk).update(labels=digits)


class Migration(migrations.Migration):

    dependencies = [
        ('diagnosis', '0003_signalresult_label_codes'),
    ]

    operations = [
        migrations.RunPython(digits_to_codes, codes_to_digits),
    ]
