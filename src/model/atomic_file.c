/* atomic_file.c — see atomic_file.h. */
#define _DEFAULT_SOURCE   /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../runtime/error.h"
#include "../runtime/file.h"
#include "atomic_file.h"

/* The file to write for path: path itself, or the target of a symbolic link,
 * so that the link stays a link. Refuses what is not a regular file. */
static nnc_status resolve(const char *path, char *target, size_t cap, int *exists)
{
    struct stat sb;
    *exists = 0;
    if (lstat(path, &sb) != 0) {
        if (errno != ENOENT)
            return nnc__fail(NNC_ERR_IO, "%s: %s", path, strerror(errno));
        if (snprintf(target, cap, "%s", path) >= (int)cap)
            return nnc__fail(NNC_ERR_ARG, "%s: path too long", path);
        return NNC_OK;
    }
    if (S_ISLNK(sb.st_mode)) {
        char real[PATH_MAX];
        if (!realpath(path, real))
            return nnc__fail(NNC_ERR_IO, "%s: a symbolic link whose target cannot be reached: %s",
                             path, strerror(errno));
        if (stat(real, &sb) != 0)
            return nnc__fail(NNC_ERR_IO, "%s: %s", path, strerror(errno));
        if (snprintf(target, cap, "%s", real) >= (int)cap)
            return nnc__fail(NNC_ERR_ARG, "%s: path too long", path);
    } else if (snprintf(target, cap, "%s", path) >= (int)cap) {
        return nnc__fail(NNC_ERR_ARG, "%s: path too long", path);
    }
    nnc_status s = nnc__regular(path, &sb);
    *exists = s == NNC_OK;
    return s;
}

/* Makes the rename itself durable; a failure here loses nothing. */
static void sync_folder(const char *path)
{
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", path);
    int fd = open(dirname(copy), O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Signals that end a process by default, held back while a file is
 * written; per thread, counted, so that files begun inside one another
 * release them only when the last one ends. */
static _Thread_local unsigned held;
static _Thread_local sigset_t held_old;

static void hold_signals(void)
{
    if (held++ > 0)
        return;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGXFSZ);
    pthread_sigmask(SIG_BLOCK, &set, &held_old);
}

/* 1 if a write went past the file-size limit: its SIGXFSZ, held back, is
 * taken (answered by the message instead of ending the process). */
static int take_xfsz(void)
{
    sigset_t pending;
    if (sigpending(&pending) != 0 || !sigismember(&pending, SIGXFSZ) ||
        sigismember(&held_old, SIGXFSZ))
        return 0;
    sigset_t xfsz;
    sigemptyset(&xfsz);
    sigaddset(&xfsz, SIGXFSZ);
    struct timespec now = {0, 0};
    while (sigtimedwait(&xfsz, NULL, &now) == SIGXFSZ)
        ;
    return 1;
}

static void release_signals(void)
{
    if (held > 0 && --held == 0)
        pthread_sigmask(SIG_SETMASK, &held_old, NULL);
}

/* The file to write for path (resolve) and a template for a temporary
 * file beside it. */
static nnc_status plan(const char *path, char *target, char *tmp, size_t cap, int *exists)
{
    nnc_status s = resolve(path, target, cap, exists);
    if (s == NNC_OK && snprintf(tmp, cap, "%s.tmp-XXXXXX", target) >= (int)cap)
        s = nnc__fail(NNC_ERR_ARG, "%s: path too long", path);
    return s;
}

struct nnc_file {
    FILE *f;
    int   exists;               /* a file is replaced: its mode is kept */
    char  path[PATH_MAX];       /* as named, for messages */
    char  target[PATH_MAX];     /* the file replaced: path, or a link's target */
    char  tmp[PATH_MAX];
};

nnc_status nnc_file_begin(const char *path, nnc_file **out, FILE **stream)
{
    if (out)
        *out = NULL;
    if (stream)
        *stream = NULL;
    if (!path || !out || !stream)
        return nnc__fail(NNC_ERR_ARG, "nnc_file_begin: NULL argument");
    nnc_file *h = calloc(1, sizeof *h);
    if (!h)
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    nnc_status s = plan(path, h->target, h->tmp, sizeof h->tmp, &h->exists);
    if (s == NNC_OK && snprintf(h->path, sizeof h->path, "%s", path) >= (int)sizeof h->path)
        s = nnc__fail(NNC_ERR_ARG, "%s: path too long", path);
    if (s != NNC_OK) {
        free(h);
        return s;
    }
    hold_signals();
    int fd = mkstemp(h->tmp);
    if (fd < 0 || !(h->f = fdopen(fd, "wb"))) {
        int err = errno;
        if (fd >= 0) {
            close(fd);
            unlink(h->tmp);
        }
        release_signals();
        free(h);
        return nnc__fail(NNC_ERR_IO, "%s: cannot create a file in its folder: %s", path,
                         strerror(err));
    }
    /* mkstemp makes the file private; what nnc writes is an ordinary file:
     * keep the mode of the file it replaces, else rw-r--r-- */
    struct stat sb;
    fchmod(fd, h->exists && stat(h->target, &sb) == 0 ? (sb.st_mode & 07777) : 0644);
    *out = h;
    *stream = h->f;
    return NNC_OK;
}

nnc_status nnc_file_end(nnc_file *h, int ok)
{
    if (!h)
        return NNC_OK;
    int err = 0;
    if (ferror(h->f))
        err = errno ? errno : EIO;
    if (!err && fflush(h->f) != 0)
        err = errno;
    if (ok && !err && fsync(fileno(h->f)) != 0)
        err = errno;
    if (fclose(h->f) != 0 && !err)
        err = errno;
    if (ok && !err && rename(h->tmp, h->target) != 0)
        err = errno;
    if (!ok || err)
        unlink(h->tmp);   /* the previous file, if any, is untouched */
    if (take_xfsz() && err)
        err = EFBIG;
    release_signals();
    nnc_status s = NNC_OK;
    if (ok && err)
        s = nnc__fail(NNC_ERR_IO, "%s: cannot write: %s (%s)", h->path,
                      err == EFBIG ? "larger than the file-size limit" : strerror(err),
                      h->exists ? "the previous file is kept" : "nothing was written");
    else if (ok)
        sync_folder(h->target);
    free(h);
    return s;
}

nnc_status nnc__write_atomically(const char *path, const void *data, size_t len)
{
    nnc_file *h;
    FILE *f;
    nnc_status s = nnc_file_begin(path, &h, &f);
    if (s != NNC_OK)
        return s;
    if (len)
        fwrite(data, 1, len, f);   /* a failure shows in nnc_file_end */
    return nnc_file_end(h, 1);
}

nnc_status nnc__check_writable(const char *path)
{
    char target[PATH_MAX], tmp[PATH_MAX];
    int exists;
    nnc_status s = plan(path, target, tmp, sizeof tmp, &exists);
    if (s != NNC_OK)
        return s;
    int fd = mkstemp(tmp);
    if (fd < 0)
        return nnc__fail(NNC_ERR_IO, "%s: cannot create a file in its folder: %s", path,
                         strerror(errno));
    close(fd);
    unlink(tmp);
    return NNC_OK;
}
