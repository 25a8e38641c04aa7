"""The shipped data sets equal their sources, and the loaders give what their docstrings say."""

import numpy as np
import pytest

from nnopt import data

sklearn = pytest.importorskip("sklearn", reason="the data sets' source (the instructor's environment has it)")


def test_shipped_files_equal_their_sources():
    import gzip
    import io
    import sys

    sys.path.insert(0, str(__import__("nbtools").ROOT / "tools"))
    import make_datasets

    for name, (header, rows, fmt) in make_datasets.tables().items():
        raw = (make_datasets.OUT / name).read_bytes()
        text = gzip.decompress(raw).decode() if name.endswith(".gz") else raw.decode()
        assert text.splitlines()[0] == header
        shipped = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1, ndmin=2)
        np.testing.assert_allclose(shipped, rows, rtol=1e-9, err_msg=f"{name} is stale: python tools/make_datasets.py")


@pytest.mark.parametrize("m, noise, seed", [(200, 0.2, 0), (400, 0.25, 0), (31, 0.1, 7)])
def test_moons_are_scikit_learns(m, noise, seed):
    from sklearn.datasets import make_moons

    X, y = data.moons(m, noise, seed)
    ref_X, ref_y = make_moons(n_samples=m, noise=noise, random_state=seed)
    np.testing.assert_allclose(X, (ref_X - ref_X.mean(0)) / ref_X.std(0), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(y, ref_y)


def test_loaders_shapes_and_values():
    weight, mpg = data.cars()
    assert weight.shape == mpg.shape == (398,) and 1.6 < weight.min() and weight.max() < 5.2
    X, mpg2 = data.cars_weight_acceleration()
    assert X.shape == (398, 2) and np.array_equal(X[:, 0], weight) and np.array_equal(mpg, mpg2)
    dates, high, low = data.seattle_temperatures()
    assert dates.shape == (1461,) and str(dates[0]) == "2012-01-01" and str(dates[-1]) == "2015-12-31"
    assert np.all(high >= low)
    X, y, names = data.breast_cancer()
    assert X.shape == (569, 2) and y.sum() == 212 and names == ["mean radius", "mean texture"]
    X, y = data.digits()
    assert X.shape == (1797, 64) and X.max() == 16 and sorted(set(y.tolist())) == list(range(10))
    assert y.dtype == np.int64


def test_loaders_return_arrays_the_caller_may_change():
    weight, mpg = data.cars()
    mpg[0] = -1.0  # a copy: the cached table is not touched
    assert data.cars()[1][0] != -1.0
