/* test_idx.c — the IDX reader on files the test writes: raw and gzip'd,
 * good and broken, each broken one refused with its own error; and the
 * memory it reads samples into. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>


#include "runtime/file.h"
#include "train/batch.h"
#include "testutil.h"

#define N 5
#define ROWS 3
#define COLS 4

/* Writes an IDX file: magic, dims, data, optionally gzip'd, optionally cut
 * to its first keep bytes (0 = whole). Returns the path. */
static const char *write_idx(const char *name, uint32_t magic, const uint32_t *dims,
                             int n_dims, const uint8_t *data, size_t len, int gz,
                             size_t keep)
{
    uint8_t buf[4096];
    size_t pos = 0;
    for (int s = 24; s >= 0; s -= 8)
        buf[pos++] = (uint8_t)(magic >> s);
    for (int d = 0; d < n_dims; d++)
        for (int s = 24; s >= 0; s -= 8)
            buf[pos++] = (uint8_t)(dims[d] >> s);
    memcpy(buf + pos, data, len);
    pos += len;
    const char *path = scratch_path(name);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(gzwrite(f, buf, (unsigned)pos), (int)pos);
        gzclose(f);
        if (keep) {                        /* cut the compressed file */
            FILE *g = fopen(path, "rb");
            uint8_t z[8192];
            size_t zl = fread(z, 1, sizeof z, g);
            fclose(g);
            assert_true(keep < zl);
            g = fopen(path, "wb");
            fwrite(z, 1, keep, g);
            fclose(g);
        }
    } else {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(buf, 1, keep ? keep : pos, f);
        fclose(f);
    }
    static char paths[8][512];
    static int next;
    char *copy = paths[next++ % 8];
    snprintf(copy, 512, "%s", path);
    return copy;
}

static uint8_t pixels[N * ROWS * COLS], labels[N];
static const uint32_t img_dims[3] = {N, ROWS, COLS}, lab_dims[1] = {N};

static void fill(void)
{
    for (size_t i = 0; i < sizeof pixels; i++)
        pixels[i] = (uint8_t)(i * 37 + 11);
    for (int i = 0; i < N; i++)
        labels[i] = (uint8_t)(i * 3 % 10);
}

static void check_loaded(const char *img, const char *lab)
{
    nnc_data *d;
    assert_ok(nnc_idx_load(img, lab, &d));
    assert_int_equal(nnc_data_count(d), N);
    assert_int_equal(nnc_data_dim(d), ROWS * COLS);
    float x[ROWS * COLS];
    for (int i = 0; i < N; i++) {
        assert_int_equal(nnc_data_label(d, i), labels[i]);
        nnc_data_input(d, i, x);
        for (int j = 0; j < ROWS * COLS; j++)
            assert_true(x[j] == pixels[i * ROWS * COLS + j] / 256.0f);
    }
    nnc_data_free(d);
}

static void reads_raw_and_gzip(void **state)
{
    (void)state;
    fill();
    check_loaded(write_idx("img", 0x803, img_dims, 3, pixels, sizeof pixels, 0, 0),
                 write_idx("lab", 0x801, lab_dims, 1, labels, N, 0, 0));
    check_loaded(write_idx("img.gz", 0x803, img_dims, 3, pixels, sizeof pixels, 1, 0),
                 write_idx("lab.gz", 0x801, lab_dims, 1, labels, N, 1, 0));
}

static void expect_error(const char *img, const char *lab, nnc_status want,
                         const char *word1, const char *word2);

/* A gzip file of two members (as `cat a.gz b.gz` makes) reads as their
 * content joined: whole-file inflation (libdeflate) leaves such files to
 * the streaming reader. */
static void reads_gzip_of_two_members(void **state)
{
    (void)state;
    fill();
    const char *img = write_idx("two.gz", 0x803, img_dims, 3, pixels, 20, 1, 0);
    gzFile f = gzopen(img, "ab");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, pixels + 20, sizeof pixels - 20), (int)(sizeof pixels - 20));
    gzclose(f);
    const char *lab = write_idx("lab.gz", 0x801, lab_dims, 1, labels, N, 1, 0);
    check_loaded(img, lab);
    /* a trailer whose length is not the content's: refused as before */
    const char *bad = write_idx("isize.gz", 0x803, img_dims, 3, pixels, sizeof pixels, 1, 0);
    FILE *g = fopen(bad, "r+b");
    assert_non_null(g);
    fseek(g, -4, SEEK_END);
    fwrite("\x01\x00\x00\x00", 1, 4, g);
    fclose(g);
    expect_error(bad, lab, NNC_ERR_FORMAT, "isize.gz", "gzip");
}

/* Loading must fail with status want and a message holding both words. */
static void expect_error(const char *img, const char *lab, nnc_status want,
                         const char *word1, const char *word2)
{
    nnc_data *d = (nnc_data *)1;
    nnc_status s = nnc_idx_load(img, lab, &d);
    if (s != want)
        fail_msg("expected %s, got %s: %s", nnc_status_name(want), nnc_status_name(s),
                 nnc_last_error());
    assert_null(d);
    const char *msg = nnc_last_error();
    if (!strstr(msg, word1) || !strstr(msg, word2))
        fail_msg("message '%s' should name '%s' and '%s'", msg, word1, word2);
}

static void broken_files_are_refused(void **state)
{
    (void)state;
    fill();
    const char *lab = write_idx("lab", 0x801, lab_dims, 1, labels, N, 0, 0);
    const char *img = write_idx("img", 0x803, img_dims, 3, pixels, sizeof pixels, 0, 0);
    /* wrong magic: a labels file given as images */
    expect_error(lab, lab, NNC_ERR_FORMAT, "test-scratch/lab", "magic");
    expect_error(img, img, NNC_ERR_FORMAT, "magic", "0x00000801");
    /* truncated raw: data cut, and header cut */
    expect_error(write_idx("cut", 0x803, img_dims, 3, pixels, sizeof pixels, 0, 40), lab,
                 NNC_ERR_FORMAT, "cut", "truncated");
    expect_error(write_idx("cuthead", 0x803, img_dims, 3, pixels, sizeof pixels, 0, 9), lab,
                 NNC_ERR_FORMAT, "cuthead", "truncated");
    /* trailing bytes after the promised data */
    const uint32_t fewer[3] = {N - 1, ROWS, COLS};
    expect_error(write_idx("long", 0x803, fewer, 3, pixels, sizeof pixels, 0, 0), lab,
                 NNC_ERR_FORMAT, "long", "after");
    /* truncated gzip stream */
    expect_error(write_idx("cut.gz", 0x803, img_dims, 3, pixels, sizeof pixels, 1, 30), lab,
                 NNC_ERR_FORMAT, "cut.gz", "gzip");
    /* a corrupt deflate stream: bytes in its middle overwritten */
    const char *bad = write_idx("bad.gz", 0x803, img_dims, 3, pixels, sizeof pixels, 1, 0);
    FILE *g = fopen(bad, "r+b");
    assert_non_null(g);
    fseek(g, 20, SEEK_SET);
    fwrite("\xff\xff\xff\xff\xff\xff\xff\xff", 1, 8, g);
    fclose(g);
    expect_error(bad, lab, NNC_ERR_FORMAT, "bad.gz", "corrupt gzip data");
    /* gzip of a too-short raw file */
    expect_error(write_idx("short.gz", 0x803, img_dims, 3, pixels, sizeof pixels - 7, 1, 0),
                 lab, NNC_ERR_FORMAT, "short.gz", "promises");
    /* counts differ between the two files */
    const uint32_t four[1] = {N - 1};
    expect_error(img, write_idx("lab4", 0x801, four, 1, labels, N - 1, 0, 0),
                 NNC_ERR_MISMATCH, "5 images", "4 labels");
    /* missing file */
    expect_error(scratch_path("no-such-file"), lab, NNC_ERR_IO, "no-such-file", "cannot open");
    /* a gzip'd header promising 2^34 bytes fails before anything is allocated,
     * whatever the low 32 bits of its size */
    const uint32_t huge[3] = {1u << 18, 1u << 8, 1u << 8};
    expect_error(write_idx("huge.gz", 0x803, huge, 3, pixels, sizeof pixels, 1, 0), lab,
                 NNC_ERR_FORMAT, "huge.gz", "more than a gzip file");
    /* 4e9 images of 28 x 28: the whole promise is named, not one dimension */
    const uint32_t many[3] = {4000000000u, 28, 28};
    expect_error(write_idx("many", 0x803, many, 3, pixels, sizeof pixels, 0, 0), lab,
                 NNC_ERR_FORMAT, "4000000000 x 28 x 28", "truncated");
    /* a FIFO is refused, not waited on */
    const char *fifo = scratch_path("fifo");
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    expect_error(fifo, lab, NNC_ERR_IO, "fifo", "not a regular file");
    unlink(fifo);
}

static void labels_and_sizes_must_fit_the_network(void **state)
{
    (void)state;
    fill();
    labels[2] = 10;                                   /* out of range for 10 outputs */
    nnc_data *d;
    assert_ok(nnc_idx_load(write_idx("img", 0x803, img_dims, 3, pixels, sizeof pixels, 0, 0),
                           write_idx("badlab", 0x801, lab_dims, 1, labels, N, 0, 0), &d));
    const size_t fits[] = {ROWS * COLS, 10}, wide[] = {ROWS * COLS + 1, 11};
    nnc_net *net;
    size_t correct;
    assert_ok(nnc_net_create(fits, 2, 0, &net));
    assert_int_equal(nnc_evaluate(net, d, &correct), NNC_ERR_MISMATCH);
    assert_non_null(strstr(nnc_last_error(), "badlab"));
    assert_non_null(strstr(nnc_last_error(), "label 10"));
    nnc_net_free(net);
    assert_ok(nnc_net_create(wide, 2, 0, &net));
    assert_int_equal(nnc_evaluate(net, d, &correct), NNC_ERR_MISMATCH);
    assert_non_null(strstr(nnc_last_error(), "12 inputs"));
    nnc_net_free(net);
    nnc_data_free(d);
}

static void mnist_folder_errors_name_the_files(void **state)
{
    (void)state;
    nnc_data *tr;
    mkdir(scratch_path("empty-dir"), 0777);
    assert_int_equal(nnc_mnist_load(scratch_path("empty-dir"), &tr, NULL, NULL), NNC_ERR_IO);
    assert_non_null(strstr(nnc_last_error(), "train-images-idx3-ubyte"));
    assert_null(tr);
    assert_int_equal(nnc_mnist_load(scratch_path("no-such-dir"), &tr, NULL, NULL), NNC_ERR_IO);
    assert_non_null(strstr(nnc_last_error(), "no-such-dir: no such folder"));
    /* a .gz that is not gzip'd says so */
    char gz[256];
    snprintf(gz, sizeof gz, "%s", scratch_path("plain.gz"));
    FILE *f = fopen(gz, "w");
    assert_non_null(f);
    fputs("hello, world", f);
    fclose(f);
    assert_int_equal(nnc_idx_load(gz, gz, &tr), NNC_ERR_FORMAT);
    assert_non_null(strstr(nnc_last_error(), "not gzip data"));
}

/* Arrays of 2 MB or more start on a 2 MB boundary, so that huge pages can
 * back them whole; all the bytes asked for are usable. */
static void large_sample_arrays_are_2mb_aligned(void **state)
{
    (void)state;
    size_t big = ((size_t)5 << 20) + 123;
    unsigned char *p = nnc__alloc_samples(big);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % ((uintptr_t)2 << 20), 0);
    memset(p, 0xab, big);
    assert_int_equal(p[big - 1], 0xab);
    free(p);
    p = nnc__alloc_samples(100);
    assert_non_null(p);
    memset(p, 0, 100);
    free(p);
}

/* The lines listed for a batch hold every byte of its samples and nothing
 * else: whole 64-byte lines, on bytes and on floats, in a slice as well. */
static void check_sample_lines(const nnc_data *d, const char *base, size_t bytes)
{
    const size_t idx[] = {3, 17, 0, 9, 16};
    const size_t m = sizeof idx / sizeof idx[0];
    const void *lines[64];
    assert_true(nnc__sample_lines_max(d, m) <= 64);
    size_t count = nnc__sample_lines(d, idx, m, lines);
    assert_true(count <= nnc__sample_lines_max(d, m));
    for (size_t q = 0; q < count; q++) {
        uintptr_t line = (uintptr_t)lines[q];
        assert_int_equal(line % 64, 0);
        int used = 0;   /* the line holds a byte of one of the samples */
        for (size_t r = 0; r < m; r++) {
            uintptr_t first = (uintptr_t)(base + idx[r] * bytes);
            used |= line + 64 > first && line < first + bytes;
        }
        assert_true(used);
    }
    for (size_t r = 0; r < m; r++)   /* every byte of every sample is listed */
        for (size_t b = 0; b < bytes; b++) {
            uintptr_t at = (uintptr_t)(base + idx[r] * bytes + b), found = 0;
            for (size_t q = 0; q < count && !found; q++)
                found = at - (uintptr_t)lines[q] < 64;
            if (!found)
                fail_msg("byte %zu of sample %zu is on no listed line", b, idx[r]);
        }
}

static void a_batch_lists_the_lines_of_its_samples(void **state)
{
    (void)state;
    enum { n = 21, dim = 100 };   /* samples 100 bytes apart: lines split them */
    static uint8_t bytes[n * dim], lab[n];
    static float floats[n * dim];
    nnc_data *d, *slice;
    assert_ok(nnc_data_from_bytes(bytes, lab, n, dim, &d));
    check_sample_lines(d, (const char *)d->st->x_u8, dim);
    assert_ok(nnc_data_slice(d, 2, 19, &slice));
    check_sample_lines(slice, (const char *)(d->st->x_u8 + 2 * dim), dim);
    nnc_data_free(slice);
    nnc_data_free(d);
    assert_ok(nnc_data_from_floats(floats, lab, n, dim, &d));
    check_sample_lines(d, (const char *)d->st->x_f32, dim * sizeof(float));
    nnc_data_free(d);
}

/* The one raw-or-gzip path every reader takes: a raw file and its gzip'd
 * copy read the same bytes; a truncated copy is refused, naming it. */
static void raw_and_gzip_read_the_same(void **state)
{
    (void)state;
    static uint8_t data[70000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 2654435761u >> 13);
    char raw[512], gz[512], cut[512];
    snprintf(raw, sizeof raw, "%s", scratch_path("whole.bin"));
    snprintf(gz, sizeof gz, "%s", scratch_path("whole.bin.gz"));
    snprintf(cut, sizeof cut, "%s", scratch_path("whole-cut.gz"));
    FILE *f = fopen(raw, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, sizeof data, f), sizeof data);
    fclose(f);
    gzFile z = gzopen(gz, "wb");
    assert_non_null(z);
    assert_int_equal(gzwrite(z, data, sizeof data), (int)sizeof data);
    gzclose(z);
    char *a, *b;
    size_t na, nb;
    assert_ok(nnc__read_whole(raw, 1 << 20, "too big", &a, &na));
    assert_ok(nnc__read_whole(gz, 1 << 20, "too big", &b, &nb));
    assert_int_equal(na, sizeof data);
    assert_int_equal(nb, sizeof data);
    assert_memory_equal(a, data, sizeof data);
    assert_memory_equal(b, data, sizeof data);
    assert_int_equal(a[na], 0);
    free(a), free(b);
    /* piece by piece, and what each says it is */
    nnc__input *in;
    uint8_t part[1000];
    assert_ok(nnc__input_open(gz, &in));
    assert_true(nnc__input_gzipped(in));
    assert_ok(nnc__input_read(in, part, sizeof part));
    assert_memory_equal(part, data, sizeof part);
    nnc__input_close(in);
    assert_ok(nnc__input_open(raw, &in));
    assert_false(nnc__input_gzipped(in));
    assert_int_equal(nnc__input_file_size(in), sizeof data);
    nnc__input_close(in);
    /* over the limit */
    assert_int_equal(nnc__read_whole(gz, 1000, "more than wanted", &a, &na), NNC_ERR_FORMAT);
    assert_non_null(strstr(nnc_last_error(), "more than wanted"));
    /* truncated: the gzip'd file cut short */
    struct stat sb;
    assert_int_equal(stat(gz, &sb), 0);
    FILE *src = fopen(gz, "rb"), *dst = fopen(cut, "wb");
    assert_true(src && dst);
    for (long i = 0; i < (long)sb.st_size - 20; i++)
        fputc(fgetc(src), dst);
    fclose(src), fclose(dst);
    assert_int_equal(nnc__read_whole(cut, 1 << 20, "too big", &a, &na), NNC_ERR_FORMAT);
    assert_null(a);
    if (!strstr(nnc_last_error(), "whole-cut.gz: truncated or corrupt gzip data"))
        fail_msg("'%s'", nnc_last_error());
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(raw_and_gzip_read_the_same),
    cmocka_unit_test(large_sample_arrays_are_2mb_aligned),
    cmocka_unit_test(a_batch_lists_the_lines_of_its_samples),
    cmocka_unit_test(reads_raw_and_gzip),
    cmocka_unit_test(reads_gzip_of_two_members),
    cmocka_unit_test(broken_files_are_refused),
    cmocka_unit_test(labels_and_sizes_must_fit_the_network),
    cmocka_unit_test(mnist_folder_errors_name_the_files),
};
TEST_GROUP(idx_tests, "idx", tests);
