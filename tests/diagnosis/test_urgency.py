"""What to do next: the level comes from the class registry's urgency rule, the words from
diagnosis.urgency, for every class; an unknown class is an error, never "nothing found"."""
import pytest
from django.contrib.humanize.templatetags.humanize import apnumber

from diagnosis import urgency
from diagnosis.models import Diagnosis
from ml.registry import CLASSES, EMERGENCY, NONE, ROUTINE, SOON, URGENCY_ORDER

from .cards import VERSION, cv_card, use_card


@pytest.fixture(autouse=True)
def measured_model(settings, tmp_path):
    """A model whose figures meet every target: its "nothing found" rules the others out
    (tests/diagnosis/test_not_ruled_out.py covers the other case)."""
    use_card(settings, tmp_path / "model", cv_card())


def done(label, *, kind="signal", counts=None, beat_count=None, vf_episodes=None,
         low_confidence=False):
    """An unsaved finished diagnosis: assess() reads only these fields."""
    return Diagnosis(status=Diagnosis.Status.DONE, kind=kind, label=label, counts=counts,
                     beat_count=beat_count, vf_episodes=vf_episodes,
                     low_confidence=low_confidence, model_version=VERSION)


def levels_of(beat_class):
    rule = beat_class.urgency
    return {rule.level} | ({rule.frequent_level} if rule.frequent_level else set())


@pytest.mark.parametrize("beat_class", CLASSES, ids=lambda c: c.code)
def test_every_class_is_worded_for_every_level_its_urgency_rule_gives(beat_class):
    assert set(urgency.WORDING) == {c.code for c in CLASSES}
    assert set(urgency.WORDING[beat_class.code]) == levels_of(beat_class)
    for level in levels_of(beat_class):
        assert level in URGENCY_ORDER and urgency.LEVEL_LABELS[level]


@pytest.mark.parametrize("beat_class", CLASSES, ids=lambda c: c.code)
def test_the_advice_level_is_the_registry_level_of_the_finding(beat_class):
    advice = urgency.assess(done(beat_class.code, kind="image"))

    assert advice.level == beat_class.urgency.level
    assert advice.headline and advice.steps and advice.label


def test_a_frequent_burden_raises_the_level_where_the_registry_says_so():
    [rule_class] = [c for c in CLASSES if c.urgency.frequent_share is not None]
    share = rule_class.urgency.frequent_share
    beats = 100
    counts = {c.code: 0 for c in CLASSES}
    counts[rule_class.code] = round(share * beats)
    frequent = urgency.assess(done(rule_class.code, counts=counts, beat_count=beats))
    counts[rule_class.code] -= 1
    occasional = urgency.assess(done(rule_class.code, counts=counts, beat_count=beats))

    assert frequent.level == rule_class.urgency.frequent_level == SOON
    assert f"{share:.0%} of beats" in frequent.headline
    assert occasional.level == rule_class.urgency.level == ROUTINE


def test_an_episode_of_ventricular_fibrillation_leads_whatever_the_beat_finding():
    advice = urgency.assess(done("N", vf_episodes=[[1.0, 9.0]]))

    assert advice.level == EMERGENCY and "fibrillation" in advice.headline


def test_a_normal_result_names_the_number_of_classes_in_words():
    advice = urgency.assess(done("N", kind="image"))

    assert advice.level == NONE
    assert f"recognises {apnumber(len(CLASSES))} beat types only" in advice.steps[0]


@pytest.mark.parametrize("label", ["Q", ""])
def test_an_unknown_or_missing_class_raises_instead_of_saying_nothing_was_found(label):
    with pytest.raises(KeyError, match="unknown beat class"):
        urgency.assess(done(label, kind="image"))


def test_a_level_without_wording_raises(monkeypatch):
    monkeypatch.setitem(urgency.WORDING, "R", {})

    with pytest.raises(KeyError, match="no patient wording for class 'R'"):
        urgency.assess(done("R", kind="image"))


def test_an_uncertain_result_is_marked_unclear_unless_it_is_an_emergency():
    assert urgency.assess(done("L", kind="image", low_confidence=True)).level == urgency.UNCLEAR
    assert urgency.assess(done("VF", kind="image", low_confidence=True)).level == EMERGENCY
