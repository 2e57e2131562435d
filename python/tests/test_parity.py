"""One owner for every decision: the same data and options give the same
network, bit for bit, from the command and from the Python package, because
both ask the library's recipe."""
import csv
import subprocess

import numpy as np

import nnc
from conftest import NNC_COMMAND as NNC


def write_table(path, n, seed, regress):
    """A table with a header, inputs of mixed scale, and a label column that
    is a class name or a real-valued target."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 1, (n, 4)) * [1, 10, 100, 0.1] + [0, 5, 50, 0]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "c", "d", "y"])
        for x in X:
            if regress:
                y = f"{2 * x[0] - 0.1 * x[1] + 0.01 * x[2]:.4f}"
            else:
                y = ["gold", "silver", "bronze"][int(x[0] > 0) + int(x[3] > 0.05)]
            w.writerow([f"{v:.5f}" for v in x] + [y])


def read_table(path, regress):
    """The table as numpy sees it: float32 parsed from the same text."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))[1:]
    X = np.array([[np.float32(float(v)) for v in r[:4]] for r in rows], dtype=np.float32)
    y = [r[4] for r in rows]
    return X, (np.array(y, dtype=np.float32) if regress else np.array(y))


def cli_params(tmp_path, table, *options):
    model = tmp_path / "cli.nnc"
    subprocess.run([NNC, "train", "--data", str(table), "--label", "y", "--save", str(model),
                    *options], check=True, capture_output=True, text=True)
    return nnc.load(model)


def test_a_classification_table_gives_the_same_network(tmp_path):
    table = tmp_path / "medals.csv"
    write_table(table, 400, seed=5, regress=False)
    cli = cli_params(tmp_path, table, "--hidden", "12", "--epochs", "4", "--seed", "9",
                     "--activation", "tanh", "--eta", "0.5")
    X, y = read_table(table, regress=False)
    py = nnc.MLPClassifier(hidden=(12,), epochs=4, seed=9, activation="tanh", eta=0.5).fit(X, y)
    assert py.net_.sizes == cli.net_.sizes == [4, 12, 3]
    assert list(py.classes_) == list(cli.classes_) == ["bronze", "gold", "silver"]
    assert np.array_equal(py.net_.params, cli.net_.params)
    assert np.array_equal(py.predict_proba(X), cli.predict_proba(X))


def test_the_defaults_are_the_commands(tmp_path):
    """No option at all: the tutorial's network, shape from the data."""
    table = tmp_path / "medals.csv"
    write_table(table, 300, seed=6, regress=False)
    cli = cli_params(tmp_path, table, "--epochs", "2")
    X, y = read_table(table, regress=False)
    py = nnc.MLPClassifier(epochs=2).fit(X, y)
    assert py.net_.sizes == [4, 30, 3]
    assert np.array_equal(py.net_.params, cli.net_.params)


def test_a_regression_table_gives_the_same_network(tmp_path):
    table = tmp_path / "plane.csv"
    write_table(table, 500, seed=7, regress=True)
    cli = cli_params(tmp_path, table, "--task", "regress", "--hidden", "8,6", "--epochs", "5",
                     "--seed", "2")
    X, y = read_table(table, regress=True)
    py = nnc.MLPRegressor(hidden=(8, 6), epochs=5, seed=2).fit(X, y)
    assert py.net_.sizes == [4, 8, 6, 1]
    assert np.array_equal(py.net_.params, cli.net_.params)
    assert py.score(X, y) > 0.9


def test_the_dropin_trains_as_the_command_from_the_same_start(tmp_path, mnist_dir):
    """The tutorial's SGD through the drop-in, from numpy's initial values,
    equals `nnc train --init-from` those values."""
    from nnc import tutorial
    np.random.seed(3)
    net = tutorial.Network([784, 30, 10])
    start = tmp_path / "start.nnc"
    net.save(str(start))
    training_data, _, _ = nnc.datasets.load_data_together(mnist_dir)
    net.SGD(training_data, 1, 10, 3.0)
    end = tmp_path / "end.nnc"
    subprocess.run([NNC, "train", "--data", mnist_dir, "--init-from", str(start), "--epochs",
                    "1", "--save", str(end)], check=True, capture_output=True)
    cli = nnc.Network.load(end)
    assert not np.array_equal(cli.params, nnc.Network.load(start).params)
    assert np.array_equal(np.concatenate([w.ravel() for w in net.weights]),
                          np.concatenate([cli.weight_view(l).ravel() for l in (1, 2)]))
