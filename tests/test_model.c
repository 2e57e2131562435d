/* test_model.c — model files: round trips, a golden file, every corruption
 * refused, network2 JSON from numpy, atomic saves, checkpoint and resume. */
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model/checkpoint.h"
#include "testutil.h"

#define GOLDEN SRC("tests/golden/tiny.nnc")

static nnc_net *tiny_net(void)
{
    const size_t sizes[] = {3, 4, 2};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    spec.hidden = NNC_ACT_TANH;
    spec.cost = NNC_COST_CROSS_ENTROPY;
    spec.init = NNC_INIT_GLOROT;
    spec.seed = 7;
    nnc_net *net;
    assert_ok(nnc_net_create_spec(&spec, &net));
    nnc_net_biases(net, 1)[0] = 0.5f;   /* Glorot biases are 0: make one not */
    return net;
}

static void *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    void *buf = malloc(*len ? *len : 1);
    assert_int_equal(fread(buf, 1, *len, f), *len);
    fclose(f);
    return buf;
}

static void write_all(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
}

static void save_load_gives_identical_outputs(void **state)
{
    (void)state;
    const nnc_activation acts[] = {NNC_ACT_SIGMOID, NNC_ACT_RELU, NNC_ACT_LEAKY_RELU};
    const nnc_cost costs[] = {NNC_COST_QUADRATIC, NNC_COST_SOFTMAX_LOGLIK,
                              NNC_COST_CROSS_ENTROPY};
    const size_t sizes[] = {20, 17, 9, 5};
    for (int i = 0; i < 3; i++) {
        nnc_net_spec spec;
        nnc_net_spec_init(&spec, sizes, 4);
        spec.hidden = acts[i], spec.cost = costs[i], spec.seed = 100 + i;
        nnc_net *net, *back;
        assert_ok(nnc_net_create_spec(&spec, &net));
        assert_ok(nnc_model_save(net, scratch_path("round.nnc")));
        assert_ok(nnc_model_load(scratch_path("round.nnc"), &back));
        float x[8 * 20], o1[8 * 5], o2[8 * 5];
        uint64_t st = 3;
        for (int k = 0; k < 8 * 20; k++)
            x[k] = test_uniform(&st, -2, 2);
        assert_ok(nnc_feedforward(net, x, 8, o1));
        assert_ok(nnc_feedforward(back, x, 8, o2));
        assert_memory_equal(o1, o2, sizeof o1);
        assert_int_equal(nnc_net_hidden(back), acts[i]);
        assert_int_equal(nnc_net_cost(back), costs[i]);
        assert_int_equal(nnc_net_record(back)->seed, 100 + i);
        nnc_net_free(net);
        nnc_net_free(back);
    }
}

/* The bytes this machine writes for a fixed network are the checked-in ones,
 * and those load back to the same parameters. NNC_WRITE_GOLDEN=1 rewrites. */
static void golden_file_is_stable(void **state)
{
    (void)state;
    nnc_net *net = tiny_net(), *back;
    if (getenv("NNC_WRITE_GOLDEN"))
        assert_ok(nnc_model_save(net, GOLDEN));
    assert_ok(nnc_model_save(net, scratch_path("tiny.nnc")));
    size_t a_len, b_len;
    void *a = read_all(GOLDEN, &a_len), *b = read_all(scratch_path("tiny.nnc"), &b_len);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    assert_ok(nnc_model_load(GOLDEN, &back));
    assert_memory_equal(nnc_net_params(net), nnc_net_params(back),
                        nnc_net_param_count(net) * sizeof(float));
    free(a);
    free(b);
    nnc_net_free(net);
    nnc_net_free(back);
}

/* Every truncation and every flipped byte of a model and of a checkpoint is
 * refused with a format error, and nothing crashes. */
static void every_corruption_is_refused(void **state)
{
    (void)state;
    const char *files[2] = {GOLDEN, scratch_path("tiny-ck.nnc")};
    static char ck_path[512];
    snprintf(ck_path, sizeof ck_path, "%s", files[1]);
    files[1] = ck_path;
    {   /* a checkpoint: train with momentum and early stopping */
        nnc_net *net = tiny_net();
        float x[6 * 3] = {0};
        uint8_t labels[6] = {0, 1, 0, 1, 0, 1};
        nnc_data *d;
        assert_ok(nnc_data_from_floats(x, labels, 6, 3, &d));
        nnc_train_opts o;
        nnc_train_opts_init(&o);
        o.epochs = 1, o.optimizer = NNC_OPT_MOMENTUM, o.validation = d, o.early_stop = 3;
        o.checkpoint = ck_path;
        assert_ok(nnc_train(net, d, &o, NULL));
        nnc_data_free(d);
        nnc_net_free(net);
    }
    for (int f = 0; f < 2; f++) {
        size_t len;
        uint8_t *good = read_all(files[f], &len);
        const char *bad = scratch_path("bad.nnc");
        nnc_net *net;
        for (size_t cut = 0; cut < len; cut++) {
            write_all(bad, good, cut);
            nnc_status s = nnc_model_load(bad, &net);
            if (s == NNC_OK)
                fail_msg("%s cut to %zu of %zu bytes was accepted", files[f], cut, len);
            assert_null(net);
        }
        for (size_t i = 0; i < len; i++) {
            good[i] ^= 0x5a;
            write_all(bad, good, len);
            nnc_status s = nnc_model_load(bad, &net);
            if (s == NNC_OK)
                fail_msg("%s with byte %zu flipped was accepted", files[f], i);
            assert_null(net);
            good[i] ^= 0x5a;
        }
        free(good);
    }
    nnc_net *net;
    assert_int_equal(nnc_model_load(GOLDEN "-missing", &net), NNC_ERR_IO);
    write_all(scratch_path("bad.nnc"), "hello", 5);
    assert_int_equal(nnc_model_load(scratch_path("bad.nnc"), &net), NNC_ERR_FORMAT);
    assert_non_null(strstr(nnc_last_error(), "bad.nnc"));
}

static void expect_load_error(const char *path, nnc_status want, const char *words)
{
    nnc_net *net = (nnc_net *)1;
    nnc_status s = nnc_model_load(path, &net);
    assert_null(net);
    if (s != want || !strstr(nnc_last_error(), words) || !strstr(nnc_last_error(), path))
        fail_msg("%s: got %s '%s', want '%s'", path, nnc_status_name(s), nnc_last_error(),
                 words);
}

/* Each kind of broken model file says what is wrong with it. */
static void model_errors_say_what_is_wrong(void **state)
{
    (void)state;
    size_t len;
    uint8_t *good = read_all(GOLDEN, &len);
    const char *bad = scratch_path("said.nnc");
    write_all(bad, good, 100);
    expect_load_error(bad, NNC_ERR_FORMAT, "truncated");
    good[8] = 4;   /* format version 4 */
    write_all(bad, good, len);
    expect_load_error(bad, NNC_ERR_FORMAT, "format version 4; this nnc reads versions 1 to 3");
    good[8] = 2;
    good[len - 10] ^= 1;   /* a parameter's bit */
    write_all(bad, good, len);
    expect_load_error(bad, NNC_ERR_FORMAT, "checksum mismatch");
    write_all(bad, "hello", 5);
    expect_load_error(bad, NNC_ERR_FORMAT, "neither an nnc model (magic) nor network2 JSON");
    free(good);
    /* a model given to --resume, and a checkpoint of another network */
    nnc_net *net;
    assert_ok(nnc_model_load(GOLDEN, &net));
    float x[3 * 4] = {0};
    uint8_t labels[4] = {0, 1, 0, 1};
    nnc_data *d;
    assert_ok(nnc_data_from_floats(x, labels, 4, nnc_net_inputs(net), &d));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.resume = GOLDEN;
    assert_int_equal(nnc_train(net, d, &o, NULL), NNC_ERR_FORMAT);
    assert_non_null(strstr(nnc_last_error(), "a model, not a checkpoint"));
    o.resume = NULL, o.epochs = 1, o.checkpoint = scratch_path("other-ck.nnc");
    assert_ok(nnc_train(net, d, &o, NULL));
    const size_t other[] = {3, 5, 2};
    nnc_net *wide;
    assert_ok(nnc_net_create(other, 3, 1, &wide));
    o.checkpoint = NULL, o.resume = scratch_path("other-ck.nnc");
    assert_int_equal(nnc_train(wide, d, &o, NULL), NNC_ERR_MISMATCH);
    assert_non_null(strstr(nnc_last_error(), "the checkpoint's network differs"));
    nnc_net_free(wide);
    nnc_net_free(net);
    nnc_data_free(d);
}

static int has_temp_files(const char *dir)
{
    DIR *d = opendir(dir);
    int found = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        found |= strstr(e->d_name, ".tmp-") != NULL;
    if (d)
        closedir(d);
    return found;
}

static void failed_saves_leave_nothing_behind(void **state)
{
    (void)state;
    nnc_net *net = tiny_net();
    /* a folder that does not exist */
    assert_int_equal(nnc_model_save(net, "test-scratch/no/such/dir/m.nnc"), NNC_ERR_IO);
    assert_non_null(strstr(nnc_last_error(), "no/such/dir/m.nnc"));
    /* the target is a folder: rename fails after the data was written */
    mkdir(scratch_path("a-folder"), 0777);
    assert_int_equal(nnc_model_save(net, scratch_path("a-folder")), NNC_ERR_IO);
    struct stat sb;
    assert_int_equal(stat(scratch_path("a-folder"), &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_false(has_temp_files("test-scratch"));
    /* a save over an existing model replaces it whole */
    assert_ok(nnc_model_save(net, scratch_path("over.nnc")));
    nnc_net_params(net)[0] += 1.0f;
    assert_ok(nnc_model_save(net, scratch_path("over.nnc")));
    nnc_net *back;
    assert_ok(nnc_model_load(scratch_path("over.nnc"), &back));
    assert_true(nnc_net_params(back)[0] == nnc_net_params(net)[0]);
    nnc_net_free(back);
    nnc_net_free(net);
}

static void expect_content(const char *path, const char *text)
{
    char buf[64] = "";
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, text);
}

static int sigint_blocked(void)
{
    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, SIGINT);
}

/* nnc_file_begin/end: the file appears only when ended with ok; ended
 * without, or after a failed write, there is neither it nor a temporary
 * file, and a file it would replace is as it was. */
static void files_appear_only_when_complete(void **state)
{
    (void)state;
    nnc_file *h;
    FILE *f;
    char path[512], keep[512];
    snprintf(path, sizeof path, "%s", scratch_path("atomic.txt"));
    snprintf(keep, sizeof keep, "%s", scratch_path("atomic-keep.txt"));
    unlink(path);
    /* abandoned: nothing at all */
    assert_ok(nnc_file_begin(path, &h, &f));
    assert_true(sigint_blocked());
    fputs("half", f);
    assert_ok(nnc_file_end(h, 0));
    assert_false(sigint_blocked());
    struct stat sb;
    assert_int_not_equal(stat(path, &sb), 0);
    assert_false(has_temp_files("test-scratch"));
    /* completed: there, rw-r--r-- */
    assert_ok(nnc_file_begin(path, &h, &f));
    fputs("whole", f);
    assert_ok(nnc_file_end(h, 1));
    expect_content(path, "whole");
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0644);
    /* two at once, ended in either order: signals come back after the last */
    nnc_file *h2;
    FILE *f2;
    FILE *k = fopen(keep, "wb");
    assert_non_null(k);
    fputs("old", k);
    fclose(k);
    assert_ok(nnc_file_begin(path, &h, &f));
    assert_ok(nnc_file_begin(keep, &h2, &f2));
    fputs("new", f2);
    fputs("again", f);
    assert_ok(nnc_file_end(h, 1));
    assert_true(sigint_blocked());
    assert_ok(nnc_file_end(h2, 0));
    assert_false(sigint_blocked());
    expect_content(path, "again");
    expect_content(keep, "old");
    assert_false(has_temp_files("test-scratch"));
    /* a folder is refused before anything is made */
    mkdir(scratch_path("atomic-folder"), 0777);
    assert_int_equal(nnc_file_begin(scratch_path("atomic-folder"), &h, &f), NNC_ERR_IO);
    assert_null(h);
    assert_non_null(strstr(nnc_last_error(), "atomic-folder"));
    assert_false(sigint_blocked());
    /* a write that fails (past the file-size limit, in a child process):
     * an error naming the file, the old content kept, no temporary file */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit lim = {4096, RLIM_INFINITY};
        getrlimit(RLIMIT_FSIZE, &lim);
        lim.rlim_cur = 4096;
        setrlimit(RLIMIT_FSIZE, &lim);
        static char big[1 << 16];
        memset(big, 'x', sizeof big);
        if (nnc_file_begin(keep, &h, &f) != NNC_OK)
            _exit(2);
        fwrite(big, 1, sizeof big, f);
        nnc_status st = nnc_file_end(h, 1);
        _exit(st == NNC_ERR_IO && strstr(nnc_last_error(), "atomic-keep.txt: cannot write: "
                                         "larger than the file-size limit (the previous file "
                                         "is kept)") ? 0 : 3);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    expect_content(keep, "old");
    assert_false(has_temp_files("test-scratch"));
}

static void network2_json_from_numpy_matches(void **state)
{
    (void)state;
    char cmd[1024];
    const char *py = python_with_numpy();
    if (!py)
        SKIP_TEST("no python3 with numpy (set NNC_PYTHON)");
    snprintf(cmd, sizeof cmd, "%s '" SRC("tests/reference/network2_json.py") "' %s %s 2>/dev/null", py,
             scratch_path("n2.json"), "test-scratch/n2-outputs.txt");
    assert_int_equal(system(cmd), 0);
    nnc_net *net;
    assert_ok(nnc_model_load(scratch_path("n2.json"), &net));
    assert_int_equal(nnc_net_layers(net), 4);
    assert_int_equal(nnc_net_cost(net), NNC_COST_CROSS_ENTROPY);
    FILE *f = fopen("test-scratch/n2-outputs.txt", "r");
    assert_non_null(f);
    for (int line = 0; line < 5; line++) {
        float x[7], out[3];
        double want[3];
        for (int i = 0; i < 7; i++) {
            double v;
            assert_int_equal(fscanf(f, "%lf", &v), 1);
            x[i] = (float)v;
        }
        for (int i = 0; i < 3; i++)
            assert_int_equal(fscanf(f, "%lf", &want[i]), 1);
        assert_ok(nnc_feedforward(net, x, 1, out));
        for (int i = 0; i < 3; i++)
            if (!(fabs(out[i] - want[i]) <= 1e-5))
                fail_msg("input %d output %d: nnc %.9g, numpy %.9g", line, i, out[i], want[i]);
    }
    fclose(f);
    /* and back out: nnc's JSON loads to the same parameters */
    nnc_net *back;
    assert_ok(nnc_model_save_json(net, scratch_path("n2-again.json")));
    assert_ok(nnc_model_load(scratch_path("n2-again.json"), &back));
    assert_memory_equal(nnc_net_params(net), nnc_net_params(back),
                        nnc_net_param_count(net) * sizeof(float));
    nnc_net_free(back);
    nnc_net_free(net);
    /* what network2 cannot hold is refused */
    nnc_net *relu = tiny_net();
    assert_int_equal(nnc_model_save_json(relu, scratch_path("no.json")), NNC_ERR_ARG);
    nnc_net_free(relu);
    write_all(scratch_path("broken.json"), "{\"sizes\": [2, 2], \"weights\": [[[1, 2]]]}", 40);
    assert_int_equal(nnc_model_load(scratch_path("broken.json"), &net), NNC_ERR_FORMAT);
}

/* JSON whose sizes promise a huge network is refused before the network is
 * allocated; a large model loads in linear time; NaN is not exported. */
static void network2_json_is_checked_before_allocating(void **state)
{
    (void)state;
    const char *big = "{\"sizes\": [20000, 20000, 10], \"weights\": [[], []], "
                      "\"biases\": [[], []]}";
    write_all(scratch_path("big.json"), big, strlen(big));
    nnc_net *net = (nnc_net *)1;
    assert_int_equal(nnc_model_load(scratch_path("big.json"), &net), NNC_ERR_FORMAT);
    assert_null(net);
    if (!strstr(nnc_last_error(), "need 20000 rows"))
        fail_msg("'%s' should say 'need 20000 rows'", nnc_last_error());
    /* [784, 300, 10] as network2 writes it: 238,510 numbers, loaded at once */
    const size_t sizes[] = {784, 300, 10};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    assert_ok(nnc_net_create_spec(&spec, &net));
    assert_ok(nnc_model_save_json(net, scratch_path("wide.json")));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nnc_net *back;
    assert_ok(nnc_model_load(scratch_path("wide.json"), &back));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (seconds > 2.0)   /* linear: well under a second even under sanitizers */
        fail_msg("loading %zu parameters from JSON took %.1f s", nnc_net_param_count(net),
                 seconds);
    assert_memory_equal(nnc_net_params(net), nnc_net_params(back),
                        nnc_net_param_count(net) * sizeof(float));
    nnc_net_free(back);
    nnc_net_params(net)[5] = NAN;
    assert_int_equal(nnc_model_save_json(net, scratch_path("nan.json")), NNC_ERR_ARG);
    if (!strstr(nnc_last_error(), "not a finite number"))
        fail_msg("'%s' should say 'not a finite number'", nnc_last_error());
    nnc_net_free(net);
}

/* 4 epochs in one go = 2 epochs, checkpoint, resume for 2 more: same bits. */
static void resumed_training_is_bit_identical(void **state)
{
    (void)state;
    enum { N = 90, IN = 6 };
    uint64_t st = 17;
    float x[N * IN];
    uint8_t labels[N];
    for (int i = 0; i < N * IN; i++)
        x[i] = test_uniform(&st, 0, 1);
    for (int i = 0; i < N; i++)
        labels[i] = (uint8_t)(i % 3);
    nnc_data *d, *v;
    assert_ok(nnc_data_from_floats(x, labels, N, IN, &d));
    assert_ok(nnc_data_slice(d, 0, 30, &v));
    const size_t sizes[] = {IN, 8, 3};
    const nnc_optimizer kinds[] = {NNC_OPT_SGD, NNC_OPT_NESTEROV, NNC_OPT_ADAM};
    for (int k = 0; k < 3; k++) {
        nnc_net *once, *twice, *loaded;
        assert_ok(nnc_net_create(sizes, 3, 5, &once));
        assert_ok(nnc_net_create(sizes, 3, 5, &twice));
        nnc_train_opts o;
        nnc_train_opts_init(&o);
        o.optimizer = kinds[k], o.eta = k == 2 ? 0.01f : 0.3f, o.dropout = 0.25f;
        o.validation = v, o.early_stop = 10, o.halve_after = 1, o.batch_size = 7;
        o.epochs = 4;
        assert_ok(nnc_train(once, d, &o, NULL));
        o.epochs = 2;
        o.checkpoint = scratch_path("resume.nnc");
        assert_ok(nnc_train(twice, d, &o, NULL));
        nnc_net_free(twice);
        /* a new process would load the checkpoint; do the same */
        assert_ok(nnc_model_load(scratch_path("resume.nnc"), &loaded));
        o.epochs = 4;
        o.checkpoint = NULL;
        o.resume = scratch_path("resume.nnc");
        assert_ok(nnc_train(loaded, d, &o, NULL));
        assert_memory_equal(nnc_net_params(once), nnc_net_params(loaded),
                            nnc_net_param_count(once) * sizeof(float));
        assert_int_equal(nnc_net_record(loaded)->epochs, 4);
        /* resuming with another optimiser is refused */
        o.optimizer = kinds[(k + 1) % 3];
        assert_int_equal(nnc_train(loaded, d, &o, NULL), NNC_ERR_MISMATCH);
        nnc_net_free(once);
        nnc_net_free(loaded);
    }
    nnc_data_free(v);
    nnc_data_free(d);
}

/* --resume brings the run's settings back: the resumed run equals the
 * uninterrupted one byte for byte; a different setting is refused, --epochs
 * may change, and a finished run says so. */
static void resume_keeps_the_runs_settings(void **state)
{
    (void)state;
    FILE *f = fopen(scratch_path("resume.csv"), "w");
    assert_non_null(f);
    uint64_t seed = 3;
    for (int r = 0; r < 300; r++)
        fprintf(f, "%d,%.4f,%.4f,%.4f,%.4f\n", r % 3, test_uniform(&seed, 0, 1),
                test_uniform(&seed, 0, 1), test_uniform(&seed, 0, 1), test_uniform(&seed, 0, 1));
    fclose(f);
    const char *run = "--data test-scratch/resume.csv --layers 4,6,3 --lambda 1 --eta 0.5 "
                      "--optimizer momentum --batch 7";
    char cmd[1024], out[4096];
    snprintf(cmd, sizeof cmd, "nnc train %s --epochs 3 --checkpoint test-scratch/settings-ck.nnc",
             run);
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    unsigned next;
    assert_ok(nnc_checkpoint_settings("test-scratch/settings-ck.nnc", &o, &next));
    assert_int_equal(next, 3);
    assert_int_equal(o.epochs, 3);
    assert_int_equal(o.batch_size, 7);
    assert_true(o.eta == 0.5f && o.lambda == 1.0f && o.optimizer == NNC_OPT_MOMENTUM);
    assert_int_equal(run_command("nnc train --data test-scratch/resume.csv --resume "
                                 "test-scratch/settings-ck.nnc --epochs 5 "
                                 "--save test-scratch/resumed.nnc", out, sizeof out), 0);
    if (!strstr(out, "resuming test-scratch/settings-ck.nnc at epoch 3 of 5") ||
        !strstr(out, "mini-batch 7, eta 0.5"))
        fail_msg("%s", out);
    snprintf(cmd, sizeof cmd, "nnc train %s --epochs 5 --save test-scratch/straight.nnc", run);
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    /* the same network, record and history; only the epochs' timings differ */
    nnc_net *a, *b;
    assert_ok(nnc_model_load(scratch_path("resumed.nnc"), &a));
    assert_ok(nnc_model_load(scratch_path("straight.nnc"), &b));
    assert_int_equal(nnc_net_param_count(a), nnc_net_param_count(b));
    assert_memory_equal(nnc_net_params(a), nnc_net_params(b),
                        nnc_net_param_count(a) * sizeof(float));
    assert_memory_equal(nnc_net_record(a), nnc_net_record(b), sizeof(nnc_train_record));
    size_t a_len, b_len;
    const nnc_epoch_report *ha = nnc_net_history(a, &a_len), *hb = nnc_net_history(b, &b_len);
    assert_int_equal(a_len, 5);
    assert_int_equal(b_len, 5);
    for (size_t e = 0; e < 5; e++) {
        assert_int_equal(ha[e].epoch, e);
        assert_int_equal(hb[e].epoch, e);
        assert_true(ha[e].eta == hb[e].eta);
        assert_memory_equal(&ha[e].train, &hb[e].train, sizeof ha[e].train);
        assert_memory_equal(&ha[e].test, &hb[e].test, sizeof ha[e].test);
    }
    nnc_net_free(a);
    nnc_net_free(b);
    assert_int_equal(run_command("nnc train --data test-scratch/resume.csv --resume "
                                 "test-scratch/settings-ck.nnc --eta 0.1", out, sizeof out), 2);
    assert_non_null(strstr(out, "a resumed run keeps its settings"));
    assert_int_equal(run_command("nnc train --data test-scratch/resume.csv --resume "
                                 "test-scratch/settings-ck.nnc --layers 4,9,3", out, sizeof out),
                     2);
    assert_non_null(strstr(out, "leave --layers out"));
    /* the resumed run went on writing the checkpoint it resumed */
    assert_ok(nnc_checkpoint_settings("test-scratch/settings-ck.nnc", &o, &next));
    assert_int_equal(next, 5);
    assert_int_equal(run_command("nnc train --data test-scratch/resume.csv --resume "
                                 "test-scratch/settings-ck.nnc", out, sizeof out), 0);
    assert_non_null(strstr(out, "already at epoch 5 of 5"));
}

/* The epochs' measures as the run reported them, kept through save and load
 * and continued by a second run; a history that claims more epochs than the
 * file holds is refused. */
typedef struct {
    nnc_epoch_report seen[8];
    unsigned         n;
} seen_reports;

static int keep_report(nnc_net *net, const nnc_epoch_report *r, void *user)
{
    (void)net;
    seen_reports *s = user;
    s->seen[s->n++] = *r;
    return 0;
}

static void history_is_saved_with_the_model(void **state)
{
    (void)state;
    enum { N = 60, IN = 4 };
    uint64_t st = 5;
    float x[N * IN];
    uint8_t labels[N];
    for (int i = 0; i < N * IN; i++)
        x[i] = test_uniform(&st, 0, 1);
    for (int i = 0; i < N; i++)
        labels[i] = (uint8_t)(x[i * IN] > 0.5f);
    nnc_data *d;
    assert_ok(nnc_data_from_floats(x, labels, N, IN, &d));
    const size_t sizes[] = {IN, 5, 2};
    nnc_net *net, *back;
    assert_ok(nnc_net_create(sizes, 3, 9, &net));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    seen_reports seen = {.n = 0};
    o.epochs = 3, o.test = d, o.monitor = NNC_MONITOR_TEST_ACCURACY | NNC_MONITOR_TRAIN_COST;
    o.on_epoch = keep_report, o.user = &seen;
    assert_ok(nnc_train(net, d, &o, NULL));
    o.epochs = 2, o.eta = 1.5f;   /* a second run continues the numbering */
    assert_ok(nnc_train(net, d, &o, NULL));
    assert_ok(nnc_model_save(net, scratch_path("history.nnc")));
    assert_ok(nnc_model_load(scratch_path("history.nnc"), &back));
    size_t n;
    const nnc_epoch_report *h = nnc_net_history(back, &n);
    assert_int_equal(n, 5);
    for (unsigned e = 0; e < 5; e++) {
        assert_int_equal(h[e].epoch, e);
        assert_int_equal(h[e].test.n, N);
        assert_int_equal(h[e].test.correct, seen.seen[e].test.correct);
        assert_true(h[e].train.cost == seen.seen[e].train.cost);
        assert_true(h[e].train_seconds == seen.seen[e].train_seconds);
        assert_int_equal(h[e].valid.n, 0);   /* not measured */
        assert_true(h[e].eta == (e < 3 ? 3.0f : 1.5f));
    }
    nnc_net_free(back);
    /* 1000 epochs claimed: the file's size gives it away before anything is read */
    size_t len;
    uint8_t *bytes = read_all(scratch_path("history.nnc"), &len);
    size_t at = len - 4 - 5 * 160 - 4;   /* the count, before 5 entries and the CRC */
    assert_int_equal(bytes[at], 5);
    bytes[at] = 0xe8, bytes[at + 1] = 0x03;
    FILE *f = fopen(scratch_path("history-bad.nnc"), "wb");
    assert_non_null(f);
    fwrite(bytes, 1, len, f);
    fclose(f);
    free(bytes);
    assert_int_equal(nnc_model_load(scratch_path("history-bad.nnc"), &back), NNC_ERR_FORMAT);
    assert_non_null(strstr(nnc_last_error(), "truncated"));
    nnc_net_free(net);
    nnc_data_free(d);
}

/* The runs the version-1 files in tests/data were made by, before checkpoints
 * had a field for a regression's best validation RMSE: 40 samples of 4
 * inputs, the last 10 for validation; momentum, early stopping, 2 epochs of
 * a run of 4 saved as a checkpoint. */
static void old_run_data(int regression, nnc_data **train, nnc_data **valid)
{
    enum { N = 40, IN = 4 };
    float x[N * IN], y[N];
    uint8_t labels[N];
    uint64_t st = 23;
    for (int i = 0; i < N * IN; i++)
        x[i] = test_uniform(&st, 0, 1);
    for (int i = 0; i < N; i++) {
        labels[i] = x[i * IN] + x[i * IN + 1] > 1.0f;
        y[i] = 2.0f * x[i * IN] - x[i * IN + 2];
    }
    nnc_data *all;
    assert_ok(regression ? nnc_data_from_targets(x, y, N, IN, 1, &all)
                         : nnc_data_from_floats(x, labels, N, IN, &all));
    assert_ok(nnc_data_slice(all, 0, 30, train));
    assert_ok(nnc_data_slice(all, 30, 10, valid));
    nnc_data_free(all);
}

static nnc_net *old_run_net(int regression)
{
    const size_t sizes[] = {4, 3, regression ? 1 : 2};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    spec.cost = regression ? NNC_COST_MSE : NNC_COST_CROSS_ENTROPY;
    spec.init = NNC_INIT_SCALED;
    spec.seed = 3;
    nnc_net *net;
    assert_ok(nnc_net_create_spec(&spec, &net));
    return net;
}

static void old_run_opts(nnc_train_opts *o, const nnc_data *valid, int regression)
{
    nnc_train_opts_init(o);
    o->epochs = 4;
    o->batch_size = 7;
    o->eta = regression ? 0.05f : 0.5f;
    o->optimizer = NNC_OPT_MOMENTUM;
    o->validation = valid;
    o->monitor = NNC_MONITOR_VALID_ACCURACY;
    o->early_stop = 3;
}

/* Version-1 files (made before checkpoints had an RMSE field) still load:
 * a model, and checkpoints with their real values: the parameters of a
 * fresh identical run, the settings and state it saved, and a resumed run
 * that ends where the uninterrupted one does. */
static void version_1_files_load(void **state)
{
    (void)state;
    nnc_net *golden = tiny_net(), *old;
    assert_ok(nnc_model_load(SRC("tests/data/old-model-v1.nnc"), &old));
    assert_memory_equal(nnc_net_params(golden), nnc_net_params(old),
                        nnc_net_param_count(old) * sizeof(float));
    nnc_net_free(golden);
    nnc_net_free(old);
    const char *files[2] = {SRC("tests/data/old-checkpoint-v1.nnc"),
                            SRC("tests/data/old-checkpoint-v1-regression.nnc")};
    for (int regression = 0; regression < 2; regression++) {
        nnc_data *train, *valid;
        old_run_data(regression, &train, &valid);
        nnc_train_opts o;
        old_run_opts(&o, valid, regression);
        /* the checkpoint holds the parameters of 2 epochs of the run */
        nnc_net *fresh = old_run_net(regression), *loaded;
        o.epochs = 2;
        nnc_train_summary two;
        assert_ok(nnc_train(fresh, train, &o, &two));
        assert_ok(nnc_model_load(files[regression], &loaded));
#if defined(__x86_64__)
        assert_memory_equal(nnc_net_params(fresh), nnc_net_params(loaded),
                            nnc_net_param_count(fresh) * sizeof(float));
#else   /* the files were trained by x86-64's kernels; the portable ones differ in last bits */
        for (size_t i = 0; i < nnc_net_param_count(fresh); i++)
            assert_float_equal(nnc_net_params(fresh)[i], nnc_net_params(loaded)[i], 1e-4);
#endif
        assert_int_equal(nnc_net_record(loaded)->epochs, 2);
        /* its settings and state */
        nnc_train_opts saved;
        unsigned next;
        assert_ok(nnc_checkpoint_settings(files[regression], &saved, &next));
        assert_int_equal(next, 2);
        assert_int_equal(saved.epochs, 2);
        assert_int_equal(saved.batch_size, 7);
        assert_int_equal(saved.optimizer, NNC_OPT_MOMENTUM);
        assert_int_equal(saved.early_stop, 3);
        assert_true(saved.eta == o.eta);
        nnc__run_state st;
        nnc_net *shape = old_run_net(regression);
        assert_ok(nnc__checkpoint_load(files[regression], shape, 1, 1, &st));
        assert_int_equal(st.best_epoch, two.best_epoch);
        if (regression) {   /* the RMSE comes out of the count's slot */
            assert_int_equal(st.best_valid_correct, 0);
#if defined(__x86_64__)
            assert_true(st.best_valid_rmse == (float)two.best_valid_rmse);
#else
            assert_float_equal(st.best_valid_rmse, two.best_valid_rmse, 1e-4);
#endif
            assert_true(st.best_valid_rmse > 0.5f && st.best_valid_rmse < 0.6f);
        } else {
            assert_int_equal(st.best_valid_correct, two.best_valid_correct);
            assert_true(isnan(st.best_valid_rmse));
        }
        nnc__run_state_free(&st);
        nnc_net_free(shape);
        /* resumed for 2 more epochs: the uninterrupted run of 4 */
        nnc_net *once = old_run_net(regression);
        nnc_train_summary whole, resumed;
        o.epochs = 4;
        assert_ok(nnc_train(once, train, &o, &whole));
        o.resume = files[regression];
        assert_ok(nnc_train(loaded, train, &o, &resumed));
        assert_int_equal(whole.best_epoch, resumed.best_epoch);
        assert_int_equal(whole.best_valid_correct, resumed.best_valid_correct);
#if defined(__x86_64__)
        assert_memory_equal(nnc_net_params(once), nnc_net_params(loaded),
                            nnc_net_param_count(once) * sizeof(float));
        assert_true(regression ? whole.best_valid_rmse == resumed.best_valid_rmse
                               : isnan(resumed.best_valid_rmse));
#else   /* resumed from x86-64's parameters, continued by the portable kernels */
        for (size_t i = 0; i < nnc_net_param_count(once); i++)
            assert_float_equal(nnc_net_params(once)[i], nnc_net_params(loaded)[i], 1e-4);
        if (regression)
            assert_float_equal(whole.best_valid_rmse, resumed.best_valid_rmse, 1e-4);
#endif
        nnc_net_free(once);
        nnc_net_free(loaded);
        nnc_net_free(fresh);
        nnc_data_free(train);
        nnc_data_free(valid);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(resume_keeps_the_runs_settings),
    cmocka_unit_test(history_is_saved_with_the_model),
    cmocka_unit_test(save_load_gives_identical_outputs),
    cmocka_unit_test(golden_file_is_stable),
    cmocka_unit_test(every_corruption_is_refused),
    cmocka_unit_test(model_errors_say_what_is_wrong),
    cmocka_unit_test(failed_saves_leave_nothing_behind),
    cmocka_unit_test(files_appear_only_when_complete),
    cmocka_unit_test(network2_json_from_numpy_matches),
    cmocka_unit_test(network2_json_is_checked_before_allocating),
    cmocka_unit_test(resumed_training_is_bit_identical),
    cmocka_unit_test(version_1_files_load),
};
TEST_GROUP(model_tests, "model", tests);
