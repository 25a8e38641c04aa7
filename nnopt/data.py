"""Data sets that ship offline with the course's requirements (no download at run time)."""

import numpy as np


def cars():
    """Car weight and fuel economy: 398 cars of the 1970s and early 1980s (vega_datasets' ``cars``).

    Returns (weight, mpg), each of shape (m,): weight in thousands of pounds, miles per gallon.
    Cars with a missing value are left out.
    """
    from vega_datasets import local_data

    table = local_data.cars()[["Weight_in_lbs", "Miles_per_Gallon"]].dropna()
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
    from vega_datasets import local_data

    table = local_data.seattle_weather()
    dates = table["date"].to_numpy().astype("datetime64[D]")
    return dates, table["temp_max"].to_numpy(np.float64), table["temp_min"].to_numpy(np.float64)
