"""Lead names: which of the 12 standard lead slots a recording's channels fill."""
import pytest

from ml import leads


@pytest.mark.parametrize("name, lead", [
    ("MLII", "II"), ("ii", "II"), ("Lead II", "II"), ("ECG II", "II"), ("DII", "II"),
    ("ML2", "II"), ("D3", "III"), ("I", "I"), ("AVR", "aVR"), ("avl", "aVL"), ("aVF", "aVF"),
    ("V1 ", "V1"), ("v6", "V6"), ("MLV1", "V1"), ("EKG lead V5", "V5"),
])
def test_standard_names_in_their_many_spellings(name, lead):
    assert leads.normalise(name) == lead


@pytest.mark.parametrize("name", ["ecg", "ECG1", "ecg2", "V7", "V", "Resp", "", "EMG", "SpO2"])
def test_names_that_are_no_standard_lead(name):
    # "ECG1"/"ECG2" number a device's channels; they are not leads I and II.
    assert leads.normalise(name) is None


def test_slots_take_the_first_channel_of_each_lead_and_leave_others_out():
    names = ("Resp", "MLII", "V1", "ii", "aVR")
    assert leads.slots_of(names) == {leads.SLOT["II"]: 1, leads.SLOT["aVR"]: 4,
                                     leads.SLOT["V1"]: 2}
    assert leads.names_of(leads.slots_of(names)) == ["II", "aVR", "V1"]


def test_a_recording_without_standard_names_is_read_from_its_main_lead_as_lead_ii():
    assert leads.slots_of(("ecg", "pleth"), main=0) == {leads.II: 0}
    assert leads.slots_of(("EMG", "ECG2"), main=1) == {leads.II: 1}


def test_the_slots_are_the_training_data_slots():
    from ml.training import sources

    assert leads.STANDARD == sources.LEADS
