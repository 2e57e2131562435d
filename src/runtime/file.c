/* file.c — see file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#ifdef NNC_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include "error.h"
#include "file.h"

nnc_status nnc__check_readable(const char *path)
{
    struct stat sb;
    if (!path)
        return nnc__fail(NNC_ERR_ARG, "no file name given");
    if (stat(path, &sb) != 0)
        return nnc__fail(NNC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    return nnc__regular(path, &sb);
}

nnc_status nnc__regular(const char *path, const struct stat *sb)
{
    if (S_ISDIR(sb->st_mode))
        return nnc__fail(NNC_ERR_IO, "%s: is a folder, not a file", path);
    if (!S_ISREG(sb->st_mode))
        return nnc__fail(NNC_ERR_IO, "%s: not a regular file (a device, FIFO or socket): "
                         "refused", path);
    return NNC_OK;
}

FILE *nnc__open_file(const char *path)
{
    if (nnc__check_readable(path) != NNC_OK)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        nnc__fail(NNC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    return f;
}

/* ---- raw or gzip'd content ---------------------------------------------- */

struct nnc__input {
    gzFile      gz;       /* zlib reads a raw file as it is (transparent mode) */
    int         fd;       /* gz's, for whole reads of the compressed bytes      */
    const char *path;
    uint64_t    size;
    int         gzipped;
    int         at_end;   /* the rest was read whole (nnc__input_read_rest)     */
};

static int is_gz_name(const char *path)
{
    size_t len = strlen(path);
    return len >= 3 && !strcmp(path + len - 3, ".gz");
}

nnc_status nnc__input_open(const char *path, nnc__input **out)
{
    *out = NULL;
    nnc_status s = nnc__check_readable(path);
    if (s != NNC_OK)
        return s;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return nnc__fail(NNC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    unsigned char head[2] = {0, 0};
    ssize_t got = 0;
    if (fstat(fd, &sb) != 0)
        s = nnc__fail(NNC_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
    else if ((s = nnc__regular(path, &sb)) == NNC_OK &&
             (got = pread(fd, head, 2, 0)) < 0)
        s = nnc__fail(NNC_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    int gzipped = got == 2 && head[0] == 0x1f && head[1] == 0x8b;
    if (s == NNC_OK && !gzipped && got == 2 && is_gz_name(path))
        s = nnc__fail(NNC_ERR_FORMAT, "%s: not gzip data, though the name ends in .gz", path);
    nnc__input *in = s == NNC_OK ? malloc(sizeof *in) : NULL;
    if (s == NNC_OK && !in)
        s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    if (s == NNC_OK && !(in->gz = gzdopen(fd, "rb")))
        s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    if (s != NNC_OK) {
        free(in);
        close(fd);
        return s;
    }
    gzbuffer(in->gz, 1u << 17);   /* fewer, larger reads than zlib's 8 KiB */
    in->fd = fd;
    in->path = path;
    in->size = (uint64_t)sb.st_size;
    in->gzipped = gzipped;
    in->at_end = 0;
    *out = in;
    return NNC_OK;
}

void nnc__input_close(nnc__input *in)
{
    if (in) {
        gzclose(in->gz);   /* closes the file too */
        free(in);
    }
}

int nnc__input_gzipped(const nnc__input *in)
{
    return in->gzipped;
}

uint64_t nnc__input_file_size(const nnc__input *in)
{
    return in->size;
}

nnc_status nnc__input_read_some(nnc__input *in, void *buf, size_t len, size_t *got)
{
    if (in->at_end) {
        *got = 0;
        return NNC_OK;
    }
    unsigned chunk = len > (1u << 30) ? (1u << 30) : (unsigned)len;
    int n = chunk ? gzread(in->gz, buf, chunk) : 0;
    int err = Z_OK;
    const char *msg = n <= 0 && chunk ? gzerror(in->gz, &err) : "";
    *got = n > 0 ? (size_t)n : 0;
    if (n < 0 || (n == 0 && err != Z_OK)) {
        size_t skip = strlen(in->path);   /* zlib's message starts with the path */
        if (!strncmp(msg, in->path, skip) && !strncmp(msg + skip, ": ", 2))
            msg += skip + 2;
        if (err == Z_ERRNO)
            return nnc__fail(NNC_ERR_IO, "%s: cannot read: %s", in->path, strerror(errno));
        return nnc__fail(NNC_ERR_FORMAT, "%s: truncated or corrupt gzip data (%s)", in->path,
                         msg);
    }
    return NNC_OK;
}

nnc_status nnc__input_read(nnc__input *in, void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        size_t got;
        nnc_status s = nnc__input_read_some(in, p, len, &got);
        if (s != NNC_OK)
            return s;
        if (got == 0)
            return nnc__fail(NNC_ERR_FORMAT, "%s: truncated: %zu bytes fewer than the header "
                             "promises", in->path, len);
        p += got;
        len -= got;
    }
    return NNC_OK;
}

/* ---- whole gzip files in one call (libdeflate) ----------------------------
 * zlib inflates a stream a buffer at a time; libdeflate inflates a whole
 * member into a buffer of its final size in one call, about twice as fast,
 * but needs that size first. A gzip file ends with it (ISIZE, modulo 2^32);
 * the readers trust it only where it agrees with the size they expect (IDX:
 * the header's, after their own checks) or fits their limit (a pickle's,
 * a table's), and only when the file is exactly one member that inflates to
 * exactly that. Anything else (several members, a size over 4 GiB, damage)
 * goes the streaming way, which says what is wrong as it always has. */

#ifdef NNC_HAVE_LIBDEFLATE
/* The compressed file, whole; NULL if it cannot be read (the stream will say). */
static unsigned char *compressed_bytes(const nnc__input *in)
{
    if (in->size < 18 || in->size > SIZE_MAX)   /* a gzip header and trailer at least */
        return NULL;
    size_t size = (size_t)in->size, done = 0;
    unsigned char *c = malloc(size);
    while (c && done < size) {
        ssize_t got = pread(in->fd, c + done, size - done, (off_t)done);
        if (got <= 0) {
            free(c);
            return NULL;
        }
        done += (size_t)got;
    }
    return c;
}

static uint32_t isize_of(const unsigned char *c, size_t size)
{
    const unsigned char *t = c + size - 4;
    return (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
}

/* Inflates the one member of c into out, exactly total bytes; 1 if so. */
static int inflate_whole(const unsigned char *c, size_t size, void *out, size_t total)
{
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t used_in = 0, used_out = 0;
    int ok = d && libdeflate_gzip_decompress_ex(d, c, size, out, total, &used_in, &used_out) ==
                      LIBDEFLATE_SUCCESS &&
             used_in == size && used_out == total;
    libdeflate_free_decompressor(d);
    return ok;
}
#endif

int nnc__input_read_rest(nnc__input *in, uint64_t consumed, void *buf, size_t len)
{
#ifdef NNC_HAVE_LIBDEFLATE
    if (!in->gzipped || in->at_end || consumed > SIZE_MAX - len)
        return 0;
    size_t total = (size_t)consumed + len;
    unsigned char *c = compressed_bytes(in);
    int ok = c && isize_of(c, (size_t)in->size) == (uint32_t)total &&
             inflate_whole(c, (size_t)in->size, buf, total);
    free(c);
    if (!ok)
        return 0;
    memmove(buf, (unsigned char *)buf + consumed, len);
    in->at_end = 1;
    return 1;
#else
    (void)in, (void)consumed, (void)buf, (void)len;
    return 0;
#endif
}

/* nnc__read_whole's gzip'd content in one call: 1 and *buf, *len if so. */
static int read_whole_gzip(nnc__input *in, size_t max, char **buf, size_t *len)
{
#ifdef NNC_HAVE_LIBDEFLATE
    unsigned char *c = compressed_bytes(in);
    if (!c)
        return 0;
    size_t size = (size_t)in->size, total = isize_of(c, size);
    /* deflate's densest: 1032 bytes out per byte in */
    char *b = total <= max && total / 1032 <= size ? malloc(total + 1) : NULL;
    int ok = b && inflate_whole(c, size, b, total);
    free(c);
    if (!ok) {
        free(b);
        return 0;
    }
    b[total] = '\0';
    *buf = b;
    *len = total;
    return 1;
#else
    (void)in, (void)max, (void)buf, (void)len;
    return 0;
#endif
}

nnc_status nnc__read_whole(const char *path, size_t max, const char *too_big, char **buf,
                           size_t *len)
{
    *buf = NULL;
    *len = 0;
    nnc__input *in;
    nnc_status s = nnc__input_open(path, &in);
    if (s != NNC_OK)
        return s;
    if (!in->gzipped && in->size > max) {
        s = nnc__fail(NNC_ERR_FORMAT, "%s: %llu bytes, %s", path,
                      (unsigned long long)in->size, too_big);
        nnc__input_close(in);
        return s;
    }
    if (in->gzipped && read_whole_gzip(in, max, buf, len)) {
        nnc__input_close(in);
        return NNC_OK;
    }
    /* a raw file's size is its content's; gzip'd text is usually 3-8 times its file */
    uint64_t guess = in->gzipped ? 4 * in->size + 4096 : in->size;
    size_t cap = guess > max ? max : (size_t)guess, n = 0;
    char *b = malloc(cap + 1);
    if (!b)
        s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory for %zu bytes", path, cap);
    while (s == NNC_OK) {
        size_t got;
        if (n == cap) {   /* full: is there more? */
            char more;
            if ((s = nnc__input_read_some(in, &more, 1, &got)) != NNC_OK || got == 0)
                break;
            if (cap >= max) {
                s = nnc__fail(NNC_ERR_FORMAT, "%s: over %zu bytes%s, %s", path, max,
                              in->gzipped ? " uncompressed" : "", too_big);
                break;
            }
            size_t grown = cap > max / 2 ? max : 2 * cap;
            char *bigger = realloc(b, grown + 1);
            if (!bigger) {
                s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory for %zu bytes", path, grown);
                break;
            }
            b = bigger, cap = grown;
            b[n++] = more;
            continue;
        }
        if ((s = nnc__input_read_some(in, b + n, cap - n, &got)) != NNC_OK || got == 0)
            break;
        n += got;
    }
    nnc__input_close(in);
    if (s != NNC_OK) {
        free(b);
        return s;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return NNC_OK;
}
