/*
 * parse.h: parsers for the untrusted parts of an HTTP request: the request
 * path, query strings and urlencoded forms, the Cookie header, and
 * multipart/form-data bodies; plus route matching, Content-Type matching and
 * UTF-8 validation. They know nothing of h2o: the server passes raw bytes
 * (pointer + length, not necessarily NUL-terminated) and gets back decoded,
 * NUL-terminated strings allocated from the request's arena (core/arena.h),
 * so nothing here needs freeing on its own.
 *
 * Common guarantees:
 *  - Input is never trusted: malformed input returns ERR_INVALID, exceeded
 *    limits ERR_TOO_LARGE, arena exhaustion ERR_NOMEM. Nothing asserts on
 *    input, nothing reads outside [s, s + len).
 *  - On error, output parameters are left empty (lists with n == 0,
 *    pointers NULL); partial results are never handed out.
 *  - Decoded strings never contain NUL bytes and are valid UTF-8 unless a
 *    function says otherwise (cookie values are passed through as sent).
 *  - Limits are documented per function; see docs/parsers.md.
 */
#ifndef SIGAP_HTTP_PARSE_H
#define SIGAP_HTTP_PARSE_H

#include <stddef.h>

#include "core/arena.h"

/* One name/value pair. key and val are NUL-terminated and never NULL (an
 * absent value is ""); the lengths exclude the NUL. */
typedef struct kv {
	char *key;
	size_t key_len;
	char *val;
	size_t val_len;
} kv_t;

/* A list of pairs in input order, duplicates kept. items is arena memory
 * (NULL when n == 0). */
typedef struct kvlist {
	kv_t *items;
	size_t n, cap;
} kvlist_t;

#define KVLIST_INIT { NULL, 0, 0 }

/* Upper bound on the pairs cookie_parse() accepts (ERR_TOO_LARGE beyond). */
#define PARSE_MAX_COOKIES 64
/* Upper bound on the bytes of one part's header block in multipart_parse(). */
#define PARSE_MAX_PART_HEADER 8192

void kvlist_init(kvlist_t *l);
/* Appends copies of key and val (NUL-terminated in the arena). The bytes are
 * copied as they are: no decoding, no validation. 0 or ERR_NOMEM. */
int kvlist_add(arena_t *a, kvlist_t *l, const char *key, size_t key_len,
	       const char *val, size_t val_len);

/*
 * Percent-decodes s[0..len) into a NUL-terminated arena string; '+' becomes a
 * space when plus_is_space (forms and query strings), stays '+' otherwise
 * (paths). Returns 0, ERR_INVALID on a '%' not followed by two hex digits
 * or on a NUL byte (raw or %00), or ERR_NOMEM. ret_len may be NULL. The
 * result is not checked for UTF-8; see utf8_valid().
 */
int url_decode(arena_t *a, const char *s, size_t len, int plus_is_space,
	       char **ret, size_t *ret_len);

/*
 * Parses a query string or an application/x-www-form-urlencoded body
 * ("a=1&b=x+y&c") into *ret, which is overwritten (no need to initialise
 * it). Pairs are split on '&' only; a pair without '=' has the value "";
 * empty pairs ("a=1&&b=2") are skipped; an empty key ("=x") is kept as "".
 * Keys and values are decoded with url_decode(plus_is_space = 1) and must be
 * valid UTF-8. Returns 0, ERR_TOO_LARGE when there are more than max_fields
 * non-empty pairs, ERR_INVALID on a bad escape, NUL or invalid UTF-8, or
 * ERR_NOMEM. The caller limits len itself (the server's body size limit).
 */
int form_parse(arena_t *a, const char *s, size_t len, size_t max_fields,
	       kvlist_t *ret);

/* First value for key (exact, case-sensitive), or NULL. l may be NULL. */
const char *kv_get(const kvlist_t *l, const char *key);
/* Stores up to max values for key (repeated keys, e.g. checkboxes) in out,
 * in input order, and returns how many it stored (<= max). */
size_t kv_get_all(const kvlist_t *l, const char *key, const char **out,
		  size_t max);

/*
 * Parses a Cookie request header ("a=1; b=2") into *ret (overwritten), in
 * the RFC 6265 section 5.4 spirit: pairs split on ';', spaces and tabs
 * trimmed, one pair of double quotes around a value stripped, values not
 * decoded. Pairs that are invalid are skipped, not fatal: no '=', a name that
 * is empty or not an RFC 7230 token, a value with control characters, a
 * stray '"' or invalid UTF-8. Duplicate names are kept in order (kv_get()
 * gives the first). Returns 0, ERR_TOO_LARGE beyond PARSE_MAX_COOKIES valid
 * pairs, or ERR_NOMEM.
 */
int cookie_parse(arena_t *a, const char *s, size_t len, kvlist_t *ret);

/*
 * Splits a request target "/a/b?x=1" into the percent-decoded path
 * ("/a/b", '+' kept) and the raw query ("x=1", still encoded: give it to
 * form_parse()). A '#' fragment, if a client sends one, is dropped. Both
 * results are NUL-terminated arena strings, never NULL; the query is "" when
 * there is no '?'. Returns ERR_INVALID when the target does not start with
 * '/', has a bad escape, or its decoded path contains a NUL or other control
 * character, invalid UTF-8, or a "." or ".." segment (so "/a/%2e%2e/b" and
 * "/a%2f..%2fb" are rejected too); ERR_NOMEM on OOM.
 */
int path_split(arena_t *a, const char *s, size_t len, char **ret_path,
	       char **ret_query);

/*
 * Matches a route pattern against a decoded path (both NUL-terminated).
 * Pattern segments are literal ("services"), a parameter "{name}" that
 * matches exactly one non-empty segment, or a last segment that is a lone
 * '*', which matches the rest of the path, empty or not: the pattern
 * "/files" + "/" + "*" matches "/files", "/files/" and "/files/a/b".
 * Otherwise the match is exact, trailing slash included.
 *
 * On a match returns 1 and fills params[0..*ret_n) in pattern order; a "*"
 * is reported under the key "*" with the rest of the path (without its
 * leading '/'). NOTE: params point into pattern and path and are NOT
 * NUL-terminated: use key_len/val_len, or route_param() for a copy. Returns 0
 * when the path does not match, ERR_INVALID when the pattern is malformed
 * (an unclosed '{', a '*' that is not the last segment) or has more
 * parameters than max_params. ret_n may be NULL; params may be NULL when
 * max_params is 0.
 */
int route_match(const char *pattern, const char *path, kv_t *params,
		size_t max_params, size_t *ret_n);
/* The pattern check of route_match() alone: the number of parameters the
 * pattern binds, or ERR_INVALID (malformed, or more than max_params). */
int route_valid(const char *pattern, size_t max_params);
/* route_match() for a pattern route_valid() accepted with a max_params that
 * params has room for: the same answers, without checking the pattern again
 * (the router checks its tables once, at start, and matches every request
 * against them). */
int route_match_valid(const char *pattern, const char *path, kv_t *params, size_t *ret_n);
/* NUL-terminated arena copy of the route parameter name from
 * route_match()'s output, or NULL when absent (or on OOM). */
char *route_param(arena_t *a, const kv_t *params, size_t n, const char *name);

/*
 * One part of a multipart/form-data body. name is the form field name
 * (never NULL, may be ""); filename is NULL for ordinary fields and "" or the
 * client's name for file fields: UNTRUSTED, never use it as a path.
 * content_type is the part's Content-Type, "text/plain" when absent
 * (RFC 7578 section 4.4; then a static string: treat it as read-only). data/len point into the body passed to
 * multipart_parse() (no copy), so the body must outlive the parts.
 */
typedef struct mp_part {
	char *name;
	char *filename;
	char *content_type;
	const char *data;
	size_t len;
} mp_part_t;

/*
 * Parses a multipart/form-data body (RFC 7578 / RFC 2046). The boundary is
 * taken from content_type's boundary parameter (quoted or not, 1 to 70
 * characters). Lines must end in CRLF; a preamble before the first
 * delimiter and an epilogue after the close delimiter are ignored. Each
 * part needs a Content-Disposition: form-data header with a name; other
 * headers except Content-Type are ignored. Returns 0 with *ret_parts (arena
 * array, NULL when *ret_n is 0) and *ret_n; ERR_UNSUPPORTED when
 * content_type is not multipart/form-data; ERR_INVALID when the boundary is
 * missing or bad, or the body is malformed (no close delimiter, a header
 * line without ':', headers longer than PARSE_MAX_PART_HEADER, a name or
 * filename with control characters or invalid UTF-8); ERR_TOO_LARGE beyond
 * max_parts parts; ERR_NOMEM.
 */
int multipart_parse(arena_t *a, const char *content_type, const char *body,
		    size_t len, size_t max_parts, mp_part_t **ret_parts,
		    size_t *ret_n);

/*
 * 1 when the media type of the Content-Type value ct[0..len) equals media
 * (NUL-terminated, e.g. "application/json"), ignoring case, surrounding
 * whitespace and parameters; 0 otherwise (also when ct is NULL).
 */
int content_type_is(const char *ct, size_t len, const char *media);

/* 1 when s[0..len) is valid UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF), 0 otherwise. NUL bytes are valid UTF-8 here. */
int utf8_valid(const char *s, size_t len);

/* The key under which limits per client address count (sign-in, sign-up,
 * password reset, complaints): an IPv4 address as it is (also written
 * ::ffff:a.b.c.d), an IPv6 address as its /64 ("2001:db8:1:2::/64"), since
 * a subscriber's network hands out the host part at will; anything else as
 * given (at most 60 bytes). */
void ip_limit_key(const char *ip, char *out, size_t n);

#endif
