/* group.c — joining, leaving and agreeing (nnc_dist): through MPI when an
 * MPI launcher started this process, else a group of one that never touches
 * MPI, so that a plain run needs no MPI at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/error.h"
#include "dist.h"

/* The variables MPI launchers (Open MPI, MPICH's Hydra, PMIx) give the
 * processes they start. */
static int started_by_mpi_launcher(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE",
                                       "PMI_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

int nnc_dist_available(void)
{
#ifdef NNC_HAVE_MPI
    return 1;
#else
    return 0;
#endif
}

unsigned nnc_dist_rank(const nnc_dist *d)
{
    return nnc__dist_rank(d);
}

unsigned nnc_dist_size(const nnc_dist *d)
{
    return nnc__dist_size(d);
}

#ifdef NNC_HAVE_MPI
nnc_status nnc__dist_fail(int code, const char *doing)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(code, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "error %d", code);
    return nnc__fail(NNC_ERR_IO, "MPI, %s: %s", doing, text);
}

/* Joins MPI_COMM_WORLD, its errors returned rather than fatal. */
static nnc_status join_mpi(int *argc, char ***argv, nnc_dist *d)
{
    int initialized = 0, rank, size, local;
    MPI_Initialized(&initialized);
    if (!initialized) {
        int rc = MPI_Init(argc, argv);
        if (rc != MPI_SUCCESS)
            return nnc__fail(NNC_ERR_IO, "MPI could not be initialised (error %d)", rc);
        d->finalize = 1;
    }
    int rc = MPI_Comm_dup(MPI_COMM_WORLD, &d->comm);
    if (rc != MPI_SUCCESS)
        return nnc__dist_fail(rc, "joining the group");
    MPI_Comm_set_errhandler(d->comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(d->comm, &rank);
    MPI_Comm_size(d->comm, &size);
    MPI_Comm node;
    if (MPI_Comm_split_type(d->comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_size(node, &local);
        MPI_Comm_free(&node);
    } else {
        local = size;
    }
    d->rank = (unsigned)rank, d->size = (unsigned)size, d->local_size = (unsigned)local;
    d->mpi = 1;
    return NNC_OK;
}
#else
nnc_status nnc__dist_fail(int code, const char *doing)
{
    return nnc__fail(NNC_ERR_IO, "MPI, %s: error %d", doing, code);
}
#endif

nnc_status nnc_dist_join(int *argc, char ***argv, nnc_dist **out)
{
    if (!out)
        return nnc__fail(NNC_ERR_ARG, "nnc_dist_join: NULL argument");
    *out = NULL;
    nnc_dist *d = calloc(1, sizeof *d);
    if (!d)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a process group");
    d->size = d->local_size = 1;
    if (started_by_mpi_launcher()) {
#ifdef NNC_HAVE_MPI
        nnc_status s = join_mpi(argc, argv, d);
        if (s != NNC_OK) {
            free(d);
            return s;
        }
#else
        (void)argc, (void)argv;
        free(d);
        return nnc__fail(NNC_ERR_ARG, "started by an MPI launcher, but this nnc was built "
                         "without MPI (rebuild with Open MPI's libopenmpi-dev installed, or "
                         "-Dmpi=enabled)");
#endif
    }
    *out = d;
    return NNC_OK;
}

void nnc_dist_leave(nnc_dist *d)
{
    if (!d)
        return;
#ifdef NNC_HAVE_MPI
    if (d->mpi)
        MPI_Comm_free(&d->comm);
    if (d->finalize)
        MPI_Finalize();
#endif
    free(d);
}

/* The longest message nnc_dist_agree passes from one process to the rest. */
#define AGREED_MESSAGE 480

nnc_status nnc_dist_agree(nnc_dist *d, nnc_status s, const char *message)
{
    if (!d || !d->mpi || d->size == 1)
        return s != NNC_OK && message ? nnc__fail(s, "%s", message) : s;
#ifdef NNC_HAVE_MPI
    /* the first failing rank: the smallest rank whose status is not OK */
    int mine = s != NNC_OK ? (int)d->rank : (int)d->size, first;
    int rc = MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, d->comm);
    if (rc != MPI_SUCCESS)
        return nnc__dist_fail(rc, "agreeing on a step");
    if (first == (int)d->size)
        return NNC_OK;
    struct {
        int  status;
        char text[AGREED_MESSAGE];
    } said = {(int)s, ""};
    if ((int)d->rank == first)
        snprintf(said.text, sizeof said.text, "%s", message ? message : nnc_last_error());
    rc = MPI_Bcast(&said, (int)sizeof said, MPI_BYTE, first, d->comm);
    if (rc != MPI_SUCCESS)
        return nnc__dist_fail(rc, "agreeing on a step");
    if ((int)d->rank == first)
        return message ? nnc__fail(s, "%s", message) : s;
    return nnc__fail((nnc_status)said.status, "rank %d: %s", first, said.text);
#else
    return s;
#endif
}

nnc_status nnc__dist_same(const nnc_dist *d, uint64_t value, const char *what)
{
    if (!d || !d->mpi || d->size == 1)
        return NNC_OK;
#ifdef NNC_HAVE_MPI
    uint64_t first = value;
    int rc = MPI_Bcast(&first, 1, MPI_UINT64_T, 0, d->comm);
    if (rc != MPI_SUCCESS)
        return nnc__dist_fail(rc, "comparing the processes' inputs");
    int differs = first != value ? (int)d->rank : (int)d->size, lowest;
    rc = MPI_Allreduce(&differs, &lowest, 1, MPI_INT, MPI_MIN, d->comm);
    if (rc != MPI_SUCCESS)
        return nnc__dist_fail(rc, "comparing the processes' inputs");
    if (lowest < (int)d->size)
        return nnc__fail(NNC_ERR_MISMATCH, "rank %d's %s differs from rank 0's: every "
                         "process must read the same files with the same options",
                         lowest, what);
    return NNC_OK;
#else
    (void)value, (void)what;
    return NNC_OK;
#endif
}

int nnc__dist_any(const nnc_dist *d, int flag)
{
    if (!d || !d->mpi || d->size == 1)
        return flag != 0;
#ifdef NNC_HAVE_MPI
    int mine = flag != 0, any = mine;
    if (MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, d->comm) != MPI_SUCCESS)
        return 1;   /* a group that cannot agree had better stop */
    return any;
#else
    return flag != 0;
#endif
}
