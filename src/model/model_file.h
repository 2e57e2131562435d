/* model_file.h — the .nnc format of docs/FORMAT.md, with the training state a
 * checkpoint adds (checkpoint.h), and network2's JSON. */
#ifndef NNC_MODEL_FILE_H
#define NNC_MODEL_FILE_H

#include "../net/net.h"
#include "checkpoint.h"

/* Writes net (and state, if not NULL) to path atomically. */
nnc_status nnc__model_write(const nnc_net *net, const nnc__run_state *state,
                            const char *path);
/* Reads a .nnc file; state (if not NULL) receives the training state, whose
 * arrays the caller frees with nnc__run_state_free; a file without one
 * is refused when state is asked for. */
nnc_status nnc__model_read(const char *path, nnc_net **out, nnc__run_state *state);

/* 1 if the file starts with the .nnc magic; *checkpoint (if not NULL) then
 * says whether it has a training state. */
int nnc__is_nnc_file(const char *path, int *checkpoint);

/* network2 JSON (network2_json.c). */
nnc_status nnc__json_read(const char *path, nnc_net **out);
/* NNC_OK if network2's format holds net (sigmoid, quadratic or
 * cross-entropy), else an error naming path. */
nnc_status nnc__json_holds(const nnc_net *net, const char *path);

#endif
