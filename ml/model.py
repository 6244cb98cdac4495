"""The CNN architectures: only the layers, nothing about data or training.

``beatnet``: our model. A small VGG-style stack over the canonical beat image (five
conv-BN-ReLU-pool blocks, 64x96 -> 2x3), a dense head, and a second input with the beat's
rhythm context (ml.segment) joined before the last layers. About 82k parameters and 10M
multiply-adds per beat (1.3M + 4.0M + 2.7M + 1.3M + 0.7M in the five convolutions): the
2,000-3,000 beats of a 30-minute record classify in one to a few seconds on two CPU cores,
depending on the CPU (``python -m ml.reports.bench`` prints the whole analysis time).

``prototype``: the earlier student prototype, kept as the baseline: 64x64x3 input,
Conv2D 32 3x3 relu, MaxPool 2, Conv2D 32 3x3 relu, MaxPool 2, Flatten, five Dense 128 relu,
Dense 6 softmax: 879,910 parameters. It sees the image only.

``leadnet``: the recordings model. A 1-D CNN over the beat window of the 12 standard lead
slots and the patient's local dominant beat in the same slots (24 channels, ``ml.beatinput``):
four Conv1D(7)-BN-ReLU-pool blocks (32, 48, 64, 96 filters), average and max pooling over
time, joined with the lead presence mask and the rhythm features, a dense layer and the
softmax. About 96k parameters; missing leads are zeros with mask 0, so one network reads a
single lead or twelve.

``leadnet_spectral``: the same network reading the beat's 2-D spectral image instead
(``ml.spectral``: the STFT of each of the 24 channels, 32 frames x 17 bins of 0-45 Hz): four
Conv2D(3x3)-BN-ReLU-pool blocks (32, 48, 64, 96 filters) over time and frequency, average and
max pooling, then the same mask, rhythm and dense head. It is an experiment (ml/EXPERIMENTS.md,
"Spectral input"); a saved model's meta.json says which input it reads (``input_kind``).
"""
import keras
from keras import layers

from . import beatinput, render, segment, spectral
from .leads import N_SLOTS
from .registry import CLASS_CODES

ARCHITECTURES = ("beatnet", "prototype", "leadnet", "leadnet_spectral")
PROTOTYPE_SIZE = 64


def beatnet(height=render.HEIGHT, width=render.WIDTH, n_rhythm=segment.N_CONTEXT, channels=2,
            dropout=0.3):
    # Channel 0: the beat; channel 1: the patient's local dominant beat (zeros when unknown).
    image = keras.Input((height, width, channels), name="image")
    rhythm = keras.Input((n_rhythm,), name="rhythm")
    x = image
    for filters in (12, 24, 32, 48, 64):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        # A faster-moving average than Keras' 0.99: epochs here are a few hundred steps.
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(dropout)(x)
    x = layers.Dense(64, activation="relu")(x)
    r = layers.Dense(16, activation="relu")(rhythm)
    x = layers.Concatenate()([x, r])
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dropout(0.2)(x)
    out = layers.Dense(len(CLASS_CODES), activation="softmax", name="probabilities")(x)
    return keras.Model([image, rhythm], out, name="beatnet")


def prototype():
    image = keras.Input((PROTOTYPE_SIZE, PROTOTYPE_SIZE, 3), name="image")
    x = layers.Conv2D(32, 3, activation="relu")(image)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    for _ in range(5):
        x = layers.Dense(128, activation="relu")(x)
    out = layers.Dense(len(CLASS_CODES), activation="softmax", name="probabilities")(x)
    return keras.Model(image, out, name="prototype")


def _lead_features(x, conv, pool):
    """The recordings models' convolution stack: four blocks, each halving every axis."""
    for filters in (32, 48, 64, 96):
        x = conv(filters)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = pool()(x)
    return x


def _lead_head(pooled, mask, rhythm, dropout):
    """The recordings models' classifier: pooled features, the lead mask and the rhythm."""
    x = layers.Dropout(dropout)(pooled)
    x = layers.Concatenate()([x, mask, layers.Dense(16, activation="relu")(rhythm)])
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dropout(0.2)(x)
    return layers.Dense(len(CLASS_CODES), activation="softmax", name="probabilities")(x)


def leadnet(window=beatinput.WINDOW, n_slots=N_SLOTS, n_rhythm=segment.N_RHYTHM, dropout=0.3):
    beat = keras.Input((window, 2 * n_slots), name="beat")
    mask = keras.Input((n_slots,), name="mask")
    rhythm = keras.Input((n_rhythm,), name="rhythm")
    x = _lead_features(beat, lambda f: layers.Conv1D(f, 7, padding="same", use_bias=False),
                       lambda: layers.MaxPooling1D(2))
    pooled = layers.Concatenate()([layers.GlobalAveragePooling1D()(x),
                                   layers.GlobalMaxPooling1D()(x)])
    out = _lead_head(pooled, mask, rhythm, dropout)
    return keras.Model([beat, mask, rhythm], out, name="leadnet")


def leadnet_spectral(frames=spectral.FRAMES, bins=spectral.BINS,
                     n_slots=N_SLOTS, n_rhythm=segment.N_RHYTHM, dropout=0.3):
    spectrum = keras.Input((frames, bins, 2 * n_slots), name="spectrum")
    mask = keras.Input((n_slots,), name="mask")
    rhythm = keras.Input((n_rhythm,), name="rhythm")
    # 32x17 -> 16x8 -> 8x4 -> 4x2 -> 2x1 (time x frequency)
    x = _lead_features(spectrum, lambda f: layers.Conv2D(f, 3, padding="same", use_bias=False),
                       lambda: layers.MaxPooling2D(2))
    pooled = layers.Concatenate()([layers.GlobalAveragePooling2D()(x),
                                   layers.GlobalMaxPooling2D()(x)])
    out = _lead_head(pooled, mask, rhythm, dropout)
    return keras.Model([spectrum, mask, rhythm], out, name="leadnet_spectral")


def build(arch, **options):
    if arch == "beatnet":
        return beatnet(**options)
    if arch == "prototype":
        return prototype()
    if arch == "leadnet":
        return leadnet(**options)
    if arch == "leadnet_spectral":
        return leadnet_spectral(**options)
    raise ValueError(f"unknown architecture {arch!r}; choose one of {ARCHITECTURES}")
