/*
 * performance_gen.c: load generator for the performance module's bench
 * (bench/performance_dashboard.sh). It feeds N applications and N
 * complaints for one tenant through the public recording API
 * (perf_record_bulk: received, routing verdict, finished), in batched
 * transactions of 5,000 items, spread over the 365 days before today across 15 OPDs x 5
 * services and 6 kecamatan; about 93% get finished. With --demo it runs
 * performance_demo_load() instead (the demo data of `sigap init --demo`).
 *
 *   performance_gen --db URL [--tenant 52.71] [--items 1000000] [--demo]
 *
 * Prints the elapsed time of the load. Exit status 0 on success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/err.h"
#include "performance/performance.h"
#include "store/store.h"
#include "core/banned.h"

static const char *const units[] = { "SETDA", "DISDUKCAPIL", "DPMPTSP", "DPUPR", "DLH", "DISHUB", "DINKES", "DIKBUD",
				     "DINSOS", "DISPERKIM", "SATPOLPP", "DISKOMINFO", "BAPENDA", "BPBD", "INSPEKTORAT" };
static const char *const services[] = { "L1", "L2", "L3", "L4", "L5" };
static const char *const kecs[] = { "52.71.01", "52.71.02", "52.71.03", "52.71.04", "52.71.05", "52.71.06" };

static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (uint32_t)(seed % n);
}

struct batch {
	const char *tenant;
	long from, to;
	int32_t today;
};

static int batch_tx(store_conn_t *c, void *ud)
{
	struct batch *b = ud;
	size_t n = (size_t)(b->to - b->from);
	perf_item_t *its = calloc(n ? n : 1, sizeof(*its));
	int *routed = calloc(n ? n : 1, sizeof(int));
	char(*ids)[24] = calloc(n ? n : 1, sizeof(*ids));
	int rc;
	if (!its || !routed || !ids) {
		free(its);
		free(routed);
		free(ids);
		return ERR_NOMEM;
	}
	for (long i = b->from; i < b->to; i++) {
		perf_item_t *it = &its[i - b->from];
		int kind = (i & 1) ? PERF_COMPLAINT : PERF_APPLICATION;
		int wd, sla = 3 + (int)rnd(12);
		snprintf(ids[i - b->from], sizeof(ids[0]), "G%ld", i);
		it->tenant = b->tenant;
		it->kind = (perf_kind_t)kind;
		it->item_id = ids[i - b->from];
		it->unit = units[rnd(15)];
		it->service = services[rnd(5)];
		it->kecamatan = kecs[rnd(6)];
		it->received_day = b->today - 365 + (int32_t)rnd(365);
		it->due_day = it->received_day + sla * 7 / 5;
		routed[i - b->from] = kind == PERF_COMPLAINT ? rnd(100) < 85 : -1;
		wd = (int)rnd((uint32_t)sla + 4) + (rnd(20) == 0 ? (int)rnd(130) : 0);
		it->finished_day = it->received_day + wd * 7 / 5;
		it->working_days = wd;
		if (it->finished_day >= b->today)
			it->finished_day = -1; /* still open */
	}
	rc = perf_record_bulk(c, its, routed, n);
	free(its);
	free(routed);
	free(ids);
	return rc;
}

static int cache_tx(store_conn_t *c, void *ud)
{
	(void)ud;
	return store_exec_script(c, "PRAGMA cache_size = -262144");
}

int main(int argc, char **argv)
{
	const char *db = NULL, *tenant = "52.71";
	long items = 1000000;
	int demo = 0, rc;
	store_t *st;
	struct timespec t0, t1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--tenant") && i + 1 < argc)
			tenant = argv[++i];
		else if (!strcmp(argv[i], "--items") && i + 1 < argc)
			items = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--demo"))
			demo = 1;
		else {
			fprintf(stderr, "usage: performance_gen --db URL [--tenant CODE] [--items N] [--demo]\n");
			return 2;
		}
	}
	if (!db || items < 0) {
		fprintf(stderr, "performance_gen: --db is required\n");
		return 2;
	}
	if (store_open(db, NULL, &st) < 0) {
		fprintf(stderr, "performance_gen: %s\n", store_errmsg());
		return 1;
	}
	if (store_kind(st) == STORE_SQLITE) {
		/* a bulk load dirties far more pages than SQLite's default 2 MB
		 * page cache holds; without this it spills to the WAL over and over */
		store_conn_t *c = store_reader(st);
		if (!c || store_tx(st, cache_tx, NULL) < 0) {
			fprintf(stderr, "performance_gen: %s\n", store_errmsg());
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (demo) {
		rc = performance_demo_load(st);
	} else {
		struct batch b = { tenant, 0, 0, cal_local_day((int64_t)time(NULL), 8 * 3600) };
		long total = items * 2; /* applications and complaints alternate */
		rc = 0;
		for (long from = 0; from < total && rc == 0; from += 5000) {
			b.from = from;
			b.to = from + 5000 < total ? from + 5000 : total;
			rc = store_tx(st, batch_tx, &b);
			if (from % 200000 == 0) {
				fprintf(stderr, "\r%ld / %ld", from, total);
				fflush(stderr);
			}
		}
		fprintf(stderr, "\r%ld / %ld\n", total, total);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc < 0) {
		fprintf(stderr, "performance_gen: error %d: %s\n", rc, store_errmsg());
		store_close(st);
		return 1;
	}
	printf("loaded in %.1f s\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	store_close(st);
	return 0;
}
