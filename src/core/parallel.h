/*
 * parallel.h
 *		Running independent pieces of core work in threads.
 *
 * A task function runs once per worker with the worker's number; it must
 * not call back into the host (PostgreSQL), allocate, or rely on signals,
 * and should poll *stop between pieces of work.  The calling thread only
 * waits, asking the poll function about every 10 ms whether to stop; the
 * workers block every signal, so that signal handlers run in the calling
 * thread only.
 */
#ifndef CC_PARALLEL_H
#define CC_PARALLEL_H

#include <stdbool.h>

#include "cc_common.h"

typedef bool (*CcPollFn) (void *arg);
typedef void (*CcTaskFn) (void *arg, int worker);

/*
 * Run task(arg, 0 .. workers - 1), each in a thread when possible.  Sets
 * *stop when poll says so.  Returns how many workers ran in threads: the
 * caller must run the rest (numbers from the return value up) itself.
 */
extern int	cc_run_workers(CcTaskFn task, void *arg, int workers,
						   CcPollFn poll, void *poll_arg, volatile int *stop);

/* Whether *stop was set (an atomic load). */
static inline bool
cc_stop_requested(volatile int *stop)
{
	return stop != NULL && __atomic_load_n(stop, __ATOMIC_RELAXED) != 0;
}

/*
 * Claim the next piece of shared work: returns *counter and increments it
 * (an atomic fetch-and-add), so that workers share pieces of uneven cost.
 */
static inline int
cc_claim_next(volatile int *counter)
{
	return __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/*
 * Run fn(arg, part) once for each part 0 .. parts - 1, the parts shared out
 * between up to threads threads (and the calling thread), each claimed as
 * a thread gets free.  fn follows the rules of a task (above); the result
 * must not depend on which thread runs a part.  Returns false when poll
 * asked to stop, some parts then not run.
 */
typedef void (*CcPartFn) (void *arg, int part);

extern bool cc_run_parts(CcPartFn fn, void *arg, int parts, int threads,
						 CcPollFn poll, void *poll_arg);

#endif							/* CC_PARALLEL_H */
