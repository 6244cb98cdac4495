from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "diagnosis"
    verbose_name = "Diagnoses"

    def ready(self):
        from django.conf import settings
        from PIL import Image

        from . import signals  # noqa: F401  (connects the file clean-up receivers)

        # Pillow's decompression-bomb guard: it warns above this many pixels (an error in
        # ml.formats.picture) and refuses outright above twice as many.
        Image.MAX_IMAGE_PIXELS = settings.ECG_IMAGE_MAX_PIXELS
