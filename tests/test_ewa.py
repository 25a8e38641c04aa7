"""ps05 maths: hand-computed averages, bias correction, the effective window, bad input."""

import numpy as np
import pytest

from nnref.ewa import effective_window, ewa, ewa_bias_corrected


def test_ewa_by_hand():
    # v1 = 0.5*0 + 0.5*10 = 5; v2 = 0.5*5 + 0.5*20 = 12.5; v3 = 0.5*12.5 + 0.5*30 = 21.25
    v = ewa([10.0, 20.0, 30.0], 0.5)
    np.testing.assert_allclose(v, [5.0, 12.5, 21.25])
    assert v.dtype == np.float64


def test_bias_correction_by_hand():
    # divide by 1 - 0.5**t = 0.5, 0.75, 0.875
    v_hat = ewa_bias_corrected([10.0, 20.0, 30.0], 0.5)
    np.testing.assert_allclose(v_hat, [10.0, 12.5 / 0.75, 21.25 / 0.875])


def test_ewa_is_a_weighted_sum(rng):
    # unrolled: v_t = (1 - beta) * sum_i beta**(t - i) * theta_i
    theta = rng.standard_normal(30)
    beta = 0.8
    T = theta.shape[0]
    weights = (1 - beta) * beta ** (np.arange(T)[:, None] - np.arange(T)[None, :])
    expected = np.tril(weights) @ theta
    np.testing.assert_allclose(ewa(theta, beta), expected, rtol=1e-12, atol=1e-14)


def test_bias_correction_makes_a_constant_series_exact():
    theta = np.full(20, 7.0)
    v = ewa(theta, 0.9)
    assert v[0] == pytest.approx(0.7)  # without correction the first average is far too small
    np.testing.assert_allclose(ewa_bias_corrected(theta, 0.9), theta, rtol=1e-12)


def test_beta_zero_keeps_the_series():
    theta = np.array([3.0, -1.0, 4.0])
    np.testing.assert_array_equal(ewa(theta, 0.0), theta)
    np.testing.assert_array_equal(ewa_bias_corrected(theta, 0.0), theta)


def test_inputs_not_modified_and_shapes():
    theta = np.array([1.0, 2.0, 3.0, 4.0])
    copy = theta.copy()
    assert ewa(theta, 0.9).shape == (4,)
    assert ewa_bias_corrected(theta, 0.9).shape == (4,)
    np.testing.assert_array_equal(theta, copy)
    assert ewa(np.array([]), 0.9).shape == (0,)


def test_effective_window():
    assert effective_window(0.9) == pytest.approx(10.0)
    assert effective_window(0.98) == pytest.approx(50.0)
    assert effective_window(0.0) == 1.0
    assert isinstance(effective_window(0.5), float)


def test_weight_after_one_window_tends_to_one_over_e():
    # beta**(1 / (1 - beta)) -> 1/e as beta -> 1, and the gap shrinks as beta grows
    gaps = [abs(beta ** effective_window(beta) - np.exp(-1)) for beta in (0.9, 0.99, 0.999)]
    assert gaps[2] < 1e-3 * np.exp(-1)  # within 0.1 % at beta = 0.999
    assert gaps[0] > gaps[1] > gaps[2]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ewa([1.0, 2.0], 1.0), "beta must be in"),
        (lambda: ewa([1.0, 2.0], -0.1), "beta must be in"),
        (lambda: ewa([1.0, 2.0], float("nan")), "beta must be in"),
        (lambda: ewa_bias_corrected([1.0, 2.0], 1.5), "beta must be in"),
        (lambda: effective_window(1.0), "beta must be in"),
        (lambda: ewa(np.ones((2, 3)), 0.9), "theta must be 1-D"),
        (lambda: ewa(5.0, 0.9), "theta must be 1-D"),
        (lambda: ewa_bias_corrected(np.ones((2, 3)), 0.9), "theta must be 1-D"),
    ],
)
def test_bad_input_is_rejected_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()
