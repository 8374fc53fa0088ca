/*
 * steptime.c: where the SQLite writer's time goes, per statement. Built as a
 * shared object (build/libsteptime.so) and loaded into sigap with
 * LD_PRELOAD, it wraps sqlite3_step() and adds up, per thread and SQL text,
 * the statements run (first steps) and the microseconds spent inside step.
 * At exit (stop sigap with SIGTERM) it writes one line per (thread, SQL):
 * microseconds, runs, thread, the SQL's first 110 characters, to the file
 * named by STEPTIME_OUT (default steptime.txt). A commit's WAL writes,
 * checksums and fsync are inside the COMMIT statement's step. Sort by the
 * first column. Measures; changes nothing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ROWS 4096

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct row {
	char *sql;
	unsigned long thread;
	long runs;
	double ns;
} rows[MAX_ROWS];
static int nrows;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int sqlite3_step(sqlite3_stmt *s)
{
	static int (*real)(sqlite3_stmt *);
	const char *q = sqlite3_sql(s);
	int first, rc, i;
	unsigned long self = (unsigned long)pthread_self();
	double t0;
	if (!real)
		real = (int (*)(sqlite3_stmt *))dlsym(RTLD_NEXT, "sqlite3_step");
	first = q && !sqlite3_stmt_busy(s);
	t0 = now_ns();
	rc = real(s);
	if (!q)
		return rc;
	pthread_mutex_lock(&mu);
	for (i = 0; i < nrows; i++)
		if (rows[i].thread == self && !strcmp(rows[i].sql, q))
			break;
	if (i == nrows && nrows < MAX_ROWS && (rows[i].sql = strdup(q)) != NULL) {
		rows[i].thread = self;
		nrows++;
	}
	if (i < nrows) {
		rows[i].runs += first;
		rows[i].ns += now_ns() - t0;
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

__attribute__((destructor)) static void dump(void)
{
	const char *path = getenv("STEPTIME_OUT");
	FILE *f = fopen(path && *path ? path : "steptime.txt", "w");
	if (!f)
		return;
	for (int i = 0; i < nrows; i++)
		fprintf(f, "%.0f\t%ld\t%lx\t%.110s\n", rows[i].ns / 1e3, rows[i].runs, rows[i].thread, rows[i].sql);
	fclose(f);
}
