/*
 * sb.c: the string builder (see sb.h). Every string sigap builds for output
 * (HTML, JSON, SQL-free text) goes through here, including the escaping
 * helpers, so escaping rules live in one place.
 */
#include "core/sb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

char sb_empty_[1];

void sb_init(sb_t *sb)
{
	sb->buf = sb_empty_;
	sb->len = 0;
	sb->alloc = 0;
	sb->err = 0;
}

void sb_release(sb_t *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sb_init(sb);
}

void sb_reset(sb_t *sb)
{
	sb->len = 0;
	sb->buf[0] = '\0';
	if (!sb->alloc)
		sb->buf = sb_empty_;
}

char *sb_detach(sb_t *sb, size_t *ret_len)
{
	char *r;
	if (sb->err)
		return NULL;
	if (!sb->alloc) {
		r = calloc(1, 1);
	} else {
		r = sb->buf;
	}
	if (ret_len)
		*ret_len = sb->len;
	sb_init(sb);
	return r;
}

void sb_grow(sb_t *sb, size_t extra)
{
	size_t need, na;
	char *nb;
	if (sb->err)
		return;
	if (extra > ((size_t)-1) / 2 - sb->len) {
		sb->err = 1;
		return;
	}
	need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return;
	na = sb->alloc ? sb->alloc : 64;
	while (na < need)
		na *= 2;
	nb = sb->alloc ? realloc(sb->buf, na) : malloc(na);
	if (!nb) {
		sb->err = 1;
		return;
	}
	if (!sb->alloc)
		nb[0] = '\0';
	sb->buf = nb;
	sb->alloc = na;
}

void sb_add(sb_t *sb, const void *data, size_t len)
{
	if (!len)
		return;
	sb_grow(sb, len);
	if (sb->err)
		return;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void sb_adds(sb_t *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addch(sb_t *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_vaddf(sb_t *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	if (sb->err)
		return;
	va_copy(cp, ap);
	sb_grow(sb, 64);
	if (sb->err) {
		va_end(cp);
		return;
	}
	n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	if (n < 0) {
		sb->err = 1;
		va_end(cp);
		return;
	}
	if ((size_t)n >= sb->alloc - sb->len) {
		sb_grow(sb, (size_t)n);
		if (sb->err) {
			va_end(cp);
			return;
		}
		n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	}
	va_end(cp);
	sb->len += (size_t)n;
}

void sb_addf(sb_t *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_add_html(sb_t *sb, const char *s, size_t len)
{
	size_t i, start = 0;
	for (i = 0; i < len; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '`': rep = "&#96;"; break;
		case '=': rep = "&#61;"; break;
		default: continue;
		}
		sb_add(sb, s + start, i - start);
		sb_adds(sb, rep);
		start = i + 1;
	}
	sb_add(sb, s + start, len - start);
}

void sb_add_json(sb_t *sb, const char *s, size_t len)
{
	size_t i, start = 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char tmp[8];
		const char *rep = NULL;
		if (c == '"')
			rep = "\\\"";
		else if (c == '\\')
			rep = "\\\\";
		else if (c == '\n')
			rep = "\\n";
		else if (c == '\r')
			rep = "\\r";
		else if (c == '\t')
			rep = "\\t";
		else if (c < 0x20 || c == '<' || c == '>') {
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			rep = tmp;
		} else
			continue;
		sb_add(sb, s + start, i - start);
		sb_adds(sb, rep);
		start = i + 1;
	}
	sb_add(sb, s + start, len - start);
}

void sb_add_urlenc(sb_t *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			sb_addch(sb, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			sb_add(sb, e, 3);
		}
	}
}
