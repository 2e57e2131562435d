"""Estimators in scikit-learn's conventions over the C library: fit(X, y),
predict, predict_proba, score, history; numpy arrays in and out."""
import ctypes
import warnings

import numpy as np

from . import _lib
from ._lib import check, lib
from .network import Network
from .recipe import Recipe


class _MLP:
    """Every keyword is an option of the library's recipe (None: its default,
    which is the `nnc train` default for the same data): the same X, y and
    options give the same network as `nnc train` on the same table."""
    _regression = False

    def __init__(self, hidden=None, activation=None, cost=None, init=None, epochs=None,
                 batch_size=None, eta=None, optimizer=None, momentum=None, lambda_=None,
                 dropout=None, halve_after=None, early_stop=None, scale=None, seed=None,
                 threads=None, shuffle=None, preset=None, binary=None, valid_split=None,
                 callback=None, precision=None, augment=None, rotate=None, zoom=None,
                 shear=None, shift=None, elastic_alpha=None, elastic_sigma=None, schedule=None):
        self.hidden, self.activation, self.cost, self.init = hidden, activation, cost, init
        self.epochs, self.batch_size, self.eta, self.optimizer = epochs, batch_size, eta, optimizer
        self.momentum, self.lambda_, self.dropout = momentum, lambda_, dropout
        self.halve_after, self.early_stop, self.scale = halve_after, early_stop, scale
        self.seed, self.threads, self.shuffle = seed, threads, shuffle
        self.preset, self.binary, self.valid_split = preset, binary, valid_split
        self.callback = callback
        self.precision = precision   # "f32" or "bf16" (nnc train --precision)
        # distortions of image inputs (square pixel rows), and the eta schedule
        self.augment, self.rotate, self.zoom, self.shear = augment, rotate, zoom, shear
        self.shift, self.elastic_alpha, self.elastic_sigma = shift, elastic_alpha, elastic_sigma
        self.schedule = schedule
        self.net_ = None
        self.history = []

    def _recipe(self):
        options = {k: getattr(self, k) for k in (
            "preset", "hidden", "activation", "cost", "init", "epochs", "batch_size", "eta",
            "optimizer", "momentum", "lambda_", "dropout", "halve_after", "early_stop", "scale",
            "seed", "threads", "shuffle", "binary", "valid_split", "precision", "augment",
            "rotate", "zoom", "shear", "shift", "elastic_alpha", "elastic_sigma", "schedule")}
        if self._regression:
            options["task"] = "regress"
        return Recipe(**options)

    def fit(self, X, y, validation_data=None):
        """Trains a new network on X (samples x inputs) and y; validation_data
        (X_valid, y_valid), or valid_split, feeds halve_after and early_stop."""
        recipe = self._recipe()
        data = recipe.table(X, y, self._regression)
        train, valid, _ = recipe.split(data, validation_data is not None)
        self.net_ = recipe.make_net(train)
        notes = recipe.notes()
        if not self._regression:
            self._set_classes(data.class_names(), np.asarray(y))
        if validation_data is not None:
            valid = recipe.table(*validation_data, self._regression,
                                 classes=None if self._regression else data.class_names(),
                                 source="validation_data", pixels=int(data.is_pixels()))
        opts = recipe.train_opts(self.net_, valid)
        self.notes_ = notes + recipe.notes()
        for note in self.notes_:
            warnings.warn(note, stacklevel=2)
        self.history = []

        def record(r):
            # the epoch's running cost, which every epoch reports without a pass of its own
            entry = {"epoch": r.epoch, "seconds": r.train_seconds, "eta": r.eta,
                     "train_cost": r.running.cost}
            if valid is not None and self._regression:
                entry.update(valid_rmse=r.valid.rmse, valid_r2=r.valid.r2)
            elif valid is not None:
                entry["valid_accuracy"] = r.valid.correct / max(r.valid.n, 1)
            self.history.append(entry)
            return bool(self.callback(entry)) if self.callback else False

        _lib.train(self.net_._h, train.handle, opts, record)
        if self.precision is not None:   # predictions compute as training did
            lib.nnc_net_set_precision(self.net_._h, _lib.value_of(
                _lib.NAMES_PRECISION, self.precision, "precision"))
        return self

    def _set_classes(self, names, y):
        """The classes in the library's order, as values of y's kind."""
        self._class_names = names
        try:
            self.classes_ = np.array(names).astype(y.dtype) if y.dtype.kind in "iuf" \
                else np.array(names)
        except ValueError:
            self.classes_ = np.array(names)

    def _outputs(self, X):
        if self.net_ is None:
            raise ValueError("fit the estimator first")
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != self.net_.sizes[0]:
            raise ValueError(f"X must be 2-D with {self.net_.sizes[0]} columns, not shape "
                             f"{X.shape}")
        bad = np.argwhere(~np.isfinite(X))
        if len(bad):
            row, col = bad[0]
            raise ValueError(f"X: row {row + 1}, column {col + 1}: {X[row, col]} is not a "
                             "finite number")
        X = np.ascontiguousarray(X)   # raw values: the library reads them as training did
        out = np.empty((X.shape[0], self.net_.sizes[-1]), dtype=np.float32)
        check(lib.nnc_recipe_predict_rows(self.net_._h, X.ctypes.data_as(_lib.c_float_p),
                                          X.shape[0], out.ctypes.data_as(_lib.c_float_p)))
        return out

    def save(self, path):
        """An .nnc file that the nnc command and load() read back."""
        if self.net_ is None:
            raise ValueError("fit the estimator first")
        self.net_.save(path)


class MLPClassifier(_MLP):
    """Classes from any labels (numbers or strings), named by the library's
    rule for a table's labels."""

    def predict_proba(self, X):
        return self._outputs(X)

    def predict(self, X):
        out = self._outputs(X)
        if out.shape[1] == 1:   # one sigmoid output: class 1 above 0.5
            return self.classes_[(out[:, 0] > 0.5).astype(int)]
        return self.classes_[np.argmax(out, axis=1)]

    def score(self, X, y):
        """Accuracy."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class MLPRegressor(_MLP):
    """Real-valued targets (one column or several), linear outputs."""
    _regression = True

    def predict(self, X):
        out = self._outputs(X)
        return out[:, 0] if out.shape[1] == 1 else out

    def score(self, X, y):
        """R² (pooled over the targets), as nnc measures it."""
        self._outputs(X)   # checks X
        data = Recipe(task="regress").table(X, y, True,
                                            pixels=lib.nnc_net_pixel_inputs(self.net_._h))
        r2 = ctypes.c_double()
        check(lib.nnc_measure_regression(self.net_._h, data.handle, None, None,
                                         ctypes.byref(r2)))
        return r2.value


def load(path):
    """An estimator from an .nnc file: a classifier if its cost is one."""
    net = Network.load(path)
    regression = bool(lib.nnc_cost_is_regression(lib.nnc_net_cost(net._h)))
    est = (MLPRegressor if regression else MLPClassifier).__new__(
        MLPRegressor if regression else MLPClassifier)
    _MLP.__init__(est)
    est.net_ = net
    if not regression:
        k = lib.nnc_net_classes(net._h)
        names = [lib.nnc_net_class_name(net._h, i).decode() for i in range(k)]
        est.classes_ = np.array(names) if k else np.arange(max(net.sizes[-1], 2))
    return est
