"""A recording's summary from its labelled beats: VF episodes, heart rate, headline finding.

The finding follows the registry: each class says how it can lead (``finding_rule``) and which
class leads when several qualify (``priority``, lowest first).
"""
import numpy as np

from . import render
from .registry import CLASS_INDEX, CLASSES, EPISODE_CLASS
from .results import Episode

# An episode (ventricular fibrillation) is reported only when this many consecutive beat
# windows carry its class (about a second); a lone window is more likely an artefact.
VF_MIN_WINDOWS = 4
# Episodes closer than this are one episode interrupted by a few misread windows.
VF_MERGE_GAP_S = 2.0
# Ectopic beats lead the summary when at least this many (and this share of beats) occur.
ECTOPIC_MIN_COUNT = 2
ECTOPIC_MIN_SHARE = 0.005
# A bundle branch block is a conduction pattern: it shows in most beats, not a few.
BLOCK_MIN_SHARE = 0.30
# Of two kinds of extra beats, the one of lower priority leads when it is in at least this many
# times as many beats (a record with a hundred premature atrial beats and three ventricular
# ones is an atrial ectopy record: mitdb 232).
ECTOPIC_OUTWEIGH = 5


def vf_episodes(times, labels):
    """Runs of at least VF_MIN_WINDOWS consecutive beats of the episode class (ventricular
    fibrillation), as time spans; ``labels`` are class indices."""
    vf = labels == CLASS_INDEX[EPISODE_CLASS]
    episodes = []
    start = None
    for i, is_vf in enumerate(np.append(vf, False)):
        if is_vf and start is None:
            start = i
        elif not is_vf and start is not None:
            if i - start >= VF_MIN_WINDOWS:
                episodes.append(
                    Episode(
                        start_s=round(max(0.0, float(times[start]) - render.BEFORE_S), 3),
                        end_s=round(float(times[i - 1]) + render.AFTER_S, 3),
                    )
                )
            start = None
    merged = []
    for ep in episodes:
        if merged and ep.start_s - merged[-1].end_s < VF_MERGE_GAP_S:
            merged[-1] = Episode(start_s=merged[-1].start_s, end_s=ep.end_s)
        else:
            merged.append(ep)
    return merged


def heart_rate(times, labels):
    """Mean heart rate in beats per minute from the RR intervals outside VF; None if unknown."""
    if len(times) < 2:
        return None
    rr = np.diff(times)
    vf = CLASS_INDEX[EPISODE_CLASS]
    organised = (labels[1:] != vf) & (labels[:-1] != vf)
    rr = rr[organised & (rr > 0.2) & (rr < 3.0)]
    if len(rr) == 0:
        return None
    return round(60.0 / float(np.mean(rr)), 1)


def _qualifies(beat_class, counts, total, episodes):
    count = counts.get(beat_class.code, 0)
    rule = beat_class.finding_rule
    if rule == "episode":
        return bool(episodes)
    if rule == "pattern":
        return count / total >= BLOCK_MIN_SHARE
    if rule == "ectopic":
        return count >= ECTOPIC_MIN_COUNT and count / total >= ECTOPIC_MIN_SHARE
    if rule == "baseline":
        return True
    raise ValueError(f"unknown finding rule {rule!r} of class {beat_class.code}")


def finding(counts, episodes):
    """The headline finding of a recording: the code of the class that leads.

    A class qualifies by its rule: an episode class when an episode was found; a conduction
    pattern when it shows in at least BLOCK_MIN_SHARE of the beats; ectopic beats when more
    than a stray one occurs; the baseline class always. Of the qualifying classes the one with
    the lowest priority number leads, except that between two conduction patterns the one in
    more beats leads (a recording has one dominant conduction), and between two kinds of
    extra beats the later one leads when it is in ECTOPIC_OUTWEIGH times as many beats.
    """
    total = max(1, sum(counts.values()))
    qualified = sorted((c for c in CLASSES if _qualifies(c, counts, total, episodes)),
                       key=lambda c: c.priority)
    lead = qualified[0]
    if lead.finding_rule == "pattern":
        patterns = [c for c in qualified if c.finding_rule == "pattern"]
        lead = max(patterns, key=lambda c: counts.get(c.code, 0))  # ties: the first, by priority
    elif lead.finding_rule == "ectopic":
        for other in qualified[1:]:
            if (other.finding_rule == "ectopic" and counts.get(other.code, 0)
                    >= ECTOPIC_OUTWEIGH * counts.get(lead.code, 0)):
                lead = other
    return lead.code
