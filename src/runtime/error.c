/* error.c — the per-thread last-error message behind nnc_last_error(). */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

static _Thread_local char last_error[512];

nnc_status nnc__fail(nnc_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

const char *nnc_last_error(void) { return last_error; }

const char *nnc_status_name(nnc_status s)
{
    switch (s) {
    case NNC_OK:           return "ok";
    case NNC_ERR_ARG:      return "invalid argument";
    case NNC_ERR_NOMEM:    return "out of memory";
    case NNC_ERR_IO:       return "I/O error";
    case NNC_ERR_FORMAT:   return "format error";
    case NNC_ERR_MISMATCH: return "mismatch";
    case NNC_ERR_INTERRUPTED: return "interrupted";
    case NNC_ERR_DIVERGED: return "diverged";
    }
    return "unknown status";
}
