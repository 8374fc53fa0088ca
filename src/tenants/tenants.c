/*
 * tenants.c: tenants, regions, OPDs and holidays (see tenants.h).
 */
#include "tenants/tenants.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/sb.h"
#include "core/text.h"
#include "http/parse.h"
#include "core/banned.h"

int region_code_level(const char *code, int *ret_level)
{
	static const int seg_len[] = { 2, 2, 2, 4 };
	int level = 0;
	const char *p = code;
	if (!code)
		return ERR_INVALID;
	while (level < 4) {
		for (int i = 0; i < seg_len[level]; i++, p++)
			if (!isdigit((unsigned char)*p))
				return ERR_INVALID;
		level++;
		if (!*p)
			break;
		if (*p++ != '.' || level == 4)
			return ERR_INVALID;
	}
	*ret_level = level;
	return 0;
}

static void parent_of(const char *code, int level, char *out, size_t outlen)
{
	static const size_t len_at[] = { 0, 2, 5, 8, 13 };
	if (level <= 1) {
		out[0] = '\0';
		return;
	}
	snprintf(out, outlen, "%.*s", (int)len_at[level - 1], code);
}

struct import_ctx {
	const char *path;
	void (*progress)(void *ud, long rows);
	void *ud;
	long rows;
	char *err;
	size_t errlen;
};

#define REGION_BATCH 250

/* Rows waiting to be inserted by one multi-row INSERT: one round trip per
 * batch instead of per row, which matters on PostgreSQL. */
typedef struct region_batch {
	int n;
	char code[REGION_BATCH][16];
	char parent[REGION_BATCH][16];
	char *name[REGION_BATCH];
	int level[REGION_BATCH];
	size_t line[REGION_BATCH];
} region_batch_t;

static void batch_clear(region_batch_t *b)
{
	for (int i = 0; i < b->n; i++)
		free(b->name[i]);
	b->n = 0;
}

static int batch_flush(store_conn_t *c, region_batch_t *b, struct import_ctx *ic)
{
	sb_t sql = SB_INIT;
	store_stmt_t *s;
	int rc, k = 1;
	if (!b->n)
		return 0;
	for (int i = 0; i < b->n; i++)
		for (int j = 0; j < i; j++)
			if (!strcmp(b->code[i], b->code[j])) {
				snprintf(ic->err, ic->errlen, "line %zu: duplicate region code '%s'", b->line[i], b->code[i]);
				return ERR_EXISTS;
			}
	sb_adds(&sql, "INSERT INTO regions (code, name, level, parent) VALUES ");
	for (int i = 0; i < b->n; i++)
		sb_adds(&sql, i ? ", (?, ?, ?, ?)" : "(?, ?, ?, ?)");
	rc = store_prepare(c, sql.buf, &s);
	sb_release(&sql);
	if (rc < 0)
		return rc;
	for (int i = 0; i < b->n && rc >= 0; i++) {
		rc = store_bind_text(s, k++, b->code[i], -1);
		if (rc >= 0)
			rc = store_bind_text(s, k++, b->name[i], -1);
		if (rc >= 0)
			rc = store_bind_int64(s, k++, b->level[i]);
		if (rc >= 0)
			rc = store_bind_text(s, k++, b->parent[i][0] ? b->parent[i] : NULL, -1);
	}
	if (rc >= 0)
		rc = store_step(s);
	store_finalize(s);
	if (rc == ERR_EXISTS) {
		snprintf(ic->err, ic->errlen, "lines %zu-%zu: duplicate region code (it appears earlier in the file)",
			 b->line[0], b->line[b->n - 1]);
		return ERR_EXISTS;
	}
	if (rc < 0)
		return rc;
	ic->rows += b->n;
	if (ic->progress && ic->rows / 10000 != (ic->rows - b->n) / 10000)
		ic->progress(ic->ud, ic->rows);
	batch_clear(b);
	return 0;
}

static int import_regions_tx(store_conn_t *c, void *ud)
{
	struct import_ctx *ic = ud;
	csv_reader_t r;
	csv_options_t opt = { .expect_fields = 3 };
	const csv_field_t *f;
	size_t n;
	region_batch_t *b;
	FILE *fp = fopen(ic->path, "rb");
	int rc;
	int64_t orphans = 0;
	if (!fp) {
		snprintf(ic->err, ic->errlen, "cannot read '%s': %s", ic->path, strerror(errno));
		return ERR_IO;
	}
	b = calloc(1, sizeof(*b));
	if (!b || (rc = csv_reader_init_file(&r, fp, &opt)) < 0) {
		free(b);
		fclose(fp);
		return ERR_NOMEM;
	}
	rc = store_exec(c, "DELETE FROM regions", "");
	ic->rows = 0;
	while (rc >= 0 && (rc = csv_next(&r, &f, &n)) == 1) {
		int level, decl;
		char *end;
		const char *nm = f[1].ptr;
		size_t nl = f[1].len;
		long lv;
		if (csv_line(&r) == 1 && !strcmp(f[0].ptr, "kode"))
			continue; /* header */
		if (region_code_level(f[0].ptr, &level) < 0) {
			snprintf(ic->err, ic->errlen, "line %zu: malformed region code '%s'", csv_line(&r), f[0].ptr);
			rc = ERR_INVALID;
			break;
		}
		errno = 0;
		lv = strtol(f[2].ptr, &end, 10);
		decl = (int)lv;
		if (errno || *end || end == f[2].ptr || decl != level) {
			snprintf(ic->err, ic->errlen, "line %zu: level '%s' does not match code '%s'", csv_line(&r),
				 f[2].ptr, f[0].ptr);
			rc = ERR_INVALID;
			break;
		}
		/* some official names carry stray spaces */
		while (nl && isspace((unsigned char)*nm))
			nm++, nl--;
		while (nl && isspace((unsigned char)nm[nl - 1]))
			nl--;
		if (!nl) {
			snprintf(ic->err, ic->errlen, "line %zu: empty name for '%s'", csv_line(&r), f[0].ptr);
			rc = ERR_INVALID;
			break;
		}
		snprintf(b->code[b->n], sizeof(b->code[0]), "%s", f[0].ptr);
		parent_of(f[0].ptr, level, b->parent[b->n], sizeof(b->parent[0]));
		b->name[b->n] = strndup(nm, nl);
		b->level[b->n] = level;
		b->line[b->n] = csv_line(&r);
		if (!b->name[b->n]) {
			rc = ERR_NOMEM;
			break;
		}
		b->n++;
		if (b->n == REGION_BATCH)
			rc = batch_flush(c, b, ic);
	}
	if (rc == 0)
		rc = batch_flush(c, b, ic);
	if (rc < 0 && !ic->err[0])
		snprintf(ic->err, ic->errlen, "%s", csv_error(&r)[0] ? csv_error(&r) : store_errmsg());
	batch_clear(b);
	free(b);
	csv_reader_release(&r);
	fclose(fp);
	if (rc < 0)
		return rc;
	if (ic->rows == 0) {
		snprintf(ic->err, ic->errlen, "'%s' holds no regions", ic->path);
		return ERR_INVALID;
	}
	rc = store_query_int64(c, &orphans,
			       "SELECT COUNT(*) FROM regions r WHERE r.parent IS NOT NULL AND NOT EXISTS "
			       "(SELECT 1 FROM regions p WHERE p.code = r.parent)", "");
	if (rc < 0)
		return rc;
	if (orphans) {
		char code[32] = "", parent[32] = "";
		store_query_text(c, code, sizeof(code),
				 "SELECT r.code FROM regions r WHERE r.parent IS NOT NULL AND NOT EXISTS "
				 "(SELECT 1 FROM regions p WHERE p.code = r.parent) ORDER BY r.code LIMIT 1", "");
		store_query_text(c, parent, sizeof(parent), "SELECT parent FROM regions WHERE code = ?", "t", code);
		snprintf(ic->err, ic->errlen, "region '%s' has no parent region '%s' in the file (%lld such regions)", code,
			 parent, (long long)orphans);
		return ERR_INVALID;
	}
	{
		char summary[64];
		snprintf(summary, sizeof(summary), "%ld regions", ic->rows);
		rc = audit_append(c, AUDIT_SYSTEM, (int64_t)time(NULL), "cli", "region.import", "regions", summary);
	}
	return rc < 0 ? rc : 0;
}

int region_import_csv(store_t *st, const char *path, void (*progress)(void *ud, long rows), void *ud,
		      long *ret_rows, char *err, size_t errlen)
{
	struct import_ctx ic = { path, progress, ud, 0, err, errlen };
	int rc;
	err[0] = '\0';
	rc = store_tx(st, import_regions_tx, &ic);
	if (rc < 0 && !err[0])
		snprintf(err, errlen, "%s", store_errmsg());
	if (ret_rows)
		*ret_rows = rc < 0 ? 0 : ic.rows;
	return rc;
}

int region_exists(store_conn_t *c, const char *code)
{
	int64_t n = 0;
	int rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM regions WHERE code = ?", "t", code);
	return rc < 0 ? rc : n > 0;
}

int region_name(store_conn_t *c, const char *code, char *buf, size_t bufsize)
{
	return store_query_text(c, buf, bufsize, "SELECT name FROM regions WHERE code = ?", "t", code);
}

int64_t region_count(store_conn_t *c, int level)
{
	int64_t n = 0;
	int rc = level ? store_query_int64(c, &n, "SELECT COUNT(*) FROM regions WHERE level = ?", "d", level)
		       : store_query_int64(c, &n, "SELECT COUNT(*) FROM regions", "");
	return rc < 0 ? rc : n;
}

/* The LIKE pattern (ESCAPE '\\') of the user's text q: q anywhere, or with
 * prefix at the start. LIKE wildcards in q are escaped: they match
 * themselves. */
static void like_pattern(sb_t *pat, const char *q, int prefix)
{
	if (!prefix)
		sb_addch(pat, '%');
	for (const char *p = q; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			sb_addch(pat, '\\');
		sb_addch(pat, *p);
	}
	sb_addch(pat, '%');
}

int region_search(store_conn_t *c, const char *q, int level, const char *parent, int limit,
		  region_row_fn fn, void *ud)
{
	sb_t pat = SB_INIT, sql = SB_INIT;
	store_stmt_t *s;
	int rc, by_code, idx = 2;
	if (!q)
		q = "";
	if (limit <= 0 || limit > 1000)
		limit = 50;
	by_code = isdigit((unsigned char)q[0]);
	like_pattern(&pat, q, by_code);
	/* only the conditions that apply: PostgreSQL cannot type an unused NULL parameter */
	sb_adds(&sql, by_code ? "SELECT code, name, level FROM regions WHERE code LIKE ? ESCAPE '\\'"
			      : "SELECT code, name, level FROM regions WHERE lower(name) LIKE lower(?) ESCAPE '\\'");
	if (level)
		sb_adds(&sql, " AND level = ?");
	if (parent)
		sb_adds(&sql, " AND parent = ?");
	sb_adds(&sql, by_code ? " ORDER BY code LIMIT ?" : " ORDER BY level, name, code LIMIT ?");
	rc = store_prepare(c, sql.buf, &s);
	sb_release(&sql);
	if (rc == 0)
		rc = store_bind_text(s, 1, pat.buf, -1);
	if (rc == 0 && level)
		rc = store_bind_int64(s, idx++, level);
	if (rc == 0 && parent)
		rc = store_bind_text(s, idx++, parent, -1);
	if (rc == 0)
		rc = store_bind_int64(s, idx, limit);
	sb_release(&pat);
	if (rc < 0) {
		store_finalize(s);
		return rc;
	}
	while ((rc = store_step(s)) == STORE_ROW) {
		rc = fn(ud, store_col_text(s, 0), store_col_text(s, 1), (int)store_col_int64(s, 2));
		if (rc < 0)
			break;
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

struct tenant_add_ctx {
	const char *code, *actor;
};

static int tenant_add_tx(store_conn_t *c, void *ud)
{
	struct tenant_add_ctx *tc = ud;
	char name[128], head[32];
	const char *tzname;
	int level, tz, rc;
	if (region_code_level(tc->code, &level) < 0)
		return store_fail(ERR_INVALID, "'%s' is not a kode wilayah", tc->code);
	if (level > 2)
		return store_fail(ERR_INVALID, "'%s' is a kecamatan or desa; a tenant is a provinsi or kabupaten/kota",
				  tc->code);
	rc = region_name(c, tc->code, name, sizeof(name));
	if (rc == ERR_NOT_FOUND)
		return store_fail(ERR_NOT_FOUND, "unknown region code '%s' (import the region list first)", tc->code);
	if (rc < 0)
		return rc;
	if (cal_tz_for_region(tc->code, &tz, &tzname) < 0)
		return store_fail(ERR_INVALID, "no time zone known for '%s'", tc->code);
	if (level == 1)
		snprintf(head, sizeof(head), "Gubernur");
	else if (!strncmp(name, "Kota ", 5))
		snprintf(head, sizeof(head), "Wali Kota");
	else
		snprintf(head, sizeof(head), "Bupati");
	if (level == 1) {
		/* provinces are listed without the word Provinsi */
		char full[140];
		snprintf(full, sizeof(full), "Provinsi %s", name);
		snprintf(name, sizeof(name), "%.127s", full);
	}
	rc = store_exec(c, "INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?)",
			"ttdtdti", tc->code, name, level, head, tz, tzname,
			(int64_t)time(NULL));
	if (rc == ERR_EXISTS)
		return store_fail(ERR_EXISTS, "tenant '%s' already exists", tc->code);
	if (rc < 0)
		return rc;
	return audit_append(c, tc->code, (int64_t)time(NULL), tc->actor, "tenant.add", tc->code, name);
}

int tenant_add(store_t *st, const char *code, const char *actor)
{
	struct tenant_add_ctx tc = { code, actor };
	return store_tx(st, tenant_add_tx, &tc);
}

static void tenant_from_row(store_stmt_t *s, tenant_t *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->code, sizeof(t->code), "%s", store_col_text(s, 0));
	snprintf(t->name, sizeof(t->name), "%s", store_col_text(s, 1));
	t->level = (int)store_col_int64(s, 2);
	snprintf(t->head_title, sizeof(t->head_title), "%s", store_col_text(s, 3));
	t->tz_offset = (int)store_col_int64(s, 4);
	snprintf(t->tz_name, sizeof(t->tz_name), "%s", store_col_text(s, 5));
	t->suspended_at = store_col_int64(s, 6);
}

/* The columns tenant_from_row() reads, of tenants as t; TENANT_NCOLS of them
 * (a query may add its own after them). */
#define TENANT_COLS "t.code, t.name, t.level, t.head_title, t.tz_offset, t.tz_name, COALESCE(t.suspended_at, 0)"
#define TENANT_NCOLS 7

int tenant_get(store_conn_t *c, const char *code, tenant_t *ret)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT " TENANT_COLS " FROM tenants t WHERE t.code = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", code);
	rc = store_step(s);
	if (rc == STORE_ROW)
		tenant_from_row(s, ret);
	store_finalize(s);
	return rc == STORE_ROW ? 0 : rc == STORE_DONE ? ERR_NOT_FOUND : rc;
}

int tenant_privacy_contact(store_conn_t *c, const char *code, char *buf, size_t bufsize)
{
	return store_query_text(c, buf, bufsize, "SELECT privacy_contact FROM tenants WHERE code = ?", "t", code);
}

int tenant_privacy_contact_set_tx(store_conn_t *c, const char *code, const char *contact, const char *old_sum,
				  const char *actor, int64_t now)
{
	char cur[TENANT_CONTACT_MAX + 8] = "", sum[65];
	unsigned char d[crypto_hash_sha256_BYTES];
	int rc = store_query_text(c, cur, sizeof(cur), "SELECT privacy_contact FROM tenants WHERE code = ?", "t", code);
	if (rc < 0)
		return rc;
	/* the contact as the page showed it, by its digest: a form's line
	 * breaks come back as CR LF, whatever was stored */
	crypto_hash_sha256(d, (const unsigned char *)cur, strlen(cur));
	sodium_bin2hex(sum, sizeof(sum), d, sizeof(d));
	if (!old_sum || strcmp(sum, old_sum))
		return store_fail(ERR_CONFLICT, "the privacy contact of '%s' changed meanwhile", code);
	if (!strcmp(cur, contact))
		return 1;
	rc = store_exec(c, "UPDATE tenants SET privacy_contact = ? WHERE code = ?", "tt", contact, code);
	if (rc < 0)
		return rc;
	/* who changed it, not what it says: it is public on the notice */
	return audit_append(c, code, now, actor, "tenant.privacy_contact", code, *contact ? "set" : "cleared");
}

int tenant_list(store_conn_t *c, tenant_row_fn fn, void *ud)
{
	store_stmt_t *s;
	tenant_t t;
	int rc = store_prepare(c, "SELECT " TENANT_COLS " FROM tenants t ORDER BY t.code", &s);
	if (rc < 0)
		return rc;
	while ((rc = store_step(s)) == STORE_ROW) {
		tenant_from_row(s, &t);
		if ((rc = fn(ud, &t)) < 0)
			break;
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* 0 if s is one line of text a page can show: not empty (nor only
 * spaces), at most max bytes of valid UTF-8, without control characters. */
static int clean_line(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > max || strspn(s, " ") == n || !utf8_valid(s, n))
		return ERR_INVALID;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return ERR_INVALID;
	return 0;
}

struct tenant_change {
	const char *code, *text, *head, *actor;
	int suspend; /* 1 suspend, 0 resume, -1 rename */
};

static int tenant_change_tx(store_conn_t *c, void *ud)
{
	struct tenant_change *x = ud;
	int64_t now = (int64_t)time(NULL);
	tenant_t t;
	sb_t sum = SB_INIT;
	int rc = tenant_get(c, x->code, &t);
	if (rc == ERR_NOT_FOUND)
		return store_fail(ERR_NOT_FOUND, "unknown tenant '%s' (see 'sigap tenant list')", x->code);
	if (rc < 0)
		return rc;
	if (x->suspend < 0) {
		rc = store_exec(c, "UPDATE tenants SET name = ?, head_title = ? WHERE code = ?", "ttt", x->text,
				x->head ? x->head : t.head_title, x->code);
		sb_addf(&sum, "%s -> %s", t.name, x->text);
		if (x->head)
			sb_addf(&sum, "; %s -> %s", t.head_title, x->head);
		if (rc >= 0)
			rc = sum.err ? ERR_NOMEM : audit_append(c, x->code, now, x->actor, "tenant.rename", x->code, sum.buf);
	} else if (x->suspend) {
		if (t.suspended_at)
			return store_fail(ERR_CONFLICT, "tenant '%s' is suspended already", x->code);
		rc = store_exec(c, "UPDATE tenants SET suspended_at = ?, suspend_reason = ? WHERE code = ?", "itt", now,
				x->text, x->code);
		if (rc >= 0)
			rc = audit_append(c, x->code, now, x->actor, "tenant.suspend", x->code, x->text);
	} else {
		if (!t.suspended_at)
			return store_fail(ERR_CONFLICT, "tenant '%s' is not suspended", x->code);
		rc = store_exec(c, "UPDATE tenants SET suspended_at = NULL, suspend_reason = '' WHERE code = ?", "t",
				x->code);
		if (rc >= 0)
			rc = audit_append(c, x->code, now, x->actor, "tenant.resume", x->code, "");
	}
	sb_release(&sum);
	return rc < 0 ? rc : 0;
}

int tenant_rename(store_t *st, const char *code, const char *name, const char *head_title, const char *actor)
{
	struct tenant_change x = { code, name, head_title, actor, -1 };
	if (clean_line(name, TENANT_NAME_MAX) < 0)
		return store_fail(ERR_INVALID, "the name must be one line of text, not empty, at most %d bytes",
				  TENANT_NAME_MAX);
	if (head_title && clean_line(head_title, TENANT_HEAD_MAX) < 0)
		return store_fail(ERR_INVALID, "the head's title must be one line of text, not empty, at most %d bytes",
				  TENANT_HEAD_MAX);
	return store_tx(st, tenant_change_tx, &x);
}

int tenant_suspend(store_t *st, const char *code, const char *reason, const char *actor)
{
	struct tenant_change x = { code, reason, NULL, actor, 1 };
	if (clean_line(reason, TENANT_REASON_MAX) < 0)
		return store_fail(ERR_INVALID, "the reason must be one line of text, not empty, at most %d bytes",
				  TENANT_REASON_MAX);
	return store_tx(st, tenant_change_tx, &x);
}

int tenant_resume(store_t *st, const char *code, const char *actor)
{
	struct tenant_change x = { code, NULL, NULL, actor, 0 };
	return store_tx(st, tenant_change_tx, &x);
}

int tenant_suspend_reason(store_conn_t *c, const char *code, char *buf, size_t bufsize)
{
	return store_query_text(c, buf, bufsize, "SELECT suspend_reason FROM tenants WHERE code = ?", "t", code);

}

int64_t tenant_count(store_conn_t *c)
{
	int64_t n = 0;
	int rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM tenants WHERE suspended_at IS NULL", "");
	return rc < 0 ? rc : n;
}

/* A tenant's province: the region of the first two digits of its code (a
 * provinsi's own). Both backends have substr(). */
#define TENANT_PROVINCE_JOIN " FROM tenants t LEFT JOIN regions p ON p.code = substr(t.code, 1, 2)"

int tenant_find(store_conn_t *c, const char *q, int limit, tenant_find_fn fn, void *ud)
{
	sb_t pat = SB_INIT;
	store_stmt_t *s;
	tenant_t t;
	int rc, by_code;
	if (!q)
		q = "";
	if (limit <= 0 || limit > 1000)
		limit = 100;
	by_code = isdigit((unsigned char)q[0]);
	like_pattern(&pat, q, by_code);
	/* by code: its start ("52" is NTB's Pemda); by name: the Pemda's or its
	 * province's, anywhere in it; in code order, so that a province's
	 * Pemda come together, the provinsi first */
	rc = store_prepare(c,
			   by_code ? "SELECT " TENANT_COLS ", COALESCE(p.name, '')" TENANT_PROVINCE_JOIN
				     " WHERE t.suspended_at IS NULL AND t.code LIKE ? ESCAPE '\\' ORDER BY t.code LIMIT ?"
				   : "SELECT " TENANT_COLS ", COALESCE(p.name, '')" TENANT_PROVINCE_JOIN
				     " WHERE t.suspended_at IS NULL AND (lower(t.name) LIKE lower(?) ESCAPE '\\'"
				     " OR lower(COALESCE(p.name, '')) LIKE lower(?) ESCAPE '\\') ORDER BY t.code LIMIT ?",
			   &s);
	if (rc < 0) {
		sb_release(&pat);
		return rc;
	}
	rc = pat.err ? ERR_NOMEM : by_code ? store_bindf(s, "ti", pat.buf, (int64_t)limit)
					   : store_bindf(s, "tti", pat.buf, pat.buf, (int64_t)limit);
	sb_release(&pat);
	if (rc < 0) {
		store_finalize(s);
		return rc;
	}
	while ((rc = store_step(s)) == STORE_ROW) {
		tenant_from_row(s, &t);
		if ((rc = fn(ud, &t, store_col_text(s, TENANT_NCOLS))) < 0)
			break;
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int tenant_provinces(store_conn_t *c, tenant_province_fn fn, void *ud)
{
	store_stmt_t *s;
	int rc = store_prepare(c,
			       "SELECT substr(t.code, 1, 2), COALESCE(p.name, ''), COUNT(*)" TENANT_PROVINCE_JOIN
			       " WHERE t.suspended_at IS NULL GROUP BY substr(t.code, 1, 2), p.name ORDER BY substr(t.code, 1, 2)",
			       &s);
	if (rc < 0)
		return rc;
	while ((rc = store_step(s)) == STORE_ROW)
		if ((rc = fn(ud, store_col_text(s, 0), store_col_text(s, 1), store_col_int64(s, 2))) < 0)
			break;
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

struct unit_ctx {
	const char *tenant, *code, *name, *kind, *actor;
};

/* 0 if tenant is a Pemda, else ERR_NOT_FOUND with "unknown tenant '...'". */
static int tenant_known_tx(store_conn_t *c, const char *tenant)
{
	int64_t n = 0;
	int rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM tenants WHERE code = ?", "t", tenant);
	if (rc < 0)
		return rc;
	return n ? 0 : store_fail(ERR_NOT_FOUND, "unknown tenant '%s'", tenant);
}

static int unit_add_tx(store_conn_t *c, void *ud)
{
	struct unit_ctx *u = ud;
	/* named, not the foreign key's words (which differ per backend) */
	int rc = tenant_known_tx(c, u->tenant);
	if (rc < 0)
		return rc;
	rc = store_exec(c, "INSERT INTO units (tenant, code, name, kind, created_at) VALUES (?, ?, ?, ?, ?)", "tttti",
			u->tenant, u->code, u->name, u->kind, (int64_t)time(NULL));
	if (rc == ERR_EXISTS)
		return store_fail(ERR_EXISTS, "OPD '%s' already exists in '%s'", u->code, u->tenant);
	if (rc < 0)
		return rc;
	return audit_append(c, u->tenant, (int64_t)time(NULL), u->actor, "unit.add", u->code, u->name);
}

const unit_kind_t unit_kinds[] = {
	{ "dinas", N_("Dinas") },
	{ "badan", N_("Badan") },
	{ "sekretariat", N_("Sekretariat") },
	{ "inspektorat", N_("Inspektorat") },
	{ "satuan", N_("Satuan") },
	{ "kecamatan", N_("Kecamatan") },
	{ "kelurahan", N_("Kelurahan") },
	{ "bagian", N_("Bagian") },
	{ "lainnya", N_("Lainnya") },
};
const size_t unit_kinds_count = sizeof(unit_kinds) / sizeof(unit_kinds[0]);

int unit_kind_known(const char *kind)
{
	for (size_t i = 0; kind && i < unit_kinds_count; i++)
		if (!strcmp(unit_kinds[i].code, kind))
			return 1;
	return 0;
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* in without the spaces around it into out (outlen bytes, terminated):
 * longer than fits is cut, which the length rules then refuse. */
static void trim_into(const char *in, char *out, size_t outlen)
{
	size_t n;
	if (!in)
		in = "";
	while (is_space(*in))
		in++;
	n = strlen(in);
	while (n && is_space(in[n - 1]))
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, in, n);
	out[n] = '\0';
}

void unit_code_normalise(const char *in, char *out, size_t outlen)
{
	trim_into(in, out, outlen);
	for (char *p = out; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
}

const char *unit_code_check(const char *code)
{
	size_t n = code ? strlen(code) : 0;
	int ok = n >= 2 && n <= UNIT_CODE_MAX && code[0] >= 'A' && code[0] <= 'Z';
	for (size_t i = 0; ok && i < n; i++)
		ok = (code[i] >= 'A' && code[i] <= 'Z') || (code[i] >= '0' && code[i] <= '9') || code[i] == '_' ||
		     code[i] == '-';
	return ok ? NULL : N_("kode OPD harus 2-24 karakter: huruf, angka, garis bawah atau tanda hubung, diawali huruf");
}

const char *unit_name_check(const char *name)
{
	/* shown on the public pages: clean text, no control byte */
	if (!name || !*name || strlen(name) > UNIT_NAME_MAX || !text_clean(name, 0))
		return N_("nama OPD wajib diisi (maksimal 200 karakter)");
	return NULL;
}

int unit_add(store_t *st, const char *tenant, const char *code, const char *name, const char *kind,
	     const char *actor)
{
	/* one byte more than allowed: a longer one is cut to a length refused */
	char c[UNIT_CODE_MAX + 2], n[UNIT_NAME_MAX + 2];
	struct unit_ctx u = { tenant, c, n, kind ? kind : "dinas", actor };
	const char *why;
	unit_code_normalise(code, c, sizeof(c));
	trim_into(name, n, sizeof(n));
	if ((why = unit_code_check(c)) || (why = unit_name_check(n)))
		return store_fail(ERR_INVALID, "%s", why);
	if (!unit_kind_known(u.kind)) {
		char list[200];
		size_t o = 0;
		list[0] = '\0';
		for (size_t i = 0; i < unit_kinds_count && o < sizeof(list); i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", unit_kinds[i].code);
		return store_fail(ERR_INVALID, "unknown OPD kind '%s' (one of: %s)", u.kind, list);
	}
	return store_tx(st, unit_add_tx, &u);
}

int unit_exists(store_conn_t *c, const char *tenant, const char *code)
{
	int64_t n = 0;
	int rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM units WHERE tenant = ? AND code = ?", "tt",
				   tenant, code);
	return rc < 0 ? rc : n > 0;
}

int unit_list(store_conn_t *c, const char *tenant, unit_row_fn fn, void *ud)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT code, name, kind FROM units WHERE tenant = ? ORDER BY name", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", tenant);
	while ((rc = store_step(s)) == STORE_ROW)
		if ((rc = fn(ud, store_col_text(s, 0), store_col_text(s, 1), store_col_text(s, 2))) < 0)
			break;
	store_finalize(s);
	return rc < 0 ? rc : 0;
}


struct hol_ctx {
	calendar_t *cal;
	long rows;
};

static int holidays_tx(store_conn_t *c, void *ud)
{
	struct hol_ctx *h = ud;
	store_stmt_t *s;
	cal_holiday_t hd;
	char day[CAL_DATE_LEN], summary[64];
	int rc = store_exec(c, "DELETE FROM holidays WHERE tenant = '*'", "");
	if (rc < 0)
		return rc;
	rc = store_prepare(c, "INSERT INTO holidays (tenant, day, kind, name) VALUES ('*', ?, ?, ?)", &s);
	if (rc < 0)
		return rc;
	h->rows = 0;
	for (size_t i = 0; i < calendar_count(h->cal); i++) {
		calendar_get(h->cal, i, &hd);
		cal_format_date(hd.day, day);
		store_reset(s);
		store_bindf(s, "ttt", day, cal_holiday_type_name(hd.type), hd.name);
		if ((rc = store_step(s)) < 0)
			break;
		h->rows++;
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	if ((rc = tenant_calendar_bump_tx(c)) < 0)
		return rc;
	snprintf(summary, sizeof(summary), "%ld national holidays", h->rows);
	return audit_append(c, AUDIT_SYSTEM, (int64_t)time(NULL), "cli", "holiday.import", "holidays", summary);
}

int holidays_import(store_t *st, const char *path, long *ret_rows, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	sb_t buf = SB_INIT;
	char chunk[8192];
	size_t n;
	struct hol_ctx h = { NULL, 0 };
	int rc;
	if (!f) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		return ERR_IO;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && buf.len < (1u << 24))
		sb_add(&buf, chunk, n);
	fclose(f);
	if ((rc = calendar_new(&h.cal)) < 0) {
		sb_release(&buf);
		return rc;
	}
	rc = calendar_load_tsv(h.cal, buf.buf, buf.len, err, errlen);
	sb_release(&buf);
	if (rc == 0 && calendar_count(h.cal) == 0) {
		snprintf(err, errlen, "'%s' holds no holidays", path);
		rc = ERR_INVALID;
	}
	if (rc == 0) {
		rc = store_tx(st, holidays_tx, &h);
		if (rc < 0)
			snprintf(err, errlen, "%s", store_errmsg());
	}
	calendar_free(h.cal);
	if (ret_rows)
		*ret_rows = h.rows;
	return rc;
}

const char *holiday_local_check(int32_t day, const char *name)
{
	char d[CAL_DATE_LEN];
	size_t n = name ? strlen(name) : 0;
	int y;
	if (cal_format_date(day, d) < 0)
		return N_("tanggal harus berformat YYYY-MM-DD, misalnya 2026-03-02");
	cal_civil_from_days(day, &y, NULL, NULL);
	if (y < HOLIDAY_YEAR_MIN || y > HOLIDAY_YEAR_MAX)
		return N_("tanggal harus antara tahun 2000 dan 2100");
	if (n == 0 || n > CAL_NAME_MAX)
		return N_("nama hari libur wajib diisi (maksimal 200 karakter, tanpa baris baru)");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return N_("nama hari libur wajib diisi (maksimal 200 karakter, tanpa baris baru)");
	return NULL;
}

int holiday_local_add_tx(store_conn_t *c, const char *tenant, const char *day, const char *name, const char *actor,
			 int64_t now, char clash[CAL_NAME_MAX + 1], const char **ret_msgid)
{
	char prov[3];
	int rc;
	*ret_msgid = NULL;
	clash[0] = '\0';
	snprintf(prov, sizeof(prov), "%.2s", tenant);
	/* a national or (for a kabupaten/kota) provincial holiday already
	 * makes the day free */
	rc = store_query_text(c, clash, CAL_NAME_MAX + 1,
			      "SELECT name FROM holidays WHERE tenant IN ('*', ?) AND tenant <> ? AND day = ?", "ttt", prov,
			      tenant, day);
	if (rc == 0) {
		*ret_msgid = N_("tanggal itu sudah hari libur");
		return store_fail(ERR_EXISTS, "'%s' is already a holiday: %s", day, clash);
	}
	clash[0] = '\0';
	if (rc != ERR_NOT_FOUND)
		return rc;
	rc = store_exec(c, "INSERT INTO holidays (tenant, day, kind, name) VALUES (?, ?, 'libur_daerah', ?)", "ttt",
			tenant, day, name);
	if (rc == ERR_EXISTS) {
		*ret_msgid = N_("tanggal itu sudah menjadi hari libur daerah");
		return store_fail(ERR_EXISTS, "'%s' is already a local holiday", day);
	}
	if (rc < 0 || (rc = tenant_calendar_bump_tx(c)) < 0)
		return rc;
	return audit_append(c, tenant, now, actor, "holiday.add", day, name);
}

int holiday_local_remove_tx(store_conn_t *c, const char *tenant, const char *day, const char *actor, int64_t now,
			    char name[CAL_NAME_MAX + 1])
{
	char prov[3], whose[16] = "";
	int rc = store_query_text(c, name, CAL_NAME_MAX + 1,
				  "SELECT name FROM holidays WHERE tenant = ? AND day = ? AND kind = 'libur_daerah'", "tt",
				  tenant, day);
	if (rc == ERR_NOT_FOUND) {
		name[0] = '\0';
		/* not the tenant's own: say whose it is, if anyone's */
		snprintf(prov, sizeof(prov), "%.2s", tenant);
		rc = store_query_text(c, whose, sizeof(whose),
				      "SELECT tenant FROM holidays WHERE tenant IN ('*', ?) AND tenant <> ? AND day = ? "
				      "ORDER BY tenant",
				      "ttt", prov, tenant, day);
		if (rc < 0 && rc != ERR_NOT_FOUND)
			return rc;
		if (rc == 0 && !strcmp(whose, "*"))
			return store_fail(ERR_NOT_FOUND, "'%s' is a national holiday, not a local one of '%s' (the national "
							 "list changes only with 'sigap import holidays')", day, tenant);
		if (rc == 0)
			return store_fail(ERR_NOT_FOUND, "'%s' is a local holiday of the province '%s', not of '%s' (remove it "
							 "with --tenant %s)", day, whose, tenant, whose);
		return store_fail(ERR_NOT_FOUND, "'%s' has no local holiday on %s", tenant, day);
	}
	if (rc < 0)
		return rc;
	rc = store_exec(c, "DELETE FROM holidays WHERE tenant = ? AND day = ? AND kind = 'libur_daerah'", "tt", tenant, day);
	if (rc < 0)
		return rc;
	if ((rc = tenant_calendar_bump_tx(c)) < 0)
		return rc;
	return audit_append(c, tenant, now, actor, "holiday.remove", day, name);
}

struct local_ctx {
	const char *tenant, *name, *actor;
	char day[CAL_DATE_LEN];
	char clash[CAL_NAME_MAX + 1]; /* add: the holiday already that day; remove: the removed one's name */
	int remove;
};

static int local_tx(store_conn_t *c, void *ud)
{
	struct local_ctx *l = ud;
	const char *msgid;
	int rc = tenant_known_tx(c, l->tenant);
	if (rc < 0)
		return rc;
	if (l->remove)
		return holiday_local_remove_tx(c, l->tenant, l->day, l->actor, (int64_t)time(NULL), l->clash);
	return holiday_local_add_tx(c, l->tenant, l->day, l->name, l->actor, (int64_t)time(NULL), l->clash, &msgid);
}

int holiday_add_local(store_t *st, const char *tenant, int32_t day, const char *name, const char *actor)
{
	struct local_ctx l = { tenant, name, actor, "", "", 0 };
	const char *why = holiday_local_check(day, name);
	if (why)
		return store_fail(ERR_INVALID, "%s", why);
	cal_format_date(day, l.day);
	return store_tx(st, local_tx, &l);
}

int holiday_remove_local(store_t *st, const char *tenant, int32_t day, const char *actor, char name[CAL_NAME_MAX + 1])
{
	struct local_ctx l = { tenant, NULL, actor, "", "", 1 };
	int rc;
	name[0] = '\0';
	if (cal_format_date(day, l.day) < 0)
		return store_fail(ERR_INVALID, "invalid date");
	rc = store_tx(st, local_tx, &l);
	if (rc == 0)
		snprintf(name, CAL_NAME_MAX + 1, "%s", l.clash);
	return rc;
}

int holiday_list(store_conn_t *c, const char *tenant, const char *from, const char *to, holiday_row_fn fn, void *ud)
{
	store_stmt_t *s;
	char prov[3];
	int rc;
	snprintf(prov, sizeof(prov), "%.2s", tenant);
	rc = store_prepare(c, "SELECT day, tenant, kind, name FROM holidays WHERE tenant IN ('*', ?, ?) AND day >= ? "
			      "AND day <= ? ORDER BY day, tenant, name", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tttt", prov, tenant, from, to);
	while ((rc = store_step(s)) == STORE_ROW)
		if ((rc = fn(ud, store_col_text(s, 0), store_col_text(s, 1), store_col_text(s, 2), store_col_text(s, 3))) < 0)
			break;
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* Calendars change rarely (a holiday import, a local holiday) but are read
 * on every SLA computation, so each tenant's is kept in memory and callers
 * get a clone (a few memcpy). Every change of the holidays table bumps one
 * counter row (sequences '*', 'CAL', 0) in the same transaction; a cached
 * calendar is used only while that generation is unchanged, which one
 * indexed lookup tells, so every instance sees a change at once. */
#define CAL_CACHE 64

static struct {
	char tenant[16];
	calendar_t *cal;
	int64_t generation;
} cal_cache[CAL_CACHE];
static int cal_cache_n;
static pthread_mutex_t cal_mu = PTHREAD_MUTEX_INITIALIZER;

static int calendar_load(store_conn_t *c, const char *tenant, calendar_t **ret)
{
	store_stmt_t *s;
	calendar_t *cal;
	char prov[3] = { 0 };
	int rc = calendar_new(&cal);
	if (rc < 0)
		return rc;
	snprintf(prov, sizeof(prov), "%.2s", tenant);
	rc = store_prepare(c, "SELECT day, kind, name FROM holidays WHERE tenant IN ('*', ?, ?)", &s);
	if (rc < 0) {
		calendar_free(cal);
		return rc;
	}
	store_bindf(s, "tt", tenant, prov);
	while ((rc = store_step(s)) == STORE_ROW) {
		int32_t day;
		int type;
		const char *k = store_col_text(s, 1);
		if (cal_parse_date(store_col_text(s, 0), &day) < 0 ||
		    cal_holiday_type_parse(k, strlen(k), &type) < 0)
			continue; /* rows are validated on the way in */
		calendar_add_holiday(cal, day, type, store_col_text(s, 2));
	}
	store_finalize(s);
	if (rc < 0) {
		calendar_free(cal);
		return rc;
	}
	*ret = cal;
	return 0;
}

static int calendar_generation(store_conn_t *c, int64_t *ret)
{
	int rc = store_query_int64(c, ret, "SELECT value FROM sequences WHERE tenant = '*' AND kind = 'CAL' AND year = 0", "");
	if (rc == ERR_NOT_FOUND) {
		*ret = 0;
		return 0;
	}
	return rc;
}

/* The generation is a fresh random number, not a counter: two databases
 * opened in one process (tests, migrate-data) never share one by chance. */
int tenant_calendar_bump_tx(store_conn_t *c)
{
	int64_t gen;
	int rc;
	if (sodium_init() < 0)
		return store_fail(ERR_INTERNAL, "libsodium could not start");
	randombytes_buf(&gen, sizeof(gen));
	gen = (gen & INT64_MAX) | 1; /* positive and never 0 ("unknown") */
	rc = store_exec(c, "INSERT INTO sequences (tenant, kind, year, value) VALUES ('*', 'CAL', 0, ?) "
			   "ON CONFLICT (tenant, kind, year) DO UPDATE SET value = excluded.value", "i", gen);
	return rc < 0 ? rc : 0;
}

int tenant_calendar(store_conn_t *c, const char *tenant, calendar_t **ret)
{
	int64_t now = (int64_t)time(NULL), gen = 0;
	calendar_t *cal;
	int rc, slot = -1;
	if ((rc = calendar_generation(c, &gen)) < 0)
		return rc;
	pthread_mutex_lock(&cal_mu);
	for (int i = 0; i < cal_cache_n; i++)
		if (!strcmp(cal_cache[i].tenant, tenant)) {
			slot = i;
			break;
		}
	/* generation 0: holidays never changed through sigap; do not cache */
	if (gen != 0 && slot >= 0 && cal_cache[slot].generation == gen) {
		rc = calendar_clone(cal_cache[slot].cal, ret);
		pthread_mutex_unlock(&cal_mu);
		return rc;
	}
	pthread_mutex_unlock(&cal_mu);
	if ((rc = calendar_load(c, tenant, &cal)) < 0)
		return rc;
	if (gen == 0) {
		*ret = cal;
		return 0;
	}
	if ((rc = calendar_clone(cal, ret)) < 0) {
		calendar_free(cal);
		return rc;
	}
	pthread_mutex_lock(&cal_mu);
	slot = -1;
	for (int i = 0; i < cal_cache_n; i++)
		if (!strcmp(cal_cache[i].tenant, tenant))
			slot = i;
	if (slot < 0)
		slot = cal_cache_n < CAL_CACHE ? cal_cache_n++ : (int)(now % CAL_CACHE);
	calendar_free(cal_cache[slot].cal); /* NULL-safe: a new slot holds none */
	snprintf(cal_cache[slot].tenant, sizeof(cal_cache[slot].tenant), "%s", tenant);
	cal_cache[slot].cal = cal;
	cal_cache[slot].generation = gen;
	pthread_mutex_unlock(&cal_mu);
	return 0;
}
