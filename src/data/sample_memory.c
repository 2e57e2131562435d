/* sample_memory.c — memory for a dataset's samples.
 *
 * Training visits the samples in shuffled order, so with 4 KB pages nearly
 * every sample of MNIST's 47 MB lies on a page the TLB does not hold, and
 * each costs a page walk (in a virtual machine, a walk of two page tables).
 * Large sample arrays are therefore 2 MB aligned and, where Linux offers
 * transparent huge pages, backed by them: loading a batch of the seed's
 * network went from 5.0k to 4.0k of its ~25k cycles (docs/PERFORMANCE.md). */
#define _DEFAULT_SOURCE   /* madvise */
#include <stdlib.h>
#include <sys/mman.h>

#include "../internal.h"

#define HUGE_PAGE ((size_t)2 << 20)

void *nnc__sample_alloc(size_t bytes)
{
    if (bytes < HUGE_PAGE)
        return malloc(bytes ? bytes : 1);
    if (bytes > SIZE_MAX - HUGE_PAGE)
        return NULL;
    size_t whole = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = aligned_alloc(HUGE_PAGE, whole);   /* as layout.c aligns parameters */
    if (!p)
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, whole, MADV_HUGEPAGE);   /* a hint: refused, the pages stay 4 KB */
#endif
    return p;
}
