/*
 * err.h: sigap's error codes. Every function that can fail returns int: 0 on
 * success, one of the negative codes below on failure. err_http_status() is
 * the one place that maps a code to an HTTP status; err_code_name() gives the
 * stable machine-readable name used in JSON errors.
 */
#ifndef SIGAP_ERR_H
#define SIGAP_ERR_H

enum {
	ERR_OK = 0,
	ERR_INVALID = -1,      /* bad input from the user: 400 */
	ERR_NOT_FOUND = -2,    /* 404 */
	ERR_EXISTS = -3,       /* duplicate key: 409 */
	ERR_CONFLICT = -4,     /* stale version / wrong state: 409 */
	ERR_UNAUTHORIZED = -5, /* not logged in / bad credentials: 401 */
	ERR_FORBIDDEN = -6,    /* logged in but not allowed: 403 */
	ERR_TOO_LARGE = -7,    /* 413 */
	ERR_RATE_LIMITED = -8, /* 429 */
	ERR_UNAVAILABLE = -9,  /* database down, shutting down: 503 */
	ERR_NOMEM = -10,       /* 500 */
	ERR_IO = -11,          /* file or socket failure: 500 */
	ERR_DB = -12,          /* unexpected database error: 500 */
	ERR_INTERNAL = -13,    /* bug: 500 */
	ERR_METHOD = -14,      /* method not allowed: 405 */
	ERR_UNSUPPORTED = -15, /* unsupported media type / feature: 415 */
	ERR_READ_ONLY = -16,   /* the database refuses writes (a read replica): 503 */
};

/* HTTP status for an error code (500 for unknown codes). */
int err_http_status(int code);
/* Stable lower-case name, e.g. "not_found". Never NULL. */
const char *err_code_name(int code);

#endif
