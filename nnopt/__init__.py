"""The student-side package of *Optimizing Neural Networks: from the perceptron to Adam*.

What every assignment notebook imports, and all a student installs (the student kit): the checks of
the test cells (``nnopt.checks``), the data sets (``nnopt.data``), the landscapes of the optimizer
race (``nnopt.landscapes``), the explorers and pictures (``nnopt.explorer``, ``nnopt.viz``) and the
self-check (``nnopt.selfcheck``).  It holds no implementation of a graded function: a picture that
needs an algorithm takes it as an argument (the book passes ``nnref``'s, a notebook the student's).
"""

__version__ = "0.2.0"
