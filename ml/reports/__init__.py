"""Evaluation and reports: measured figures, the model card, benchmarks, example pictures.

Built on the run-time core and on ``ml.training``; the site never imports it.
"""
