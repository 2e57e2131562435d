/* export_onnx.c — a network as an ONNX model (IR 7, opset 13): the input
 * scaling as Sub and Mul, each layer as Gemm and its activation, Softmax or
 * Sigmoid at the output. An MLP needs eight message types, so the protobuf
 * is written here by a small encoder rather than through protobuf-c and the
 * generated code of the whole onnx.proto. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../net/net.h"
#include "atomic_file.h"

#define IR_VERSION 7
#define OPSET 13
#define TENSOR_FLOAT 1
#define ATTRIBUTE_FLOAT 1
#define ATTRIBUTE_INT 2

/* ---- protobuf: varints and length-delimited fields into growing buffers -- */

typedef struct {
    uint8_t *b;
    size_t   len, cap;
    int      failed;   /* out of memory: the rest is not written */
} pb;

static void put_bytes(pb *m, const void *data, size_t n)
{
    if (m->failed)
        return;
    if (m->len + n > m->cap) {
        size_t cap = m->cap ? m->cap : 256;
        while (cap < m->len + n)
            cap *= 2;
        uint8_t *b = realloc(m->b, cap);
        if (!b) {
            m->failed = 1;
            return;
        }
        m->b = b, m->cap = cap;
    }
    memcpy(m->b + m->len, data, n);
    m->len += n;
}

static void put_varint(pb *m, uint64_t v)
{
    uint8_t buf[10];
    size_t n = 0;
    do {
        buf[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    put_bytes(m, buf, n);
}

static void field_int(pb *m, unsigned field, uint64_t v)
{
    put_varint(m, (uint64_t)field << 3);   /* wire type 0: varint */
    put_varint(m, v);
}

static void field_bytes(pb *m, unsigned field, const void *data, size_t n)
{
    put_varint(m, (uint64_t)field << 3 | 2);   /* wire type 2: length-delimited */
    put_varint(m, n);
    put_bytes(m, data, n);
}

static void field_string(pb *m, unsigned field, const char *s)
{
    field_bytes(m, field, s, strlen(s));
}

/* Appends the finished message child as a field of m, and frees it. */
static void field_message(pb *m, unsigned field, pb *child)
{
    m->failed |= child->failed;
    field_bytes(m, field, child->b, child->len);
    free(child->b);
    memset(child, 0, sizeof *child);
}

static void field_float(pb *m, unsigned field, float f)
{
    uint32_t bits;
    memcpy(&bits, &f, 4);
    uint8_t le[4] = {(uint8_t)bits, (uint8_t)(bits >> 8), (uint8_t)(bits >> 16),
                     (uint8_t)(bits >> 24)};
    put_varint(m, (uint64_t)field << 3 | 5);   /* wire type 5: 32-bit */
    put_bytes(m, le, 4);
}

/* ---- ONNX messages --------------------------------------------------------- */

/* TensorProto: a float initializer of the given dims, little-endian raw data. */
static void tensor(pb *graph, const char *name, const float *v, const int64_t *dims,
                   size_t n_dims)
{
    pb t = {0}, raw = {0};
    size_t count = 1;
    for (size_t d = 0; d < n_dims; d++) {
        field_int(&t, 1, (uint64_t)dims[d]);
        count *= (size_t)dims[d];
    }
    field_int(&t, 2, TENSOR_FLOAT);
    field_string(&t, 8, name);
    for (size_t i = 0; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], 4);
        uint8_t le[4] = {(uint8_t)bits, (uint8_t)(bits >> 8), (uint8_t)(bits >> 16),
                         (uint8_t)(bits >> 24)};
        put_bytes(&raw, le, 4);
    }
    t.failed |= raw.failed;
    field_bytes(&t, 9, raw.b, raw.len);
    free(raw.b);
    field_message(graph, 5, &t);
}

/* NodeProto with up to three inputs and an optional float or int attribute
 * (attr NULL: none). */
static void node(pb *graph, const char *op, const char *name, const char *const *inputs,
                 size_t n_inputs, const char *output, const char *attr, int is_float,
                 double value)
{
    pb n = {0};
    for (size_t i = 0; i < n_inputs; i++)
        field_string(&n, 1, inputs[i]);
    field_string(&n, 2, output);
    field_string(&n, 3, name);
    field_string(&n, 4, op);
    if (attr) {
        pb a = {0};
        field_string(&a, 1, attr);
        if (is_float)
            field_float(&a, 2, (float)value);
        else
            field_int(&a, 3, (uint64_t)(int64_t)value);
        field_int(&a, 20, is_float ? ATTRIBUTE_FLOAT : ATTRIBUTE_INT);
        field_message(&n, 5, &a);
    }
    field_message(graph, 1, &n);
}

/* ValueInfoProto: a float tensor [batch, width], the batch symbolic. */
static void value_info(pb *graph, unsigned field, const char *name, size_t width)
{
    pb v = {0}, type = {0}, tensor_type = {0}, shape = {0}, dim = {0};
    field_string(&dim, 2, "batch");
    field_message(&shape, 1, &dim);
    field_int(&dim, 1, width);
    field_message(&shape, 1, &dim);
    field_int(&tensor_type, 1, TENSOR_FLOAT);
    field_message(&tensor_type, 2, &shape);
    field_message(&type, 1, &tensor_type);
    field_string(&v, 1, name);
    field_message(&v, 2, &type);
    field_message(graph, field, &v);
}

static const char *hidden_op(nnc_activation a)
{
    static const char *const ops[] = {"Sigmoid", "Tanh", "Relu", "LeakyRelu"};
    return ops[a];
}

nnc_status nnc_export_onnx(const nnc_net *net, const char *path)
{
    if (!net || !path)
        return nnc__fail(NNC_ERR_ARG, "nnc_export_onnx: NULL argument");
    size_t L = net->n_layers - 1, n0 = net->sizes[0];
    pb graph = {0}, model = {0}, opset = {0};
    char x[32] = "input", next[32], w[32], b[32], z[32];
    if (net->in_shift) {   /* (x − shift) × factor, as the network scales its inputs */
        int64_t dims[1] = {(int64_t)n0};
        tensor(&graph, "input_shift", net->in_shift, dims, 1);
        tensor(&graph, "input_factor", net->in_factor, dims, 1);
        const char *sub[2] = {"input", "input_shift"}, *mul[2] = {"centred", "input_factor"};
        node(&graph, "Sub", "centre", sub, 2, "centred", NULL, 0, 0);
        node(&graph, "Mul", "scale", mul, 2, "scaled", NULL, 0, 0);
        snprintf(x, sizeof x, "scaled");
    }
    for (size_t l = 1; l <= L; l++) {
        size_t n_in = net->sizes[l - 1], n_out = net->sizes[l];
        snprintf(w, sizeof w, "W%zu", l);
        snprintf(b, sizeof b, "b%zu", l);
        snprintf(z, sizeof z, "z%zu", l);
        int64_t wd[2] = {(int64_t)n_in, (int64_t)n_out}, bd[1] = {(int64_t)n_out};
        tensor(&graph, w, net->params + net->packed.w_offset[l], wd, 2);   /* n_in x n_out */
        tensor(&graph, b, net->params + net->packed.b_offset[l], bd, 1);
        const char *gemm[3] = {x, w, b};
        char name[32];
        snprintf(name, sizeof name, "layer%zu", l);
        node(&graph, "Gemm", name, gemm, 3, z, NULL, 0, 0);
        const char *in[1] = {z};
        snprintf(name, sizeof name, "activation%zu", l);
        if (l < L) {
            snprintf(next, sizeof next, "a%zu", l);
            if (net->hidden == NNC_ACT_LEAKY_RELU)
                node(&graph, "LeakyRelu", name, in, 1, next, "alpha", 1,
                     NNC_LEAKY_RELU_SLOPE);
            else
                node(&graph, hidden_op(net->hidden), name, in, 1, next, NULL, 0, 0);
            snprintf(x, sizeof x, "%s", next);
        } else if (net->cost == NNC_COST_SOFTMAX_LOGLIK) {
            node(&graph, "Softmax", name, in, 1, "output", "axis", 0, 1);
        } else if (nnc_cost_is_regression(net->cost)) {
            node(&graph, "Identity", name, in, 1, "output", NULL, 0, 0);
        } else {
            node(&graph, "Sigmoid", name, in, 1, "output", NULL, 0, 0);
        }
    }
    field_string(&graph, 2, "nnc");
    value_info(&graph, 11, "input", n0);
    value_info(&graph, 12, "output", net->sizes[L]);
    field_int(&model, 1, IR_VERSION);
    field_string(&model, 2, "nnc");
    field_string(&model, 3, NNC_VERSION);
    char doc[160];   /* doc_string: the network as the library names its choices */
    const char *hidden = nnc_name_of(NNC_NAMES_ACTIVATION, (int)net->hidden),
               *cost = nnc_name_of(NNC_NAMES_COST, (int)net->cost);
    if (net->hidden == NNC_ACT_LEAKY_RELU)
        snprintf(doc, sizeof doc, "a fully-connected network: hidden units %s (slope %g), "
                 "cost %s", hidden, (double)NNC_LEAKY_RELU_SLOPE, cost ? cost : "?");
    else
        snprintf(doc, sizeof doc, "a fully-connected network: hidden units %s, cost %s",
                 hidden ? hidden : "?", cost ? cost : "?");
    field_string(&model, 6, doc);
    field_message(&model, 7, &graph);
    field_string(&opset, 1, "");
    field_int(&opset, 2, OPSET);
    field_message(&model, 8, &opset);
    nnc_status s = model.failed
                       ? nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path)
                       : nnc__write_atomically(path, model.b, model.len);
    free(model.b);
    return s;
}
