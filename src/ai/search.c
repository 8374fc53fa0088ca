/*
 * search.c: BM25F service search with Indonesian synonyms (see search.h).
 *
 * Analysis of a text (documents and queries alike): text.h pipeline with
 * informal spellings and stems; multi-word phrases are matched first on
 * surface forms ("kartu tanda penduduk" -> ktp), then stopwords are
 * dropped, then single words map through the synonym table on their form
 * or their stem; anything else becomes its stem.
 *
 * Index: a term dictionary (open addressing over a string blob) and, per
 * term, a postings list of (document, field-weighted term frequency).
 */
#include "ai/search.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/text.h"
#include "core/err.h"
#include "core/sb.h"
#include "core/banned.h"

#define K1 1.2
#define B 0.75
#define W_TITLE 3.0
#define W_KEYWORDS 2.0
#define W_BODY 1.0
#define PREFIX_WEIGHT 0.6
#define MAX_PREFIX_TERMS 32

/* ---- synonyms ---------------------------------------------------------------- */

struct phrase {
	const char *words; /* space-separated normalised forms */
	const char *canon;
};

/* Longest phrases first so that greedy matching prefers them. */
static const struct phrase phrases[] = {
	{"surat keterangan tidak mampu", "sktm"},
	{"persetujuan bangunan gedung", "pbg"},
	{"izin mendirikan bangunan", "pbg"},
	{"ijin mendirikan bangunan", "pbg"},
	{"pajak bumi dan bangunan", "pbb"},
	{"kartu tanda penduduk", "ktp"},
	{"kartu tanduk penduduk", "ktp"}, /* a common slip */
	{"kartu identitas anak", "kia"},
	{"penerangan jalan umum", "pju"},
	{"nomor induk berusaha", "nib"},
	{"akta lahir", "akta lahir"},
	{"kartu keluarga", "kk"},
	{"kartu indonesia sehat", "bpjs"},
	{"lampu jalan", "pju"},
	{"air bersih", "air"},
	{"ktp el", "ktp"},
	{"e ktp", "ktp"},
	{"buka usaha", "usaha"},
};

struct syn {
	const char *word;
	const char *canon;
};

static struct syn syns[] = {
	{"ktp", "ktp"}, {"ektp", "ktp"}, {"ktpel", "ktp"}, {"kk", "kk"},
	{"akta", "akta"}, {"akte", "akta"}, {"aktanya", "akta"},
	{"bikin", "buat"}, {"buat", "buat"}, {"membuat", "buat"}, {"pembuatan", "buat"},
	{"urus", "buat"}, {"mengurus", "buat"}, {"pengurusan", "buat"}, {"bikinin", "buat"},
	{"terbitkan", "buat"}, {"penerbitan", "buat"}, {"cetak", "buat"}, {"pencetakan", "buat"},
	{"hilang", "ganti"}, {"kehilangan", "ganti"}, {"rusak", "ganti"}, {"ganti", "ganti"},
	{"penggantian", "ganti"}, {"mengganti", "ganti"}, {"robek", "ganti"},
	{"izin", "izin"}, {"ijin", "izin"}, {"perizinan", "izin"}, {"perijinan", "izin"},
	{"warung", "usaha"}, {"usaha", "usaha"}, {"toko", "usaha"}, {"kios", "usaha"},
	{"dagang", "usaha"}, {"berdagang", "usaha"}, {"jualan", "usaha"}, {"umkm", "usaha"},
	{"bisnis", "usaha"}, {"berusaha", "usaha"}, {"lapak", "usaha"},
	{"imb", "pbg"}, {"pbg", "pbg"},
	{"pindah", "pindah"}, {"pindahan", "pindah"}, {"mutasi", "pindah"}, {"kepindahan", "pindah"},
	{"nikah", "nikah"}, {"kawin", "nikah"}, {"perkawinan", "nikah"}, {"pernikahan", "nikah"},
	{"menikah", "nikah"},
	{"lahir", "lahir"}, {"kelahiran", "lahir"}, {"melahirkan", "lahir"},
	{"meninggal", "kematian"}, {"wafat", "kematian"}, {"kematian", "kematian"},
	{"reklame", "reklame"}, {"baliho", "reklame"}, {"spanduk", "reklame"}, {"iklan", "reklame"},
	{"bpjs", "bpjs"}, {"kis", "bpjs"}, {"jkn", "bpjs"},
	{"pdam", "air"}, {"pju", "pju"}, {"pbb", "pbb"}, {"sktm", "sktm"}, {"kia", "kia"},
	{"nib", "nib"}, {"oss", "nib"}, {"siup", "nib"},
	{"sekolah", "sekolah"}, {"ppdb", "sekolah"},
	{"tempat", "tempat"}, {"lokasi", "tempat"},
};
#define N_SYNS (sizeof(syns) / sizeof(syns[0]))

static pthread_once_t syn_once = PTHREAD_ONCE_INIT;
static text_stopset_t *search_stop;

static int syn_cmp(const void *a, const void *b)
{
	return strcmp(((const struct syn *)a)->word, ((const struct syn *)b)->word);
}

static void syn_init(void)
{
	qsort(syns, N_SYNS, sizeof(syns[0]), syn_cmp);
	if (text_stopset_builtin(&search_stop) < 0)
		search_stop = NULL; /* searching still works, just without stopwords */
}

static const char *syn_lookup(const char *w)
{
	struct syn key = {w, NULL};
	const struct syn *s = bsearch(&key, syns, N_SYNS, sizeof(syns[0]), syn_cmp);
	return s ? s->canon : NULL;
}

/* Number of tokens of toks[i..] matching phrase p, or 0. */
static size_t phrase_match(const struct phrase *p, const text_tok_t *toks, size_t i, size_t n)
{
	const char *w = p->words;
	size_t k = 0;
	while (*w) {
		const char *sp = strchr(w, ' ');
		size_t wl = sp ? (size_t)(sp - w) : strlen(w);
		if (i + k >= n || toks[i + k].form_len != wl || memcmp(toks[i + k].form, w, wl) != 0)
			return 0;
		k++;
		w += wl;
		if (*w == ' ')
			w++;
	}
	return k;
}

/*
 * Analyses text into canonical terms, appended NUL-separated to out, for
 * documents, queries and search_analyze() alike. *ret_count gets the number
 * of terms.
 */
static int analyze(text_pipe_t *pipe, const char *text, size_t len, sb_t *out, size_t *ret_count)
{
	const text_tok_t *toks;
	size_t n, count = 0;
	*ret_count = 0;
	int r = text_pipe_run(pipe, text, len, &toks, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n;) {
		size_t used = 0;
		const char *canon = NULL;
		for (size_t p = 0; p < sizeof(phrases) / sizeof(phrases[0]) && !used; p++) {
			used = phrase_match(&phrases[p], toks, i, n);
			if (used)
				canon = phrases[p].canon;
		}
		if (!used) {
			used = 1;
			const text_tok_t *t = &toks[i];
			if (text_stopset_has(search_stop, t->form, t->form_len)) {
				i++;
				continue;
			}
			canon = syn_lookup(t->form);
			if (!canon)
				canon = syn_lookup(t->stem);
			if (!canon)
				canon = t->stem;
		}
		/* A canonical phrase like "akta lahir" yields its words as terms. */
		const char *c = canon;
		while (*c) {
			const char *sp = strchr(c, ' ');
			size_t cl = sp ? (size_t)(sp - c) : strlen(c);
			sb_add(out, c, cl);
			sb_addch(out, '\0');
			count++;
			c += cl;
			if (*c == ' ')
				c++;
		}
		i += used;
	}
	*ret_count = count;
	return out->err ? ERR_NOMEM : 0;
}

static int new_pipe(text_pipe_t **ret)
{
	pthread_once(&syn_once, syn_init);
	int r = text_pipe_new(TEXT_INFORMAL | TEXT_STEM, NULL, ret);
	if (r == ERR_UNSUPPORTED)
		r = text_pipe_new(TEXT_INFORMAL, NULL, ret);
	return r;
}

int search_analyze(const char *text, size_t len, char **ret)
{
	*ret = NULL;
	text_pipe_t *p;
	int r = new_pipe(&p);
	if (r < 0)
		return r;
	sb_t b = SB_INIT;
	size_t count;
	r = analyze(p, text, len, &b, &count);
	text_pipe_free(p);
	if (r < 0) {
		sb_release(&b);
		return r;
	}
	for (size_t i = 0; i + 1 < b.len; i++)
		if (b.buf[i] == '\0')
			b.buf[i] = ' ';
	if (b.len)
		b.buf[--b.len] = '\0';
	*ret = b.alloc ? sb_detach(&b, NULL) : strdup("");
	return *ret ? 0 : ERR_NOMEM;
}

/* ---- the index ------------------------------------------------------------------ */

struct posting {
	uint32_t doc;
	float tf; /* field-weighted */
};

struct search_index {
	size_t ndocs;       /* documents */
	char **ids;         /* their ids (copies) */
	float *doclen;      /* field-weighted length */
	double avgdl;       /* mean doclen */
	size_t nterms;      /* distinct terms */
	char *blob;         /* term strings */
	uint32_t *term_off; /* offset of each term in blob */
	uint32_t *post_off; /* postings of term t: post[post_off[t] .. post_off[t+1]) */
	struct posting *post;
	uint32_t *slots;    /* term id + 1 */
	size_t mask;
};

static long term_find(const search_index_t *ix, const char *t, size_t len)
{
	size_t h = (size_t)text_hash(TEXT_HASH_INIT, t, len) & ix->mask;
	for (;;) {
		uint32_t v = ix->slots[h];
		if (!v)
			return -1;
		const char *s = ix->blob + ix->term_off[v - 1];
		if (strncmp(s, t, len) == 0 && s[len] == '\0')
			return (long)v - 1;
		h = (h + 1) & ix->mask;
	}
}

/* Builder state: terms grow as documents are added. */
struct builder {
	search_index_t *ix;  /* the index being built */
	sb_t blob;           /* term strings, NUL-separated */
	size_t cap;          /* capacity of the per-term arrays */
	uint32_t *last_doc;  /* per term: last document that mentioned it */
	/* (term, doc, weighted tf) pairs before conversion to postings */
	struct { uint32_t term, doc; float tf; } *pairs;
	size_t npairs, pairs_cap;
	uint32_t *pos;       /* per term: its pair index in the current doc */
};

static long builder_term(struct builder *b, const char *t, size_t len)
{
	search_index_t *ix = b->ix;
	if ((ix->nterms + 1) * 2 > ix->mask + 1) {
		size_t n = ix->mask ? (ix->mask + 1) * 2 : 1024;
		uint32_t *s = calloc(n, sizeof(uint32_t));
		if (!s)
			return ERR_NOMEM;
		for (size_t i = 0; i < ix->nterms; i++) {
			const char *w = b->blob.buf + ix->term_off[i];
			size_t h = (size_t)text_hash(TEXT_HASH_INIT, w, strlen(w)) & (n - 1);
			while (s[h])
				h = (h + 1) & (n - 1);
			s[h] = (uint32_t)(i + 1);
		}
		free(ix->slots);
		ix->slots = s;
		ix->mask = n - 1;
	}
	size_t h = (size_t)text_hash(TEXT_HASH_INIT, t, len) & ix->mask;
	while (ix->slots[h]) {
		uint32_t v = ix->slots[h];
		const char *s = b->blob.buf + ix->term_off[v - 1];
		if (strncmp(s, t, len) == 0 && s[len] == '\0')
			return (long)v - 1;
		h = (h + 1) & ix->mask;
	}
	if (ix->nterms == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		uint32_t *to = realloc(ix->term_off, cap * sizeof(*to));
		if (!to)
			return ERR_NOMEM;
		ix->term_off = to;
		uint32_t *ld = realloc(b->last_doc, cap * sizeof(*ld));
		if (!ld)
			return ERR_NOMEM;
		b->last_doc = ld;
		uint32_t *ps = realloc(b->pos, cap * sizeof(*ps));
		if (!ps)
			return ERR_NOMEM;
		b->pos = ps;
		b->cap = cap;
	}
	ix->term_off[ix->nterms] = (uint32_t)b->blob.len;
	b->last_doc[ix->nterms] = UINT32_MAX;
	sb_add(&b->blob, t, len);
	sb_addch(&b->blob, '\0');
	if (b->blob.err)
		return ERR_NOMEM;
	ix->slots[h] = (uint32_t)(ix->nterms + 1);
	return (long)ix->nterms++;
}

static int builder_field(struct builder *b, text_pipe_t *pipe, uint32_t doc, const char *text,
			 double weight, sb_t *scratch)
{
	if (!text)
		return 0;
	size_t count;
	sb_reset(scratch);
	int r = analyze(pipe, text, strlen(text), scratch, &count);
	if (r < 0)
		return r;
	const char *t = scratch->buf;
	for (size_t i = 0; i < count; i++) {
		size_t tl = strlen(t);
		long id = builder_term(b, t, tl);
		if (id < 0)
			return (int)id;
		if (b->last_doc[id] != doc) {
			if (b->npairs == b->pairs_cap) {
				size_t cap = b->pairs_cap ? b->pairs_cap * 2 : 4096;
				void *p = realloc(b->pairs, cap * sizeof(*b->pairs));
				if (!p)
					return ERR_NOMEM;
				b->pairs = p;
				b->pairs_cap = cap;
			}
			b->last_doc[id] = doc;
			b->pos[id] = (uint32_t)b->npairs;
			b->pairs[b->npairs].term = (uint32_t)id;
			b->pairs[b->npairs].doc = doc;
			b->pairs[b->npairs].tf = 0;
			b->npairs++;
		}
		b->pairs[b->pos[id]].tf += (float)weight;
		b->ix->doclen[doc] += (float)weight;
		t += tl + 1;
	}
	return 0;
}

void search_free(search_index_t *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; ix->ids && i < ix->ndocs; i++)
		free(ix->ids[i]);
	free(ix->ids);
	free(ix->doclen);
	free(ix->blob);
	free(ix->term_off);
	free(ix->post_off);
	free(ix->post);
	free(ix->slots);
	free(ix);
}

int search_build(const search_doc_t *docs, size_t n, search_index_t **ret,
		 char *err, size_t errlen)
{
	*ret = NULL;
	if (n > UINT32_MAX / 2 || (n && !docs)) {
		snprintf(err, errlen, "invalid document list");
		return ERR_INVALID;
	}
	search_index_t *ix = calloc(1, sizeof(*ix));
	struct builder b = {.ix = ix};
	sb_init(&b.blob);
	sb_t scratch = SB_INIT;
	text_pipe_t *pipe = NULL;
	int r = ERR_NOMEM;
	if (!ix)
		goto out;
	ix->ndocs = n;
	ix->ids = calloc(n ? n : 1, sizeof(char *));
	ix->doclen = calloc(n ? n : 1, sizeof(float));
	if (!ix->ids || !ix->doclen || new_pipe(&pipe) < 0)
		goto out;
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		if (!docs[i].id) {
			snprintf(err, errlen, "document %zu has no id", i);
			r = ERR_INVALID;
			goto out;
		}
		ix->ids[i] = strdup(docs[i].id);
		if (!ix->ids[i])
			goto out;
		if ((r = builder_field(&b, pipe, (uint32_t)i, docs[i].title, W_TITLE, &scratch)) < 0 ||
		    (r = builder_field(&b, pipe, (uint32_t)i, docs[i].keywords, W_KEYWORDS, &scratch)) < 0 ||
		    (r = builder_field(&b, pipe, (uint32_t)i, docs[i].body, W_BODY, &scratch)) < 0)
			goto out;
		r = ERR_NOMEM;
		total += ix->doclen[i];
	}
	ix->avgdl = n && total > 0 ? total / (double)n : 1;
	/* CSR postings, documents in increasing order within each term. */
	ix->post_off = calloc(ix->nterms + 1, sizeof(uint32_t));
	ix->post = malloc((b.npairs ? b.npairs : 1) * sizeof(*ix->post));
	if (!ix->post_off || !ix->post)
		goto out;
	for (size_t i = 0; i < b.npairs; i++)
		ix->post_off[b.pairs[i].term + 1]++;
	for (size_t t = 0; t < ix->nterms; t++)
		ix->post_off[t + 1] += ix->post_off[t];
	uint32_t *fill = calloc(ix->nterms + 1, sizeof(uint32_t));
	if (!fill)
		goto out;
	for (size_t i = 0; i < b.npairs; i++) {
		uint32_t t = b.pairs[i].term;
		struct posting *p = &ix->post[ix->post_off[t] + fill[t]++];
		p->doc = b.pairs[i].doc;
		p->tf = b.pairs[i].tf;
	}
	free(fill);
	ix->blob = sb_detach(&b.blob, NULL);
	if (!ix->blob) {
		ix->blob = calloc(1, 1);
		if (!ix->blob)
			goto out;
	}
	if (!ix->slots) {
		ix->slots = calloc(2, sizeof(uint32_t));
		ix->mask = 1;
		if (!ix->slots)
			goto out;
	}
	r = 0;
	*ret = ix;
	ix = NULL;
out:
	search_free(ix);
	if (r == ERR_NOMEM)
		snprintf(err, errlen, "out of memory while building the search index");
	sb_release(&b.blob);
	sb_release(&scratch);
	text_pipe_free(pipe);
	free(b.last_doc);
	free(b.pos);
	free(b.pairs);
	return r;
}

size_t search_ndocs(const search_index_t *ix)
{
	return ix ? ix->ndocs : 0;
}

size_t search_nterms(const search_index_t *ix)
{
	return ix ? ix->nterms : 0;
}

static void add_term_scores(const search_index_t *ix, long t, double qweight, double *acc)
{
	uint32_t a = ix->post_off[t], e = ix->post_off[t + 1];
	double df = e - a, N = (double)ix->ndocs;
	double idf = log(1.0 + (N - df + 0.5) / (df + 0.5));
	for (uint32_t i = a; i < e; i++) {
		const struct posting *p = &ix->post[i];
		double tf = p->tf;
		double norm = K1 * (1 - B + B * ix->doclen[p->doc] / ix->avgdl);
		acc[p->doc] += qweight * idf * tf * (K1 + 1) / (tf + norm);
	}
}

int search_query(const search_index_t *ix, const char *q, size_t len,
		 search_hit_t *hits, size_t k, size_t *ret_n)
{
	*ret_n = 0;
	if (!ix || (!hits && k))
		return ERR_INVALID;
	if (k == 0 || ix->ndocs == 0)
		return 0;
	text_pipe_t *pipe;
	int r = new_pipe(&pipe);
	if (r < 0)
		return r;
	sb_t terms = SB_INIT;
	size_t count;
	r = analyze(pipe, q, len, &terms, &count);
	text_pipe_free(pipe);
	double *acc = calloc(ix->ndocs, sizeof(double));
	long *seen = malloc((count ? count : 1) * sizeof(long));
	if (r < 0 || !acc || !seen) {
		sb_release(&terms);
		free(acc);
		free(seen);
		return ERR_NOMEM;
	}
	/* A trailing space means the user finished the last word; otherwise an
	 * unknown last word may still be half-typed and matches by prefix. */
	int typing = len > 0 && q[len - 1] != ' ';
	const char *t = terms.buf;
	size_t nseen = 0;
	for (size_t i = 0; i < count; i++) {
		size_t tl = strlen(t);
		long id = term_find(ix, t, tl);
		int dup = 0;
		for (size_t j = 0; j < nseen && id >= 0; j++)
			dup |= seen[j] == id;
		if (id >= 0 && !dup) {
			seen[nseen++] = id;
			add_term_scores(ix, id, 1.0, acc);
		} else if (id < 0 && i + 1 == count && typing && tl >= 3) {
			size_t matched = 0;
			for (size_t tt = 0; tt < ix->nterms && matched < MAX_PREFIX_TERMS; tt++) {
				const char *w = ix->blob + ix->term_off[tt];
				if (strncmp(w, t, tl) == 0) {
					add_term_scores(ix, (long)tt, PREFIX_WEIGHT, acc);
					matched++;
				}
			}
		}
		t += tl + 1;
	}
	size_t n = 0;
	for (size_t d = 0; d < ix->ndocs; d++) {
		double s = acc[d];
		if (s <= 0)
			continue;
		size_t pos = n < k ? n : k;
		while (pos > 0 && hits[pos - 1].score < s)
			pos--;
		if (pos >= k)
			continue;
		size_t last = n < k ? n : k - 1;
		memmove(&hits[pos + 1], &hits[pos], (last - pos) * sizeof(*hits));
		hits[pos].id = ix->ids[d];
		hits[pos].doc = d;
		hits[pos].score = s;
		if (n < k)
			n++;
	}
	*ret_n = n;
	sb_release(&terms);
	free(acc);
	free(seen);
	return 0;
}
