from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('diagnosis', '0008_diagnosis_content_hash'),
    ]

    operations = [
        migrations.AddField(
            model_name='diagnosis',
            name='analysis_mode',
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name='diagnosis',
            name='leads_used',
            field=models.JSONField(blank=True, default=list),
        ),
    ]
