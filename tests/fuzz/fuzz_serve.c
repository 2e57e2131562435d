/* fuzz_serve.c — the server's request handling without HTTP: a body for
 * POST /api/predict read, checked and answered (cli/serve_api.c), for an
 * image network (first byte even) or a table's network (odd). */
#include <stdlib.h>

#include "../../cli/serve.h"
#include "nnc.h"

static nnc_net *nets[2];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!nets[0]) {
        size_t image[] = {64, 6, 3}, table[] = {3, 4, 2};
        const char *names[] = {"a", "b", "c"}, *classes[] = {"no", "yes"};
        if (nnc_net_create(image, 3, 1, &nets[0]) != NNC_OK ||
            nnc_net_create(table, 3, 2, &nets[1]) != NNC_OK ||
            nnc_net_set_input_names(nets[1], names) != NNC_OK ||
            nnc_net_set_class_names(nets[1], classes, 2) != NNC_OK)
            abort();
    }
    if (size < 1)
        return 0;
    const nnc_net *net = nets[data[0] & 1];
    char *json = NULL;
    int status = serve_handle_predict(net, (const char *)data + 1, size - 1, &json);
    if (!json || (status != 200 && status != 400))
        abort();   /* every request gets an answer, and only these */
    free(json);
    return 0;
}
