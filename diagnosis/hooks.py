"""Places where apps above diagnosis add to its pages and its admin without diagnosis
importing them (doctors' reviews, from the care app, are the example).

An app registers its functions and classes in its ``AppConfig.ready()``; the diagnosis views
and admin ask these lists on every request, so the order of INSTALLED_APPS does not matter
and no ModelAdmin is replaced.
"""

# function(request, diagnosis) -> HTML (a safe string) shown on the result page above the
# advice, or "" for nothing.
RESULT_PANELS = []
# function(request, diagnoses) -> {diagnosis pk: HTML} marks shown beside the finding in the
# history list, for one page of diagnoses (one query, not one per row).
HISTORY_MARKS = []
# function(request, diagnosis) -> {beat sample index: class code}: labels doctors gave single
# beats of a recording, drawn on the rhythm strip over the model's (later functions win).
BEAT_LABELS = []
# function(diagnoses) -> {diagnosis pk: DoctorReading}: the doctors' reading of finished
# diagnoses, for a page of them in one query (diagnosis.readings decides what is shown).
DOCTOR_READINGS = []
# InlineModelAdmin classes shown on a diagnosis's admin page.
ADMIN_INLINES = []
# List filters added to the admin's list of diagnoses.
ADMIN_LIST_FILTERS = []


def register(hook, item):
    """Add ``item`` to the ``hook`` list once (ready() may run more than once in tests)."""
    if item not in hook:
        hook.append(item)
    return item


def result_panels(request, diagnosis):
    return [html for panel in RESULT_PANELS if (html := panel(request, diagnosis))]


def history_marks(request, diagnoses):
    """{pk: [HTML, ...]} from every registered function, for the diagnoses of one page."""
    marks = {}
    for function in HISTORY_MARKS:
        for pk, html in function(request, diagnoses).items():
            if html:
                marks.setdefault(pk, []).append(html)
    return marks


def beat_labels(request, diagnosis):
    labels = {}
    for function in BEAT_LABELS:
        labels.update(function(request, diagnosis))
    return labels


def doctor_readings(diagnoses):
    readings = {}
    for function in DOCTOR_READINGS:
        readings.update(function(diagnoses))
    return readings
