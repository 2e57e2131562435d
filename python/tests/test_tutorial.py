"""The tutorial's own files against the drop-in: test.py runs unchanged and
prints its ten lines; one epoch from the same start, in the same order, ends
with the parameters the tutorial's numpy code computes, to float32 rounding."""
import importlib.util
import os
import re
import shutil
import subprocess
import sys

import numpy as np

from conftest import PACKAGE


def test_the_tutorials_test_py_runs_unchanged(tutorial_dir, mnist_pickle, tmp_path):
    for name in ("test.py", "mnist_loader.py"):
        shutil.copy(tutorial_dir / name, tmp_path / name)
    os.symlink(mnist_pickle, tmp_path / "mnist.pkl.gz")
    # the network starts from np.random, as the tutorial's does: seeded here,
    # from outside test.py, so that the run is the same every time
    (tmp_path / "seeded").mkdir()
    (tmp_path / "seeded" / "sitecustomize.py").write_text(
        "import numpy\nnumpy.random.seed(1)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(tmp_path / "seeded"), str(PACKAGE / "dropin"), str(PACKAGE)]))
    r = subprocess.run([sys.executable, "test.py"], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 10, r.stdout
    for j, line in enumerate(lines):
        assert re.fullmatch(rf"Epoch {j}: \d+ / 10000", line), line
    assert int(lines[-1].split()[2]) > 9000


def test_the_tutorials_folder_as_it_is_runs_on_nnc(tutorial_dir, mnist_pickle, tmp_path):
    """python3 -m nnc.tutorial test.py in a full copy of the tutorial's folder,
    its own simple_nn.py beside test.py: nnc trains, the numpy code never
    runs (Python would have compiled the module it imported)."""
    folder = tmp_path / "tutorial"
    shutil.copytree(tutorial_dir, folder)
    assert (folder / "simple_nn.py").is_file()
    os.symlink(mnist_pickle, folder / "mnist.pkl.gz")
    env = dict(os.environ, PYTHONPATH=str(PACKAGE))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    r = subprocess.run([sys.executable, "-m", "nnc.tutorial", "test.py"], cwd=folder, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [re.fullmatch(r"Epoch (\d+): \d+ / 10000", line).group(1) for line in lines] == \
        [str(j) for j in range(10)], r.stdout
    assert int(lines[-1].split()[2]) > 9000
    compiled = [p.name for p in (folder / "__pycache__").glob("*.pyc")]
    assert any(n.startswith("mnist_loader.") for n in compiled), compiled   # the check works
    assert not any(n.startswith("simple_nn.") for n in compiled), "the numpy code ran"


def _tutorial_module(tutorial_dir):
    spec = importlib.util.spec_from_file_location("tutorial_simple_nn",
                                                  tutorial_dir / "simple_nn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_epoch_equals_the_tutorials_numpy_code(tutorial_dir, mnist_dir):
    import nnc
    reference = _tutorial_module(tutorial_dir)
    (X, y), _, _ = nnc.datasets.mnist(mnist_dir)
    eye = np.eye(10)
    data = [(X[i].reshape(784, 1).astype(np.float64), eye[y[i]].reshape(10, 1))
            for i in range(2000)]
    np.random.seed(5)
    theirs = reference.Network([784, 30, 10])
    ours = nnc.tutorial.Network([784, 30, 10])
    ours.weights = theirs.weights      # the same start ...
    ours.biases = theirs.biases
    reference.random.shuffle = lambda items: None   # ... and the same order
    theirs.SGD(list(data), 1, 10, 3.0)
    ours.SGD(list(data), 1, 10, 3.0, shuffle=False)
    for a, b in zip(ours.weights + ours.biases, theirs.weights + theirs.biases):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=2e-4)
    # the methods the tutorial's code calls one at a time agree too
    x, t = data[0]
    nb_ours, nw_ours = ours.backprop(x, t)
    nb_theirs, nw_theirs = theirs.backprop(x, t)
    for a, b in zip(nb_ours + nw_ours, nb_theirs + nw_theirs):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(ours.feedforward(x), theirs.feedforward(x), rtol=1e-4, atol=1e-5)
    assert ours.evaluate(data[:500]) == theirs.evaluate(data[:500])
