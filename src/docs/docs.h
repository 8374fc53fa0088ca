/*
 * docs.h: small printable documents (PDF via libharu) and QR codes (via
 * libqrencode) for receipts, decision letters and other official papers.
 *
 * A document is a single-column A4 layout built top to bottom: a title
 * (and optional subtitle), key/value rows, headings, wrapped paragraphs, an
 * optional QR code of a URL and a footer line printed on every page. Pages
 * break automatically. The caller adds parts in reading order, then calls
 * doc_render() to get the PDF bytes in an sb_t.
 *
 * Text is UTF-8; characters outside Latin-1 are replaced by '?' in the PDF
 * (the built-in Helvetica font is used so no font files are needed). That
 * covers Bahasa Indonesia fully.
 *
 * Lifecycle: doc_new() -> doc_* adders -> doc_render() -> doc_free().
 * Guarantees:
 *  - Adders copy their strings; the caller keeps ownership of its inputs.
 *  - Adders never fail individually: errors (out of memory, bad argument)
 *    are sticky and reported once by doc_render().
 *  - doc_free(NULL) is a no-op.
 *  - doc_render() may be called more than once; each call appends a
 *    complete PDF to `out` (it does not reset `out`).
 */
#ifndef SIGAP_DOCS_H
#define SIGAP_DOCS_H

#include <stddef.h>
#include "core/sb.h"

typedef struct doc doc_t;

/* Creates an empty document whose heading is `title` (must be non-empty).
 * On failure returns a negative ERR_* and sets *ret_doc to NULL. */
int doc_new(const char *title, doc_t **ret_doc);
void doc_free(doc_t *d);

/* Small line(s) above the title, e.g. the issuing authority
 * ("PEMERINTAH KOTA MATARAM"). May be called several times; each call adds
 * one line. NULL or "" is ignored. */
void doc_header_line(doc_t *d, const char *text);
/* A line under the title, e.g. a registration number. */
void doc_subtitle(doc_t *d, const char *text);
/* A section heading in bold. */
void doc_heading(doc_t *d, const char *text);
/* A label/value row in a two-column table; long values wrap. value may be
 * NULL (printed as "-"). */
void doc_row(doc_t *d, const char *key, const char *value);
/* A paragraph of running text, wrapped to the page width. Blank lines
 * ("\n\n") start new paragraphs. */
void doc_para(doc_t *d, const char *text);
/* A QR code of `url` (e.g. a public verification page), printed with
 * `caption` beside it (caption may be NULL). */
void doc_qr(doc_t *d, const char *url, const char *caption);
/* Footer printed at the bottom of every page (last call wins). */
void doc_footer(doc_t *d, const char *text);

/* Renders the document as PDF and appends its bytes to `out`.
 * Returns 0, ERR_INVALID (bad argument recorded by an adder, e.g. a QR
 * payload too long), ERR_NOMEM, or ERR_INTERNAL (libharu failed). */
int doc_render(doc_t *d, sb_t *out);

/* Appends an SVG image (<svg ...>...</svg>, no XML prolog, black modules on
 * white, scalable through its viewBox) encoding `text` as a QR code with
 * error-correction level M. Safe to embed raw in HTML: the output contains
 * only markup produced here, never bytes of `text`.
 * Returns 0, ERR_INVALID (NULL/empty text or too long to encode), ERR_NOMEM. */
int qr_svg(const char *text, sb_t *out);

/* Low-level: the QR module matrix for `text`. On success *ret_width is the
 * number of modules per side and *ret_bits (caller frees) holds width*width
 * bytes, 1 = dark, row-major. Same errors as qr_svg(). */
int qr_matrix(const char *text, int *ret_width, unsigned char **ret_bits);

#endif
