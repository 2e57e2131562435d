/* error.h — how the library fails: a status code and this thread's message. */
#ifndef NNC_ERROR_H
#define NNC_ERROR_H

#include "nnc.h"

/* Records a printf-style message as this thread's last error; returns s. */
nnc_status nnc__fail(nnc_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
