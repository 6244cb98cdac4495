"""The beat's 2-D spectral image: a short-time Fourier transform of each channel of the
recordings model's input (``ml.beatinput``), as the product's origin describes its method
("2-D ECG spectral image representation", Ullah et al. 2020: each beat turned into an STFT
spectrogram read by a 2-D CNN).

Per channel of the already-normalised beat window (WINDOW = 252 samples at 360 Hz; 12 lead
slots of the beat + 12 of the local template): Hann window of ``FRAME`` = 64 samples (0.18 s,
long enough to hold a QRS and resolve 5.6 Hz), hop ``HOP`` = 8 samples (22 ms), FFT of
``NFFT`` = 128 points (2.8 Hz bins), frames centred on every hop with the window zero-padded
by half a frame on each side (the input is median-removed, so zero is its baseline). Only the
bins up to ``MAX_HZ`` = 45 Hz are kept: ``ml.preprocess.clean`` has removed most of what lies
above (wavelet denoising of the detail levels above 22 Hz) and the QRS energy is below 40 Hz.

The magnitude is stored as log(1 + |X|): a channel of zeros (a lead not read) stays exactly
zero, as it is in the time-domain input, and the large QRS peaks are compressed.

    spectral_image(beat)  (n, WINDOW, 24) -> (n, FRAMES, BINS, 24) = (n, 32, 17, 24)

``model_inputs`` turns leadnet's time-domain inputs into those of ``leadnet_spectral``; which
one a saved model reads is recorded in its meta.json (``input_kind``).
"""
import numpy as np

from . import beatinput
from .beatinput import FS, WINDOW
from .leads import II, N_SLOTS

FRAME = 64
HOP = 8
NFFT = 128
MAX_HZ = 45.0
TIME, SPECTRAL = "time", "spectral"
INPUT_KINDS = (TIME, SPECTRAL)
ARCHITECTURE = {TIME: "leadnet", SPECTRAL: "leadnet_spectral"}  # the network reading each


def frequencies(fs=FS):
    """The centre frequencies (Hz) of the bins kept."""
    f = np.fft.rfftfreq(NFFT, 1.0 / fs)
    return f[f <= MAX_HZ + 1e-9]


BINS = len(frequencies())  # 17: 0, 2.8, ..., 45 Hz


def n_frames(length):
    """Frames of a signal of ``length`` samples: one centred on every HOP-th sample."""
    return length // HOP + 1


def frame_times(length, fs=FS):
    """The centre (s, from the window's first sample) of each frame."""
    return np.arange(n_frames(length)) * HOP / fs


FRAMES = n_frames(WINDOW)  # of a beat window: 32
_WINDOW = np.hanning(FRAME + 1)[:-1]  # periodic Hann
# The kept bins of the FFT of a windowed frame as one real matrix product: a frame (FRAME,)
# times _BASIS gives the real parts then the imaginary parts of bins 0..BINS-1. Scaled so that
# a sinusoid of amplitude a at a bin's frequency gives a in that bin. (np.fft.rfft of the
# gathered frames computes 65 bins in complex128 to keep 17: ten times slower.)
_ANGLE = 2 * np.pi * np.outer(np.arange(FRAME), np.arange(BINS)) / NFFT
_BASIS = (np.concatenate([_WINDOW[:, None] * np.cos(_ANGLE), -_WINDOW[:, None] * np.sin(_ANGLE)],
                         axis=1) / (_WINDOW.sum() / 2.0)).astype(np.float32)
CHUNK = 256  # beats transformed at a time (the gathered frames of 256 beats: 50 MB)


def stft_magnitude(x):
    """|STFT| of ``x`` (n, time, channels) sampled at FS -> (n, frames, bins, channels),
    float32: Hann window of FRAME samples centred every HOP samples (zero-padded by half a
    frame at both ends), FFT of NFFT points, bins up to MAX_HZ; a sinusoid of amplitude a at a
    bin's frequency gives a peak of a in that bin."""
    x = np.asarray(x, np.float32)
    if x.ndim != 3:
        raise ValueError(f"expected (n, time, channels), got shape {x.shape}")
    n, length, channels = x.shape
    frames = n_frames(length)
    half = FRAME // 2
    padded = np.pad(x, ((0, 0), (half, half), (0, 0)))
    # (n, windows, channels, FRAME) view, one window every HOP samples
    view = np.lib.stride_tricks.sliding_window_view(padded, FRAME, axis=1)[:, ::HOP][:, :frames]
    out = np.empty((n, frames, BINS, channels), np.float32)
    for s in range(0, n, CHUNK):
        part = np.ascontiguousarray(view[s:s + CHUNK])
        z = part.reshape(-1, FRAME) @ _BASIS
        mag = np.hypot(z[:, :BINS], z[:, BINS:]).reshape(len(part), frames, channels, BINS)
        out[s:s + CHUNK] = mag.transpose(0, 1, 3, 2)
    return out


def spectral_image(beat):
    """log(1 + |STFT|) of leadnet's beat input (n, WINDOW, channels)."""
    return np.log1p(stft_magnitude(beat))


def model_inputs(inputs, kind):
    """The inputs of a model reading ``kind`` from leadnet's time-domain inputs
    (``ml.beatinput.model_inputs``): unchanged for "time"; for "spectral" the beat becomes
    its spectral image (key "spectrum"), mask and rhythm kept."""
    if kind == TIME:
        return inputs
    if kind == SPECTRAL:
        return {"spectrum": spectral_image(inputs["beat"]), "mask": inputs["mask"],
                "rhythm": inputs["rhythm"]}
    raise ValueError(f"unknown input kind {kind!r}; choose one of {INPUT_KINDS}")


def input_kind(meta):
    """The input a saved recordings model reads, from its meta.json. Models saved before
    meta.json recorded it (the shipped model up to c45c6ad6d9f2) read the time-domain beat."""
    kind = (meta or {}).get("input_kind", TIME)
    if kind not in INPUT_KINDS:
        raise ValueError(f"meta.json names input kind {kind!r}; this code knows {INPUT_KINDS}")
    return kind


def beat_image(window):
    """One beat's spectral image as the spectral input sees it, for showing: ``window`` is the
    beat's WINDOW samples at 360 Hz (0.28 s before the R peak to 0.42 s after) of one lead,
    read as lead II without a template, so it is scaled by its own largest value
    (``ml.beatinput.model_inputs``). Returns (the normalised window (WINDOW,), its image
    (FRAMES, BINS): time along the first axis, frequency along the second)."""
    window = np.asarray(window, np.float32).reshape(WINDOW)
    windows = np.zeros((1, N_SLOTS, WINDOW), np.float32)
    windows[0, II] = window
    x = beatinput.model_inputs(windows, np.zeros_like(windows), beatinput.one_lead_masks(1, II),
                               np.zeros((1, beatinput.N_RHYTHM), np.float32))["beat"]
    return x[0, :, II], spectral_image(x)[0, :, :, II]
