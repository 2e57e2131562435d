"""The tutorial's Network (simple_nn.py, after Nielsen's network.py) on the C
library: the same attributes and methods, the same printed lines, its data as
it comes (lists or zips of (784, 1) column vectors, one-hot (10, 1) labels or
integers), converted once per call. network2's additions are keywords."""
import numpy as np

from ..network import Dataset, Network as _Net


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class QuadraticCost:
    name = "quadratic"


class CrossEntropyCost:
    name = "cross-entropy"


def _cost_name(cost):
    if cost is None:
        return "quadratic"
    return cost if isinstance(cost, str) else getattr(cost, "name", cost.__name__)


def _as_dataset(pairs):
    """(x, y) pairs to a Dataset: x (n_0, 1) columns, y one-hot columns or
    integers; one conversion for the whole list."""
    pairs = pairs if isinstance(pairs, list) else list(pairs)
    if not pairs:
        raise ValueError("no samples")
    n = len(pairs)
    X = np.stack([x for x, _ in pairs]).reshape(n, -1).astype(np.float32, copy=False)
    if np.ndim(pairs[0][1]) == 0:
        labels = np.fromiter((int(y) for _, y in pairs), dtype=np.int64, count=n)
    else:   # one-hot columns: the row of each one
        labels = np.stack([y for _, y in pairs]).reshape(n, -1).argmax(axis=1)
    return Dataset(X, labels=labels), len(pairs)


class _ParamList(list):
    """The weights or biases, whose items write through to C."""


class Network:
    def __init__(self, sizes, cost=None):
        self.num_layers = len(sizes)
        self.sizes = list(sizes)
        self._net = _Net(sizes, cost=_cost_name(cost))
        # initial values from numpy's generator, as the tutorial's: np.random.seed rules them
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]

    # weights[l-1] and biases[l-1] are views of the C parameters: writing an
    # element writes C's, and assigning lists (as update_mini_batch does)
    # copies into them.
    @property
    def weights(self):
        return _ParamList(self._net.weight_view(l) for l in range(1, self.num_layers))

    @weights.setter
    def weights(self, values):
        for l, w in enumerate(values, start=1):
            self._net.weight_view(l)[...] = w

    @property
    def biases(self):
        return _ParamList(self._net.bias_view(l) for l in range(1, self.num_layers))

    @biases.setter
    def biases(self, values):
        for l, b in enumerate(values, start=1):
            self._net.bias_view(l)[...] = np.reshape(b, (-1, 1))

    def feedforward(self, a):
        """a: (n_0, 1), or (n_0, m) for m columns at once; returns the same layout."""
        a = np.asarray(a)
        return self._net.outputs(a.reshape(self.sizes[0], -1).T).T

    def SGD(self, training_data, epochs, mini_batch_size, eta, test_data=None, lmbda=0.0,
            evaluation_data=None, monitor_evaluation_cost=False,
            monitor_evaluation_accuracy=False, monitor_training_cost=False,
            monitor_training_accuracy=False, shuffle=True):
        train, _ = _as_dataset(training_data)
        test, n_test = _as_dataset(test_data) if test_data else (None, 0)
        evaluation = _as_dataset(evaluation_data)[0] if evaluation_data else None
        monitor = []
        if monitor_training_cost:
            monitor.append("train_cost")
        if monitor_training_accuracy:
            monitor.append("train_accuracy")
        if monitor_evaluation_cost:
            monitor.append("valid_cost")
        if monitor_evaluation_accuracy:
            monitor.append("valid_accuracy")
        history = ([], [], [], [])   # network2's order: evaluation cost, accuracy, training

        def report(r):
            if test is not None:
                print(f"Epoch {r.epoch}: {r.test.correct} / {n_test}")
            else:
                print(f"Epoch {r.epoch} complete")
            if monitor_evaluation_cost:
                history[0].append(r.valid.cost)
            if monitor_evaluation_accuracy:
                history[1].append(r.valid.correct)
            if monitor_training_cost:
                history[2].append(r.train.cost)
            if monitor_training_accuracy:
                history[3].append(r.train.correct)
            return False

        self._net.train(train, epochs=epochs, batch_size=mini_batch_size, eta=eta,
                        shuffle=bool(shuffle), test=test, validation=evaluation,
                        lambda_=lmbda, monitor=monitor, on_epoch=report)
        return history

    def update_mini_batch(self, mini_batch, eta):
        """One step of w -= (eta / m) Σ ∇w over the batch, in C."""
        data, m = _as_dataset(mini_batch)
        self._net.train(data, epochs=1, batch_size=m, eta=eta, shuffle=False)

    def backprop(self, x, y):
        """(nabla_b, nabla_w) of one sample, shaped as the tutorial's."""
        y = np.asarray(y, dtype=np.float32)
        if y.ndim == 0:
            y = np.eye(self.sizes[-1], dtype=np.float32)[int(y)]
        _, g = self._net.gradient(np.ravel(x), np.ravel(y))
        nabla_b, nabla_w, at = [], [], 0
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            nabla_w.append(g[at:at + n_in * n_out].reshape(n_in, n_out).T.astype(np.float64))
            at += n_in * n_out
            nabla_b.append(g[at:at + n_out].reshape(n_out, 1).astype(np.float64))
            at += n_out
        return nabla_b, nabla_w

    def evaluate(self, test_data):
        data, _ = _as_dataset(test_data)
        return self._net.correct(data)

    def cost_derivative(self, output_activations, y):
        return output_activations - y

    def save(self, filename):
        """network2's JSON (or .nnc when the name ends so)."""
        self._net.save(filename)


def load(filename):
    """A Network from network2's JSON or an .nnc file."""
    net = Network.__new__(Network)
    net._net = _Net.load(filename)
    net.sizes = list(net._net.sizes)
    net.num_layers = len(net.sizes)
    return net


__all__ = ["Network", "sigmoid", "sigmoid_prime", "QuadraticCost", "CrossEntropyCost", "load"]


def run(script, args=()):
    """Runs the tutorial's script (test.py) with this module as its
    simple_nn, even where the script's folder holds the tutorial's own
    simple_nn.py, which a plain `import simple_nn` would find first."""
    import os
    import runpy
    import sys
    sys.modules["simple_nn"] = sys.modules[__name__]
    folder = os.path.dirname(os.path.abspath(script))
    sys.path.insert(0, folder)   # its mnist_loader, as the script expects
    sys.argv = [script, *args]
    runpy.run_path(script, run_name="__main__")

