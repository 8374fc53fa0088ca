/*
 * workpool.h: a few threads for CPU-heavy work that must not run on an
 * event-loop thread. Password hashing (argon2id, about 0.1 s and 64 MiB per
 * call) is the case in point: on a loop thread, one login stalls every other
 * request that loop owns for as long as the hash takes.
 *
 * The HTTP layer wraps it as http_offload() (http.h); this module knows
 * nothing of requests.
 *
 * Guarantees:
 *  - Every job that workpool_submit() accepted runs exactly once, on one of
 *    the pool's threads, and then its complete(rc, cud) runs on that same
 *    thread with fn's result. Jobs start in the order they were submitted.
 *  - The queue is bounded: a submission that finds max_queued jobs waiting
 *    is refused with ERR_UNAVAILABLE, and nothing of it runs. Memory does not
 *    grow under a flood; the caller answers 503.
 *  - The threads run at a lower scheduling priority than the rest of the
 *    process (nice_incr, Linux per-thread nice), so under CPU contention the
 *    event loops are served first.
 *  - workpool_stop() refuses new jobs, runs every accepted job (complete
 *    included), joins the threads and frees the pool. Calling it with NULL
 *    does nothing.
 *  - workpool_submit() and workpool_stop() are thread-safe, except that no
 *    submission may race with or follow workpool_stop().
 */
#ifndef SIGAP_WORKPOOL_H
#define SIGAP_WORKPOOL_H

typedef struct workpool workpool_t;

typedef int (*workpool_fn)(void *ud);
typedef void (*workpool_complete_fn)(int rc, void *cud);

/* threads >= 1, max_queued >= 1, nice_incr 0..19. NULL when the threads
 * cannot be started (nothing is left running then). */
workpool_t *workpool_start(int threads, int max_queued, int nice_incr);
/* 0 when queued; ERR_UNAVAILABLE when the queue is full or the pool is
 * stopping; ERR_NOMEM. */
int workpool_submit(workpool_t *p, workpool_fn fn, void *ud, workpool_complete_fn complete, void *cud);
/* Jobs waiting to start (for tests and the health page). */
int workpool_queued(workpool_t *p);
void workpool_stop(workpool_t *p);

#endif
