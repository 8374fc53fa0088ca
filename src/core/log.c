/* log.c: diagnostic and access logs (see log.h). */
#include "core/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/banned.h"

static enum log_level min_level = LOG_INFO;
static int access_fd = -1;
static char access_path[4096]; /* a file's, for log_access_reopen() */

void log_set_level(enum log_level lvl)
{
	min_level = lvl;
}

static void vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	char buf[2048];
	struct tm tm;
	time_t now = time(NULL);
	int n;
	size_t len;
	if (lvl < min_level)
		return;
	gmtime_r(&now, &tm);
	n = (int)strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s: ", names[lvl]);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	len = strlen(buf);
	buf[len++] = '\n';
	if (write(2, buf, len) < 0) {
		/* nowhere left to report it */
	}
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

int log_fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_ERROR, fmt, ap);
	va_end(ap);
	return code;
}

int log_limit_pass(log_limit_t *l, int seconds, unsigned long long *ret_left)
{
	long long now = (long long)time(NULL), prev = __atomic_load_n(&l->last, __ATOMIC_RELAXED);
	if (now - prev < seconds ||
	    !__atomic_compare_exchange_n(&l->last, &prev, now, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		__atomic_add_fetch(&l->left, 1, __ATOMIC_RELAXED);
		return 0;
	}
	if (ret_left)
		*ret_left = __atomic_exchange_n(&l->left, 0, __ATOMIC_RELAXED);
	return 1;
}

int log_access_open(const char *path)
{
	log_access_close();
	if (!path || !*path)
		return 0;
	if (!strcmp(path, "-")) {
		access_fd = 1;
		return 0;
	}
	if (strlen(path) >= sizeof(access_path))
		return log_fail(ERR_INVALID, "access log path too long");
	access_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (access_fd < 0)
		return log_fail(ERR_IO, "cannot open access log '%s'", path);
	snprintf(access_path, sizeof(access_path), "%s", path);
	return 0;
}

int log_access_reopen(void)
{
	int fd;
	if (access_fd <= 2 || !access_path[0])
		return 0; /* off, or stdout */
	fd = open(access_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return log_fail(ERR_IO, "cannot reopen access log '%s'; still writing to the old file", access_path);
	/* one atomic swap under the writers: a line goes whole to the old file
	 * or to the new one */
	if (dup3(fd, access_fd, O_CLOEXEC) < 0) {
		close(fd);
		return log_fail(ERR_IO, "cannot reopen access log '%s'; still writing to the old file", access_path);
	}
	close(fd);
	return 0;
}

void log_access_close(void)
{
	if (access_fd > 2)
		close(access_fd);
	access_fd = -1;
	access_path[0] = '\0';
}

int log_access_enabled(void)
{
	return access_fd >= 0;
}

void log_access_line(const char *line, size_t len)
{
	char buf[4096];
	if (access_fd < 0)
		return;
	if (len > sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	memcpy(buf, line, len);
	buf[len++] = '\n';
	if (write(access_fd, buf, len) < 0) {
		/* dropping an access-log line is better than blocking a worker */
	}
}
