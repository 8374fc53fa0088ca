/*
 * store.c: the backend-neutral half of the storage interface. It selects a
 * backend from the URL, dispatches every call through the backend's ops table,
 * and implements what needs no backend knowledge: typed binding from a format
 * string, exec/query helpers, DDL token expansion and the migration runner.
 */
#include "store/store_impl.h"

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
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errmsg_buf, sizeof(errmsg_buf), fmt, ap);
	va_end(ap);
	return code;
}

int store_open(const char *url, const store_options_t *opt, store_t **ret)
{
	store_options_t def = { .busy_timeout_ms = 5000 };
	*ret = NULL;
	if (!url || !*url)
		return store_fail(ERR_INVALID, "no database given (use --db PATH or a postgresql:// URL)");
	if (!opt)
		opt = &def;
	if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11))
		return store_pg_ops.open(url, opt, ret);
	if (!strncmp(url, "sqlite:", 7))
		url += 7;
	return store_sqlite_ops.open(url, opt, ret);
}

void store_close(store_t *st)
{
	if (st)
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

int store_tx(store_t *st, store_tx_fn fn, void *ud)
{
	return st->ops->tx(st, fn, ud);
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

static const char version_table_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL PRIMARY KEY, "
	"name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

static int ensure_version_table(store_conn_t *c, void *ud)
{
	(void)ud;
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

struct migrate_step {
	const store_migration_t *m;
	int applied;
};

#include <time.h>

static int apply_one(store_conn_t *c, void *ud)
{
	struct migrate_step *ms = ud;
	int cur, rc;
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

int store_migrate(store_t *st, int *ret_from, int *ret_to)
{
	int from = 0, rc, i;
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
	for (i = from; i < store_migrations_count; i++) {
		struct migrate_step ms = { &store_migrations[i], 0 };
		rc = store_tx(st, apply_one, &ms);
		if (rc < 0)
			return rc;
	}
	if (ret_to)
		*ret_to = store_migrations_count;
	return 0;
}
