"""The library's recipe: every decision of a training run (defaults, presets,
the network's shape and scaling from the data, the training options for the
task) taken by the C library, so that Python makes the model `nnc train`
makes from the same data and options."""
import ctypes

import numpy as np

from . import _lib
from ._lib import check, lib
from .network import Network

# keyword -> the library's option name, where they differ
_OPTION_NAMES = {"batch_size": "batch", "lambda_": "lambda", "halve_after": "halve-after",
                 "early_stop": "early-stop", "valid_split": "valid-split",
                 "test_split": "test-split", "elastic_alpha": "elastic-alpha",
                 "elastic_sigma": "elastic-sigma"}


def _text(value):
    """An option's value as the command line would spell it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ",".join(_text(v) for v in value)
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


class Recipe:
    """A C recipe with the options given as keywords (None: not given)."""

    def __init__(self, **options):
        self._h = ctypes.c_void_p()
        check(lib.nnc_recipe_create(ctypes.byref(self._h)))
        for key, value in options.items():
            if value is None:
                continue
            name = _OPTION_NAMES.get(key, key)
            if lib.nnc_recipe_set(self._h, name.encode(), _text(value).encode()) != _lib.OK:
                message = lib.nnc_last_error().decode(errors="replace")
                # the library names its option; the caller knows the keyword
                if message.startswith(name + ":"):
                    message = key + ":" + message[len(name) + 1:]
                raise ValueError(message)

    def __del__(self):
        if getattr(self, "_h", None):
            lib.nnc_recipe_free(self._h)
            self._h = None

    def notes(self):
        """What the library decided that was not asked for; its options are
        quoted `like this`, spelt as the keywords are."""
        keywords = {v: k for k, v in _OPTION_NAMES.items()}
        text = lib.nnc_recipe_notes(self._h).decode()
        parts = text.split("`")
        for i in range(1, len(parts), 2):   # the quoted ones: "task regress" -> task='regress'
            name, _, value = parts[i].partition(" ")
            name = keywords.get(name, name)
            parts[i] = f"{name}={value!r}" if value else name
        return [n for n in "".join(parts).split("\n") if n]

    def table(self, X, y, regress, classes=None, source="X", pixels=-1):
        """A TableData of X and y made as the table reader makes one."""
        return TableData(self, X, y, regress, classes, source, pixels)

    def split(self, data, has_valid):
        sets = [ctypes.c_void_p() for _ in range(3)]
        check(lib.nnc_recipe_split(self._h, data.handle, int(has_valid),
                                   *(ctypes.byref(s) for s in sets)))
        return tuple(_Handle(s, data) if s else None for s in sets)

    def make_net(self, train):
        h = ctypes.c_void_p()
        check(lib.nnc_recipe_make_net(self._h, train.handle, ctypes.byref(h)))
        return Network(None, _handle=h)

    def train_opts(self, net, valid=None, test=None):
        opts = _lib.TrainOpts()
        check(lib.nnc_recipe_train_opts(self._h, net._h, valid.handle if valid else None,
                                        test.handle if test else None, ctypes.byref(opts)))
        return opts


class _Handle:
    """A dataset handle from the library, keeping the data it shares alive."""

    def __init__(self, handle, owner):
        self.handle, self._owner = handle, owner

    def __del__(self):
        if getattr(self, "handle", None):
            lib.nnc_data_free(self.handle)
            self.handle = None


class TableData:
    """X (samples x inputs) with labels of any kind (their text names the
    classes, as in a CSV file) or real-valued targets, made into a C
    dataset by nnc_table_from_arrays; NaN or infinite values are refused
    with their row and column."""

    def __init__(self, recipe, X, y, regress, classes=None, source="X", pixels=-1):
        X = np.ascontiguousarray(X, dtype=np.float32)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (samples x inputs), not shape {X.shape}")
        n, d = X.shape
        o = _lib.CsvOptions()
        lib.nnc_recipe_csv_options(recipe._h, ctypes.byref(o))
        o.label = o.ignore = None
        o.pixels = pixels   # -1: pixels when every input is an integer 0-255
        labels = targets = None
        if regress:
            Y = np.ascontiguousarray(np.reshape(np.asarray(y, dtype=np.float32), (len(y), -1)))
            if Y.shape[0] != n:
                raise ValueError(f"X has {n} rows but y has {Y.shape[0]}")
            targets, k = Y, Y.shape[1]
            o.task = _lib.value_of(_lib.NAMES_TASK, "regress", "task")
        else:
            y = np.asarray(y)
            if y.ndim != 1 or y.shape[0] != n:
                raise ValueError(f"X has {n} rows but y has shape {y.shape}")
            labels = (ctypes.c_char_p * n)(*(_label_text(v).encode() for v in y))
            k = 0
            o.task = _lib.value_of(_lib.NAMES_TASK, "classify", "task")
            if classes is not None:   # the fitted classes, so that labels map to outputs
                self._classes = (ctypes.c_char_p * len(classes))(
                    *(str(c).encode() for c in classes))
                o.classes, o.n_classes = self._classes, len(classes)
        self.handle = ctypes.c_void_p()
        check(lib.nnc_table_from_arrays(
            X.ctypes.data_as(_lib.c_float_p), n, d, labels,
            targets.ctypes.data_as(_lib.c_float_p) if targets is not None else None, k, None,
            ctypes.byref(o), source.encode(), ctypes.byref(self.handle)))

    def is_pixels(self):
        return bool(lib.nnc_data_is_pixels(self.handle))

    def class_names(self):
        return [lib.nnc_data_class_name(self.handle, i).decode()
                for i in range(lib.nnc_data_classes(self.handle))]

    def __del__(self):
        if getattr(self, "handle", None):
            lib.nnc_data_free(self.handle)
            self.handle = None


def _label_text(v):
    """A label as a CSV file would hold it: integral floats as integers."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)
