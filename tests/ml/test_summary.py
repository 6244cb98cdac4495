"""A recording's headline finding follows the registry's finding rules and priorities."""
import dataclasses

import numpy as np
import pytest

from ml import registry, summary
from ml.registry import CLASS_CODES
from ml.results import Episode
from ml.summary import finding

EPISODE = [Episode(1.0, 3.0)]


def counts(**given):
    return {**dict.fromkeys(CLASS_CODES, 0), **given}


def test_the_finding_ranks_vf_then_blocks_then_ectopics():
    assert finding(counts(N=100), []) == "N"
    assert finding(counts(N=100, V=5), []) == "V"
    assert finding(counts(N=100, V=1), []) == "N"  # one stray beat is not a finding
    assert finding(counts(N=50, L=60, V=5), []) == "L"
    assert finding(counts(N=100, VF=5), EPISODE) == "VF"


def test_many_atrial_extra_beats_outweigh_a_few_ventricular_ones():
    # mitdb 232: about a hundred premature atrial beats for a few ventricular ones.
    assert finding(counts(N=30, A=90, V=3), []) == "A"
    assert finding(counts(N=100, A=14, V=3), []) == "V"  # under 5x: the priority holds
    assert finding(counts(N=100, A=15, V=3), []) == "A"  # exactly ECTOPIC_OUTWEIGH


def test_vf_beats_without_an_episode_do_not_lead():
    assert finding(counts(N=100, VF=3), []) == "N"


def test_of_two_blocks_the_one_in_more_beats_leads_and_a_tie_goes_to_the_first():
    assert finding(counts(L=35, R=40, N=25), []) == "R"
    assert finding(counts(L=40, R=40, N=20), []) == "L"


def test_the_thresholds_are_inclusive():
    assert finding(counts(N=70, R=30), []) == "R"  # exactly BLOCK_MIN_SHARE
    assert finding(counts(N=69, R=29, A=2), []) == "A"
    assert finding(counts(N=398, A=2), []) == "A"  # 2 beats, exactly ECTOPIC_MIN_SHARE
    assert finding(counts(N=399, A=2), []) == "N"  # 2 beats, under the share


def _finding_as_it_was_written_before_the_registry(c, episodes):
    """The rule the product used when the classes were spelled out in code."""
    total = max(1, sum(c.values()))
    if episodes:
        return "VF"
    blocks = [k for k in ("L", "R") if c[k] / total >= summary.BLOCK_MIN_SHARE]
    if blocks:
        return max(blocks, key=lambda k: c[k])
    ectopic = [k for k in ("V", "A")
               if c[k] >= summary.ECTOPIC_MIN_COUNT and c[k] / total >= summary.ECTOPIC_MIN_SHARE]
    if ectopic == ["V", "A"] and c["A"] >= summary.ECTOPIC_OUTWEIGH * c["V"]:
        return "A"
    return ectopic[0] if ectopic else "N"


def test_the_registry_driven_rule_gives_the_same_finding_as_the_hand_written_one():
    rng = np.random.default_rng(0)
    for _ in range(5000):
        c = {code: int(n) for code, n in zip(CLASS_CODES, rng.integers(0, 3, 6)
                                             * rng.integers(0, 60, 6), strict=True)}
        episodes = EPISODE if rng.random() < 0.1 else []
        assert finding(c, episodes) == _finding_as_it_was_written_before_the_registry(
            c, episodes), (c, episodes)


def test_the_priority_comes_from_the_registry(monkeypatch):
    swapped = tuple(
        dataclasses.replace(c, priority={"A": 3, "V": 4}.get(c.code, c.priority))
        for c in registry.CLASSES
    )
    monkeypatch.setattr(summary, "CLASSES", swapped)
    assert finding(counts(N=100, V=5, A=5), []) == "A"


def test_an_unknown_finding_rule_is_an_error_not_a_silent_default(monkeypatch):
    broken = tuple(dataclasses.replace(c, finding_rule="sometimes") if c.code == "A" else c
                   for c in registry.CLASSES)
    monkeypatch.setattr(summary, "CLASSES", broken)
    with pytest.raises(ValueError, match="unknown finding rule"):
        finding(counts(N=100), [])
