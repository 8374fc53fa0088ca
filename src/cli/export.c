/*
 * export.c: `sigap tenant export`: one Pemda's data, whole, in a new SQLite
 * database of its own, so that a Pemda hosted in a shared deployment (a
 * province's or the ministry's, SQLite or PostgreSQL) can leave it and run
 * alone. The new file is migrated to the source's schema version, then
 * store_copy_selected copies into it, from one snapshot of the source, the
 * reference data and every row of the tenant, ids as they are (the file
 * holds no other tenant, so nothing collides). It is written under a
 * temporary name and linked to its own name only once it is whole and
 * verified: the row counts of both sides, the audit chains, SQLite's
 * integrity check. A failed export leaves nothing behind.
 */
#include "cli/export.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/err.h"
#include "core/sb.h"
#include "platform/platform.h"
#include "core/durable.h"
#include "core/banned.h"

/* Tables whose rows of the tenant stay behind, and why (docs/storage.md,
 * "Taking one Pemda out of a shared deployment"). Their rows are counted
 * all the same, so the operator sees what was left. */
static const struct {
	const char *table, *why;
} left_behind[] = {
	/* the sign-ins of the shared deployment: their cookies name its host,
	 * and a live session is a credential; everyone signs in again */
	{ "sessions", "live sign-ins: officials sign in again" },
	/* failed sign-ins and lockouts of the last minutes, kept against
	 * guessing on the shared deployment */
	{ "login_attempts", "rate limiting of the last minutes" },
	/* the complaint intake's per-minute windows, the same kind of state */
	{ "complaints_rate", "rate limiting of the last minutes" },
};

/* Why table stays behind, or NULL when it goes into the export. */
static const char *left_behind_why(const char *table)
{
	for (size_t i = 0; i < sizeof(left_behind) / sizeof(left_behind[0]); i++)
		if (!strcmp(table, left_behind[i].table))
			return left_behind[i].why;
	return NULL;
}

typedef struct export_ctx {
	const char *tenant;
	char province[3];    /* the first two digits: a kabupaten/kota's province */
	int64_t rows, tables; /* exported */
} export_ctx_t;

/* What the export takes of each table (store_copy_select_fn). Every table
 * but three has a tenant column; a table added later without one fails the
 * export ("no such column: tenant") until it gets its line here. */
static void select_rows(void *ud, const char *table, store_copy_rows_t *r)
{
	export_ctx_t *x = ud;
	r->args[0] = x->tenant;
	r->nargs = 1;
	snprintf(r->where, sizeof(r->where), "tenant = ?");
	if (left_behind_why(table))
		r->copy = 0;
	if (!strcmp(table, "regions")) {
		/* national reference data (Kepmendagri codes), every row: the
		 * NIK checks and the address pickers read them */
		r->where[0] = '\0';
		r->nargs = 0;
	} else if (!strcmp(table, "tenants")) {
		/* the Pemda itself; its province's row stays: no row refers to
		 * it (the portal names provinces from regions) */
		snprintf(r->where, sizeof(r->where), "code = ?");
	} else if (!strcmp(table, "holidays")) {
		/* national ('*'), its own, and a kabupaten/kota's province's
		 * local holidays: the working calendar (every SLA deadline)
		 * reads all three (tenant_calendar) */
		snprintf(r->where, sizeof(r->where), "tenant IN ('*', ?, ?)");
		r->args[1] = x->province;
		r->nargs = 2;
	} else if (!strcmp(table, "audit_log") || !strcmp(table, "audit_heads") || !strcmp(table, "sequences")) {
		/* plus the system's ('*'): the audit chain of the region and
		 * holiday imports (the reference data copied), the calendar's
		 * generation and the duplicate sweep's mark (by complaint id,
		 * and ids are kept) */
		snprintf(r->where, sizeof(r->where), "tenant IN ('*', ?)");
	} else if (!strcmp(table, "mail_outbox")) {
		/* what was sent or given up, the record a citizen's data request
		 * lists; mail still waiting is the shared deployment's to send
		 * (copied, it would go out twice) */
		snprintf(r->where, sizeof(r->where), "tenant = ? AND (sent_at IS NOT NULL OR failed_at IS NOT NULL)");
	}
}

static void counted(void *ud, const char *table, int copied, int64_t source_rows, int64_t target_rows)
{
	export_ctx_t *x = ud;
	const char *why = left_behind_why(table);
	if (copied) {
		x->rows += target_rows;
		x->tables++;
		printf("  %-28s %10" PRId64 " %10" PRId64 "\n", table, source_rows, target_rows);
	} else {
		printf("  %-28s %10" PRId64 " %10s  (%s)\n", table, source_rows, "-", why ? why : "");
	}
}

/* The stored files that the export's rows name, one callback each. */
static int each_file(store_conn_t *c, int (*fn)(void *ud, const char *hash), void *ud)
{
	for (const files_ref_t *f = files_refs; f->table; f++) {
		store_stmt_t *s;
		char sql[200];
		int rc;
		snprintf(sql, sizeof(sql), "SELECT DISTINCT %s FROM %s WHERE %s IS NOT NULL AND %s <> ''", f->column, f->table,
			 f->column, f->column);
		if ((rc = store_prepare(c, sql, &s)) < 0)
			return rc;
		while ((rc = store_step(s)) == STORE_ROW && (rc = fn(ud, store_col_text(s, 0))) >= 0)
			;
		store_finalize(s);
		if (rc < 0)
			return rc;
	}
	return 0;
}

typedef struct file_copy {
	const char *from, *to; /* NULL to: only counted */
	int64_t n, copied, missing, bytes;
} file_copy_t;

static int copy_file(void *ud, const char *hash)
{
	file_copy_t *fc = ud;
	sb_t data = SB_INIT;
	char got[FILES_HASH_LEN + 1], mime[128];
	int rc;
	fc->n++;
	if (!fc->to)
		return 0;
	rc = files_get(fc->from, hash, &data);
	if (rc == ERR_NOT_FOUND) {
		fprintf(stderr, "sigap: file %s is not in the file store %s\n", hash, fc->from);
		fc->missing++;
		rc = 0;
	} else if (rc == 0) {
		/* stored again under its hash, computed anew: a damaged file
		 * shows here instead of in the new deployment */
		rc = files_put(fc->to, data.buf, data.len, NULL, got, mime, sizeof(mime));
		if (rc == 0 && strcmp(got, hash))
			rc = store_fail(ERR_INVALID, "file %s in %s does not match its hash", hash, fc->from);
		if (rc == 0) {
			fc->copied++;
			fc->bytes += (int64_t)data.len;
		}
	}
	sb_release(&data);
	return rc;
}

static void remove_db(const char *path)
{
	char side[4200];
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int tenant_export(store_t *src, const char *tenant, const char *out, const char *data_dir, const char *files_dir,
		  int allow_missing, store_progress_fn progress)
{
	export_ctx_t x = { tenant, "", 0, 0 };
	file_copy_t fc = { data_dir, files_dir, 0, 0, 0, 0 };
	audit_report_t own, all;
	struct timespec t0;
	struct stat sb;
	store_t *dst = NULL;
	char tmp[4096], err[512] = "", msg[512];
	int version = 0, rc, fd;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(x.province, sizeof(x.province), "%.2s", tenant);
	if (lstat(out, &sb) == 0) {
		fprintf(stderr, "sigap: '%s' exists; the export writes a new file only (nothing was changed)\n", out);
		return ERR_EXISTS;
	}
	/* beside the export, so that the final link stays on one file system */
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", out, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, "sigap: cannot create '%s': %s\n", tmp, strerror(errno));
		return ERR_IO;
	}
	close(fd);
	if ((rc = store_schema_version(src, &version)) < 0 || (rc = store_open(tmp, NULL, &dst)) < 0 ||
	    (rc = store_migrate_to(dst, version, NULL, NULL)) < 0) {
		snprintf(err, sizeof(err), "cannot make the new database: %s", store_errmsg());
		goto fail;
	}
	fprintf(stderr, "exporting %s -> %s (schema version %d)\n", tenant, out, version);
	printf("  %-28s %10s %10s\n", "table", "source", "exported");
	if ((rc = store_copy_selected(src, dst, select_rows, counted, progress, &x, err, sizeof(err))) < 0)
		goto fail;
	/* every chain in the file (the tenant's and the system's) verifies,
	 * the tenant's on its own too */
	if ((rc = audit_verify(dst, tenant, &own)) < 0 || (rc = audit_verify(dst, NULL, &all)) < 0) {
		snprintf(err, sizeof(err), "cannot read the exported audit log: %s", store_errmsg());
		goto fail;
	}
	if (!own.ok || !all.ok) {
		snprintf(err, sizeof(err), "the audit chain does not verify in the export: tenant '%s' entry %lld: %s",
			 own.ok ? all.tenant : own.tenant, (long long)(own.ok ? all.seq : own.seq),
			 own.ok ? all.message : own.message);
		rc = ERR_INVALID;
		goto fail;
	}
	if ((rc = store_integrity_check(dst, msg, sizeof(msg))) < 0) {
		snprintf(err, sizeof(err), "the export fails its integrity check: %s", msg);
		goto fail;
	}
	if ((rc = each_file(store_reader(dst), copy_file, &fc)) < 0) {
		snprintf(err, sizeof(err), "copying the files: %s", store_errmsg());
		goto fail;
	}
	if (fc.missing && !allow_missing) {
		snprintf(err, sizeof(err), "%lld of the %lld files the rows name are not in the file store %s (is "
					   "--data-dir the deployment's? --allow-missing-files exports without them)",
			 (long long)fc.missing, (long long)fc.n, data_dir);
		rc = ERR_NOT_FOUND;
		goto fail;
	}
	store_close(dst);
	dst = NULL;
	/* closed cleanly, SQLite folded its write-ahead log into the file:
	 * one self-contained file, then linked to its name (link, unlike
	 * rename, never replaces a file made there meanwhile) */
	{
		char wal[4200];
		snprintf(wal, sizeof(wal), "%s-wal", tmp);
		if (stat(wal, &sb) == 0 && sb.st_size > 0) {
			snprintf(err, sizeof(err), "the new database's write-ahead log was not folded in");
			rc = ERR_IO;
			goto fail;
		}
	}
	if (durable_sync_file(tmp) || link(tmp, out)) {
		snprintf(err, sizeof(err), errno == EEXIST ? "'%s' was made meanwhile; nothing was changed" : "cannot write '%s': %s",
			 out, strerror(errno));
		rc = ERR_IO;
		goto fail;
	}
	remove_db(tmp);
	if (durable_sync_parent(out))
		fprintf(stderr, "warning: cannot sync the directory of '%s' (%s): its name may not survive a power cut\n", out,
			strerror(errno));
	stat(out, &sb);
	printf("exported %s to %s: %lld rows in %lld tables, every count matching the source; "
	       "audit chain verified (%lld entries of %s, %lld in %lld chains); %.1f MB in %.1f s\n",
	       tenant, out, (long long)x.rows, (long long)x.tables, (long long)own.entries, tenant, (long long)all.entries,
	       (long long)all.tenants, (double)sb.st_size / 1e6, seconds_since(&t0));
	if (files_dir)
		printf("files: %lld referenced, %lld copied to %s (%.1f MB)\n", (long long)fc.n, (long long)fc.copied,
		       files_dir, (double)fc.bytes / 1e6);
	if (files_dir && fc.missing)
		printf("files: %lld missing from %s, left out (--allow-missing-files; listed above): the rows that name "
		       "them stay, and asking for such a file answers 404\n",
		       (long long)fc.missing, data_dir);
	else
		printf("files: %lld referenced by the export's rows, not copied (--files DIR copies them from %s)\n",
		       (long long)fc.n, data_dir);
	return 0;
fail:
	store_close(dst);
	remove_db(tmp);
	fprintf(stderr, "sigap: export failed: %s; no file was left at '%s'\n", err[0] ? err : store_errmsg(), out);
	return rc < 0 ? rc : ERR_INTERNAL;
}
