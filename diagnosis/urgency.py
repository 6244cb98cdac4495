"""What to do next after a finding, in plain language.

How urgent a class is comes from the class registry (``BeatClass.urgency``: a level, raised
for a frequent ectopic burden); this module only words it for patients, per class code and
level. A class without wording here is an error, never a silent "nothing found".

Written by the team from the sources in REFERENCES (not copied). It is general guidance
about the classes this tool recognises; it is not a diagnosis, and the result page and
report say so. Symptoms always outrank the result: RED_FLAGS is shown with every finding.
"""
from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import apnumber
from django.db.models import Case, F, FloatField, IntegerField, Q, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, NullIf
from django.db.models.lookups import GreaterThanOrEqual

from ml import registry
from ml.registry import EMERGENCY, NONE, ROUTINE, SOON, URGENCY_ORDER

UNCLEAR = "unclear"
# "Nothing abnormal found" from a model that often misses some abnormal beats in new patients
# (issue 15): never the green "no action needed", but amber, naming what is not ruled out.
NOT_RULED_OUT = "not_ruled_out"
LEVEL_LABELS = {
    EMERGENCY: "Emergency",
    SOON: "See a doctor soon",
    ROUTINE: "Mention it to your doctor",
    NONE: "No action needed because of this result",
    UNCLEAR: "Result uncertain",
    NOT_RULED_OUT: "Not ruled out",
}
# The colour of each level on the page (the site's alert-<tone> classes): only NONE is green.
LEVEL_TONES = {
    EMERGENCY: "danger",
    SOON: "warning",
    UNCLEAR: "warning",
    NOT_RULED_OUT: "warning",
    ROUTINE: "info",
    NONE: "success",
}
# Share of beats from which premature atrial beats are worded as frequent (their urgency
# level stays the same).
FREQUENT_A_SHARE = 0.10

RED_FLAGS = (
    "Whatever this result says: if you have chest pain or pressure, fainted or nearly "
    "fainted, are very short of breath, or feel a racing or irregular heartbeat with "
    "dizziness, call emergency services (112 in Europe, 999 in the UK, 911 in North America) "
    "now."
)
DISCLAIMER = (
    "This result comes from a computer model. It is not a medical device, it can be wrong, "
    "and it does not replace a doctor who looks at your full ECG and knows your history."
)
REFERENCES = (
    ("American Heart Association: Ventricular fibrillation",
     "https://www.heart.org/en/health-topics/arrhythmia/about-arrhythmia/ventricular-fibrillation"),
    ("Zeppenfeld K et al. 2022 ESC Guidelines for the management of patients with ventricular "
     "arrhythmias and the prevention of sudden cardiac death. Eur Heart J 2022;43:3997-4126",
     "https://doi.org/10.1093/eurheartj/ehac262"),
    ("NHS: Heart palpitations and ectopic beats",
     "https://www.nhs.uk/conditions/heart-palpitations/"),
    ("Kusumoto FM et al. 2018 ACC/AHA/HRS Guideline on the evaluation and management of "
     "patients with bradycardia and cardiac conduction delay. Circulation 2019;140:e382-e482",
     "https://doi.org/10.1161/CIR.0000000000000628"),
    ("Resuscitation Council UK: Adult basic life support guidelines",
     "https://www.resus.org.uk/library/2021-resuscitation-guidelines/adult-basic-life-support-guidelines"),
)


@dataclass
class Advice:
    level: str
    headline: str
    steps: list = field(default_factory=list)

    @property
    def label(self):
        return LEVEL_LABELS[self.level]

    @property
    def tone(self):
        return LEVEL_TONES[self.level]


def assess(diagnosis, for_doctor=False, reading=None):
    """The advice for a finished diagnosis (a Diagnosis row), or None while it is unfinished.

    ``for_doctor``: the reader is a verified doctor, who is not told to ask a doctor to read
    the ECG (they are the one who reads it). ``reading``: the diagnosis's
    ``readings.Reading`` when the caller has it (else it is looked up): advice follows a
    doctor's reading where there is one, not the model's finding.
    """
    if diagnosis.status == diagnosis.Status.DONE:
        from .readings import reading_of

        reading = reading or reading_of(diagnosis)
        if reading.by_doctor:
            return _for_doctors_reading(diagnosis, reading)
    if diagnosis.status == diagnosis.Status.FAILED:
        return Advice(UNCLEAR, "This file could not be analysed, so there is no result.", [
            "Read the message above: it says what was wrong with the file.",
            "Upload a corrected file." if for_doctor else
            "Upload a corrected file, or ask your doctor to look at the ECG itself.",
        ])
    if diagnosis.status != diagnosis.Status.DONE:
        return None
    advice = _for_label(diagnosis)
    if advice.level == NONE:
        advice = _unless_not_ruled_out(diagnosis, advice, for_doctor)
    if diagnosis.low_confidence and advice.level != EMERGENCY:
        advice = Advice(UNCLEAR, "The model is not sure about this result. " + advice.headline,
                        [_uncertain_step(diagnosis, for_doctor), *advice.steps])
    elif diagnosis.low_confidence:
        advice.steps.append(_uncertain_step(diagnosis, for_doctor))
    return advice


def _for_doctors_reading(d, reading):
    """Advice for the class a doctor read the ECG as (their reading, not the model's, decides
    the level), or "unclear" when they could not interpret it."""
    from .readings import UNINTERPRETABLE

    if reading.code == UNINTERPRETABLE:
        return Advice(UNCLEAR, "A doctor read this ECG and could not interpret it, so it gives "
                      "no finding.", [
                          "Follow what your doctor tells you; they may ask for a new "
                          "recording.",
                      ])
    share = _share(d, reading.code)
    level = registry.get(reading.code).urgency.for_share(share)
    try:
        words = WORDING[reading.code][level]
    except KeyError:
        raise KeyError(f"no patient wording for class {reading.code!r} at urgency "
                       f"{level!r}") from None
    headline, steps = words(share)
    return Advice(level, headline,
                  [*steps, "Where your doctor told you something else, follow your doctor."])


def _unless_not_ruled_out(d, advice, for_doctor):
    """``advice`` for "nothing abnormal found", or NOT_RULED_OUT advice when the model's
    measured figures for this mode (reliability.not_ruled_out) do not let it rule out the
    abnormal classes."""
    from .reliability import not_ruled_out

    missed = not_ruled_out(d)
    if missed == ():
        return advice
    ask = ("Read the ECG itself before relying on this result." if for_doctor else
           "If you have symptoms, or this ECG was taken to check your heart, ask a doctor to "
           "read the ECG itself.")
    if missed is None:
        return Advice(NOT_RULED_OUT, (
            "The model found no abnormal beat, but there is no measurement of how often it "
            "misses abnormal beats in this kind of upload, so this does not rule them out."),
            [ask, *advice.steps])
    names = _and(m.name.lower() for m in missed)
    found = [f"{m.recall_percent}% of {m.name.lower()} beats" for m in missed
             if m.recall is not None]
    steps = [ask, *advice.steps]
    if found:
        steps.insert(0, "Tested on patients it had never seen, the model found only "
                     + _and(found) + ", and missed the rest.")
    return Advice(NOT_RULED_OUT, (
        "The model found no abnormal beat, but it often misses some kinds in people it has not "
        f"seen before: this result does not rule out {names}."), steps)


def _and(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _uncertain_step(diagnosis, for_doctor=False):
    ask = "" if for_doctor else ", or ask a doctor to read it"
    if diagnosis.kind == diagnosis.Kind.IMAGE:
        return ("Treat it as a guess: upload a clearer picture of a single heartbeat (one beat, "
                f"one sharp line, no text inside the plot){ask}.")
    return ("Treat it as a guess: a recording with less noise (sit still, good electrode "
            f"contact) gives a clearer result{ask}.")


def _share(diagnosis, code):
    if not diagnosis.counts or not diagnosis.beat_count:
        return None
    return diagnosis.counts.get(code, 0) / diagnosis.beat_count


def _finding_code(d):
    """The class the urgency follows: any ventricular fibrillation episode leads."""
    return registry.EPISODE_CLASS if d.vf_episodes else d.label


def level_of(d):
    """The registry's urgency level of a done diagnosis's finding (before the patient's
    advice turns a low-confidence result into "unclear"); rank_expression computes the
    same in the database."""
    code = _finding_code(d)
    return registry.get(code).urgency.for_share(_share(d, code))


def rank_expression():
    """A database expression over diagnoses: the position in registry.URGENCY_ORDER (0 most
    urgent) of ``level_of`` for a done diagnosis, NULL for any other. Built from the
    registry's rules, so that lists can be ordered by urgency in one query."""
    episode = Q(vf_episodes__isnull=False) & ~Q(vf_episodes=[])
    whens = [When(Q(status="done") & episode, then=_class_rank(registry.EPISODE_CLASS))]
    whens += [When(status="done", label=code, then=_class_rank(code))
              for code in registry.CLASS_CODES]
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _class_rank(code):
    rule = registry.get(code).urgency
    rank = Value(URGENCY_ORDER.index(rule.level))
    if rule.frequent_share is None:
        return rank
    # The share of beats as _share divides it (floating point, as Python does), so both
    # sides agree at the threshold itself.
    share = (Cast(KT(f"counts__{code}"), FloatField())
             / NullIf(Cast(F("beat_count"), FloatField()), Value(0.0)))
    frequent = GreaterThanOrEqual(share, Value(float(rule.frequent_share)))
    return Case(When(frequent, then=Value(URGENCY_ORDER.index(rule.frequent_level))),
                default=rank, output_field=IntegerField())


def _for_label(d):
    """The advice for a finished diagnosis's finding (any ventricular fibrillation episode
    leads); raises KeyError for a class without a registry entry or without wording."""
    code = _finding_code(d)
    share = _share(d, code)
    level = registry.get(code).urgency.for_share(share)
    try:
        words = WORDING[code][level]
    except KeyError:
        raise KeyError(f"no patient wording for class {code!r} at urgency {level!r}") from None
    headline, steps = words(share)
    return Advice(level, headline, steps)


# Patient wording: {class code: {urgency level: function(share of beats) -> (headline,
# steps)}}, one entry for every level the class's registry urgency rule can give.
WORDING = {
    "VF": {EMERGENCY: lambda share: (
        "Ventricular fibrillation or flutter was found. This rhythm stops the heart from "
        "pumping and is life-threatening.", [
            "If this is happening now, or the person is unwell: call emergency services now.",
            "If the person is unresponsive and not breathing normally: call emergency "
            "services, start chest compressions and use an automated external defibrillator "
            "(AED) if one is nearby.",
            "If the recording was made earlier and the person is well now: still get urgent "
            "medical help today (emergency department or out-of-hours doctor) and bring this "
            "report.",
        ])},
    "V": {
        SOON: lambda share: (f"Frequent premature ventricular beats ({share:.0%} of beats).", [
            "Make an appointment with your doctor within the next few weeks and bring this "
            "report.",
            "Very frequent extra beats can strain the heart over time; a doctor may suggest a "
            "longer recording (Holter) and an ultrasound of the heart.",
        ]),
        ROUTINE: lambda share: (
            "Premature ventricular beats (extra beats from the lower chambers). Occasional "
            "ones are common and usually harmless.", [
                "Mention it to your doctor at your next appointment, sooner if you often feel "
                "skipped or extra beats.",
                "Caffeine, alcohol, stress and lack of sleep can make extra beats more "
                "frequent.",
            ]),
    },
    "L": {SOON: lambda share: (
        "Left bundle branch block: the signal to the left lower chamber is delayed. It can "
        "be a sign of an underlying heart condition.", [
            "See your doctor within the next few weeks, especially if this is new to you; "
            "they may check your heart with an ultrasound (echocardiogram).",
            "If it comes with chest pain or breathlessness, call emergency services: a new "
            "left bundle branch block with chest pain can be a heart attack.",
        ])},
    "R": {ROUTINE: lambda share: (
        "Right bundle branch block: the signal to the right lower chamber is delayed. It is "
        "often found in healthy people.", [
            "Mention it to your doctor at your next appointment.",
            "See a doctor sooner if it is new and you are short of breath, tired or dizzy.",
        ])},
    "A": {ROUTINE: lambda share: _atrial(share)},
    "N": {NONE: lambda share: (
        "No abnormal beat of the kinds this tool recognises was found.", [
            f"This tool recognises {apnumber(registry.N_CLASSES)} beat types only: it cannot "
            "rule out other problems (for example atrial fibrillation or a heart attack).",
            "If you have symptoms, see your doctor whatever this result says.",
        ])},
}


def _atrial(share):
    frequent = share is not None and share >= FREQUENT_A_SHARE
    return ("Premature atrial beats (extra beats from the upper chambers)"
            + (f", {share:.0%} of beats" if frequent else "")
            + ". They are common and usually harmless.", [
                "Mention it to your doctor at your next appointment"
                + (", as frequent extra beats are worth a check." if frequent else "."),
                "Caffeine, alcohol, nicotine, stress and lack of sleep can trigger them.",
            ])
