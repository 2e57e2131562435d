/* test_faults.c — what happens when things go wrong: training that
 * diverges, a run stopped by a flag or a signal, outputs that cannot be
 * written (refused before the work, never half-written), special files. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

enum { ROWS = 200, IN = 8, OUT = 3 };

/* A small classification problem: the class is the largest of three sums. */
static nnc_data *problem(void)
{
    static float x[ROWS * IN];
    static uint8_t labels[ROWS];
    uint64_t seed = 5;
    for (int i = 0; i < ROWS; i++) {
        float s[OUT] = {0, 0, 0};
        for (int j = 0; j < IN; j++)
            s[j % OUT] += x[i * IN + j] = test_uniform(&seed, 0.0f, 1.0f);
        labels[i] = (uint8_t)(s[1] > s[0] ? (s[2] > s[1] ? 2 : 1) : (s[2] > s[0] ? 2 : 0));
    }
    nnc_data *d;
    assert_ok(nnc_data_from_floats(x, labels, ROWS, IN, &d));
    return d;
}

static nnc_net *network(nnc_activation act, nnc_cost cost)
{
    const size_t sizes[] = {IN, 16, OUT};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    spec.hidden = act, spec.cost = cost, spec.seed = 3;
    nnc_net *net;
    assert_ok(nnc_net_create_spec(&spec, &net));
    return net;
}

/* A table the CLI can train on for a while: a wide hidden layer, many epochs. */
static void write_table(const char *name)
{
    FILE *f = fopen(scratch_path(name), "w");
    assert_non_null(f);
    uint64_t seed = 9;
    for (int r = 0; r < 400; r++) {
        fprintf(f, "%d", r % 3);
        for (int j = 0; j < IN; j++)
            fprintf(f, ",%.4f", test_uniform(&seed, 0.0f, 1.0f));
        fputc('\n', f);
    }
    fclose(f);
}

/* A learning rate far too large: NNC_ERR_DIVERGED naming the epoch and
 * batch, and the network as it was after the last whole epoch. */
static void divergence_stops_and_keeps_the_last_good_network(void **state)
{
    (void)state;
    nnc_data *d = problem();
    nnc_net *net = network(NNC_ACT_LEAKY_RELU, NNC_COST_SOFTMAX_LOGLIK);
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 1, o.eta = 0.05f, o.batch_size = 8;
    assert_ok(nnc_train(net, d, &o, NULL));   /* a first, sane epoch */
    nnc_net *good;
    assert_ok(nnc_net_clone(net, &good));
    o.epochs = 5, o.eta = 1e6f, o.optimizer = NNC_OPT_NESTEROV;
    assert_int_equal(nnc_train(net, d, &o, NULL), NNC_ERR_DIVERGED);
    const char *msg = nnc_last_error();
    if (!strstr(msg, "diverged in epoch") || !strstr(msg, "batch"))
        fail_msg("message '%s' should name the epoch and batch", msg);
    assert_memory_equal(nnc_net_params(net), nnc_net_params(good),
                        nnc_net_param_count(net) * sizeof(float));
    for (size_t i = 0; i < nnc_net_param_count(net); i++)
        assert_true(isfinite(nnc_net_params(net)[i]));
    nnc_net_free(good);
    nnc_net_free(net);
    nnc_data_free(d);
    /* the command: exit 1, the message, and the last good network saved */
    write_table("faults.csv");
    char out[4096];
    int status = run_command("nnc train --data test-scratch/faults.csv --layers 8,16,3 "
                             "--activation leaky-relu --cost softmax --optimizer nesterov "
                             "--eta 1e6 --epochs 3 --save test-scratch/diverged.nnc",
                             out, sizeof out);
    if (status != 1 || !strstr(out, "training diverged in epoch 0, batch") ||
        !strstr(out, "saved test-scratch/diverged.nnc"))
        fail_msg("exit %d: %s", status, out);
}

static int raise_flag(nnc_net *net, const nnc_epoch_report *r, void *user)
{
    (void)net, (void)r;
    *(volatile sig_atomic_t *)user = 1;
    return 0;
}

/* The stop flag ends the run after the batch in flight, with the network as
 * it stands, and says where. */
static void stop_flag_ends_the_run_cleanly(void **state)
{
    (void)state;
    nnc_data *d = problem();
    nnc_net *net = network(NNC_ACT_SIGMOID, NNC_COST_QUADRATIC);
    volatile sig_atomic_t stop = 0;
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 10, o.stop = &stop, o.on_epoch = raise_flag, o.user = (void *)&stop;
    nnc_train_summary sum;
    assert_int_equal(nnc_train(net, d, &o, &sum), NNC_ERR_INTERRUPTED);
    assert_int_equal(sum.epochs_run, 1);
    assert_int_equal(nnc_net_record(net)->epochs, 1);
    if (!strstr(nnc_last_error(), "stopped in epoch 1 before batch 0"))
        fail_msg("message '%s'", nnc_last_error());
    nnc_net_free(net);
    nnc_data_free(d);
}

static int has_temp_files(void)
{
    char out[256];
    return run_command("ls test-scratch | grep -c '\\.tmp-'", out, sizeof out) == 0;
}

/* Ctrl-C during training: the network is saved as it stands, stderr says so,
 * the exit status is 130, and no temporary file is left. */
static void sigint_saves_the_model_and_exits_130(void **state)
{
    (void)state;
    write_table("faults.csv");
    unlink(scratch_path("interrupted.nnc"));
    char cmd[1024], out[8192];
    snprintf(cmd, sizeof cmd,
             "(%s train --data test-scratch/faults.csv --test test-scratch/faults.csv "
             "--layers 8,400,3 --epochs 100000 --save test-scratch/interrupted.nnc >/dev/null & "
             "pid=$!; sleep 1; kill -INT $pid; wait $pid)", nnc_command());
    int status = run_command(cmd, out, sizeof out);
    if (status != 130 || !strstr(out, "interrupted: training stopped in epoch") ||
        !strstr(out, "saved in test-scratch/interrupted.nnc"))
        fail_msg("exit %d: %s", status, out);
    nnc_net *net;
    assert_ok(nnc_model_load(scratch_path("interrupted.nnc"), &net));
    nnc_net_free(net);
    assert_false(has_temp_files());
}

/* Outputs that cannot be written are refused before the first epoch. */
static void unwritable_outputs_are_refused_before_training(void **state)
{
    (void)state;
    write_table("faults.csv");
    char out[4096];
    const char *cases[][2] = {
        {"--save test-scratch/no/such/folder/m.nnc", "cannot create a file in its folder"},
        {"--save test-scratch", "is a folder"},
        {"--checkpoint /dev/null", "not a regular file"},
        {"--activation relu --save test-scratch/relu.json", "network2's format holds"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "nnc train --data test-scratch/faults.csv --layers 8,4,3 "
                 "--epochs 1 %s", cases[i][0]);
        int status = run_command(cmd, out, sizeof out);
        if (status != 1 || !strstr(out, cases[i][1]) || strstr(out, "Epoch"))
            fail_msg("%s: exit %d: %s", cases[i][0], status, out);
    }
}

/* Saving onto a symbolic link writes through to its target and keeps the
 * link; a FIFO is refused rather than waited on. */
static void links_are_written_through_and_fifos_refused(void **state)
{
    (void)state;
    nnc_net *net = network(NNC_ACT_SIGMOID, NNC_COST_QUADRATIC);
    char target[256], link[256];   /* scratch_path's buffer is reused */
    snprintf(target, sizeof target, "%s", scratch_path("link-target.nnc"));
    snprintf(link, sizeof link, "%s", scratch_path("link.nnc"));
    unlink(link);
    unlink(target);
    assert_int_equal(symlink("link-target.nnc", link), 0);
    assert_int_equal(nnc_model_save(net, link), NNC_ERR_IO);   /* a dangling link */
    FILE *f = fopen(target, "w");
    assert_non_null(f);
    fclose(f);
    assert_ok(nnc_model_save(net, link));
    struct stat sb;
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    assert_int_equal(stat(target, &sb), 0);
    assert_true(sb.st_size > 100);
    const char *fifo = scratch_path("model.fifo");
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(nnc_model_save(net, fifo), NNC_ERR_IO);
    assert_non_null(strstr(nnc_last_error(), "not a regular file"));
    unlink(fifo);
    nnc_net_free(net);
}

/* A save past the file-size limit (a full disk, as far as the program can
 * tell) fails with a message; the previous model is intact, nothing is left
 * behind, and the process is not killed by SIGXFSZ. */
static void a_full_disk_keeps_the_previous_model(void **state)
{
    (void)state;
    write_table("faults.csv");
    const char *old = "an earlier model\n";
    FILE *f = fopen(scratch_path("limited.nnc"), "w");
    assert_non_null(f);
    fputs(old, f);
    fclose(f);
    char cmd[1024], out[4096];
    snprintf(cmd, sizeof cmd,
             "(ulimit -f 20; %s train --data test-scratch/faults.csv --layers 8,2000,3 "
             "--epochs 1 --save test-scratch/limited.nnc)", nnc_command());
    int status = run_command(cmd, out, sizeof out);
    if (status != 1 || !strstr(out, "larger than the file-size limit") ||
        !strstr(out, "the previous file is kept"))
        fail_msg("exit %d: %s", status, out);
    char back[64] = "";
    f = fopen(scratch_path("limited.nnc"), "r");
    assert_non_null(f);
    assert_non_null(fgets(back, sizeof back, f));
    fclose(f);
    assert_string_equal(back, old);
    assert_false(has_temp_files());
}

/* Every reader refuses a FIFO, a device or a folder before opening it:
 * opening a FIFO waits for a writer, and /dev/zero never ends. */
static void special_files_are_refused_by_every_reader(void **state)
{
    (void)state;
    char fifo[256];
    snprintf(fifo, sizeof fifo, "%s", scratch_path("input.fifo"));
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *paths[] = {fifo, "/dev/zero", "test-scratch"};
    for (size_t i = 0; i < 3; i++) {
        nnc_data *d = NULL;
        nnc_net *net = NULL;
        float img[4];
        assert_int_equal(nnc_csv_load(paths[i], &d, NULL), NNC_ERR_IO);
        assert_int_equal(nnc_pickle_load(paths[i], &d, NULL, NULL), NNC_ERR_IO);
        assert_int_equal(nnc_idx_load(paths[i], paths[i], &d), NNC_ERR_IO);
        assert_int_equal(nnc_model_load(paths[i], &net), NNC_ERR_IO);
        assert_int_equal(nnc_image_load(paths[i], 2, 2, NNC_INVERT_NO, 0, img), NNC_ERR_IO);
        const char *want = i < 2 ? "not a regular file" : "is a folder";
        if (!strstr(nnc_last_error(), want))
            fail_msg("%s: '%s' should say '%s'", paths[i], nnc_last_error(), want);
    }
    unlink(fifo);
}

/* What cannot fit in memory is refused before anything is allocated, and a
 * mini-batch larger than the data is said to be so. */
static void what_cannot_fit_is_refused_up_front(void **state)
{
    (void)state;
    const size_t huge[] = {1u << 24, 1u << 24, 10};
    nnc_net *net = (nnc_net *)1;
    assert_int_equal(nnc_net_create(huge, 3, 0, &net), NNC_ERR_NOMEM);
    assert_null(net);
    if (!strstr(nnc_last_error(), "needs about") || !strstr(nnc_last_error(), "GB of memory"))
        fail_msg("'%s'", nnc_last_error());
    write_table("faults.csv");
    char out[4096];
    int status = run_command("nnc train --data test-scratch/faults.csv --layers 8,4,3 "
                             "--batch 1000000 --epochs 1", out, sizeof out);
    if (status != 0 || !strstr(out, "more than the 400 training samples") ||
        !strstr(out, "1 epoch,"))
        fail_msg("exit %d: %s", status, out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(what_cannot_fit_is_refused_up_front),
    cmocka_unit_test(special_files_are_refused_by_every_reader),
    cmocka_unit_test(divergence_stops_and_keeps_the_last_good_network),
    cmocka_unit_test(stop_flag_ends_the_run_cleanly),
    cmocka_unit_test(sigint_saves_the_model_and_exits_130),
    cmocka_unit_test(unwritable_outputs_are_refused_before_training),
    cmocka_unit_test(links_are_written_through_and_fifos_refused),
    cmocka_unit_test(a_full_disk_keeps_the_previous_model),
};
TEST_GROUP(faults_tests, "faults", tests);
