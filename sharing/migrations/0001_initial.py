"""The Share and AuditLog models move here from the care app, with their tables and rows.

Nothing changes in the database: these models take over the tables care created
(care_share, care_auditlog) in the migration state only, and care's next migration lets go of
them. 0002 renames the tables. Content types (and with them permissions and admin history)
are moved to this app, not recreated.
"""
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ("share", "auditlog")


def move_content_types(apps, schema_editor, source="care", target="sharing"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="sharing", target="care")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('care', '0002_class_names_from_registry'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('diagnosis', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='AuditLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('viewer_email', models.EmailField(max_length=254)),
                        ('viewer_role', models.CharField(choices=[('doctor', 'Doctor you share with'), ('staff', 'Site administrator (support)')], max_length=8)),
                        ('diagnosis_ref', models.PositiveBigIntegerField(blank=True, help_text='Id of the result viewed (kept if it is deleted).', null=True)),
                        ('what', models.CharField(choices=[('result', 'Result page'), ('status', 'Result status'), ('signal', 'Rhythm strip data'), ('file', 'Uploaded file'), ('report', 'PDF report'), ('history', 'List of results'), ('review', 'Review form'), ('admin', 'Administration page')], max_length=8)),
                        ('detail', models.CharField(blank=True, max_length=255)),
                        ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('diagnosis', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audit_entries', to='diagnosis.diagnosis')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audit_entries', to=settings.AUTH_USER_MODEL)),
                        ('viewer', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audit_views', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'care_auditlog',
                        'verbose_name': 'access log entry',
                        'verbose_name_plural': 'access log',
                        'ordering': ['-at', '-pk'],
                        'indexes': [models.Index(fields=['patient', '-at'], name='care_audit_patient'), models.Index(fields=['viewer', '-at'], name='care_audit_viewer')],
                    },
                ),
                migrations.CreateModel(
                    name='Share',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(help_text='Lower case.', max_length=254, verbose_name='invited address')),
                        ('status', models.CharField(choices=[('pending', 'Invitation sent'), ('active', 'Active'), ('revoked', 'Revoked'), ('declined', 'Declined')], default='pending', max_length=8)),
                        ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now, help_text='Last e-mail sent.')),
                        ('expires_at', models.DateTimeField()),
                        ('accepted_at', models.DateTimeField(blank=True, null=True)),
                        ('ended_at', models.DateTimeField(blank=True, help_text='Revoked or declined.', null=True)),
                        ('doctor', models.ForeignKey(blank=True, help_text='Set when a verified doctor accepts.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='shares_received', to=settings.AUTH_USER_MODEL)),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shares_given', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'care_share',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['doctor', 'status'], name='care_share_doctor'), models.Index(fields=['patient', 'status'], name='care_share_patient')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('patient', 'doctor'), name='care_one_active_share_per_pair'), models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('patient', 'email'), name='care_one_pending_invitation_per_address'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'active'), _negated=True), ('doctor__isnull', False), _connector='OR'), name='care_active_share_has_doctor')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
