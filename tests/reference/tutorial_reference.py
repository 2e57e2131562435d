"""Reference values from the tutorial's own code for nnc's test_reference.c.

Usage: python3 tutorial_reference.py TUTORIAL_DIR > tutorial_epoch.txt

Builds simple_nn.Network for a small network, replaces its random parameters
with fixed values (rounded to float32 so that nnc starts from the very same
numbers), and runs one epoch of the tutorial's SGD in a fixed sample order: the
mini-batches SGD would cut after its shuffle, passed to update_mini_batch in
order, the last one smaller. Prints the start and end parameters in the tutorial's
layout (weights n_out x n_in) and the data, as plain numbers.
"""
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
import simple_nn  # noqa: E402  (the tutorial's module, from the folder given)

SIZES = [6, 5, 4, 3]
SAMPLES, BATCH, ETA = 11, 4, 3.0

rs = np.random.RandomState(2026)
net = simple_nn.Network(SIZES)
f32 = lambda a: a.astype(np.float32).astype(np.float64)
net.weights = [f32(rs.randn(y, x)) for x, y in zip(SIZES[:-1], SIZES[1:])]
net.biases = [f32(rs.randn(y, 1)) for y in SIZES[1:]]

# Inputs are multiples of 1/256, exact in float32; labels pick the one-hot target.
xs = [rs.randint(0, 256, size=(SIZES[0], 1)) / 256.0 for _ in range(SAMPLES)]
labels = [int(rs.randint(0, SIZES[-1])) for _ in range(SAMPLES)]
data = [(x, np.eye(SIZES[-1])[:, [c]]) for x, c in zip(xs, labels)]


def dump(tag):
    for l, (w, b) in enumerate(zip(net.weights, net.biases), start=1):
        print(f"{tag} W{l}", " ".join(f"{v:.17g}" for v in w.ravel()))
        print(f"{tag} b{l}", " ".join(f"{v:.17g}" for v in b.ravel()))


print("sizes", " ".join(map(str, SIZES)))
print("train", SAMPLES, BATCH, ETA)
for x, c in zip(xs, labels):
    print("sample", c, " ".join(f"{v:.17g}" for v in x.ravel()))
dump("start")
for k in range(0, SAMPLES, BATCH):
    net.update_mini_batch(data[k:k + BATCH], ETA)
dump("end")
