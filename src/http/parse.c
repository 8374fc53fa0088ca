/*
 * parse.c: request parsers (see parse.h). Everything here reads untrusted
 * bytes with explicit lengths and writes decoded copies into the request
 * arena. The functions are deliberately small state machines over
 * pointer + length so that the fuzz targets in tests/fuzz/ can reach every
 * branch; none of them calls into h2o.
 */
#include "http/parse.h"

#include <arpa/inet.h>
#include <stdio.h>

#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/banned.h"

/* ---- small helpers ---------------------------------------------------- */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* RFC 7230 tchar */
static int is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int mem_ieq(const char *a, size_t alen, const char *b)
{
	size_t i, blen = strlen(b);
	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static void trim_ows(const char **s, size_t *len)
{
	while (*len && is_ows((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_ows((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

static int has_ctl(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		if (is_ctl((unsigned char)s[i]))
			return 1;
	return 0;
}

int utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, need, k;
	unsigned char lo, hi;

	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0; /* overlong */
			else if (c == 0xED)
				hi = 0x9F; /* surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90; /* overlong */
			else if (c == 0xF4)
				hi = 0x8F; /* > U+10FFFF */
		} else {
			return 0; /* continuation byte, C0/C1, F5..FF */
		}
		if (len - i <= need)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k <= need; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return 0;
		i += need + 1;
	}
	return 1;
}

/* ---- kvlist ----------------------------------------------------------- */

void kvlist_init(kvlist_t *l)
{
	l->items = NULL;
	l->n = 0;
	l->cap = 0;
}

static kv_t *kvlist_push(arena_t *a, kvlist_t *l)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		kv_t *ni;
		if (ncap > SIZE_MAX / sizeof(kv_t))
			return NULL;
		ni = arena_alloc(a, ncap * sizeof(kv_t));
		if (!ni)
			return NULL;
		if (l->n)
			memcpy(ni, l->items, l->n * sizeof(kv_t));
		l->items = ni;
		l->cap = ncap;
	}
	return &l->items[l->n++];
}

int kvlist_add(arena_t *a, kvlist_t *l, const char *key, size_t key_len,
	       const char *val, size_t val_len)
{
	char *k = arena_strndup(a, key, key_len);
	char *v = arena_strndup(a, val, val_len);
	kv_t *kv;
	if (!k || !v)
		return ERR_NOMEM;
	kv = kvlist_push(a, l);
	if (!kv)
		return ERR_NOMEM;
	kv->key = k;
	kv->key_len = key_len;
	kv->val = v;
	kv->val_len = val_len;
	return 0;
}

static int key_eq(const kv_t *kv, const char *key, size_t klen)
{
	return kv->key_len == klen && memcmp(kv->key, key, klen) == 0;
}

const char *kv_get(const kvlist_t *l, const char *key)
{
	size_t i, klen;
	if (!l || !key)
		return NULL;
	klen = strlen(key);
	for (i = 0; i < l->n; i++)
		if (key_eq(&l->items[i], key, klen))
			return l->items[i].val;
	return NULL;
}

size_t kv_get_all(const kvlist_t *l, const char *key, const char **out,
		  size_t max)
{
	size_t i, klen, n = 0;
	if (!l || !key)
		return 0;
	klen = strlen(key);
	for (i = 0; i < l->n && n < max; i++)
		if (key_eq(&l->items[i], key, klen))
			out[n++] = l->items[i].val;
	return n;
}

/* ---- url_decode / form_parse ------------------------------------------ */

int url_decode(arena_t *a, const char *s, size_t len, int plus_is_space,
	       char **ret, size_t *ret_len)
{
	char *out;
	size_t i, o = 0;

	*ret = NULL;
	if (ret_len)
		*ret_len = 0;
	if (len == SIZE_MAX)
		return ERR_TOO_LARGE;
	out = arena_alloc(a, len + 1);
	if (!out)
		return ERR_NOMEM;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int h, l;
			if (len - i < 3)
				return ERR_INVALID;
			h = hexval((unsigned char)s[i + 1]);
			l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return ERR_INVALID;
			c = (unsigned char)(h * 16 + l);
			if (c == '\0')
				return ERR_INVALID;
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		} else if (c == '\0') {
			return ERR_INVALID;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*ret = out;
	if (ret_len)
		*ret_len = o;
	return 0;
}

static int form_pair(arena_t *a, const char *p, size_t plen, kvlist_t *l)
{
	const char *eq = memchr(p, '=', plen);
	size_t klen = eq ? (size_t)(eq - p) : plen;
	char *k, *v;
	size_t kl, vl;
	kv_t *kv;
	int r;

	r = url_decode(a, p, klen, 1, &k, &kl);
	if (r < 0)
		return r;
	if (eq)
		r = url_decode(a, eq + 1, plen - klen - 1, 1, &v, &vl);
	else
		r = url_decode(a, "", 0, 1, &v, &vl);
	if (r < 0)
		return r;
	if (!utf8_valid(k, kl) || !utf8_valid(v, vl))
		return ERR_INVALID;
	kv = kvlist_push(a, l);
	if (!kv)
		return ERR_NOMEM;
	kv->key = k;
	kv->key_len = kl;
	kv->val = v;
	kv->val_len = vl;
	return 0;
}

int form_parse(arena_t *a, const char *s, size_t len, size_t max_fields,
	       kvlist_t *ret)
{
	size_t pos = 0;
	kvlist_t l = KVLIST_INIT;

	kvlist_init(ret);
	while (pos < len) {
		const char *amp = memchr(s + pos, '&', len - pos);
		size_t end = amp ? (size_t)(amp - s) : len;
		if (end > pos) {
			int r;
			if (l.n >= max_fields)
				return ERR_TOO_LARGE;
			r = form_pair(a, s + pos, end - pos, &l);
			if (r < 0)
				return r;
		}
		pos = end + 1;
	}
	*ret = l;
	return 0;
}

/* ---- cookies ------------------------------------------------------------ */

static int cookie_pair_ok(const char *name, size_t nlen, const char *val,
			  size_t vlen)
{
	size_t i;
	if (nlen == 0)
		return 0;
	for (i = 0; i < nlen; i++)
		if (!is_tchar((unsigned char)name[i]))
			return 0;
	for (i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)val[i];
		if (is_ctl(c) || c == '"')
			return 0;
	}
	return utf8_valid(val, vlen);
}

int cookie_parse(arena_t *a, const char *s, size_t len, kvlist_t *ret)
{
	size_t pos = 0;
	kvlist_t l = KVLIST_INIT;

	kvlist_init(ret);
	while (pos < len) {
		const char *semi = memchr(s + pos, ';', len - pos);
		size_t end = semi ? (size_t)(semi - s) : len;
		const char *p = s + pos, *eq, *name, *val;
		size_t plen = end - pos, nlen, vlen;

		pos = end + 1;
		trim_ows(&p, &plen);
		eq = memchr(p, '=', plen);
		if (!eq)
			continue;
		name = p;
		nlen = (size_t)(eq - p);
		val = eq + 1;
		vlen = plen - nlen - 1;
		trim_ows(&name, &nlen);
		trim_ows(&val, &vlen);
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
			val++;
			vlen -= 2;
		}
		if (!cookie_pair_ok(name, nlen, val, vlen))
			continue;
		if (l.n >= PARSE_MAX_COOKIES)
			return ERR_TOO_LARGE;
		if (kvlist_add(a, &l, name, nlen, val, vlen) < 0)
			return ERR_NOMEM;
	}
	*ret = l;
	return 0;
}

/* ---- paths and routes -------------------------------------------------- */

int path_split(arena_t *a, const char *s, size_t len, char **ret_path,
	       char **ret_query)
{
	size_t i, plen, qstart = 0, qlen = 0, seg;
	char *path, *query;
	size_t dlen;
	int r;

	*ret_path = NULL;
	*ret_query = NULL;
	if (len == 0 || s[0] != '/')
		return ERR_INVALID;
	if (memchr(s, '\0', len))
		return ERR_INVALID;
	for (plen = 0; plen < len && s[plen] != '?' && s[plen] != '#'; plen++)
		;
	if (plen < len && s[plen] == '?') {
		const char *hash = memchr(s + plen + 1, '#', len - plen - 1);
		qstart = plen + 1;
		qlen = (hash ? (size_t)(hash - s) : len) - qstart;
	}
	r = url_decode(a, s, plen, 0, &path, &dlen);
	if (r < 0)
		return r;
	if (has_ctl(path, dlen) || !utf8_valid(path, dlen))
		return ERR_INVALID;
	/* reject "." and ".." segments, as decoded */
	for (seg = 1, i = 1; i <= dlen; i++) {
		if (i == dlen || path[i] == '/') {
			size_t n = i - seg;
			if ((n == 1 && path[seg] == '.') ||
			    (n == 2 && path[seg] == '.' && path[seg + 1] == '.'))
				return ERR_INVALID;
			seg = i + 1;
		}
	}
	query = arena_strndup(a, s + qstart, qlen);
	if (!query)
		return ERR_NOMEM;
	*ret_path = path;
	*ret_query = query;
	return 0;
}

/* Checks a route pattern; returns the number of parameters it binds or
 * ERR_INVALID. */
static int route_check(const char *p)
{
	int n = 0;
	if (*p != '/')
		return ERR_INVALID;
	while (*p) {
		const char *seg = ++p, *e;
		size_t slen;
		while (*p && *p != '/')
			p++;
		e = p;
		slen = (size_t)(e - seg);
		if (slen == 1 && seg[0] == '*') {
			if (*e)
				return ERR_INVALID;
			n++;
		} else if (slen && seg[0] == '{') {
			if (slen < 3 || e[-1] != '}' ||
			    memchr(seg + 1, '{', slen - 1) ||
			    memchr(seg + 1, '}', slen - 2))
				return ERR_INVALID;
			n++;
		} else if (memchr(seg, '{', slen) || memchr(seg, '}', slen)) {
			return ERR_INVALID;
		}
	}
	return n;
}

int route_valid(const char *pattern, size_t max_params)
{
	int np = route_check(pattern);
	return np < 0 || (size_t)np > max_params ? ERR_INVALID : np;
}

int route_match(const char *pattern, const char *path, kv_t *params,
		size_t max_params, size_t *ret_n)
{
	int np = route_valid(pattern, max_params);
	if (ret_n)
		*ret_n = 0;
	if (np < 0)
		return np;
	return route_match_valid(pattern, path, params, ret_n);
}

int route_match_valid(const char *pattern, const char *path, kv_t *params, size_t *ret_n)
{
	const char *p = pattern, *q = path;
	size_t n = 0;

	if (ret_n)
		*ret_n = 0;
	if (*q != '/')
		return 0;
	for (;;) {
		const char *ps, *qs;
		size_t pl, ql;

		if (*p == '\0')
			break;
		/* *p == '/' here */
		if (p[1] == '*' && p[2] == '\0') {
			const char *rest;
			if (*q == '\0')
				rest = q;
			else if (*q == '/')
				rest = q + 1;
			else
				return 0;
			params[n].key = (char *)"*";
			params[n].key_len = 1;
			params[n].val = (char *)rest;
			params[n].val_len = strlen(rest);
			n++;
			q += strlen(q);
			break;
		}
		if (*q != '/')
			return 0;
		ps = ++p;
		qs = ++q;
		while (*p && *p != '/')
			p++;
		while (*q && *q != '/')
			q++;
		pl = (size_t)(p - ps);
		ql = (size_t)(q - qs);
		if (pl && ps[0] == '{') {
			if (ql == 0)
				return 0;
			params[n].key = (char *)ps + 1;
			params[n].key_len = pl - 2;
			params[n].val = (char *)qs;
			params[n].val_len = ql;
			n++;
		} else if (pl != ql || memcmp(ps, qs, pl) != 0) {
			return 0;
		}
	}
	if (*q != '\0')
		return 0;
	if (ret_n)
		*ret_n = n;
	return 1;
}

char *route_param(arena_t *a, const kv_t *params, size_t n, const char *name)
{
	size_t i, nlen = strlen(name);
	for (i = 0; i < n; i++)
		if (key_eq(&params[i], name, nlen))
			return arena_strndup(a, params[i].val,
					     params[i].val_len);
	return NULL;
}

/* ---- Content-Type -------------------------------------------------------- */

int content_type_is(const char *ct, size_t len, const char *media)
{
	size_t i = 0, start, mlen;

	if (!ct || !media)
		return 0;
	while (i < len && is_ows((unsigned char)ct[i]))
		i++;
	start = i;
	while (i < len && ct[i] != ';' && !is_ows((unsigned char)ct[i]))
		i++;
	mlen = i - start;
	if (mlen == 0 || !mem_ieq(ct + start, mlen, media))
		return 0;
	while (i < len && is_ows((unsigned char)ct[i]))
		i++;
	return i == len || ct[i] == ';';
}

/* ---- multipart/form-data ------------------------------------------------- */

/*
 * Reads one "; name=value" parameter from s[*pos..len). Quoted values may use
 * backslash escapes when escapes is set (the Content-Type header, RFC 7230);
 * in Content-Disposition only \" and \\ are unescaped, as browsers do not
 * escape backslashes in file names. Returns 1 with a parameter, 0 at the
 * end, ERR_INVALID on syntax errors, ERR_NOMEM.
 */
static int next_param(arena_t *a, const char *s, size_t len, size_t *pos,
		      const char **ret_name, size_t *ret_nlen, char **ret_val,
		      size_t *ret_vlen)
{
	size_t i = *pos, ns, vlen = 0;
	char *val;

	while (i < len && is_ows((unsigned char)s[i]))
		i++;
	if (i == len)
		return 0;
	if (s[i] != ';')
		return ERR_INVALID;
	i++;
	while (i < len && is_ows((unsigned char)s[i]))
		i++;
	if (i == len) { /* trailing ';' is tolerated */
		*pos = i;
		return 0;
	}
	ns = i;
	while (i < len && is_tchar((unsigned char)s[i]))
		i++;
	if (i == ns)
		return ERR_INVALID;
	*ret_name = s + ns;
	*ret_nlen = i - ns;
	while (i < len && is_ows((unsigned char)s[i]))
		i++;
	if (i == len || s[i] != '=')
		return ERR_INVALID;
	i++;
	while (i < len && is_ows((unsigned char)s[i]))
		i++;
	/* the value is never longer than the rest of s */
	val = arena_alloc(a, len - i + 1);
	if (!val)
		return ERR_NOMEM;
	if (i < len && s[i] == '"') {
		i++;
		for (;;) {
			if (i == len)
				return ERR_INVALID; /* unterminated */
			if (s[i] == '"')
				break;
			if (s[i] == '\\' && i + 1 < len &&
			    (s[i + 1] == '"' || s[i + 1] == '\\'))
				i++;
			val[vlen++] = s[i++];
		}
		i++;
	} else {
		while (i < len && is_tchar((unsigned char)s[i]))
			val[vlen++] = s[i++];
		if (vlen == 0)
			return ERR_INVALID;
	}
	val[vlen] = '\0';
	*ret_val = val;
	*ret_vlen = vlen;
	*pos = i;
	return 1;
}

static int boundary_char(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

static int get_boundary(arena_t *a, const char *ct, char **ret,
			size_t *ret_len)
{
	size_t len = strlen(ct), pos, i;
	char *b = NULL, *val;
	size_t blen = 0, nlen, vlen;
	const char *name;
	int r;

	*ret = NULL;
	if (!content_type_is(ct, len, "multipart/form-data"))
		return ERR_UNSUPPORTED;
	pos = 0;
	while (pos < len && ct[pos] != ';')
		pos++;
	while ((r = next_param(a, ct, len, &pos, &name, &nlen, &val,
			       &vlen)) > 0) {
		if (!mem_ieq(name, nlen, "boundary"))
			continue;
		if (b)
			return ERR_INVALID; /* two boundaries */
		b = val;
		blen = vlen;
	}
	if (r < 0)
		return r;
	if (!b || blen < 1 || blen > 70 || b[blen - 1] == ' ')
		return ERR_INVALID;
	for (i = 0; i < blen; i++)
		if (!boundary_char((unsigned char)b[i]))
			return ERR_INVALID;
	*ret = b;
	*ret_len = blen;
	return 0;
}

/*
 * Finds the next delimiter line at or after from. needle is
 * "\r\n--boundary" (nlen bytes); at the very start of the body the leading
 * CRLF is not needed. A match counts only when followed by "--" (the close
 * delimiter) or by optional spaces/tabs and CRLF. Returns the offset where
 * the preceding data ends, or -1; sets *ret_next to the first byte after
 * the delimiter line and *ret_close.
 */
static long find_delim(const char *body, size_t len, size_t from,
		       const char *needle, size_t nlen, size_t *ret_next,
		       int *ret_close)
{
	size_t pos = from;

	for (;;) {
		size_t start, after;
		const char *hit;

		if (pos == 0 && len >= nlen - 2 &&
		    memcmp(body, needle + 2, nlen - 2) == 0) {
			start = 0;
			after = nlen - 2;
		} else {
			if (pos >= len)
				return -1;
			hit = memmem(body + pos, len - pos, needle, nlen);
			if (!hit)
				return -1;
			start = (size_t)(hit - body);
			after = start + nlen;
		}
		if (len - after >= 2 && body[after] == '-' &&
		    body[after + 1] == '-') {
			*ret_close = 1;
			*ret_next = len;
			return (long)start;
		}
		while (after < len && is_ows((unsigned char)body[after]))
			after++;
		if (len - after >= 2 && body[after] == '\r' &&
		    body[after + 1] == '\n') {
			*ret_close = 0;
			*ret_next = after + 2;
			return (long)start;
		}
		/* "--boundary" followed by other bytes: not a delimiter */
		pos = start + 1;
	}
}

static int field_text_ok(const char *s, size_t len)
{
	return !has_ctl(s, len) && utf8_valid(s, len);
}

static int parse_disposition(arena_t *a, const char *v, size_t vlen,
			     mp_part_t *part)
{
	size_t pos = 0, nlen, plen;
	const char *name;
	char *val;
	int r;

	while (pos < vlen && v[pos] != ';' && !is_ows((unsigned char)v[pos]))
		pos++;
	if (!mem_ieq(v, pos, "form-data"))
		return ERR_INVALID;
	while ((r = next_param(a, v, vlen, &pos, &name, &nlen, &val,
			       &plen)) > 0) {
		char **dst = NULL;
		if (mem_ieq(name, nlen, "name"))
			dst = &part->name;
		else if (mem_ieq(name, nlen, "filename"))
			dst = &part->filename;
		if (!dst)
			continue;
		if (*dst || !field_text_ok(val, plen))
			return ERR_INVALID;
		*dst = val;
	}
	return r;
}

static int parse_part_headers(arena_t *a, const char *h, size_t hlen,
			      mp_part_t *part)
{
	size_t pos = 0;
	int seen_cd = 0;

	if (!h)
		return ERR_INVALID;

	while (pos < hlen) {
		const char *line = h + pos, *colon, *eol, *v;
		size_t llen, nlen, vlen, i;
		int r;

		eol = memmem(line, hlen - pos, "\r\n", 2);
		llen = eol ? (size_t)(eol - line) : hlen - pos;
		pos += llen + 2;
		colon = memchr(line, ':', llen);
		if (!colon || colon == line)
			return ERR_INVALID;
		nlen = (size_t)(colon - line);
		for (i = 0; i < nlen; i++)
			if (!is_tchar((unsigned char)line[i]))
				return ERR_INVALID;
		v = colon + 1;
		vlen = llen - nlen - 1;
		trim_ows(&v, &vlen);
		if (has_ctl(v, vlen))
			return ERR_INVALID;
		if (mem_ieq(line, nlen, "content-disposition")) {
			if (seen_cd++)
				return ERR_INVALID;
			r = parse_disposition(a, v, vlen, part);
			if (r < 0)
				return r;
		} else if (mem_ieq(line, nlen, "content-type")) {
			if (part->content_type || vlen == 0 ||
			    !utf8_valid(v, vlen))
				return ERR_INVALID;
			part->content_type = arena_strndup(a, v, vlen);
			if (!part->content_type)
				return ERR_NOMEM;
		}
	}
	if (!part->name)
		return ERR_INVALID;
	if (!part->content_type)
		part->content_type = (char *)"text/plain";
	return 0;
}

int multipart_parse(arena_t *a, const char *content_type, const char *body,
		    size_t len, size_t max_parts, mp_part_t **ret_parts,
		    size_t *ret_n)
{
	char *b, *needle;
	size_t blen, nlen, pos, n = 0, cap = 0;
	mp_part_t *parts = NULL;
	int r, close;

	*ret_parts = NULL;
	*ret_n = 0;
	if (!content_type)
		return ERR_UNSUPPORTED;
	r = get_boundary(a, content_type, &b, &blen);
	if (r < 0)
		return r;
	if (!body)
		len = 0;
	nlen = blen + 4;
	needle = arena_alloc(a, nlen + 1);
	if (!needle)
		return ERR_NOMEM;
	memcpy(needle, "\r\n--", 4);
	memcpy(needle + 4, b, blen);
	needle[nlen] = '\0';

	if (find_delim(body, len, 0, needle, nlen, &pos, &close) < 0)
		return ERR_INVALID;
	while (!close) {
		mp_part_t *part;
		const char *hend;
		size_t hlen, dstart, limit, next;
		long dend;

		/* header block ends at CRLF CRLF, or is empty */
		if (len - pos >= 2 && body[pos] == '\r' && body[pos + 1] == '\n') {
			hlen = 0;
			dstart = pos + 2;
		} else {
			limit = len - pos;
			if (limit > PARSE_MAX_PART_HEADER + 4)
				limit = PARSE_MAX_PART_HEADER + 4;
			hend = memmem(body + pos, limit, "\r\n\r\n", 4);
			if (!hend)
				return ERR_INVALID;
			hlen = (size_t)(hend - (body + pos));
			dstart = pos + hlen + 4;
		}
		dend = find_delim(body, len, dstart, needle, nlen, &next,
				  &close);
		/* the delimiter must come after the data's start; a match
		 * inside the header block means a malformed part */
		if (dend < 0 || (size_t)dend < dstart)
			return ERR_INVALID;
		if (n >= max_parts)
			return ERR_TOO_LARGE;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			mp_part_t *np;
			if (ncap > SIZE_MAX / sizeof(*np))
				return ERR_NOMEM;
			np = arena_alloc(a, ncap * sizeof(*np));
			if (!np)
				return ERR_NOMEM;
			if (n)
				memcpy(np, parts, n * sizeof(*np));
			parts = np;
			cap = ncap;
		}
		part = &parts[n];
		memset(part, 0, sizeof(*part));
		r = parse_part_headers(a, body + pos, hlen, part);
		if (r < 0)
			return r;
		part->data = body + dstart;
		part->len = (size_t)dend - dstart;
		n++;
		pos = next;
	}
	*ret_parts = parts;
	*ret_n = n;
	return 0;
}

void ip_limit_key(const char *ip, char *out, size_t n)
{
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];
	if (!ip || !*ip)
		ip = "?";
	if (inet_pton(AF_INET6, ip, a) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (!memcmp(a, mapped, sizeof(mapped))) {
			/* ::ffff:a.b.c.d is an IPv4 client on a dual-stack socket */
			snprintf(out, n, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
			return;
		}
		/* one subscriber's /64: the host part is theirs to change */
		memset(a + 8, 0, 8);
		if (inet_ntop(AF_INET6, a, text, sizeof(text))) {
			snprintf(out, n, "%s/64", text);
			return;
		}
	}
	snprintf(out, n, "%.60s", ip);
}
