/* threads.h — how many threads a piece of work is worth. */
#ifndef NNC_THREADS_H
#define NNC_THREADS_H

/* Threads for work of this many FLOPs per batch (or per evaluation part):
 * 1 below the point where waking a second thread costs more than it saves,
 * never more than the processors online. requested > 0 is taken as given. */
unsigned nnc__threads_for(double flops, unsigned requested);

#endif
