/* idx.c — reader of the IDX format of the original MNIST files, raw or gzip'd.
 *
 * An IDX file is: two zero bytes, a type byte (0x08 = unsigned byte), the
 * number of dimensions, each dimension as a big-endian uint32, then the data.
 * Every field is checked against the file's size before anything is
 * allocated, and the data is decompressed straight into its final buffer.
 * Only regular files are read: a FIFO or device would be waited on or read
 * without end. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/file.h"
#include "dataset.h"

#define IDX_MAGIC_LABELS 0x00000801u
#define IDX_MAGIC_IMAGES 0x00000803u

typedef struct {
    uint32_t dims[3];
    size_t   n_dims;
    size_t   data_bytes;   /* product of the dimensions */
    uint8_t *data;
} idx_array;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Deflate turns at most this many bytes into one byte of stream (a 258-byte
 * match in about 2 bits): a gzip file of c bytes holds at most this times c. */
#define DEFLATE_MAX_RATIO 1032

/* Checks the bytes the header promises against what the file can hold:
 * exactly its size when raw, at most DEFLATE_MAX_RATIO times it when gzip'd
 * (the exact size shows only as the stream is read). */
static nnc_status check_size(const char *path, const idx_array *arr, uint64_t expected,
                             uint64_t file_size, int gzipped)
{
    char dims[64];
    if (arr->n_dims == 3)
        snprintf(dims, sizeof dims, "%u x %u x %u", arr->dims[0], arr->dims[1], arr->dims[2]);
    else
        snprintf(dims, sizeof dims, "%u", arr->dims[0]);
    if (gzipped && expected > DEFLATE_MAX_RATIO * file_size)
        return nnc__fail(NNC_ERR_FORMAT, "%s: the header promises %s values (%llu bytes), more "
                         "than a gzip file of %llu bytes can hold", path, dims,
                         (unsigned long long)expected, (unsigned long long)file_size);
    if (!gzipped && expected > file_size)
        return nnc__fail(NNC_ERR_FORMAT, "%s: truncated: the header promises %s values (%llu "
                         "bytes), the file has %llu", path, dims, (unsigned long long)expected,
                         (unsigned long long)file_size);
    if (!gzipped && expected < file_size)
        return nnc__fail(NNC_ERR_FORMAT, "%s: %llu bytes of unexpected data after the %llu the "
                         "header promises", path, (unsigned long long)(file_size - expected),
                         (unsigned long long)expected);
    return NNC_OK;
}

static nnc_status read_idx(const char *path, uint32_t magic, idx_array *arr)
{
    memset(arr, 0, sizeof *arr);
    nnc__input *in;
    nnc_status s = nnc__input_open(path, &in);
    if (s != NNC_OK)
        return s;
    uint64_t file_size = nnc__input_file_size(in);
    int gzipped = nnc__input_gzipped(in);

    unsigned char head[4 + 4 * 3];
    size_t n_dims = magic & 0xff, head_len = 4 + 4 * n_dims;
    if ((s = nnc__input_read(in, head, 4)) != NNC_OK)
        goto done;
    if (be32(head) != magic) {
        s = nnc__fail(NNC_ERR_FORMAT, "%s: magic number 0x%08x, expected 0x%08x (%s)", path,
                      be32(head), magic,
                      magic == IDX_MAGIC_IMAGES ? "IDX images" : "IDX labels");
        goto done;
    }
    if ((s = nnc__input_read(in, head + 4, head_len - 4)) != NNC_OK)
        goto done;
    uint64_t bytes = 1;   /* three 32-bit factors: saturates instead of wrapping */
    for (size_t i = 0; i < n_dims; i++) {
        arr->dims[i] = be32(head + 4 + 4 * i);
        if (arr->dims[i] == 0) {
            s = nnc__fail(NNC_ERR_FORMAT, "%s: dimension %zu of the header is 0", path, i);
            goto done;
        }
        bytes = bytes > UINT64_MAX / arr->dims[i] ? UINT64_MAX : bytes * arr->dims[i];
    }
    arr->n_dims = n_dims;
    uint64_t expected = bytes > UINT64_MAX - head_len ? UINT64_MAX : head_len + bytes;
    if ((s = check_size(path, arr, expected, file_size, gzipped)) != NNC_OK)
        goto done;
    if (bytes > SIZE_MAX) {
        s = nnc__fail(NNC_ERR_NOMEM, "%s: %llu bytes do not fit this machine's memory", path,
                      (unsigned long long)bytes);
        goto done;
    }
    arr->data_bytes = (size_t)bytes;
    /* gzip'd: room for the header too, inflated again with the rest in one call */
    arr->data = nnc__alloc_samples(arr->data_bytes + (gzipped ? head_len : 0));
    if (!arr->data) {
        s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory for %zu bytes", path, arr->data_bytes);
        goto done;
    }
    if (gzipped && nnc__input_read_rest(in, head_len, arr->data, arr->data_bytes))
        s = NNC_OK;   /* and nothing after it */
    else
        s = nnc__input_read(in, arr->data, arr->data_bytes);
    if (s == NNC_OK) {
        unsigned char extra;
        size_t got;
        if ((s = nnc__input_read_some(in, &extra, 1, &got)) == NNC_OK && got != 0)
            s = nnc__fail(NNC_ERR_FORMAT, "%s: unexpected data after the %llu bytes the header promises",
                          path, (unsigned long long)expected);
    }
done:
    nnc__input_close(in);
    if (s != NNC_OK) {
        free(arr->data);
        arr->data = NULL;
    }
    return s;
}

nnc_status nnc_idx_load(const char *images_path, const char *labels_path,
                        nnc_data **out)
{
    if (!out)
        return nnc__fail(NNC_ERR_ARG, "nnc_idx_load: out is NULL");
    *out = NULL;
    if (!images_path || !labels_path)
        return nnc__fail(NNC_ERR_ARG, "nnc_idx_load: NULL path");
    idx_array img, lab;
    nnc_status s = read_idx(images_path, IDX_MAGIC_IMAGES, &img);
    if (s != NNC_OK)
        return s;
    if ((s = read_idx(labels_path, IDX_MAGIC_LABELS, &lab)) != NNC_OK) {
        free(img.data);
        return s;
    }
    if (img.dims[0] != lab.dims[0]) {
        free(img.data);
        free(lab.data);
        return nnc__fail(NNC_ERR_MISMATCH, "%s holds %u images but %s holds %u labels",
                         images_path, img.dims[0], labels_path, lab.dims[0]);
    }
    nnc__storage *st = calloc(1, sizeof *st);
    char *src = strdup(images_path), *lsrc = strdup(labels_path);
    if (!st || !src || !lsrc) {
        free(st); free(src); free(lsrc); free(img.data); free(lab.data);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory loading %s", images_path);
    }
    st->x_u8 = img.data;
    st->labels = lab.data;
    st->source = src;
    st->label_source = lsrc;
    st->width = img.dims[2], st->height = img.dims[1];
    return nnc__data_wrap(st, img.dims[0], (size_t)img.dims[1] * img.dims[2], out);
}
