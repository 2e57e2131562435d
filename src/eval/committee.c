/* committee.c — several networks judging as one: the class of each sample
 * is the largest of their outputs averaged (nnc_committee_confusion). */
#include <stdlib.h>
#include <string.h>

#include "../data/dataset.h"
#include "../math/inputs.h"
#include "../runtime/compute_scope.h"

#define COMMITTEE_CHUNK 256   /* samples fed forward at once */

/* The class of an averaged output row: the largest, or for a single sigmoid
 * output class 1 when its mean is above 0.5 (sum above half the members). */
static size_t vote(const float *sum, size_t n, size_t members)
{
    if (n == 1)
        return sum[0] > 0.5f * (float)members;
    size_t best = 0;
    for (size_t j = 1; j < n; j++)
        if (sum[j] > sum[best])
            best = j;
    return best;
}

static nnc_status check_members(const nnc_net *const *nets, size_t k, const nnc_data *data)
{
    const nnc_net *first = nets[0];
    size_t n0 = first->sizes[0], nL = first->sizes[first->n_layers - 1];
    for (size_t m = 0; m < k; m++) {
        const nnc_net *net = nets[m];
        if (!net)
            return nnc__fail(NNC_ERR_ARG, "nnc_committee_confusion: member %zu is NULL", m);
        if (net->sizes[0] != n0 || net->sizes[net->n_layers - 1] != nL)
            return nnc__fail(NNC_ERR_MISMATCH, "committee: member %zu takes %zu inputs to %zu "
                             "outputs, member 0 %zu to %zu; members must agree", m,
                             net->sizes[0], net->sizes[net->n_layers - 1], n0, nL);
        if (nnc_cost_is_regression(net->cost))
            return nnc__fail(NNC_ERR_ARG, "committee: member %zu is a regression network; a "
                             "committee votes on classes", m);
    }
    if (!data->st->labels)
        return nnc__fail(NNC_ERR_ARG, "%s: regression targets have no confusion matrix",
                         data->st->source);
    return nnc__data_check_shape(data, n0, nL);
}

/* Sums the members' outputs for chunks of samples, members in order (the
 * same bits every time), and counts each averaged row's vote. */
static nnc_status count_votes(const nnc_net *const *nets, size_t k, const nnc_data *data,
                              size_t *matrix)
{
    const nnc_net *first = nets[0];
    size_t nL = first->sizes[first->n_layers - 1], kc = nL == 1 ? 2 : nL;
    size_t n = nnc_data_count(data);
    float *sum = malloc(COMMITTEE_CHUNK * nL * sizeof *sum);
    nnc__workspace **ws = calloc(k, sizeof *ws);
    nnc_status s = sum && ws ? NNC_OK
                             : nnc__fail(NNC_ERR_NOMEM, "out of memory for a committee of %zu",
                                         k);
    for (size_t m = 0; m < k && s == NNC_OK; m++)
        s = nnc__workspace_create(nets[m], &(nnc__workspace_parts){.max_m = COMMITTEE_CHUNK,
                                            .bf16 = nnc__inference_bf16(nets[m])},
                                  &ws[m]);
    for (size_t done = 0; done < n && s == NNC_OK; done += COMMITTEE_CHUNK) {
        size_t rows = n - done < COMMITTEE_CHUNK ? n - done : COMMITTEE_CHUNK;
        for (size_t m = 0; m < k; m++) {
            const float *out = ws[m]->a[nets[m]->n_layers - 1];
            nnc__forward_samples(nets[m], ws[m], data, NULL, done, rows, 0, NULL);
            for (size_t i = 0; i < rows * nL; i++)
                sum[i] = m ? sum[i] + out[i] : out[i];
        }
        for (size_t i = 0; i < rows; i++)
            matrix[nnc_data_label(data, done + i) * kc + vote(sum + i * nL, nL, k)]++;
    }
    for (size_t m = 0; ws && m < k; m++)
        nnc__workspace_free(ws[m]);
    free(ws);
    free(sum);
    return s;
}

nnc_status nnc_committee_confusion(const nnc_net *const *nets, size_t k, const nnc_data *data,
                                   size_t *matrix)
{
    if (!nets || !k || !nets[0] || !data || !matrix)
        return nnc__fail(NNC_ERR_ARG, "nnc_committee_confusion: NULL argument or no member");
    nnc_status s = check_members(nets, k, data);
    if (s != NNC_OK)
        return s;
    const nnc_net *first = nets[0];
    size_t nL = first->sizes[first->n_layers - 1], kc = nL == 1 ? 2 : nL;
    memset(matrix, 0, kc * kc * sizeof *matrix);
    nnc__compute_scope scope = nnc__compute_begin();
    s = count_votes(nets, k, data, matrix);
    nnc__compute_end(scope);
    return s;
}
