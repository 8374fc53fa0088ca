/* err.c: maps sigap error codes to HTTP statuses and names. */
#include "core/err.h"
#include "core/banned.h"

int err_http_status(int code)
{
	switch (code) {
	case ERR_OK: return 200;
	case ERR_INVALID: return 400;
	case ERR_NOT_FOUND: return 404;
	case ERR_EXISTS: return 409;
	case ERR_CONFLICT: return 409;
	case ERR_UNAUTHORIZED: return 401;
	case ERR_FORBIDDEN: return 403;
	case ERR_TOO_LARGE: return 413;
	case ERR_RATE_LIMITED: return 429;
	case ERR_UNAVAILABLE: return 503;
	case ERR_READ_ONLY: return 503;
	case ERR_METHOD: return 405;
	case ERR_UNSUPPORTED: return 415;
	default: return 500;
	}
}

const char *err_code_name(int code)
{
	switch (code) {
	case ERR_OK: return "ok";
	case ERR_INVALID: return "invalid";
	case ERR_NOT_FOUND: return "not_found";
	case ERR_EXISTS: return "exists";
	case ERR_CONFLICT: return "conflict";
	case ERR_UNAUTHORIZED: return "unauthorized";
	case ERR_FORBIDDEN: return "forbidden";
	case ERR_TOO_LARGE: return "too_large";
	case ERR_RATE_LIMITED: return "rate_limited";
	case ERR_UNAVAILABLE: return "unavailable";
	case ERR_READ_ONLY: return "read_only";
	case ERR_METHOD: return "method_not_allowed";
	case ERR_UNSUPPORTED: return "unsupported";
	default: return "internal";
	}
}
