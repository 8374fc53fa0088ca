/*
 * sb.h: a growable string builder, modelled on git's strbuf.
 *
 * Guarantees:
 *  - sb.buf is never NULL after sb_init() and is always NUL-terminated
 *    (it points at a static empty string until the first append).
 *  - On allocation failure the builder enters a sticky error state: further
 *    appends are ignored and sb.err is set; check it once at the end.
 *  - The builder owns its buffer; sb_detach() hands ownership to the caller.
 */
#ifndef SIGAP_SB_H
#define SIGAP_SB_H

#include <stdarg.h>
#include <stddef.h>

typedef struct sb {
	char *buf;    /* NUL-terminated contents, never NULL */
	size_t len;   /* bytes used, excluding the NUL */
	size_t alloc; /* bytes allocated (0 while buf is the static empty string) */
	int err;      /* sticky: non-zero once an allocation failed */
} sb_t;

#define SB_INIT { (char *)sb_empty_, 0, 0, 0 }
extern char sb_empty_[1];

void sb_init(sb_t *sb);
void sb_release(sb_t *sb);           /* frees and re-initialises */
void sb_reset(sb_t *sb);             /* len = 0, keeps memory */
char *sb_detach(sb_t *sb, size_t *ret_len); /* caller frees; never NULL unless sb.err */
void sb_grow(sb_t *sb, size_t extra);
void sb_add(sb_t *sb, const void *data, size_t len);
void sb_adds(sb_t *sb, const char *s);
void sb_addch(sb_t *sb, char c);
void sb_addf(sb_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(sb_t *sb, const char *fmt, va_list ap);
/* Appends s with HTML special characters (&<>"'`=) escaped. */
void sb_add_html(sb_t *sb, const char *s, size_t len);
/* Appends s as the inside of a JSON string (no quotes), escaping as RFC 8259 needs. */
void sb_add_json(sb_t *sb, const char *s, size_t len);
/* Appends s percent-encoded for a URL query component. */
void sb_add_urlenc(sb_t *sb, const char *s, size_t len);

#endif
