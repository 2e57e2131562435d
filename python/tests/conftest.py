"""What the tests share: the C library of the build, MNIST and the tutorial's
own files when the environment names them (else those tests are skipped)."""
import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
PACKAGE = HERE.parent
REPO = PACKAGE.parent
sys.path.insert(0, str(PACKAGE))
os.environ.setdefault("NNC_LIBRARY", str(REPO / "build" / "libnnc.so"))
# the command built beside the library the tests load
NNC_COMMAND = str(pathlib.Path(os.environ["NNC_LIBRARY"]).resolve().parent / "nnc")


@pytest.fixture(scope="package")
def mnist_dir():
    d = os.environ.get("NNC_MNIST_DIR")
    if not d or not os.path.isdir(d):
        pytest.skip("NNC_MNIST_DIR is not set to a folder")
    return d


@pytest.fixture(scope="package")
def tutorial_dir():
    d = os.environ.get("NNC_TUTORIAL_DIR")
    if not d or not os.path.isfile(os.path.join(d, "simple_nn.py")):
        pytest.skip("NNC_TUTORIAL_DIR does not name the tutorial's folder")
    return pathlib.Path(d)


@pytest.fixture(scope="package")
def mnist_pickle(mnist_dir, tmp_path_factory):
    """The tutorial's mnist.pkl.gz, made from the IDX files by nnc's readers:
    ((X, y) x 3) with float32 images in [0, 1) and integer labels."""
    import nnc
    path = tmp_path_factory.mktemp("pickle") / "mnist.pkl.gz"
    nnc.datasets.write_pickle(mnist_dir, path)
    return path
