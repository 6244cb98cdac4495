"""ECG arrhythmia classification core: plain Python, no Django.

Public interface used by the web site:
    from ml import Predictor, InputRejected, CLASSES

The run-time core sits at this level (registry, formats, preprocess, detect, segment, render,
picture checks, Predictor); ``ml.training`` and ``ml.reports`` build on it and are never
imported by it.
"""
from .errors import InputRejected
from .registry import CLASS_CODES, CLASS_NAMES, CLASSES

__all__ = ["CLASSES", "CLASS_CODES", "CLASS_NAMES", "InputRejected", "Predictor"]


def __getattr__(name):
    # Predictor imports TensorFlow; load it only when someone asks for it.
    if name == "Predictor":
        from .predictor import Predictor

        return Predictor
    raise AttributeError(name)
