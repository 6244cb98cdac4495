"""Celery application: configured from Django settings (the CELERY_ namespace)."""
import logging
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecgsite.settings.local")

app = Celery("ecgsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("ecgsite.worker")

# The exit status of a worker that refuses to start (anything but 0 makes a process manager
# report it, and restart it only with back-off).
EXIT_UNUSABLE_MODEL = 3


@worker_init.connect(weak=False)
def refuse_to_start_without_a_usable_model(**kwargs):
    """A worker whose model files are missing or corrupt stops before it takes any task, with
    one clear line in its log: taking uploads would only fail each of them, while refusing
    leaves them queued until a worker with a usable model starts. Runs in the worker's main
    process, once Django is set up and before the pool processes exist."""
    from django.conf import settings

    from ml.predictor import ModelFileError, check_model_files

    try:
        version = check_model_files(settings.ECG_MODEL_DIR)
    except ModelFileError as exc:
        logger.critical("The worker refuses to start: %s. Uploads stay queued until a worker "
                        "with a usable model (ECG_MODEL_DIR) starts.", exc)
        # SystemExit, not an Exception: Celery logs and ignores an Exception raised by a
        # signal receiver, and would start the worker anyway.
        raise SystemExit(EXIT_UNUSABLE_MODEL) from exc
    logger.info("Model files checked: %s (version %s)", settings.ECG_MODEL_DIR, version)


@task_prerun.connect(weak=False)
@task_postrun.connect(weak=False)
def keep_database_connections_as_requests_do(task=None, **kwargs):
    """Before and after each task, what Django does around each request: close a connection
    older than CONN_MAX_AGE or one that failed (an error, a dropped server connection), and
    keep the others for the next task (CELERY_DB_REUSE_MAX turns off Celery's own closing).
    A task run eagerly (in tests, inside the caller's transaction) is left alone, as Celery
    does."""
    if task is None or getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
