"""Synthetic single-lead beats, one per class, for illustrations and tests without data.

Each beat is a sum of Gaussian waves (P, Q, R, S, T; after McSharry et al. 2003, IEEE TBME
50(3):289-294) with textbook lead-II morphology per class; ventricular fibrillation is an
irregular undulation without QRS complexes. They are drawings of typical shapes, not data:
nothing is trained or measured on them.
"""
import numpy as np

from .. import render
from ..registry import EPISODE_CLASS, get

# (amplitude mV, centre s relative to R, width s) per wave, for each beat class; the episode
# class (ventricular fibrillation) has no beats to draw, only an undulation.
WAVES = {
    "N": [(0.15, -0.20, 0.025), (-0.10, -0.03, 0.010), (1.20, 0.0, 0.012),
          (-0.25, 0.03, 0.012), (0.30, 0.25, 0.050)],
    "L": [(0.12, -0.22, 0.025), (0.80, -0.01, 0.025), (0.85, 0.05, 0.025),
          (-0.30, 0.30, 0.060)],
    "R": [(0.15, -0.20, 0.025), (1.00, 0.0, 0.012), (-0.45, 0.05, 0.030),
          (0.25, 0.27, 0.050)],
    "A": [(-0.10, -0.15, 0.020), (-0.10, -0.03, 0.010), (1.20, 0.0, 0.012),
          (-0.25, 0.03, 0.012), (0.30, 0.25, 0.050)],
    "V": [(1.40, 0.02, 0.040), (-0.40, 0.10, 0.030), (-0.50, 0.32, 0.070)],
}  # fmt: skip


def beat(code, fs=render.FS, before=render.BEFORE_S, after=render.AFTER_S, seed=0):
    """One synthetic beat window (mV) of class ``code`` with the R peak ``before`` s in."""
    get(code)  # an unknown code is a KeyError naming the known ones
    if code != EPISODE_CLASS and code not in WAVES:
        raise KeyError(f"no synthetic shape for class {code!r}: add its waves to WAVES")
    t = np.arange(-round(before * fs), round(after * fs)) / fs
    rng = np.random.default_rng(seed)
    if code == EPISODE_CLASS:
        x = np.zeros_like(t)
        for freq in rng.uniform(3.5, 6.5, 4):
            x += rng.uniform(0.2, 0.5) * np.sin(2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi))
        return x
    x = np.zeros_like(t)
    for amp, centre, width in WAVES[code]:
        x += amp * np.exp(-((t - centre) ** 2) / (2 * width**2))
    return x + rng.normal(0, 0.005, len(t))


def strip(codes, rr_s=0.8, fs=render.FS):
    """A signal made of synthetic beats of the given classes, one every ``rr_s`` seconds."""
    n = round(rr_s * fs)
    out = np.zeros(n * (len(codes) + 1))
    r = round(0.5 * rr_s * fs)
    before = round(render.BEFORE_S * fs)
    for i, code in enumerate(codes):
        b = beat(code, fs, seed=i)
        start = r + i * n - before
        out[max(0, start) : start + len(b)] += b[max(0, -start) :]
    return out
