"""python3 -m nnc.tutorial SCRIPT [ARGS...]: runs the tutorial's script (its
test.py) with nnc as its simple_nn."""
import sys

from nnc import tutorial

if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
    print("usage: python3 -m nnc.tutorial SCRIPT [ARGS...]\n"
          "Runs the tutorial's SCRIPT (e.g. test.py) with nnc as its simple_nn.")
    sys.exit(0 if len(sys.argv) >= 2 else 2)
tutorial.run(sys.argv[1], sys.argv[2:])
