/*
 * docs.c: printable A4 documents with libharu and QR codes with libqrencode
 * (see docs.h). A document is recorded as a list of parts and laid out only
 * in doc_render(), top to bottom, breaking pages when the next line would
 * run into the footer area. Text goes through a UTF-8 -> WinAnsi conversion
 * so the PDF's built-in Helvetica can show every Indonesian character.
 */
#include "docs/docs.h"

#include <errno.h>
#include <hpdf.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/banned.h"

enum part_kind { P_HEADER, P_SUBTITLE, P_HEADING, P_ROW, P_PARA, P_QR };

struct part {
	enum part_kind kind;
	char *a; /* main text (row: key) */
	char *b; /* row: value; qr: caption */
};

struct doc {
	char *title;
	char *footer;
	struct part *parts;
	size_t n, cap;
	int err; /* sticky: first error */
};

static char *dupstr(doc_t *d, const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p && !d->err)
		d->err = ERR_NOMEM;
	return p;
}

int doc_new(const char *title, doc_t **ret_doc)
{
	doc_t *d;
	*ret_doc = NULL;
	if (!title || !*title)
		return ERR_INVALID;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	d->title = strdup(title);
	if (!d->title) {
		free(d);
		return ERR_NOMEM;
	}
	*ret_doc = d;
	return 0;
}

void doc_free(doc_t *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->parts[i].a);
		free(d->parts[i].b);
	}
	free(d->parts);
	free(d->title);
	free(d->footer);
	free(d);
}

static void add_part(doc_t *d, enum part_kind k, const char *a, const char *b)
{
	struct part *p;
	if (!d || d->err)
		return;
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 16;
		struct part *np = realloc(d->parts, nc * sizeof(*np));
		if (!np) {
			d->err = ERR_NOMEM;
			return;
		}
		d->parts = np;
		d->cap = nc;
	}
	p = &d->parts[d->n];
	p->kind = k;
	p->a = dupstr(d, a);
	p->b = b ? dupstr(d, b) : NULL;
	if (!p->a || (b && !p->b)) {
		free(p->a);
		free(p->b);
		return;
	}
	d->n++;
}

void doc_header_line(doc_t *d, const char *text)
{
	if (text && *text)
		add_part(d, P_HEADER, text, NULL);
}

void doc_subtitle(doc_t *d, const char *text)
{
	if (text && *text)
		add_part(d, P_SUBTITLE, text, NULL);
}

void doc_heading(doc_t *d, const char *text)
{
	if (text && *text)
		add_part(d, P_HEADING, text, NULL);
}

void doc_row(doc_t *d, const char *key, const char *value)
{
	add_part(d, P_ROW, key ? key : "", value && *value ? value : "-");
}

void doc_para(doc_t *d, const char *text)
{
	if (text && *text)
		add_part(d, P_PARA, text, NULL);
}

void doc_qr(doc_t *d, const char *url, const char *caption)
{
	if (!d)
		return;
	if (!url || !*url || strlen(url) > 1000) {
		if (!d->err)
			d->err = ERR_INVALID;
		return;
	}
	add_part(d, P_QR, url, caption ? caption : "");
}

void doc_footer(doc_t *d, const char *text)
{
	if (!d || d->err)
		return;
	free(d->footer);
	d->footer = dupstr(d, text);
}

/* ------------------------------------------------------------------ QR */

int qr_matrix(const char *text, int *ret_width, unsigned char **ret_bits)
{
	QRcode *q;
	unsigned char *bits;
	size_t n;
	*ret_bits = NULL;
	*ret_width = 0;
	if (!text || !*text || strlen(text) > 2000)
		return ERR_INVALID;
	errno = 0;
	q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!q)
		return errno == ENOMEM ? ERR_NOMEM : ERR_INVALID;
	n = (size_t)q->width * (size_t)q->width;
	bits = malloc(n);
	if (!bits) {
		QRcode_free(q);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		bits[i] = q->data[i] & 1;
	*ret_width = q->width;
	*ret_bits = bits;
	QRcode_free(q);
	return 0;
}

int qr_svg(const char *text, sb_t *out)
{
	int w, rc;
	unsigned char *bits;
	rc = qr_matrix(text, &w, &bits);
	if (rc < 0)
		return rc;
	/* 4-module quiet zone; horizontal runs of dark modules as one rectangle each */
	sb_addf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\" "
		"role=\"img\" aria-label=\"QR\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
		w + 8, w + 8, w + 8, w + 8);
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w;) {
			int run = 0;
			while (x + run < w && bits[y * w + x + run])
				run++;
			if (run) {
				sb_addf(out, "M%d %dh%dv1h-%dz", x + 4, y + 4, run, run);
				x += run;
			} else {
				x++;
			}
		}
	}
	sb_adds(out, "\"/></svg>");
	free(bits);
	return out->err ? ERR_NOMEM : 0;
}

/* ------------------------------------------------------------------ PDF */

/* UTF-8 to WinAnsi (CP1252): Latin-1 directly, a few typographic marks
 * mapped, everything else '?'. Invalid UTF-8 bytes become '?'. */
static char *to_winansi(const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out = malloc(len + 1);
	const unsigned char *p = (const unsigned char *)s;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		unsigned c = p[i], cp = '?';
		int n = 1;
		if (c < 0x80) {
			cp = c;
		} else if ((c & 0xE0) == 0xC0 && i + 1 < len && (p[i + 1] & 0xC0) == 0x80) {
			cp = ((c & 0x1F) << 6) | (p[i + 1] & 0x3F);
			n = 2;
		} else if ((c & 0xF0) == 0xE0 && i + 2 < len && (p[i + 1] & 0xC0) == 0x80 && (p[i + 2] & 0xC0) == 0x80) {
			cp = ((c & 0x0F) << 12) | ((p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
			n = 3;
		} else if ((c & 0xF8) == 0xF0 && i + 3 < len) {
			n = 4;
		}
		if (i + (size_t)n > len)
			n = (int)(len - i);
		i += (size_t)n;
		switch (cp) {
		case 0x2013: cp = 0x96; break;
		case 0x2014: cp = 0x97; break;
		case 0x2018: cp = 0x91; break;
		case 0x2019: cp = 0x92; break;
		case 0x201C: cp = 0x93; break;
		case 0x201D: cp = 0x94; break;
		case 0x2022: cp = 0x95; break;
		case 0x20AC: cp = 0x80; break;
		default:
			if (cp < 0x20 && cp != '\n')
				cp = ' ';
			else if ((cp >= 0x7F && cp < 0xA0) || cp > 0xFF)
				cp = '?';
		}
		out[o++] = (char)cp;
	}
	out[o] = '\0';
	return out;
}

#define PAGE_W 595.276f
#define PAGE_H 841.89f
#define MARGIN 56.0f
#define FOOTER_Y 40.0f
#define BOTTOM 70.0f

struct lay {
	HPDF_Doc pdf;
	HPDF_Page page;
	HPDF_Font font, bold;
	float y;
	const char *footer; /* WinAnsi */
	int npages;
	int err;
};

static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *ud)
{
	(void)error_no;
	(void)detail_no;
	((struct lay *)ud)->err = 1;
}

static void text_at(struct lay *l, HPDF_Font f, float size, float x, float y, const char *s)
{
	HPDF_Page_BeginText(l->page);
	HPDF_Page_SetFontAndSize(l->page, f, size);
	HPDF_Page_TextOut(l->page, x, y, s);
	HPDF_Page_EndText(l->page);
}

static void new_page(struct lay *l)
{
	l->page = HPDF_AddPage(l->pdf);
	if (!l->page) {
		l->err = 1;
		return;
	}
	l->npages++;
	HPDF_Page_SetSize(l->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	l->y = PAGE_H - MARGIN;
	if (l->footer && *l->footer) {
		HPDF_Page_SetLineWidth(l->page, 0.5f);
		HPDF_Page_MoveTo(l->page, MARGIN, FOOTER_Y + 12);
		HPDF_Page_LineTo(l->page, PAGE_W - MARGIN, FOOTER_Y + 12);
		HPDF_Page_Stroke(l->page);
		text_at(l, l->font, 8, MARGIN, FOOTER_Y, l->footer);
	}
}

static void need(struct lay *l, float h)
{
	if (l->y - h < BOTTOM)
		new_page(l);
}

/* Lays s (WinAnsi, may contain '\n') out at x within width, one line per
 * `lead` points, breaking pages as needed. Words longer than a line are
 * broken by characters. */
static void wrap(struct lay *l, HPDF_Font f, float size, float lead, float x, float width, const char *s)
{
	size_t len = strlen(s), start = 0;
	char *line = malloc(len + 1);
	if (!line) {
		l->err = 1;
		return;
	}
	HPDF_Page_SetFontAndSize(l->page, f, size);
	while (start <= len) {
		size_t end = start, best = start, nl;
		const char *e = strchr(s + start, '\n');
		nl = e ? (size_t)(e - s) : len;
		/* longest prefix of s[start..nl) ending at a space that fits */
		for (end = start; end <= nl; end++) {
			if (end == nl || s[end] == ' ') {
				memcpy(line, s + start, end - start);
				line[end - start] = '\0';
				if (HPDF_Page_TextWidth(l->page, line) <= width)
					best = end;
				else
					break;
			}
		}
		if (best == start && nl > start) {
			/* no space fits: cut by characters */
			size_t k = start;
			while (k < nl) {
				memcpy(line, s + start, k + 1 - start);
				line[k + 1 - start] = '\0';
				if (HPDF_Page_TextWidth(l->page, line) > width)
					break;
				k++;
			}
			best = k > start ? k : start + 1;
		}
		memcpy(line, s + start, best - start);
		line[best - start] = '\0';
		need(l, lead);
		if (l->err)
			break;
		text_at(l, f, size, x, l->y - size, line);
		l->y -= lead;
		start = best;
		while (start < nl && s[start] == ' ')
			start++;
		if (start == nl) {
			if (nl == len)
				break;
			start = nl + 1;
		}
	}
	free(line);
}

static void draw_qr(struct lay *l, const char *url, const char *caption)
{
	int w;
	unsigned char *bits;
	float size = 110.0f, mod;
	if (qr_matrix(url, &w, &bits) < 0) {
		l->err = 2;
		return;
	}
	need(l, size + 10);
	if (l->err) {
		free(bits);
		return;
	}
	mod = size / (float)(w + 8);
	HPDF_Page_SetRGBFill(l->page, 0, 0, 0);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if (bits[y * w + x])
				HPDF_Page_Rectangle(l->page, MARGIN + (float)(x + 4) * mod,
						    l->y - (float)(y + 5) * mod, mod, mod);
	HPDF_Page_Fill(l->page);
	free(bits);
	{
		float top = l->y;
		float cx = MARGIN + size + 12;
		float saved;
		if (caption && *caption) {
			char *c = to_winansi(caption);
			if (!c) {
				l->err = 1;
				return;
			}
			l->y = top - 8;
			wrap(l, l->font, 9, 12, cx, PAGE_W - MARGIN - cx, c);
			free(c);
		}
		{
			char *u = to_winansi(url);
			if (!u) {
				l->err = 1;
				return;
			}
			wrap(l, l->font, 7, 9, cx, PAGE_W - MARGIN - cx, u);
			free(u);
		}
		saved = top - size - 10;
		if (l->y > saved)
			l->y = saved;
	}
}

int doc_render(doc_t *d, sb_t *out)
{
	struct lay l;
	char *title = NULL, *footer = NULL;
	int rc = 0;
	if (!d || !out)
		return ERR_INVALID;
	if (d->err)
		return d->err;
	memset(&l, 0, sizeof(l));
	l.pdf = HPDF_New(on_hpdf_error, &l);
	if (!l.pdf)
		return ERR_NOMEM;
	HPDF_SetCompressionMode(l.pdf, HPDF_COMP_ALL);
	l.font = HPDF_GetFont(l.pdf, "Helvetica", "WinAnsiEncoding");
	l.bold = HPDF_GetFont(l.pdf, "Helvetica-Bold", "WinAnsiEncoding");
	title = to_winansi(d->title);
	footer = d->footer ? to_winansi(d->footer) : NULL;
	if (!title || (d->footer && !footer)) {
		rc = ERR_NOMEM;
		goto done;
	}
	HPDF_SetInfoAttr(l.pdf, HPDF_INFO_TITLE, title);
	HPDF_SetInfoAttr(l.pdf, HPDF_INFO_CREATOR, "sigap");
	l.footer = footer;
	new_page(&l);
	/* header lines first, then the title */
	for (size_t i = 0; i < d->n && !l.err; i++) {
		char *t;
		if (d->parts[i].kind != P_HEADER)
			continue;
		if (!(t = to_winansi(d->parts[i].a))) {
			rc = ERR_NOMEM;
			goto done;
		}
		wrap(&l, l.bold, 10, 13, MARGIN, PAGE_W - 2 * MARGIN, t);
		free(t);
	}
	if (!l.err) {
		l.y -= 6;
		HPDF_Page_SetLineWidth(l.page, 1.0f);
		HPDF_Page_MoveTo(l.page, MARGIN, l.y);
		HPDF_Page_LineTo(l.page, PAGE_W - MARGIN, l.y);
		HPDF_Page_Stroke(l.page);
		l.y -= 14;
		wrap(&l, l.bold, 16, 20, MARGIN, PAGE_W - 2 * MARGIN, title);
	}
	for (size_t i = 0; i < d->n && !l.err; i++) {
		struct part *p = &d->parts[i];
		char *a = NULL, *b = NULL;
		if (p->kind == P_HEADER)
			continue;
		if (p->kind == P_QR) {
			l.y -= 8;
			draw_qr(&l, p->a, p->b);
			continue;
		}
		a = to_winansi(p->a);
		b = p->b ? to_winansi(p->b) : NULL;
		if (!a || (p->b && !b)) {
			free(a);
			free(b);
			rc = ERR_NOMEM;
			goto done;
		}
		switch (p->kind) {
		case P_SUBTITLE:
			wrap(&l, l.font, 11, 15, MARGIN, PAGE_W - 2 * MARGIN, a);
			break;
		case P_HEADING:
			l.y -= 8;
			wrap(&l, l.bold, 12, 16, MARGIN, PAGE_W - 2 * MARGIN, a);
			break;
		case P_ROW: {
			float top, keyw = 150.0f, key_end;
			int pages;
			need(&l, 14);
			top = l.y;
			pages = l.npages;
			wrap(&l, l.bold, 10, 13, MARGIN, keyw - 8, a);
			key_end = l.y;
			if (l.npages == pages)
				l.y = top; /* value beside the key */
			pages = l.npages;
			wrap(&l, l.font, 10, 13, MARGIN + keyw, PAGE_W - 2 * MARGIN - keyw, b);
			if (l.npages == pages && key_end < l.y)
				l.y = key_end;
			l.y -= 3;
			break;
		}
		case P_PARA:
			l.y -= 4;
			wrap(&l, l.font, 10, 14, MARGIN, PAGE_W - 2 * MARGIN, a);
			break;
		default:
			break;
		}
		free(a);
		free(b);
	}
	if (l.err) {
		rc = l.err == 2 ? ERR_INVALID : ERR_INTERNAL;
		goto done;
	}
	if (HPDF_SaveToStream(l.pdf) != HPDF_OK || l.err) {
		rc = ERR_INTERNAL;
		goto done;
	}
	{
		HPDF_UINT32 size = HPDF_GetStreamSize(l.pdf);
		HPDF_UINT32 got = size;
		sb_grow(out, size + 1);
		if (out->err) {
			rc = ERR_NOMEM;
			goto done;
		}
		HPDF_ResetStream(l.pdf);
		HPDF_ReadFromStream(l.pdf, (HPDF_BYTE *)out->buf + out->len, &got);
		if (got != size) {
			rc = ERR_INTERNAL;
			goto done;
		}
		out->len += got;
		out->buf[out->len] = '\0';
	}
done:
	free(title);
	free(footer);
	HPDF_Free(l.pdf);
	return rc;
}
