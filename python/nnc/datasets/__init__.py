"""MNIST through nnc's own readers, as numpy arrays, and the tutorial's
mnist_loader shapes."""
import ctypes

import numpy as np

from .. import _lib
from .._lib import check, lib


def _arrays(handle):
    n, d = lib.nnc_data_count(handle), lib.nnc_data_dim(handle)
    X = np.empty((n, d), dtype=np.float32)
    row = _lib.c_float_p
    for i in range(n):
        lib.nnc_data_input(handle, i, X[i].ctypes.data_as(row))
    y = np.fromiter((lib.nnc_data_label(handle, i) for i in range(n)), dtype=np.int64, count=n)
    return X, y


def mnist(path="data/mnist"):
    """((X_train, y_train), (X_valid, y_valid), (X_test, y_test)) from a folder
    of the four IDX files (raw or .gz) or the tutorial's mnist.pkl.gz; inputs
    are float32 in [0, 1), labels integers."""
    sets = [ctypes.c_void_p() for _ in range(3)]
    check(lib.nnc_data_load(str(path).encode(), *(ctypes.byref(s) for s in sets)))
    try:
        return tuple(_arrays(s) if s else None for s in sets)
    finally:
        for s in sets:
            if s:
                lib.nnc_data_free(s)


def load_data(path="mnist.pkl.gz"):
    """The tutorial's mnist_loader.load_data: ((X, y) x 3) from mnist.pkl.gz
    (or an IDX folder), read by nnc."""
    return mnist(path)


def load_data_together(path="mnist.pkl.gz"):
    """The tutorial's mnist_loader.load_data_together: three lists of
    ((784, 1) column, (10, 1) one-hot) pairs."""
    def pairs(X, y):
        eye = np.eye(10)
        return list(zip((x.reshape(-1, 1).astype(np.float64) for x in X),
                        (eye[c].reshape(10, 1) for c in y)))
    return tuple(pairs(X, y) for X, y in mnist(path))


def write_pickle(source, path):
    """Writes the tutorial's mnist.pkl.gz from MNIST's IDX files (a folder,
    raw or .gz): ((X, y) x 3), float32 images in [0, 1) (byte / 256) and
    int64 labels, split 50,000 / 10,000 / 10,000, pickled with protocol 2."""
    import gzip
    import pickle
    sets = mnist(source)
    with gzip.open(path, "wb", compresslevel=1) as f:
        pickle.dump(tuple((X, y) for X, y in sets), f, protocol=2)

