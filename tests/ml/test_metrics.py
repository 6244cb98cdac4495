import pytest

from ml.training import metrics


def test_the_report_counts_per_class_figures_from_the_confusion_matrix():
    y_true = [0, 0, 0, 1, 1, 4]
    y_pred = [0, 0, 1, 1, 1, 0]
    r = metrics.report(y_true, y_pred)
    assert r["accuracy"] == pytest.approx(4 / 6)
    n = r["per_class"]["N"]
    assert n["precision"] == pytest.approx(2 / 3) and n["recall"] == pytest.approx(2 / 3)
    assert r["per_class"]["L"]["precision"] == pytest.approx(2 / 3)
    assert r["per_class"]["V"]["f1"] == 0.0 and r["per_class"]["V"]["support"] == 1
    # Classes absent from the truth (R, A, VF) are not averaged in.
    assert r["macro_f1"] == pytest.approx((2 / 3 + 0.8 + 0.0) / 3)
    assert r["confusion_matrix"][0] == [2, 1, 0, 0, 0, 0]
