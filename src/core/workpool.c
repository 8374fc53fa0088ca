/*
 * workpool.c: see workpool.h. A fixed set of threads takes jobs from one
 * FIFO ring under a mutex; the ring is allocated once at its bound, so
 * submitting never allocates.
 */
#include "workpool.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "err.h"

typedef struct job {
	workpool_fn fn;
	void *ud;
	workpool_complete_fn complete;
	void *cud;
} job_t;

struct workpool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	job_t *ring;        /* max_queued slots */
	int cap, head, n;   /* ring capacity, first job, jobs waiting */
	int stopping;
	int nice_incr;
	int nthreads;
	pthread_t *tids;
};

static void *pool_main(void *arg)
{
	workpool_t *p = arg;
	/* Linux applies nice per thread (the "process" a tid names) */
	if (p->nice_incr > 0)
		(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), p->nice_incr);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		job_t j;
		while (p->n == 0 && !p->stopping)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->n == 0)
			break; /* stopping, and nothing left to run */
		j = p->ring[p->head];
		p->head = (p->head + 1) % p->cap;
		p->n--;
		pthread_mutex_unlock(&p->mu);
		{
			int rc = j.fn(j.ud);
			if (j.complete)
				j.complete(rc, j.cud);
		}
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

workpool_t *workpool_start(int threads, int max_queued, int nice_incr)
{
	workpool_t *p;
	if (threads < 1 || max_queued < 1 || nice_incr < 0 || nice_incr > 19)
		return NULL;
	if (!(p = calloc(1, sizeof(*p))))
		return NULL;
	p->ring = calloc((size_t)max_queued, sizeof(*p->ring));
	p->tids = calloc((size_t)threads, sizeof(*p->tids));
	if (!p->ring || !p->tids) {
		free(p->ring);
		free(p->tids);
		free(p);
		return NULL;
	}
	p->cap = max_queued;
	p->nice_incr = nice_incr;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&p->tids[i], NULL, pool_main, p) != 0) {
			p->nthreads = i;
			workpool_stop(p);
			return NULL;
		}
	}
	p->nthreads = threads;
	return p;
}

int workpool_submit(workpool_t *p, workpool_fn fn, void *ud, workpool_complete_fn complete, void *cud)
{
	int rc = 0;
	if (!p || !fn)
		return ERR_INVALID;
	pthread_mutex_lock(&p->mu);
	if (p->stopping || p->n == p->cap) {
		rc = ERR_UNAVAILABLE;
	} else {
		p->ring[(p->head + p->n) % p->cap] = (job_t){ fn, ud, complete, cud };
		p->n++;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int workpool_queued(workpool_t *p)
{
	int n;
	if (!p)
		return 0;
	pthread_mutex_lock(&p->mu);
	n = p->n;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void workpool_stop(workpool_t *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->tids[i], NULL);
	/* each thread leaves only when the ring is empty: every accepted job ran */
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->ring);
	free(p->tids);
	free(p);
}
