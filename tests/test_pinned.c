/* test_pinned.c — results that must not change without a decision.
 *
 * Short fixed runs of the nnc command on the portable kernels
 * (NNC_KERNELS=ref: the same arithmetic on every machine), their parameters
 * hashed and compared with the hashes the implementation gave when they were
 * pinned. A change that alters any result, however slightly, fails here;
 * if it is meant, update the hashes and say why in the commit. Also: the
 * fused SGD step equals the step as defined. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "math/backprop.h"
#include "testutil.h"

/* FNV-1a over the parameters' bytes */
static uint64_t params_hash(const char *model)
{
    nnc_net *net;
    assert_ok(nnc_model_load(model, &net));
    const unsigned char *p = (const unsigned char *)nnc_net_params_const(net);
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < nnc_net_param_count(net) * sizeof(float); i++)
        h = (h ^ p[i]) * 1099511628211u;
    nnc_net_free(net);
    return h;
}

/* Rows of a label 0-3 and 16 values in [0, 1], four decimals each. */
static void write_table(const char *name, size_t rows, uint64_t seed)
{
    FILE *f = fopen(scratch_path(name), "w");
    assert_non_null(f);
    for (size_t r = 0; r < rows; r++) {
        float v[16], sum = 0.0f;
        for (int j = 0; j < 16; j++)
            sum += v[j] = test_uniform(&seed, 0.0f, 1.0f);
        fprintf(f, "%d", (int)(sum * 0.25f) % 4);
        for (int j = 0; j < 16; j++)
            fprintf(f, ",%.4f", v[j]);
        fputc('\n', f);
    }
    fclose(f);
}

static void check_run(const char *options, const char *model, uint64_t want)
{
    char cmd[1024], out[4096];
    snprintf(cmd, sizeof cmd,
             "nnc train --data test-scratch/pin-train.csv --test test-scratch/pin-test.csv "
             "%s --save test-scratch/%s",
             options, model);
    setenv("NNC_KERNELS", "ref", 1);
    int status = run_command(cmd, out, sizeof out);
    unsetenv("NNC_KERNELS");
    if (status != 0)
        fail_msg("%s: exit %d: %s", cmd, status, out);
    char path[256];
    snprintf(path, sizeof path, "test-scratch/%s", model);
    uint64_t got = params_hash(path);
    if (got != want)
        fail_msg("%s: parameters hash to %016llx, pinned %016llx", options,
                 (unsigned long long)got, (unsigned long long)want);
}

static void short_runs_give_the_pinned_parameters(void **state)
{
    (void)state;
    write_table("pin-train.csv", 300, 1);
    write_table("pin-test.csv", 50, 2);
    /* the tutorial's network: sigmoid, quadratic cost, plain SGD */
    check_run("--layers 16,12,4 --epochs 3 --batch 7 --eta 0.5 --seed 5", "pin-sgd.nnc",
              0x22a2016b1692d588u);
    /* and what it grew into: ReLU, softmax, L2, momentum, dropout */
    check_run("--layers 16,20,12,4 --activation relu --cost softmax --init he --lambda 1 "
              "--optimizer momentum --eta 0.05 --dropout 0.2 --epochs 3 --batch 16 --seed 9",
              "pin-relu.nnc", 0x9a0b781a1074bac3u);
}

/* nnc__backward_sgd_step, which adds -(η/m)·∇ into W inside BP3 and BP4,
 * equals nnc__backward followed by nnc__sgd_update up to float rounding. */
static void fused_sgd_step_equals_the_defined_step(void **state)
{
    (void)state;
    const size_t sizes[] = {13, 9, 7, 5}, m = 6, L = 3;
    const float eta = 0.7f, decay = 0.99f;
    nnc_net *plain, *fused;
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 4);
    spec.seed = 4;
    assert_ok(nnc_net_create_spec(&spec, &plain));
    assert_ok(nnc_net_clone(plain, &fused));
    nnc__workspace *wp, *wf;
    assert_ok(nnc__workspace_create(plain, &(nnc__workspace_parts){.max_m = m}, &wp));
    assert_ok(nnc__workspace_create(fused, &(nnc__workspace_parts){.max_m = m}, &wf));
    uint64_t seed = 77;
    for (size_t i = 0; i < m * sizes[0]; i++)
        wp->a[0][i] = wf->a[0][i] = test_uniform(&seed, -1.0f, 1.0f);
    for (size_t i = 0; i < m * sizes[L]; i++)
        wp->y[i] = wf->y[i] = test_uniform(&seed, 0.0f, 1.0f);
    size_t count = nnc_net_param_count(plain);
    float *grad = calloc(count, sizeof *grad);
    assert_non_null(grad);

    nnc__forward(plain, wp, m);
    nnc__backward(plain, wp, m, grad);
    nnc__sgd_update(plain, wp->layout, nnc_net_params(plain), grad, m, eta, decay);
    nnc__forward(fused, wf, m);
    nnc__backward_sgd_step(fused, wf, m, eta, decay);

    const float *a = nnc_net_params_const(plain), *b = nnc_net_params_const(fused);
    float moved = 0.0f;
    for (size_t i = 0; i < count; i++) {
        float scale = fabsf(a[i]) > 1.0f ? fabsf(a[i]) : 1.0f;
        if (fabsf(a[i] - b[i]) > 1e-6f * scale)
            fail_msg("parameter %zu: defined step %.9g, fused %.9g", i, a[i], b[i]);
        moved += fabsf(eta / (float)m * grad[i]);
    }
    assert_true(moved > 1e-3f);   /* the step did something */
    free(grad);
    nnc__workspace_free(wp);
    nnc__workspace_free(wf);
    nnc_net_free(plain);
    nnc_net_free(fused);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(short_runs_give_the_pinned_parameters),
    cmocka_unit_test(fused_sgd_step_equals_the_defined_step),
};
TEST_GROUP(pinned_tests, "pinned", tests);
