"""What each architecture is fed: canonical ink images (n, H, W) and rhythm features (n, 6).

Shared by training, evaluation and the Predictor so the three can never disagree.
"""
import numpy as np

from .model import PROTOTYPE_SIZE


def model_inputs(arch, ink, rhythm, template=None, channels=2, n_context=None):
    """Inputs of ``arch`` for beats ``ink`` (n, H, W), their rhythm features and, for beatnet,
    the ink of their local template beat (None or zeros when there is no context)."""
    ink = np.asarray(ink, np.float32)
    if arch == "beatnet":
        if channels == 1:
            image = ink[..., None]
        else:
            if template is None:
                template = np.zeros_like(ink)
            image = np.stack([ink, np.asarray(template, np.float32)], axis=-1)
        rhythm = np.asarray(rhythm, np.float32)
        rhythm = rhythm[:, :n_context] if n_context else rhythm
        # C order (see ml.render.render_ink): a slice of the context columns is strided.
        return {"image": np.ascontiguousarray(image), "rhythm": np.ascontiguousarray(rhythm)}
    if arch == "prototype":
        return _prototype_image(ink)  # its single input, as a plain tensor
    raise ValueError(f"unknown architecture {arch!r}")


def compiled_call(model):
    """``model(x, training=False)`` as one XLA-compiled graph taking what ``model_inputs``
    gives (any batch size). Calling it costs about a millisecond, unlike model.predict
    (~50 ms), and XLA fuses each convolution with its batch normalisation and activation.
    XLA compiles once per batch size, on first use."""
    import tensorflow as tf

    specs = {t.name: tf.TensorSpec(t.shape, tf.float32) for t in model.inputs}
    if len(specs) == 1:  # a single input is passed as a plain tensor (the prototype)
        (specs,) = specs.values()
    return tf.function(lambda x: model(x, training=False), input_signature=[specs],
                       jit_compile=True)


def _prototype_image(ink):
    """The prototype took 64x64 RGB pictures: resample the width, repeat the gray channel."""
    n, h, w = ink.shape
    pos = (np.arange(PROTOTYPE_SIZE) + 0.5) * w / PROTOTYPE_SIZE - 0.5
    i0 = np.clip(np.floor(pos).astype(int), 0, w - 1)
    i1 = np.clip(i0 + 1, 0, w - 1)
    frac = (pos - np.floor(pos)).astype(np.float32)
    wide = ink[:, :, i0] * (1 - frac) + ink[:, :, i1] * frac
    posr = (np.arange(PROTOTYPE_SIZE) + 0.5) * h / PROTOTYPE_SIZE - 0.5
    r0 = np.clip(np.floor(posr).astype(int), 0, h - 1)
    r1 = np.clip(r0 + 1, 0, h - 1)
    fr = (posr - np.floor(posr)).astype(np.float32)[None, :, None]
    img = wide[:, r0, :] * (1 - fr) + wide[:, r1, :] * fr
    return np.repeat(img[..., None], 3, axis=-1)
