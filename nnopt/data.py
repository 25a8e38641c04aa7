"""The data sets of the course, shipped with the package as small CSV files (no download, no extra library).

``nnopt/datasets/`` holds them (``tools/make_datasets.py`` wrote them from scikit-learn and
vega_datasets; their sources are in ``nnopt/datasets/README.md``).  Every loader returns float64
arrays, rows as examples.
"""

import gzip
from functools import lru_cache
from importlib import resources

import numpy as np


@lru_cache(maxsize=None)
def _table(name):
    """The columns of a shipped CSV file: {column name: read-only float64 array of shape (m,)}."""
    with resources.as_file(resources.files(__package__) / "datasets" / name) as path:
        with (gzip.open if name.endswith(".gz") else open)(path, "rt") as handle:
            names = handle.readline().strip().split(",")
            rows = np.loadtxt(handle, delimiter=",", dtype=np.float64, ndmin=2)
    rows.flags.writeable = False
    return {column: rows[:, i] for i, column in enumerate(names)}


def cars():
    """Car weight and fuel economy: 398 cars of the 1970s and early 1980s (vega_datasets' ``cars``).

    Returns (weight, mpg), each of shape (m,): weight in thousands of pounds, miles per gallon.
    Cars with a missing value are left out.
    """
    table = _table("cars.csv")
    return table["weight_lbs"] / 1000.0, table["mpg"].copy()


def standardize_column(x):
    """Standard units of a 1-D array: ``(x - mean) / std`` (population std). Returns (z, mean, std)."""
    mean, std = float(np.mean(x)), float(np.std(x))
    return (x - mean) / std, mean, std


def seattle_temperatures():
    """Daily temperatures in Seattle, 1 January 2012 to 31 December 2015 (vega_datasets' ``seattle_weather``).

    Used by the chapter ``exponentially-weighted-averages`` and ps05. Returns (dates, temp_max, temp_min),
    each of shape (1461,), one entry a day with none missing: dates as ``datetime64[D]``, the day's highest
    and lowest temperature in degrees Celsius (float64). 2012 is a leap year: its 366 days are ``[:366]``.
    """
    table = _table("seattle.csv")
    dates = np.datetime64("2012-01-01") + table["day"].astype(int)
    return dates, table["temp_max_c"].copy(), table["temp_min_c"].copy()


def breast_cancer():
    """Two measurements of 569 breast-tumour biopsies (scikit-learn's ``load_breast_cancer``, the
    Wisconsin diagnostic data), for classification with one neuron (book: ``log-loss``).

    Returns (X, y, names): X of shape (569, 2) with the mean radius and the mean texture (standard
    deviation of grey levels) of the cell nuclei in each image, in the data set's own units;
    y of shape (569,) with 1 for malignant (212 tumours) and 0 for benign (357), as float64
    (scikit-learn codes them the other way round); names, the two column names.
    """
    table = _table("breast_cancer.csv")
    X = np.column_stack([table["mean_radius"], table["mean_texture"]])
    return X, table["malignant"].copy(), ["mean radius", "mean texture"]


def digits():
    """Handwritten digits: 1797 images of 8 x 8 pixels, 10 classes (scikit-learn's ``load_digits``, a
    copy of the UCI "optical recognition of handwritten digits" test set), for the capstone.

    Returns (X, y): X of shape (1797, 64), each row an image read row by row, grey levels 0 to 16;
    y of shape (1797,), the digit 0 to 9 shown, as int64.
    """
    table = _table("digits.csv.gz")
    X = np.column_stack([table[f"pixel{i}"] for i in range(64)])
    return X, table["digit"].astype(np.int64)


def moons(m=200, noise=0.2, seed=0):
    """Two interleaving half-moons, a classic set that no straight line separates, for the network with
    one hidden layer (book: ``backprop``; ps03).  The same points as scikit-learn's
    ``make_moons(n_samples=m, noise=noise, random_state=seed)``, in standard units.

    m: number of examples (half in each class); noise: standard deviation of the Gaussian noise added to
    each point; seed: the seed of the random state (the same seed gives the same points).
    Returns (X, y): X of shape (m, 2), the two coordinates, each put in standard units (mean 0, population
    standard deviation 1); y of shape (m,) with labels 0.0 (upper moon) and 1.0 (lower moon), as float64.
    """
    upper, lower = m // 2, m - m // 2
    # the upper moon is the top half of the unit circle; the lower one is it flipped and shifted
    a, b = np.linspace(0, np.pi, upper), np.linspace(0, np.pi, lower)
    X = np.column_stack([np.append(np.cos(a), 1 - np.cos(b)), np.append(np.sin(a), 0.5 - np.sin(b))])
    y = np.append(np.zeros(upper), np.ones(lower))
    state = np.random.RandomState(seed)
    order = np.arange(m)
    state.shuffle(order)
    X, y = X[order], y[order]
    X = X + state.normal(scale=noise, size=X.shape)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def cars_weight_acceleration():
    """Two features of the cars (vega_datasets' ``cars``) on different scales, for feature scaling
    (book: ``batch-norm``).

    Returns (X, mpg): X of shape (398, 2) with the weight in thousands of pounds (1.6 to 5.1) and the
    acceleration, the seconds from 0 to 60 mph (8 to 24.8); mpg of shape (398,), miles per gallon.
    Cars with a missing fuel economy are left out (the same 398 cars as ``cars()``).
    """
    table = _table("cars.csv")
    return np.column_stack([table["weight_lbs"] / 1000.0, table["acceleration_s"]]), table["mpg"].copy()
