"""The diagnosis app's signals, and its receivers.

Stored files go when their row goes, and only once the deletion has committed: deleting a
diagnosis (or its owner: the foreign keys cascade) deletes its DiagnosisFile rows one by one,
which sends post_delete for each; the file itself is removed after the transaction commits,
so a rolled-back deletion keeps its files.
"""
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import Signal, receiver

from .models import DiagnosisFile
from .storage import delete_quietly

# Sent by the worker task once a run has claimed a diagnosis (it is "running"), before the
# analysis; arguments: ``diagnosis``. The worker test connects a pause here so that it can
# kill a worker in the middle of a task.
run_claimed = Signal()


@receiver(post_delete, sender=DiagnosisFile, dispatch_uid="diagnosis-file-cleanup")
def delete_stored_file(sender, instance, using, **kwargs):
    name = instance.file.name
    transaction.on_commit(lambda: delete_quietly([name]), using=using)
