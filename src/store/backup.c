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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/sb.h"
#include "core/durable.h"
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

/* Makes path an empty file only its owner may read (0600, whatever the
 * umask): a backup holds the personal data of every Pemda in the database
 * (NIKs, addresses, password hashes, second-factor secrets). SQLite and
 * pg_dump then write into it and keep its mode. */
static int create_private(const char *path, char *err, size_t errlen)
{
	int fd;
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		return ERR_IO;
	}
	close(fd);
	return 0;
}

/* 1 when out names the SQLite database at path or its -wal or -shm file
 * (the same file under another name too). The backup is renamed onto out,
 * so `--out` naming the live database replaced it under the running
 * server: its connections kept writing into the unlinked file, and every
 * change acknowledged from then on was gone at the next start. */
static int is_database_file(const char *path, const char *out)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	struct stat o, d;
	if (stat(out, &o))
		return 0;
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		char name[4200];
		snprintf(name, sizeof(name), "%s%s", path, suffix[i]);
		if (stat(name, &d) == 0 && d.st_dev == o.st_dev && d.st_ino == o.st_ino)
			return 1;
	}
	return 0;
}

/* 1 when a process has the SQLite database at path open (a running sigap,
 * a sigap command, the sqlite3 shell). Every connection to a WAL database
 * holds a shared lock on the file while it is open, so an exclusive lock
 * cannot be had; a file that is not there or not a database is not in use.
 * Replacing the file under a running server lost what it wrote afterwards:
 * it kept writing into the unlinked file. */
static int sqlite_in_use(const char *path)
{
	sqlite3 *db = NULL;
	int rc, busy;
	if (access(path, F_OK))
		return 0;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE; SELECT COUNT(*) FROM sqlite_master", NULL, NULL,
				  NULL);
	busy = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
	sqlite3_close(db);
	return busy;
}

int store_backup(const char *url, const char *out, char *err, size_t errlen)
{
	char tmp[4096];
	int rc;
	if (!is_pg(url) && access(sqlite_path(url), R_OK)) {
		snprintf(err, errlen, "cannot read database '%s': %s", sqlite_path(url), strerror(errno));
		return ERR_NOT_FOUND;
	}
	if (!is_pg(url) && is_database_file(sqlite_path(url), out)) {
		snprintf(err, errlen, "'%s' is the database itself (or its -wal or -shm file); write the backup "
			 "to another file, e.g. /backup/sigap-$(date +%%F).db", out);
		return ERR_INVALID;
	}
	/* written beside out and renamed into place when whole: a backup that
	 * failed half-way never stands under the name of a good one */
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", out, (long)getpid());
	if ((rc = create_private(tmp, err, errlen)) < 0)
		return rc;
	if (is_pg(url)) {
		char *argv[] = { "pg_dump", "--format=custom", "--no-owner", "--file", tmp, "--dbname", (char *)url,
				 NULL };
		rc = run(argv, err, errlen);
	} else {
		rc = sqlite_copy(sqlite_path(url), tmp, 1, err, errlen);
		if (rc == 0)
			rc = sqlite_check(tmp, err, errlen);
	}
	if (rc == 0 && (durable_sync_file(tmp) || rename(tmp, out) || durable_sync_parent(out))) {
		snprintf(err, errlen, "cannot write '%s': %s", out, strerror(errno));
		rc = ERR_IO;
	}
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* The names of the tables in a pg_dump archive, as "\nname\n" entries of
 * out (its table of contents, `pg_restore --list`: "5; 1259 16390 TABLE
 * public regions owner"). */
static int pg_dump_tables(const char *in, sb_t *out, char *err, size_t errlen)
{
	char *argv[] = { "pg_restore", "--list", (char *)in, NULL };
	posix_spawn_file_actions_t fa;
	int fds[2], status, rc = 0;
	pid_t pid;
	sb_t toc = SB_INIT;
	char buf[4096];
	ssize_t n;
	if (pipe(fds)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return ERR_IO;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		snprintf(err, errlen, "cannot run pg_restore: %s (install the postgresql-client package)", strerror(errno));
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return ERR_UNAVAILABLE;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			sb_add(&toc, buf, (size_t)n);
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "pg_restore --list failed: is '%s' a backup made by 'sigap backup'?", in);
		rc = ERR_INVALID;
	}
	sb_addch(out, '\n');
	for (char *line = toc.buf, *next; rc == 0 && line && *line; line = next) {
		char schema[256], name[256];
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == ';')
			continue;
		/* "TABLE public x owner" (not "TABLE DATA public x owner") */
		{
			const char *t = strstr(line, " TABLE ");
			if (t && sscanf(t, " TABLE %255s %255s", schema, name) == 2 && strcmp(schema, "DATA"))
				sb_addf(out, "%s\n", name);
		}
	}
	sb_release(&toc);
	if (rc == 0 && out->err)
		rc = ERR_NOMEM;
	return rc;
}

/* Tables of the target's schema that the backup does not have: those a
 * newer release's migrations made after it. pg_restore --clean drops and
 * makes again only what is in the backup, so they stayed, and the next
 * `sigap migrate` failed on them ("relation ... already exists"). Without
 * force: refused before anything changes; with force: dropped after the
 * restore succeeded, as a SQLite file is replaced whole. */
struct extra_tables {
	const char *backup; /* "\nname\n..." */
	sb_t names;         /* "name\n..." */
};

static int pg_extra_tables(const char *url, struct extra_tables *x, char *err, size_t errlen)
{
	store_t *st = NULL;
	store_stmt_t *q = NULL;
	int rc = store_open(url, NULL, &st);
	if (rc == 0)
		rc = store_prepare(store_reader(st),
				   "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
				   "AND table_type = 'BASE TABLE' ORDER BY table_name",
				   &q);
	while (rc >= 0 && (rc = store_step(q)) == STORE_ROW) {
		const char *t = store_col_text(q, 0);
		char key[300];
		snprintf(key, sizeof(key), "\n%s\n", t);
		if (!strstr(x->backup, key))
			sb_addf(&x->names, "%s\n", t);
	}
	store_finalize(q);
	if (rc < 0)
		snprintf(err, errlen, "cannot list the tables of the target: %s", store_errmsg());
	store_close(st);
	return rc < 0 ? rc : 0;
}

static int pg_drop_tables(const char *url, const char *names, char *err, size_t errlen)
{
	store_t *st = NULL;
	sb_t sql = SB_INIT;
	int rc = store_open(url, NULL, &st);
	/* identifiers cannot be bound: each quoted, '"' doubled */
	for (const char *p = names; rc == 0 && *p; p++) {
		sb_adds(&sql, "DROP TABLE IF EXISTS \"");
		for (; *p && *p != '\n'; p++) {
			if (*p == '"')
				sb_addch(&sql, '"');
			sb_addch(&sql, *p);
		}
		sb_adds(&sql, "\" CASCADE;");
		if (!*p)
			break;
	}
	if (rc == 0 && sql.err)
		rc = ERR_NOMEM;
	if (rc == 0 && sql.len)
		rc = store_exec_script(store_reader(st), sql.buf);
	if (rc < 0)
		snprintf(err, errlen, "restored, but the tables made after the backup could not be dropped (%s): %s",
			 names, store_errmsg());
	sb_release(&sql);
	store_close(st);
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
		sb_t backup = SB_INIT;
		struct extra_tables x = { NULL, SB_INIT };
		rc = pg_dump_tables(in, &backup, err, errlen);
		x.backup = backup.buf;
		if (rc == 0)
			rc = pg_extra_tables(url, &x, err, errlen);
		if (rc == 0 && x.names.len && !force) {
			for (size_t i = 0; i + 1 < x.names.len; i++)
				if (x.names.buf[i] == '\n')
					x.names.buf[i] = ' ';
			snprintf(err, errlen,
				 "the database has tables the backup does not (%.*s: made after it, by a newer release's "
				 "migrations?); pg_restore would leave them and the next 'sigap migrate' would fail on "
				 "them. Stop sigap and use --force to restore and drop them",
				 (int)x.names.len - 1, x.names.buf);
			rc = ERR_EXISTS;
		}
		if (rc == 0)
			rc = run(argv, err, errlen);
		if (rc == 0 && x.names.len)
			rc = pg_drop_tables(url, x.names.buf, err, errlen);
		sb_release(&backup);
		sb_release(&x.names);
		return rc;
	}
	path = sqlite_path(url);
	if (!force && access(path, F_OK) == 0) {
		snprintf(err, errlen, "'%s' exists; stop sigap and use --force to replace it", path);
		return ERR_EXISTS;
	}
	if ((rc = sqlite_check(in, err, errlen)) < 0)
		return rc;
	if (sqlite_in_use(path)) {
		snprintf(err, errlen, "'%s' is in use (a running sigap, or another program has it open): stop it "
			 "first (systemctl stop sigap); nothing was changed", path);
		return ERR_UNAVAILABLE;
	}
	/* owner-only from the start, whatever the umask, as `sigap init` makes
	 * a database and `sigap backup` a backup: it holds every Pemda's
	 * personal data (restored, it was 0644 under umask 022) */
	snprintf(tmp, sizeof(tmp), "%s.restore%ld", path, (long)getpid());
	if ((rc = create_private(tmp, err, errlen)) < 0)
		return rc;
	/* the operator restores as root a database the service's own user
	 * opens: the file it replaces keeps its owner (a root-owned 0600 file
	 * would stop the service from opening it) */
	{
		struct stat old;
		if (stat(path, &old) == 0 && (old.st_uid != geteuid() || old.st_gid != getegid()) &&
		    chown(tmp, old.st_uid, old.st_gid) < 0 && geteuid() == 0) {
			snprintf(err, errlen, "cannot give '%s' the owner of '%s': %s", tmp, path, strerror(errno));
			unlink(tmp);
			return ERR_IO;
		}
	}
	rc = sqlite_copy(in, tmp, 1, err, errlen);
	if (rc == 0 && durable_sync_file(tmp) == 0) {
		char wal[4200], shm[4200];
		snprintf(wal, sizeof(wal), "%s-wal", path);
		snprintf(shm, sizeof(shm), "%s-shm", path);
		unlink(wal);
		unlink(shm);
		/* the directory too: else a power cut could bring the old database back */
		if (rename(tmp, path) || durable_sync_parent(path)) {
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
