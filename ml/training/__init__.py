"""Training: PhysioNet records, beat datasets, augmentation, training and the decision step.

Built on the run-time core (``ml``); the site never imports it.
"""
