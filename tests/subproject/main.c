/* main.c — trains a small network on two generated clusters through the nnc
 * library built as a subproject, and says how well it learnt. */
#include <stdio.h>
#include <string.h>

#include <nnc.h>

#define N   200   /* samples */
#define DIM 2

int main(void)
{
    static float x[N * DIM];
    static uint8_t labels[N];
    uint64_t state = 7;
    for (size_t i = 0; i < N; i++) {   /* class 0 around (-1, -1), class 1 around (1, 1) */
        labels[i] = (uint8_t)(i % 2);
        for (size_t j = 0; j < DIM; j++) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            float noise = (float)((state >> 40) * 0x1.0p-24) - 0.5f;
            x[i * DIM + j] = (labels[i] ? 1.0f : -1.0f) + noise;
        }
    }
    const size_t sizes[] = {DIM, 8, 2};
    nnc_data *data;
    nnc_net *net;
    size_t before, after;
    nnc_train_opts opts;
    nnc_train_opts_init(&opts);
    opts.epochs = 5;
    opts.eta = 1.0f;
    if (nnc_data_from_floats(x, labels, N, DIM, &data) != NNC_OK ||
        nnc_net_create(sizes, 3, 1, &net) != NNC_OK ||
        nnc_evaluate(net, data, &before) != NNC_OK ||
        nnc_train(net, data, &opts, NULL) != NNC_OK ||
        nnc_evaluate(net, data, &after) != NNC_OK) {
        fprintf(stderr, "uses-nnc: %s\n", nnc_last_error());
        return 1;
    }
    printf("nnc %s (header %s): %zu parameters, %zu / %d before training, %zu / %d after\n",
           nnc_version(), NNC_VERSION, nnc_net_param_count(net), before, N, after, N);
    nnc_net_free(net);
    nnc_data_free(data);
    return strcmp(nnc_version(), NNC_VERSION) == 0 && after == N ? 0 : 1;
}
