"""Writes a network in the JSON format of Nielsen's network2.py, and its outputs.

Usage: python3 network2_json.py MODEL.json OUTPUTS.txt

The model is saved exactly as network2's Network.save() does (json.dump of
sizes, weights and biases as nested lists, and the cost's class name); the
outputs are network2's feedforward, sigmoid(w . a + b) per layer in float64,
of 5 fixed inputs: one line per input, the input's values then the outputs.
"""
import json
import sys

import numpy as np

sizes = [7, 5, 4, 3]
rs = np.random.RandomState(7)
weights = [rs.randn(y, x) / np.sqrt(x) for x, y in zip(sizes[:-1], sizes[1:])]
biases = [rs.randn(y, 1) for y in sizes[1:]]
with open(sys.argv[1], "w") as f:
    json.dump({"sizes": sizes,
               "weights": [w.tolist() for w in weights],
               "biases": [b.tolist() for b in biases],
               "cost": "CrossEntropyCost"}, f)

with open(sys.argv[2], "w") as f:
    for _ in range(5):
        x = rs.rand(sizes[0], 1).astype(np.float32).astype(np.float64)
        a = x
        for w, b in zip(weights, biases):
            a = 1.0 / (1.0 + np.exp(-(np.dot(w, a) + b)))
        f.write(" ".join(f"{v:.17g}" for v in np.concatenate([x.ravel(), a.ravel()])) + "\n")
