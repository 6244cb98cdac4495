"""What the Predictor returns: plain dataclasses with JSON-safe ``to_dict``."""
from dataclasses import asdict, dataclass, field

# How an input was analysed (``analysis_mode``): a recording by the recordings model from
# several leads or from one, a picture by the image model.
from .registry import CLASS_NAMES, ONE_LEAD, PICTURE, SEVERAL_LEADS  # noqa: F401 (re-exported)

ANALYSIS_MODES = (SEVERAL_LEADS, ONE_LEAD, PICTURE)


@dataclass(frozen=True)
class ImagePrediction:
    label: str
    probabilities: dict
    confidence: float
    low_confidence: bool

    @property
    def name(self):
        return CLASS_NAMES[self.label]

    def to_dict(self):
        return {**asdict(self), "name": self.name}


@dataclass(frozen=True)
class Beat:
    sample: int  # index into the samples given to analyze_signal
    time_s: float
    label: str
    confidence: float
    probabilities: dict


@dataclass(frozen=True)
class Episode:
    start_s: float
    end_s: float

    @property
    def duration_s(self):
        return self.end_s - self.start_s


@dataclass
class SignalAnalysis:
    fs: float
    duration_s: float
    beats: list
    counts: dict
    heart_rate_bpm: float | None
    vf_episodes: list
    finding: str
    low_confidence: bool
    model_version: str = ""
    leads_used: list = field(default_factory=list)  # standard lead names, in slot order
    analysis_mode: str = ""  # "several leads" or "one lead" (ml.predictor)

    @property
    def finding_name(self):
        return CLASS_NAMES[self.finding]

    def to_dict(self):
        d = asdict(self)
        d["finding_name"] = self.finding_name
        for ep in d["vf_episodes"]:
            ep["duration_s"] = round(ep["end_s"] - ep["start_s"], 3)
        return d
