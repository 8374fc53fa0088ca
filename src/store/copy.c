/*
 * copy.c: moves every row of a SQLite store into another store (normally a
 * PostgreSQL one), for `sigap migrate-data`. Tables are copied parents
 * before children (from SQLite's foreign-key lists), in batches of 1000 rows
 * per target transaction, as text (the target casts each value to its
 * column's type). Afterwards PostgreSQL's id sequences are moved past the
 * copied ids and the row counts of both sides are compared.
 */
#include "store/store_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/sb.h"
#include "core/banned.h"

#define MAX_TABLES 256
#define BATCH 1000

typedef struct table {
	char name[64];
	int done;
} table_t;

static int list_tables(store_conn_t *c, table_t *t, int *n)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
				  "AND name <> 'schema_version' ORDER BY name", &s);
	if (rc < 0)
		return rc;
	*n = 0;
	while ((rc = store_step(s)) == STORE_ROW && *n < MAX_TABLES) {
		snprintf(t[*n].name, sizeof(t[*n].name), "%s", store_col_text(s, 0));
		t[*n].done = 0;
		(*n)++;
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* 1 if every table that `name` references is already copied. */
static int parents_done(store_conn_t *c, const char *name, table_t *t, int n)
{
	store_stmt_t *s;
	char sql[160];
	int ok = 1;
	snprintf(sql, sizeof(sql), "PRAGMA foreign_key_list(\"%s\")", name);
	if (store_prepare(c, sql, &s) < 0)
		return 1;
	while (store_step(s) == STORE_ROW) {
		const char *parent = store_col_text(s, 2);
		for (int i = 0; i < n; i++)
			if (parent && !strcmp(t[i].name, parent) && strcmp(parent, name) && !t[i].done)
				ok = 0;
	}
	store_finalize(s);
	return ok;
}

typedef struct batch {
	const char *insert_sql;
	int ncols;
	char **vals; /* BATCH * ncols, NULL = SQL NULL */
	int nrows;
} batch_t;

static int insert_batch(store_conn_t *c, void *ud)
{
	batch_t *b = ud;
	store_stmt_t *s;
	int rc = store_prepare(c, b->insert_sql, &s);
	if (rc < 0)
		return rc;
	for (int r = 0; r < b->nrows && rc >= 0; r++) {
		store_reset(s);
		for (int k = 0; k < b->ncols && rc >= 0; k++)
			rc = store_bind_text(s, k + 1, b->vals[r * b->ncols + k], -1);
		if (rc >= 0)
			rc = store_step(s);
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

static void free_vals(batch_t *b)
{
	for (int i = 0; i < b->nrows * b->ncols; i++)
		free(b->vals[i]);
	b->nrows = 0;
}

static int copy_table(store_conn_t *src, store_t *to, const char *name, store_progress_fn progress, void *ud,
		      int64_t *ret_rows, char *err, size_t errlen)
{
	store_stmt_t *s;
	sb_t sql = SB_INIT, ins = SB_INIT;
	batch_t b = { 0 };
	int64_t total = 0, done = 0;
	int rc;
	sb_addf(&sql, "SELECT COUNT(*) FROM \"%s\"", name);
	if ((rc = store_query_int64(src, &total, sql.buf, "")) < 0)
		goto out;
	sb_reset(&sql);
	sb_addf(&sql, "SELECT * FROM \"%s\"", name);
	if ((rc = store_prepare(src, sql.buf, &s)) < 0)
		goto out;
	b.ncols = store_column_count(s);
	sb_addf(&ins, "INSERT INTO \"%s\" (", name);
	for (int k = 0; k < b.ncols; k++)
		sb_addf(&ins, "%s\"%s\"", k ? ", " : "", store_col_name(s, k));
	sb_adds(&ins, ") VALUES (");
	for (int k = 0; k < b.ncols; k++)
		sb_adds(&ins, k ? ", ?" : "?");
	sb_adds(&ins, ")");
	b.insert_sql = ins.buf;
	b.vals = calloc((size_t)BATCH * (size_t)(b.ncols ? b.ncols : 1), sizeof(char *));
	if (!b.vals) {
		store_finalize(s);
		rc = ERR_NOMEM;
		goto out;
	}
	for (;;) {
		rc = store_step(s);
		if (rc == STORE_ROW) {
			for (int k = 0; k < b.ncols; k++) {
				const char *v = store_col_is_null(s, k) ? NULL : store_col_text(s, k);
				b.vals[b.nrows * b.ncols + k] = v ? strdup(v) : NULL;
			}
			b.nrows++;
		}
		if ((rc != STORE_ROW && b.nrows) || b.nrows == BATCH) {
			int n = b.nrows, wrc = store_tx(to, insert_batch, &b);
			free_vals(&b);
			if (wrc < 0) {
				snprintf(err, errlen, "table %s: %s", name, store_errmsg());
				rc = wrc;
				break;
			}
			done += n;
			if (progress)
				progress(ud, name, done, total);
		}
		if (rc != STORE_ROW)
			break;
	}
	store_finalize(s);
	if (rc > 0)
		rc = 0;
	if (rc == 0 && progress && total == 0)
		progress(ud, name, 0, 0);
	*ret_rows = done;
out:
	if (rc < 0 && !err[0])
		snprintf(err, errlen, "table %s: %s", name, store_errmsg());
	free(b.vals);
	sb_release(&sql);
	sb_release(&ins);
	return rc;
}

typedef struct seq_fix {
	const char *table;
} seq_fix_t;

static int fix_sequence(store_conn_t *c, void *ud)
{
	seq_fix_t *f = ud;
	char sql[400];
	int64_t has = 0;
	int rc = store_query_int64(c, &has, "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() "
					    "AND table_name = ? AND column_name = 'id' AND column_default LIKE 'nextval%'", "t", f->table);
	if (rc < 0 || !has)
		return rc < 0 ? rc : 0;
	snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM \"%s\"",
		 f->table, f->table);
	return store_exec(c, sql, "") < 0 ? ERR_DB : 0;
}

int store_copy(store_t *from, store_t *to, store_progress_fn progress, void *ud, char *err, size_t errlen)
{
	table_t t[MAX_TABLES];
	store_conn_t *src = store_reader(from), *dst = store_reader(to);
	int n = 0, left, rc;
	err[0] = '\0';
	if (store_kind(from) != STORE_SQLITE) {
		snprintf(err, errlen, "the source must be a SQLite database");
		return ERR_INVALID;
	}
	if (!src || !dst) {
		snprintf(err, errlen, "%s", store_errmsg());
		return ERR_UNAVAILABLE;
	}
	if ((rc = list_tables(src, t, &n)) < 0) {
		snprintf(err, errlen, "%s", store_errmsg());
		return rc;
	}
	for (int i = 0; i < n; i++) {
		int64_t rows = 0;
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM \"%s\"", t[i].name);
		if (store_query_int64(dst, &rows, sql, "") < 0) {
			snprintf(err, errlen, "table %s is missing in the target: run 'sigap migrate' there first", t[i].name);
			return ERR_INVALID;
		}
		if (rows) {
			snprintf(err, errlen, "table %s already has %" PRId64 " rows in the target; copy into an empty database", t[i].name, rows);
			return ERR_EXISTS;
		}
	}
	for (left = n; left > 0;) {
		int progressed = 0;
		for (int i = 0; i < n; i++) {
			int64_t rows;
			if (t[i].done || !parents_done(src, t[i].name, t, n))
				continue;
			rc = copy_table(src, to, t[i].name, progress, ud, &rows, err, errlen);
			if (rc < 0)
				return rc;
			t[i].done = 1;
			left--;
			progressed = 1;
		}
		if (!progressed) {
			snprintf(err, errlen, "the tables' foreign keys form a cycle");
			return ERR_INVALID;
		}
	}
	if (store_kind(to) == STORE_PG)
		for (int i = 0; i < n; i++) {
			seq_fix_t f = { t[i].name };
			if ((rc = store_tx(to, fix_sequence, &f)) < 0) {
				snprintf(err, errlen, "table %s: resetting its id sequence: %s", t[i].name, store_errmsg());
				return rc;
			}
		}
	for (int i = 0; i < n; i++) {
		int64_t a = 0, b = 0;
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM \"%s\"", t[i].name);
		if (store_query_int64(src, &a, sql, "") < 0 || store_query_int64(dst, &b, sql, "") < 0 || a != b) {
			snprintf(err, errlen, "table %s: %" PRId64 " rows in the source but %" PRId64 " in the target", t[i].name, a, b);
			return ERR_DB;
		}
	}
	return 0;
}
