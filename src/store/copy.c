/*
 * copy.c: copies rows between stores. store_copy moves every row of a
 * SQLite store into another store (normally a PostgreSQL one), for `sigap
 * migrate-data`; store_copy_selected copies chosen rows of any store into a
 * new SQLite one, for `sigap tenant export`. The SQLite side's catalog gives
 * the tables, their columns and their order (parents before children, from
 * its foreign-key lists), so a PostgreSQL source needs no catalog of its
 * own: the target was migrated to the same schema. Rows go in batches of
 * 1000 per target transaction, as text (the target casts each value to its
 * column's type), read from one snapshot of the source. Afterwards
 * PostgreSQL's id sequences are moved past the copied ids and the row
 * counts of both sides are compared.
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

/* The columns of table name in the SQLite catalog c, quoted and comma
 * separated, into out. */
static int column_list(store_conn_t *c, const char *name, sb_t *out, int *ncols)
{
	store_stmt_t *s;
	char sql[160];
	int rc;
	snprintf(sql, sizeof(sql), "PRAGMA table_info(\"%s\")", name);
	if ((rc = store_prepare(c, sql, &s)) < 0)
		return rc;
	*ncols = 0;
	while ((rc = store_step(s)) == STORE_ROW)
		sb_addf(out, "%s\"%s\"", (*ncols)++ ? ", " : "", store_col_text(s, 1));
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* " WHERE ..." of sel (nothing for every row) after the text in sql. */
static void add_where(sb_t *sql, const store_copy_rows_t *sel)
{
	if (sel && sel->where[0])
		sb_addf(sql, " WHERE %s", sel->where);
}

/* COUNT(*) of the rows of sel in table name, its values bound. */
static int count_rows(store_conn_t *c, const char *name, const store_copy_rows_t *sel, int64_t *ret)
{
	static const char types[] = "tttt";
	sb_t sql = SB_INIT;
	int n = sel ? sel->nargs : 0, rc;
	sb_addf(&sql, "SELECT COUNT(*) FROM \"%s\"", name);
	add_where(&sql, sel);
	/* cppcheck-suppress nullPointer ; n > 0 only with sel */
	rc = store_query_int64(c, ret, sql.buf, types + (sizeof(types) - 1 - (size_t)n), n > 0 ? sel->args[0] : NULL,
			       /* cppcheck-suppress nullPointer */
			       n > 1 ? sel->args[1] : NULL, n > 2 ? sel->args[2] : NULL, n > 3 ? sel->args[3] : NULL);
	sb_release(&sql);
	return rc;
}

/* Copies the rows of sel (every row when NULL) of table name from src into
 * to, naming the columns that the SQLite catalog schema lists for it. */
static int copy_table(store_conn_t *src, store_conn_t *schema, store_t *to, const char *name,
		      const store_copy_rows_t *sel, store_progress_fn progress, void *ud, int64_t *ret_rows, char *err,
		      size_t errlen)
{
	store_stmt_t *s;
	sb_t sql = SB_INIT, ins = SB_INIT, cols = SB_INIT;
	batch_t b = { 0 };
	int64_t total = 0, done = 0;
	int rc;
	if ((rc = count_rows(src, name, sel, &total)) < 0 || (rc = column_list(schema, name, &cols, &b.ncols)) < 0)
		goto out;
	sb_addf(&sql, "SELECT %s FROM \"%s\"", cols.buf, name);
	add_where(&sql, sel);
	if ((rc = store_prepare(src, sql.buf, &s)) < 0)
		goto out;
	for (int k = 0; sel && k < sel->nargs && rc >= 0; k++)
		rc = store_bind_text(s, k + 1, sel->args[k], -1);
	if (rc < 0) {
		store_finalize(s);
		goto out;
	}
	sb_addf(&ins, "INSERT INTO \"%s\" (%s) VALUES (", name, cols.buf);
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
	sb_release(&cols);
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

/* One snapshot of the source for the whole copy: the counts and the rows
 * agree, and parents agree with their children, while a server goes on
 * writing (SQLite: one read transaction; PostgreSQL, where
 * store_read_begin does nothing: a repeatable-read transaction). */
static int snapshot_begin(store_t *st, store_conn_t *c)
{
	if (store_kind(st) == STORE_PG)
		return store_exec(c, "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", "") < 0 ? ERR_DB : 0;
	return store_read_begin(c);
}

static void snapshot_end(store_t *st, store_conn_t *c)
{
	if (store_kind(st) == STORE_PG)
		store_exec(c, "COMMIT", "");
	else
		store_read_end(c);
}

/* The copy itself: tables, columns and the order of parents before children
 * from the SQLite catalog schema (the source's or the target's); what each
 * table gives from select (NULL: every row of every table). */
static int copy_tables(store_t *from, store_t *to, store_conn_t *schema, store_copy_select_fn select,
		       store_copy_count_fn counted, store_progress_fn progress, void *ud, char *err, size_t errlen)
{
	table_t t[MAX_TABLES];
	store_copy_rows_t *sel;
	store_conn_t *src = store_reader(from), *dst = store_reader(to);
	int n = 0, left, rc;
	err[0] = '\0';
	if (!src || !dst || !schema) {
		snprintf(err, errlen, "%s", store_errmsg());
		return ERR_UNAVAILABLE;
	}
	if ((rc = list_tables(schema, t, &n)) < 0) {
		snprintf(err, errlen, "%s", store_errmsg());
		return rc;
	}
	if (!(sel = calloc((size_t)(n ? n : 1), sizeof(*sel))))
		return ERR_NOMEM;
	for (int i = 0; i < n; i++) {
		int64_t rows = 0;
		char sql[128];
		sel[i].copy = 1;
		if (select)
			select(ud, t[i].name, &sel[i]);
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM \"%s\"", t[i].name);
		if (store_query_int64(dst, &rows, sql, "") < 0) {
			snprintf(err, errlen, "table %s is missing in the target: run 'sigap migrate' there first", t[i].name);
			rc = ERR_INVALID;
			goto out;
		}
		if (rows) {
			snprintf(err, errlen, "table %s already has %" PRId64 " rows in the target; copy into an empty database", t[i].name, rows);
			rc = ERR_EXISTS;
			goto out;
		}
	}
	if ((rc = snapshot_begin(from, src)) < 0) {
		snprintf(err, errlen, "%s", store_errmsg());
		goto out;
	}
	for (left = n; left > 0 && rc == 0;) {
		int progressed = 0;
		for (int i = 0; i < n && rc == 0; i++) {
			int64_t rows;
			if (t[i].done || !parents_done(schema, t[i].name, t, n))
				continue;
			if (sel[i].copy)
				rc = copy_table(src, schema, to, t[i].name, &sel[i], progress, ud, &rows, err, errlen);
			t[i].done = 1;
			left--;
			progressed = 1;
		}
		if (!progressed) {
			snprintf(err, errlen, "the tables' foreign keys form a cycle");
			rc = ERR_INVALID;
		}
	}
	/* within the snapshot: the source's rows as they were copied */
	for (int i = 0; i < n && rc == 0; i++) {
		int64_t a = 0, b = 0;
		if (count_rows(src, t[i].name, &sel[i], &a) < 0 || count_rows(dst, t[i].name, NULL, &b) < 0 ||
		    (sel[i].copy ? a != b : b != 0)) {
			snprintf(err, errlen, "table %s: %" PRId64 " rows in the source but %" PRId64 " in the target", t[i].name, a, b);
			rc = ERR_DB;
		} else if (counted) {
			counted(ud, t[i].name, sel[i].copy, a, b);
		}
	}
	snapshot_end(from, src);
	for (int i = 0; i < n && rc == 0 && store_kind(to) == STORE_PG; i++) {
		seq_fix_t f = { t[i].name };
		if ((rc = store_tx(to, fix_sequence, &f)) < 0)
			snprintf(err, errlen, "table %s: resetting its id sequence: %s", t[i].name, store_errmsg());
	}
out:
	free(sel);
	return rc;
}

int store_copy(store_t *from, store_t *to, store_progress_fn progress, void *ud, char *err, size_t errlen)
{
	if (store_kind(from) != STORE_SQLITE) {
		snprintf(err, errlen, "the source must be a SQLite database");
		return ERR_INVALID;
	}
	return copy_tables(from, to, store_reader(from), NULL, NULL, progress, ud, err, errlen);
}

int store_copy_selected(store_t *from, store_t *to, store_copy_select_fn select, store_copy_count_fn counted,
			store_progress_fn progress, void *ud, char *err, size_t errlen)
{
	if (store_kind(to) != STORE_SQLITE) {
		snprintf(err, errlen, "the target must be a SQLite database");
		return ERR_INVALID;
	}
	return copy_tables(from, to, store_reader(to), select, counted, progress, ud, err, errlen);
}
