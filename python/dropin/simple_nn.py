"""The tutorial's simple_nn, trained by nnc: put this folder on PYTHONPATH in
place of the tutorial's file, and its test.py runs unchanged."""
from nnc.tutorial import *  # noqa: F401,F403
from nnc.tutorial import Network, sigmoid, sigmoid_prime  # noqa: F401
