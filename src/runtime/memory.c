/* memory.c — aligned memory for parameters, batches and samples.
 *
 * Training visits the samples in shuffled order, so with 4 KB pages nearly
 * every sample of MNIST's 47 MB lies on a page the TLB does not hold, and
 * each costs a page walk (in a virtual machine, a walk of two page tables).
 * Large sample arrays are therefore 2 MB aligned and, where Linux offers
 * transparent huge pages, backed by them (docs/PERFORMANCE.md). */
#define _DEFAULT_SOURCE   /* madvise */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <unistd.h>

#include "error.h"
#include "memory.h"

#define HUGE_PAGE ((size_t)2 << 20)
#define LINE 64

float *nnc__alloc_floats(size_t count)
{
    if (count > (SIZE_MAX - LINE) / sizeof(float))
        return NULL;
    size_t bytes = (count * sizeof(float) + LINE - 1) / LINE * LINE;
    return aligned_alloc(LINE, bytes ? bytes : LINE);
}

size_t nnc__physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0 || (size_t)pages > SIZE_MAX / (size_t)page)
        return SIZE_MAX;
    return (size_t)pages * (size_t)page;
}

nnc_status nnc__check_memory(double bytes, const char *what)
{
    double have = (double)nnc__physical_memory();
    if (bytes <= have)
        return NNC_OK;
    return nnc__fail(NNC_ERR_NOMEM, "%s needs about %.1f GB of memory, more than this "
                     "machine's %.1f GB", what, bytes / 1e9, have / 1e9);
}

void *nnc__alloc_samples(size_t bytes)
{
    if (bytes < HUGE_PAGE)
        return malloc(bytes ? bytes : 1);
    if (bytes > SIZE_MAX - HUGE_PAGE)
        return NULL;
    size_t whole = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = aligned_alloc(HUGE_PAGE, whole);
    if (!p)
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, whole, MADV_HUGEPAGE);   /* a hint: refused, the pages stay 4 KB */
#endif
    return p;
}
