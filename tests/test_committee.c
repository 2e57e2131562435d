/* test_committee.c — several classifiers judging as one
 * (nnc_committee_confusion, `nnc eval MODEL MODEL...`): a committee of one
 * is the network, the class is that of the members' outputs averaged, and
 * members must agree on their inputs and outputs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

enum { N = 300, IN = 5, OUT = 4 };

/* N rows of IN inputs in [0, 1) and labels 0 .. OUT-1 (x: N x IN). */
static nnc_data *rows(float *x)
{
    uint64_t st = 29;
    uint8_t labels[N];
    for (int i = 0; i < N * IN; i++)
        x[i] = test_uniform(&st, 0, 1);
    for (int i = 0; i < N; i++)
        labels[i] = (uint8_t)(i % OUT);
    nnc_data *d;
    assert_ok(nnc_data_from_floats(x, labels, N, IN, &d));
    return d;
}

/* A softmax classifier IN -> hidden -> OUT drawn from seed. */
static nnc_net *member(size_t hidden, size_t out, uint64_t seed)
{
    const size_t sizes[] = {IN, hidden, out};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    spec.cost = NNC_COST_SOFTMAX_LOGLIK;
    spec.hidden = NNC_ACT_TANH;
    spec.seed = seed;
    nnc_net *net;
    assert_ok(nnc_net_create_spec(&spec, &net));
    return net;
}

static void a_committee_of_one_is_the_network(void **state)
{
    (void)state;
    float x[N * IN];
    nnc_data *d = rows(x);
    nnc_net *net = member(7, OUT, 3);
    size_t alone[OUT * OUT], one[OUT * OUT], twice[OUT * OUT];
    assert_ok(nnc_confusion_matrix(net, d, alone));
    const nnc_net *members[] = {net, net};
    assert_ok(nnc_committee_confusion(members, 1, d, one));
    assert_ok(nnc_committee_confusion(members, 2, d, twice));
    assert_memory_equal(alone, one, sizeof one);
    assert_memory_equal(alone, twice, sizeof twice);   /* the same outputs averaged */
    nnc_net_free(net);
    nnc_data_free(d);
}

static void the_class_is_that_of_the_outputs_averaged(void **state)
{
    (void)state;
    float x[N * IN];
    nnc_data *d = rows(x);
    nnc_net *nets[3] = {member(6, OUT, 1), member(9, OUT, 2), member(4, OUT, 3)};
    float out[3][N * OUT];
    size_t want[OUT * OUT] = {0}, got[OUT * OUT];
    for (int m = 0; m < 3; m++)
        assert_ok(nnc_feedforward(nets[m], x, N, out[m]));
    size_t differ = 0;   /* rows where the committee overrules a member */
    for (int i = 0; i < N; i++) {
        size_t best = 0, first = 0;
        float mean[OUT];
        for (int j = 0; j < OUT; j++) {
            mean[j] = (out[0][i * OUT + j] + out[1][i * OUT + j] + out[2][i * OUT + j]) / 3;
            best = mean[j] > mean[best] ? (size_t)j : best;
            first = out[0][i * OUT + j] > out[0][i * OUT + first] ? (size_t)j : first;
        }
        want[(i % OUT) * OUT + best]++;
        differ += best != first;
    }
    assert_ok(nnc_committee_confusion((const nnc_net *const *)nets, 3, d, got));
    assert_memory_equal(want, got, sizeof got);
    assert_true(differ > 10);   /* the members disagree, so the test can tell */
    for (int m = 0; m < 3; m++)
        nnc_net_free(nets[m]);
    nnc_data_free(d);
}

static void members_must_agree(void **state)
{
    (void)state;
    float x[N * IN];
    nnc_data *d = rows(x);
    nnc_net *a = member(5, OUT, 1), *b = member(5, OUT + 1, 2);
    const nnc_net *members[] = {a, b};
    size_t cm[(OUT + 1) * (OUT + 1)];
    assert_int_equal(nnc_committee_confusion(members, 2, d, cm), NNC_ERR_MISMATCH);
    assert_non_null(strstr(nnc_last_error(), "members must agree"));
    assert_int_equal(nnc_committee_confusion(members, 0, d, cm), NNC_ERR_ARG);
    nnc_net_free(a);
    nnc_net_free(b);
    nnc_data_free(d);
}

/* The command: each member's accuracy, then the committee's report. */
static void eval_takes_several_models(void **state)
{
    (void)state;
    FILE *f = fopen(scratch_path("committee.csv"), "w");
    assert_non_null(f);
    uint64_t seed = 8;
    for (int r = 0; r < 200; r++) {
        float a = test_uniform(&seed, 0, 1), b = test_uniform(&seed, 0, 1);
        fprintf(f, "%d,%.4f,%.4f\n", a + b > 1.0f, a, b);
    }
    fclose(f);
    char out[8192];
    for (int s = 1; s <= 2; s++) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "nnc train --data test-scratch/committee.csv --layers 2,4,2 "
                 "--epochs 3 --seed %d -q --save test-scratch/committee-%d.nnc", s, s);
        assert_int_equal(run_command(cmd, out, sizeof out), 0);
    }
    assert_int_equal(run_command("nnc eval --data test-scratch/committee.csv --all-rows "
                                 "test-scratch/committee-1.nnc test-scratch/committee-2.nnc",
                                 out, sizeof out), 0);
    if (!strstr(out, "member 1, test-scratch/committee-1.nnc: ") ||
        !strstr(out, "member 2, test-scratch/committee-2.nnc: ") ||
        !strstr(out, "committee of 2 (outputs averaged)") || !strstr(out, "confusion matrix"))
        fail_msg("%s", out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_committee_of_one_is_the_network),
    cmocka_unit_test(the_class_is_that_of_the_outputs_averaged),
    cmocka_unit_test(members_must_agree),
    cmocka_unit_test(eval_takes_several_models),
};
TEST_GROUP(committee_tests, "committee", tests);
