/*
 * log.h: sigap's diagnostic log (stderr) and access log. Each line is written
 * with a single write(2), so lines from several threads never interleave.
 * Messages are lower-case and quote values ('x'); never pass secrets
 * (passwords, tokens, NIKs) to these functions.
 */
#ifndef SIGAP_LOG_H
#define SIGAP_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

void log_set_level(enum log_level lvl);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
/* error() in git's style: logs and returns -1-ish code. */
int log_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A limit on how often one kind of line is written (a full disk, a
 * database away: every request fails the same way). Zero-initialised. */
typedef struct log_limit {
	long long last;          /* time() of the last line let through */
	unsigned long long left; /* lines left out since */
} log_limit_t;
/* 1 when a line may be written now (at most once per seconds for l, from
 * any thread), with *ret_left (may be NULL) the lines left out since the
 * last one; 0 when this one is to be left out (counted). */
int log_limit_pass(log_limit_t *l, int seconds, unsigned long long *ret_left);

/* Access log: path "-" is stdout, NULL or "" disables it. 0 or ERR_IO. */
int log_access_open(const char *path);
/* Opens the access log's file again by its path, for log rotation (SIGHUP:
 * logrotate moves the file, then signals): the lines after it go to the new
 * file. Nothing for "-" or no log. 0, or ERR_IO (logged) with the old file
 * kept. */
int log_access_reopen(void);
void log_access_close(void);
int log_access_enabled(void);
/* Writes one access-log line (already formatted, without newline). */
void log_access_line(const char *line, size_t len);

#endif
