"""Estimators in scikit-learn's conventions over the C library: fit(X, y),
predict, predict_proba, score, history; numpy arrays in and out."""
import ctypes

import numpy as np

from . import _lib
from ._lib import check, lib
from .network import Dataset, Network


class _MLP:
    _regression = False

    def __init__(self, hidden=(30,), activation="sigmoid", cost=None, init="normal",
                 epochs=10, batch_size=10, eta=None, optimizer="sgd", momentum=0.9,
                 lambda_=0.0, dropout=0.0, halve_after=0, early_stop=0, scale="standard",
                 seed=0, threads=0, shuffle=True, callback=None):
        self.hidden, self.activation, self.cost, self.init = tuple(hidden), activation, cost, init
        self.epochs, self.batch_size, self.eta, self.optimizer = epochs, batch_size, eta, optimizer
        self.momentum, self.lambda_, self.dropout = momentum, lambda_, dropout
        self.halve_after, self.early_stop, self.scale = halve_after, early_stop, scale
        self.seed, self.threads, self.shuffle, self.callback = seed, threads, shuffle, callback
        self.net_ = None
        self.history = []

    def _data(self, X, y):
        raise NotImplementedError

    def fit(self, X, y, validation_data=None):
        """Trains a new network on X (samples x inputs) and y; validation_data
        (X_valid, y_valid) feeds --halve-after and --early-stop."""
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (samples x inputs), not {X.shape}")
        data, outputs = self._data(X, y, fitting=True)
        cost = self.cost or ("mse" if self._regression else "softmax")
        sizes = [X.shape[1], *self.hidden, outputs]
        self.net_ = Network(sizes, activation=self.activation, cost=cost, init=self.init,
                            seed=self.seed)
        check(lib.nnc_net_fit_scaling(self.net_._h, data.handle, _lib.SCALINGS[self.scale]))
        if not self._regression:
            names = [str(c).encode() for c in self.classes_]
            arr = (ctypes.c_char_p * len(names))(*names)
            check(lib.nnc_net_set_class_names(self.net_._h, arr, len(names)))
        valid = self._data(*validation_data)[0] if validation_data is not None else None
        self.history = []

        def record(r):
            entry = {"epoch": r.epoch, "seconds": r.train_seconds, "eta": r.eta,
                     "train_cost": r.train.cost}
            if valid is not None and self._regression:
                entry.update(valid_rmse=r.valid.rmse, valid_r2=r.valid.r2)
            elif valid is not None:
                entry["valid_accuracy"] = r.valid.correct / max(r.valid.n, 1)
            self.history.append(entry)
            return bool(self.callback(entry)) if self.callback else False

        eta = self.eta if self.eta is not None else (
            0.001 if self.optimizer == "adam" else 0.1 if self._regression else 0.5)
        monitor = ["train_cost"] + (["valid_accuracy"] if valid is not None else [])
        self.net_.train(data, epochs=self.epochs, batch_size=self.batch_size, eta=eta,
                        shuffle=self.shuffle, validation=valid, on_epoch=record,
                        optimizer=self.optimizer, momentum=self.momentum, lambda_=self.lambda_,
                        dropout=self.dropout, halve_after=self.halve_after,
                        early_stop=self.early_stop, threads=self.threads, monitor=monitor)
        return self

    def _outputs(self, X):
        if self.net_ is None:
            raise ValueError("fit the estimator first")
        return self.net_.outputs(np.asarray(X, dtype=np.float32))

    def save(self, path):
        """An .nnc file that the nnc command and load() read back."""
        if self.net_ is None:
            raise ValueError("fit the estimator first")
        self.net_.save(path)


class MLPClassifier(_MLP):
    """Classes from any labels (numbers or strings), softmax outputs."""

    def _data(self, X, y, fitting=False):
        y = np.asarray(y)
        if fitting:
            self.classes_ = np.unique(y)
            if len(self.classes_) < 2:
                raise ValueError("y has one class: nothing to learn")
        index = np.searchsorted(self.classes_, y)
        if np.any(index >= len(self.classes_)) or np.any(self.classes_[np.minimum(
                index, len(self.classes_) - 1)] != y):
            raise ValueError("y has labels that are not among the classes fitted")
        return Dataset(np.asarray(X, dtype=np.float32), labels=index), len(self.classes_)

    def predict_proba(self, X):
        return self._outputs(X)

    def predict(self, X):
        return self.classes_[np.argmax(self._outputs(X), axis=1)]

    def score(self, X, y):
        """Accuracy."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class MLPRegressor(_MLP):
    """Real-valued targets (one column or several), linear outputs."""
    _regression = True

    def _data(self, X, y, fitting=False):
        Y = np.asarray(y, dtype=np.float32)
        if fitting:
            self.n_targets_ = 1 if Y.ndim == 1 else Y.shape[1]
        return Dataset(np.asarray(X, dtype=np.float32),
                       targets=Y.reshape(len(Y), -1)), self.n_targets_

    def predict(self, X):
        out = self._outputs(X)
        return out[:, 0] if self.n_targets_ == 1 else out

    def score(self, X, y):
        """R² (pooled over the targets), as nnc measures it."""
        data, _ = self._data(X, y)
        r2 = ctypes.c_double()
        check(lib.nnc_measure_regression(self.net_._h, data.handle, None, None,
                                         ctypes.byref(r2)))
        return r2.value


def load(path):
    """An estimator from an .nnc file: a classifier if its cost is one."""
    net = Network.load(path)
    regression = lib.nnc_net_cost(net._h) >= _lib.COSTS["mse"]
    est = (MLPRegressor if regression else MLPClassifier).__new__(
        MLPRegressor if regression else MLPClassifier)
    _MLP.__init__(est)
    est.net_ = net
    if regression:
        est.n_targets_ = net.sizes[-1]
    else:
        k = lib.nnc_net_classes(net._h)
        names = [lib.nnc_net_class_name(net._h, i).decode() for i in range(k)]
        est.classes_ = np.array(names) if k else np.arange(net.sizes[-1])
    return est
