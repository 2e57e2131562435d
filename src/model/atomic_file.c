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

static int write_all(int fd, const char *p, size_t left)
{
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : ENOSPC;
        p += w, left -= (size_t)w;
    }
    return 0;
}

/* Signals that end a process by default, held back during a save. */
static void hold_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGXFSZ);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void release_signals(const sigset_t *old, int err)
{
    if (err == EFBIG) {   /* the write's own SIGXFSZ: answered by the message */
        sigset_t xfsz;
        sigemptyset(&xfsz);
        sigaddset(&xfsz, SIGXFSZ);
        struct timespec now = {0, 0};
        while (sigtimedwait(&xfsz, NULL, &now) == SIGXFSZ)
            ;
    }
    pthread_sigmask(SIG_SETMASK, old, NULL);
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

nnc_status nnc__write_atomically(const char *path, const void *data, size_t len)
{
    char target[PATH_MAX], tmp[PATH_MAX];
    int exists;
    nnc_status s = plan(path, target, tmp, sizeof tmp, &exists);
    if (s != NNC_OK)
        return s;
    sigset_t old;
    hold_signals(&old);
    int fd = mkstemp(tmp), err = 0;
    if (fd < 0) {
        err = errno;
        release_signals(&old, 0);
        return nnc__fail(NNC_ERR_IO, "%s: cannot create a file in its folder: %s", path,
                         strerror(err));
    }
    /* mkstemp makes the file private; a model is an ordinary file: keep the
     * mode of the file it replaces, else rw-r--r-- */
    struct stat sb;
    fchmod(fd, exists && stat(target, &sb) == 0 ? (sb.st_mode & 07777) : 0644);
    err = write_all(fd, data, len);
    if (!err && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, target) != 0)
        err = errno;
    if (err)
        unlink(tmp);   /* the previous file, if any, is untouched */
    release_signals(&old, err);
    if (err)
        return nnc__fail(NNC_ERR_IO, "%s: cannot write: %s (%s)", path,
                         err == EFBIG ? "larger than the file-size limit" : strerror(err),
                         exists ? "the previous file is kept" : "nothing was written");
    sync_folder(target);
    return NNC_OK;
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
