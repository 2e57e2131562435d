"""A network of the C library as a Python object: its parameters as numpy
views into C memory, feedforward, training and files."""
import ctypes

import numpy as np

from . import _lib
from ._lib import check, lib


def _floats(a, shape=None):
    """a as a C-contiguous float32 array (a copy only when it is not one)."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    if shape is not None:
        a = a.reshape(shape)
    return a, a.ctypes.data_as(_lib.c_float_p)


class Dataset:
    """Samples for C: inputs (n x d) with class labels or targets. The
    inputs are not copied when they are already a C-contiguous float32
    array; the Dataset keeps that array alive while C may read it."""

    def __init__(self, X, labels=None, targets=None):
        X, xp = _floats(X)
        if X.ndim != 2:
            raise ValueError(f"inputs must be a 2-D array (samples x inputs), not {X.shape}")
        self._inputs = X   # borrowed by C
        self.handle = ctypes.c_void_p()
        n, d = X.shape
        lp, yp, k = None, None, 0
        if targets is not None:
            Y, yp = _floats(np.reshape(targets, (n, -1)))
            k = Y.shape[1]
        else:
            lab = np.ascontiguousarray(labels, dtype=np.int64).ravel()
            if lab.shape[0] != n:
                raise ValueError(f"{n} samples but {lab.shape[0]} labels")
            if n and (lab.min() < 0 or lab.max() > 255):
                raise ValueError("class labels must be integers 0-255")
            lab8 = lab.astype(np.uint8)
            lp = lab8.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8))
        check(lib.nnc_data_borrow_floats(xp, lp, yp, n, d, k, ctypes.byref(self.handle)))
        self.count = n

    def __del__(self):
        if getattr(self, "handle", None):
            lib.nnc_data_free(self.handle)
            self.handle = None


class Network:
    """A fully-connected network: Network([784, 30, 10]), or with the
    choices of the C library as keywords (activation, cost, init, seed)."""

    def __init__(self, sizes, activation="sigmoid", cost="quadratic", init="normal", seed=0,
                 _handle=None):
        if _handle is not None:
            self._h = _handle
        else:
            sizes = [int(s) for s in sizes]
            arr = (ctypes.c_size_t * len(sizes))(*sizes)
            spec = _lib.NetSpec()
            lib.nnc_net_spec_init(ctypes.byref(spec), arr, len(sizes))
            spec.hidden = _lib.value_of(_lib.NAMES_ACTIVATION, activation, "activation")
            spec.cost = _lib.value_of(_lib.NAMES_COST, cost, "cost")
            spec.init = _lib.value_of(_lib.NAMES_INIT, init, "init")
            spec.seed = seed
            self._h = ctypes.c_void_p()
            check(lib.nnc_net_create_spec(ctypes.byref(spec), ctypes.byref(self._h)))
        self.sizes = [lib.nnc_net_size(self._h, l) for l in range(lib.nnc_net_layers(self._h))]

    def __del__(self):
        if getattr(self, "_h", None):
            lib.nnc_net_free(self._h)
            self._h = None

    # ---- parameters, in place ------------------------------------------------

    def weight_view(self, l):
        """W_l as the tutorial shapes it, (n_l, n_{l-1}): a view of the C
        parameters (C keeps n_{l-1} x n_l), so that writing it writes them."""
        n_in, n_out = self.sizes[l - 1], self.sizes[l]
        p = lib.nnc_net_weights(self._h, l)
        return np.ctypeslib.as_array(p, shape=(n_in, n_out)).T

    def bias_view(self, l):
        """b_l as a (n_l, 1) view of the C parameters."""
        p = lib.nnc_net_biases(self._h, l)
        return np.ctypeslib.as_array(p, shape=(self.sizes[l], 1))

    @property
    def params(self):
        """Every parameter, as one flat view of the C block."""
        n = lib.nnc_net_param_count(self._h)
        return np.ctypeslib.as_array(lib.nnc_net_params(self._h), shape=(n,))

    # ---- computing -------------------------------------------------------------

    def outputs(self, X):
        """The network's outputs for the rows of X (m x n_0): m x n_L."""
        X, xp = _floats(np.atleast_2d(X))
        if X.shape[1] != self.sizes[0]:
            raise ValueError(f"inputs have {X.shape[1]} values, the network takes {self.sizes[0]}")
        out = np.empty((X.shape[0], self.sizes[-1]), dtype=np.float32)
        check(lib.nnc_feedforward(self._h, xp, X.shape[0], out.ctypes.data_as(_lib.c_float_p)))
        return out

    def gradient(self, X, Y, l2=0.0):
        """(cost, flat gradient in the C layout) of the batch X, Y."""
        X, xp = _floats(np.atleast_2d(X))
        Y, yp = _floats(np.atleast_2d(Y))
        g = np.empty(lib.nnc_net_param_count(self._h), dtype=np.float32)
        cost = ctypes.c_double()
        check(lib.nnc_gradient(self._h, xp, yp, X.shape[0], l2, ctypes.byref(cost),
                               g.ctypes.data_as(_lib.c_float_p)))
        return cost.value, g

    def train(self, data, epochs=10, batch_size=10, eta=3.0, shuffle=True, test=None,
              validation=None, on_epoch=None, **options):
        """nnc_train on Dataset objects; options are nnc_train_opts fields
        (lambda_, optimizer, momentum, dropout, halve_after, early_stop,
        threads, monitor as names). Returns the C summary."""
        opts = _lib.TrainOpts()
        lib.nnc_train_opts_init(ctypes.byref(opts))
        opts.epochs, opts.batch_size, opts.eta, opts.shuffle = epochs, batch_size, eta, shuffle
        monitor = options.pop("monitor", ())
        for name in monitor:
            opts.monitor |= _lib.value_of(_lib.NAMES_MONITOR, name.replace("_", "-"), "monitor")
        if test is not None:
            opts.test = test.handle
            opts.monitor |= _lib.value_of(_lib.NAMES_MONITOR, "test-accuracy", "monitor")
        if validation is not None:
            opts.validation = validation.handle
        optimizer = options.pop("optimizer", None)
        if optimizer is not None:
            opts.optimizer = _lib.value_of(_lib.NAMES_OPTIMIZER, optimizer, "optimizer")
        for key, value in options.items():
            if key not in dict(opts._fields_) or key in ("validation", "test", "stop", "user",
                                                          "on_epoch", "on_progress"):
                raise TypeError(f"unknown training option {key!r}")
            setattr(opts, key, value)
        return _lib.train(self._h, data.handle, opts, on_epoch)

    def correct(self, data):
        n = ctypes.c_size_t()
        check(lib.nnc_evaluate(self._h, data.handle, ctypes.byref(n)))
        return n.value

    # ---- files ---------------------------------------------------------------------

    def save(self, path):
        """Saves as network2 JSON when the name ends in .json, else as .nnc."""
        check(lib.nnc_model_save_as(self._h, str(path).encode()))

    @classmethod
    def load(cls, path):
        h = ctypes.c_void_p()
        check(lib.nnc_model_load(str(path).encode(), ctypes.byref(h)))
        net = cls.__new__(cls)
        Network.__init__(net, None, _handle=h)
        return net
