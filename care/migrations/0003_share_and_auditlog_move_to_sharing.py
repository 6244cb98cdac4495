"""Share and AuditLog now belong to the sharing app (its 0001 took over their tables): the
care app lets go of them in the migration state only; the tables and rows stay."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0002_class_names_from_registry'),
        ('sharing', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='AuditLog'),
                migrations.DeleteModel(name='Share'),
            ],
        ),
    ]
