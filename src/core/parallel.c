/*
 * parallel.c
 *		Worker threads for the core, with signals blocked and a polling
 *		calling thread; see parallel.h.
 */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>

#include "parallel.h"

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <signal.h>
#include <time.h>

#define MAX_WORKERS 64

typedef struct Pool
{
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	int			done;
	CcTaskFn	task;
	void	   *arg;
} Pool;

typedef struct Worker
{
	Pool	   *pool;
	int			number;
} Worker;

static void *
worker_main(void *p)
{
	Worker	   *w = p;

	w->pool->task(w->pool->arg, w->number);
	pthread_mutex_lock(&w->pool->lock);
	w->pool->done++;
	pthread_cond_signal(&w->pool->done_cv);
	pthread_mutex_unlock(&w->pool->lock);
	return NULL;
}

/* Run the workers in threads; see parallel.h. */
int
cc_run_workers(CcTaskFn task, void *arg, int workers, CcPollFn poll,
			   void *poll_arg, volatile int *stop)
{
	pthread_t	tids[MAX_WORKERS];
	Worker		ws[MAX_WORKERS];
	Pool		pool;
	sigset_t	all,
				old;
	int			started = 0;
	int			t;

	if (workers > MAX_WORKERS)
		workers = MAX_WORKERS;
	if (workers < 2)
		return 0;
	pthread_mutex_init(&pool.lock, NULL);
	pthread_cond_init(&pool.done_cv, NULL);
	pool.done = 0;
	pool.task = task;
	pool.arg = arg;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (t = 0; t < workers; t++)
	{
		ws[t].pool = &pool;
		ws[t].number = t;
		if (pthread_create(&tids[t], NULL, worker_main, &ws[t]) != 0)
			break;
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	/* asked at least once, however fast the workers are */
	if (poll && poll(poll_arg))
		__atomic_store_n(stop, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&pool.lock);
	while (pool.done < started)
	{
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 10 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L)
		{
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&pool.done_cv, &pool.lock, &until);
		if (poll && poll(poll_arg))
			__atomic_store_n(stop, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&pool.lock);
	for (t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	pthread_mutex_destroy(&pool.lock);
	pthread_cond_destroy(&pool.done_cv);
	return started;
}

#else

/* No threads on this platform: the caller runs every worker. */
int
cc_run_workers(CcTaskFn task, void *arg, int workers, CcPollFn poll,
			   void *poll_arg, volatile int *stop)
{
	(void) task;
	(void) arg;
	(void) workers;
	(void) poll;
	(void) poll_arg;
	(void) stop;
	return 0;
}

#endif

/* The shared state of cc_run_parts. */
typedef struct Parts
{
	CcPartFn	fn;
	void	   *arg;
	int			parts;
	volatile int next;
	volatile int *stop;
} Parts;

static void
parts_task(void *arg, int worker)
{
	Parts	   *ps = arg;

	(void) worker;
	for (;;)
	{
		int			part;

		if (cc_stop_requested(ps->stop))
			return;
		part = cc_claim_next(&ps->next);
		if (part >= ps->parts)
			return;
		ps->fn(ps->arg, part);
	}
}

/* Run fn for every part, in threads when there are some; see parallel.h. */
bool
cc_run_parts(CcPartFn fn, void *arg, int parts, int threads, CcPollFn poll,
			 void *poll_arg)
{
	volatile int stop = 0;
	Parts		ps;
	int			workers = threads < parts ? threads : parts;

	ps.fn = fn;
	ps.arg = arg;
	ps.parts = parts;
	ps.next = 0;
	ps.stop = &stop;
	if (workers > 1)
		(void) cc_run_workers(parts_task, &ps, workers, poll, poll_arg, &stop);
	/* whatever no thread took, here */
	ps.stop = NULL;
	if (!stop)
		parts_task(&ps, 0);
	return !stop;
}
