"""Atrial fibrillation or flutter as the databases state it (``beatlabels.rhythm_at``,
``beatlabels.in_af``), and the sampler's own pool of normal beats in those rhythms
(``leadnet.Sampler(af_pool=True)``, an experiment of issue 15)."""
import numpy as np

from ml.registry import CLASS_INDEX
from ml.training import beatlabels, sources

N = CLASS_INDEX["N"]


def _holter(notes):
    return sources.RecordInfo(database="mitdb", record="x", patient="mitdb:x", fs=360.0,
                              n_samples=10_000, channels={"II": 0}, path="",
                              meta={"rhythm": notes})


def test_the_rhythm_note_in_force_is_the_last_one_at_or_before_each_sample():
    info = _holter([(100, "(N"), (1000, "(AFIB"), (2000, "(AFL"), (3000, "(N")])
    samples = [50, 100, 999, 1000, 2500, 9000]
    assert beatlabels.rhythm_at(info.meta["rhythm"], samples).tolist() == [
        "", "(N", "(N", "(AFIB", "(AFL", "(N"]
    assert beatlabels.in_af(info, samples).tolist() == [False, False, False, True, True, False]


def test_a_record_without_rhythm_notes_has_none_in_force():
    info = _holter([])
    assert beatlabels.rhythm_at([], [5, 50]).tolist() == ["", ""]
    assert not beatlabels.in_af(info, [5, 50]).any()


def test_twelve_lead_records_are_in_af_by_their_stated_rhythm(data_dir):
    infos = {i.key: i for i in sources.catalog(("ludb", "ptbxl"))}
    stated = {k: beatlabels.in_af(i, [0, 1]) for k, i in infos.items()}
    assert not any(v.any() and not v.all() for v in stated.values())  # one answer per record
    af = {k for k, v in stated.items() if v.all()}
    for key in af:
        assert any(d.startswith(("Atrial fibrillation", "Atrial flutter", "AFIB", "AFLT"))
                   for d in infos[key].diagnoses), key
    # both 12-lead sets hold records in atrial fibrillation or flutter (35 in all)
    assert {k.split("/")[0] for k in af} == {"ludb", "ptbxl"} and len(af) >= 30
    assert "ludb/1" not in af


def test_the_af_pool_draws_normal_beats_in_af_as_often_as_each_class(data_dir):
    from ml.training import leadnet

    # mitdb 201: sinus rhythm with spans of atrial fibrillation and flutter. (The 12-lead
    # records in AF have no N beats: the label rules leave their beats unscored.)
    beats = leadnet.load_beats(records=("mitdb/201", "ludb/35", "ludb/1"))
    mitdb, ludb_af = (int(np.flatnonzero(beats.keys == k)[0]) for k in ("mitdb/201", "ludb/35"))
    assert beats.in_af[beats.record == ludb_af].all()
    assert not beats.in_af[beats.keys[beats.record] == "ludb/1"].any()
    in_201 = beats.in_af[beats.record == mitdb]
    assert 0.2 < in_201.mean() < 0.9  # AF spans and sinus spans
    everything = np.arange(len(beats))
    plain = leadnet.Sampler(beats, everything)
    pooled = leadnet.Sampler(beats, everything, af_pool=True)
    assert leadnet.AF_POOL not in plain.pools
    members, _ = pooled.pools[leadnet.AF_POOL]
    np.testing.assert_array_equal(
        members, np.flatnonzero(beats.in_af & (beats.labels == N)))
    assert (beats.record[members] == mitdb).all()
    # The N pool keeps the other normal beats; the counts per class are unchanged.
    assert not np.isin(pooled.pools[N][0], members).any()
    assert len(pooled.pools[N][0]) + len(members) == len(plain.pools[N][0])
    assert pooled.train_beats() == plain.train_beats()
    _inputs, labels = pooled.batch(0)
    assert len(labels) == pooled.per * len(pooled.pools)
    assert (labels == N).sum() == 2 * pooled.per


def test_a_model_trained_with_the_af_pool_says_so(data_dir, tmp_path):
    from ml.training import leadnet

    beats = leadnet.load_beats(records=("mitdb/201", "ludb/1"))
    _model, meta = leadnet.train(beats, "all", steps=2, out=tmp_path, every=2,
                                 log=lambda m: None, af_pool=True)
    n_af = int((beats.in_af & (beats.labels == N)).sum())
    assert meta["af_pool_beats"] == n_af > 0
    assert meta["train_beats"]["N"] == int((beats.labels == N).sum())
    _model, plain = leadnet.train(beats, "all", steps=2, out=tmp_path / "plain", every=2,
                                  log=lambda m: None)
    assert "af_pool_beats" not in plain and plain["train_beats"] == meta["train_beats"]
