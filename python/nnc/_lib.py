"""The C library through ctypes: finding it, its functions' signatures, the
public structs declared again (and checked against the library's own sizes),
and C errors turned into Python exceptions."""
import ctypes
import os
import pathlib
import signal

OK, ERR_ARG, ERR_NOMEM, ERR_IO, ERR_FORMAT, ERR_MISMATCH, ERR_INTERRUPTED, ERR_DIVERGED = range(8)

# nnc_names_kind, as in nnc.h: the names themselves are the library's
NAMES_ACTIVATION, NAMES_COST, NAMES_INIT, NAMES_OPTIMIZER, NAMES_SCALING, NAMES_TASK, \
    NAMES_MONITOR, NAMES_PRECISION = range(8)


def _candidates():
    """Where the library may be: $NNC_LIBRARY, the build folder of the source
    tree this package sits in, then what `make install` put on the loader's
    path."""
    env = os.environ.get("NNC_LIBRARY")
    if env:
        yield env
        return
    here = pathlib.Path(__file__).resolve().parent
    for build in (here.parent.parent / "build", here.parent / "build"):
        if (build / "libnnc.so").exists():
            yield str(build / "libnnc.so")
    yield "libnnc.so.0"


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
    raise ImportError("nnc: cannot load the C library; build it (make) or set NNC_LIBRARY. "
                      "Tried: " + "; ".join(tried))


lib = _load()

c_float_p = ctypes.POINTER(ctypes.c_float)
c_size_p = ctypes.POINTER(ctypes.c_size_t)


class NetSpec(ctypes.Structure):
    _fields_ = [("sizes", c_size_p), ("n_layers", ctypes.c_size_t),
                ("hidden", ctypes.c_int), ("cost", ctypes.c_int), ("init", ctypes.c_int),
                ("seed", ctypes.c_uint64)]


class Measure(ctypes.Structure):
    _fields_ = [("cost", ctypes.c_double), ("correct", ctypes.c_size_t),
                ("n", ctypes.c_size_t), ("rmse", ctypes.c_double), ("mae", ctypes.c_double),
                ("r2", ctypes.c_double)]


class EpochReport(ctypes.Structure):
    _fields_ = [("epoch", ctypes.c_uint), ("train_seconds", ctypes.c_double),
                ("eta", ctypes.c_float), ("train", Measure), ("valid", Measure),
                ("test", Measure), ("running", Measure), ("warnings", ctypes.c_uint),
                ("warning_layer", ctypes.c_uint)]


class Progress(ctypes.Structure):
    _fields_ = [("epoch", ctypes.c_uint), ("batches_done", ctypes.c_size_t),
                ("batches", ctypes.c_size_t), ("samples_done", ctypes.c_size_t),
                ("samples", ctypes.c_size_t), ("seconds", ctypes.c_double),
                ("running", Measure)]


EPOCH_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(EpochReport),
                            ctypes.c_void_p)
PROGRESS_FN = ctypes.CFUNCTYPE(None, ctypes.POINTER(Progress), ctypes.c_void_p)


class Augment(ctypes.Structure):
    _fields_ = [("on", ctypes.c_int), ("rotate", ctypes.c_float), ("zoom", ctypes.c_float),
                ("shear", ctypes.c_float), ("shift", ctypes.c_float),
                ("elastic_alpha", ctypes.c_float), ("elastic_sigma", ctypes.c_float)]


class TrainOpts(ctypes.Structure):
    _fields_ = [("epochs", ctypes.c_uint), ("batch_size", ctypes.c_size_t),
                ("eta", ctypes.c_float), ("shuffle", ctypes.c_int),
                ("threads", ctypes.c_uint), ("lambda_", ctypes.c_float),
                ("optimizer", ctypes.c_int), ("momentum", ctypes.c_float),
                ("adam_beta1", ctypes.c_float), ("adam_beta2", ctypes.c_float),
                ("adam_epsilon", ctypes.c_float), ("dropout", ctypes.c_float),
                ("monitor", ctypes.c_uint), ("validation", ctypes.c_void_p),
                ("test", ctypes.c_void_p), ("halve_after", ctypes.c_uint),
                ("min_eta_factor", ctypes.c_float), ("early_stop", ctypes.c_uint),
                ("checkpoint", ctypes.c_char_p), ("resume", ctypes.c_char_p),
                ("on_epoch", EPOCH_FN), ("user", ctypes.c_void_p),
                ("stop", ctypes.POINTER(ctypes.c_int)), ("on_progress", PROGRESS_FN),
                ("progress_params", ctypes.c_int), ("precision", ctypes.c_int),
                ("augment", Augment), ("cosine", ctypes.c_int),
                ("dist", ctypes.c_void_p), ("shards", ctypes.c_uint), ("reduce", ctypes.c_int)]


class CsvOptions(ctypes.Structure):
    _fields_ = [("header", ctypes.c_int), ("sep", ctypes.c_char), ("label", ctypes.c_char_p),
                ("ignore", ctypes.c_char_p), ("task", ctypes.c_int),
                ("classes", ctypes.POINTER(ctypes.c_char_p)), ("n_classes", ctypes.c_size_t),
                ("inputs", ctypes.POINTER(ctypes.c_char_p)), ("n_inputs", ctypes.c_size_t),
                ("pixels", ctypes.c_int), ("skip_lines", ctypes.c_size_t)]


class TrainSummary(ctypes.Structure):
    _fields_ = [("epochs_run", ctypes.c_uint), ("best_epoch", ctypes.c_int),
                ("best_valid_correct", ctypes.c_size_t), ("best_valid_rmse", ctypes.c_double),
                ("final_eta", ctypes.c_float), ("restored_best", ctypes.c_int),
                ("precision_used", ctypes.c_int)]


def _sig(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


vp, sz, st = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int
_sig("nnc_last_error", ctypes.c_char_p)
_sig("nnc_sizeof", sz, ctypes.c_char_p)
_sig("nnc_version", ctypes.c_char_p)
_sig("nnc_net_spec_init", None, ctypes.POINTER(NetSpec), c_size_p, sz)
_sig("nnc_net_create_spec", st, ctypes.POINTER(NetSpec), ctypes.POINTER(vp))
_sig("nnc_net_free", None, vp)
_sig("nnc_net_set_precision", ctypes.c_int, vp, ctypes.c_int)
_sig("nnc_net_layers", sz, vp)
_sig("nnc_net_size", sz, vp, sz)
_sig("nnc_net_inputs", sz, vp)
_sig("nnc_net_outputs", sz, vp)
_sig("nnc_net_hidden", st, vp)
_sig("nnc_net_cost", st, vp)
_sig("nnc_net_weights", c_float_p, vp, sz)
_sig("nnc_net_biases", c_float_p, vp, sz)
_sig("nnc_net_param_count", sz, vp)
_sig("nnc_net_params", c_float_p, vp)
_sig("nnc_feedforward", st, vp, c_float_p, sz, c_float_p)
_sig("nnc_gradient", st, vp, c_float_p, c_float_p, sz, ctypes.c_double,
     ctypes.POINTER(ctypes.c_double), c_float_p)
_sig("nnc_data_from_floats", st, c_float_p, ctypes.POINTER(ctypes.c_uint8), sz, sz,
     ctypes.POINTER(vp))
_sig("nnc_data_from_targets", st, c_float_p, c_float_p, sz, sz, sz, ctypes.POINTER(vp))
_sig("nnc_data_borrow_floats", st, c_float_p, ctypes.POINTER(ctypes.c_uint8), c_float_p, sz, sz,
     sz, ctypes.POINTER(vp))
_sig("nnc_data_free", None, vp)
_sig("nnc_data_count", sz, vp)
_sig("nnc_data_dim", sz, vp)
_sig("nnc_data_label", ctypes.c_uint, vp, sz)
_sig("nnc_data_input", None, vp, sz, c_float_p)
_sig("nnc_mnist_load", st, ctypes.c_char_p, ctypes.POINTER(vp), ctypes.POINTER(vp),
     ctypes.POINTER(vp))
_sig("nnc_pickle_load", st, ctypes.c_char_p, ctypes.POINTER(vp), ctypes.POINTER(vp),
     ctypes.POINTER(vp))
_sig("nnc_train_opts_init", None, ctypes.POINTER(TrainOpts))
_sig("nnc_train", st, vp, vp, ctypes.POINTER(TrainOpts), ctypes.POINTER(TrainSummary))
_sig("nnc_evaluate", st, vp, vp, c_size_p)
_sig("nnc_measure_regression", st, vp, vp, ctypes.POINTER(ctypes.c_double),
     ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_double))
_sig("nnc_net_fit_scaling", st, vp, vp, ctypes.c_int)
_sig("nnc_net_set_class_names", st, vp, ctypes.POINTER(ctypes.c_char_p), sz)
_sig("nnc_net_classes", sz, vp)
_sig("nnc_net_class_name", ctypes.c_char_p, vp, sz)
_sig("nnc_model_save", st, vp, ctypes.c_char_p)
_sig("nnc_model_save_json", st, vp, ctypes.c_char_p)
_sig("nnc_model_load", st, ctypes.c_char_p, ctypes.POINTER(vp))
_sig("nnc_model_save_as", st, vp, ctypes.c_char_p)
_sig("nnc_cost_is_regression", ctypes.c_int, ctypes.c_int)
_sig("nnc_data_load", st, ctypes.c_char_p, ctypes.POINTER(vp), ctypes.POINTER(vp),
     ctypes.POINTER(vp))
_sig("nnc_data_classes", sz, vp)
_sig("nnc_data_class_name", ctypes.c_char_p, vp, sz)
_sig("nnc_data_targets", sz, vp)
_sig("nnc_data_is_pixels", ctypes.c_int, vp)
_sig("nnc_net_pixel_inputs", ctypes.c_int, vp)
_sig("nnc_name_of", ctypes.c_char_p, ctypes.c_int, ctypes.c_int)
_sig("nnc_value_of", st, ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int))
_sig("nnc_names_list", ctypes.c_char_p, ctypes.c_int)
_sig("nnc_recipe_create", st, ctypes.POINTER(vp))
_sig("nnc_recipe_free", None, vp)
_sig("nnc_recipe_set", st, vp, ctypes.c_char_p, ctypes.c_char_p)
_sig("nnc_recipe_option", ctypes.c_char_p, sz)
_sig("nnc_recipe_given", ctypes.c_int, vp, ctypes.c_char_p)
_sig("nnc_recipe_csv_options", None, vp, ctypes.POINTER(CsvOptions))
_sig("nnc_recipe_split", st, vp, vp, ctypes.c_int, ctypes.POINTER(vp), ctypes.POINTER(vp),
     ctypes.POINTER(vp))
_sig("nnc_recipe_make_net", st, vp, vp, ctypes.POINTER(vp))
_sig("nnc_recipe_train_opts", st, vp, vp, vp, vp, ctypes.POINTER(TrainOpts))
_sig("nnc_recipe_notes", ctypes.c_char_p, vp)
_sig("nnc_recipe_predict_rows", st, vp, c_float_p, sz, c_float_p)
_sig("nnc_table_from_arrays", st, c_float_p, sz, sz, ctypes.POINTER(ctypes.c_char_p), c_float_p,
     sz, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(CsvOptions), ctypes.c_char_p,
     ctypes.POINTER(vp))

for _name, _struct in (("nnc_net_spec", NetSpec), ("nnc_train_opts", TrainOpts),
                       ("nnc_train_summary", TrainSummary), ("nnc_measure", Measure),
                       ("nnc_epoch_report", EpochReport), ("nnc_progress", Progress),
                       ("nnc_csv_options", CsvOptions), ("nnc_augment", Augment)):
    if lib.nnc_sizeof(_name.encode()) != ctypes.sizeof(_struct):
        raise ImportError(f"nnc: this package's {_name} ({ctypes.sizeof(_struct)} bytes) does "
                          f"not match the library's ({lib.nnc_sizeof(_name.encode())}): "
                          "package and library are of different versions")


class NNCError(Exception):
    """A failure inside nnc that is neither a bad argument nor a file."""


def check(status):
    """Raises the exception a C status stands for, with the C message."""
    if status == OK:
        return
    message = lib.nnc_last_error().decode(errors="replace")
    if status in (ERR_ARG, ERR_FORMAT, ERR_MISMATCH):
        raise ValueError(message)
    if status == ERR_IO:
        raise OSError(message)
    if status == ERR_NOMEM:
        raise MemoryError(message)
    if status == ERR_INTERRUPTED:
        raise KeyboardInterrupt(message)
    if status == ERR_DIVERGED:
        raise FloatingPointError(message)
    raise NNCError(message)


def value_of(kind, name, argument):
    """The library's value of a name ("relu"), or ValueError naming the
    argument and the valid names."""
    value = ctypes.c_int()
    if lib.nnc_value_of(kind, str(name).encode(), ctypes.byref(value)) != OK:
        valid = lib.nnc_names_list(kind).decode()
        raise ValueError(f"{argument}={name!r} is not one of {valid}")
    return value.value


def name_of(kind, value):
    name = lib.nnc_name_of(kind, value)
    return name.decode() if name else None


def train(net, data, opts, on_epoch=None):
    """nnc_train with the GIL released (ctypes releases it for the call) and
    Ctrl-C turned into the C library's stop flag: the batch in flight
    finishes and KeyboardInterrupt is raised with the network as it stands."""
    stop = ctypes.c_int(0)
    opts.stop = ctypes.pointer(stop)
    callbacks = []
    if on_epoch is not None:
        def epoch_cb(_net, report, _user):
            try:
                return 1 if on_epoch(report.contents) else 0
            except BaseException:   # an exception cannot cross C: stop, then raise it
                callbacks.append(__import__("sys").exc_info())
                return 1
        opts.on_epoch = EPOCH_FN(epoch_cb)
    # A Python signal handler runs only when Python code does; the progress
    # callback is Python code C calls every few thousand samples.
    opts.on_progress = PROGRESS_FN(lambda _p, _u: None)
    interrupted = []

    def on_sigint(_sig, _frame):
        interrupted.append(True)
        stop.value = 1

    previous = None
    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:   # not the main thread: no handler of our own
        pass
    summary = TrainSummary()
    try:
        status = lib.nnc_train(net, data, ctypes.byref(opts), ctypes.byref(summary))
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if callbacks:
        raise callbacks[0][1].with_traceback(callbacks[0][2])
    check(status)
    return summary
