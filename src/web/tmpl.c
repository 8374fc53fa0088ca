/*
 * tmpl.c: compiler and renderer for sigap's mustache-like templates (see
 * tmpl.h for the API and docs/templates.md for the syntax).
 *
 * A template compiles to a flat array of nodes. Text nodes point into the
 * template's private copy of its source; tag nodes point into a second
 * buffer holding their names as NUL-separated segments ("a.b.c" is stored
 * as "a\0b\0c\0"), so rendering never parses or allocates anything except
 * the output. A section node records the index just past its body, which
 * makes the body the half-open node range (i + 1, end).
 *
 * Rendering keeps a stack of JSON values (the "context stack"): a name is
 * looked up from the innermost value outwards, as in mustache. Its depth is
 * bounded by TMPL_MAX_NEST per template level times the partial depth, so
 * it is a fixed array on the C stack.
 */
#include "web/tmpl.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#include "core/banned.h"

enum node_type {
	N_TEXT,     /* literal bytes: src + off, len */
	N_VAR,      /* {{name}}: escaped value */
	N_RAW,      /* {{{name}}} / {{& name}}: raw value */
	N_SECTION,  /* {{#name}} ... {{/name}} */
	N_INVERTED, /* {{^name}} ... {{/name}} */
	N_PARTIAL,  /* {{>name}} */
	N_TRANS,    /* {{_ text}}: translated, escaped */
};

struct node {
	unsigned char type; /* enum node_type */
	unsigned nseg;      /* N_VAR/N_RAW/N_SECTION/N_INVERTED: name segments, 0 for "." */
	size_t off;         /* N_TEXT: offset in tmpl.src; others: offset in tmpl.strs */
	size_t len;         /* N_TEXT: byte count; others: unused */
	size_t end;         /* N_SECTION/N_INVERTED: index of the first node after the body */
};

struct tmpl {
	char *name;         /* owned, NUL-terminated */
	char *src;          /* owned copy of the source (text nodes point here) */
	char *strs;         /* owned; NUL-terminated names and msgids of tag nodes */
	struct node *nodes; /* owned array of nnodes nodes */
	size_t nnodes;
};

struct tmpl_set {
	struct tmpl **slots; /* open-addressing hash table, cap slots, NULL = empty */
	size_t cap;          /* power of two (0 before the first add) */
	size_t count;        /* occupied slots */
};

/* ---- the set ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->src);
	free(t->strs);
	free(t->nodes);
	free(t);
}

int tmpl_set_new(tmpl_set_t **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : ERR_NOMEM;
}

void tmpl_set_free(tmpl_set_t *set)
{
	size_t i;
	if (!set)
		return;
	for (i = 0; i < set->cap; i++)
		tmpl_free(set->slots[i]);
	free(set->slots);
	free(set);
}

size_t tmpl_set_count(const tmpl_set_t *set)
{
	return set ? set->count : 0;
}

/* Slot holding name, or the empty slot where it would go. cap must be > 0. */
static size_t set_slot(struct tmpl **slots, size_t cap, const char *name)
{
	size_t i = (size_t)hash_str(name) & (cap - 1);
	while (slots[i] && strcmp(slots[i]->name, name) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static const struct tmpl *set_find(const tmpl_set_t *set, const char *name)
{
	if (!set || !set->cap)
		return NULL;
	return set->slots[set_slot(set->slots, set->cap, name)];
}

/* Inserts t, replacing (and freeing) a template of the same name. */
static int set_put(tmpl_set_t *set, struct tmpl *t)
{
	size_t i;
	if ((set->count + 1) * 2 > set->cap) {
		size_t ncap = set->cap ? set->cap * 2 : 16;
		struct tmpl **ns = calloc(ncap, sizeof(*ns));
		if (!ns)
			return ERR_NOMEM;
		for (i = 0; i < set->cap; i++)
			if (set->slots[i])
				ns[set_slot(ns, ncap, set->slots[i]->name)] = set->slots[i];
		free(set->slots);
		set->slots = ns;
		set->cap = ncap;
	}
	i = set_slot(set->slots, set->cap, t->name);
	if (set->slots[i])
		tmpl_free(set->slots[i]);
	else
		set->count++;
	set->slots[i] = t;
	return 0;
}

/* ---- the compiler ---- */

/* Bytes of a section name kept for error messages. */
#define TMPL_NAME_MSG 64

struct compiler {
	const char *name;    /* template name, for messages */
	const char *src;     /* source being compiled (the template's own copy) */
	size_t len;
	struct node *nodes;  /* growing node array */
	size_t n, alloc;
	sb_t strs;           /* names and msgids of tag nodes */
	size_t open[TMPL_MAX_NEST];       /* node index of each open section */
	unsigned long open_line[TMPL_MAX_NEST]; /* its line */
	int depth;           /* number of open sections */
	char *err;           /* caller's message buffer */
	size_t errlen;
};

static int cerror(struct compiler *c, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cerror(struct compiler *c, unsigned long line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen, "%s:%lu: %s", c->name, line, msg);
	return ERR_INVALID;
}

/* Copies s (len bytes) into buf for a message: at most 40 bytes, control bytes as '?'. */
static const char *quote(char *buf, size_t bufsize, const char *s, size_t len)
{
	size_t i, n = len > 40 ? 40 : len;
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

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
}

static unsigned long count_lines(const char *s, size_t len)
{
	unsigned long n = 0;
	const char *end = s + len;
	while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		n++;
		s++;
	}
	return n;
}

static struct node *add_node(struct compiler *c, int type)
{
	struct node *nd;
	if (c->n == c->alloc) {
		size_t na = c->alloc ? c->alloc * 2 : 32;
		struct node *nn = realloc(c->nodes, na * sizeof(*nn));
		if (!nn)
			return NULL;
		c->nodes = nn;
		c->alloc = na;
	}
	nd = &c->nodes[c->n++];
	memset(nd, 0, sizeof(*nd));
	nd->type = (unsigned char)type;
	return nd;
}

/* Bytes allowed in a name: printable, no whitespace, no braces. */
static int name_char_ok(unsigned char ch)
{
	return ch > 0x20 && ch != 0x7f && ch != '{' && ch != '}';
}

/*
 * Stores a variable/section name in c->strs as NUL-separated segments and
 * sets nd->off/nseg. "." is the current context (nseg 0).
 */
static int add_name(struct compiler *c, struct node *nd, const char *s, size_t len,
		    unsigned long line, const char *sigil)
{
	char q[64];
	size_t i, seglen = 0;
	if (!len)
		return cerror(c, line, "empty name in '{{%s' tag", sigil);
	nd->off = c->strs.len;
	if (len == 1 && s[0] == '.') {
		nd->nseg = 0;
		sb_addch(&c->strs, '\0');
		return c->strs.err ? ERR_NOMEM : 0;
	}
	nd->nseg = 1;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (!name_char_ok(ch))
			return cerror(c, line, "invalid name '%s'", quote(q, sizeof(q), s, len));
		if (ch == '.') {
			if (!seglen || i + 1 == len)
				return cerror(c, line, "invalid name '%s'",
					      quote(q, sizeof(q), s, len));
			nd->nseg++;
			seglen = 0;
			sb_addch(&c->strs, '\0');
		} else {
			seglen++;
			sb_addch(&c->strs, (char)ch);
		}
	}
	sb_addch(&c->strs, '\0');
	return c->strs.err ? ERR_NOMEM : 0;
}

/* Stores a partial name (any printable bytes, dots and slashes included). */
static int add_partial(struct compiler *c, struct node *nd, const char *s, size_t len,
		       unsigned long line)
{
	char q[64];
	size_t i;
	if (!len)
		return cerror(c, line, "empty name in '{{>' tag");
	for (i = 0; i < len; i++)
		if (!name_char_ok((unsigned char)s[i]))
			return cerror(c, line, "invalid partial name '%s'",
				      quote(q, sizeof(q), s, len));
	nd->off = c->strs.len;
	sb_add(&c->strs, s, len);
	sb_addch(&c->strs, '\0');
	return c->strs.err ? ERR_NOMEM : 0;
}

/* Does the section node o have the dotted name s (len bytes)? */
static int section_name_is(const struct compiler *c, const struct node *o, const char *s,
			   size_t len)
{
	const char *seg = c->strs.buf + o->off;
	size_t i = 0;
	unsigned k;
	if (o->nseg == 0)
		return len == 1 && s[0] == '.';
	for (k = 0; k < o->nseg; k++) {
		size_t n = strlen(seg);
		if (k && (i >= len || s[i++] != '.'))
			return 0;
		if (len - i < n || memcmp(s + i, seg, n) != 0)
			return 0;
		i += n;
		seg += n + 1;
	}
	return i == len;
}

/* Writes the dotted name of section node o into buf (not NUL-terminated); returns its length. */
static size_t dotted_name(const struct compiler *c, const struct node *o, char *buf,
			  size_t bufsize)
{
	const char *seg = c->strs.buf + o->off;
	size_t i = 0;
	unsigned k;
	if (o->nseg == 0) {
		buf[0] = '.';
		return 1;
	}
	for (k = 0; k < o->nseg && i < bufsize; k++) {
		size_t n = strlen(seg);
		if (k)
			buf[i++] = '.';
		if (n > bufsize - i)
			n = bufsize - i;
		memcpy(buf + i, seg, n);
		i += n;
		seg += strlen(seg) + 1;
	}
	return i;
}

/* Handles the inside of one "{{ ... }}" tag (not a triple mustache). */
static int compile_tag(struct compiler *c, const char *s, size_t len, unsigned long line)
{
	char q1[64], q2[64];
	struct node *nd;
	char sigil;

	/* "{{_ }}" must stay a translation tag, so look at the sigil before trimming the end. */
	while (len && is_space(*s)) {
		s++;
		len--;
	}
	if (len > 1 && s[0] == '_' && is_space(s[1])) {
		s++;
		len--;
		trim(&s, &len);
		if (!len)
			return cerror(c, line, "empty text in '{{_' tag");
		if (memchr(s, '\0', len))
			return cerror(c, line, "NUL byte in '{{_' tag");
		nd = add_node(c, N_TRANS);
		if (!nd)
			return ERR_NOMEM;
		nd->off = c->strs.len;
		sb_add(&c->strs, s, len);
		sb_addch(&c->strs, '\0');
		return c->strs.err ? ERR_NOMEM : 0;
	}
	trim(&s, &len);
	if (!len)
		return cerror(c, line, "empty tag '{{}}'");
	sigil = s[0];
	switch (sigil) {
	case '!':
		return 0;
	case '=':
		return cerror(c, line, "delimiter changes ('{{=') are not supported");
	case '&':
	case '#':
	case '^':
	case '/':
	case '>':
		s++;
		len--;
		trim(&s, &len);
		break;
	default:
		sigil = 0;
		break;
	}

	switch (sigil) {
	case '&':
		nd = add_node(c, N_RAW);
		return nd ? add_name(c, nd, s, len, line, "&") : ERR_NOMEM;
	case '>':
		nd = add_node(c, N_PARTIAL);
		return nd ? add_partial(c, nd, s, len, line) : ERR_NOMEM;
	case '#':
	case '^': {
		int r;
		if (c->depth == TMPL_MAX_NEST)
			return cerror(c, line, "sections nested deeper than %d", TMPL_MAX_NEST);
		nd = add_node(c, sigil == '#' ? N_SECTION : N_INVERTED);
		if (!nd)
			return ERR_NOMEM;
		r = add_name(c, nd, s, len, line, sigil == '#' ? "#" : "^");
		if (r)
			return r;
		c->open[c->depth] = c->n - 1;
		c->open_line[c->depth] = line;
		c->depth++;
		return 0;
	}
	case '/': {
		const struct node *o;
		char dotted[TMPL_NAME_MSG];
		size_t dlen;
		if (!len)
			return cerror(c, line, "empty name in '{{/' tag");
		if (!c->depth)
			return cerror(c, line, "'{{/%s}}' closes no open section",
				      quote(q1, sizeof(q1), s, len));
		o = &c->nodes[c->open[c->depth - 1]];
		if (section_name_is(c, o, s, len)) {
			c->depth--;
			c->nodes[c->open[c->depth]].end = c->n;
			return 0;
		}
		dlen = dotted_name(c, o, dotted, sizeof(dotted));
		return cerror(c, line, "'{{/%s}}' does not match '{{%c%s}}' opened on line %lu",
			      quote(q1, sizeof(q1), s, len), o->type == N_SECTION ? '#' : '^',
			      quote(q2, sizeof(q2), dotted, dlen), c->open_line[c->depth - 1]);
	}
	default:
		nd = add_node(c, N_VAR);
		return nd ? add_name(c, nd, s, len, line, "") : ERR_NOMEM;
	}
}

static int compile(struct compiler *c)
{
	const char *src = c->src;
	size_t len = c->len, pos = 0;
	unsigned long line = 1;

	while (pos < len) {
		const char *open = memmem(src + pos, len - pos, "{{", 2);
		size_t o, cstart, cend, next;
		unsigned long tag_line;
		int r;

		if (!open) {
			struct node *nd = add_node(c, N_TEXT);
			if (!nd)
				return ERR_NOMEM;
			nd->off = pos;
			nd->len = len - pos;
			break;
		}
		o = (size_t)(open - src);
		if (o > pos) {
			struct node *nd = add_node(c, N_TEXT);
			if (!nd)
				return ERR_NOMEM;
			nd->off = pos;
			nd->len = o - pos;
			line += count_lines(src + pos, o - pos);
		}
		tag_line = line;
		if (o + 2 < len && src[o + 2] == '{') {
			const char *close;
			cstart = o + 3;
			close = memmem(src + cstart, len - cstart, "}}}", 3);
			if (!close)
				return cerror(c, tag_line, "unclosed '{{{' tag");
			cend = (size_t)(close - src);
			next = cend + 3;
			{
				const char *s = src + cstart;
				size_t n = cend - cstart;
				struct node *nd;
				trim(&s, &n);
				nd = add_node(c, N_RAW);
				if (!nd)
					return ERR_NOMEM;
				r = add_name(c, nd, s, n, tag_line, "{");
			}
		} else {
			const char *close;
			cstart = o + 2;
			close = memmem(src + cstart, len - cstart, "}}", 2);
			if (!close)
				return cerror(c, tag_line, "unclosed '{{' tag");
			cend = (size_t)(close - src);
			next = cend + 2;
			r = compile_tag(c, src + cstart, cend - cstart, tag_line);
		}
		if (r)
			return r;
		line += count_lines(src + cstart, cend - cstart);
		pos = next;
	}
	if (c->depth) {
		char q[64], dotted[TMPL_NAME_MSG];
		const struct node *o = &c->nodes[c->open[c->depth - 1]];
		size_t dlen = dotted_name(c, o, dotted, sizeof(dotted));
		return cerror(c, c->open_line[c->depth - 1], "unclosed section '{{%c%s}}'",
			      o->type == N_SECTION ? '#' : '^', quote(q, sizeof(q), dotted, dlen));
	}
	return 0;
}

int tmpl_set_add(tmpl_set_t *set, const char *name, const char *src, size_t len,
		 char *err, size_t errlen)
{
	struct compiler c;
	struct tmpl *t;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!set || !name || (!src && len))
		return ERR_INVALID;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ERR_NOMEM;
	t->name = strdup(name);
	t->src = malloc(len + 1);
	if (!t->name || !t->src) {
		tmpl_free(t);
		return ERR_NOMEM;
	}
	if (len)
		memcpy(t->src, src, len);
	t->src[len] = '\0';

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.src = t->src;
	c.len = len;
	c.err = err;
	c.errlen = errlen;
	sb_init(&c.strs);
	r = compile(&c);
	if (!r && c.strs.err)
		r = ERR_NOMEM;
	if (r) {
		free(c.nodes);
		sb_release(&c.strs);
		tmpl_free(t);
		return r;
	}
	t->nodes = c.nodes;
	t->nnodes = c.n;
	t->strs = sb_detach(&c.strs, NULL);
	if (!t->strs) {
		tmpl_free(t);
		return ERR_NOMEM;
	}
	r = set_put(set, t);
	if (r)
		tmpl_free(t);
	return r;
}

/* ---- the renderer ---- */

#define STACK_MAX (TMPL_MAX_NEST * (TMPL_MAX_PARTIAL_DEPTH + 1) + 1)

struct render {
	const tmpl_set_t *set;
	tmpl_translate_fn tr;
	void *tr_ud;
	sb_t *out;
	size_t start;             /* out->len at the call */
	unsigned long steps;      /* nodes visited so far */
	int pdepth;               /* partial nesting */
	size_t sp;                /* entries used in stack */
	json_t *stack[STACK_MAX]; /* context stack, innermost last */
};

static json_t *lookup(const struct render *r, const char *name, unsigned nseg)
{
	json_t *v = NULL;
	size_t i;
	unsigned k;

	if (nseg == 0)
		return r->sp ? r->stack[r->sp - 1] : NULL;
	for (i = r->sp; i-- > 0;) {
		v = json_object_get(r->stack[i], name);
		if (v)
			break;
	}
	for (k = 1; k < nseg && v; k++) {
		name += strlen(name) + 1;
		v = json_object_get(v, name);
	}
	return v;
}

static int truthy(const json_t *v)
{
	if (!v)
		return 0;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	default:
		return 1;
	}
}

static void write_value(sb_t *out, const json_t *v, int escape)
{
	char buf[40];
	const char *s = NULL;
	size_t len = 0;

	if (!v)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		len = json_string_length(v);
		break;
	case JSON_INTEGER:
		len = (size_t)snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
				       json_integer_value(v));
		s = buf;
		break;
	case JSON_REAL: {
		double d = json_real_value(v);
		/* Shortest of %.15g / %.17g that reads back as the same double. */
		snprintf(buf, sizeof(buf), "%.15g", d);
		if (strtod(buf, NULL) != d)
			snprintf(buf, sizeof(buf), "%.17g", d);
		s = buf;
		len = strlen(buf);
		break;
	}
	case JSON_TRUE:
		s = "true";
		len = 4;
		break;
	case JSON_FALSE:
		s = "false";
		len = 5;
		break;
	default:
		return; /* null, objects and arrays print nothing */
	}
	if (escape)
		sb_add_html(out, s, len);
	else
		sb_add(out, s, len);
}

static int push(struct render *r, json_t *v)
{
	if (r->sp == STACK_MAX)
		return ERR_INTERNAL; /* cannot happen given the compile-time limits */
	r->stack[r->sp++] = v;
	return 0;
}

static int render_nodes(struct render *r, const struct tmpl *t, size_t i, size_t end);

static int render_partial(struct render *r, const char *name)
{
	const struct tmpl *p = set_find(r->set, name);
	int ret;
	if (!p)
		return ERR_NOT_FOUND;
	if (r->pdepth >= TMPL_MAX_PARTIAL_DEPTH)
		return ERR_INTERNAL;
	r->pdepth++;
	ret = render_nodes(r, p, 0, p->nnodes);
	r->pdepth--;
	return ret;
}

static int render_section(struct render *r, const struct tmpl *t, const struct node *nd,
			  size_t body)
{
	json_t *v = lookup(r, t->strs + nd->off, nd->nseg);
	int ret;

	if (nd->type == N_INVERTED)
		return truthy(v) ? 0 : render_nodes(r, t, body, nd->end);
	if (!truthy(v))
		return 0;
	if (json_is_array(v)) {
		size_t k, n = json_array_size(v);
		for (k = 0; k < n; k++) {
			ret = push(r, json_array_get(v, k));
			if (ret)
				return ret;
			ret = render_nodes(r, t, body, nd->end);
			r->sp--;
			if (ret)
				return ret;
		}
		return 0;
	}
	ret = push(r, v);
	if (ret)
		return ret;
	ret = render_nodes(r, t, body, nd->end);
	r->sp--;
	return ret;
}

static int render_nodes(struct render *r, const struct tmpl *t, size_t i, size_t end)
{
	sb_t *out = r->out;
	int ret;

	while (i < end) {
		const struct node *nd = &t->nodes[i];
		if (++r->steps > TMPL_MAX_STEPS)
			return ERR_INTERNAL;
		switch (nd->type) {
		case N_TEXT:
			sb_add(out, t->src + nd->off, nd->len);
			break;
		case N_VAR:
		case N_RAW:
			write_value(out, lookup(r, t->strs + nd->off, nd->nseg), nd->type == N_VAR);
			break;
		case N_TRANS: {
			const char *msgid = t->strs + nd->off;
			const char *s = r->tr ? r->tr(r->tr_ud, msgid) : NULL;
			if (!s)
				s = msgid;
			sb_add_html(out, s, strlen(s));
			break;
		}
		case N_PARTIAL:
			ret = render_partial(r, t->strs + nd->off);
			if (ret)
				return ret;
			break;
		case N_SECTION:
		case N_INVERTED:
			ret = render_section(r, t, nd, i + 1);
			if (ret)
				return ret;
			i = nd->end;
			continue;
		default:
			return ERR_INTERNAL;
		}
		if (out->err)
			return ERR_NOMEM;
		if (out->len - r->start > TMPL_MAX_OUTPUT)
			return ERR_INTERNAL;
		i++;
	}
	return 0;
}

int tmpl_render(const tmpl_set_t *set, const char *name, json_t *ctx,
		tmpl_translate_fn tr, void *tr_ud, sb_t *out)
{
	struct render *r;
	const struct tmpl *t;
	int ret;

	if (!out || !name)
		return ERR_INVALID;
	t = set_find(set, name);
	if (!t)
		return ERR_NOT_FOUND;
	if (out->err)
		return ERR_NOMEM;
	/* ~9 KB of stack: keep it off the caller's (possibly small) C stack. */
	r = malloc(sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	r->set = set;
	r->tr = tr;
	r->tr_ud = tr_ud;
	r->out = out;
	r->start = out->len;
	r->steps = 0;
	r->pdepth = 0;
	r->sp = 0;
	if (ctx)
		r->stack[r->sp++] = ctx;
	ret = render_nodes(r, t, 0, t->nnodes);
	if (!ret && out->err)
		ret = ERR_NOMEM;
	if (ret && !out->err) {
		out->len = r->start;
		out->buf[out->len] = '\0';
	}
	free(r);
	return ret;
}
