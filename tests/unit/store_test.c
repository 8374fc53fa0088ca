/*
 * store_test.c: the storage interface (store.h) tested against both backends
 * with the same cases. Every case runs on SQLite (a fresh file per case in a
 * mkdtemp directory) and, when SIGAP_TEST_PG holds a postgresql:// URL, again
 * on PostgreSQL: each case then gets a freshly created schema sigap_test_<pid>
 * (selected with options=-csearch_path=... on the URL), dropped at the end.
 * Without SIGAP_TEST_PG the PostgreSQL half is skipped with a note; CI sets it
 * (see scripts/pg-test-server.sh and docs/storage.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "core/err.h"
#include "core/banned.h"

/* The backend the current group runs on. */
static struct {
	const char *name;
	int pg;             /* PostgreSQL, else SQLite */
	char url[1024];     /* PostgreSQL: the URL for the test schema */
	char schema[64];    /* PostgreSQL: sigap_test_<pid> */
	store_t *admin;     /* PostgreSQL: a store on the plain URL, to (re)create the schema */
	char tmpdir[256];   /* SQLite: where the files go */
	int seq;            /* SQLite: file counter */
} B;

typedef struct fixture {
	store_t *st;
	char url[1024];
} fixture_t;

/* ---- fixtures ---- */

static int fresh_pg_schema(void)
{
	char sql[256];
	store_conn_t *c = store_reader(B.admin);
	if (!c)
		return -1;
	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", B.schema,
		 B.schema);
	return store_exec_script(c, sql);
}

static int setup(void **state)
{
	fixture_t *f = calloc(1, sizeof(*f));
	int rc;
	assert_non_null(f);
	if (B.pg) {
		rc = fresh_pg_schema();
		if (rc < 0)
			print_error("cannot create schema %s: %s\n", B.schema, store_errmsg());
		assert_int_equal(rc, 0);
		snprintf(f->url, sizeof(f->url), "%s", B.url);
	} else {
		snprintf(f->url, sizeof(f->url), "%s/t%d.db", B.tmpdir, ++B.seq);
	}
	rc = store_open(f->url, NULL, &f->st);
	if (rc < 0)
		print_error("store_open: %s\n", store_errmsg());
	assert_int_equal(rc, 0);
	assert_non_null(f->st);
	assert_int_equal(store_kind(f->st), B.pg ? STORE_PG : STORE_SQLITE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_t *f = *state;
	store_close(f->st);
	free(f);
	return 0;
}

static void rm_tree(const char *dir)
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

static int group_setup_sqlite(void **state)
{
	(void)state;
	memset(&B, 0, sizeof(B));
	B.name = "sqlite";
	snprintf(B.tmpdir, sizeof(B.tmpdir), "%s/sigap-store-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(B.tmpdir) ? 0 : -1;
}

static int group_teardown_sqlite(void **state)
{
	(void)state;
	rm_tree(B.tmpdir);
	return 0;
}

static int group_setup_pg(void **state)
{
	const char *url = getenv("SIGAP_TEST_PG");
	(void)state;
	memset(&B, 0, sizeof(B));
	B.name = "postgresql";
	B.pg = 1;
	snprintf(B.schema, sizeof(B.schema), "sigap_test_%ld", (long)getpid());
	snprintf(B.url, sizeof(B.url), "%s%coptions=-csearch_path%%3D%s", url,
		 strchr(url, '?') ? '&' : '?', B.schema);
	if (store_open(url, NULL, &B.admin) < 0) {
		print_error("cannot open SIGAP_TEST_PG: %s\n", store_errmsg());
		return -1;
	}
	return 0;
}

static int group_teardown_pg(void **state)
{
	char sql[128];
	store_conn_t *c = store_reader(B.admin);
	(void)state;
	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", B.schema);
	if (c)
		store_exec_script(c, sql);
	store_close(B.admin);
	return 0;
}

/* ---- helpers ---- */

static const char table_t[] =
	"CREATE TABLE t (id {ID}, s TEXT, n BIGINT, u TEXT UNIQUE)";

static int create_t_fn(store_conn_t *c, void *ud)
{
	(void)ud;
	return store_exec_script(c, table_t);
}

static void create_t(store_t *st)
{
	int rc = store_tx(st, create_t_fn, NULL);
	if (rc < 0)
		print_error("create table: %s\n", store_errmsg());
	assert_int_equal(rc, 0);
}

static int64_t count_rows(store_t *st, const char *where)
{
	char sql[256];
	int64_t n = -1;
	int rc;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM t%s%s", where ? " WHERE " : "",
		 where ? where : "");
	rc = store_query_int64(store_reader(st), &n, sql, "");
	if (rc < 0)
		print_error("%s: %s\n", sql, store_errmsg());
	assert_int_equal(rc, 0);
	return n;
}

/* ---- open and migrations ---- */

static void test_open_errors(void **state)
{
	store_t *st = (store_t *)1;
	int rc;
	(void)state;

	rc = store_open("", NULL, &st);
	assert_int_equal(rc, ERR_INVALID);
	assert_null(st);

	st = (store_t *)1;
	rc = store_open("/nonexistent-sigap-dir/sub/x.db", NULL, &st);
	assert_int_equal(rc, ERR_UNAVAILABLE);
	assert_null(st);
	assert_non_null(strstr(store_errmsg(), "cannot open"));

	/* Nothing listens on port 1: refused at once. The password never shows. */
	st = (store_t *)1;
	rc = store_open("postgresql://sigap:s3cr3tpw@127.0.0.1:1/sigap?connect_timeout=3", NULL, &st);
	assert_int_equal(rc, ERR_UNAVAILABLE);
	assert_null(st);
	assert_non_null(strstr(store_errmsg(), "cannot connect to PostgreSQL"));
	assert_null(strstr(store_errmsg(), "s3cr3tpw"));

	/* A URL libpq cannot parse. */
	rc = store_open("postgres://sigap:s3cr3tpw@127.0.0.1:1/sigap?bogus=1", NULL, &st);
	assert_int_equal(rc, ERR_UNAVAILABLE);
	assert_non_null(strstr(store_errmsg(), "invalid PostgreSQL URL"));
	assert_null(strstr(store_errmsg(), "s3cr3tpw"));
}

static void test_migrate(void **state)
{
	fixture_t *f = *state;
	int v = -1, from = -1, to = -1;
	int64_t n = 0;

	assert_true(store_latest_version() >= 1);
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, 0);

	if (store_migrate(f->st, &from, &to) < 0)
		print_error("migrate: %s\n", store_errmsg());
	assert_int_equal(from, 0);
	assert_int_equal(to, store_latest_version());
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, store_latest_version());
	assert_int_equal(store_query_int64(store_reader(f->st), &n,
					   "SELECT COUNT(*) FROM schema_version", ""), 0);
	assert_int_equal(n, store_latest_version());

	/* Running again changes nothing. */
	from = to = -1;
	assert_int_equal(store_migrate(f->st, &from, &to), 0);
	assert_int_equal(from, store_latest_version());
	assert_int_equal(to, store_latest_version());
	assert_int_equal(store_query_int64(store_reader(f->st), &n,
					   "SELECT COUNT(*) FROM schema_version", ""), 0);
	assert_int_equal(n, store_latest_version());

	/* The schema is usable: a users row gets an {ID} key. */
	assert_int_equal(store_exec(store_reader(f->st),
		"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)", "ttititi", "32.04", "Kabupaten Bandung", (int64_t)2,
		"Bupati", (int64_t)25200, "WIB", (int64_t)1700000000), 1);
	assert_int_equal(store_query_int64(store_reader(f->st), &n,
		"INSERT INTO users (tenant, username, full_name, role, password_hash, created_at,"
		" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", "ttttt" "ii", "32.04",
		"admin", "Admin", "admin", "x", (int64_t)1, (int64_t)1), 0);
	assert_true(n >= 1);

	char msg[256];
	assert_int_equal(store_integrity_check(f->st, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "ok");
}

/* Instances started at the same moment (a deployment's new containers, each
 * running `sigap migrate` first) migrate the same empty database: each
 * migration is applied once and every instance ends at the latest version
 * without an error. On PostgreSQL two of them ran the same CREATE TABLE and
 * one failed ("duplicate key value violates unique constraint
 * pg_type_typname_nsp_index"). */
#define MIGRATORS 4

struct migrator_arg {
	const char *url;
	pthread_barrier_t *go;
	int rc, to;
	char msg[256];
};

static void *migrator_main(void *p)
{
	struct migrator_arg *a = p;
	store_t *st = NULL;
	a->rc = store_open(a->url, NULL, &st);
	pthread_barrier_wait(a->go);
	if (a->rc == 0)
		a->rc = store_migrate(st, NULL, &a->to);
	if (a->rc < 0)
		snprintf(a->msg, sizeof(a->msg), "%s", store_errmsg());
	store_close(st);
	return NULL;
}

static void test_migrate_concurrently(void **state)
{
	fixture_t *f = *state;
	pthread_t th[MIGRATORS];
	struct migrator_arg args[MIGRATORS];
	pthread_barrier_t go;
	int64_t n = 0;

	pthread_barrier_init(&go, NULL, MIGRATORS);
	for (int i = 0; i < MIGRATORS; i++) {
		args[i] = (struct migrator_arg){ f->url, &go, 0, 0, "" };
		assert_int_equal(pthread_create(&th[i], NULL, migrator_main, &args[i]), 0);
	}
	for (int i = 0; i < MIGRATORS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < MIGRATORS; i++) {
		if (args[i].rc < 0)
			print_error("migrator %d: %s\n", i, args[i].msg);
		assert_int_equal(args[i].rc, 0);
		assert_int_equal(args[i].to, store_latest_version());
	}
	assert_int_equal(store_query_int64(store_reader(f->st), &n, "SELECT COUNT(*) FROM schema_version", ""), 0);
	assert_int_equal(n, store_latest_version());
}

/* Migrating up to a version: the later migrations stay pending and apply
 * afterwards; a version out of range, or below the database's, is refused
 * with the database as it was (an empty one stays empty). */
static void test_migrate_to(void **state)
{
	fixture_t *f = *state;
	int v = -1, from = -1, to = -1, latest = store_latest_version();
	int64_t n = -1;
	const char *tbl = B.pg ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
				 "AND table_name = 'complaints'"
			       : "SELECT COUNT(*) FROM sqlite_master WHERE name = 'complaints'";

	assert_true(latest >= 4);
	assert_int_equal(store_migrate_to(f->st, 0, NULL, NULL), ERR_INVALID);
	assert_int_equal(store_migrate_to(f->st, -1, NULL, NULL), ERR_INVALID);
	assert_int_equal(store_migrate_to(f->st, latest + 1, &from, &to), ERR_INVALID);
	assert_non_null(strstr(store_errmsg(), "no migration"));
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, 0);

	/* migration 4 makes the complaints table: not yet */
	assert_int_equal(store_migrate_to(f->st, 3, &from, &to), 0);
	assert_int_equal(from, 0);
	assert_int_equal(to, 3);
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(store_query_int64(store_reader(f->st), &n, tbl, ""), 0);
	assert_int_equal(n, 0);
	/* there already: nothing to do */
	assert_int_equal(store_migrate_to(f->st, 3, &from, &to), 0);
	assert_int_equal(from, 3);
	assert_int_equal(to, 3);
	/* never back */
	from = -1;
	assert_int_equal(store_migrate_to(f->st, 2, &from, &to), ERR_INVALID);
	assert_int_equal(from, 3);
	assert_non_null(strstr(store_errmsg(), "never undone"));
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, 3);

	/* the rest */
	assert_int_equal(store_migrate(f->st, &from, &to), 0);
	assert_int_equal(from, 3);
	assert_int_equal(to, latest);
	assert_int_equal(store_query_int64(store_reader(f->st), &n, tbl, ""), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_query_int64(store_reader(f->st), &n, "SELECT COUNT(*) FROM schema_version", ""), 0);
	assert_int_equal(n, latest);
}

/* A database a newer release migrated: this binary leaves it untouched and
 * says so; store_schema_check() notices it on a running instance. */
static void test_schema_newer(void **state)
{
	fixture_t *f = *state;
	int from = -1, v = 0;
	assert_int_equal(store_migrate(f->st, NULL, NULL), 0);
	assert_int_equal(store_schema_check(f->st), 0);
	assert_int_equal(store_schema_ahead(f->st), 0);
	assert_int_equal(store_exec(store_reader(f->st),
				    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)", "iti",
				    (int64_t)store_latest_version() + 1, "a newer release", (int64_t)1), 1);
	assert_int_equal(store_migrate(f->st, &from, NULL), ERR_INVALID);
	assert_int_equal(from, store_latest_version() + 1);
	assert_non_null(strstr(store_errmsg(), "newer than this sigap"));
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, store_latest_version() + 1);
	assert_int_equal(store_schema_check(f->st), 1);
	assert_int_equal(store_schema_ahead(f->st), 1);
	assert_non_null(store_migration_name(store_latest_version()));
	assert_null(store_migration_name(store_latest_version() + 1));
	assert_null(store_migration_name(0));
}

/* A migration that fails half way leaves the database at the version
 * before it, and says which migration failed and why, once: the reason
 * was formatted into the buffer it was read from, and came out garbled
 * ("migration 28 (...): migration 28 (...):  key value violates ..."). */
static void test_migration_fails_whole(void **state)
{
	fixture_t *f = *state;
	int v = -1;
	int64_t n = -1;
	const char *msg, *tbl;
	/* migration 1 creates regions, then tenants: a tenants table already
	 * there makes it fail half way */
	assert_int_equal(store_exec_script(store_reader(f->st), "CREATE TABLE tenants (x BIGINT)"), 0);
	assert_int_equal(store_migrate(f->st, NULL, NULL) < 0, 1);
	msg = store_errmsg();
	assert_non_null(strstr(msg, "migration 1 (platform foundation): "));
	assert_non_null(strstr(msg, "tenants"));
	assert_non_null(strstr(msg, "already exists"));
	assert_null(strstr(strstr(msg, "migration ") + 1, "migration "));
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, 0);
	/* what the failed migration had created before was rolled back with it */
	tbl = B.pg ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
		     "AND table_name = 'regions'"
		   : "SELECT COUNT(*) FROM sqlite_master WHERE name = 'regions'";
	assert_int_equal(store_query_int64(store_reader(f->st), &n, tbl, ""), 0);
	assert_int_equal(n, 0);
	/* the cause removed, every migration applies */
	assert_int_equal(store_exec_script(store_reader(f->st), "DROP TABLE tenants"), 0);
	assert_int_equal(store_migrate(f->st, NULL, NULL), 0);
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, store_latest_version());
}

/* ---- statements ---- */

static void test_types(void **state)
{
	fixture_t *f = *state;
	store_conn_t *c;
	store_stmt_t *s;
	static const char quoted[] = "it's a 'test' ? \"yes\" -- not a comment";
	static const char utf8[] = "Kab. Bandung \xe2\x80\x94 se\xc3\xb1or \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x99\x82";
	char buf[128];
	int64_t n;

	create_t(f->st);
	c = store_reader(f->st);
	assert_non_null(c);

	/* '?' inside a literal is not a placeholder; '' is an escaped quote. */
	assert_int_equal(store_exec(c, "INSERT INTO t (s, n, u) VALUES ('lit ? with '' quote', ?, ?)",
				    "it", (int64_t)1, "a"), 1);
	assert_int_equal(store_query_text(c, buf, sizeof(buf), "SELECT s FROM t WHERE u = ?", "t", "a"), 0);
	assert_string_equal(buf, "lit ? with ' quote");

	/* Bound text with quotes and '?' stays as it is. */
	assert_int_equal(store_exec(c, "INSERT INTO t (s, n, u) VALUES (?, ?, ?)", "tit", quoted,
				    (int64_t)2, "b"), 1);
	assert_int_equal(store_query_text(c, buf, sizeof(buf), "SELECT s FROM t WHERE n = ?", "i",
					  (int64_t)2), 0);
	assert_string_equal(buf, quoted);

	/* int64 extremes, NULLs of both kinds. */
	assert_int_equal(store_exec(c, "INSERT INTO t (s, n, u) VALUES (?, ?, ?)", "tit", NULL,
				    INT64_MIN, "c"), 1);
	assert_int_equal(store_exec(c, "INSERT INTO t (s, n, u) VALUES (?, ?, ?)", "nit",
				    INT64_MAX, "d"), 1);
	assert_int_equal(store_prepare(c, "SELECT s, n, u FROM t WHERE n < ? OR n > ? ORDER BY n", &s), 0);
	assert_int_equal(store_bindf(s, "ii", (int64_t)-1000, (int64_t)1000), 0);
	assert_int_equal(store_step(s), STORE_ROW);
	assert_int_equal(store_column_count(s), 3);
	assert_null(store_col_text(s, 0));
	assert_true(store_col_is_null(s, 0));
	assert_int_equal(store_col_int64(s, 0), 0);
	assert_false(store_col_is_null(s, 1));
	assert_true(store_col_int64(s, 1) == INT64_MIN);
	assert_string_equal(store_col_text(s, 2), "c");
	assert_int_equal(store_step(s), STORE_ROW);
	assert_true(store_col_int64(s, 1) == INT64_MAX);
	assert_string_equal(store_col_text(s, 1), "9223372036854775807");
	assert_null(store_col_text(s, 0));
	assert_int_equal(store_step(s), STORE_DONE);
	assert_int_equal(store_step(s), STORE_DONE);
	/* reset keeps the bindings and runs again. */
	assert_int_equal(store_reset(s), 0);
	assert_int_equal(store_step(s), STORE_ROW);
	assert_true(store_col_int64(s, 1) == INT64_MIN);
	store_finalize(s);

	/* UTF-8 round trip, counted in characters. */
	assert_int_equal(store_exec(c, "INSERT INTO t (s, n, u) VALUES (?, ?, ?)", "tit", utf8,
				    (int64_t)3, "e"), 1);
	assert_int_equal(store_query_text(c, buf, sizeof(buf), "SELECT s FROM t WHERE u = ?", "t", "e"), 0);
	assert_string_equal(buf, utf8);
	assert_int_equal(store_query_int64(c, &n, "SELECT length(s) FROM t WHERE u = ?", "t", "e"), 0);
	assert_int_equal(n, 25);
	assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM t WHERE lower(s) LIKE lower(?)",
					   "t", "%BANDUNG%"), 0);
	assert_int_equal(n, 1);

	/* Explicit binds: a length cuts the text; NULL text is SQL NULL. */
	assert_int_equal(store_prepare(c, "SELECT ?, ?, ? || 'x'", &s), 0);
	assert_int_equal(store_bind_text(s, 1, "abcdef", 3), 0);
	assert_int_equal(store_bind_text(s, 2, NULL, -1), 0);
	assert_int_equal(store_bind_text(s, 3, "w", -1), 0);
	assert_int_equal(store_step(s), STORE_ROW);
	assert_string_equal(store_col_text(s, 0), "abc");
	assert_null(store_col_text(s, 1));
	assert_string_equal(store_col_text(s, 2), "wx");
	store_finalize(s);

	/* Placeholders are numbered past a quoted identifier and comments. */
	assert_int_equal(store_exec_script(c, "CREATE TABLE \"we?ird\" (\"a?\" BIGINT, b TEXT)"), 0);
	assert_int_equal(store_exec(c, "INSERT INTO \"we?ird\" (\"a?\", b) /* why? */ VALUES (?, ?)"
				    " -- really?\n", "it", (int64_t)7, "seven"), 1);
	assert_int_equal(store_query_text(c, buf, sizeof(buf),
		"SELECT b FROM \"we?ird\" WHERE \"a?\" = ? AND b <> '?'", "i", (int64_t)7), 0);
	assert_string_equal(buf, "seven");

	/* LIMIT ? OFFSET ? */
	assert_int_equal(store_query_text(c, buf, sizeof(buf),
		"SELECT u FROM t ORDER BY u LIMIT ? OFFSET ?", "ii", (int64_t)1, (int64_t)2), 0);
	assert_string_equal(buf, "c");
}

static void test_bad_sql(void **state)
{
	fixture_t *f = *state;
	store_conn_t *c = store_reader(f->st);
	store_stmt_t *s = NULL;
	int rc;

	/* SQLite fails at prepare, PostgreSQL at the first step. */
	rc = store_prepare(c, "SELEC nonsense FROM", &s);
	if (rc == 0) {
		rc = store_step(s);
		store_finalize(s);
	}
	assert_int_equal(rc, ERR_DB);
	assert_true(store_errmsg()[0] != '\0');

	rc = store_exec(c, "SELECT * FROM no_such_table", "");
	assert_int_equal(rc, ERR_DB);
	assert_non_null(strstr(store_errmsg(), "no_such_table"));

	/* A bind index out of range is an error, not a crash. */
	assert_int_equal(store_prepare(c, "SELECT ?", &s), 0);
	assert_true(store_bind_int64(s, 2, 1) < 0);
	assert_true(store_bind_text(s, 0, "x", -1) < 0);
	store_finalize(s);
	assert_true(store_exec(c, "SELECT ?", "x", 1) < 0); /* bad bind type */
	store_finalize(NULL);
}

static void test_unique(void **state)
{
	fixture_t *f = *state;
	store_conn_t *c;

	create_t(f->st);
	c = store_reader(f->st);
	assert_int_equal(store_exec(c, "INSERT INTO t (u) VALUES (?)", "t", "dup"), 1);
	assert_int_equal(store_exec(c, "INSERT INTO t (u) VALUES (?)", "t", "dup"), ERR_EXISTS);
	assert_true(store_errmsg()[0] != '\0');
	assert_null(strstr(store_errmsg(), "dup)")); /* no bound values in messages */
	/* ON CONFLICT DO NOTHING is the way to ignore duplicates. */
	assert_int_equal(store_exec(c, "INSERT INTO t (u) VALUES (?) ON CONFLICT (u) DO NOTHING",
				    "t", "dup"), 0);
	assert_int_equal(store_exec(c, "INSERT INTO t (u, n) VALUES (?, ?) ON CONFLICT (u) DO UPDATE"
				    " SET n = excluded.n", "ti", "dup", (int64_t)5), 1);
	assert_int_equal(count_rows(f->st, "n = 5"), 1);
	assert_int_equal(count_rows(f->st, NULL), 1);
}

struct ins {
	const char *u;
	int count;
	int ret; /* what the tx function returns after inserting */
};

static int insert_fn(store_conn_t *c, void *ud)
{
	struct ins *in = ud;
	char u[64];
	int rc;
	for (int i = 0; i < in->count; i++) {
		snprintf(u, sizeof(u), "%s-%d", in->u, i);
		rc = store_exec(c, "INSERT INTO t (u, n) VALUES (?, ?)", "ti", u, (int64_t)i);
		if (rc < 0)
			return rc;
	}
	return in->ret;
}

static void test_tx(void **state)
{
	fixture_t *f = *state;
	struct ins in;

	create_t(f->st);
	/* fn < 0: everything rolls back and that value comes back. */
	in = (struct ins){ "rb", 3, ERR_INVALID };
	assert_int_equal(store_tx(f->st, insert_fn, &in), ERR_INVALID);
	assert_int_equal(count_rows(f->st, NULL), 0);

	/* fn >= 0: committed, fn's value comes back. */
	in = (struct ins){ "ok", 3, 7 };
	assert_int_equal(store_tx(f->st, insert_fn, &in), 7);
	assert_int_equal(count_rows(f->st, NULL), 3);

	/* A unique violation inside: ERR_EXISTS and nothing of that tx stays. */
	in = (struct ins){ "ok", 5, 0 };
	assert_int_equal(store_tx(f->st, insert_fn, &in), ERR_EXISTS);
	assert_int_equal(count_rows(f->st, NULL), 3);

	/* The writer is usable after the failures. */
	in = (struct ins){ "more", 2, 0 };
	assert_int_equal(store_tx(f->st, insert_fn, &in), 0);
	assert_int_equal(count_rows(f->st, NULL), 5);
}

static int ignore_error_fn(store_conn_t *c, void *ud)
{
	(void)ud;
	store_exec(c, "INSERT INTO t (u) VALUES (?)", "t", "x");
	store_exec(c, "INSERT INTO t (u) VALUES (?)", "t", "x"); /* fails, ignored */
	return 0;
}

/* PostgreSQL aborts a transaction at its first failed statement: store_tx
 * reports that error even if the function carried on. */
static void test_tx_ignored_error_pg(void **state)
{
	fixture_t *f = *state;
	if (!B.pg)
		skip();
	create_t(f->st);
	assert_int_equal(store_tx(f->st, ignore_error_fn, NULL), ERR_EXISTS);
	assert_int_equal(count_rows(f->st, NULL), 0);
}

static void test_query_helpers(void **state)
{
	fixture_t *f = *state;
	store_conn_t *c;
	char buf[8];
	int64_t n = 42;

	create_t(f->st);
	c = store_reader(f->st);
	assert_int_equal(store_query_int64(c, &n, "SELECT n FROM t WHERE u = ?", "t", "none"), ERR_NOT_FOUND);
	assert_int_equal(n, 42);
	assert_int_equal(store_query_text(c, buf, sizeof(buf), "SELECT s FROM t", ""), ERR_NOT_FOUND);

	assert_int_equal(store_exec(c, "INSERT INTO t (s, n, u) VALUES (?, ?, ?)", "tdt",
				    "a long text value", -5, "k"), 1);
	assert_int_equal(store_query_int64(c, &n, "SELECT n FROM t WHERE u = ?", "t", "k"), 0);
	assert_int_equal(n, -5);
	assert_int_equal(store_query_text(c, buf, sizeof(buf), "SELECT s FROM t WHERE u = ?", "t", "k"), 0);
	assert_string_equal(buf, "a long "); /* truncated to bufsize - 1 */
	assert_int_equal(store_query_text(c, buf, sizeof(buf), "SELECT NULL", ""), 0);
	assert_string_equal(buf, "");
	assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM t WHERE u = ?", "t", "k"), 0);
	assert_int_equal(n, 1);
	/* A comparison reads as 0/1 on both backends. */
	assert_int_equal(store_query_int64(c, &n, "SELECT n < 0 FROM t", ""), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_query_int64(c, &n, "SELECT n > 0 FROM t", ""), 0);
	assert_int_equal(n, 0);
}

static void test_returning_and_changes(void **state)
{
	fixture_t *f = *state;
	store_conn_t *c;
	store_stmt_t *s;
	int64_t id1, id2;

	create_t(f->st);
	c = store_reader(f->st);
	assert_int_equal(store_prepare(c, "INSERT INTO t (u, n) VALUES (?, ?) RETURNING id", &s), 0);
	assert_int_equal(store_bindf(s, "ti", "r1", (int64_t)1), 0);
	assert_int_equal(store_step(s), STORE_ROW);
	id1 = store_col_int64(s, 0);
	assert_true(id1 >= 1);
	assert_int_equal(store_step(s), STORE_DONE);
	assert_int_equal(store_changes(s), 1);
	assert_int_equal(store_reset(s), 0);
	assert_int_equal(store_bindf(s, "ti", "r2", (int64_t)2), 0);
	assert_int_equal(store_step(s), STORE_ROW);
	id2 = store_col_int64(s, 0);
	assert_true(id2 > id1);
	assert_int_equal(store_step(s), STORE_DONE);
	store_finalize(s);

	/* An INSERT without RETURNING: step gives DONE straight away. */
	assert_int_equal(store_prepare(c, "INSERT INTO t (u, n) VALUES (?, ?)", &s), 0);
	assert_int_equal(store_bindf(s, "ti", "r3", (int64_t)3), 0);
	assert_int_equal(store_step(s), STORE_DONE);
	assert_int_equal(store_changes(s), 1);
	store_finalize(s);

	assert_int_equal(store_exec(c, "UPDATE t SET s = ? WHERE n >= ?", "ti", "x", (int64_t)2), 2);
	assert_int_equal(store_prepare(c, "UPDATE t SET s = ?", &s), 0);
	assert_int_equal(store_bindf(s, "t", "y"), 0);
	assert_int_equal(store_step(s), STORE_DONE);
	assert_int_equal(store_changes(s), 3);
	store_finalize(s);
	assert_int_equal(store_exec(c, "DELETE FROM t WHERE n > ?", "i", (int64_t)100), 0);
	assert_int_equal(store_exec(c, "DELETE FROM t WHERE n = ?", "i", (int64_t)1), 1);
}

/* ---- threads ---- */

#define WRITERS 4
#define TX_PER_WRITER 200

struct writer_arg {
	store_t *st;
	int id;
	int failures;
	int last_rc;
};

struct one_ins {
	int thread, i;
};

static int insert_one_fn(store_conn_t *c, void *ud)
{
	struct one_ins *o = ud;
	char u[32];
	snprintf(u, sizeof(u), "w%d-%d", o->thread, o->i);
	return store_exec(c, "INSERT INTO t (u, n) VALUES (?, ?)", "ti", u, (int64_t)o->thread);
}

static void *writer_main(void *p)
{
	struct writer_arg *a = p;
	for (int i = 0; i < TX_PER_WRITER; i++) {
		struct one_ins o = { a->id, i };
		int rc = store_tx(a->st, insert_one_fn, &o);
		if (rc < 0) {
			a->failures++;
			a->last_rc = rc;
		}
	}
	/* This thread's reader sees its own committed rows. */
	int64_t n = -1;
	store_conn_t *c = store_reader(a->st);
	if (!c || store_query_int64(c, &n, "SELECT COUNT(*) FROM t WHERE n = ?", "d", a->id) < 0 ||
	    n != TX_PER_WRITER)
		a->failures++;
	return NULL;
}

static void test_concurrent_writers(void **state)
{
	fixture_t *f = *state;
	pthread_t th[WRITERS];
	struct writer_arg args[WRITERS];
	struct timespec t0, t1;
	double ms;

	create_t(f->st);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < WRITERS; i++) {
		args[i] = (struct writer_arg){ f->st, i, 0, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, writer_main, &args[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("store %s: %d transactions from %d threads in %.0f ms (%.0f tx/s)\n", B.name,
		      WRITERS * TX_PER_WRITER, WRITERS, ms, WRITERS * TX_PER_WRITER / (ms / 1e3));

	for (int i = 0; i < WRITERS; i++) {
		if (args[i].failures)
			print_error("writer %d: %d failures, last %d\n", i, args[i].failures, args[i].last_rc);
		assert_int_equal(args[i].failures, 0);
	}
	assert_int_equal(count_rows(f->st, NULL), WRITERS * TX_PER_WRITER);
	for (int i = 0; i < WRITERS; i++) {
		char where[32];
		snprintf(where, sizeof(where), "n = %d", i);
		assert_int_equal(count_rows(f->st, where), TX_PER_WRITER);
	}
	int64_t distinct = 0;
	assert_int_equal(store_query_int64(store_reader(f->st), &distinct,
					   "SELECT COUNT(DISTINCT id) FROM t", ""), 0);
	assert_int_equal(distinct, WRITERS * TX_PER_WRITER);
}

struct reader_arg {
	store_t *st;
	store_conn_t *first, *second;
	int64_t seen;
};

static void *reader_main(void *p)
{
	struct reader_arg *a = p;
	a->first = store_reader(a->st);
	a->second = store_reader(a->st);
	a->seen = -1;
	if (a->first)
		store_query_int64(a->first, &a->seen, "SELECT COUNT(*) FROM t", "");
	return NULL;
}

static void test_reader_per_thread(void **state)
{
	fixture_t *f = *state;
	struct reader_arg a = { f->st, NULL, NULL, 0 };
	struct ins in = { "v", 4, 0 };
	store_conn_t *mine;
	pthread_t th;

	create_t(f->st);
	mine = store_reader(f->st);
	assert_non_null(mine);
	assert_ptr_equal(store_reader(f->st), mine);
	assert_int_equal(count_rows(f->st, NULL), 0);

	assert_int_equal(store_tx(f->st, insert_fn, &in), 0);
	/* Committed data is visible at once, here and on a new thread. */
	assert_int_equal(count_rows(f->st, NULL), 4);
	assert_int_equal(pthread_create(&th, NULL, reader_main, &a), 0);
	pthread_join(th, NULL);
	assert_non_null(a.first);
	assert_ptr_equal(a.first, a.second);
	assert_ptr_not_equal(a.first, mine);
	assert_int_equal(a.seen, 4);
}

/* ---- PostgreSQL: connections that die ---- */

static int64_t backend_pid(store_conn_t *c)
{
	int64_t pid = 0;
	assert_int_equal(store_query_int64(c, &pid, "SELECT pg_backend_pid()", ""), 0);
	return pid;
}

static int writer_pid_fn(store_conn_t *c, void *ud)
{
	return store_query_int64(c, ud, "SELECT pg_backend_pid()", "");
}

/* Terminates a backend from the admin store and waits until it is gone. */
static void kill_backend(int64_t pid)
{
	store_conn_t *a = store_reader(B.admin);
	int64_t n = 1;
	assert_non_null(a);
	assert_int_equal(store_query_int64(a, &n, "SELECT pg_terminate_backend(?::integer)", "i", pid), 0);
	assert_int_equal(n, 1);
	for (int i = 0; i < 200 && n; i++) {
		usleep(10000);
		assert_int_equal(store_query_int64(a, &n,
			"SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?::integer", "i", pid), 0);
	}
	assert_int_equal(n, 0);
}

static void test_reconnect_pg(void **state)
{
	fixture_t *f = *state;
	store_conn_t *c;
	int64_t pid, pid2, n = 0;
	struct ins in = { "after", 1, 0 };
	int rc;

	if (!B.pg)
		skip();
	create_t(f->st);

	/* A reader whose backend died: the query fails with ERR_UNAVAILABLE, and
	 * the next store_reader() reconnects. */
	c = store_reader(f->st);
	pid = backend_pid(c);
	kill_backend(pid);
	rc = store_query_int64(c, &n, "SELECT 1", "");
	assert_int_equal(rc, ERR_UNAVAILABLE);
	assert_true(store_errmsg()[0] != '\0');
	c = store_reader(f->st);
	assert_non_null(c);
	pid2 = backend_pid(c);
	assert_true(pid2 != pid);
	assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM t", ""), 0);

	/* The writer dying between transactions is invisible to the caller. */
	assert_int_equal(store_tx(f->st, writer_pid_fn, &pid), 0);
	kill_backend(pid);
	assert_int_equal(store_tx(f->st, insert_fn, &in), 0);
	assert_int_equal(count_rows(f->st, NULL), 1);
	assert_int_equal(store_tx(f->st, writer_pid_fn, &pid2), 0);
	assert_true(pid2 != pid);
}

/* PostgreSQL-only dialect details: E'' strings keep their '?'. */
static void test_translate_pg(void **state)
{
	fixture_t *f = *state;
	char buf[64];
	if (!B.pg)
		skip();
	assert_int_equal(store_query_text(store_reader(f->st), buf, sizeof(buf),
		"SELECT E'it\\'s ?' || ? /* a /* nested? */ comment */", "t", "!"), 0);
	assert_string_equal(buf, "it's ?!");
	assert_int_equal(store_query_text(store_reader(f->st), buf, sizeof(buf),
		"SELECT e'a''b\\'c ?' || ? || 'd\\' || ?", "tt", "1", "2"), 0);
	assert_string_equal(buf, "a'b'c ?1d\\2");
}

static void test_read_only(void **state)
{
	fixture_t *f = *state;
	store_options_t opt = { .read_only = 1 };
	store_t *ro;
	struct ins in = { "ro", 1, 0 };
	create_t(f->st);
	assert_int_equal(store_read_only(f->st), 0);
	assert_int_equal(store_probe_read_only(f->st), 0);
	assert_int_equal(store_open(f->url, &opt, &ro), 0);
	/* known at open (a standby says the same through pg_is_in_recovery) */
	assert_int_equal(store_read_only(ro), 1);
	assert_int_equal(store_probe_read_only(ro), 1);
	assert_int_equal(count_rows(ro, NULL), 0);
	/* a refused write has its own code (HTTP 503 with a clear message) */
	assert_int_equal(store_tx(ro, insert_fn, &in), ERR_READ_ONLY);
	assert_int_equal(store_read_only(ro), 1);
	assert_int_equal(count_rows(f->st, NULL), 0);
	store_close(ro);
	store_close(NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* ---- store_copy_selected (sigap tenant export) ---- */

static int fill_source_fn(store_conn_t *c, void *ud)
{
	(void)ud;
	return store_exec_script(c, "INSERT INTO t (s, n, u) VALUES ('a', 1, 'x1'), ('b', 2, 'x2'), ('a', NULL, 'x3'), "
				    "('a', 4, NULL); CREATE TABLE kept (k TEXT); INSERT INTO kept VALUES ('z')");
}

static int make_target_fn(store_conn_t *c, void *ud)
{
	(void)ud;
	return store_exec_script(c, "CREATE TABLE t (id {ID}, s TEXT, n BIGINT, u TEXT UNIQUE); CREATE TABLE kept (k TEXT)");
}

static void select_a(void *ud, const char *table, store_copy_rows_t *r)
{
	(void)ud;
	if (!strcmp(table, "kept")) {
		r->copy = 0;
		return;
	}
	snprintf(r->where, sizeof(r->where), "s = ?");
	r->args[0] = "a";
	r->nargs = 1;
}

static void counted_rows(void *ud, const char *table, int copied, int64_t source_rows, int64_t target_rows)
{
	int64_t *n = (int64_t *)ud + (strcmp(table, "t") ? 3 : 0);
	n[0] = source_rows;
	n[1] = target_rows;
	n[2] = copied;
}

/* The chosen rows of either backend into a new SQLite store, by the
 * target's catalog: ids, NULLs and values as they were; a table left out
 * is counted, not copied; a target that holds rows is refused. */
static void test_copy_selected(void **state)
{
	fixture_t *f = *state;
	char dir[256], path[300], err[256], text[16];
	int64_t n[6] = { -1, -1, -1, -1, -1, -1 }, v = 0;
	store_t *to;
	snprintf(dir, sizeof(dir), "%s/sigap-copy-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/to.db", dir);
	create_t(f->st);
	assert_int_equal(store_tx(f->st, fill_source_fn, NULL), 0);
	assert_int_equal(store_open(path, NULL, &to), 0);
	assert_int_equal(store_tx(to, make_target_fn, NULL), 0);
	assert_int_equal(store_copy_selected(f->st, to, select_a, counted_rows, NULL, n, err, sizeof(err)), 0);
	assert_true(n[0] == 3 && n[1] == 3 && n[2] == 1);
	assert_true(n[3] == 1 && n[4] == 0 && n[5] == 0);
	assert_int_equal(count_rows(to, "s = 'a'"), 3);
	assert_int_equal(count_rows(to, "id = 3 AND n IS NULL AND u = 'x3'"), 1);
	assert_int_equal(store_query_int64(store_reader(to), &v, "SELECT n FROM t WHERE id = 4 AND u IS NULL", ""), 0);
	assert_int_equal(v, 4);
	/* the column's type, though every value travels as text */
	assert_int_equal(store_query_text(store_reader(to), text, sizeof(text), "SELECT typeof(n) FROM t WHERE id = 1", ""), 0);
	assert_string_equal(text, "integer");
	/* a second copy finds rows there */
	assert_int_equal(store_copy_selected(f->st, to, select_a, NULL, NULL, NULL, err, sizeof(err)), ERR_EXISTS);
	assert_non_null(strstr(err, "already has 3 rows"));
	store_close(to);
	rm_tree(dir);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_open_errors),
	T(test_migrate),
	T(test_migrate_concurrently),
	T(test_migrate_to),
	T(test_schema_newer),
	T(test_migration_fails_whole),
	T(test_types),
	T(test_bad_sql),
	T(test_unique),
	T(test_tx),
	T(test_tx_ignored_error_pg),
	T(test_query_helpers),
	T(test_returning_and_changes),
	T(test_concurrent_writers),
	T(test_reader_per_thread),
	T(test_reconnect_pg),
	T(test_translate_pg),
	T(test_read_only),
	T(test_copy_selected),
};

int main(void)
{
	const char *pg = getenv("SIGAP_TEST_PG");
	int failed = cmocka_run_group_tests_name("store sqlite", tests, group_setup_sqlite,
						 group_teardown_sqlite);
	if (pg && *pg)
		failed += cmocka_run_group_tests_name("store postgresql", tests, group_setup_pg,
						      group_teardown_pg);
	else
		print_message("store: SIGAP_TEST_PG is not set: the PostgreSQL half was skipped "
			      "(start one with scripts/pg-test-server.sh)\n");
	return failed ? 1 : 0;
}
