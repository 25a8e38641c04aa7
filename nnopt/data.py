"""Data sets that ship offline with the course's requirements (no download at run time)."""

import warnings

import numpy as np


def _vega(name):
    """A vega_datasets table from the copy installed with the package (never downloaded).

    vega_datasets still passes an argument that pandas deprecates; that warning is not the reader's
    concern (and on stderr it would fail an nbgrader test cell), so it is silenced here.
    """
    from vega_datasets import local_data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return getattr(local_data, name)()


def cars():
    """Car weight and fuel economy: 398 cars of the 1970s and early 1980s (vega_datasets' ``cars``).

    Returns (weight, mpg), each of shape (m,): weight in thousands of pounds, miles per gallon.
    Cars with a missing value are left out.
    """
    table = _vega("cars")[["Weight_in_lbs", "Miles_per_Gallon"]].dropna()
    return table["Weight_in_lbs"].to_numpy(np.float64) / 1000.0, table["Miles_per_Gallon"].to_numpy(np.float64)


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
    table = _vega("seattle_weather")
    dates = table["date"].to_numpy().astype("datetime64[D]")
    return dates, table["temp_max"].to_numpy(np.float64), table["temp_min"].to_numpy(np.float64)


def breast_cancer():
    """Two measurements of 569 breast-tumour biopsies (scikit-learn's ``load_breast_cancer``, the
    Wisconsin diagnostic data), for classification with one neuron (book: ``log-loss``).

    Returns (X, y, names): X of shape (569, 2) with the mean radius and the mean texture (standard
    deviation of grey levels) of the cell nuclei in each image, in the data set's own units;
    y of shape (569,) with 1 for malignant (212 tumours) and 0 for benign (357), as float64
    (scikit-learn codes them the other way round); names, the two column names.
    """
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    columns = [0, 1]  # "mean radius", "mean texture"
    X = data.data[:, columns].astype(np.float64)
    y = (data.target == 0).astype(np.float64)
    return X, y, [str(data.feature_names[c]) for c in columns]


def moons(m=200, noise=0.2, seed=0):
    """Two interleaving half-moons (scikit-learn's ``make_moons``), a classic set that no straight line
    separates, for the network with one hidden layer (book: ``backprop``; ps03).

    m: number of examples (half in each class); noise: standard deviation of the Gaussian noise added to
    each point; seed: the seed of ``make_moons``'s random state (the same seed gives the same points).
    Returns (X, y): X of shape (m, 2), the two coordinates, each put in standard units (mean 0, population
    standard deviation 1); y of shape (m,) with labels 0.0 (upper moon) and 1.0 (lower moon), as float64.
    """
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=m, noise=noise, random_state=seed)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X.astype(np.float64), y.astype(np.float64)


def cars_weight_acceleration():
    """Two features of the cars (vega_datasets' ``cars``) on different scales, for feature scaling
    (book: ``batch-norm``).

    Returns (X, mpg): X of shape (398, 2) with the weight in thousands of pounds (1.6 to 5.1) and the
    acceleration, the seconds from 0 to 60 mph (8 to 24.8); mpg of shape (398,), miles per gallon.
    Cars with a missing fuel economy are left out (the same 398 cars as ``cars()``).
    """
    table = _vega("cars")[["Weight_in_lbs", "Acceleration", "Miles_per_Gallon"]].dropna()
    X = np.column_stack([table["Weight_in_lbs"].to_numpy(np.float64) / 1000.0,
                         table["Acceleration"].to_numpy(np.float64)])
    return X, table["Miles_per_Gallon"].to_numpy(np.float64)
