/*
 * pg.c: the PostgreSQL backend of store.h, for deployments that outgrow one
 * SQLite file (several sigap instances, a provinsi with many kabupaten). It
 * speaks libpq's extended query protocol with text parameters and results:
 * store_prepare() only rewrites the shared dialect's '?' placeholders to $n,
 * and the first store_step() sends the statement and fetches its whole result.
 *
 * Connections mirror sqlite.c: one write connection serialised by a mutex
 * (store_tx wraps the function in BEGIN/COMMIT), and one read connection per
 * thread, opened on first use and closed by store_close(). Every connection
 * runs with synchronous_commit = on, so a commit is durable (on the server's
 * disk, and on a synchronous standby if one is configured) when store_tx()
 * returns. A connection that broke (server restarted, network cut) is reset
 * on its next use; while the server stays down the calls fail with
 * ERR_UNAVAILABLE (HTTP 503) and the store recovers by itself once it is back.
 *
 * Error mapping (SQLSTATE): 23505 unique_violation -> ERR_EXISTS, other 23xxx
 * integrity violations -> ERR_INVALID (as SQLite's constraint errors), 40001 /
 * 40P01 -> ERR_CONFLICT, 08xxx / 57P0x / a dead connection -> ERR_UNAVAILABLE,
 * anything else -> ERR_DB. Messages never carry bound values (DETAIL lines and
 * data-exception texts, which quote values, are left out) nor the password.
 *
 * Inside store_tx() the writer uses libpq's pipeline mode: a statement run
 * with store_exec_nowait() is sent without waiting for its answer, and the
 * answers are read, in order, at the next statement that needs its own (one
 * Sync each time), when the function returns, or before a savepoint command.
 * So a complaint's dozen inserts and counter updates cost a few round trips
 * instead of one each. The first failure among them becomes the
 * transaction's error, as below.
 *
 * One difference from SQLite that callers must know: in PostgreSQL a failed
 * statement aborts the whole transaction. store_tx() therefore remembers the
 * first statement error inside a transaction and, if the function carries on
 * and returns >= 0 anyway, rolls back and returns that error.
 */
#include "store/store_impl.h"

#include <ctype.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/sb.h"
#include "core/banned.h"

typedef struct pg_store pg_store_t;

/* Statements prepared on the server, per connection, by SQL text: the
 * server then parses and plans a statement once instead of on every
 * execution, which was over half of its time on the complaint intake
 * (measured with log_min_duration_statement). */
#define PG_CACHE 256
#define PG_PIPE_MAX 64 /* answers left unread at most (pkind[]) */

typedef struct pg_prepared {
	uint32_t hash;
	char *sql;     /* translated text ($n placeholders), owned */
	char name[16]; /* "sigap_s<n>" */
} pg_prepared_t;

typedef struct pg_conn {
	struct store_conn hdr;
	pg_prepared_t prepared[PG_CACHE];
	int nprepared;        /* entries in prepared[] */
	unsigned next_name;   /* for the next statement name */
	PGconn *pg;           /* never NULL once the connection is listed */
	pg_store_t *store;    /* owner */
	pthread_t owner;      /* readers: the thread this connection belongs to */
	int reader;           /* a reader (never runs a write transaction) */
	struct pg_conn *next; /* all readers of the store, for close() */
	int pipeline;         /* the writer inside store_tx(): libpq pipeline mode on */
	int pending;          /* commands sent in the pipeline whose answers are unread */
	char pkind[64];       /* each pending command: 'P' prepare, 'E' execute */
	short pslot[64];      /* for a 'P': its entry in prepared[] */
	int in_tx;            /* the writer inside store_tx() */
	int tx_err;           /* first statement error inside the current transaction */
	char tx_msg[256];     /* its message */
} pg_conn_t;

struct pg_store {
	struct store hdr;
	char *url;             /* the URL given to store_open(), to open more connections */
	char *password;        /* the URL's password (decoded), to scrub from messages; may be NULL */
	int read_only;         /* store_options_t.read_only */
	pthread_mutex_t wlock; /* serialises store_tx() on writer */
	pg_conn_t *writer;     /* the write connection (NULL until (re)opened) */
	pthread_mutex_t rlock; /* guards readers */
	pg_conn_t *readers;    /* one per thread */
};

typedef struct pg_stmt {
	struct store_stmt hdr;
	pg_conn_t *conn;
	char *sql;       /* with $n placeholders */
	int nparams;     /* number of placeholders */
	char **vals;     /* nparams bound values as text, owned; NULL = SQL NULL */
	PGresult *res;   /* result of the last execution, NULL before step */
	int executed;    /* res belongs to the current execution */
	int row;         /* current row, -1 before the first */
	int nrows;
	int64_t changes; /* rows changed by the last execution */
} pg_stmt_t;

/* Copies msg into out with newlines and tabs folded into single spaces,
 * trailing blanks trimmed and every occurrence of the password replaced. */
static void clean_msg(const pg_store_t *s, const char *msg, char *out, size_t outlen)
{
	const char *pw = s ? s->password : NULL;
	size_t pwlen = pw ? strlen(pw) : 0, n = 0;
	int blank = 0;
	if (!outlen)
		return;
	for (const char *p = msg ? msg : ""; *p && n + 1 < outlen;) {
		if (pwlen && !strncmp(p, pw, pwlen)) {
			for (const char *m = "***"; *m && n + 1 < outlen; m++)
				out[n++] = *m;
			p += pwlen;
			blank = 0;
		} else if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
			if (!blank && n)
				out[n++] = ' ';
			blank = 1;
			p++;
		} else {
			out[n++] = *p++;
			blank = 0;
		}
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* The password of a URL as written (possibly %-encoded), for scrubbing when the
 * URL does not even parse. NULL if none. Caller frees. */
static char *raw_url_password(const char *url)
{
	const char *p = strstr(url, "://"), *at, *colon, *slash;
	if (!p)
		return NULL;
	p += 3;
	slash = strchr(p, '/');
	at = memchr(p, '@', slash ? (size_t)(slash - p) : strlen(p));
	if (!at)
		return NULL;
	colon = memchr(p, ':', (size_t)(at - p));
	if (!colon || colon + 1 == at)
		return NULL;
	return strndup(colon + 1, (size_t)(at - colon - 1));
}

/* Maps a failed result (or a NULL result) to an ERR_* code and sets the
 * thread's message. what says what was being done ("query", "commit"). */
static int pg_fail(pg_conn_t *c, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[400];
	int code = ERR_DB;

	if (!state)
		state = "";
	if (PQstatus(c->pg) != CONNECTION_OK || !strncmp(state, "08", 2) ||
	    !strncmp(state, "57P0", 4))
		code = ERR_UNAVAILABLE;
	else if (!strcmp(state, "23505"))
		code = ERR_EXISTS;
	else if (!strncmp(state, "23", 2))
		code = ERR_INVALID;
	else if (!strcmp(state, "25006"))
		/* read_only_sql_transaction: a hot standby (read replica) */
		code = ERR_READ_ONLY;
	else if (c->reader && (!strcmp(state, "40001") || !strcmp(state, "40P01")))
		/* a read cancelled on a standby by a conflict with recovery: nobody
		 * else's change to retry against, just try again later */
		code = ERR_UNAVAILABLE;
	else if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
		code = ERR_CONFLICT;

	if (!strncmp(state, "22", 2))
		/* Data exceptions quote the offending value: keep it out of logs. */
		snprintf(msg, sizeof(msg), "invalid value for a parameter or column");
	else
		clean_msg(c->store, primary ? primary : PQerrorMessage(c->pg), msg, sizeof(msg));
	if (!msg[0])
		snprintf(msg, sizeof(msg), "unknown error");
	if (code == ERR_READ_ONLY)
		store_note_read_only(&c->store->hdr);
	if (code == ERR_UNAVAILABLE && (PQstatus(c->pg) != CONNECTION_OK || !strncmp(state, "08", 2) ||
					!strncmp(state, "57P0", 4)))
		store_fail(code, "PostgreSQL %s failed: connection lost: %s", what, msg);
	else if (*state)
		store_fail(code, "PostgreSQL %s failed: %s (SQLSTATE %s)", what, msg, state);
	else
		store_fail(code, "PostgreSQL %s failed: %s", what, msg);

	if (c->in_tx && !c->tx_err) {
		c->tx_err = code;
		snprintf(c->tx_msg, sizeof(c->tx_msg), "%s", store_errmsg());
	}
	return code;
}

static int pipe_collect(pg_conn_t *c, PGresult **ret_last);

/* Leaves pipeline mode for a while (a script, a savepoint command): every
 * answer is read first. */
static void pipe_pause(pg_conn_t *c)
{
	if (!c->pipeline)
		return;
	pipe_collect(c, NULL);
	PQexitPipelineMode(c->pg);
}

static void pipe_resume(pg_conn_t *c)
{
	if (c->pipeline && PQpipelineStatus(c->pg) == PQ_PIPELINE_OFF && !PQenterPipelineMode(c->pg))
		c->pipeline = 0; /* carry on without */
}

/* Runs a parameterless command; 0 or an ERR_* code. */
static int run(pg_conn_t *c, const char *sql, const char *what)
{
	PGresult *res;
	ExecStatusType st;
	int rc = 0;
	pipe_pause(c);
	res = PQexec(c->pg, sql);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = pg_fail(c, res, what);
	PQclear(res);
	pipe_resume(c);
	return rc;
}

/* The session settings of every (re)opened connection. */
static int session_setup(pg_conn_t *c)
{
	return run(c, c->store->read_only
			      ? "SET synchronous_commit = on; SET client_min_messages = warning;"
				"SET default_transaction_read_only = on"
			      : "SET synchronous_commit = on; SET client_min_messages = warning",
		   "session setup");
}

/* Opens a new connection to the store's URL into *ret. ERR_UNAVAILABLE (or
 * ERR_NOMEM) with the reason set. */
static int conn_open(pg_store_t *s, pg_conn_t **ret)
{
	/* connect_timeout and application_name are defaults that the URL's own
	 * parameters override (expand_dbname processes the URL in place). */
	static const char *const keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { "10", "sigap", s->url, NULL };
	pg_conn_t *c = calloc(1, sizeof(*c));
	char msg[400];
	int rc;
	*ret = NULL;
	if (!c)
		return store_fail(ERR_NOMEM, "out of memory");
	c->hdr.ops = &store_pg_ops;
	c->store = s;
	c->pg = PQconnectdbParams(keys, vals, 1);
	if (!c->pg) {
		free(c);
		return store_fail(ERR_NOMEM, "out of memory");
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		clean_msg(s, PQerrorMessage(c->pg), msg, sizeof(msg));
		PQfinish(c->pg);
		free(c);
		return store_fail(ERR_UNAVAILABLE, "cannot connect to PostgreSQL: %s", msg);
	}
	rc = session_setup(c);
	if (rc < 0) {
		PQfinish(c->pg);
		free(c);
		return rc;
	}
	*ret = c;
	return 0;
}

/* Forgets the prepared statements (the server session that held them is
 * gone, or they are to be made again). */
static void prepared_clear(pg_conn_t *c)
{
	for (int i = 0; i < c->nprepared; i++)
		free(c->prepared[i].sql);
	c->nprepared = 0;
}

static void conn_free(pg_conn_t *c)
{
	if (!c)
		return;
	prepared_clear(c);
	PQfinish(c->pg);
	free(c);
}

/* Makes sure c is usable: resets a broken connection once. 0 or
 * ERR_UNAVAILABLE with the reason set. */
static int conn_check(pg_conn_t *c)
{
	char msg[400];
	if (PQstatus(c->pg) == CONNECTION_OK)
		return 0;
	prepared_clear(c); /* a new session has none */
	PQreset(c->pg);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		clean_msg(c->store, PQerrorMessage(c->pg), msg, sizeof(msg));
		return store_fail(ERR_UNAVAILABLE, "cannot reconnect to PostgreSQL: %s", msg);
	}
	return session_setup(c);
}

static void pg_close(store_t *st);

static int pg_open(const char *url, const store_options_t *opt, store_t **ret)
{
	pg_store_t *s;
	PQconninfoOption *info;
	char *perr = NULL, msg[400];
	int rc;

	*ret = NULL;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->url = strdup(url))) {
		free(s);
		return store_fail(ERR_NOMEM, "out of memory");
	}
	s->hdr.ops = &store_pg_ops;
	s->read_only = opt && opt->read_only;
	pthread_mutex_init(&s->wlock, NULL);
	pthread_mutex_init(&s->rlock, NULL);

	info = PQconninfoParse(url, &perr);
	if (!info) {
		s->password = raw_url_password(url);
		clean_msg(s, perr ? perr : "out of memory", msg, sizeof(msg));
		PQfreemem(perr);
		pg_close(&s->hdr);
		return store_fail(ERR_UNAVAILABLE, "invalid PostgreSQL URL: %s", msg);
	}
	for (PQconninfoOption *o = info; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val)
			s->password = strdup(o->val);
	PQconninfoFree(info);

	/* The write connection is opened now: it checks the URL and the server. */
	rc = conn_open(s, &s->writer);
	if (rc < 0) {
		pg_close(&s->hdr);
		return rc;
	}
	*ret = &s->hdr;
	return 0;
}

static void pg_close(store_t *st)
{
	pg_store_t *s = (pg_store_t *)st;
	pg_conn_t *c, *n;
	if (!s)
		return;
	for (c = s->readers; c; c = n) {
		n = c->next;
		conn_free(c);
	}
	conn_free(s->writer);
	pthread_mutex_destroy(&s->wlock);
	pthread_mutex_destroy(&s->rlock);
	free(s->url);
	free(s->password);
	free(s);
}

static store_conn_t *pg_reader(store_t *st)
{
	pg_store_t *s = (pg_store_t *)st;
	pthread_t self = pthread_self();
	pg_conn_t *c;

	pthread_mutex_lock(&s->rlock);
	for (c = s->readers; c && !pthread_equal(c->owner, self); c = c->next)
		;
	pthread_mutex_unlock(&s->rlock);
	if (c)
		return conn_check(c) < 0 ? NULL : &c->hdr;

	if (conn_open(s, &c) < 0)
		return NULL;
	c->owner = self;
	c->reader = 1;
	pthread_mutex_lock(&s->rlock);
	c->next = s->readers;
	s->readers = c;
	pthread_mutex_unlock(&s->rlock);
	return &c->hdr;
}

/* BEGIN on the writer, opening or resetting it as needed. A connection that
 * died while idle is noticed only when BEGIN fails; nothing has run yet then,
 * so it is reset and BEGIN tried once more. */
static int writer_begin(pg_store_t *s)
{
	int rc, attempt;
	for (attempt = 0; attempt < 2; attempt++) {
		if (!s->writer && (rc = conn_open(s, &s->writer)) < 0)
			return rc;
		rc = conn_check(s->writer);
		if (rc < 0)
			return rc;
		rc = run(s->writer, "BEGIN", "begin");
		if (rc != ERR_UNAVAILABLE)
			return rc;
	}
	return rc;
}

static int pg_tx(store_t *st, store_tx_fn fn, void *ud)
{
	pg_store_t *s = (pg_store_t *)st;
	pg_conn_t *c;
	PGresult *res;
	int rc, frc;

	pthread_mutex_lock(&s->wlock);
	rc = writer_begin(s);
	if (rc < 0) {
		pthread_mutex_unlock(&s->wlock);
		return rc;
	}
	c = s->writer;
	c->in_tx = 1;
	c->tx_err = 0;
	c->pending = 0;
	c->pipeline = PQenterPipelineMode(c->pg) == 1;
	store_memo_clear(); /* nothing from an earlier transaction */
	frc = fn(&c->hdr, ud);
	store_memo_clear(); /* nor for anything after it */
	/* the answers not waited for, then back to plain mode for COMMIT */
	pipe_collect(c, NULL);
	if (c->pipeline) {
		c->pipeline = 0;
		if (!PQexitPipelineMode(c->pg)) {
			/* answers still unread: the connection is broken; start afresh
			 * (the server rolls the transaction back) */
			if (!c->tx_err)
				pg_fail(c, NULL, "pipeline");
			prepared_clear(c);
			PQreset(c->pg);
			if (frc >= 0)
				frc = c->tx_err ? c->tx_err : ERR_UNAVAILABLE;
		}
	}
	c->in_tx = 0;

	if (frc < 0 || c->tx_err) {
		/* On a broken connection ROLLBACK fails too; the server rolls back. */
		if (PQstatus(c->pg) == CONNECTION_OK)
			PQclear(PQexec(c->pg, "ROLLBACK"));
		if (frc >= 0) {
			/* fn ignored a failed statement: the transaction was aborted. */
			frc = store_fail(c->tx_err, "%s", c->tx_msg);
		}
		pthread_mutex_unlock(&s->wlock);
		return frc;
	}

	res = PQexec(c->pg, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_fail(c, res, "commit");
	else if (!strcmp(PQcmdStatus(res), "ROLLBACK"))
		rc = store_fail(ERR_DB, "PostgreSQL commit failed: the transaction was aborted");
	else
		rc = frc;
	PQclear(res);
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

/* Rewrites '?' placeholders to $1, $2, ... outside string literals ('...',
 * E'...' with backslash escapes), quoted identifiers ("...") and comments.
 * Dollar-quoted strings are not part of the dialect. */
static char *translate(const char *sql, int *ret_n)
{
	enum { NORMAL, SQUOTE, ESTRING, DQUOTE, LINE_COMMENT, BLOCK_COMMENT } state = NORMAL;
	sb_t out = SB_INIT;
	int n = 0, depth = 0;
	const char *p;

	for (p = sql; *p; p++) {
		char ch = *p;
		switch (state) {
		case NORMAL:
			if (ch == '?') {
				sb_addf(&out, "$%d", ++n);
				continue;
			}
			if (ch == '\'') {
				int e = p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
					(p - 1 == sql || !(isalnum((unsigned char)p[-2]) || p[-2] == '_'));
				state = e ? ESTRING : SQUOTE;
			} else if (ch == '"') {
				state = DQUOTE;
			} else if (ch == '-' && p[1] == '-') {
				state = LINE_COMMENT;
			} else if (ch == '/' && p[1] == '*') {
				state = BLOCK_COMMENT;
				depth = 1;
				sb_addch(&out, *p++);
				ch = *p;
			}
			break;
		case SQUOTE: /* '' inside a literal leaves and re-enters: same result */
			if (ch == '\'')
				state = NORMAL;
			break;
		case ESTRING: /* backslash escapes, and '' as in plain literals */
			if ((ch == '\\' && p[1]) || (ch == '\'' && p[1] == '\'')) {
				sb_addch(&out, *p++);
				ch = *p;
			} else if (ch == '\'') {
				state = NORMAL;
			}
			break;
		case DQUOTE:
			if (ch == '"')
				state = NORMAL;
			break;
		case LINE_COMMENT:
			if (ch == '\n')
				state = NORMAL;
			break;
		case BLOCK_COMMENT: /* PostgreSQL block comments nest */
			if (ch == '*' && p[1] == '/') {
				sb_addch(&out, *p++);
				ch = *p;
				if (--depth == 0)
					state = NORMAL;
			} else if (ch == '/' && p[1] == '*') {
				sb_addch(&out, *p++);
				ch = *p;
				depth++;
			}
			break;
		}
		sb_addch(&out, ch);
	}
	*ret_n = n;
	return sb_detach(&out, NULL);
}

static int pg_prepare(store_conn_t *conn, const char *sql, store_stmt_t **ret)
{
	pg_conn_t *c = (pg_conn_t *)conn;
	pg_stmt_t *s;
	*ret = NULL;
	if (!sql)
		return store_fail(ERR_INTERNAL, "no SQL given");
	s = calloc(1, sizeof(*s));
	if (!s)
		return store_fail(ERR_NOMEM, "out of memory");
	s->hdr.ops = &store_pg_ops;
	s->conn = c;
	s->row = -1;
	s->sql = translate(sql, &s->nparams);
	if (!s->sql || (s->nparams && !(s->vals = calloc((size_t)s->nparams, sizeof(char *))))) {
		free(s->sql);
		free(s);
		return store_fail(ERR_NOMEM, "out of memory");
	}
	*ret = &s->hdr;
	return 0;
}

/* Replaces parameter idx's value with v (owned; NULL = SQL NULL). */
static int set_param(pg_stmt_t *s, int idx, char *v)
{
	if (idx < 1 || idx > s->nparams) {
		free(v);
		return store_fail(ERR_DB, "bind index %d out of range (the statement has %d placeholders)",
				  idx, s->nparams);
	}
	free(s->vals[idx - 1]);
	s->vals[idx - 1] = v;
	return 0;
}

static int pg_bind_text(store_stmt_t *st, int idx, const char *v, long len)
{
	pg_stmt_t *s = (pg_stmt_t *)st;
	char *copy = NULL;
	if (v) {
		/* Text parameters end at the first NUL, as in libpq's text format. */
		copy = len < 0 ? strdup(v) : strndup(v, (size_t)len);
		if (!copy)
			return store_fail(ERR_NOMEM, "out of memory");
	}
	return set_param(s, idx, copy);
}

static int pg_bind_int64(store_stmt_t *st, int idx, int64_t v)
{
	char buf[24], *copy;
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	if (!(copy = strdup(buf)))
		return store_fail(ERR_NOMEM, "out of memory");
	return set_param((pg_stmt_t *)st, idx, copy);
}

static int pg_bind_null(store_stmt_t *st, int idx)
{
	return set_param((pg_stmt_t *)st, idx, NULL);
}


/* The name of sql prepared on c's session, preparing it on first use; NULL
 * when the cache is full (the statement then runs unnamed) or the server
 * refused it (*ret_res holds its error). */
/* The name sql is prepared under on c's session, or NULL. */
static const char *prepared_find(const pg_conn_t *c, const char *sql, uint32_t h)
{
	for (int i = 0; i < c->nprepared; i++)
		if (c->prepared[i].hash == h && !strcmp(c->prepared[i].sql, sql))
			return c->prepared[i].name;
	return NULL;
}

static const char *prepared_name(pg_conn_t *c, const char *sql, int nparams, PGresult **ret_res)
{
	uint32_t h = store_sql_hash(sql);
	const char *found = prepared_find(c, sql, h);
	pg_prepared_t *e;
	PGresult *res;
	*ret_res = NULL;
	if (found)
		return found;
	if (c->nprepared >= PG_CACHE)
		return NULL;
	e = &c->prepared[c->nprepared];
	snprintf(e->name, sizeof(e->name), "sigap_s%u", c->next_name++);
	res = PQprepare(c->pg, e->name, sql, nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		*ret_res = res;
		return NULL;
	}
	PQclear(res);
	if (!(e->sql = strdup(sql)))
		return NULL; /* the server keeps an unused statement; harmless */
	e->hash = h;
	c->nprepared++;
	return e->name;
}

/* ---------------------------------------------------------------- pipeline */

/* Sends s in the pipeline without reading anything: its prepare first when
 * the statement is new on this session. 0, or ERR_UNAVAILABLE when the
 * connection would not take it. */
static int pipe_send(pg_conn_t *c, pg_stmt_t *s)
{
	uint32_t h = store_sql_hash(s->sql);
	const char *name;
	int ok;
	if (c->pending + 2 > PG_PIPE_MAX)
		pipe_collect(c, NULL); /* bound what the server holds for us */
	name = prepared_find(c, s->sql, h);
	if (!name && c->nprepared < PG_CACHE) {
		pg_prepared_t *e = &c->prepared[c->nprepared];
		snprintf(e->name, sizeof(e->name), "sigap_s%u", c->next_name++);
		if ((e->sql = strdup(s->sql)) != NULL && PQsendPrepare(c->pg, e->name, s->sql, s->nparams, NULL)) {
			e->hash = h;
			/* forgotten again if the server refuses or skips it */
			c->pslot[c->pending] = (short)c->nprepared++;
			c->pkind[c->pending++] = 'P';
			name = e->name;
		} else {
			free(e->sql);
			e->sql = NULL;
		}
	}
	ok = name ? PQsendQueryPrepared(c->pg, name, s->nparams, (const char *const *)s->vals, NULL, NULL, 0)
		  : PQsendQueryParams(c->pg, s->sql, s->nparams, NULL, (const char *const *)s->vals, NULL, NULL, 0);
	if (!ok)
		return pg_fail(c, NULL, "query");
	c->pkind[c->pending++] = 'E';
	return 0;
}

/* Ends the pipeline's current stretch with a Sync and reads every answer up
 * to it, in order. The first failure is recorded as the transaction's error
 * (pg_fail); a refused prepare forgets the cached names. With ret_last, the
 * last command's answer is handed over (the caller's own statement) and the
 * result is its status: 0, or the error that failed it (its own, or an
 * earlier one that aborted the pipeline). */
static int pipe_collect(pg_conn_t *c, PGresult **ret_last)
{
	int n = c->pending, rc = 0, dead = 0;
	PGresult *res;
	if (ret_last)
		*ret_last = NULL;
	if (!c->pipeline || (n == 0 && !ret_last))
		return 0;
	c->pending = 0;
	if (!PQpipelineSync(c->pg)) {
		/* the Sync did not go out: the server would not answer, so reading
		 * could wait for ever. Fail; leaving pipeline mode then fails too and
		 * pg_tx starts the connection afresh. */
		int code = pg_fail(c, NULL, "pipeline");
		return ret_last ? code : 0;
	}
	for (int i = 0; i < n; i++) {
		int last = i == n - 1 && ret_last;
		while ((res = PQgetResult(c->pg)) != NULL) {
			ExecStatusType st = PQresultStatus(res);
			if ((st == PGRES_FATAL_ERROR || st == PGRES_PIPELINE_ABORTED) && c->pkind[i] == 'P') {
				/* no such statement on the server: never match it again */
				pg_prepared_t *e = &c->prepared[c->pslot[i]];
				e->hash = 0;
				e->sql[0] = '\0';
			}
			if (st == PGRES_FATAL_ERROR) {
				int code = pg_fail(c, res, "query");
				if (last)
					rc = code;
			} else if (st == PGRES_PIPELINE_ABORTED && last) {
				rc = c->tx_err ? store_fail(c->tx_err, "%s", c->tx_msg) : store_fail(ERR_DB, "statement skipped");
			}
			if (last && !*ret_last && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)) {
				*ret_last = res;
				continue;
			}
			PQclear(res);
		}
		if (PQstatus(c->pg) != CONNECTION_OK)
			dead = 1;
	}
	/* the Sync's own answer (no null pointer follows it) */
	res = dead ? NULL : PQgetResult(c->pg);
	if (!res || PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
		int code = pg_fail(c, res, "pipeline");
		if (!rc && ret_last)
			rc = code;
	}
	PQclear(res);
	if (ret_last && rc < 0 && *ret_last) {
		PQclear(*ret_last);
		*ret_last = NULL;
	}
	if (ret_last && !rc && !*ret_last)
		rc = c->tx_err ? store_fail(c->tx_err, "%s", c->tx_msg) : pg_fail(c, NULL, "query");
	return rc;
}

static int pg_send(store_stmt_t *st)
{
	pg_stmt_t *s = (pg_stmt_t *)st;
	pg_conn_t *c = s->conn;
	int rc;
	if (!c->pipeline) {
		while ((rc = st->ops->step(st)) == STORE_ROW)
			;
		return rc < 0 ? rc : 0;
	}
	return pipe_send(c, s);
}

/* Runs s once: prepared when possible. */
static PGresult *execute(pg_conn_t *c, pg_stmt_t *s)
{
	PGresult *res = NULL;
	const char *name = prepared_name(c, s->sql, s->nparams, &res);
	if (res)
		return res; /* the statement's error, as an unnamed run would give */
	if (name)
		return PQexecPrepared(c->pg, name, s->nparams, (const char *const *)s->vals, NULL, NULL, 0);
	return PQexecParams(c->pg, s->sql, s->nparams, NULL, (const char *const *)s->vals, NULL, NULL, 0);
}

static int pg_step(store_stmt_t *st)
{
	pg_stmt_t *s = (pg_stmt_t *)st;
	pg_conn_t *c = s->conn;
	ExecStatusType rs;

	if (!s->executed && c->pipeline) {
		int rc;
		PQclear(s->res);
		s->res = NULL;
		if ((rc = pipe_send(c, s)) < 0 || (rc = pipe_collect(c, &s->res)) < 0)
			return rc;
		rs = PQresultStatus(s->res);
		s->executed = 1;
		s->row = -1;
		s->nrows = rs == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
		s->changes = strncmp(PQcmdStatus(s->res), "SELECT", 6) ? strtoll(PQcmdTuples(s->res), NULL, 10) : 0;
	}
	if (!s->executed) {
		PQclear(s->res);
		s->res = execute(c, s);
		rs = PQresultStatus(s->res);
		if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
			int rc = pg_fail(c, s->res, "query");
			PQclear(s->res);
			s->res = NULL;
			return rc;
		}
		s->executed = 1;
		s->row = -1;
		s->nrows = rs == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
		/* PQcmdTuples also counts a SELECT's rows; only writes count here. */
		s->changes = strncmp(PQcmdStatus(s->res), "SELECT", 6)
				     ? strtoll(PQcmdTuples(s->res), NULL, 10) : 0;
	}
	if (s->row < s->nrows)
		s->row++;
	return s->row < s->nrows ? STORE_ROW : STORE_DONE;
}

static int pg_reset(store_stmt_t *st)
{
	pg_stmt_t *s = (pg_stmt_t *)st;
	PQclear(s->res);
	s->res = NULL;
	s->executed = 0;
	s->row = -1;
	s->nrows = 0;
	s->changes = 0;
	return 0;
}

static int pg_column_count(store_stmt_t *st)
{
	pg_stmt_t *s = (pg_stmt_t *)st;
	return s->res ? PQnfields(s->res) : 0;
}

/* The current row's value for col, or NULL (no row, bad column, SQL NULL). */
static const char *cell(pg_stmt_t *s, int col)
{
	if (!s->res || s->row < 0 || s->row >= s->nrows || col < 0 || col >= PQnfields(s->res) ||
	    PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static const char *pg_col_text(store_stmt_t *st, int col)
{
	return cell((pg_stmt_t *)st, col);
}

static const char *pg_col_name(store_stmt_t *st, int col)
{
	pg_stmt_t *s = (pg_stmt_t *)st;
	return s->res && col >= 0 && col < PQnfields(s->res) ? PQfname(s->res, col) : NULL;
}

static int64_t pg_col_int64(store_stmt_t *st, int col)
{
	const char *v = cell((pg_stmt_t *)st, col);
	if (!v)
		return 0;
	/* A comparison or EXISTS yields a PostgreSQL boolean: read it as 0/1. */
	if (!strcmp(v, "t"))
		return 1;
	if (!strcmp(v, "f"))
		return 0;
	return strtoll(v, NULL, 10);
}

static int pg_col_is_null(store_stmt_t *st, int col)
{
	pg_stmt_t *s = (pg_stmt_t *)st;
	if (!s->res || s->row < 0 || s->row >= s->nrows || col < 0 || col >= PQnfields(s->res))
		return 1;
	return PQgetisnull(s->res, s->row, col);
}

static int64_t pg_changes(store_stmt_t *st)
{
	return ((pg_stmt_t *)st)->changes;
}

static void pg_finalize(store_stmt_t *st)
{
	pg_stmt_t *s = (pg_stmt_t *)st;
	if (!s)
		return;
	PQclear(s->res);
	for (int i = 0; i < s->nparams; i++)
		free(s->vals[i]);
	free(s->vals);
	free(s->sql);
	free(s);
}

static int pg_exec_script(store_conn_t *conn, const char *sql)
{
	pg_conn_t *c = (pg_conn_t *)conn;
	return run(c, sql, "script");
}

static int pg_integrity_check(store_t *st, char *msg, size_t msglen)
{
	store_conn_t *c = pg_reader(st);
	int64_t one = 0;
	int rc;
	if (!c) {
		snprintf(msg, msglen, "%s", store_errmsg());
		return ERR_UNAVAILABLE;
	}
	rc = store_query_int64(c, &one, "SELECT 1", "");
	if (rc < 0 || one != 1) {
		snprintf(msg, msglen, "%s", rc < 0 ? store_errmsg() : "SELECT 1 gave a wrong answer");
		return rc < 0 ? rc : ERR_DB;
	}
	snprintf(msg, msglen, "ok");
	return 0;
}

static int pg_probe_read_only(store_t *st)
{
	store_conn_t *c = pg_reader(st);
	int64_t ro = 0;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	rc = store_query_int64(c, &ro,
			       "SELECT CASE WHEN pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on' "
			       "THEN 1 ELSE 0 END", "");
	return rc < 0 ? rc : ro ? 1 : 0;
}

static int pg_take_error(store_conn_t *conn)
{
	pg_conn_t *c = (pg_conn_t *)conn;
	int e;
	pipe_collect(c, NULL); /* the answers not waited for */
	e = c->tx_err;
	c->tx_err = 0;
	return e;
}

const struct store_ops store_pg_ops = {
	.take_error = pg_take_error,
	.send = pg_send,
	.kind = STORE_PG,
	.open = pg_open,
	.close = pg_close,
	.reader = pg_reader,
	.tx = pg_tx,
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_int64 = pg_bind_int64,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.reset = pg_reset,
	.column_count = pg_column_count,
	.col_text = pg_col_text,
	.col_name = pg_col_name,
	.col_int64 = pg_col_int64,
	.col_is_null = pg_col_is_null,
	.changes = pg_changes,
	.finalize = pg_finalize,
	.exec_script = pg_exec_script,
	.integrity_check = pg_integrity_check,
	.probe_read_only = pg_probe_read_only,
};
