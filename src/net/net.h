/* net.h — the network object inside the library: sizes, choices, generator
 * and one contiguous parameter block. */
#ifndef NNC_NET_H
#define NNC_NET_H

#include "nnc.h"
#include "../runtime/error.h"
#include "layout.h"
#include "rng.h"

/* A network: its sizes and one contiguous parameter block, packed as
 * W_1 (n_0 x n_1), b_1 (n_1), W_2, b_2, ... so a save is one write. */
struct nnc_net {
    size_t           n_layers;   /* L + 1                                    */
    size_t          *sizes;      /* n_0 .. n_L                               */
    nnc__layout      packed;     /* where W_l and b_l are in params          */
    size_t           n_params;   /* packed.count                             */
    float           *params;
    nnc_activation   hidden;
    nnc_cost         cost;
    nnc__rng         rng;
    nnc_train_record record;
    nnc_epoch_report *history;       /* an entry per epoch trained, all runs */
    float           *in_shift;       /* input scaling (one block), or NULL   */
    float           *in_factor;
    char           **class_names;    /* what each class stands for, or NULL  */
    size_t           n_class_names;
    char           **input_names;    /* the input columns' names, or NULL    */
    int              pixel_inputs;   /* trained on bytes read as byte / 256  */
    nnc_precision    precision;      /* of its products outside training      */
    int              has_origin;     /* origin holds the data it was made for */
    nnc_data_origin  origin;         /* label and ignore strings owned here   */
    size_t           history_len, history_cap;
};

/* A network of these sizes with parameters and choices left unset. */
nnc_status nnc__net_alloc(const size_t *sizes, size_t n_layers, nnc_net **out);

/* The most classes a network names, and the longest name. */
#define NNC__MAX_CLASSES 256
#define NNC__MAX_CLASS_NAME 255

/* Adds an epoch to the history, numbered after those before it. */
nnc_status nnc__net_add_history(nnc_net *net, const nnc_epoch_report *r);

/* Replaces the history with a copy of n entries. */
nnc_status nnc__net_set_history(nnc_net *net, const nnc_epoch_report *h, size_t n);

#endif
