"""The numpy API and the library underneath: fit and predict, parameters
written through to C, files shared with the command, C errors as Python
exceptions, Ctrl-C, and an offline install into a fresh environment."""
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import nnc
from conftest import NNC_COMMAND as NNC, PACKAGE, REPO


def two_moons(n=600, seed=1):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    X = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    X += rng.normal(0, 0.1, X.shape)
    return X.astype(np.float32) * [1000, 1], np.where(upper, "upper", "lower")


def test_classifier_learns_and_names_classes():
    X, y = two_moons()
    clf = nnc.MLPClassifier(hidden=(16,), activation="tanh", init="glorot", cost="softmax",
                            epochs=60, eta=0.1).fit(X[:500], y[:500])
    assert set(clf.classes_) == {"lower", "upper"}
    assert clf.score(X[500:], y[500:]) > 0.95
    proba = clf.predict_proba(X[500:])
    assert proba.shape == (100, 2) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert len(clf.history) == 60 and clf.history[-1]["train_cost"] < clf.history[0]["train_cost"]


def test_regressor_fits_a_plane():
    rng = np.random.default_rng(2)
    X = rng.uniform(-5, 5, (2000, 2)).astype(np.float32)
    y = 3 * X[:, 0] - 2 * X[:, 1] + 1
    reg = nnc.MLPRegressor(hidden=(16,), activation="tanh", init="glorot", optimizer="adam",
                           eta=0.01, epochs=40).fit(X[:1600], y[:1600])
    assert reg.score(X[1600:], y[1600:]) > 0.999
    assert abs(reg.predict(np.array([[2.0, -1.0]]))[0] - 9.0) < 0.2


def test_weights_written_from_python_change_the_c_network():
    net = nnc.Network([3, 2, 1])
    before = net.outputs(np.ones((1, 3)))
    view = net.weight_view(1)          # (2, 3) as the tutorial shapes it
    assert view.shape == (2, 3)
    view[0, 1] += 5.0
    assert net.params[1 * 2 + 0] == view[0, 1]   # C keeps W as 3 x 2: W[1][0]
    assert not np.array_equal(before, net.outputs(np.ones((1, 3))))


def test_files_go_both_ways_with_the_command(tmp_path):
    X, y = two_moons(300, seed=3)
    clf = nnc.MLPClassifier(hidden=(8,), epochs=5).fit(X, y)
    model = tmp_path / "moons.nnc"
    clf.save(model)
    rows = tmp_path / "rows.csv"
    np.savetxt(rows, X[:5], delimiter=",", fmt="%.6f")
    out = subprocess.run([NNC, "predict", str(model), str(rows)], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out[0] == "prediction,output_lower,output_upper"
    assert [line.split(",")[0] for line in out[1:]] == list(clf.predict(X[:5]))
    back = nnc.load(model)
    assert np.array_equal(back.predict_proba(X), clf.predict_proba(X))
    # and a network the command trained, used from Python
    table = tmp_path / "t.csv"
    with open(table, "w") as f:
        f.write("a,b,label\n")
        for (a, b), c in zip(X, y):
            f.write(f"{a:.4f},{b:.4f},{c}\n")
    cli_model = tmp_path / "cli.nnc"
    subprocess.run([NNC, "train", "--data", str(table), "--label", "label", "--epochs", "3",
                    "--save", str(cli_model)], capture_output=True, check=True)
    est = nnc.load(cli_model)
    assert set(est.classes_) == {"lower", "upper"} and est.predict(X[:3]).shape == (3,)


def test_inputs_are_borrowed_not_copied():
    from nnc._lib import lib, c_float_p
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    data = nnc.Dataset(X, labels=[0, 1, 0, 1])
    X[2, 1] = 42.0   # C reads the caller's array itself
    row = np.empty(3, dtype=np.float32)
    lib.nnc_data_input(data.handle, 2, row.ctypes.data_as(c_float_p))
    assert row[1] == 42.0
    copied = nnc.Dataset(X.astype(np.float64), labels=[0, 1, 0, 1])   # converted: a copy
    X[2, 1] = 7.0
    lib.nnc_data_input(copied.handle, 2, row.ctypes.data_as(c_float_p))
    assert row[1] == 42.0


def test_network2_keywords_and_files(tmp_path):
    rng = np.random.default_rng(4)
    eye = np.eye(3)
    pairs = [(rng.random((6, 1)), eye[i % 3].reshape(3, 1)) for i in range(90)]
    net = nnc.tutorial.Network([6, 5, 3], cost=nnc.tutorial.CrossEntropyCost)
    lists = net.SGD(pairs, 4, 10, 0.5, lmbda=0.1, evaluation_data=pairs[:30],
                    monitor_evaluation_cost=True, monitor_evaluation_accuracy=True,
                    monitor_training_cost=True, monitor_training_accuracy=True)
    assert [len(l) for l in lists] == [4, 4, 4, 4]
    assert all(0 <= a <= 30 for a in lists[1]) and all(0 <= a <= 90 for a in lists[3])
    assert lists[2][-1] < lists[2][0]
    for name in ("net.json", "net.nnc"):
        net.save(tmp_path / name)
        back = nnc.tutorial.load(tmp_path / name)
        assert back.sizes == [6, 5, 3]
        x = pairs[0][0]
        np.testing.assert_array_equal(back.feedforward(x), net.feedforward(x))


def test_c_errors_arrive_as_python_exceptions(tmp_path):
    net = nnc.Network([4, 3, 2])
    with pytest.raises(ValueError, match="the network takes 4"):
        net.outputs(np.ones((2, 5)))
    with pytest.raises(OSError, match="nope.nnc"):
        nnc.Network.load(tmp_path / "nope.nnc")
    clf = nnc.MLPClassifier(epochs=1)
    with pytest.raises(ValueError, match="one class"):
        clf.fit(np.ones((4, 2)), ["a"] * 4)
    data = nnc.Dataset(np.ones((3, 4)), labels=[0, 1, 7])
    with pytest.raises(ValueError, match="label 7"):
        net.train(data, epochs=1)


def test_ctrl_c_stops_training_after_the_batch(tmp_path):
    script = (
        "import numpy as np, nnc, sys\n"
        "X = np.random.rand(20000, 784).astype(np.float32)\n"
        "y = np.random.randint(0, 10, 20000)\n"
        "print('training', flush=True)\n"
        "clf = nnc.MLPClassifier(hidden=(512, 512), epochs=200, eta=0.01)\n"
        "try:\n"
        "    clf.fit(X, y)\n"
        "except KeyboardInterrupt as e:\n"
        "    print('stopped:', e, len(clf.history), flush=True)\n"
        "    sys.exit(3)\n")
    env = dict(os.environ, PYTHONPATH=str(PACKAGE))
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    assert p.stdout.readline().strip() == "training"
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        pytest.fail("training did not stop on SIGINT")
    assert p.returncode == 3, err
    assert "stopped: training stopped in epoch" in out


def test_installs_offline_into_a_fresh_environment(tmp_path):
    # from a copy: building writes build/ and *.egg-info beside the sources
    source = tmp_path / "source"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", ".pytest_cache", "tests"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-index",
           "--no-build-isolation", "--no-cache-dir", "--quiet", str(source)]
    r = subprocess.run(pip, capture_output=True, text=True,
                       env=dict(os.environ, PIP_NO_INPUT="1"))
    assert r.returncode == 0, r.stdout + r.stderr
    check = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import nnc, numpy; print(nnc.__file__); "
                            "print(nnc.Network([2, 3, 1]).sizes)"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert str(venv) in check.stdout and "[2, 3, 1]" in check.stdout


def test_wrong_arguments_name_the_argument_and_the_valid_values():
    X, y = two_moons(100, seed=4)
    with pytest.raises(ValueError, match=r"activation: 'gelu' is not one of sigmoid, tanh, "
                                         r"relu, leaky-relu"):
        nnc.MLPClassifier(activation="gelu").fit(X, y)
    with pytest.raises(ValueError, match=r"batch_size: must be at least 1"):
        nnc.MLPClassifier(batch_size=0).fit(X, y)
    with pytest.raises(ValueError, match=r"lambda_: must be 0 or more"):
        nnc.MLPRegressor(lambda_=-1).fit(X, y == "upper")


def test_nan_is_refused_with_its_row_and_column():
    X, y = two_moons(100, seed=5)
    bad = X.copy()
    bad[41, 1] = np.nan
    with pytest.raises(ValueError, match=r"X: row 42, column 2: nan is not a finite number"):
        nnc.MLPClassifier(epochs=1).fit(bad, y)
    clf = nnc.MLPClassifier(epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"X: row 42, column 2: nan is not a finite number"):
        clf.predict(bad)
    with pytest.raises(ValueError, match=r"2 columns"):
        clf.predict(X[:, :1])


def test_a_label_that_looks_continuous_is_warned_of():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(200, 3)).astype(np.float32)
    y = np.round(rng.uniform(4, 8, 200), 1)   # lengths, not classes
    with pytest.warns(UserWarning, match=r"look like a measurement.*task='regress'"):
        nnc.MLPClassifier(epochs=1).fit(X, y)


def test_distortions_are_keywords_for_image_rows():
    # 8 x 8 pixel rows (integers 0-255) are images: distorted per sample and epoch
    rng = np.random.default_rng(7)
    X = np.zeros((300, 64), dtype=np.float32)
    y = rng.integers(0, 2, 300)
    for i in range(300):
        c = 2 + 4 * y[i]
        X[i, [8 * r + c for r in range(1, 7)]] = 200
    kw = dict(hidden=[16], epochs=3, eta=0.5, seed=3, augment=True, rotate=10, zoom=0.1,
              elastic_alpha=8, elastic_sigma=2, schedule="cosine")
    a = nnc.MLPClassifier(**kw).fit(X, y)
    b = nnc.MLPClassifier(**kw).fit(X, y)
    assert np.array_equal(a.net_.params, b.net_.params)
    plain = nnc.MLPClassifier(**{**kw, "augment": False}).fit(X, y)
    assert not np.array_equal(a.net_.params, plain.net_.params)
    with pytest.raises(ValueError, match=r"rotate: a number in 0 \.\. 180"):
        nnc.MLPClassifier(rotate=-1).fit(X, y)
    moons, labels = two_moons(100, seed=4)
    with pytest.raises(ValueError, match=r"augment: .* holds no images"):
        nnc.MLPClassifier(epochs=1, augment=True).fit(moons, labels)


def test_bf16_predictions_follow_the_training_precision():
    X, y = two_moons(400, seed=6)
    f32 = nnc.MLPClassifier(hidden=(16,), activation="tanh", cost="softmax", epochs=20,
                            eta=0.1, seed=2).fit(X[:300], y[:300])
    bf16 = nnc.MLPClassifier(hidden=(16,), activation="tanh", cost="softmax", epochs=20,
                             eta=0.1, seed=2, precision="bf16").fit(X[:300], y[:300])
    # on a CPU without bf16 instructions both are float32; either way they agree closely
    assert abs(bf16.score(X[300:], y[300:]) - f32.score(X[300:], y[300:])) <= 0.05
    with pytest.raises(ValueError, match=r"precision: 'f16' is not one of f32, bf16"):
        nnc.MLPClassifier(precision="f16").fit(X, y)
