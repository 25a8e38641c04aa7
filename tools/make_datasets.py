"""Write the data sets that the course package ships (``nnopt/datasets/``), from their sources.

The student kit installs neither scikit-learn nor vega_datasets, so the tables the chapters and the
assignments use travel with ``nnopt`` as small CSV files.  Run this after changing what a loader
reads (``python tools/make_datasets.py``); ``tests/test_data.py`` checks that the files still equal
what the sources give.
"""

import gzip
import io
import warnings
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "nnopt" / "datasets"


def _vega(name):
    from vega_datasets import local_data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(local_data, name)()


def tables():
    """{file name: (header, rows as a 2-D array, printf format)} of every shipped table."""
    from sklearn.datasets import load_breast_cancer, load_digits

    cars = _vega("cars")[["Weight_in_lbs", "Acceleration", "Miles_per_Gallon"]].dropna()
    seattle = _vega("seattle_weather")
    days = (seattle["date"].to_numpy().astype("datetime64[D]") - np.datetime64("2012-01-01")).astype(int)
    cancer = load_breast_cancer()
    digits = load_digits()
    return {
        "cars.csv": ("weight_lbs,acceleration_s,mpg", cars.to_numpy(np.float64), "%.10g"),
        "seattle.csv": ("day,temp_max_c,temp_min_c",
                        np.column_stack([days, seattle["temp_max"], seattle["temp_min"]]), "%.10g"),
        "breast_cancer.csv": ("mean_radius,mean_texture,malignant",
                              np.column_stack([cancer.data[:, :2], cancer.target == 0]), "%.10g"),
        "digits.csv.gz": (",".join([f"pixel{i}" for i in range(64)] + ["digit"]),
                          np.column_stack([digits.data, digits.target]), "%d"),
    }


def write(name, header, rows, fmt):
    buffer = io.StringIO()
    np.savetxt(buffer, rows, fmt=fmt, delimiter=",", header=header, comments="")
    data = buffer.getvalue().encode()
    if name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)  # the same bytes on every run
    (OUT / name).write_bytes(data)


if __name__ == "__main__":
    for name, (header, rows, fmt) in tables().items():
        write(name, header, rows, fmt)
        print(f"{OUT / name}: {rows.shape[0]} rows")
