/*
 * i18n.c: .po catalogue parser, translation lookup and Accept-Language
 * negotiation (see i18n.h).
 *
 * The parser works line by line. An entry is collected in a struct po_entry
 * (its msgctxt, msgid, msgstr and flags) and stored when the next entry
 * starts or the text ends. Stored translations live in an open-addressing
 * hash table keyed by msgid; each slot owns one allocation holding
 * "msgid\0msgstr\0".
 */
#include "web/i18n.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/sb.h"

#include "core/banned.h"

struct slot {
	char *msgid;        /* owned block "msgid\0msgstr\0"; NULL for an empty slot */
	const char *msgstr; /* points into the msgid block */
	int has_ctxt;       /* the entry had a msgctxt (duplicates are then allowed) */
};

struct i18n_catalog {
	struct slot *slots; /* cap slots */
	size_t cap;         /* power of two, at least twice count */
	size_t count;       /* stored translations */
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static size_t find_slot(const struct slot *slots, size_t cap, const char *msgid)
{
	size_t i = (size_t)hash_str(msgid) & (cap - 1);
	while (slots[i].msgid && strcmp(slots[i].msgid, msgid) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

void i18n_catalog_free(i18n_catalog_t *c)
{
	size_t i;
	if (!c)
		return;
	for (i = 0; i < c->cap; i++)
		free(c->slots[i].msgid);
	free(c->slots);
	free(c);
}

const char *i18n_get(const i18n_catalog_t *c, const char *msgid)
{
	size_t i;
	if (!msgid)
		return "";
	if (!c || !c->count)
		return msgid;
	i = find_slot(c->slots, c->cap, msgid);
	return c->slots[i].msgid ? c->slots[i].msgstr : msgid;
}

size_t i18n_count(const i18n_catalog_t *c)
{
	return c ? c->count : 0;
}

static int grow(i18n_catalog_t *c)
{
	size_t i, ncap = c->cap ? c->cap * 2 : 64;
	struct slot *ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return ERR_NOMEM;
	for (i = 0; i < c->cap; i++)
		if (c->slots[i].msgid)
			ns[find_slot(ns, ncap, c->slots[i].msgid)] = c->slots[i];
	free(c->slots);
	c->slots = ns;
	c->cap = ncap;
	return 0;
}

/* ---- the parser ---- */

struct po_entry {
	sb_t ctxt, id, plural, str; /* msgctxt, msgid, msgid_plural, msgstr / msgstr[0] */
	sb_t scratch;               /* msgstr[1..n], parsed and dropped */
	int has_ctxt, has_id, has_plural, has_str;
	int nplural;                /* msgstr[n] lines seen */
	int fuzzy;                  /* "#, fuzzy" seen before this entry */
	unsigned long id_line;      /* line of msgid, for messages */
	sb_t *cur;                  /* string that a "..." line continues, or NULL */
};

struct parser {
	i18n_catalog_t *cat;
	struct po_entry e;
	unsigned long line;
	char *err;
	size_t errlen;
};

static int perror_at(struct parser *p, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perror_at(struct parser *p, unsigned long line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "line %lu: %s", line, msg);
	return ERR_INVALID;
}

/* Copies at most 30 bytes of s for a message, control bytes as '?'. */
static const char *quote(char *buf, size_t bufsize, const char *s, size_t len)
{
	size_t i, n = len > 30 ? 30 : len;
	if (n + 4 > bufsize)
		n = bufsize - 4;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		buf[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	if (n < len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* The printf conversions of s, each as written ("%s", "%.*s", "%lld",
 * "%%"), separated by spaces, into buf (at most bufsize - 1 bytes; longer
 * lists end in "..."). A '%' at the very end is a conversion of its own.
 * A translation is used as the format wherever its msgid is, with the same
 * arguments, so both must list the same conversions in the same order. */
static const char *conversions(char *buf, size_t bufsize, const char *s)
{
	size_t o = 0;
	buf[0] = '\0';
	for (const char *q = s; (q = strchr(q, '%'));) {
		const char *b = q++;
		size_t n;
		while (*q && strchr("0123456789$-+ #'.*", *q)) /* position, flags, width, precision */
			q++;
		while (*q && strchr("hljztLq", *q))               /* length */
			q++;
		if (*q)
			q++;                                       /* the conversion itself */
		n = (size_t)(q - b);
		if (o + n + 5 > bufsize) {
			snprintf(buf + o, bufsize - o, "%s...", o ? " " : "");
			break;
		}
		if (o)
			buf[o++] = ' ';
		for (size_t i = 0; i < n; i++)
			buf[o++] = (b[i] < 0x20 || b[i] == 0x7f) ? '?' : b[i];
		buf[o] = '\0';
	}
	return buf;
}

static void entry_reset(struct po_entry *e)
{
	sb_reset(&e->ctxt);
	sb_reset(&e->id);
	sb_reset(&e->plural);
	sb_reset(&e->str);
	sb_reset(&e->scratch);
	e->has_ctxt = e->has_id = e->has_plural = e->has_str = 0;
	e->nplural = 0;
	e->fuzzy = 0;
	e->id_line = 0;
	e->cur = NULL;
}

static void entry_release(struct po_entry *e)
{
	sb_release(&e->ctxt);
	sb_release(&e->id);
	sb_release(&e->plural);
	sb_release(&e->str);
	sb_release(&e->scratch);
}

/* Stores the collected entry (if it is a real translation) and starts a new one. */
static int finish_entry(struct parser *p)
{
	struct po_entry *e = &p->e;
	i18n_catalog_t *c = p->cat;
	struct slot *s;
	char *block;
	size_t i;

	if (e->ctxt.err || e->id.err || e->plural.err || e->str.err || e->scratch.err)
		return ERR_NOMEM;
	if (!e->has_id) {
		if (e->has_ctxt)
			return perror_at(p, p->line, "msgctxt without msgid");
		entry_reset(e);
		return 0;
	}
	if (!e->has_str)
		return perror_at(p, e->id_line, "missing msgstr for msgid");
	if (e->fuzzy || !e->id.len || !e->str.len) {
		entry_reset(e);
		return 0;
	}
	{
		char a[256], b[256]; /* truncated alike only past about 40 conversions */
		conversions(a, sizeof(a), e->id.buf);
		if (strcmp(a, conversions(b, sizeof(b), e->str.buf))) {
			char q[40];
			return perror_at(p, e->id_line, "msgstr of '%s' has conversions '%s', msgid '%s'",
					 quote(q, sizeof(q), e->id.buf, e->id.len), b, a);
		}
	}
	if ((c->count + 1) * 2 > c->cap && grow(c))
		return ERR_NOMEM;
	i = find_slot(c->slots, c->cap, e->id.buf);
	s = &c->slots[i];
	if (s->msgid) {
		char q[40];
		if (!s->has_ctxt && !e->has_ctxt)
			return perror_at(p, e->id_line, "duplicate msgid '%s'",
					 quote(q, sizeof(q), e->id.buf, e->id.len));
		entry_reset(e); /* same msgid in another context: the first one wins */
		return 0;
	}
	block = malloc(e->id.len + e->str.len + 2);
	if (!block)
		return ERR_NOMEM;
	memcpy(block, e->id.buf, e->id.len + 1);
	memcpy(block + e->id.len + 1, e->str.buf, e->str.len + 1);
	s->msgid = block;
	s->msgstr = block + e->id.len + 1;
	s->has_ctxt = e->has_ctxt;
	c->count++;
	entry_reset(e);
	return 0;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Parses a quoted string starting at s (s[0] must be '"') up to end, appending
 * the unescaped bytes to out. Only blanks may follow the closing quote.
 */
static int parse_string(struct parser *p, const char *s, const char *end, sb_t *out)
{
	const char *start;
	if (s >= end || *s != '"')
		return perror_at(p, p->line, "expected '\"'");
	s++;
	for (;;) {
		start = s;
		while (s < end && *s != '"' && *s != '\\' && *s != '\0')
			s++;
		sb_add(out, start, (size_t)(s - start));
		if (s >= end)
			return perror_at(p, p->line, "unterminated string");
		if (*s == '\0')
			return perror_at(p, p->line, "NUL byte in string");
		if (*s == '"')
			break;
		/* backslash */
		s++;
		if (s >= end)
			return perror_at(p, p->line, "unterminated string");
		switch (*s) {
		case 'n': sb_addch(out, '\n'); break;
		case 't': sb_addch(out, '\t'); break;
		case 'r': sb_addch(out, '\r'); break;
		case '"': sb_addch(out, '"'); break;
		case '\\': sb_addch(out, '\\'); break;
		case 'a': sb_addch(out, '\a'); break;
		case 'b': sb_addch(out, '\b'); break;
		case 'f': sb_addch(out, '\f'); break;
		case 'v': sb_addch(out, '\v'); break;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7': {
			unsigned v = 0;
			int k;
			for (k = 0; k < 3 && s < end && *s >= '0' && *s <= '7'; k++, s++)
				v = v * 8 + (unsigned)(*s - '0');
			s--;
			if (v == 0 || v > 255)
				return perror_at(p, p->line, "invalid octal escape");
			sb_addch(out, (char)v);
			break;
		}
		default: {
			char q[8];
			return perror_at(p, p->line, "invalid escape '\\%s'",
					 quote(q, sizeof(q), s, 1));
		}
		}
		s++;
	}
	s++; /* closing quote */
	while (s < end && is_blank(*s))
		s++;
	if (s < end)
		return perror_at(p, p->line, "unexpected text after string");
	return 0;
}

/* Handles a "#..." line. */
static int parse_comment(struct parser *p, const char *s, const char *end)
{
	struct po_entry *e = &p->e;
	int r;

	/* A comment after a complete entry belongs to the next one. */
	if (e->has_str && (r = finish_entry(p)) != 0)
		return r;
	e->cur = NULL;
	if (end - s >= 2 && s[1] == ',') {
		/* Flags: "#, fuzzy, c-format" */
		const char *f = s + 2;
		while (f < end) {
			const char *t;
			while (f < end && (is_blank(*f) || *f == ','))
				f++;
			t = f;
			while (f < end && !is_blank(*f) && *f != ',')
				f++;
			if (f - t == 5 && memcmp(t, "fuzzy", 5) == 0)
				e->fuzzy = 1;
		}
	}
	return 0;
}

/* Handles a line starting with a keyword. */
static int parse_keyword(struct parser *p, const char *s, const char *end)
{
	struct po_entry *e = &p->e;
	const char *kw = s;
	size_t kwlen;
	char q[40];
	int r;

	while (s < end && ((*s >= 'a' && *s <= 'z') || *s == '_'))
		s++;
	kwlen = (size_t)(s - kw);

	if (kwlen == 7 && memcmp(kw, "msgctxt", 7) == 0) {
		if (e->has_str && (r = finish_entry(p)) != 0)
			return r;
		if (e->has_ctxt || e->has_id)
			return perror_at(p, p->line, "unexpected msgctxt");
		e->has_ctxt = 1;
		e->cur = &e->ctxt;
	} else if (kwlen == 5 && memcmp(kw, "msgid", 5) == 0) {
		if (e->has_str && (r = finish_entry(p)) != 0)
			return r;
		if (e->has_id)
			return perror_at(p, e->id_line, "missing msgstr for msgid");
		e->has_id = 1;
		e->id_line = p->line;
		e->cur = &e->id;
	} else if (kwlen == 12 && memcmp(kw, "msgid_plural", 12) == 0) {
		if (!e->has_id || e->has_plural || e->has_str)
			return perror_at(p, p->line, "unexpected msgid_plural");
		e->has_plural = 1;
		e->cur = &e->plural;
	} else if (kwlen == 6 && memcmp(kw, "msgstr", 6) == 0) {
		if (!e->has_id)
			return perror_at(p, p->line, "msgstr without msgid");
		if (s < end && *s == '[') {
			unsigned long n = 0;
			const char *d = ++s;
			while (s < end && *s >= '0' && *s <= '9' && s - d < 6)
				n = n * 10 + (unsigned long)(*s++ - '0');
			if (s == d || s >= end || *s != ']')
				return perror_at(p, p->line, "invalid msgstr[] index");
			s++;
			if (!e->has_plural)
				return perror_at(p, p->line, "msgstr[%lu] without msgid_plural", n);
			if (n != (unsigned long)e->nplural)
				return perror_at(p, p->line, "msgstr[%lu] out of order", n);
			e->nplural++;
			if (n == 0) {
				e->has_str = 1;
				e->cur = &e->str;
			} else {
				sb_reset(&e->scratch);
				e->cur = &e->scratch;
			}
		} else {
			if (e->has_plural)
				return perror_at(p, p->line, "plural entry needs msgstr[0]");
			if (e->has_str)
				return perror_at(p, p->line, "duplicate msgstr");
			e->has_str = 1;
			e->cur = &e->str;
		}
	} else {
		return perror_at(p, p->line, "unknown keyword '%s'",
				 quote(q, sizeof(q), kw, kwlen ? kwlen : (size_t)(end - kw)));
	}
	if (s >= end || (!is_blank(*s) && *s != '"'))
		return perror_at(p, p->line, "expected a string after '%s'",
				 quote(q, sizeof(q), kw, (size_t)(s - kw)));
	while (s < end && is_blank(*s))
		s++;
	return parse_string(p, s, end, e->cur);
}

static int parse_line(struct parser *p, const char *s, const char *end)
{
	while (s < end && is_blank(*s))
		s++;
	if (s == end) {
		p->e.cur = NULL;
		return 0;
	}
	if (*s == '#')
		return parse_comment(p, s, end);
	if (*s == '"') {
		if (!p->e.cur)
			return perror_at(p, p->line, "string without a keyword");
		return parse_string(p, s, end, p->e.cur);
	}
	return parse_keyword(p, s, end);
}

int i18n_catalog_parse(const char *buf, size_t len, i18n_catalog_t **ret, char *err,
		       size_t errlen)
{
	struct parser p;
	const char *s = buf, *end = buf + len;
	int r = 0;

	*ret = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!buf && len)
		return ERR_INVALID;
	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	p.cat = calloc(1, sizeof(*p.cat));
	if (!p.cat)
		return ERR_NOMEM;
	sb_init(&p.e.ctxt);
	sb_init(&p.e.id);
	sb_init(&p.e.plural);
	sb_init(&p.e.str);
	sb_init(&p.e.scratch);

	/* A UTF-8 byte order mark is allowed at the start. */
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (s < end && !r) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		p.line++;
		if (eol > s && eol[-1] == '\r')
			eol--;
		r = parse_line(&p, s, eol);
		s = nl ? nl + 1 : end;
	}
	if (!r)
		r = finish_entry(&p);
	entry_release(&p.e);
	if (r) {
		i18n_catalog_free(p.cat);
		return r;
	}
	*ret = p.cat;
	return 0;
}

/* ---- Accept-Language ---- */

static int lower(char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch;
}

static int is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* "*" or 1*8ALPHA *("-" 1*8alphanum) */
static int valid_range(const char *s, size_t len)
{
	size_t i = 0, run = 0;
	if (len == 1 && s[0] == '*')
		return 1;
	for (; i < len && is_alpha(s[i]); i++)
		run++;
	if (run < 1 || run > 8)
		return 0;
	while (i < len) {
		if (s[i++] != '-')
			return 0;
		for (run = 0; i < len && (is_alpha(s[i]) || is_digit(s[i])); i++)
			run++;
		if (run < 1 || run > 8)
			return 0;
	}
	return 1;
}

/* qvalue = "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")], in thousandths; -1 if malformed. */
static int parse_q(const char *s, size_t len)
{
	size_t i;
	int v, scale = 100;
	if (!len || (s[0] != '0' && s[0] != '1'))
		return -1;
	v = (s[0] - '0') * 1000;
	if (len == 1)
		return v;
	if (s[1] != '.' || len > 5)
		return -1;
	for (i = 2; i < len; i++, scale /= 10) {
		if (!is_digit(s[i]))
			return -1;
		v += (s[i] - '0') * scale;
	}
	return v > 1000 ? -1 : v;
}

/* 2 if range equals code, 1 if one is a '-'-prefix of the other, else 0 (case-insensitive). */
static int match(const char *range, size_t rlen, const char *code)
{
	size_t i;
	for (i = 0; i < rlen && code[i]; i++)
		if (lower(range[i]) != lower(code[i]))
			return 0;
	if (i == rlen && !code[i])
		return 2;
	if (i == rlen)
		return code[i] == '-' ? 1 : 0;
	return range[i] == '-' ? 1 : 0;
}

static void trim_blank(const char **s, size_t *len)
{
	while (*len && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_blank((*s)[*len - 1]))
		(*len)--;
}

const char *i18n_negotiate(const char *accept_language, const char *const *available,
			   size_t n, const char *def)
{
	const char *s = accept_language, *best = def;
	int best_q = 0, best_m = 0;

	if (!s || !available)
		return def;
	while (*s) {
		const char *item = s, *semi, *range;
		size_t ilen, rlen, i;
		int q = 1000;

		while (*s && *s != ',')
			s++;
		ilen = (size_t)(s - item);
		if (*s)
			s++;
		trim_blank(&item, &ilen);
		semi = memchr(item, ';', ilen);
		range = item;
		rlen = semi ? (size_t)(semi - item) : ilen;
		trim_blank(&range, &rlen);
		if (!valid_range(range, rlen))
			continue;
		/* Parameters: only q matters; a malformed q drops the range. */
		while (semi && q >= 0) {
			const char *prm = semi + 1, *next;
			size_t plen;
			next = memchr(prm, ';', (size_t)(item + ilen - prm));
			plen = next ? (size_t)(next - prm) : (size_t)(item + ilen - prm);
			trim_blank(&prm, &plen);
			if (plen >= 2 && (prm[0] == 'q' || prm[0] == 'Q') && prm[1] == '=') {
				const char *v = prm + 2;
				size_t vlen = plen - 2;
				trim_blank(&v, &vlen);
				q = parse_q(v, vlen);
			}
			semi = next;
		}
		if (q <= 0 || (rlen == 1 && range[0] == '*'))
			continue;
		for (i = 0; i < n; i++) {
			int m;
			if (!available[i])
				continue;
			m = match(range, rlen, available[i]);
			if (m && (q > best_q || (q == best_q && m > best_m))) {
				best = available[i];
				best_q = q;
				best_m = m;
			}
		}
	}
	return best;
}
