/* threads.c — the one place that decides how many threads to use. */
#include <unistd.h>

#include "threads.h"

/* Below this many FLOPs per batch a second thread costs more than it saves. */
#define FLOPS_PER_THREAD 64e6

unsigned nnc__threads_for(double flops, unsigned requested)
{
    if (requested > 0)
        return requested;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (flops < FLOPS_PER_THREAD || cpus < 2)
        return 1;
    return (unsigned)(flops / FLOPS_PER_THREAD < cpus ? flops / FLOPS_PER_THREAD : cpus);
}
