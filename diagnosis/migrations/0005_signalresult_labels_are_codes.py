"""Step 3 of 3: the converted column takes the name ``labels``; the digits go."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('diagnosis', '0004_convert_beat_labels_to_codes'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='signalresult',
            name='labels',
        ),
        migrations.RenameField(
            model_name='signalresult',
            old_name='label_codes',
            new_name='labels',
        ),
        migrations.AlterField(
            model_name='signalresult',
            name='labels',
            field=models.JSONField(help_text='Class code of each beat (ml.registry), e.g. ["N", "V"].'),
        ),
    ]
