"""Reading a model's card: the measured figures shipped next to the model (``card.json``).

The card is written by ``python -m ml.reports.card`` from the outputs of the evaluation code;
the site and the Predictor only read it, through ``load_card``.
"""
import json
from pathlib import Path

CARD_JSON = "card.json"
CARD_MD = "card.md"


def load_card(model_dir):
    """The card of the model in ``model_dir`` as a dict, or None when there is none."""
    path = Path(model_dir) / CARD_JSON
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
