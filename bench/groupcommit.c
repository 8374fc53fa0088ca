/*
 * groupcommit.c: measures durable write throughput through the store, with
 * the reference measured in the same run.
 *
 *   reference: one thread, a loop of single-row transactions, each its own
 *              fsync'd commit (what a server without group commit does);
 *   group:     N threads submitting single-row transactions at once through
 *              store_tx(), batched by the writer into shared commits.
 *
 * Usage: bench_groupcommit DB [threads=64] [seconds=5]
 * DB is a SQLite path (created) or a postgresql:// URL (a table
 * bench_gc is created and dropped there).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"

static store_t *st;
static volatile int stop;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int insert_row(store_conn_t *c, void *ud)
{
	int rc = store_exec(c, "INSERT INTO bench_gc (tenant, body, created_at) VALUES ('52.71', ?, ?)", "ti",
			    "jalan berlubang di depan sekolah, mohon segera diperbaiki", (int64_t)time(NULL));
	(void)ud;
	return rc < 0 ? rc : 0;
}

static void *client(void *arg)
{
	long *count = arg;
	while (!stop)
		if (store_tx(st, insert_row, NULL) == 0)
			(*count)++;
	return NULL;
}

static int setup(store_conn_t *c, void *ud)
{
	(void)ud;
	return store_exec_script(c, "DROP TABLE IF EXISTS bench_gc; CREATE TABLE bench_gc (id {ID}, tenant TEXT NOT NULL, "
				    "body TEXT NOT NULL, created_at BIGINT NOT NULL)");
}

static int teardown(store_conn_t *c, void *ud)
{
	(void)ud;
	return store_exec_script(c, "DROP TABLE IF EXISTS bench_gc");
}

int main(int argc, char **argv)
{
	int threads = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 64;
	double secs = argc > 3 ? strtod(argv[3], NULL) : 5, t0, ref_rate, grp_rate;
	long ref = 0, *counts, total = 0;
	uint64_t txs0, commits0, txs1, commits1;
	pthread_t *tids;
	if (argc < 2 || threads < 1 || threads > 1024 || secs <= 0) {
		fprintf(stderr, "usage: %s DB [threads] [seconds]\n", argv[0]);
		return 2;
	}
	if (store_open(argv[1], NULL, &st) < 0 || store_tx(st, setup, NULL) < 0) {
		fprintf(stderr, "bench: %s\n", store_errmsg());
		return 1;
	}
	/* reference: sequential single-row commits */
	t0 = now_s();
	while (now_s() - t0 < secs)
		if (store_tx(st, insert_row, NULL) == 0)
			ref++;
	ref_rate = (double)ref / (now_s() - t0);

	store_group_stats(st, &txs0, &commits0);
	counts = calloc((size_t)threads, sizeof(long));
	tids = calloc((size_t)threads, sizeof(pthread_t));
	t0 = now_s();
	for (int i = 0; i < threads; i++)
		pthread_create(&tids[i], NULL, client, &counts[i]);
	while (now_s() - t0 < secs) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	stop = 1;
	for (int i = 0; i < threads; i++) {
		pthread_join(tids[i], NULL);
		total += counts[i];
	}
	grp_rate = (double)total / (now_s() - t0);
	store_group_stats(st, &txs1, &commits1);
	printf("backend: %s\n", store_kind(st) == STORE_PG ? "postgresql (synchronous_commit=on)" : "sqlite (WAL, synchronous=FULL)");
	printf("reference, 1 thread, one commit per row: %10.0f rows/s\n", ref_rate);
	printf("group commit, %3d threads:               %10.0f rows/s  (%.1f rows per commit)\n", threads, grp_rate,
	       commits1 > commits0 ? (double)(txs1 - txs0) / (double)(commits1 - commits0) : 0.0);
	printf("ratio group/reference: %.2fx (target >= 5x)\n", ref_rate > 0 ? grp_rate / ref_rate : 0.0);
	store_tx(st, teardown, NULL);
	store_close(st);
	free(counts);
	free(tids);
	return 0;
}
