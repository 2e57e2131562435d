/* dist.h — the group of processes training together (nnc_dist), as the
 * rest of the library sees it. */
#ifndef NNC_DIST_H
#define NNC_DIST_H

#include <stdint.h>

#include "nnc.h"

#ifdef NNC_HAVE_MPI
#include <mpi.h>
#endif

struct nnc_dist {
    unsigned rank, size;
    unsigned local_size;   /* the group's processes on this machine */
    int      mpi;          /* 1: joined through MPI                  */
    int      finalize;     /* 1: MPI was initialised here             */
#ifdef NNC_HAVE_MPI
    MPI_Comm comm;
#endif
};

/* The rank and size of d, a NULL d being a process alone. */
static inline unsigned nnc__dist_rank(const nnc_dist *d)
{
    return d ? d->rank : 0;
}
static inline unsigned nnc__dist_size(const nnc_dist *d)
{
    return d ? d->size : 1;
}

/* NNC_OK when every process of d holds the same value; else NNC_ERR_MISMATCH
 * "rank R's WHAT differs from rank 0's" on every process. */
nnc_status nnc__dist_same(const nnc_dist *d, uint64_t value, const char *what);

/* 1 if flag is non-zero on any process of d (a failure to ask counts as 1). */
int nnc__dist_any(const nnc_dist *d, int flag);

/* Fails with the text of an MPI error code, naming what was being done. */
nnc_status nnc__dist_fail(int code, const char *doing);

#endif
