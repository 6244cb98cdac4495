"""Model cards: the measured figures shipped next to a model.

``card.json`` is written by ``python -m ml.evaluate``/``ml.card`` code only, never by hand.
Schema (all figures are fractions in [0, 1] unless named otherwise):

    {
      "model_version": "<sha256 of the weights file, first 12 hex digits>",
      "created": "<ISO 8601 time>",
      "classes": [{"code": "N", "name": "Normal"}, ...],
      "input": {"image_height": .., "image_width": .., "sampling_rate_hz": .., ...},
      "training": {"split": "inter", "records": [...], "epochs": .., "seconds": .., ...},
      "evaluations": {
        "<split>": {            # "inter" and "beat"
          "split_description": "...",
          "model": {"accuracy": .., "macro_f1": .., "n": ..,
                    "per_class": {"N": {"precision": .., "recall": .., "f1": .., "support": ..}, ...},
                    "confusion_matrix": [[..6 ints..] x 6]},   # rows = true, columns = predicted
          "baseline": { same keys as "model" }
        }
      },
      "extra": {...}            # rejection, style robustness, latency, detector figures
    }
"""
import json
from pathlib import Path

CARD_JSON = "card.json"


def load_card(model_dir):
    """The card of the model in ``model_dir`` as a dict, or None when there is none."""
    path = Path(model_dir) / CARD_JSON
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
