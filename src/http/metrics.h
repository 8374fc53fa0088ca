/*
 * metrics.h: the figures behind GET /metrics (Prometheus text exposition
 * format 0.0.4) and the writing of its body.
 *
 * Counting is cheap: each event-loop thread owns one metrics_shard_t and is
 * the only one to write it (a relaxed atomic load and store per counter, no
 * lock, no read-modify-write instruction); a scrape sums the shards with
 * relaxed loads. A sum may miss a request counted at that very moment, never
 * a torn value.
 *
 * metrics_format() is a pure function of a metrics_t: the server fills one
 * (the shards' sum, the store's group-commit figures, the gauges) and sends
 * what it writes. Labels hold only fixed values (a status class, a bucket's
 * bound, the version, a job's name): no tenant, path or user ever becomes a
 * label.
 */
#ifndef SIGAP_METRICS_H
#define SIGAP_METRICS_H

#include <stdint.h>

#include "core/sb.h"

/* The finite upper bounds of the duration histogram, in seconds: 0.005,
 * 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 (and +Inf). */
#define METRICS_BOUNDS 11

typedef struct metrics_shard {
	uint64_t status[4];                   /* answers by class: 2xx, 3xx, 4xx, 5xx */
	uint64_t bucket[METRICS_BOUNDS + 1];  /* durations per bucket, not cumulative; the last
	                                       * counts those above the largest bound */
	uint64_t sum_ns;                      /* the durations' sum, nanoseconds */
} metrics_shard_t;

/* Counts an answer's status (200-599; anything else is not counted).
 * Only the shard's owning thread calls it. */
void metrics_count_status(metrics_shard_t *s, int status);
/* Counts a request's duration (negative counts as 0). Owning thread only. */
void metrics_observe(metrics_shard_t *s, long ns);
/* The bucket of a duration: the first bound it does not exceed
 * (0..METRICS_BOUNDS-1), or METRICS_BOUNDS above the largest. */
int metrics_bucket(long ns);
/* Adds from's counters into into (relaxed loads of from; any thread). */
void metrics_shard_add(metrics_shard_t *into, const metrics_shard_t *from);

/* One periodic job (app_jobs: the SLA sweeps, the mail, the pruning), as
 * the jobs' thread counted its runs. */
typedef struct metrics_job {
	const char *name;      /* the job's fixed name, e.g. "mail.send" */
	uint64_t ok, failed;   /* runs that succeeded, failed */
	int64_t last_success;  /* when the last successful run ended, Unix seconds; 0: none yet */
	double last_seconds;   /* how long the last run took (either outcome) */
} metrics_job_t;

typedef struct metrics {
	const char *version;    /* sigap_build_info's label */
	int64_t start_time;     /* Unix seconds */
	metrics_shard_t http;   /* summed over the event loops */
	uint64_t store_txs;     /* store_group_stats() */
	uint64_t store_commits;
	int read_only;          /* store_read_only() */
	int compute_queued;     /* jobs waiting for a compute thread; < 0: no compute pool */
	int waiting;            /* requests waiting for a commit or a compute job */
	int threads;            /* event-loop threads */
	const metrics_job_t *jobs; /* njobs of them; none when the jobs' thread is off (sweep-interval 0) */
	int njobs;
	int have_mail;          /* the outbox was read (not when the database is away) */
	int64_t mail_waiting;   /* mail_outbox_stats() */
	int64_t mail_oldest_age; /* seconds since the oldest waiting message was queued; 0: none */
	int64_t mail_given_up;  /* given up in the last 24 hours */
} metrics_t;

/* Writes the exposition (HELP and TYPE lines, then the samples; '\n' line
 * ends, ending with one) to out. */
void metrics_format(const metrics_t *m, sb_t *out);

#endif
