/*
 * text.c: the Indonesian text pipeline (see text.h): sanitising, utf8proc
 * normalisation, tokenisation, informal-spelling map, stopwords and
 * Snowball stemming. Everything here is bounded by TEXT_MAX_INPUT and
 * TEXT_MAX_TOKEN, so hostile input costs at most linear time and memory.
 */
#include "ai/text.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/err.h"
#include "core/banned.h"

uint64_t text_hash(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* ---- informal spellings ---------------------------------------------- */

struct informal {
	const char *from, *to;
};

/* Common chat/SMS spellings seen in complaints; kept sorted at start-up. */
static struct informal informal_tab[] = {
	{"aja", "saja"}, {"ajah", "saja"}, {"ama", "sama"}, {"bbrp", "beberapa"},
	{"bener", "benar"}, {"bgmn", "bagaimana"}, {"bgt", "banget"},
	{"bkn", "bukan"}, {"blg", "bilang"}, {"blm", "belum"}, {"blum", "belum"},
	{"bln", "bulan"}, {"bngt", "banget"}, {"bnr", "benar"}, {"bnyk", "banyak"},
	{"bpk", "bapak"}, {"brp", "berapa"}, {"bs", "bisa"}, {"bsa", "bisa"},
	{"byk", "banyak"}, {"cm", "cuma"}, {"cuman", "cuma"}, {"dah", "sudah"},
	{"deket", "dekat"}, {"dg", "dengan"}, {"dgn", "dengan"}, {"dket", "dekat"},
	{"dlm", "dalam"}, {"dmn", "dimana"}, {"dpt", "dapat"}, {"dr", "dari"},
	{"dri", "dari"}, {"emang", "memang"}, {"emg", "memang"}, {"engga", "tidak"},
	{"enggak", "tidak"}, {"ga", "tidak"}, {"gak", "tidak"}, {"gimana", "bagaimana"},
	{"gk", "tidak"}, {"gmn", "bagaimana"}, {"gua", "saya"}, {"gue", "saya"},
	{"gw", "saya"}, {"gx", "tidak"}, {"hr", "hari"}, {"hrs", "harus"},
	{"jd", "jadi"}, {"jdi", "jadi"}, {"jg", "juga"}, {"jgn", "jangan"},
	{"jl", "jalan"}, {"jln", "jalan"}, {"kagak", "tidak"}, {"kalo", "kalau"},
	{"karna", "karena"}, {"kec", "kecamatan"}, {"kel", "kelurahan"},
	{"kemaren", "kemarin"}, {"kl", "kalau"}, {"klo", "kalau"}, {"kmn", "kemana"},
	{"kmrn", "kemarin"}, {"knapa", "kenapa"}, {"knp", "kenapa"}, {"kpd", "kepada"},
	{"krg", "kurang"}, {"krn", "karena"}, {"kyk", "kayak"}, {"lbh", "lebih"},
	{"lg", "lagi"}, {"liat", "lihat"}, {"lwt", "lewat"}, {"masi", "masih"},
	{"mhn", "mohon"}, {"mlm", "malam"}, {"mnt", "minta"}, {"mo", "mau"},
	{"msh", "masih"}, {"ndak", "tidak"}, {"ngga", "tidak"}, {"nggak", "tidak"},
	{"ngurus", "urus"}, {"nunggu", "tunggu"}, {"org", "orang"}, {"pd", "pada"},
	{"pdhl", "padahal"}, {"rmh", "rumah"}, {"sampe", "sampai"}, {"sblm", "sebelum"},
	{"sdh", "sudah"}, {"sgt", "sangat"}, {"sj", "saja"}, {"skrang", "sekarang"},
	{"skrg", "sekarang"}, {"sklh", "sekolah"}, {"sm", "sama"}, {"spt", "seperti"},
	{"stlh", "setelah"}, {"sy", "saya"}, {"tau", "tahu"}, {"tdk", "tidak"},
	{"tgl", "tanggal"}, {"thn", "tahun"}, {"tlg", "tolong"}, {"tp", "tapi"},
	{"tpi", "tapi"}, {"trs", "terus"}, {"trus", "terus"}, {"tsb", "tersebut"},
	{"ttg", "tentang"}, {"udah", "sudah"}, {"udh", "sudah"}, {"untk", "untuk"},
	{"utk", "untuk"}, {"yg", "yang"},
};
#define N_INFORMAL (sizeof(informal_tab) / sizeof(informal_tab[0]))

static pthread_once_t informal_once = PTHREAD_ONCE_INIT;

static int informal_cmp(const void *a, const void *b)
{
	return strcmp(((const struct informal *)a)->from, ((const struct informal *)b)->from);
}

static void informal_sort(void)
{
	qsort(informal_tab, N_INFORMAL, sizeof(informal_tab[0]), informal_cmp);
}

const char *text_informal_lookup(const char *w, size_t len)
{
	if (len < 2 || len > 7) /* no entry is shorter or longer */
		return NULL;
	pthread_once(&informal_once, informal_sort);
	size_t lo = 0, hi = N_INFORMAL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *f = informal_tab[mid].from;
		int c = strncmp(f, w, len);
		if (c == 0 && f[len] != '\0')
			c = 1;
		if (c == 0)
			return informal_tab[mid].to;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- normalisation ----------------------------------------------------- */

/*
 * Copies up to TEXT_MAX_INPUT bytes of s into out (capacity >= len + 1),
 * replacing invalid UTF-8 and control characters by spaces. Returns the
 * length written and sets *ascii when every byte is ASCII.
 */
static size_t sanitize(const char *s, size_t len, char *out, int *ascii)
{
	size_t o = 0;
	*ascii = 1;
	if (len > TEXT_MAX_INPUT)
		len = TEXT_MAX_INPUT;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			out[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
			i++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
						      (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0 || (cp >= 0x80 && cp < 0xa0)) {
			out[o++] = ' ';
			i++;
			if (n > 0)
				i += (size_t)n - 1;
			continue;
		}
		*ascii = 0;
		memcpy(out + o, s + i, (size_t)n);
		o += (size_t)n;
		i += (size_t)n;
	}
	out[o] = '\0';
	return o;
}

/* Normalises into a malloc'd string; see text.h. */
int text_normalize(const char *s, size_t len, char **ret, size_t *ret_len)
{
	size_t cap = (len > TEXT_MAX_INPUT ? TEXT_MAX_INPUT : len) + 1;
	char *buf = malloc(cap);
	if (!buf)
		return ERR_NOMEM;
	int ascii;
	size_t n = sanitize(s ? s : "", s ? len : 0, buf, &ascii);
	if (ascii) {
		for (size_t i = 0; i < n; i++)
			if (buf[i] >= 'A' && buf[i] <= 'Z')
				buf[i] = (char)(buf[i] - 'A' + 'a');
		*ret = buf;
		*ret_len = n;
		return 0;
	}
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)buf, (utf8proc_ssize_t)n, &out,
					  UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
						  UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
						  UTF8PROC_IGNORE | UTF8PROC_STRIPCC);
	free(buf);
	if (m < 0)
		return m == UTF8PROC_ERROR_NOMEM ? ERR_NOMEM : ERR_INVALID;
	*ret = (char *)out;
	*ret_len = (size_t)m;
	return 0;
}

/* ---- stopword sets ------------------------------------------------------ */

struct text_stopset {
	char *blob;       /* words, each NUL-terminated */
	size_t *off;      /* offset of each word in blob */
	size_t n;         /* number of words */
	uint32_t *slots;  /* open addressing: word index + 1, 0 = empty */
	size_t mask;      /* slots size - 1 */
};

static const char *builtin_stop =
	"yang\ndi\nke\ndari\ndan\natau\nuntuk\ndengan\nsaya\nkami\nkita\naku\nmau\n"
	"ingin\nbagaimana\ncara\ncaranya\napa\nini\nitu\nada\nbisa\ntolong\nmohon\n"
	"pada\ndalam\noleh\nakan\nsudah\njuga\nbagi\nagar\nsupaya\nkenapa\nmengapa\n"
	"dimana\nkemana\nharus\nperlu\nnya\nlah\nkah\npun\nsaja\nsih\ndong\nkok\n"
	"gimana\nmana\nyg\ndgn\nutk\nmin\nadmin\nkak\npak\nbu\nbapak\nibu\n";

int text_stopset_has(const text_stopset_t *s, const char *w, size_t len)
{
	if (!s || !s->n)
		return 0;
	size_t h = (size_t)text_hash(TEXT_HASH_INIT, w, len) & s->mask;
	for (;;) {
		uint32_t v = s->slots[h];
		if (!v)
			return 0;
		const char *x = s->blob + s->off[v - 1];
		if (strlen(x) == len && memcmp(x, w, len) == 0)
			return 1;
		h = (h + 1) & s->mask;
	}
}

int text_stopset_from_buf(const char *buf, size_t len, text_stopset_t **ret)
{
	*ret = NULL;
	text_stopset_t *s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	size_t nlines = 1;
	for (size_t i = 0; i < len; i++)
		nlines += buf[i] == '\n';
	s->blob = malloc(len * 4 + 1);
	s->off = calloc(nlines, sizeof(size_t));
	size_t nslots = 16;
	while (nslots < nlines * 2)
		nslots <<= 1;
	s->slots = calloc(nslots, sizeof(uint32_t));
	s->mask = nslots - 1;
	if (!s->blob || !s->off || !s->slots) {
		text_stopset_free(s);
		return ERR_NOMEM;
	}
	size_t used = 0;
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && buf[j] != '\n')
			j++;
		size_t a = i, b = j;
		i = j + 1;
		while (a < b && (buf[a] == ' ' || buf[a] == '\t' || buf[a] == '\r'))
			a++;
		while (b > a && (buf[b - 1] == ' ' || buf[b - 1] == '\t' || buf[b - 1] == '\r'))
			b--;
		if (a == b || buf[a] == '#')
			continue;
		char *w;
		size_t wl;
		if (text_normalize(buf + a, b - a, &w, &wl) < 0) {
			text_stopset_free(s);
			return ERR_NOMEM;
		}
		if (wl == 0 || wl > (b - a) * 4 || text_stopset_has(s, w, wl)) {
			free(w);
			continue;
		}
		memcpy(s->blob + used, w, wl);
		s->blob[used + wl] = '\0';
		s->off[s->n] = used;
		size_t h = (size_t)text_hash(TEXT_HASH_INIT, w, wl) & s->mask;
		while (s->slots[h])
			h = (h + 1) & s->mask;
		s->slots[h] = (uint32_t)(s->n + 1);
		s->n++;
		used += wl + 1;
		free(w);
	}
	if (!s->n) {
		text_stopset_free(s);
		return ERR_INVALID;
	}
	*ret = s;
	return 0;
}

int text_stopset_load(const char *path, text_stopset_t **ret, char *err, size_t errlen)
{
	*ret = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open stopword list '%s'", path);
		return ERR_IO;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len + 4096 > cap) {
			if (cap > (size_t)16 << 20) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "stopword list '%s' is too large", path);
				return ERR_TOO_LARGE;
			}
			cap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return ERR_NOMEM;
			}
			buf = nb;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	int r = text_stopset_from_buf(buf ? buf : "", len, ret);
	free(buf);
	if (r == ERR_INVALID)
		snprintf(err, errlen, "stopword list '%s' has no words", path);
	return r;
}

int text_stopset_builtin(text_stopset_t **ret)
{
	return text_stopset_from_buf(builtin_stop, strlen(builtin_stop), ret);
}

size_t text_stopset_count(const text_stopset_t *s)
{
	return s ? s->n : 0;
}

const char *text_stopset_word(const text_stopset_t *s, size_t i)
{
	return s && i < s->n ? s->blob + s->off[i] : NULL;
}

void text_stopset_free(text_stopset_t *s)
{
	if (!s)
		return;
	free(s->blob);
	free(s->off);
	free(s->slots);
	free(s);
}

/* ---- the pipe ----------------------------------------------------------- */

struct tok_off {
	size_t form, stem;
	uint32_t form_len, stem_len;
};

struct text_pipe {
	unsigned flags;
	const text_stopset_t *stop; /* borrowed */
	struct sb_stemmer *stemmer; /* NULL unless TEXT_STEM */
	char *norm;                 /* sanitised input */
	size_t norm_cap;
	char *arena;                /* token strings */
	size_t arena_len, arena_cap;
	struct tok_off *offs;
	text_tok_t *toks;
	size_t ntok, tok_cap, toks_cap;
};

int text_pipe_new(unsigned flags, const text_stopset_t *stop, text_pipe_t **ret)
{
	*ret = NULL;
	text_pipe_t *p = calloc(1, sizeof(*p));
	if (!p)
		return ERR_NOMEM;
	p->flags = flags;
	p->stop = stop;
	if (flags & TEXT_STEM) {
		p->stemmer = sb_stemmer_new("indonesian", "UTF_8");
		if (!p->stemmer) {
			free(p);
			return ERR_UNSUPPORTED;
		}
	}
	*ret = p;
	return 0;
}

void text_pipe_free(text_pipe_t *p)
{
	if (!p)
		return;
	if (p->stemmer)
		sb_stemmer_delete(p->stemmer);
	free(p->norm);
	free(p->arena);
	free(p->offs);
	free(p->toks);
	free(p);
}

static int arena_add(text_pipe_t *p, const char *s, size_t len, size_t *ret_off)
{
	if (p->arena_len + len + 1 > p->arena_cap) {
		size_t cap = p->arena_cap ? p->arena_cap : 1024;
		while (cap < p->arena_len + len + 1)
			cap *= 2;
		char *a = realloc(p->arena, cap);
		if (!a)
			return ERR_NOMEM;
		p->arena = a;
		p->arena_cap = cap;
	}
	memcpy(p->arena + p->arena_len, s, len);
	p->arena[p->arena_len + len] = '\0';
	*ret_off = p->arena_len;
	p->arena_len += len + 1;
	return 0;
}

/* Squeezes runs of 3+ identical ASCII letters to one letter; returns new length. */
static size_t squeeze(char *w, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t j = i + 1;
		while (j < len && w[j] == w[i])
			j++;
		size_t run = j - i;
		int letter = w[i] >= 'a' && w[i] <= 'z';
		size_t keep = (letter && run >= 3) ? 1 : run;
		memmove(w + o, w + i, keep);
		o += keep;
		i = j;
	}
	return o;
}

static int add_token(text_pipe_t *p, char *w, size_t len)
{
	len = squeeze(w, len);
	if (len == 0 || len > TEXT_MAX_TOKEN)
		return 0;
	const char *form = w;
	if (p->flags & TEXT_INFORMAL) {
		const char *std = text_informal_lookup(w, len);
		if (std) {
			form = std;
			len = strlen(std);
		}
	}
	if ((p->flags & TEXT_STOPWORDS) && text_stopset_has(p->stop, form, len))
		return 0;
	if (p->ntok == p->tok_cap) {
		size_t cap = p->tok_cap ? p->tok_cap * 2 : 64;
		struct tok_off *o = realloc(p->offs, cap * sizeof(*o));
		if (!o)
			return ERR_NOMEM;
		p->offs = o;
		p->tok_cap = cap;
	}
	struct tok_off *t = &p->offs[p->ntok];
	if (arena_add(p, form, len, &t->form) < 0)
		return ERR_NOMEM;
	t->form_len = (uint32_t)len;
	t->stem = t->form;
	t->stem_len = t->form_len;
	if (p->stemmer) {
		const sb_symbol *st = sb_stemmer_stem(p->stemmer, (const sb_symbol *)p->arena + t->form,
						      (int)len);
		if (!st)
			return ERR_NOMEM;
		int sl = sb_stemmer_length(p->stemmer);
		if (sl > 0 && ((size_t)sl != len || memcmp(st, p->arena + t->form, len) != 0)) {
			if (arena_add(p, (const char *)st, (size_t)sl, &t->stem) < 0)
				return ERR_NOMEM;
			t->stem_len = (uint32_t)sl;
		}
	}
	p->ntok++;
	return 0;
}

static int is_word_cp(utf8proc_int32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
		       (cp >= 'A' && cp <= 'Z');
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
		return 1;
	default:
		return 0;
	}
}

int text_pipe_run(text_pipe_t *p, const char *s, size_t len,
		  const text_tok_t **ret_toks, size_t *ret_n)
{
	*ret_toks = NULL;
	*ret_n = 0;
	p->ntok = 0;
	p->arena_len = 0;
	if (!s)
		len = 0;
	if (len > TEXT_MAX_INPUT)
		len = TEXT_MAX_INPUT;
	if (p->norm_cap < len + 1) {
		char *n = realloc(p->norm, len + 1);
		if (!n)
			return ERR_NOMEM;
		p->norm = n;
		p->norm_cap = len + 1;
	}
	int ascii;
	size_t n = sanitize(s ? s : "", len, p->norm, &ascii);
	char *text = p->norm;
	utf8proc_uint8_t *mapped = NULL;
	if (ascii) {
		for (size_t i = 0; i < n; i++)
			if (text[i] >= 'A' && text[i] <= 'Z')
				text[i] = (char)(text[i] - 'A' + 'a');
	} else {
		utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)n,
						  &mapped,
						  UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
							  UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
							  UTF8PROC_IGNORE | UTF8PROC_STRIPCC);
		if (m < 0)
			return ERR_NOMEM; /* input was sanitised, so only allocation can fail */
		text = (char *)mapped;
		n = (size_t)m;
	}
	char word[TEXT_MAX_TOKEN * 4 + 8];
	size_t wl = 0;
	int too_long = 0, r = 0;
	for (size_t i = 0; i <= n && r == 0;) {
		utf8proc_int32_t cp = ' ';
		size_t step = 1;
		if (i < n) {
			if ((unsigned char)text[i] < 0x80) {
				cp = (unsigned char)text[i];
			} else {
				utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
								      (utf8proc_ssize_t)(n - i), &cp);
				if (k <= 0) {
					cp = ' ';
					k = 1;
				}
				step = (size_t)k;
			}
		}
		if (i < n && is_word_cp(cp)) {
			if (wl + step <= TEXT_MAX_TOKEN * 4)
				memcpy(word + wl, text + i, step), wl += step;
			else
				too_long = 1;
		} else if (wl) {
			if (!too_long)
				r = add_token(p, word, wl);
			wl = 0;
			too_long = 0;
		}
		i += step;
	}
	free(mapped);
	if (r < 0)
		return r;
	if (p->ntok > 0) {
		if (p->toks_cap < p->tok_cap) {
			text_tok_t *nt = realloc(p->toks, p->tok_cap * sizeof(*nt));
			if (!nt)
				return ERR_NOMEM;
			p->toks = nt;
			p->toks_cap = p->tok_cap;
		}
		text_tok_t *t = p->toks;
		for (size_t i = 0; i < p->ntok; i++) {
			t[i].form = p->arena + p->offs[i].form;
			t[i].stem = p->arena + p->offs[i].stem;
			t[i].form_len = p->offs[i].form_len;
			t[i].stem_len = p->offs[i].stem_len;
		}
	}
	*ret_toks = p->toks;
	*ret_n = p->ntok;
	return 0;
}
