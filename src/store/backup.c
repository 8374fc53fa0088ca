/*
 * backup.c: online backups and restores (store.h). SQLite uses its backup
 * API, which copies a consistent snapshot page by page while the server
 * keeps writing (WAL readers are not blocked), into a temporary file that is
 * fsynced and renamed into place. PostgreSQL uses pg_dump / pg_restore from
 * the client packages, run without a shell. The URL is passed as an argument:
 * on a shared machine give the password in ~/.pgpass or PGPASSWORD instead of
 * in the URL, so that it does not show in the process list.
 */
#include "store/store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/banned.h"

extern char **environ;

static int is_pg(const char *url)
{
	return !strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11);
}

static const char *sqlite_path(const char *url)
{
	return !strncmp(url, "sqlite:", 7) ? url + 7 : url;
}

static int run(char *const argv[], char *err, size_t errlen)
{
	pid_t pid;
	int status;
	if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0) {
		snprintf(err, errlen, "cannot run %s: %s (install the postgresql-client package)", argv[0],
			 strerror(errno));
		return ERR_UNAVAILABLE;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "%s failed (exit status %d)", argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return ERR_IO;
	}
	return 0;
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int sqlite_copy(const char *src_path, const char *dst_path, int src_readonly, char *err, size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b;
	int rc;
	rc = sqlite3_open_v2(src_path, &src, src_readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open '%s': %s", dst ? dst_path : src_path,
			 sqlite3_errmsg(dst ? dst : src));
		sqlite3_close(src);
		sqlite3_close(dst);
		return ERR_IO;
	}
	sqlite3_busy_timeout(src, 10000);
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		snprintf(err, errlen, "backup failed: %s", sqlite3_errmsg(dst));
		sqlite3_close(src);
		sqlite3_close(dst);
		return ERR_IO;
	}
	/* Copy in steps: between steps the source is not locked, so the server
	 * keeps writing; if it changes a page, SQLite restarts the copy. */
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "backup failed: %s", sqlite3_errstr(rc));
		sqlite3_close(src);
		sqlite3_close(dst);
		return ERR_IO;
	}
	/* a single self-contained file: no WAL beside it */
	sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	sqlite3_close(src);
	sqlite3_close(dst);
	return 0;
}

static int sqlite_check(const char *path, char *err, size_t errlen)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	int ok = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open '%s'", path);
		sqlite3_close(db);
		return ERR_INVALID;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(q, 0), "ok"))
			ok = 1;
		sqlite3_finalize(q);
	}
	if (ok && sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM schema_version", -1, &q, NULL) != SQLITE_OK)
		ok = 0;
	else if (ok)
		sqlite3_finalize(q);
	sqlite3_close(db);
	if (!ok) {
		snprintf(err, errlen, "'%s' is not a sound sigap database (integrity check failed)", path);
		return ERR_INVALID;
	}
	return 0;
}

int store_backup(const char *url, const char *out, char *err, size_t errlen)
{
	char tmp[4096];
	int rc;
	if (is_pg(url)) {
		char *argv[] = { "pg_dump", "--format=custom", "--no-owner", "--file", (char *)out, "--dbname",
				 (char *)url, NULL };
		return run(argv, err, errlen);
	}
	if (access(sqlite_path(url), R_OK)) {
		snprintf(err, errlen, "cannot read database '%s': %s", sqlite_path(url), strerror(errno));
		return ERR_NOT_FOUND;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", out, (long)getpid());
	unlink(tmp);
	rc = sqlite_copy(sqlite_path(url), tmp, 1, err, errlen);
	if (rc == 0)
		rc = sqlite_check(tmp, err, errlen);
	if (rc == 0 && (fsync_path(tmp) || rename(tmp, out))) {
		snprintf(err, errlen, "cannot write '%s': %s", out, strerror(errno));
		rc = ERR_IO;
	}
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int store_restore(const char *url, const char *in, int force, char *err, size_t errlen)
{
	char tmp[4096];
	const char *path;
	int rc;
	if (access(in, R_OK)) {
		snprintf(err, errlen, "cannot read backup '%s': %s", in, strerror(errno));
		return ERR_NOT_FOUND;
	}
	if (is_pg(url)) {
		char *argv[] = { "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
				 "--dbname", (char *)url, (char *)in, NULL };
		return run(argv, err, errlen);
	}
	path = sqlite_path(url);
	if (!force && access(path, F_OK) == 0) {
		snprintf(err, errlen, "'%s' exists; stop sigap and use --force to replace it", path);
		return ERR_EXISTS;
	}
	if ((rc = sqlite_check(in, err, errlen)) < 0)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.restore%ld", path, (long)getpid());
	unlink(tmp);
	rc = sqlite_copy(in, tmp, 1, err, errlen);
	if (rc == 0 && fsync_path(tmp) == 0) {
		char wal[4200], shm[4200];
		snprintf(wal, sizeof(wal), "%s-wal", path);
		snprintf(shm, sizeof(shm), "%s-shm", path);
		unlink(wal);
		unlink(shm);
		if (rename(tmp, path)) {
			snprintf(err, errlen, "cannot replace '%s': %s", path, strerror(errno));
			rc = ERR_IO;
		}
	} else if (rc == 0) {
		snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
		rc = ERR_IO;
	}
	if (rc < 0)
		unlink(tmp);
	return rc;
}
