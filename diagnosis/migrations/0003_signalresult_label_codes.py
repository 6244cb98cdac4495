"""Per-beat labels become class codes (["N", "V", ...]) instead of one digit per beat.

Step 1 of 3: a new column beside the old one. The conversion (0004) and the swap (0005) are
separate migrations so that no schema change runs in the same transaction as the row updates.
The old column may be empty from here on, so that migrating back can add it again to a table
that has rows (0004 fills it before this step is undone).
"""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('diagnosis', '0002_class_names_from_registry'),
    ]

    operations = [
        migrations.AlterField(
            model_name='signalresult',
            name='labels',
            field=models.TextField(null=True, help_text='One digit per beat: index into N, L, R, A, V, VF.'),
        ),
        migrations.AddField(
            model_name='signalresult',
            name='label_codes',
            field=models.JSONField(null=True),
        ),
    ]
