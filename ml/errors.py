class InputRejected(ValueError):
    """The input is not something the classifier can judge.

    ``str(exc)`` is written for a patient: it says what is wrong and what to do instead.
    """
