/*
 * store.c: the backend-neutral half of the storage interface. It selects a
 * backend from the URL, dispatches every call through the backend's ops table,
 * and implements what needs no backend knowledge: typed binding from a format
 * string, exec/query helpers, DDL token expansion and the migration runner.
 */
#include "store/store_impl.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/sb.h"
#include "core/banned.h"

static __thread char errmsg_buf[512];

const char *store_errmsg(void)
{
	return errmsg_buf;
}

int store_fail(int code, const char *fmt, ...)
{
	char out[sizeof(errmsg_buf)];
	va_list ap;
	/* formatted aside first: callers pass store_errmsg() itself as an
	 * argument ("migration 27 (...): %s"), which vsnprintf into the same
	 * buffer garbled */
	va_start(ap, fmt);
	vsnprintf(out, sizeof(out), fmt, ap);
	va_end(ap);
	memcpy(errmsg_buf, out, sizeof(out));
	return code;
}

/* ---------------------------------------------------------------- memo */

typedef struct memo_slot {
	char key[96];
	int64_t n;
	char text[STORE_MEMO_TEXT];
} memo_slot_t;

static __thread memo_slot_t memo[STORE_MEMO_SLOTS];
static __thread int memo_used, memo_next;

int store_memo_get(const char *key, int64_t *ret_n, char *ret_text, size_t textlen)
{
	for (int i = 0; i < memo_used; i++)
		if (!strcmp(memo[i].key, key)) {
			if (ret_n)
				*ret_n = memo[i].n;
			if (ret_text && textlen)
				snprintf(ret_text, textlen, "%s", memo[i].text);
			return 1;
		}
	return 0;
}

void store_memo_put(const char *key, int64_t n, const char *text)
{
	memo_slot_t *m = NULL;
	if (strlen(key) >= sizeof(m->key) || (text && strlen(text) >= STORE_MEMO_TEXT))
		return;
	for (int i = 0; i < memo_used && !m; i++)
		if (!strcmp(memo[i].key, key))
			m = &memo[i];
	if (!m) {
		if (memo_used < STORE_MEMO_SLOTS) {
			m = &memo[memo_used++];
		} else {
			m = &memo[memo_next];
			memo_next = (memo_next + 1) % STORE_MEMO_SLOTS;
		}
		snprintf(m->key, sizeof(m->key), "%s", key);
	}
	m->n = n;
	snprintf(m->text, sizeof(m->text), "%s", text ? text : "");
}

void store_memo_clear(void)
{
	memo_used = memo_next = 0;
}

/* ---------------------------------------------------------------- group commit
 *
 * One writer thread per store takes every queued transaction that is
 * waiting, runs them one after another inside one database transaction, each
 * in its own SAVEPOINT (a caller that fails is rolled back to its savepoint
 * alone), commits once, and then reports each caller's result. While it
 * commits, new requests queue up and form the next batch, so under load one
 * fsync serves many requests; with a single caller it is one transaction as
 * before (no savepoint). */

#define GROUP_MAX 256

typedef struct gc_req {
	store_tx_fn fn;
	void *ud;
	store_complete_fn complete; /* NULL for a synchronous caller */
	void *cud;
	int rc;
	char msg[400];        /* store_errmsg() of a failure, carried to the caller's thread */
	int db_conflict;      /* the database chose it as a deadlock/serialisation victim */
	int done;             /* synchronous callers wait for this */
	pthread_cond_t cv;    /* ... signalled on this (their own: no thundering herd) */
	struct gc_req *next;
} gc_req_t;

struct store_group {
	pthread_mutex_t mu;
	pthread_cond_t work;    /* writer waits for requests */
	gc_req_t *head, *tail;
	int stopping;
	pthread_t tid;
	uint64_t txs, commits;
	store_signal_fn on_commit; /* store_on_commit(), set before the first signal */
	void *on_commit_ud;
};

/* store_signal()'s bits of the batch running on this writer thread */
static __thread unsigned signal_bits;

void store_signal(store_conn_t *c, unsigned bits)
{
	(void)c;
	signal_bits |= bits;
}

void store_on_commit(store_t *st, store_signal_fn fn, void *ud)
{
	struct store_group *g = st->group;
	pthread_mutex_lock(&g->mu);
	g->on_commit = fn;
	g->on_commit_ud = ud;
	pthread_mutex_unlock(&g->mu);
}

typedef struct gc_batch {
	gc_req_t *reqs[GROUP_MAX];
	int n;
	int optimistic; /* first pass: no savepoints (see batch_fn) */
} gc_batch_t;

/* batch_fn's answer when an optimistic pass met a failure: the backend rolls
 * the whole transaction back and the writer runs the batch again with a
 * savepoint per caller. */
#define GC_REPLAY (-1000)

/* Runs one caller's function. In a batch it runs inside its own savepoint,
 * and a deadlock or serialisation failure chosen by the database (not a
 * domain's own ERR_CONFLICT) is retried: the transaction functions are
 * written to be run again. */
#define GC_RETRIES 3

static int run_one(store_conn_t *c, gc_req_t *q, int savepoint)
{
	int rc = 0, e;
	for (int attempt = 0; attempt < GC_RETRIES; attempt++) {
		if (savepoint && (rc = c->ops->exec_script(c, "SAVEPOINT sigap_gc")) < 0)
			return rc;
		rc = q->fn(c, q->ud);
		e = c->ops->take_error(c);
		if (rc >= 0 && e < 0)
			rc = e; /* fn ignored a failed statement */
		q->db_conflict = e == ERR_CONFLICT;
		if (!savepoint)
			return rc;
		if (rc < 0) {
			char keep[512];
			/* keep the caller's error message across the rollback */
			snprintf(keep, sizeof(keep), "%s", store_errmsg());
			c->ops->exec_script(c, "ROLLBACK TO SAVEPOINT sigap_gc");
			store_memo_clear(); /* what it read may be undone */
			store_fail(0, "%s", keep);
		}
		c->ops->exec_script(c, "RELEASE SAVEPOINT sigap_gc");
		c->ops->take_error(c);
		if (rc >= 0 || !q->db_conflict)
			break;
	}
	return rc;
}

/* A batch runs first without savepoints: nearly every caller succeeds (its
 * input was checked before it queued), and a SAVEPOINT and RELEASE per
 * caller were a tenth of the writer's time (SQLite) or two more round trips
 * each (PostgreSQL). The first failure abandons that pass; the whole batch is
 * rolled back and run again, each caller in its own savepoint, so that one
 * caller's failure never touches the others. */
static int batch_fn(store_conn_t *c, void *ud)
{
	gc_batch_t *b = ud;
	if (b->optimistic) {
		/* a failed statement stays the transaction's error: one look at the
		 * end (on PostgreSQL, one wait for the answers not waited for). Each
		 * caller keeps its own answer, as alone: a value above 0 is one
		 * (governance_action_tx's GOV_REFUSED: refused, the refusal audited) */
		for (int i = 0; i < b->n; i++)
			if ((b->reqs[i]->rc = b->reqs[i]->fn(c, b->reqs[i]->ud)) < 0)
				return GC_REPLAY;
		if (c->ops->take_error(c) < 0)
			return GC_REPLAY;
		return 0;
	}
	if (b->n == 1) {
		b->reqs[0]->rc = run_one(c, b->reqs[0], 0);
		return b->reqs[0]->rc < 0 ? b->reqs[0]->rc : 0;
	}
	for (int i = 0; i < b->n; i++) {
		b->reqs[i]->rc = run_one(c, b->reqs[i], 1);
		if (b->reqs[i]->rc < 0)
			snprintf(b->reqs[i]->msg, sizeof(b->reqs[i]->msg), "%s", store_errmsg());
	}
	return 0;
}

static void *writer_main(void *arg)
{
	store_t *st = arg;
	struct store_group *g = st->group;
	gc_batch_t b;
	for (;;) {
		int rc;
		store_signal_fn on_commit;
		void *on_commit_ud;
		pthread_mutex_lock(&g->mu);
		while (!g->head && !g->stopping)
			pthread_cond_wait(&g->work, &g->mu);
		if (!g->head && g->stopping) {
			pthread_mutex_unlock(&g->mu);
			break;
		}
		b.n = 0;
		while (g->head && b.n < GROUP_MAX) {
			b.reqs[b.n++] = g->head;
			g->head = g->head->next;
		}
		if (!g->head)
			g->tail = NULL;
		pthread_mutex_unlock(&g->mu);

		b.optimistic = b.n > 1;
		signal_bits = 0;
		rc = st->ops->tx(st, batch_fn, &b);
		if (b.optimistic && rc == GC_REPLAY) {
			b.optimistic = 0;
			signal_bits = 0; /* what the abandoned pass asked for was rolled back */
			rc = st->ops->tx(st, batch_fn, &b);
		} else if (b.optimistic && rc < 0) {
			/* BEGIN or COMMIT failed: the same for everyone */
			for (int i = 0; i < b.n; i++)
				b.reqs[i]->rc = rc;
		}
		/* a lone transaction has no savepoint: a deadlock victim runs again whole */
		for (int attempt = 1; b.n == 1 && rc == ERR_CONFLICT && b.reqs[0]->db_conflict && attempt < GC_RETRIES;
		     attempt++)
			rc = st->ops->tx(st, batch_fn, &b);
		pthread_mutex_lock(&g->mu);
		g->txs += (uint64_t)b.n;
		g->commits++;
		on_commit = g->on_commit;
		on_commit_ud = g->on_commit_ud;
		pthread_mutex_unlock(&g->mu);
		if (rc >= 0 && signal_bits && on_commit)
			on_commit(on_commit_ud, signal_bits);
		signal_bits = 0;
		for (int i = 0; i < b.n; i++) {
			gc_req_t *q = b.reqs[i];
			/* a failed commit fails everyone who had succeeded */
			if (rc < 0 && q->rc >= 0)
				q->rc = rc;
			if (b.n == 1 && rc < 0)
				q->rc = rc;
			if (q->rc < 0 && (!q->msg[0] || rc < 0))
				snprintf(q->msg, sizeof(q->msg), "%s", store_errmsg());
			if (q->complete) {
				if (q->rc < 0)
					store_fail(q->rc, "%s", q->msg); /* what store_errmsg() tells complete() */
				q->complete(q->rc, q->cud);
				free(q);
			} else {
				pthread_mutex_lock(&g->mu);
				q->done = 1;
				pthread_cond_signal(&q->cv);
				pthread_mutex_unlock(&g->mu);
			}
		}
	}
	return NULL;
}

static int enqueue(store_t *st, gc_req_t *q)
{
	struct store_group *g = st->group;
	pthread_mutex_lock(&g->mu);
	if (g->stopping) {
		pthread_mutex_unlock(&g->mu);
		return store_fail(ERR_UNAVAILABLE, "the database is closing");
	}
	q->next = NULL;
	if (g->tail)
		g->tail->next = q;
	else
		g->head = q;
	g->tail = q;
	pthread_cond_signal(&g->work);
	pthread_mutex_unlock(&g->mu);
	return 0;
}

static int group_start(store_t *st)
{
	struct store_group *g = calloc(1, sizeof(*g));
	if (!g)
		return ERR_NOMEM;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->work, NULL);
	st->group = g;
	if (pthread_create(&g->tid, NULL, writer_main, st)) {
		st->group = NULL;
		free(g);
		return store_fail(ERR_NOMEM, "cannot start the writer thread");
	}
	return 0;
}

static void group_stop(store_t *st)
{
	struct store_group *g = st->group;
	if (!g)
		return;
	pthread_mutex_lock(&g->mu);
	g->stopping = 1; /* the writer drains the queue first */
	pthread_cond_signal(&g->work);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->tid, NULL);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->work);
	free(g);
	st->group = NULL;
}

void store_group_stats(store_t *st, uint64_t *ret_txs, uint64_t *ret_commits)
{
	struct store_group *g = st->group;
	pthread_mutex_lock(&g->mu);
	*ret_txs = g->txs;
	*ret_commits = g->commits;
	pthread_mutex_unlock(&g->mu);
}

int store_open(const char *url, const store_options_t *opt, store_t **ret)
{
	store_options_t def = { .busy_timeout_ms = 5000 };
	int rc;
	*ret = NULL;
	if (!url || !*url)
		return store_fail(ERR_INVALID, "no database given (use --db PATH or a postgresql:// URL)");
	if (!opt)
		opt = &def;
	if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11))
		rc = store_pg_ops.open(url, opt, ret);
	else
		rc = store_sqlite_ops.open(!strncmp(url, "sqlite:", 7) ? url + 7 : url, opt, ret);
	if (rc < 0)
		return rc;
	(*ret)->group = NULL;
	(*ret)->read_only = 0;
	(*ret)->schema_ahead = 0;
	if ((rc = group_start(*ret)) < 0) {
		(*ret)->ops->close(*ret);
		*ret = NULL;
		return rc;
	}
	store_probe_read_only(*ret); /* a failure here shows again at first use */
	return 0;
}

int store_read_only(store_t *st)
{
	return __atomic_load_n(&st->read_only, __ATOMIC_RELAXED);
}

void store_note_read_only(store_t *st)
{
	__atomic_store_n(&st->read_only, 1, __ATOMIC_RELAXED);
}

int store_probe_read_only(store_t *st)
{
	int rc = st->ops->probe_read_only ? st->ops->probe_read_only(st) : 0;
	if (rc >= 0)
		__atomic_store_n(&st->read_only, rc ? 1 : 0, __ATOMIC_RELAXED);
	return rc;
}

void store_close(store_t *st)
{
	if (!st)
		return;
	group_stop(st);
	st->ops->close(st);
}

store_kind_t store_kind(const store_t *st)
{
	return st->ops->kind;
}

store_conn_t *store_reader(store_t *st)
{
	return st->ops->reader(st);
}

uint32_t store_sql_hash(const char *sql)
{
	size_t n = strlen(sql), i;
	uint32_t h = 2166136261u;
	h = (h ^ (uint32_t)n) * 16777619u;
	for (i = 0; i < n && i < 48; i++)
		h = (h ^ (unsigned char)sql[i]) * 16777619u;
	for (i = n > 96 ? n - 48 : i; i < n; i++)
		h = (h ^ (unsigned char)sql[i]) * 16777619u;
	return h;
}

int store_read_begin(store_conn_t *c)
{
	return c->ops->read_begin ? c->ops->read_begin(c) : 0;
}

void store_read_end(store_conn_t *c)
{
	if (c->ops->read_end)
		c->ops->read_end(c);
}

int store_tx(store_t *st, store_tx_fn fn, void *ud)
{
	struct store_group *g = st->group;
	gc_req_t q = { .fn = fn, .ud = ud };
	int rc;
	pthread_cond_init(&q.cv, NULL);
	rc = enqueue(st, &q);
	if (rc < 0) {
		pthread_cond_destroy(&q.cv);
		return rc;
	}
	pthread_mutex_lock(&g->mu);
	while (!q.done)
		pthread_cond_wait(&q.cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	pthread_cond_destroy(&q.cv);
	if (q.rc < 0)
		store_fail(q.rc, "%s", q.msg);
	return q.rc;
}

int store_tx_async(store_t *st, store_tx_fn fn, void *ud, store_complete_fn complete, void *cud)
{
	gc_req_t *q = calloc(1, sizeof(*q));
	int rc;
	if (!q)
		return store_fail(ERR_NOMEM, "out of memory");
	q->fn = fn;
	q->ud = ud;
	q->complete = complete;
	q->cud = cud;
	rc = enqueue(st, q);
	if (rc < 0)
		free(q);
	return rc;
}

int store_prepare(store_conn_t *c, const char *sql, store_stmt_t **ret)
{
	if (!c) {
		*ret = NULL;
		return store_fail(ERR_UNAVAILABLE, "no database connection");
	}
	return c->ops->prepare(c, sql, ret);
}

int store_bind_text(store_stmt_t *s, int idx, const char *v, long len)
{
	return s->ops->bind_text(s, idx, v, len);
}

int store_bind_int64(store_stmt_t *s, int idx, int64_t v)
{
	return s->ops->bind_int64(s, idx, v);
}

int store_bind_null(store_stmt_t *s, int idx)
{
	return s->ops->bind_null(s, idx);
}

static int bindv(store_stmt_t *s, const char *types, va_list ap)
{
	int idx = 1, rc = 0;
	for (const char *t = types; t && *t && rc == 0; t++, idx++) {
		switch (*t) {
		case 't': rc = store_bind_text(s, idx, va_arg(ap, const char *), -1); break;
		case 'i': rc = store_bind_int64(s, idx, va_arg(ap, int64_t)); break;
		case 'd': rc = store_bind_int64(s, idx, (int64_t)va_arg(ap, int)); break;
		case 'n': rc = store_bind_null(s, idx); break;
		default: rc = store_fail(ERR_INTERNAL, "bad bind type '%c'", *t);
		}
	}
	return rc;
}

int store_bindf(store_stmt_t *s, const char *types, ...)
{
	va_list ap;
	int rc;
	va_start(ap, types);
	rc = bindv(s, types, ap);
	va_end(ap);
	return rc;
}

int store_step(store_stmt_t *s)
{
	return s->ops->step(s);
}

int store_reset(store_stmt_t *s)
{
	return s->ops->reset(s);
}

int store_column_count(store_stmt_t *s)
{
	return s->ops->column_count(s);
}

const char *store_col_text(store_stmt_t *s, int col)
{
	return s->ops->col_text(s, col);
}

const char *store_col_name(store_stmt_t *s, int col)
{
	return s->ops->col_name(s, col);
}

int64_t store_col_int64(store_stmt_t *s, int col)
{
	return s->ops->col_int64(s, col);
}

int store_col_is_null(store_stmt_t *s, int col)
{
	return s->ops->col_is_null(s, col);
}

int64_t store_changes(store_stmt_t *s)
{
	return s->ops->changes(s);
}

void store_finalize(store_stmt_t *s)
{
	if (s)
		s->ops->finalize(s);
}

static int exec_va(store_conn_t *c, const char *sql, const char *types, va_list ap)
{
	store_stmt_t *s;
	int rc = store_prepare(c, sql, &s);
	if (rc < 0)
		return rc;
	rc = bindv(s, types, ap);
	while (rc == 0 && (rc = store_step(s)) == STORE_ROW)
		rc = 0;
	if (rc == STORE_DONE)
		rc = (int)store_changes(s);
	store_finalize(s);
	return rc;
}

int store_exec(store_conn_t *c, const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;
	va_start(ap, types);
	rc = exec_va(c, sql, types, ap);
	va_end(ap);
	return rc;
}

int store_exec_nowait(store_conn_t *c, const char *sql, const char *types, ...)
{
	va_list ap;
	store_stmt_t *s;
	int rc;
	if (!c->ops->send) {
		va_start(ap, types);
		rc = exec_va(c, sql, types, ap);
		va_end(ap);
		return rc < 0 ? rc : 0;
	}
	if ((rc = store_prepare(c, sql, &s)) < 0)
		return rc;
	va_start(ap, types);
	rc = bindv(s, types, ap);
	va_end(ap);
	if (rc == 0)
		rc = c->ops->send(s);
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int store_send(store_stmt_t *s)
{
	int rc = 0;
	if (!s)
		return store_fail(ERR_INVALID, "no statement");
	if (s->ops->send) {
		rc = s->ops->send(s);
	} else {
		while ((rc = store_step(s)) == STORE_ROW)
			;
		if (rc == STORE_DONE)
			rc = 0;
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int store_prepare_rows(store_conn_t *c, const char *head, int ncols, int nrows, store_stmt_t **ret)
{
	char sql[4096];
	size_t len = head ? strlen(head) : 0, need;
	*ret = NULL;
	if (!head || ncols < 1 || nrows < 1 || ncols > 256 || nrows > 256)
		return store_fail(ERR_INVALID, "rows: %d of %d columns", nrows, ncols);
	/* " VALUES " + per row "(" + "?, " * ncols - 2 + ")" + ", " between */
	need = len + 8 + (size_t)nrows * ((size_t)ncols * 3 + 2) + 1;
	if (need > sizeof(sql))
		return store_fail(ERR_INVALID, "rows: statement too long");
	memcpy(sql, head, len);
	memcpy(sql + len, " VALUES ", 8);
	len += 8;
	for (int r = 0; r < nrows; r++) {
		if (r) {
			sql[len++] = ',';
			sql[len++] = ' ';
		}
		sql[len++] = '(';
		for (int k = 0; k < ncols; k++) {
			if (k) {
				sql[len++] = ',';
				sql[len++] = ' ';
			}
			sql[len++] = '?';
		}
		sql[len++] = ')';
	}
	sql[len] = '\0';
	return store_prepare(c, sql, ret);
}

static int query_first(store_conn_t *c, const char *sql, const char *types, va_list ap,
		       store_stmt_t **ret)
{
	int rc = store_prepare(c, sql, ret);
	if (rc < 0)
		return rc;
	rc = bindv(*ret, types, ap);
	if (rc == 0)
		rc = store_step(*ret);
	if (rc == STORE_DONE)
		rc = ERR_NOT_FOUND;
	if (rc < 0) {
		store_finalize(*ret);
		*ret = NULL;
	}
	return rc;
}

int store_query_int64(store_conn_t *c, int64_t *ret, const char *sql, const char *types, ...)
{
	va_list ap;
	store_stmt_t *s;
	int rc;
	va_start(ap, types);
	rc = query_first(c, sql, types, ap, &s);
	va_end(ap);
	if (rc < 0)
		return rc;
	*ret = store_col_int64(s, 0);
	store_finalize(s);
	return 0;
}

int store_query_text(store_conn_t *c, char *buf, size_t bufsize, const char *sql, const char *types, ...)
{
	va_list ap;
	store_stmt_t *s;
	const char *v;
	int rc;
	va_start(ap, types);
	rc = query_first(c, sql, types, ap, &s);
	va_end(ap);
	if (rc < 0)
		return rc;
	v = store_col_text(s, 0);
	snprintf(buf, bufsize, "%s", v ? v : "");
	store_finalize(s);
	return 0;
}

char *store_expand_tokens(store_kind_t kind, const char *sql)
{
	sb_t out = SB_INIT;
	const char *p = sql;
	while (*p) {
		if (!strncmp(p, "{ID}", 4)) {
			sb_adds(&out, kind == STORE_PG ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY");
			p += 4;
		} else if (!strncmp(p, "{BLOB}", 6)) {
			sb_adds(&out, kind == STORE_PG ? "BYTEA" : "BLOB");
			p += 6;
		} else if (!strncmp(p, "{INSTR}", 7)) {
			/* the position of a text in a text, 1-based, 0 when absent;
			 * both take (haystack, needle) */
			sb_adds(&out, kind == STORE_PG ? "STRPOS" : "INSTR");
			p += 7;
		} else {
			sb_addch(&out, *p++);
		}
	}
	return sb_detach(&out, NULL);
}

int store_exec_script(store_conn_t *c, const char *sql)
{
	char *x;
	int rc;
	if (!c)
		return store_fail(ERR_UNAVAILABLE, "no database connection");
	x = store_expand_tokens(c->ops->kind, sql);
	if (!x)
		return ERR_NOMEM;
	rc = c->ops->exec_script(c, x);
	free(x);
	return rc;
}

int store_integrity_check(store_t *st, char *msg, size_t msglen)
{
	return st->ops->integrity_check(st, msg, msglen);
}

int store_latest_version(void)
{
	return store_migrations_count;
}

const char *store_migration_name(int version)
{
	return version >= 1 && version <= store_migrations_count ? store_migrations[version - 1].name : NULL;
}

/* Migrations take turns on PostgreSQL: the first statement of each
 * migration's transaction waits for this lock, which its commit or
 * rollback releases; the next reads the version committed meanwhile
 * (READ COMMITTED) and skips what was applied. Two instances started at
 * the same moment ran the same CREATE TABLE, and one failed with "already
 * exists". SQLite needs nothing: BEGIN IMMEDIATE already takes turns. The
 * key is "sigapmig" in ASCII. */
#define MIGRATION_LOCK_KEY "8316291855112038759"

static int migration_lock(store_conn_t *c)
{
	if (c->ops->kind != STORE_PG)
		return 0;
	return store_exec_script(c, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK_KEY ")");
}

static const char version_table_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL PRIMARY KEY, "
	"name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

static int ensure_version_table(store_conn_t *c, void *ud)
{
	int rc;
	(void)ud;
	if ((rc = migration_lock(c)) < 0)
		return rc;
	return store_exec_script(c, version_table_sql);
}

static int read_version(store_conn_t *c, int *ret)
{
	int64_t v = 0;
	int rc = store_query_int64(c, &v, "SELECT COALESCE(MAX(version), 0) FROM schema_version", "");
	if (rc < 0)
		return rc;
	*ret = (int)v;
	return 0;
}

int store_schema_version(store_t *st, int *ret)
{
	store_conn_t *c = store_reader(st);
	int64_t n = 0;
	int rc;
	*ret = 0;
	if (!c)
		return ERR_UNAVAILABLE;
	/* An empty database has no version table yet: that is version 0. */
	rc = store_query_int64(c, &n,
		st->ops->kind == STORE_PG
			? "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_version' AND table_schema = current_schema()"
			: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
		"");
	if (rc < 0 || n == 0)
		return rc;
	return read_version(c, ret);
}

int store_schema_check(store_t *st)
{
	int v = 0, rc = store_schema_version(st, &v);
	if (rc < 0)
		return rc;
	if (v <= store_migrations_count)
		return 0;
	__atomic_store_n(&st->schema_ahead, 1, __ATOMIC_RELAXED);
	return 1;
}

int store_schema_ahead(store_t *st)
{
	return st ? __atomic_load_n(&st->schema_ahead, __ATOMIC_RELAXED) : 0;
}

struct migrate_step {
	const store_migration_t *m;
	int applied;
};

#include <time.h>

static int apply_one(store_conn_t *c, void *ud)
{
	struct migrate_step *ms = ud;
	int cur, rc;
	if ((rc = migration_lock(c)) < 0)
		return rc;
	rc = read_version(c, &cur);
	if (rc < 0)
		return rc;
	if (cur >= ms->m->version)
		return 0; /* another instance applied it meanwhile */
	rc = store_exec_script(c, ms->m->sql);
	if (rc < 0)
		return store_fail(rc, "migration %d (%s): %s", ms->m->version, ms->m->name,
				  store_errmsg());
	rc = store_exec(c, "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
			"iti", (int64_t)ms->m->version, ms->m->name, (int64_t)time(NULL));
	if (rc < 0)
		return rc;
	ms->applied = 1;
	return 0;
}

int store_migrate_to(store_t *st, int version, int *ret_from, int *ret_to)
{
	int from = 0, rc, i;
	if (ret_from)
		*ret_from = 0;
	/* refused before anything is made: an empty database stays empty */
	if (version < 1 || version > store_migrations_count)
		return store_fail(ERR_INVALID, "there is no migration %d: this sigap knows 1 to %d", version,
				  store_migrations_count);
	rc = store_tx(st, ensure_version_table, NULL);
	if (rc < 0)
		return rc;
	rc = store_schema_version(st, &from);
	if (rc < 0)
		return rc;
	if (ret_from)
		*ret_from = from;
	if (from > store_migrations_count)
		return store_fail(ERR_INVALID,
				  "database schema version %d is newer than this sigap (%d); upgrade sigap",
				  from, store_migrations_count);
	if (from > version)
		return store_fail(ERR_INVALID,
				  "database schema version %d is already past %d: migrations are never undone (to go back, "
				  "restore the backup taken before them)",
				  from, version);
	for (i = from; i < version; i++) {
		struct migrate_step ms = { &store_migrations[i], 0 };
		rc = store_tx(st, apply_one, &ms);
		if (rc < 0)
			return rc;
	}
	if (ret_to)
		*ret_to = version;
	return 0;
}

int store_migrate(store_t *st, int *ret_from, int *ret_to)
{
	return store_migrate_to(st, store_migrations_count, ret_from, ret_to);
}
