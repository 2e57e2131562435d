"""python3 -m nnc.datasets MNIST_FOLDER mnist.pkl.gz: the tutorial's pickle
made from MNIST's IDX files."""
import sys

from nnc import datasets

if len(sys.argv) != 3:
    print("usage: python3 -m nnc.datasets MNIST_FOLDER mnist.pkl.gz\n"
          "Writes the tutorial's mnist.pkl.gz from the four MNIST IDX files.", file=sys.stderr)
    sys.exit(2)
datasets.write_pickle(sys.argv[1], sys.argv[2])
print(f"wrote {sys.argv[2]}")
