"""The fixed validation inputs that training scores a network on, and batched prediction.

Shared by training (checkpoint score), the decision step (ml.training.decision) and the
evaluation (ml.reports.evaluate), so all three see beats the same way.
"""
import numpy as np

from .. import segment
from ..registry import CLASS_CODES
from . import augment

# The styled validation drawings are seeded with the training seed plus this.
VALIDATION_SEED_OFFSET = 7


def canonical_views(beats):
    """Beats as the signal analysis sees them: (ink, template ink, context features)."""
    windows = augment.canonical_from_wide(beats.wide)
    templates = augment.canonical_from_wide(beats.template)
    context = segment.context_features(
        beats.rhythm, windows, templates, augment.render.R_INDEX, augment.render.FS
    )
    return augment.render.render_ink(windows), augment.render.render_ink(templates), context


def validation_views(val, seed):
    """Fixed validation inputs: canonical with context, and styled without."""
    rng = np.random.default_rng(seed)
    ink, tmpl, context = canonical_views(val)
    styled = augment.styled_batch(val.wide, rng)
    return (ink, tmpl, context), (styled, None, segment.no_rhythm(len(val)))


def predict(model, arch, ink, template, context, channels=2, n_context=None, batch=512,
            call=None):
    """Probabilities of ``model`` for the beats; ``call``: its ``inputs.compiled_call``, kept
    across calls so XLA compiles each batch size once per training run, not once per epoch."""
    from ..inputs import compiled_call, model_inputs

    def inputs(k):
        tm = None if template is None else template[k : k + batch]
        return model_inputs(arch, ink[k : k + batch], context[k : k + batch], tm, channels,
                            n_context)

    if not len(ink):
        return np.zeros((0, len(CLASS_CODES)), np.float32)
    call = call or compiled_call(model)
    return np.concatenate([call(inputs(k)).numpy() for k in range(0, len(ink), batch)])
