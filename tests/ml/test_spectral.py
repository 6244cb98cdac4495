"""The beat's 2-D spectral image (ml.spectral): shape, where a sinusoid's and a spike's energy
land, zeros staying zeros, and agreement with scipy's STFT."""
import numpy as np
import pytest
from scipy import signal

from ml import beatinput, spectral

T = np.arange(beatinput.WINDOW) / beatinput.FS


def beats_with(channel, values, n=1):
    x = np.zeros((n, beatinput.WINDOW, 24), np.float32)
    x[:, :, channel] = values
    return x


def test_a_beat_becomes_32_frames_by_17_bins_up_to_45_hz_for_each_of_its_24_channels():
    img = spectral.spectral_image(np.random.default_rng(0).normal(size=(3, 252, 24)))
    assert img.shape == (3, 32, 17, 24) == (3, spectral.n_frames(252), spectral.BINS, 24)
    f = spectral.frequencies()
    assert f[0] == 0 and f[-1] == pytest.approx(45.0) and np.all(np.diff(f) > 0)
    assert spectral.frame_times(252)[-1] == pytest.approx(248 / 360)


@pytest.mark.parametrize("k", [4, 7, 10, 14])  # 11 to 39 Hz: 2 to 7 cycles a frame
def test_a_pure_sinusoid_lands_in_its_frequency_bin_with_its_amplitude(k):
    f = spectral.frequencies()[k]
    m = spectral.stft_magnitude(beats_with(4, 0.7 * np.cos(2 * np.pi * f * T)))
    middle = m[0, 8:24, :, 4]  # frames whose window lies inside the beat
    assert np.all(middle.argmax(axis=1) == k)
    np.testing.assert_allclose(middle[:, k], 0.7, rtol=0.02)
    assert not np.any(np.delete(m[0], 4, axis=-1))  # the other channels: nothing


def test_a_spike_lands_in_the_frame_centred_on_it_across_all_frequencies():
    x = np.exp(-0.5 * ((np.arange(252) - 120) / 2.0) ** 2)  # a 5-ms wide bump at 120
    m = spectral.stft_magnitude(beats_with(0, x))[0, :, :, 0]
    assert np.all(m[:, :12].argmax(axis=0) == 15)  # 120 / HOP
    assert m[15, 0] > 5 * m[5, 0]


def test_zero_channels_stay_zero_and_finite():
    img = spectral.spectral_image(np.zeros((2, 252, 24), np.float32))
    assert np.all(np.isfinite(img)) and not np.any(img)


def test_it_is_the_log_of_one_plus_scipys_stft_magnitude():
    x = np.random.default_rng(1).normal(size=(2, 252, 24)).astype(np.float32)
    _, _, z = signal.stft(x, fs=360, window="hann", nperseg=64, noverlap=56, nfft=128,
                          boundary="zeros", padded=False, axis=1)
    # scipy: (n, freqs, channels, frames) scaled by 1/sum(window); ours by 2/sum(window)
    ref = 2 * np.abs(np.transpose(z, (0, 3, 1, 2)))[:, :, :spectral.BINS]
    np.testing.assert_allclose(spectral.stft_magnitude(x), ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(spectral.spectral_image(x), np.log1p(ref), rtol=1e-4, atol=1e-5)


def test_the_model_input_of_each_kind_and_the_kind_a_meta_names():
    inputs = beatinput.model_inputs(np.ones((2, 12, 252)), np.ones((2, 12, 252)),
                                    np.ones((2, 12)), np.zeros((2, 6)))
    assert spectral.model_inputs(inputs, "time") is inputs
    s = spectral.model_inputs(inputs, "spectral")
    assert sorted(s) == ["mask", "rhythm", "spectrum"] and s["spectrum"].shape == (2, 32, 17, 24)
    assert s["mask"] is inputs["mask"]
    with pytest.raises(ValueError, match="unknown input kind"):
        spectral.model_inputs(inputs, "wavelet")
    assert spectral.input_kind({"arch": "leadnet"}) == "time"  # models saved before the key
    assert spectral.input_kind({"input_kind": "spectral"}) == "spectral"
    with pytest.raises(ValueError, match="wavelet"):
        spectral.input_kind({"input_kind": "wavelet"})


def test_one_beats_image_is_its_lead_ii_channel_scaled_by_its_own_peak():
    x = np.exp(-0.5 * ((np.arange(252) - beatinput.BEFORE) / 4.0) ** 2)  # an R wave
    trace, img = spectral.beat_image(3.0 * x + 0.2)
    assert img.shape == (32, 17) and trace.shape == (252,)
    assert np.abs(trace).max() == pytest.approx(1.0)  # median removed, own peak = 1
    np.testing.assert_allclose(spectral.beat_image(x)[1], img, atol=1e-5)  # amplitude-free
    assert img[:, 3].argmax() in (12, 13)  # the R wave's frame: 101 / 8
    ref = spectral.spectral_image(np.repeat(trace[None, :, None], 24, axis=2))[0, :, :, 0]
    np.testing.assert_allclose(img, ref, atol=1e-6)
