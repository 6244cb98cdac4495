"""Where uploaded ECGs are kept: the default storage, a folder per user, random names.

Nothing here is reachable by a public URL (there is no MEDIA_URL route); views stream files
after checking access. The per-user folder name is derived from the user's id with a keyed
hash, so paths reveal neither ids nor e-mail addresses, and the file names are random.
"""
import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)

UPLOAD_ROOT = "uploads"


def user_folder(user_id):
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"diagnosis-uploads:{user_id}".encode(), hashlib.sha256)
    return f"{UPLOAD_ROOT}/{digest.hexdigest()[:24]}"


def new_stem():
    return secrets.token_hex(16)


def path_for(user_id, stem, ext):
    return f"{user_folder(user_id)}/{stem}.{ext}"


def save_exact(name, content):
    """Store ``content`` (bytes) under exactly ``name``.

    WFDB headers name their data files, so the name must not be altered by the storage;
    with 128 random bits a clash means something is badly wrong.
    """
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:
        default_storage.delete(saved)
        raise RuntimeError(f"storage renamed {name!r} to {saved!r}")
    return saved


def delete_quietly(names):
    """Delete stored files; a file that is already gone is not an error."""
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not delete stored file %s", name)
