"""The moved tables take this app's names (care_share -> sharing_share, care_auditlog ->
sharing_auditlog); rows, constraints and indexes go with them."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('sharing', '0001_initial'),
        # care has let go of the models first, so no state holds two models on one table.
        ('care', '0003_share_and_auditlog_move_to_sharing'),
    ]

    operations = [
        migrations.AlterModelTable(name='share', table=None),
        migrations.AlterModelTable(name='auditlog', table=None),
    ]
