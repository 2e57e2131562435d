"""Pickle fixtures for test_pickle.c, made with numpy as the tutorial's data is.

Usage: python3 make_pickles.py OUT_DIR

Writes small stand-ins for mnist.pkl.gz: three (images, labels) pairs of
float32 images (k/256, as in the tutorial's file) and int64 labels, pickled with
protocol 2 and protocol 4, gzip'd; then broken variants.
"""
import gzip
import os
import pickle
import sys

import numpy as np

out = sys.argv[1]
rs = np.random.RandomState(3)


def pair(n):
    x = (rs.randint(0, 256, size=(n, 784)) / 256.0).astype(np.float32)
    y = rs.randint(0, 10, size=n).astype(np.int64)
    return x, y


data = (pair(30), pair(10), pair(12))
for proto in (2, 4):
    with gzip.open(os.path.join(out, f"p{proto}.pkl.gz"), "wb") as f:
        pickle.dump(data, f, protocol=proto)


def py2_pickle(sets):
    """The opcodes Python 2's cPickle writes for these arrays (protocol 2):
    GLOBAL, BINSTRING data, SHORT_BINSTRING text, memo puts and gets."""
    import struct
    out = [b"\x80\x02"]
    memo = {}

    def put(key):
        memo[key] = len(memo)
        out.append(b"q" + bytes([memo[key]]))

    def glob(module, name):
        key = (module, name)
        if key in memo:
            out.append(b"h" + bytes([memo[key]]))
        else:
            out.append(b"c" + module + b"\n" + name + b"\n")
            put(key)

    def dtype(code):
        glob(b"numpy", b"dtype")
        out.append(b"U\x02" + code + b"K\x00K\x01\x87R")
        out.append(b"(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb")

    def array(a, code):
        glob(b"numpy.core.multiarray", b"_reconstruct")
        glob(b"numpy", b"ndarray")
        out.append(b"K\x00\x85U\x01b\x87R(K\x01")
        for d in a.shape:
            out.append(b"M" + struct.pack("<H", d))
        out.append(b"\x86" if a.ndim == 2 else b"\x85")
        dtype(code)
        raw = a.tobytes()
        out.append(b"\x89T" + struct.pack("<I", len(raw)) + raw + b"tb")

    out.append(b"(")
    for x, y in sets:
        array(x, b"f4")
        array(y, b"i8")
        out.append(b"\x86")
    out.append(b"t.")
    return b"".join(out)


with gzip.open(os.path.join(out, "py2.pkl.gz"), "wb") as f:
    f.write(py2_pickle(data))
# the values, for the test to compare: first image row and all labels of each set
with open(os.path.join(out, "expect.txt"), "w") as f:
    for x, y in data:
        f.write(" ".join(str(int(v * 256)) for v in x[0]) + "\n")
        f.write(" ".join(str(v) for v in y) + "\n")
# non-multiples of 1/256 stay floats
with gzip.open(os.path.join(out, "floats.pkl.gz"), "wb") as f:
    x, y = pair(5)
    x[0, 0] = 0.3
    pickle.dump(((x, y), pair(2), pair(2)), f, protocol=2)
# broken: a global that would run code; wrong structure; truncated; big-endian
with gzip.open(os.path.join(out, "evil.pkl.gz"), "wb") as f:
    f.write(b"cos\nsystem\n(S'echo hi'\ntR.")
with gzip.open(os.path.join(out, "two.pkl.gz"), "wb") as f:
    pickle.dump(data[:2], f, protocol=2)
raw = pickle.dumps(data, protocol=2)
with gzip.open(os.path.join(out, "cut.pkl.gz"), "wb") as f:
    f.write(raw[: len(raw) // 2])
with gzip.open(os.path.join(out, "shape.pkl.gz"), "wb") as f:
    x, y = pair(4)
    pickle.dump(((x, y[:3]), pair(2), pair(2)), f, protocol=2)
