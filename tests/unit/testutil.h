/*
 * testutil.h: helpers shared by the unit tests of domain modules (audit,
 * auth, tenants): a fresh, migrated store per test case (or one migrated up
 * to a given version, for a test of a later migration), temporary files, and
 * paths into the source tree.
 *
 * A test_store_t is backed by a new SQLite file in its own mkdtemp()
 * directory, or, when the environment variable SIGAP_TEST_PG holds a
 * postgresql:// URL, by a freshly created schema sigap_t<pid>_<n> on that
 * server (selected with options=-csearch_path=... as in store_test.c),
 * dropped again by test_store_close().
 *
 * Everything here is static so each test executable gets its own copy; the
 * helpers fail the current cmocka test (never return an error) when the
 * environment is broken, since no test can go on without its store.
 * Include after <cmocka.h> and before "core/banned.h".
 */
#ifndef SIGAP_TESTUTIL_H
#define SIGAP_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

typedef struct test_store {
	store_t *st;        /* the migrated store; owned, closed by test_store_close() */
	int pg;             /* 1 when on PostgreSQL */
	char dir[256];      /* SQLite: temp directory holding the database file, also for scratch files */
	char url[1200];     /* what store_open() was given */
	char schema[64];    /* PostgreSQL: the schema created for this store */
	store_t *admin;     /* PostgreSQL: a store on the plain URL, to drop the schema */
} test_store_t;

/* Removes every file in dir (one level) and dir itself. */
static inline void test_rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* Makes a fresh temporary directory into buf (at least 256 bytes). */
static inline void test_mkdtemp(char *buf, size_t bufsize)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(buf, bufsize, "%s/sigap-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(buf));
}

/* Writes content to dir/name and puts the full path into path (pathsize bytes). */
static inline void test_write_file(const char *dir, const char *name, const char *content, char *path,
				   size_t pathsize)
{
	FILE *f;
	snprintf(path, pathsize, "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
	assert_int_equal(fclose(f), 0);
}

/* The path of rel (e.g. "data/holidays/x.tsv") in the source tree: under
 * $SIGAP_SRC when set, else relative to the working directory. */
static inline void test_src_path(const char *rel, char *path, size_t pathsize)
{
	const char *root = getenv("SIGAP_SRC");
	if (root && *root)
		snprintf(path, pathsize, "%s/%s", root, rel);
	else
		snprintf(path, pathsize, "%s", rel);
}

/* Opens a fresh store and applies the migrations up to version (a test of
 * a migration fills the schema before it, then migrates the rest). */
static inline void test_store_open_to(test_store_t *ts, int version)
{
	static int counter;
	const char *pg = getenv("SIGAP_TEST_PG");
	int rc;
	memset(ts, 0, sizeof(*ts));
	test_mkdtemp(ts->dir, sizeof(ts->dir));
	if (pg && *pg) {
		char sql[256];
		store_conn_t *c;
		ts->pg = 1;
		snprintf(ts->schema, sizeof(ts->schema), "sigap_t%ld_%d", (long)getpid(), ++counter);
		rc = store_open(pg, NULL, &ts->admin);
		if (rc < 0)
			print_error("cannot open SIGAP_TEST_PG: %s\n", store_errmsg());
		assert_int_equal(rc, 0);
		c = store_reader(ts->admin);
		assert_non_null(c);
		snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", ts->schema,
			 ts->schema);
		rc = store_exec_script(c, sql);
		if (rc < 0)
			print_error("cannot create schema %s: %s\n", ts->schema, store_errmsg());
		assert_int_equal(rc, 0);
		snprintf(ts->url, sizeof(ts->url), "%s%coptions=-csearch_path%%3D%s", pg,
			 strchr(pg, '?') ? '&' : '?', ts->schema);
	} else {
		snprintf(ts->url, sizeof(ts->url), "%s/test.db", ts->dir);
	}
	rc = store_open(ts->url, NULL, &ts->st);
	if (rc < 0)
		print_error("store_open '%s': %s\n", ts->url, store_errmsg());
	assert_int_equal(rc, 0);
	rc = store_migrate_to(ts->st, version, NULL, NULL);
	if (rc < 0)
		print_error("store_migrate_to %d: %s\n", version, store_errmsg());
	assert_int_equal(rc, 0);
}

/* Opens a fresh store and applies every migration. */
static inline void test_store_open(test_store_t *ts)
{
	test_store_open_to(ts, store_latest_version());
}

/* Closes the store and removes its file or schema. NULL-safe. */
static inline void test_store_close(test_store_t *ts)
{
	if (!ts)
		return;
	store_close(ts->st);
	ts->st = NULL;
	if (ts->admin) {
		char sql[128];
		store_conn_t *c = store_reader(ts->admin);
		snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", ts->schema);
		if (c)
			store_exec_script(c, sql);
		store_close(ts->admin);
		ts->admin = NULL;
	}
	if (ts->dir[0])
		test_rm_tree(ts->dir);
	ts->dir[0] = '\0';
}

/* Runs one SQL statement (tampering, fixtures) in a write transaction. */
struct test_sql_ctx_ {
	const char *sql;
};

static inline int test_sql_tx_(store_conn_t *c, void *ud)
{
	struct test_sql_ctx_ *x = ud;
	int rc = store_exec_script(c, x->sql);
	return rc < 0 ? rc : 0;
}

static inline int test_sql(test_store_t *ts, const char *sql)
{
	struct test_sql_ctx_ x = { sql };
	int rc = store_tx(ts->st, test_sql_tx_, &x);
	if (rc < 0)
		print_error("sql '%s': %s\n", sql, store_errmsg());
	return rc;
}

#endif
