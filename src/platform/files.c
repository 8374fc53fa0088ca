/*
 * files.c: the upload store (see platform.h). Files live outside the
 * database under their SHA-256, two levels deep (ab/abcdef...), written with
 * the classic durable sequence: temp file, fsync, rename, fsync of the
 * directory. The type is what libmagic sees in the bytes; the client's
 * Content-Type and file name are never trusted.
 */
#include "platform/platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/durable.h"
#include "core/banned.h"

static const char *const doc_types[] = { "application/pdf", "image/jpeg", "image/png", NULL };
static const char *const image_types[] = { "image/jpeg", "image/png", "image/webp", NULL };
const files_policy_t files_policy_documents = { doc_types, 5u << 20 };
const files_policy_t files_policy_images = { image_types, 5u << 20 };

static pthread_key_t magic_key;
static pthread_once_t magic_once = PTHREAD_ONCE_INIT;

static void magic_free(void *m)
{
	magic_close(m);
}

static void magic_init(void)
{
	pthread_key_create(&magic_key, magic_free);
}

int files_sniff(const void *data, size_t len, char *ret_mime, size_t mimelen)
{
	magic_t m;
	const char *t;
	pthread_once(&magic_once, magic_init);
	m = pthread_getspecific(magic_key);
	if (!m) {
		/* one libmagic handle per thread: it is not thread-safe */
		m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS);
		if (!m || magic_load(m, NULL) != 0) {
			if (m)
				magic_close(m);
			return store_fail(ERR_INTERNAL, "libmagic could not load its database");
		}
		pthread_setspecific(magic_key, m);
	}
	t = magic_buffer(m, data, len);
	snprintf(ret_mime, mimelen, "%s", t ? t : "application/octet-stream");
	return 0;
}

static int valid_hash(const char *h)
{
	if (!h || strlen(h) != FILES_HASH_LEN)
		return 0;
	for (const char *p = h; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

/* Makes dir and the parents it lacks, for the owner only (0700, whatever
 * the umask leaves): the store holds citizens' KTP and KK scans. A
 * directory that exists keeps its mode. */
static int mkdirs(const char *dir)
{
	char tmp[1024];
	size_t n = strlen(dir);
	if (n >= sizeof(tmp))
		return ERR_INVALID;
	memcpy(tmp, dir, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return ERR_IO;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return ERR_IO;
	return 0;
}

/* A write to the store that failed (a full disk, a quota, a read-only or
 * failing file system, a directory sigap may not write): the upload is
 * answered as the service being unavailable (503 with Retry-After), like a
 * database away, and the reason is logged for the operator, at most once a
 * minute (a full disk fails every upload). */
static int write_failed(const char *what, const char *path)
{
	static log_limit_t limit;
	int e = errno;
	if (log_limit_pass(&limit, 60, NULL))
		log_warn("file store: cannot %s '%s': %s; uploads are answered 503 until this is fixed", what, path,
			 strerror(e));
	return store_fail(ERR_UNAVAILABLE, "file store: cannot %s '%s': %s", what, path, strerror(e));
}

int files_put(const char *dir, const void *data, size_t len, const files_policy_t *policy,
	      char ret_hash[FILES_HASH_LEN + 1], char *ret_mime, size_t mimelen)
{
	unsigned char d[crypto_hash_sha256_BYTES];
	char sub[1100], path[1200], tmp[1220];
	int ok = 0, fd, rc;
	const unsigned char *p = data;
	size_t left = len;
	if (policy && policy->max_bytes && len > policy->max_bytes)
		return store_fail(ERR_TOO_LARGE, "file of %zu bytes is larger than %zu", len, policy->max_bytes);
	if (len == 0)
		return store_fail(ERR_INVALID, "empty file");
	if ((rc = files_sniff(data, len, ret_mime, mimelen)) < 0)
		return rc;
	for (const char *const *t = policy ? policy->types : NULL; t && *t; t++)
		if (!strcmp(*t, ret_mime))
			ok = 1;
	if (policy && policy->types && !ok)
		return store_fail(ERR_UNSUPPORTED, "file type '%s' is not allowed", ret_mime);
	crypto_hash_sha256(d, data, len);
	sodium_bin2hex(ret_hash, FILES_HASH_LEN + 1, d, sizeof(d));
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, ret_hash);
	snprintf(path, sizeof(path), "%s/%s", sub, ret_hash);
	/* same content already stored: touched, so that the clean-up
	 * (files_gc) sees it as stored now */
	if (utimensat(AT_FDCWD, path, NULL, 0) == 0)
		return 0;
	if (mkdirs(sub) < 0)
		return write_failed("create", sub);
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)gettid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600); /* the owner's only, as the directories */
	if (fd < 0)
		return write_failed("write", tmp);
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;
			close(fd);
			unlink(tmp);
			errno = e;
			return write_failed("write", tmp);
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) || close(fd) || rename(tmp, path) || durable_sync_dir(sub) < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return write_failed("store", path);
	}
	return 0;
}

int files_get(const char *dir, const char *hash, sb_t *out)
{
	char path[1200], buf[65536];
	FILE *f;
	size_t n;
	if (!valid_hash(hash))
		return ERR_INVALID;
	snprintf(path, sizeof(path), "%s/%.2s/%s", dir, hash, hash);
	f = fopen(path, "rb");
	if (!f)
		return ERR_NOT_FOUND;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(out, buf, n);
	fclose(f);
	return out->err ? ERR_NOMEM : 0;
}

/* ---------------------------------------------------------------- clean-up */

const files_ref_t files_refs[] = {
	{ "complaints_photos", "hash" },
	{ "services_files", "hash" },
	{ "services_apps", "result_hash" },
	{ "governance_attachments", "hash" },
	{ NULL, NULL },
};

/* 1 when a row refers to hash, 0 when none does, < 0 on a database error. */
static int referenced(store_conn_t *c, const char *hash)
{
	for (const files_ref_t *f = files_refs; f->table; f++) {
		char q[200];
		int64_t n = 0;
		int rc;
		snprintf(q, sizeof(q), "SELECT COUNT(*) FROM (SELECT 1 FROM %s WHERE %s = ? LIMIT 1) x", f->table, f->column);
		if ((rc = store_query_int64(c, &n, q, "t", hash)) < 0)
			return rc;
		if (n)
			return 1;
	}
	return 0;
}

/* Removes path (a stored file no row referred to when asked) unless it was
 * stored again meanwhile: moved aside, then put back if its time moved. */
static int remove_unless_touched(const char *path, const struct stat *seen)
{
	char aside[1300];
	struct stat now;
	snprintf(aside, sizeof(aside), "%s.gc", path);
	if (rename(path, aside) != 0)
		return 0; /* gone already (another instance) */
	if (stat(aside, &now) == 0 &&
	    (now.st_mtim.tv_sec != seen->st_mtim.tv_sec || now.st_mtim.tv_nsec != seen->st_mtim.tv_nsec)) {
		/* files_put touched it between the look and the move */
		rename(aside, path);
		return 0;
	}
	return unlink(aside) == 0;
}

static int gc_dir(store_conn_t *c, const char *sub, int64_t cutoff, int *removed)
{
	DIR *d = opendir(sub);
	struct dirent *e;
	int rc = 0;
	if (!d)
		return errno == ENOENT ? 0 : store_fail(ERR_IO, "cannot read '%s': %s", sub, strerror(errno));
	while (rc >= 0 && (e = readdir(d))) {
		char path[1200], hash[FILES_HASH_LEN + 1];
		size_t n = strlen(e->d_name);
		struct stat st;
		if (n < FILES_HASH_LEN)
			continue;
		memcpy(hash, e->d_name, FILES_HASH_LEN);
		hash[FILES_HASH_LEN] = '\0';
		if (!valid_hash(hash) || strncmp(hash, sub + strlen(sub) - 2, 2) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", sub, e->d_name);
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || (int64_t)st.st_mtim.tv_sec >= cutoff)
			continue;
		if (n > FILES_HASH_LEN) {
			/* an interrupted write's temp file, or a file a crashed
			 * clean-up moved aside: the latter is judged as the file */
			if (!strcmp(e->d_name + FILES_HASH_LEN, ".gc")) {
				char back[1200];
				if ((rc = referenced(c, hash)) < 0)
					break;
				snprintf(back, sizeof(back), "%s/%s", sub, hash);
				if (rc == 1)
					rename(path, back);
				else if (unlink(path) == 0)
					(*removed)++;
				rc = 0;
			} else if (!strncmp(e->d_name + FILES_HASH_LEN, ".tmp", 4) && unlink(path) == 0) {
				(*removed)++;
			}
			continue;
		}
		if ((rc = referenced(c, hash)) < 0)
			break;
		if (rc == 0)
			*removed += remove_unless_touched(path, &st);
		rc = 0;
	}
	closedir(d);
	return rc;
}

int files_gc(store_t *st, const char *dir, int64_t now, int64_t grace, int first, int count, int *ret_removed)
{
	store_conn_t *c = store_reader(st);
	int removed = 0, rc = 0;
	if (!c)
		return ERR_UNAVAILABLE;
	for (int i = 0; i < count && i < 256 && rc >= 0; i++) {
		char sub[1100];
		snprintf(sub, sizeof(sub), "%s/%02x", dir, (unsigned)(first + i) & 0xff);
		rc = gc_dir(c, sub, now - grace, &removed);
	}
	if (ret_removed)
		*ret_removed = removed;
	return rc < 0 ? rc : 0;
}

static char gc_root[1024];
static unsigned gc_next;
static int gc_per_run = FILES_GC_SLICE;
static pthread_mutex_t gc_lock = PTHREAD_MUTEX_INITIALIZER;

void files_gc_set_dir(const char *dir, int per_run)
{
	pthread_mutex_lock(&gc_lock);
	snprintf(gc_root, sizeof(gc_root), "%s", dir ? dir : "");
	gc_per_run = per_run < 1 ? 1 : per_run > 256 ? 256 : per_run;
	pthread_mutex_unlock(&gc_lock);
}

int files_gc_job(store_t *st, int64_t now)
{
	char dir[1024];
	unsigned first;
	int removed = 0, rc, count;
	pthread_mutex_lock(&gc_lock);
	snprintf(dir, sizeof(dir), "%s", gc_root);
	first = gc_next;
	count = gc_per_run;
	gc_next = (gc_next + (unsigned)count) & 0xff;
	pthread_mutex_unlock(&gc_lock);
	if (!dir[0])
		return 0;
	rc = files_gc(st, dir, now, FILES_GC_GRACE, (int)first, count, &removed);
	return rc < 0 ? rc : removed;
}
