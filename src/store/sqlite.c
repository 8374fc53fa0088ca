/*
 * sqlite.c: the embedded SQLite backend of store.h, the default for a single
 * Pemda on one small server. One writer connection serialised by a mutex
 * (write transactions are BEGIN IMMEDIATE), and one read connection per
 * thread, opened on first use. The database runs in WAL mode with
 * synchronous=FULL, so a committed transaction is on disk when store_tx()
 * returns, and readers never block the writer. Foreign keys are on and a busy
 * timeout covers other processes (a CLI command next to a running server).
 */
#include "store/store_impl.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/banned.h"

/* Prepared statements kept per connection, by SQL text: sigap runs the same
 * few hundred statements over and over, and parsing them each time cost
 * more than running them. */
#define SQ_CACHE 128

typedef struct sq_cached {
	char *sql;          /* owned copy of the text */
	uint32_t hash;      /* of the text, compared first */
	sqlite3_stmt *st;
	int busy;           /* handed out and not yet finalized */
} sq_cached_t;

typedef struct sq_conn {
	struct store_conn hdr;
	sqlite3 *db;
	sq_cached_t cache[SQ_CACHE];
	int ncache;
	int in_tx;            /* inside store_tx() (writer only) */
	int tx_err;           /* first failed statement's error in this transaction */
	struct sq_conn *next; /* all readers of the store, for close() */
} sq_conn_t;

typedef struct sq_store {
	struct store hdr;
	char *path;
	store_options_t opt;
	sq_conn_t writer;
	pthread_mutex_t wlock;
	pthread_key_t key;     /* thread -> its reader */
	pthread_mutex_t rlock; /* guards readers list */
	sq_conn_t *readers;
} sq_store_t;

typedef struct sq_stmt {
	struct store_stmt hdr;
	sqlite3_stmt *st;
	sqlite3 *db;
	sq_conn_t *conn;
	int cached;      /* index in conn->cache, or -1 */
	int64_t changes;
	int done;
} sq_stmt_t;

static int exec1(sq_conn_t *c, const char *sql);

static int map_rc(sqlite3 *db, int rc)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return store_fail(ERR_EXISTS, "%s", msg);
		return store_fail(ERR_INVALID, "%s", msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		/* still locked after the busy timeout: another process holds the
		 * database; the caller should retry later (503 + Retry-After) */
		return store_fail(ERR_UNAVAILABLE, "%s", msg);
	case SQLITE_NOMEM:
		return store_fail(ERR_NOMEM, "%s", msg);
	case SQLITE_READONLY:
		return store_fail(ERR_READ_ONLY, "%s", msg);
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_FULL:
		return store_fail(ERR_UNAVAILABLE, "%s", msg);
	default:
		return store_fail(ERR_DB, "%s", msg);
	}
}

static void cache_clear(sq_conn_t *c)
{
	for (int i = 0; i < c->ncache; i++) {
		sqlite3_finalize(c->cache[i].st);
		free(c->cache[i].sql);
	}
	c->ncache = 0;
}

static int conn_open(sq_store_t *s, sq_conn_t *c, int create)
{
	/* temp_store=MEMORY keeps the savepoint and statement journals of a
	 * group-commit batch in memory: on disk they cost a pwrite per page
	 * touched, about 70 per complaint (measured with perf stat). The page
	 * caches are sized so that the hot indexes stay in them: 64 MiB for the
	 * writer, 16 MiB for each reader (allocated as used). */
	static const char pragmas[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
				      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;";
	static const char reader_pragmas[] = "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384;";
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	int rc;
	c->hdr.ops = &store_sqlite_ops;
	c->next = NULL;
	if (s->opt.read_only)
		flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
	else if (create && strcmp(s->path, ":memory:") && strncmp(s->path, "file:", 5)) {
		/* a new database is its owner's only (0600, whatever the umask):
		 * it holds NIKs, password hashes and second-factor secrets. SQLite
		 * opens the empty file as an empty database and gives its -wal
		 * and -shm the same mode. An existing file keeps its mode
		 * (sigap check warns when others may read it). */
		int fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
	rc = sqlite3_open_v2(s->path, &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		store_fail(ERR_UNAVAILABLE, "cannot open database '%s': %s", s->path,
			   c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		c->db = NULL;
		return ERR_UNAVAILABLE;
	}
	sqlite3_busy_timeout(c->db, s->opt.busy_timeout_ms > 0 ? s->opt.busy_timeout_ms : 5000);
	/* Switching a new file to WAL needs its exclusive lock, and SQLite
	 * answers SQLITE_BUSY at once, without the busy handler, when another
	 * process holds a lock meanwhile (two `sigap migrate` on a file that
	 * does not exist yet): tried again every 20 ms within the busy timeout. */
	for (int waited = 0;; waited += 20) {
		rc = sqlite3_exec(c->db, s->opt.read_only || !create ? reader_pragmas : pragmas, NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY || waited >= (s->opt.busy_timeout_ms > 0 ? s->opt.busy_timeout_ms : 5000))
			break;
		sqlite3_sleep(20);
	}
	if (rc != SQLITE_OK) {
		rc = map_rc(c->db, rc);
		store_fail(ERR_UNAVAILABLE, "cannot open database '%s': %s", s->path, store_errmsg());
		sqlite3_close(c->db);
		c->db = NULL;
		return ERR_UNAVAILABLE;
	}
	return 0;
}

static void sq_close(store_t *st);

/* Before SQLite's first use: no global memory statistics. They take a
 * process-wide mutex on every allocation, which the writer and the readers
 * fought over (about 10% of the writer's time under load, measured with
 * perf). Connections are opened with SQLITE_OPEN_NOMUTEX: each is used by one
 * thread at a time. */
static pthread_once_t sq_once = PTHREAD_ONCE_INIT;
static void sq_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* refused (harmlessly) if already initialised */
	sqlite3_initialize();
}

static int sq_open(const char *url, const store_options_t *opt, store_t **ret)
{
	sq_store_t *s;
	int rc;
	pthread_once(&sq_once, sq_configure);
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(url))) {
		free(s);
		return ERR_NOMEM;
	}
	s->hdr.ops = &store_sqlite_ops;
	s->opt = *opt;
	pthread_mutex_init(&s->wlock, NULL);
	pthread_mutex_init(&s->rlock, NULL);
	if (pthread_key_create(&s->key, NULL)) {
		free(s->path);
		free(s);
		return ERR_NOMEM;
	}
	rc = conn_open(s, &s->writer, 1);
	if (rc < 0) {
		sq_close(&s->hdr);
		return rc;
	}
	*ret = &s->hdr;
	return 0;
}

static void sq_close(store_t *st)
{
	sq_store_t *s = (sq_store_t *)st;
	sq_conn_t *c, *n;
	for (c = s->readers; c; c = n) {
		n = c->next;
		cache_clear(c);
		sqlite3_close(c->db);
		free(c);
	}
	cache_clear(&s->writer);
	if (s->writer.db)
		sqlite3_close(s->writer.db);
	pthread_key_delete(s->key);
	pthread_mutex_destroy(&s->wlock);
	pthread_mutex_destroy(&s->rlock);
	free(s->path);
	free(s);
}

static store_conn_t *sq_reader(store_t *st)
{
	sq_store_t *s = (sq_store_t *)st;
	sq_conn_t *c = pthread_getspecific(s->key);
	if (c)
		return &c->hdr;
	c = calloc(1, sizeof(*c));
	if (!c) {
		store_fail(ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (conn_open(s, c, 0) < 0) {
		free(c);
		return NULL;
	}
	pthread_setspecific(s->key, c);
	pthread_mutex_lock(&s->rlock);
	c->next = s->readers;
	s->readers = c;
	pthread_mutex_unlock(&s->rlock);
	return &c->hdr;
}

static int sq_tx(store_t *st, store_tx_fn fn, void *ud)
{
	sq_store_t *s = (sq_store_t *)st;
	int rc, frc;
	pthread_mutex_lock(&s->wlock);
	rc = exec1(&s->writer, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK) {
		rc = map_rc(s->writer.db, rc);
		pthread_mutex_unlock(&s->wlock);
		return rc;
	}
	s->writer.in_tx = 1;
	s->writer.tx_err = 0;
	store_memo_clear(); /* nothing from an earlier transaction */
	frc = fn(&s->writer.hdr, ud);
	store_memo_clear(); /* nor for anything after it */
	s->writer.in_tx = 0;
	if (frc >= 0 && s->writer.tx_err)
		frc = s->writer.tx_err;
	if (frc < 0) {
		exec1(&s->writer, "ROLLBACK");
		pthread_mutex_unlock(&s->wlock);
		return frc;
	}
	rc = exec1(&s->writer, "COMMIT");
	if (rc != SQLITE_OK) {
		rc = map_rc(s->writer.db, rc);
		if (!sqlite3_get_autocommit(s->writer.db))
			exec1(&s->writer, "ROLLBACK");
		pthread_mutex_unlock(&s->wlock);
		return rc;
	}
	pthread_mutex_unlock(&s->wlock);
	return frc;
}


/* A free cached statement for sql (marked busy), or a new one, cached when
 * there is room (*ret_slot -1 when not cached: the caller finalizes it). */
static int cache_take(sq_conn_t *c, const char *sql, sqlite3_stmt **ret, int *ret_slot)
{
	uint32_t h = store_sql_hash(sql);
	int rc;
	*ret_slot = -1;
	for (int i = 0; i < c->ncache; i++)
		if (c->cache[i].hash == h && !c->cache[i].busy && !strcmp(c->cache[i].sql, sql)) {
			c->cache[i].busy = 1;
			*ret = c->cache[i].st;
			*ret_slot = i;
			return SQLITE_OK;
		}
	rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, ret, NULL);
	if (rc != SQLITE_OK)
		return rc;
	if (c->ncache < SQ_CACHE && *ret && (c->cache[c->ncache].sql = strdup(sql)) != NULL) {
		c->cache[c->ncache].hash = h;
		c->cache[c->ncache].st = *ret;
		c->cache[c->ncache].busy = 1;
		*ret_slot = c->ncache++;
	}
	return SQLITE_OK;
}

static void cache_give(sq_conn_t *c, sqlite3_stmt *st, int slot)
{
	if (slot >= 0) {
		/* back into the cache, clean for the next user */
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		c->cache[slot].busy = 0;
	} else {
		sqlite3_finalize(st);
	}
}

/* One statement without parameters or rows (BEGIN, COMMIT, SAVEPOINT...),
 * prepared once per connection instead of parsed on every call. */
static int exec1(sq_conn_t *c, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int slot, rc = cache_take(c, sql, &st, &slot);
	if (rc != SQLITE_OK)
		return rc;
	if (!st)
		return SQLITE_OK; /* only a comment */
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		rc = SQLITE_OK;
	else
		rc = sqlite3_extended_errcode(c->db);
	cache_give(c, st, slot);
	return rc;
}

static int sq_prepare(store_conn_t *conn, const char *sql, store_stmt_t **ret)
{
	sq_conn_t *c = (sq_conn_t *)conn;
	sq_stmt_t *s;
	int rc;
	*ret = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return store_fail(ERR_NOMEM, "out of memory");
	rc = cache_take(c, sql, &s->st, &s->cached);
	if (rc != SQLITE_OK) {
		rc = map_rc(c->db, rc);
		free(s);
		return rc;
	}
	s->hdr.ops = &store_sqlite_ops;
	s->db = c->db;
	s->conn = c;
	*ret = &s->hdr;
	return 0;
}

static int sq_bind_text(store_stmt_t *st, int idx, const char *v, long len)
{
	sq_stmt_t *s = (sq_stmt_t *)st;
	int rc = v ? sqlite3_bind_text(s->st, idx, v, len < 0 ? -1 : (int)len, SQLITE_TRANSIENT)
		   : sqlite3_bind_null(s->st, idx);
	return rc == SQLITE_OK ? 0 : map_rc(s->db, rc);
}

static int sq_bind_int64(store_stmt_t *st, int idx, int64_t v)
{
	sq_stmt_t *s = (sq_stmt_t *)st;
	int rc = sqlite3_bind_int64(s->st, idx, v);
	return rc == SQLITE_OK ? 0 : map_rc(s->db, rc);
}

static int sq_bind_null(store_stmt_t *st, int idx)
{
	sq_stmt_t *s = (sq_stmt_t *)st;
	int rc = sqlite3_bind_null(s->st, idx);
	return rc == SQLITE_OK ? 0 : map_rc(s->db, rc);
}

static int sq_step(store_stmt_t *st)
{
	sq_stmt_t *s = (sq_stmt_t *)st;
	int rc;
	if (s->done)
		return STORE_DONE;
	rc = sqlite3_step(s->st);
	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE) {
		s->done = 1;
		s->changes = sqlite3_stmt_readonly(s->st) ? 0 : sqlite3_changes(s->db);
		return STORE_DONE;
	}
	rc = map_rc(s->db, sqlite3_extended_errcode(s->db));
	sqlite3_reset(s->st);
	/* as on PostgreSQL, a failed statement dooms its transaction */
	if (s->conn->in_tx && !s->conn->tx_err)
		s->conn->tx_err = rc;
	return rc;
}

static int sq_reset(store_stmt_t *st)
{
	sq_stmt_t *s = (sq_stmt_t *)st;
	sqlite3_reset(s->st);
	s->done = 0;
	s->changes = 0;
	return 0;
}

static int sq_column_count(store_stmt_t *st)
{
	return sqlite3_column_count(((sq_stmt_t *)st)->st);
}

static const char *sq_col_text(store_stmt_t *st, int col)
{
	return (const char *)sqlite3_column_text(((sq_stmt_t *)st)->st, col);
}

static const char *sq_col_name(store_stmt_t *st, int col)
{
	return sqlite3_column_name(((sq_stmt_t *)st)->st, col);
}

static int64_t sq_col_int64(store_stmt_t *st, int col)
{
	return sqlite3_column_int64(((sq_stmt_t *)st)->st, col);
}

static int sq_col_is_null(store_stmt_t *st, int col)
{
	return sqlite3_column_type(((sq_stmt_t *)st)->st, col) == SQLITE_NULL;
}

static int64_t sq_changes(store_stmt_t *st)
{
	return ((sq_stmt_t *)st)->changes;
}

static void sq_finalize(store_stmt_t *st)
{
	sq_stmt_t *s = (sq_stmt_t *)st;
	cache_give(s->conn, s->st, s->cached);
	free(s);
}

static int sq_exec_script(store_conn_t *conn, const char *sql)
{
	sq_conn_t *c = (sq_conn_t *)conn;
	char *msg = NULL;
	int rc;
	if (!strchr(sql, ';')) { /* one statement: the savepoints of group commit */
		rc = exec1(c, sql);
		return rc == SQLITE_OK ? 0 : map_rc(c->db, rc);
	}
	rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		int code = map_rc(c->db, rc);
		store_fail(code, "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return code;
	}
	return 0;
}

static int sq_read_begin(store_conn_t *conn)
{
	sq_conn_t *c = (sq_conn_t *)conn;
	int rc = exec1(c, "BEGIN");
	return rc == SQLITE_OK ? 0 : map_rc(c->db, rc);
}

static void sq_read_end(store_conn_t *conn)
{
	sq_conn_t *c = (sq_conn_t *)conn;
	if (!sqlite3_get_autocommit(c->db))
		exec1(c, "COMMIT");
}

static int sq_integrity_check(store_t *st, char *msg, size_t msglen)
{
	sq_store_t *s = (sq_store_t *)st;
	sqlite3_stmt *q;
	int bad = 0;
	snprintf(msg, msglen, "ok");
	pthread_mutex_lock(&s->wlock);
	if (sqlite3_prepare_v2(s->writer.db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW) {
			const char *r = (const char *)sqlite3_column_text(q, 0);
			if (!r || strcmp(r, "ok")) {
				snprintf(msg, msglen, "integrity_check: %s", r ? r : "?");
				bad = 1;
			}
		}
		sqlite3_finalize(q);
	} else {
		snprintf(msg, msglen, "%s", sqlite3_errmsg(s->writer.db));
		bad = 1;
	}
	if (!bad && sqlite3_prepare_v2(s->writer.db, "PRAGMA foreign_key_check", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW) {
			snprintf(msg, msglen, "foreign_key_check: row %lld of table %s has a dangling reference",
				 (long long)sqlite3_column_int64(q, 1), sqlite3_column_text(q, 0));
			bad = 1;
		}
		sqlite3_finalize(q);
	}
	pthread_mutex_unlock(&s->wlock);
	return bad ? ERR_DB : 0;
}

static int sq_probe_read_only(store_t *st)
{
	sq_store_t *s = (sq_store_t *)st;
	return s->opt.read_only || access(s->path, W_OK) != 0 ? 1 : 0;
}

static int sq_take_error(store_conn_t *conn)
{
	sq_conn_t *c = (sq_conn_t *)conn;
	int e = c->tx_err;
	c->tx_err = 0;
	return e;
}

const struct store_ops store_sqlite_ops = {
	.take_error = sq_take_error,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.kind = STORE_SQLITE,
	.open = sq_open,
	.close = sq_close,
	.reader = sq_reader,
	.tx = sq_tx,
	.prepare = sq_prepare,
	.bind_text = sq_bind_text,
	.bind_int64 = sq_bind_int64,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.reset = sq_reset,
	.column_count = sq_column_count,
	.col_text = sq_col_text,
	.col_name = sq_col_name,
	.col_int64 = sq_col_int64,
	.col_is_null = sq_col_is_null,
	.changes = sq_changes,
	.finalize = sq_finalize,
	.exec_script = sq_exec_script,
	.integrity_check = sq_integrity_check,
	.probe_read_only = sq_probe_read_only,
};
