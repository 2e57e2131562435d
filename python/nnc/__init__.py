"""nnc: fully-connected networks trained by mini-batch SGD in C, from Python.

- nnc.tutorial.Network: the tutorial's simple_nn.Network, on the C library
- nnc.MLPClassifier, nnc.MLPRegressor: numpy arrays in and out, as scikit-learn's
- nnc.Network: the C network itself (parameters as numpy views)
- nnc.datasets.mnist: MNIST through nnc's own readers
"""
from ._lib import NNCError, lib as _clib
from .network import Dataset, Network
from .estimators import MLPClassifier, MLPRegressor, load
from . import datasets, tutorial

# the loaded library's version (NNC_VERSION in include/nnc.h); pyproject.toml
# reads it from here
__version__ = _clib.nnc_version().decode()
__all__ = ["Network", "Dataset", "MLPClassifier", "MLPRegressor", "load", "datasets",
           "tutorial", "NNCError"]
