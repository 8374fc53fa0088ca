/*
 * tmpl.h: sigap's HTML template renderer, a small mustache dialect.
 *
 * Every HTML page sigap serves is produced here, so this module carries the
 * "escape by default" promise: a value written with {{name}} is always
 * HTML-escaped; only {{{name}}} and {{& name}} write raw bytes, and they are
 * meant for HTML that sigap itself produced. The syntax is described in
 * docs/templates.md.
 *
 * A template is compiled once (tmpl_set_add) into a flat node list and then
 * rendered many times (tmpl_render) without re-parsing. Templates live in a
 * set so that {{>partial}} can name any other template of the same set.
 *
 * Guarantees:
 *  - No input (template source, JSON data, translation) makes these functions
 *    crash or read out of bounds. Syntax errors are reported with the line.
 *  - tmpl_render() does not modify the set; several threads may render from
 *    one set at the same time as long as nobody calls tmpl_set_add() on it
 *    concurrently.
 *  - Rendering work is bounded: partial nesting, total node visits and the
 *    output size have fixed limits (below), so a recursive partial or a
 *    huge data set yields an error instead of a hang.
 */
#ifndef SIGAP_WEB_TMPL_H
#define SIGAP_WEB_TMPL_H

#include <stddef.h>

#include <jansson.h>

#include "core/sb.h"

/* Sections may nest at most this deep inside one template (compile error). */
#define TMPL_MAX_NEST 64
/* Partials may include partials at most this deep (render error). */
#define TMPL_MAX_PARTIAL_DEPTH 16
/* A single render may visit at most this many nodes (render error). */
#define TMPL_MAX_STEPS (1UL << 24)
/* A single render may append at most this many bytes (render error). */
#define TMPL_MAX_OUTPUT ((size_t)64 << 20)

typedef struct tmpl_set tmpl_set_t;

/*
 * Creates an empty set in *ret. Returns 0, or ERR_NOMEM (then *ret is NULL).
 * Free it with tmpl_set_free().
 */
int tmpl_set_new(tmpl_set_t **ret);

/* Frees the set and every template in it. Accepts NULL. */
void tmpl_set_free(tmpl_set_t *set);

/*
 * Compiles src (len bytes; it need not be NUL-terminated and is copied, so
 * the caller keeps ownership) and stores it in the set under name, replacing
 * any template of that name.
 *
 * Returns 0 on success, ERR_INVALID on a syntax error (the set is left
 * unchanged and "name:line: message" is written to err), or ERR_NOMEM.
 * err may be NULL when errlen is 0; it is always NUL-terminated otherwise.
 */
int tmpl_set_add(tmpl_set_t *set, const char *name, const char *src, size_t len,
		 char *err, size_t errlen);

/* Number of templates in the set. */
size_t tmpl_set_count(const tmpl_set_t *set);

/*
 * Translation callback for {{_ text}} tags: returns the translation of msgid
 * (or msgid itself). The returned string must stay valid until the render
 * returns; NULL is treated as "no translation" and msgid is used.
 */
typedef const char *(*tmpl_translate_fn)(void *ud, const char *msgid);

/*
 * Renders template name with the data context ctx (any JSON value; NULL means
 * no data) and appends the result to out. tr may be NULL, in which case
 * {{_ text}} writes text itself. ctx is only read.
 *
 * Returns 0 on success, or:
 *   ERR_NOT_FOUND  the template, or a partial it uses, is not in the set;
 *   ERR_INTERNAL   a render limit was hit (partial depth, node visits, output
 *                  size: see the TMPL_MAX_* constants above);
 *   ERR_NOMEM      out ran out of memory (out->err is set).
 * On failure out is truncated back to its length at the call (unless out
 * was already in its sticky error state), so no half page is left behind.
 */
int tmpl_render(const tmpl_set_t *set, const char *name, json_t *ctx,
		tmpl_translate_fn tr, void *tr_ud, sb_t *out);

#endif
