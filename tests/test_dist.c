/* test_dist.c — training across processes: the fixed tree of shard sums,
 * sharded training in one process, and `mpirun -np K nnc train` for K = 1..4
 * giving the same bits, resumed with another K, writing from rank 0 only,
 * and ending every process with one message when one of them fails. */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "testutil.h"
#include "dist/shard_sum.h"
#include "dist/tree.h"

/* ---- the tree ------------------------------------------------------------- */

/* 1 if [lo, hi) is a node of the tree over [0, shards). */
static int is_node(unsigned a, unsigned b, unsigned lo, unsigned hi)
{
    if (a == lo && b == hi)
        return 1;
    if (b - a < 2 || lo < a || hi > b)
        return 0;
    unsigned mid = nnc__tree_mid(a, b);
    return is_node(a, mid, lo, hi) || is_node(mid, b, lo, hi);
}

/* Every process's cover is made of tree nodes, largest first from the
 * left, and the covers of all processes tile the shards in order. */
static void covers_tile_the_shards(void **state)
{
    (void)state;
    for (unsigned shards = 1; shards <= 40; shards++)
        for (unsigned size = 1; size <= shards; size++) {
            unsigned next = 0;
            for (unsigned rank = 0; rank < size; rank++) {
                unsigned lo, hi;
                nnc__tree_share(shards, rank, size, &lo, &hi);
                assert_true(hi > lo);   /* every process has a shard */
                assert_int_equal(lo, next);
                nnc__tree_node nodes[64];
                size_t n = nnc__tree_cover(shards, lo, hi, nodes);
                assert_true(n >= 1 && n <= 2 * (size_t)(nnc__tree_depth(shards) + 1));
                for (size_t i = 0; i < n; i++) {
                    assert_int_equal(nodes[i].lo, next);
                    assert_true(is_node(0, shards, nodes[i].lo, nodes[i].hi));
                    /* largest: the node's parent does not lie inside [lo, hi) */
                    next = nodes[i].hi;
                }
                assert_int_equal(next, hi);
            }
            assert_int_equal(next, shards);
        }
}

/* Shards whose float sum depends on the order of its additions. */
static const float leaf_values[5][2] = {
    {1e8f, 1.0f}, {1.0f, 3.0f}, {-1e8f, 1e-3f}, {1.0f, -3.0f}, {0.5f, 7.0f}};

static void tally_leaf(void *ctx, unsigned shard, unsigned shards, double *tally)
{
    (void)ctx, (void)shards;
    tally[0] = shard + 1;
}

/* Part p of a shard's "gradient" is its value p (the sum is in two parts). */
static void copy_leaf(void *ctx, unsigned shard, size_t p, float *out)
{
    (void)ctx;
    out[0] = leaf_values[shard][p];
}

/* A process alone adds its shards in the tree: left to right, each node
 * its left half plus its right (five shards: (s0 + s1) + (s2 + (s3 + s4))). */
static void alone_adds_in_the_tree(void **state)
{
    (void)state;
    nnc__shard_sum *x;
    const nnc__sum_part parts[] = {{0, 1}, {1, 1}};
    assert_ok(nnc__shard_sum_create(NULL, 5, NNC_REDUCE_FIXED, 2, parts, 2, 1, 1, &x));
    assert_int_equal(nnc__shard_sum_shards(x), 5);
    float sum[2];
    double tallies[5], flags[1] = {4.0};
    nnc__shard_work work = {tally_leaf, copy_leaf, NULL};
    assert_ok(nnc__shard_sum_run(x, &work, sum, tallies, flags));
    for (int j = 0; j < 2; j++) {
        volatile float a = leaf_values[0][j] + leaf_values[1][j];
        volatile float b = leaf_values[3][j] + leaf_values[4][j];
        volatile float c = leaf_values[2][j] + b;
        float tree = a + c;
        volatile float in_order = leaf_values[0][j] + leaf_values[1][j];
        for (int s = 2; s < 5; s++)
            in_order += leaf_values[s][j];
        assert_true(memcmp(&sum[j], &tree, sizeof tree) == 0);
        if (j == 0)   /* the values are chosen so that the order shows */
            assert_true(tree != in_order);
    }
    for (int s = 0; s < 5; s++)
        assert_true(tallies[s] == s + 1);
    assert_true(flags[0] == 4.0);
    nnc__shard_sum_free(x);
}

static void group_needs_a_shard_each(void **state)
{
    (void)state;
    nnc__shard_sum *x;
    const nnc__sum_part whole = {0, 2}, past = {1, 2};
    assert_int_equal(nnc__shard_sum_create(NULL, 0, NNC_REDUCE_FIXED, 2, &whole, 1, 1, 0, &x),
                     NNC_ERR_ARG);
    assert_int_equal(nnc__shard_sum_create(NULL, 5000, NNC_REDUCE_FIXED, 2, &whole, 1, 1, 0,
                                           &x), NNC_ERR_ARG);
    assert_int_equal(nnc__shard_sum_create(NULL, 4, NNC_REDUCE_FIXED, 2, &past, 1, 1, 0, &x),
                     NNC_ERR_ARG);
}

/* ---- sharded training in one process ---------------------------------------- */

/* A small classification problem: n rows of 10 inputs, 3 classes. */
static nnc_data *toy_data(size_t n, uint64_t seed)
{
    float *x = malloc(n * 10 * sizeof *x), *y = calloc(n * 3, sizeof *y);
    uint64_t st = seed;
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < 10; j++)
            x[i * 10 + j] = test_uniform(&st, -1.0f, 1.0f);
        int c = (x[i * 10] + x[i * 10 + 1] > 0.2f) + (x[i * 10 + 2] > x[i * 10 + 3]);
        y[i * 3 + c] = 1.0f;
    }
    nnc_data *d;
    assert_ok(nnc_data_from_targets(x, y, n, 10, 3, &d));
    free(x);
    free(y);
    return d;
}

static nnc_net *toy_net(void)
{
    nnc_net *net;
    size_t sizes[] = {10, 24, 16, 3};
    assert_ok(nnc_net_create(sizes, 4, 7, &net));
    return net;
}

static void train_toy(nnc_net *net, nnc_data *d, unsigned shards, unsigned threads,
                      nnc_optimizer opt, float dropout, size_t batch)
{
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 2, o.batch_size = batch, o.eta = opt == NNC_OPT_SGD ? 2.0f : 0.05f;
    o.optimizer = opt, o.dropout = dropout, o.lambda = 0.5f;
    o.shards = shards, o.threads = threads;
    assert_ok(nnc_train(net, d, &o, NULL));
}

/* The shards' gradients add up to the batch's: two steps on the whole
 * data cut into shards follow the uncut steps within float rounding (over
 * many steps rounding grows: SGD is chaotic), and a sharded run has its own
 * bits on any number of threads. */
static void shards_sum_to_the_batch(void **state)
{
    (void)state;
    nnc_data *d = toy_data(900, 3);
    nnc_net *whole = toy_net(), *sharded = toy_net(), *two_threads = toy_net();
    train_toy(whole, d, 0, 1, NNC_OPT_SGD, 0.0f, 900);
    train_toy(sharded, d, 6, 1, NNC_OPT_SGD, 0.0f, 900);
    nnc_net *many = toy_net(), *many_two = toy_net();
    train_toy(many, d, 6, 1, NNC_OPT_SGD, 0.0f, 37);
    train_toy(many_two, d, 6, 2, NNC_OPT_SGD, 0.0f, 37);
    size_t n = nnc_net_param_count(whole);
    const float *a = nnc_net_params_const(whole), *b = nnc_net_params_const(sharded);
    double worst = 0.0, largest = 0.0;
    for (size_t i = 0; i < n; i++) {
        worst = fmax(worst, fabs((double)a[i] - b[i]));
        largest = fmax(largest, fabs((double)a[i]));
    }
    if (worst > 1e-5 * largest)
        fail_msg("sharded and whole-batch parameters differ by %g (largest %g)", worst,
                 largest);
    assert_true(memcmp(a, b, n * sizeof *a) != 0);   /* another order of sums */
    assert_memory_equal(nnc_net_params_const(many), nnc_net_params_const(many_two),
                        n * sizeof *b);
    nnc_net_free(whole);
    nnc_net_free(sharded);
    nnc_net_free(two_threads);
    nnc_net_free(many);
    nnc_net_free(many_two);
    nnc_data_free(d);
}

/* Dropout's masks come from each shard's own stream, and the optimisers
 * take the summed gradient: still the same bits on any thread count. */
static void sharded_dropout_and_adam_repeat(void **state)
{
    (void)state;
    nnc_data *d = toy_data(600, 5);
    nnc_net *one = toy_net(), *two = toy_net();
    train_toy(one, d, 8, 1, NNC_OPT_ADAM, 0.3f, 50);
    train_toy(two, d, 8, 2, NNC_OPT_ADAM, 0.3f, 50);
    assert_memory_equal(nnc_net_params_const(one), nnc_net_params_const(two),
                        nnc_net_param_count(one) * sizeof(float));
    nnc_net_free(one);
    nnc_net_free(two);
    nnc_data_free(d);
}

/* A process not started by an MPI launcher is a group of one, without
 * MPI; a build without MPI refuses to be started by one. */
static void alone_without_a_launcher(void **state)
{
    (void)state;
    nnc_dist *d;
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK")) {
        assert_ok(nnc_dist_join(NULL, NULL, &d));
        assert_int_equal(nnc_dist_rank(d), 0);
        assert_int_equal(nnc_dist_size(d), 1);
        assert_int_equal(nnc_dist_agree(d, NNC_OK, NULL), NNC_OK);
        assert_int_equal(nnc_dist_agree(d, NNC_ERR_IO, "a disk fell off"), NNC_ERR_IO);
        assert_string_equal(nnc_last_error(), "a disk fell off");
        nnc_dist_leave(d);
    }
    if (nnc_dist_available())
        return;
    setenv("PMI_SIZE", "2", 1);
    assert_int_equal(nnc_dist_join(NULL, NULL, &d), NNC_ERR_ARG);
    unsetenv("PMI_SIZE");
    assert_non_null(strstr(nnc_last_error(), "built without MPI"));
}

/* ---- mpirun -np K nnc train ----------------------------------------------- */

/* A table for the runs: 1,200 rows of 12 inputs, three named classes. */
static const char *table(void)
{
    static char path[512];
    if (path[0])
        return path;
    snprintf(path, sizeof path, "%s", scratch_path("dist-table.csv"));
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    uint64_t st = 11;
    for (int j = 0; j < 12; j++)
        fprintf(f, "x%d,", j);
    fprintf(f, "kind\n");
    for (int i = 0; i < 1200; i++) {
        float x[12];
        for (int j = 0; j < 12; j++) {
            x[j] = test_uniform(&st, -2.0f, 2.0f);
            fprintf(f, "%.4f,", (double)x[j]);
        }
        int c = (x[0] + x[1] > 0.3f) + (x[2] > x[3]);
        fprintf(f, "%s\n", c == 0 ? "low" : c == 1 ? "mid" : "high");
    }
    fclose(f);
    return path;
}

/* The test skips where no mpirun can start processes of this nnc. */
static int have_mpirun(void)
{
#ifdef NNC_TEST_SANITIZED
    return 0;   /* MPI's own allocations at exit would be counted as leaks */
#endif
    char out[4096];
    return nnc_dist_available() && run_command("mpirun --version", out, sizeof out) == 0;
}

#define MPIRUN "mpirun --allow-run-as-root --oversubscribe -x OMPI_MCA_rmaps_base_oversubscribe -np"

/* Runs `mpirun -np k nnc train ARGS` on the table; returns its exit status. */
static int mpirun_train(unsigned k, const char *args, char *out, size_t cap)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             MPIRUN " %u %s train -d %s --label kind --hidden 24,16 --test-split 0.2 "
             "--batch 40 --seed 3 %s",
             k, nnc_command(), table(), args);
    return run_command(cmd, out, cap);
}

static nnc_net *load(const char *name)
{
    nnc_net *net;
    assert_ok(nnc_model_load(scratch_path(name), &net));
    return net;
}

static void assert_same_params(const char *a_name, const char *b_name)
{
    nnc_net *a = load(a_name), *b = load(b_name);
    assert_int_equal(nnc_net_param_count(a), nnc_net_param_count(b));
    if (memcmp(nnc_net_params_const(a), nnc_net_params_const(b),
               nnc_net_param_count(a) * sizeof(float)))
        fail_msg("%s and %s differ", a_name, b_name);
    nnc_net_free(a);
    nnc_net_free(b);
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)); p++)
        n++;
    return n;
}

/* K = 1, 2, 3, 4 processes give the parameters' bits of one process alone
 * with --shards 8, with momentum, L2 and dropout; the epoch lines and the
 * saved file come from rank 0 alone. */
static void any_number_of_processes(void **state)
{
    (void)state;
    if (!have_mpirun())
        SKIP_TEST("no MPI in this build, or no mpirun");
    static char out[65536];
    const char *how = "--epochs 3 --optimizer momentum --eta 0.2 --lambda 1 --dropout 0.2";
    char cmd[2048], name[64], metrics[512];
    const char *data = table();
    snprintf(metrics, sizeof metrics, "%s", scratch_path("dist-metrics.csv"));
    snprintf(cmd, sizeof cmd,
             "nnc train -d %s --label kind --hidden 24,16 --test-split 0.2 --batch 40 "
             "--seed 3 %s --shards 8 -o %s", data, how, scratch_path("dist-alone.nnc"));
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    for (unsigned k = 1; k <= 4; k++) {
        snprintf(name, sizeof name, "dist-k%u.nnc", k);
        snprintf(cmd, sizeof cmd, "%s -o %s --metrics %s", how, scratch_path(name), metrics);
        if (mpirun_train(k, cmd, out, sizeof out) != 0)
            fail_msg("mpirun -np %u: %s", k, out);
        assert_int_equal(count(out, "Epoch 2:"), 1);   /* rank 0's lines only */
        assert_int_equal(count(out, "saved "), 1);
        assert_same_params("dist-alone.nnc", name);
    }
    FILE *f = fopen(metrics, "r");
    assert_non_null(f);
    int lines = 0;
    for (int c; (c = fgetc(f)) != EOF;)
        lines += c == '\n';
    fclose(f);
    assert_int_equal(lines, 1 + 3);   /* a header and three epochs, written once */
}

/* A run checkpointed by 3 processes and resumed by 1, then 2, ends with
 * the bits of an uninterrupted run of 4. */
static void resumed_with_other_counts(void **state)
{
    (void)state;
    if (!have_mpirun())
        SKIP_TEST("no MPI in this build, or no mpirun");
    table();   /* written before other scratch paths are asked for */
    static char out[65536];
    char args[1024];
    snprintf(args, sizeof args, "--epochs 4 --optimizer adam --eta 0.01 -o %s",
             scratch_path("dist-straight.nnc"));
    assert_int_equal(mpirun_train(4, args, out, sizeof out), 0);
    snprintf(args, sizeof args, "--epochs 2 --optimizer adam --eta 0.01 --checkpoint %s",
             scratch_path("dist-ck.nnc"));
    assert_int_equal(mpirun_train(3, args, out, sizeof out), 0);
    snprintf(args, sizeof args, "--epochs 3 --resume %s", scratch_path("dist-ck.nnc"));
    if (mpirun_train(1, args, out, sizeof out) != 0)
        fail_msg("resume: %s", out);
    char resumed[512];
    snprintf(resumed, sizeof resumed, "%s", scratch_path("dist-resumed.nnc"));
    snprintf(args, sizeof args, "--epochs 4 --resume %s -o %s", scratch_path("dist-ck.nnc"),
             resumed);
    if (mpirun_train(2, args, out, sizeof out) != 0)
        fail_msg("resume: %s", out);
    assert_same_params("dist-straight.nnc", "dist-resumed.nnc");
}

/* The test accuracy after the third epoch of mpirun -np k nnc train ARGS. */
static unsigned third_epoch(unsigned k, const char *args)
{
    static char out[65536];
    if (mpirun_train(k, args, out, sizeof out) != 0)
        fail_msg("%s", out);
    const char *line = strstr(out, "Epoch 2: ");
    unsigned correct = 0;
    if (!line || sscanf(line, "Epoch 2: %u", &correct) != 1)
        fail_msg("no third epoch in: %s", out);
    return correct;
}

/* The fast reduction trains as well as the fixed one, without its bits. */
static void fast_reduction_trains(void **state)
{
    (void)state;
    if (!have_mpirun())
        SKIP_TEST("no MPI in this build, or no mpirun");
    table();
    unsigned fixed = third_epoch(2, "--epochs 3 --optimizer adam --eta 0.01");
    unsigned fast = third_epoch(2, "--epochs 3 --optimizer adam --eta 0.01 --reduce fast");
    assert_true(fixed > 150);   /* of 239; chance is 80 */
    assert_true(fast + 12 >= fixed && fixed + 12 >= fast);
}

static double seconds_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec * 1e-6;
}

/* A process that cannot read its data stops every process at once, with
 * one message naming it, and a failing exit. */
static void unreadable_data_on_one_rank(void **state)
{
    (void)state;
    if (!have_mpirun())
        SKIP_TEST("no MPI in this build, or no mpirun");
    static char out[65536];
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             MPIRUN " 3 sh -c 'd=%s; [ \"$OMPI_COMM_WORLD_RANK\" = 2 ] && d=%s.missing; "
             "exec %s train -d $d --label kind --hidden 8 --epochs 50'",
             table(), table(), nnc_command());
    double t0 = seconds_now();
    int st = run_command(cmd, out, sizeof out);
    assert_true(seconds_now() - t0 < 20.0);
    assert_int_not_equal(st, 0);
    assert_int_equal(count(out, "nnc: rank 2: "), 1);
    assert_non_null(strstr(out, ".missing"));
    assert_null(strstr(out, "Epoch 1:"));
}

/* A process killed mid-run ends the others within seconds, never a hang. */
static void killed_rank_ends_the_run(void **state)
{
    (void)state;
    if (!have_mpirun())
        SKIP_TEST("no MPI in this build, or no mpirun");
    static char out[65536];
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             MPIRUN " 2 sh -c '[ \"$OMPI_COMM_WORLD_RANK\" = 1 ] && (sleep 2; kill -9 $$) & "
             "exec %s train -d %s --label kind --hidden 64,64 --batch 4 --epochs 100000'",
             nnc_command(), table());
    double t0 = seconds_now();
    int st = run_command(cmd, out, sizeof out);
    double took = seconds_now() - t0;
    assert_int_not_equal(st, 0);
    if (took > 12.0)
        fail_msg("the run took %.1f s to end after a rank was killed", took);
    assert_true(strstr(out, "signal 9") || strstr(out, "Killed") || strstr(out, "killed"));
}

/* Ctrl-C on mpirun: it passes SIGTERM on, every process stops after the
 * same batch, and rank 0 saves the network and keeps the last checkpoint. */
static void interrupted_group_saves(void **state)
{
    (void)state;
    if (!have_mpirun())
        SKIP_TEST("no MPI in this build, or no mpirun");
    static char out[65536];
    char cmd[4096], saved[512], kept[512];
    const char *data = table();
    snprintf(saved, sizeof saved, "%s", scratch_path("dist-interrupted.nnc"));
    snprintf(kept, sizeof kept, "%s", scratch_path("dist-interrupted-ck.nnc"));
    remove(saved);
    remove(kept);
    snprintf(cmd, sizeof cmd,
             "sh -c '" MPIRUN " 2 %s train -d %s --label kind --hidden 64,64 --batch 4 "
             "--epochs 100000 -q --checkpoint %s -o %s & pid=$!; sleep 4; kill -INT $pid; "
             "wait $pid'", nnc_command(), data, kept, saved);
    double t0 = seconds_now();
    assert_int_not_equal(run_command(cmd, out, sizeof out), 0);
    assert_true(seconds_now() - t0 < 20.0);
    if (!strstr(out, "the network as it stands is saved in"))
        fail_msg("no save said: %s", out);
    assert_int_equal(count(out, "training stopped in epoch"), 1);   /* rank 0 alone */
    nnc_net *net = load("dist-interrupted.nnc"), *ck = load("dist-interrupted-ck.nnc");
    assert_true(nnc_net_record(net)->epochs >= 1);
    nnc_net_free(net);
    nnc_net_free(ck);
}

/* A group refuses more processes than shards, before any training. */
static void more_processes_than_shards(void **state)
{
    (void)state;
    if (!have_mpirun())
        SKIP_TEST("no MPI in this build, or no mpirun");
    table();   /* written before other scratch paths are asked for */
    static char out[65536];
    assert_int_not_equal(mpirun_train(3, "--shards 2", out, sizeof out), 0);
    assert_int_equal(count(out, "--shards 3 or more"), 1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(covers_tile_the_shards),
    cmocka_unit_test(alone_adds_in_the_tree),
    cmocka_unit_test(group_needs_a_shard_each),
    cmocka_unit_test(shards_sum_to_the_batch),
    cmocka_unit_test(sharded_dropout_and_adam_repeat),
    cmocka_unit_test(alone_without_a_launcher),
    cmocka_unit_test(any_number_of_processes),
    cmocka_unit_test(resumed_with_other_counts),
    cmocka_unit_test(fast_reduction_trains),
    cmocka_unit_test(unreadable_data_on_one_rank),
    cmocka_unit_test(killed_rank_ends_the_run),
    cmocka_unit_test(interrupted_group_saves),
    cmocka_unit_test(more_processes_than_shards),
};

TEST_GROUP(dist_tests, "dist", tests);
