"""Pictures and explorers of the book's chapters, one module per chapter.

Plotting functions take an ``ax`` (or a ``fig``) and data, draw, and return what they drew on;
explorers (:mod:`nnopt.explorer`) wrap them with sliders.
"""
