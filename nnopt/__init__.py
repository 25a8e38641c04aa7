"""The course package of *Optimizing Neural Networks: from the perceptron to Adam*.

One module per chapter holds that chapter's maths (the graded API of ``exercise-api.md``);
``nnopt.viz`` holds the pictures and explorers the book pages show; ``nnopt.data`` the data sets.
"""

__version__ = "0.1.0"
