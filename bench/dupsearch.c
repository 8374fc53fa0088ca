/*
 * dupsearch.c: the duplicate search of complaint intake (find_duplicates in
 * src/complaints/intake.c) on its own, without HTTP, the classifier or the
 * writer, so that a change to it can be judged to a few per cent.
 *
 * Usage: bench_dupsearch DB [kota=30000] [satu_titik=5000] [searches=2000] [rounds=3] [scenario]
 *
 * DB is a database made by `sigap init --db DB --demo` (a SQLite path or a
 * postgresql:// URL). The first run files kota + satu_titik complaints into
 * Kota Mataram (52.71) through complaints_create_tx, in transactions of
 * 500, with fixed times and a fixed random sequence: the open311.sh
 * scenarios' shapes (kota: anywhere in the city, eight categories;
 * satu-titik: one rubbish pile within about a kilometre, nearly the same
 * words), spread over 35 days so that the 30-day window cuts some off, and
 * a share of them marked selesai, arsip or digabung. A later run on the same
 * database files nothing more, so two builds can be compared on the same
 * rows: the digests printed must then be equal (the same suggestions, ids,
 * scores and distances, in the same order, for every search).
 *
 * Then, for each scenario, `searches` points (a fixed sequence too) are
 * searched with complaints_prepare (the intake's reads: tenant, settings,
 * category, calendar, then the search) and complaints_similar_open (the
 * intake form's open-only search), `rounds` times each, and the median
 * round is printed per search: wall microseconds, CPU microseconds (this
 * thread's; on PostgreSQL its server process's added, read from
 * /proc/PID/schedstat) and read system calls (SQLite reads with one pread
 * each page it does not have in its cache). Each call is measured twice:
 * "warm", one search after another, and "commit", after a commit through
 * the writer (not timed) before each search: a server's readers find the
 * WAL changed after nearly every group commit and start with an empty page
 * cache, so on SQLite that is the figure closer to a server's. The same
 * complaints_prepare calls are timed once more with the tenant's duplicate
 * window set to 0 days (no search), and the difference is the search's own
 * cost. The setting is put back afterwards; the commits go to a table of
 * the bench's own (bench_dupsearch_tick). scenario (kota or satu-titik)
 * runs that one alone, for a profiler.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "complaints/complaints.h"
#include "store/store.h"
#include "core/banned.h"

#define TENANT "52.71"
#define BASE_TIME 1780000000 /* 2026-05-28: the complaints' times are fixed */
#define SPAN (35 * 86400)
#define FILL_BATCH 500

static const char *const kota_cases[][2] = {
	{ "sampah", "Sampah menumpuk di TPS dekat pasar belum diangkut sejak minggu lalu" },
	{ "jalan", "Jalan berlubang besar di depan sekolah membahayakan pengendara motor" },
	{ "pju", "Lampu penerangan jalan mati sudah tiga malam gelap dan rawan" },
	{ "drainase", "Saluran air tersumbat sehingga banjir setiap hujan deras" },
	{ "air", "Air PDAM tidak mengalir ke rumah warga sejak dua hari" },
	{ "parkir", "Parkir liar di bahu jalan menyebabkan kemacetan setiap sore" },
	{ "ketertiban", "Pedagang kaki lima menutup trotoar pejalan kaki terganggu" },
	{ "lingkungan", "Pembakaran sampah plastik oleh warga asapnya mengganggu pernapasan" },
};

/* xorshift64*: the same sequence on every machine and build */
static uint64_t rng_state;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}
static double rng_unit(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

/* One complaint (filed or searched) of a scenario; text is the caller's buffer. */
typedef struct point {
	const char *category;
	double lat, lon;
	char text[200];
} point_t;

static void make_point(int satu_titik, long n, point_t *p)
{
	if (satu_titik) {
		p->category = "sampah";
		p->lat = -8.590 - (double)(n % 10) / 1000.0;
		p->lon = 116.080 + (double)(n % 7) / 1000.0;
		snprintf(p->text, sizeof(p->text), "Sampah menumpuk di TPS nomor %ld belum diangkut tiga hari", n);
	} else {
		int k = (int)(rng() % 8);
		p->category = kota_cases[k][0];
		p->lat = -8.62 + rng_unit() * 0.07;
		p->lon = 116.06 + rng_unit() * 0.09;
		snprintf(p->text, sizeof(p->text), "%s nomor %ld RT %d", kota_cases[k][1], n, (int)(rng() % 30) + 1);
	}
}

static complaint_new_t new_of(const point_t *p, int64_t now)
{
	complaint_new_t in;
	memset(&in, 0, sizeof(in));
	in.tenant = TENANT;
	in.kind = "pengaduan";
	in.description = p->text;
	in.category = p->category;
	in.has_location = 1;
	in.lat = p->lat;
	in.lon = p->lon;
	in.identity = "anonim";
	in.source = "api";
	in.actor = "bench";
	in.now = now;
	return in;
}

typedef struct fill {
	long from, to, total, kota;
} fill_t;

static int fill_tx(store_conn_t *c, void *ud)
{
	const fill_t *f = ud;
	for (long i = f->from; i < f->to; i++) {
		point_t p;
		complaint_created_t out;
		const char *msg = NULL;
		complaint_new_t in;
		int rc;
		make_point(i >= f->kota, i, &p);
		in = new_of(&p, BASE_TIME + (int64_t)((double)i * SPAN / (double)f->total));
		if ((rc = complaints_create_tx(c, &in, NULL, &out, &msg)) < 0) {
			fprintf(stderr, "bench: complaint %ld: %s %s\n", i, store_errmsg(), msg ? msg : "");
			return rc;
		}
	}
	return 0;
}

/* Statuses by id, for the filters: a tenth done, a tenth archived, a twentieth merged. */
static int statuses_tx(store_conn_t *c, void *ud)
{
	int rc = store_exec(c, "UPDATE complaints SET status = 'selesai' WHERE tenant = ? AND id % 10 = 1", "t", TENANT);
	(void)ud;
	if (rc >= 0)
		rc = store_exec(c, "UPDATE complaints SET status = 'arsip' WHERE tenant = ? AND id % 10 = 2", "t", TENANT);
	if (rc >= 0)
		rc = store_exec(c, "UPDATE complaints SET status = 'digabung' WHERE tenant = ? AND id % 20 = 3", "t", TENANT);
	return rc < 0 ? rc : 0;
}

static int set_window_tx(store_conn_t *c, void *ud)
{
	int days = *(int *)ud, rc;
	complaints_settings_t s;
	const char *msg = NULL;
	if ((rc = complaints_settings_get(c, TENANT, &s)) < 0)
		return rc;
	s.dup_window_days = days;
	s.check_version = 0;
	return complaints_settings_set_tx(c, TENANT, &s, "bench", BASE_TIME + SPAN, &msg);
}

static double now_s(clockid_t clk)
{
	struct timespec t;
	clock_gettime(clk, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void fnv(uint64_t *h, int64_t v)
{
	for (int i = 0; i < 8; i++) {
		*h ^= (uint64_t)(v >> (8 * i)) & 0xff;
		*h *= 1099511628211ULL;
	}
}

static int tick_setup_tx(store_conn_t *c, void *ud)
{
	(void)ud;
	return store_exec_script(c, "CREATE TABLE IF NOT EXISTS bench_dupsearch_tick (n BIGINT NOT NULL); "
				    "INSERT INTO bench_dupsearch_tick (n) SELECT 0 WHERE NOT EXISTS "
				    "(SELECT 1 FROM bench_dupsearch_tick)");
}

/* A commit through the writer: the reader's next transaction then finds
 * the WAL changed and drops its page cache, as a server's readers do after
 * nearly every group commit (SQLite; on PostgreSQL only a commit). */
static int tick_tx(store_conn_t *c, void *ud)
{
	(void)ud;
	return store_exec(c, "UPDATE bench_dupsearch_tick SET n = n + 1", "") < 0 ? -1 : 0;
}

/* PostgreSQL: the reader's server process, whose CPU time is added to
 * this thread's (both on this machine). */
static long pg_backend;

/* CPU seconds of this thread, and of the PostgreSQL backend serving it. */
static double cpu_s(void)
{
	double t = now_s(CLOCK_THREAD_CPUTIME_ID);
	if (pg_backend > 0) {
		char path[64];
		unsigned long long ns = 0;
		FILE *f;
		snprintf(path, sizeof(path), "/proc/%ld/schedstat", pg_backend);
		if ((f = fopen(path, "r")) != NULL) {
			if (fscanf(f, "%llu", &ns) == 1)
				t += (double)ns / 1e9;
			fclose(f);
		}
	}
	return t;
}

/* This thread's read system calls so far (Linux; 0 elsewhere): SQLite reads
 * each page it does not have in its cache with one pread. */
static long read_self; /* what read_calls itself adds */
static long read_calls(void)
{
	char line[128];
	long n = 0;
	FILE *f = fopen("/proc/thread-self/io", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "syscr:", 6))
			n = strtol(line + 6, NULL, 10);
	fclose(f);
	return n;
}

/* One round of searches; adds to *digest, returns wall and CPU seconds of
 * the searches alone and their read system calls. fresh: a commit before
 * each search (not timed). */
static int round_of(store_t *st, int satu_titik, int similar, int fresh, long searches, complaint_prep_t *prep,
		    uint64_t *digest, long *found, double *ret_wall, double *ret_cpu, long *ret_reads)
{
	int64_t now = BASE_TIME + SPAN + 60;
	store_conn_t *c = store_reader(st);
	rng_state = 0x5eed0000ULL + (uint64_t)satu_titik;
	*ret_wall = *ret_cpu = 0;
	*ret_reads = 0;
	for (long n = 0; n < searches; n++) {
		point_t p;
		const char *msg = NULL;
		double w0, c0;
		long r0;
		int rc;
		make_point(satu_titik, 1000000 + n, &p);
		if (fresh && store_tx(st, tick_tx, NULL) < 0) {
			fprintf(stderr, "bench: tick: %s\n", store_errmsg());
			return -1;
		}
		r0 = read_calls();
		w0 = now_s(CLOCK_MONOTONIC);
		c0 = cpu_s();
		if (similar) {
			complaints_similar_query_t q = { TENANT, p.category, NULL, p.text, 1, p.lat, p.lon, now };
			int64_t ids[CPL_MAX_DUPS];
			int k = 0;
			rc = complaints_similar_open(c, &q, ids, &k, &msg);
			*ret_cpu += cpu_s() - c0;
			*ret_wall += now_s(CLOCK_MONOTONIC) - w0;
			fnv(digest, k);
			for (int i = 0; i < k; i++)
				fnv(digest, ids[i]);
			*found += k;
		} else {
			complaint_new_t in = new_of(&p, now);
			rc = complaints_prepare(c, &in, prep, &msg);
			*ret_cpu += cpu_s() - c0;
			*ret_wall += now_s(CLOCK_MONOTONIC) - w0;
			fnv(digest, prep->dup_seen_id);
			fnv(digest, prep->ndups);
			for (int i = 0; i < prep->ndups; i++) {
				fnv(digest, prep->dups[i].id);
				fnv(digest, prep->dups[i].score_milli);
				fnv(digest, prep->dups[i].distance_m);
			}
			*found += prep->ndups;
		}
		*ret_reads += read_calls() - r0 - read_self;
		if (rc < 0) {
			fprintf(stderr, "bench: search %ld: %s %s\n", n, store_errmsg(), msg ? msg : "");
			return rc;
		}
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One kind of call measured: per search, the median round's microseconds
 * (wall, this thread's CPU) and read system calls; the digest and the
 * suggestions found of the last round. */
typedef struct result {
	double wall_us, cpu_us, reads;
	uint64_t digest;
	long found;
} result_t;

static int measure(store_t *st, int satu_titik, int similar, int fresh, long searches, int rounds, complaint_prep_t *prep,
		   result_t *ret)
{
	double wall[16], cpu[16], reads[16];
	for (int r = 0; r < rounds; r++) {
		long nreads;
		int rc;
		ret->digest = 1469598103934665603ULL;
		ret->found = 0;
		rc = round_of(st, satu_titik, similar, fresh, searches, prep, &ret->digest, &ret->found, &wall[r], &cpu[r],
			      &nreads);
		if (rc < 0)
			return rc;
		reads[r] = (double)nreads;
	}
	qsort(wall, (size_t)rounds, sizeof(double), cmp_double);
	qsort(cpu, (size_t)rounds, sizeof(double), cmp_double);
	qsort(reads, (size_t)rounds, sizeof(double), cmp_double);
	ret->wall_us = wall[rounds / 2] * 1e6 / (double)searches;
	ret->cpu_us = cpu[rounds / 2] * 1e6 / (double)searches;
	ret->reads = reads[rounds / 2] / (double)searches;
	return 0;
}

int main(int argc, char **argv)
{
	long kota = argc > 2 ? strtol(argv[2], NULL, 10) : 30000;
	long titik = argc > 3 ? strtol(argv[3], NULL, 10) : 5000;
	long searches = argc > 4 ? strtol(argv[4], NULL, 10) : 2000;
	int rounds = argc > 5 ? (int)strtol(argv[5], NULL, 10) : 3, window = 30, zero = 0;
	const char *only = argc > 6 ? argv[6] : NULL;
	int64_t have = 0;
	complaint_prep_t *prep = calloc(1, sizeof(*prep));
	complaints_settings_t set;
	store_t *st;
	static const char *const scen[] = { "kota", "satu-titik" };
	if (argc < 2 || kota < 0 || titik < 0 || searches < 1 || rounds < 1 || rounds > 16 || !prep) {
		fprintf(stderr, "usage: %s DB [kota=30000] [satu_titik=5000] [searches=2000] [rounds=3] [kota|satu-titik]\n"
				"DB: made by `sigap init --db DB --demo`\n", argv[0]);
		return 2;
	}
	if (store_open(argv[1], NULL, &st) < 0 || store_migrate(st, NULL, NULL) < 0) {
		fprintf(stderr, "bench: %s\n", store_errmsg());
		return 1;
	}
	if (store_query_int64(store_reader(st), &have, "SELECT COUNT(*) FROM complaints_categories WHERE tenant = ? "
			      "AND code = 'lingkungan'", "t", TENANT) < 0 || !have) {
		fprintf(stderr, "bench: no demo tenant %s in %s: make it with `sigap init --db DB --demo`\n", TENANT, argv[1]);
		return 1;
	}
	if (complaints_settings_get(store_reader(st), TENANT, &set) < 0) {
		fprintf(stderr, "bench: %s\n", store_errmsg());
		return 1;
	}
	window = set.dup_window_days;
	if (store_query_int64(store_reader(st), &have, "SELECT COUNT(*) FROM complaints WHERE tenant = ? AND source = 'api'",
			      "t", TENANT) < 0)
		return 1;
	if (have == 0) {
		double t0 = now_s(CLOCK_MONOTONIC);
		rng_state = 0x5eedULL;
		for (long i = 0; i < kota + titik; i += FILL_BATCH) {
			fill_t f = { i, i + FILL_BATCH < kota + titik ? i + FILL_BATCH : kota + titik, kota + titik, kota };
			if (store_tx(st, fill_tx, &f) < 0) {
				fprintf(stderr, "bench: filling: %s\n", store_errmsg());
				return 1;
			}
		}
		if (store_tx(st, statuses_tx, NULL) < 0) {
			fprintf(stderr, "bench: %s\n", store_errmsg());
			return 1;
		}
		printf("filed %ld kota + %ld satu-titik complaints in %.1f s\n", kota, titik, now_s(CLOCK_MONOTONIC) - t0);
	} else {
		printf("%" PRId64 " bench complaints already there: none filed\n", have);
	}
	if (store_kind(st) == STORE_PG) {
		int64_t pid = 0;
		if (store_query_int64(store_reader(st), &pid, "SELECT pg_backend_pid()", "") == 0)
			pg_backend = (long)pid;
	}
	read_self = -read_calls();
	read_self += read_calls();
	if (store_tx(st, tick_setup_tx, NULL) < 0) {
		fprintf(stderr, "bench: %s\n", store_errmsg());
		return 1;
	}
	printf("backend %s, %ld searches per scenario, median of %d rounds, microseconds per search;\n"
	       "warm: the reader's cache as the previous search left it; commit: after a commit (not timed);\n"
	       "cpu: this thread's%s; reads: read system calls (SQLite: pages not in its cache)\n",
	       store_kind(st) == STORE_PG ? "postgresql" : "sqlite", searches, rounds,
	       pg_backend > 0 ? " and its PostgreSQL server process's" : "");
	printf("%-11s %-24s %8s %8s %6s %8s %8s %6s %6s  %s\n", "", "", "warm", "", "", "commit", "", "", "", "");
	printf("%-11s %-24s %8s %8s %6s %8s %8s %6s %6s  %s\n", "scenario", "call", "wall", "cpu", "reads", "wall", "cpu",
	       "reads", "found", "digest");
	for (int s = 0; s < 2; s++) {
		/* [0] complaints_prepare, [1] complaints_similar_open, [2] prepare
		 * without the search; [warm, after a commit] */
		static const char *const calls[] = { "complaints_prepare", "complaints_similar_open", "prepare without search" };
		result_t r[4][2];
		int rc = 0;
		if (only && strcmp(only, scen[s]))
			continue;
		for (int k = 0; k < 4 && rc == 0; k++)
			rc = measure(st, s, k / 2, k % 2, searches, rounds, prep, &r[k / 2][k % 2]);
		if (rc == 0 && (rc = store_tx(st, set_window_tx, &zero)) == 0) {
			for (int f = 0; f < 2 && rc == 0; f++)
				rc = measure(st, s, 0, f, searches, rounds, prep, &r[2][f]);
			if (store_tx(st, set_window_tx, &window) < 0 && rc == 0)
				rc = -1;
		}
		if (rc < 0) {
			fprintf(stderr, "bench: %s\n", store_errmsg());
			return 1;
		}
		for (int f = 0; f < 2; f++) {
			r[3][f] = r[0][f];
			r[3][f].wall_us -= r[2][f].wall_us;
			r[3][f].cpu_us -= r[2][f].cpu_us;
			r[3][f].reads -= r[2][f].reads;
		}
		for (int k = 0; k < 4; k++) {
			printf("%-11s %-24s %8.1f %8.1f %6.1f %8.1f %8.1f %6.1f", scen[s], k < 3 ? calls[k] : "= the search's own",
			       r[k][0].wall_us, r[k][0].cpu_us, r[k][0].reads, r[k][1].wall_us, r[k][1].cpu_us, r[k][1].reads);
			if (k < 2)
				printf(" %6ld  %016" PRIx64 "%s", r[k][0].found, r[k][0].digest,
				       r[k][0].digest == r[k][1].digest ? "" : " (differs after a commit!)");
			printf("\n");
		}
	}
	store_close(st);
	free(prep);
	return 0;
}
