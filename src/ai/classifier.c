/*
 * classifier.c: feature extraction, liblinear training, temperature
 * calibration, the SIGAPCLF model file, prediction with explanations, and the
 * per-tenant model registry (see classifier.h and docs/ai.md).
 *
 * Features are 64-bit FNV-1a hashes of namespaced strings (word unigram,
 * word bigram, character n-gram); the model keeps only hashes seen in
 * training, in a compact table, so weights stay dense and small and hash
 * collisions are negligible. Each kept feature also keeps the first string
 * that produced it (the reverse map used by clf_top_terms()).
 */
#include "ai/classifier.h"

#include <dirent.h>
#include <errno.h>
#include <linear.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/durable.h"
#include "core/banned.h"

#define MAGIC "SIGAPCLF"
#define FORMAT_VERSION 1u
#define HDR_LEN 20u   /* magic 8, version 4, payload length 8 */
#define SUM_LEN 32u   /* BLAKE2b-256 */
#define MAX_FILE ((size_t)1 << 30)
#define MAX_FEATURES 50000000u

#define CHAR_BIT63 (1ULL << 63)
#define SEED_W1 0x5349474150573100ULL
#define SEED_W2 0x5349474150573200ULL
#define SEED_CH 0x5349474150433100ULL
#define ORIGIN_BIGRAM 0x80000000u

enum { FEAT_SUBLINEAR = 1u << 0 };

/* One entry of a key table: a feature key (0 = empty slot) and its index. */
struct slot {
	uint64_t key;
	uint32_t idx;
};

/* Feature settings shared by training and prediction. */
struct feat_params {
	unsigned text_flags;
	unsigned feat_flags;
	int word_ngrams, char_min, char_max;
};

/* Per-call working memory for prediction (pooled in the model). */
struct scratch {
	struct scratch *next;  /* next free scratch in the model's pool */
	text_pipe_t *pipe;     /* tokeniser with its own stemmer */
	uint64_t *keys;        /* feature keys of the current text */
	uint32_t *origins;     /* token index (| ORIGIN_BIGRAM) that made each key */
	size_t nkeys, keys_cap;
	uint32_t *agg;         /* small table: position in uidx + 1, keyed by feature */
	size_t agg_cap;
	uint32_t *uidx;        /* distinct known features of the text */
	uint32_t *uorigin;     /* first origin of each of them */
	float *uval;           /* their counts, then TF-IDF values */
	size_t nu, u_cap;
	double *scores;        /* decision value per label */
	double *probs;         /* calibrated probability per label */
	double *contrib;       /* contribution per origin, for explanations */
	size_t contrib_cap;
};

/* A trained model; immutable after training or loading except for pool. */
struct clf_model {
	struct feat_params fp; /* how texts become features */
	double temperature;    /* softmax temperature fitted on held-out rows */
	uint32_t ntrain;       /* rows it was trained on (informational) */
	size_t nclass;         /* number of labels, >= 2 */
	char **labels;         /* label strings, in training order of appearance */
	text_stopset_t *stop;  /* stopwords, or NULL */
	size_t nfeat;          /* kept features */
	uint64_t *keys;        /* feature hash keys, never 0 */
	float *idf;            /* idf per feature */
	float *w;              /* nfeat x nclass, row-major by feature */
	float *bias;           /* nclass */
	char *terms;           /* nfeat NUL-terminated representative terms */
	size_t terms_len;      /* bytes in terms */
	uint32_t *term_off;    /* offset of each feature's term */
	struct slot *slots;    /* key -> feature index, open addressing */
	size_t mask;           /* slots size - 1 */
	pthread_mutex_t lock;  /* guards pool */
	struct scratch *pool;  /* free scratch areas for clf_predict() */
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void clf_train_opts_init(clf_train_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	o->text_flags = TEXT_INFORMAL;
	o->word_ngrams = 2;
	o->char_min = 2;
	o->char_max = 5;
	o->sublinear_tf = 1;
	o->C = 1.0;
	o->holdout = 0.1;
	o->min_df = 1;
}

/* ---- feature extraction ------------------------------------------------- */

static int keys_push(struct scratch *s, uint64_t key, uint32_t origin)
{
	if (s->nkeys == s->keys_cap) {
		size_t cap = s->keys_cap ? s->keys_cap * 2 : 512;
		uint64_t *k = realloc(s->keys, cap * sizeof(*k));
		if (!k)
			return ERR_NOMEM;
		s->keys = k;
		uint32_t *o = realloc(s->origins, cap * sizeof(*o));
		if (!o)
			return ERR_NOMEM;
		s->origins = o;
		s->keys_cap = cap;
	}
	s->keys[s->nkeys] = key;
	s->origins[s->nkeys] = origin;
	s->nkeys++;
	return 0;
}

/* Word keys have bit 63 clear and are never 0 (0 marks an empty slot). */
static uint64_t word_key(const text_tok_t *t)
{
	uint64_t k = text_hash(SEED_W1, t->stem, t->stem_len) & ~CHAR_BIT63;
	return k ? k : 1;
}

static uint64_t bigram_key(const text_tok_t *a, const text_tok_t *b)
{
	uint64_t h = text_hash(SEED_W2, a->stem, a->stem_len);
	h = text_hash(h, " ", 1);
	uint64_t k = text_hash(h, b->stem, b->stem_len) & ~CHAR_BIT63;
	return k ? k : 1;
}

/*
 * Char n-grams of " form " (codepoint-based, like scikit-learn's char_wb).
 * cb, when non-NULL, receives each n-gram's bytes (used to record terms).
 */
typedef int gram_fn(void *ctx, uint64_t key, const char *s, size_t len, uint32_t origin);

static int char_grams(const struct feat_params *fp, const text_tok_t *t, uint32_t origin,
		      struct scratch *s, gram_fn *cb, void *ctx)
{
	char w[TEXT_MAX_TOKEN + 2];
	size_t cps[TEXT_MAX_TOKEN + 3];
	size_t len = t->form_len;
	w[0] = ' ';
	memcpy(w + 1, t->form, len);
	w[len + 1] = ' ';
	len += 2;
	size_t ncp = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)w[i] & 0xc0) != 0x80)
			cps[ncp++] = i;
	cps[ncp] = len;
	/* Grams starting at each codepoint, hashed incrementally as they grow. */
	for (size_t i = 0; i < ncp; i++) {
		uint64_t h = SEED_CH;
		size_t done = cps[i];
		for (int n = 1; n <= fp->char_max && i + (size_t)n <= ncp; n++) {
			size_t b = cps[i + (size_t)n];
			h = text_hash(h, w + done, b - done);
			done = b;
			if (n < fp->char_min)
				continue;
			uint64_t key = h | CHAR_BIT63;
			int r = cb ? cb(ctx, key, w + cps[i], b - cps[i], origin) : keys_push(s, key, origin);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Extracts the feature keys of one text into s->keys / s->origins. */
static int extract(const struct feat_params *fp, struct scratch *s, const char *text,
		   size_t len, const text_tok_t **ret_toks, size_t *ret_ntok, gram_fn *cb,
		   void *ctx)
{
	const text_tok_t *toks;
	size_t n;
	s->nkeys = 0;
	int r = text_pipe_run(s->pipe, text, len, &toks, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (fp->word_ngrams >= 1)
			r = keys_push(s, word_key(&toks[i]), (uint32_t)i);
		if (r == 0 && fp->word_ngrams >= 2 && i + 1 < n)
			r = keys_push(s, bigram_key(&toks[i], &toks[i + 1]), (uint32_t)i | ORIGIN_BIGRAM);
		if (r == 0 && fp->char_max > 0)
			r = char_grams(fp, &toks[i], (uint32_t)i, s, cb, ctx);
	}
	*ret_toks = toks;
	*ret_ntok = n;
	return r;
}

static inline float tf_weight(const struct feat_params *fp, float count)
{
	static const float small[] = {0, 1, 1.6931472f, 2.0986123f, 2.3862944f, 2.6094379f};
	if (!(fp->feat_flags & FEAT_SUBLINEAR))
		return count;
	return count < 6 ? small[(int)count] : 1.0f + logf(count);
}

/* ---- the key table ------------------------------------------------------- */

static inline size_t slot_of(uint64_t key, size_t mask)
{
	return (size_t)((key ^ (key >> 29)) * 0x9e3779b97f4a7c15ULL >> 17) & mask;
}

static inline long lookup(const clf_model_t *m, uint64_t key)
{
	size_t h = slot_of(key, m->mask);
	for (;;) {
		const struct slot *e = &m->slots[h];
		if (e->key == key)
			return e->idx;
		if (!e->key)
			return -1;
		h = (h + 1) & m->mask;
	}
}

/* Builds m->slots from m->keys. ERR_INVALID on duplicate or zero keys. */
static int build_table(clf_model_t *m)
{
	size_t n = 16;
	while (n < m->nfeat * 2 + 2)
		n <<= 1;
	m->slots = calloc(n, sizeof(struct slot));
	if (!m->slots)
		return ERR_NOMEM;
	m->mask = n - 1;
	for (size_t i = 0; i < m->nfeat; i++) {
		if (!m->keys[i])
			return ERR_INVALID;
		size_t h = slot_of(m->keys[i], m->mask);
		while (m->slots[h].key) {
			if (m->slots[h].key == m->keys[i])
				return ERR_INVALID;
			h = (h + 1) & m->mask;
		}
		m->slots[h].key = m->keys[i];
		m->slots[h].idx = (uint32_t)i;
	}
	return 0;
}

/* ---- scratch pool ---------------------------------------------------------- */

static void scratch_free(struct scratch *s)
{
	if (!s)
		return;
	text_pipe_free(s->pipe);
	free(s->keys);
	free(s->origins);
	free(s->agg);
	free(s->uidx);
	free(s->uorigin);
	free(s->uval);
	free(s->scores);
	free(s->probs);
	free(s->contrib);
	free(s);
}

static struct scratch *scratch_new(const struct feat_params *fp, const text_stopset_t *stop,
				   size_t nfeat, size_t nclass)
{
	struct scratch *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (text_pipe_new(fp->text_flags, stop, &s->pipe) < 0)
		goto fail;
	(void)nfeat;
	s->scores = calloc(nclass + 1, sizeof(double));
	s->probs = calloc(nclass + 1, sizeof(double));
	if (!s->scores || !s->probs)
		goto fail;
	return s;
fail:
	scratch_free(s);
	return NULL;
}

static struct scratch *pool_get(clf_model_t *m)
{
	pthread_mutex_lock(&m->lock);
	struct scratch *s = m->pool;
	if (s)
		m->pool = s->next;
	pthread_mutex_unlock(&m->lock);
	if (!s)
		s = scratch_new(&m->fp, m->stop, m->nfeat, m->nclass);
	return s;
}

static void pool_put(clf_model_t *m, struct scratch *s)
{
	pthread_mutex_lock(&m->lock);
	s->next = m->pool;
	m->pool = s;
	pthread_mutex_unlock(&m->lock);
}

/*
 * Turns s->keys into the sparse TF-IDF vector (s->uidx, s->uval, s->nu) with
 * each block (word / char) L2-normalised. Unknown keys are dropped.
 */
static int vectorize(const clf_model_t *m, struct scratch *s)
{
	if (s->u_cap < s->nkeys) {
		size_t cap = s->nkeys;
		uint32_t *a = realloc(s->uidx, cap * sizeof(*a));
		if (!a)
			return ERR_NOMEM;
		s->uidx = a;
		uint32_t *o = realloc(s->uorigin, cap * sizeof(*o));
		if (!o)
			return ERR_NOMEM;
		s->uorigin = o;
		float *v = realloc(s->uval, cap * sizeof(*v));
		if (!v)
			return ERR_NOMEM;
		s->uval = v;
		s->u_cap = cap;
	}
	size_t tsz = 64;
	while (tsz < s->nkeys * 2)
		tsz <<= 1;
	if (s->agg_cap < tsz) {
		uint32_t *a = realloc(s->agg, tsz * sizeof(*a));
		if (!a)
			return ERR_NOMEM;
		s->agg = a;
		s->agg_cap = tsz;
	}
	memset(s->agg, 0, tsz * sizeof(*s->agg));
	size_t nu = 0, tmask = tsz - 1;
	for (size_t i = 0; i < s->nkeys; i++) {
		long f = lookup(m, s->keys[i]);
		if (f < 0)
			continue;
		size_t h = ((uint32_t)f * 0x9e3779b1u) & tmask;
		while (s->agg[h] && s->uidx[s->agg[h] - 1] != (uint32_t)f)
			h = (h + 1) & tmask;
		if (!s->agg[h]) {
			s->agg[h] = (uint32_t)nu + 1;
			s->uidx[nu] = (uint32_t)f;
			s->uorigin[nu] = s->origins[i];
			s->uval[nu] = 1.0f;
			nu++;
		} else {
			s->uval[s->agg[h] - 1] += 1.0f;
		}
	}
	double nw = 0, nc = 0;
	for (size_t j = 0; j < nu; j++) {
		float v = tf_weight(&m->fp, s->uval[j]) * m->idf[s->uidx[j]];
		s->uval[j] = v;
		if (m->keys[s->uidx[j]] & CHAR_BIT63)
			nc += (double)v * v;
		else
			nw += (double)v * v;
	}
	float iw = nw > 0 ? (float)(1.0 / sqrt(nw)) : 0, ic = nc > 0 ? (float)(1.0 / sqrt(nc)) : 0;
	for (size_t j = 0; j < nu; j++)
		s->uval[j] *= (m->keys[s->uidx[j]] & CHAR_BIT63) ? ic : iw;
	s->nu = nu;
	return 0;
}

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("tree-vectorize")))
#endif
static void scores_of(const clf_model_t *m, const struct scratch *s, double *scores)
{
	size_t nc = m->nclass;
	float acc[CLF_MAX_CLASSES];
	for (size_t c = 0; c < nc; c++)
		acc[c] = m->bias[c];
	for (size_t j = 0; j < s->nu; j++) {
		const float *restrict row = m->w + (size_t)s->uidx[j] * nc;
		float v = s->uval[j];
		for (size_t c = 0; c < nc; c++)
			acc[c] += v * row[c];
	}
	for (size_t c = 0; c < nc; c++)
		scores[c] = acc[c];
}

static void softmax(const double *scores, size_t n, double t, double *probs)
{
	double mx = scores[0];
	for (size_t i = 1; i < n; i++)
		if (scores[i] > mx)
			mx = scores[i];
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		probs[i] = exp((scores[i] - mx) / t);
		sum += probs[i];
	}
	for (size_t i = 0; i < n; i++)
		probs[i] /= sum;
}

/* ---- prediction ----------------------------------------------------------- */

static void term_of(const text_tok_t *toks, uint32_t origin, char *out)
{
	uint32_t i = origin & ~ORIGIN_BIGRAM;
	if (origin & ORIGIN_BIGRAM)
		snprintf(out, CLF_TERM_MAX, "%s %s", toks[i].form, toks[i + 1].form);
	else
		snprintf(out, CLF_TERM_MAX, "%s", toks[i].form);
}

static int explain(const clf_model_t *m, struct scratch *s, const text_tok_t *toks,
		   size_t ntok, size_t label, clf_term_t *terms, size_t nterms,
		   size_t *ret_nterms)
{
	size_t norig = 2 * ntok;
	if (s->contrib_cap < norig) {
		double *c = realloc(s->contrib, norig * sizeof(*c));
		if (!c)
			return ERR_NOMEM;
		s->contrib = c;
		s->contrib_cap = norig;
	}
	memset(s->contrib, 0, norig * sizeof(double));
	for (size_t j = 0; j < s->nu; j++) {
		uint32_t o = s->uorigin[j];
		size_t slot = (o & ORIGIN_BIGRAM) ? ntok + (o & ~ORIGIN_BIGRAM) : o;
		s->contrib[slot] += (double)s->uval[j] * m->w[(size_t)s->uidx[j] * m->nclass + label];
	}
	/* Merge repeated words into their first occurrence (forms compare equal). */
	size_t n = 0;
	for (;;) {
		size_t best = norig;
		for (size_t i = 0; i < norig; i++)
			if (s->contrib[i] > 0 && (best == norig || s->contrib[i] > s->contrib[best]))
				best = i;
		if (best == norig || n == nterms)
			break;
		uint32_t origin = best >= ntok ? (uint32_t)(best - ntok) | ORIGIN_BIGRAM : (uint32_t)best;
		char t[CLF_TERM_MAX];
		term_of(toks, origin, t);
		double wsum = s->contrib[best];
		s->contrib[best] = 0;
		size_t k;
		for (k = 0; k < n; k++)
			if (strcmp(terms[k].term, t) == 0)
				break;
		if (k < n) {
			terms[k].weight += wsum;
			continue;
		}
		memcpy(terms[n].term, t, sizeof(t));
		terms[n].weight = wsum;
		n++;
	}
	*ret_nterms = n;
	return 0;
}

int clf_predict(const clf_model_t *cm, const char *text, size_t len,
		clf_result_t *results, size_t k, size_t *ret_n,
		clf_term_t *terms, size_t nterms, size_t *ret_nterms)
{
	clf_model_t *m = (clf_model_t *)cm; /* only the scratch pool is touched */
	*ret_n = 0;
	if (ret_nterms)
		*ret_nterms = 0;
	if (!m || k == 0 || !results)
		return ERR_INVALID;
	struct scratch *s = pool_get(m);
	if (!s)
		return ERR_NOMEM;
	const text_tok_t *toks;
	size_t ntok;
	int r = extract(&m->fp, s, text, len, &toks, &ntok, NULL, NULL);
	if (r == 0)
		r = vectorize(m, s);
	if (r < 0) {
		pool_put(m, s);
		return r;
	}
	scores_of(m, s, s->scores);
	softmax(s->scores, m->nclass, m->temperature, s->probs);
	if (k > m->nclass)
		k = m->nclass;
	for (size_t i = 0; i < k; i++) {
		size_t best = 0;
		double bp = -1;
		for (size_t c = 0; c < m->nclass; c++)
			if (s->probs[c] > bp) {
				bp = s->probs[c];
				best = c;
			}
		results[i].label = m->labels[best];
		results[i].confidence = s->probs[best];
		results[i].score = s->scores[best];
		s->probs[best] = -2; /* taken */
	}
	*ret_n = k;
	if (terms && nterms && ret_nterms) {
		size_t top = (size_t)clf_label_index(m, results[0].label);
		r = explain(m, s, toks, ntok, top, terms, nterms, ret_nterms);
	}
	pool_put(m, s);
	return r;
}

int clf_top_terms(const clf_model_t *m, size_t label, clf_term_t *terms, size_t n,
		  size_t *ret_n)
{
	*ret_n = 0;
	if (!m || label >= m->nclass)
		return ERR_INVALID;
	size_t got = 0;
	for (size_t f = 0; f < m->nfeat; f++) {
		if (m->keys[f] & CHAR_BIT63)
			continue; /* character n-grams make poor explanations */
		double wt = m->w[f * m->nclass + label] * m->idf[f];
		if (wt <= 0)
			continue;
		size_t pos = got < n ? got : n;
		while (pos > 0 && terms[pos - 1].weight < wt)
			pos--;
		if (pos >= n)
			continue;
		size_t last = got < n ? got : n - 1;
		memmove(&terms[pos + 1], &terms[pos], (last - pos) * sizeof(*terms));
		snprintf(terms[pos].term, CLF_TERM_MAX, "%s", m->terms + m->term_off[f]);
		terms[pos].weight = wt;
		if (got < n)
			got++;
	}
	*ret_n = got;
	return 0;
}

/* ---- model basics ------------------------------------------------------------ */

static clf_model_t *model_alloc(void)
{
	clf_model_t *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	m->temperature = 1.0;
	return m;
}

void clf_free(clf_model_t *m)
{
	if (!m)
		return;
	while (m->pool) {
		struct scratch *s = m->pool;
		m->pool = s->next;
		scratch_free(s);
	}
	pthread_mutex_destroy(&m->lock);
	for (size_t i = 0; m->labels && i < m->nclass; i++)
		free(m->labels[i]);
	free(m->labels);
	text_stopset_free(m->stop);
	free(m->keys);
	free(m->idf);
	free(m->w);
	free(m->bias);
	free(m->terms);
	free(m->term_off);
	free(m->slots);
	free(m);
}

size_t clf_nlabels(const clf_model_t *m)
{
	return m ? m->nclass : 0;
}

const char *clf_label(const clf_model_t *m, size_t i)
{
	return m && i < m->nclass ? m->labels[i] : NULL;
}

int clf_label_index(const clf_model_t *m, const char *label)
{
	for (size_t i = 0; m && label && i < m->nclass; i++)
		if (strcmp(m->labels[i], label) == 0)
			return (int)i;
	return -1;
}

size_t clf_nfeatures(const clf_model_t *m)
{
	return m ? m->nfeat : 0;
}

double clf_temperature(const clf_model_t *m)
{
	return m ? m->temperature : 1.0;
}

/* ---- training ------------------------------------------------------------------ */

/* Growing dictionary of keys seen in training. */
struct dict_stat {
	uint32_t df;       /* rows containing the feature */
	uint32_t last_doc; /* last row that counted towards df */
	size_t pos;        /* where that row keeps this feature */
};

struct dict {
	uint64_t *keys;
	struct dict_stat *st; /* one cache line access per feature occurrence */
	uint32_t *term_off;
	size_t n, cap;
	struct slot *slots;
	size_t mask;
	sb_t terms;
};

static void dict_release(struct dict *d)
{
	free(d->keys);
	free(d->st);
	free(d->term_off);
	free(d->slots);
	sb_release(&d->terms);
}

static int dict_grow_slots(struct dict *d)
{
	size_t n = d->mask ? (d->mask + 1) * 2 : 1 << 16;
	struct slot *s = calloc(n, sizeof(struct slot));
	if (!s)
		return ERR_NOMEM;
	for (size_t i = 0; i < d->n; i++) {
		size_t h = slot_of(d->keys[i], n - 1);
		while (s[h].key)
			h = (h + 1) & (n - 1);
		s[h].key = d->keys[i];
		s[h].idx = (uint32_t)i;
	}
	free(d->slots);
	d->slots = s;
	d->mask = n - 1;
	return 0;
}

/* Returns the index of key, or -1 if absent. */
static long dict_find(const struct dict *d, uint64_t key)
{
	if (!d->mask)
		return -1;
	size_t h = slot_of(key, d->mask);
	while (d->slots[h].key) {
		if (d->slots[h].key == key)
			return d->slots[h].idx;
		h = (h + 1) & d->mask;
	}
	return -1;
}

/* Returns the index of key, adding it (with its term) if new; -1 on ENOMEM. */
static long dict_add(struct dict *d, uint64_t key, const char *term, size_t tlen)
{
	if ((d->n + 1) * 2 > d->mask + 1 && dict_grow_slots(d) < 0)
		return -1;
	size_t h = slot_of(key, d->mask);
	while (d->slots[h].key) {
		if (d->slots[h].key == key)
			return d->slots[h].idx;
		h = (h + 1) & d->mask;
	}
	if (d->n >= MAX_FEATURES)
		return -2;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 1 << 15;
		uint64_t *k = realloc(d->keys, cap * sizeof(*k));
		if (!k)
			return -1;
		d->keys = k;
		struct dict_stat *st = realloc(d->st, cap * sizeof(*st));
		if (!st)
			return -1;
		d->st = st;
		uint32_t *to = realloc(d->term_off, cap * sizeof(*to));
		if (!to)
			return -1;
		d->term_off = to;
		d->cap = cap;
	}
	if (d->terms.len > UINT32_MAX - CLF_TERM_MAX)
		return -2;
	d->keys[d->n] = key;
	d->st[d->n].df = 0;
	d->st[d->n].last_doc = UINT32_MAX;
	d->term_off[d->n] = (uint32_t)d->terms.len;
	sb_add(&d->terms, term, tlen);
	sb_addch(&d->terms, '\0');
	if (d->terms.err)
		return -1;
	d->slots[h].key = key;
	d->slots[h].idx = (uint32_t)d->n;
	return (long)d->n++;
}

/* All rows' features: row i has distinct features buf[doc_off[i]..doc_off[i+1])
 * with counts cnt[...]; d->st[f] merges repeats in O(1). */
struct train_ctx {
	struct dict *d;
	uint32_t cur;          /* row being extracted */
	size_t nf, cap;
	uint32_t *buf;
	float *cnt;
};

static int push_feat(struct train_ctx *t, long f)
{
	if (f == -1)
		return ERR_NOMEM;
	if (f < 0)
		return ERR_TOO_LARGE;
	struct dict *d = t->d;
	struct dict_stat *st = &d->st[f];
	if (st->last_doc == t->cur) {
		t->cnt[st->pos] += 1.0f;
		return 0;
	}
	if (t->nf == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1 << 16;
		uint32_t *b = realloc(t->buf, cap * sizeof(*b));
		if (!b)
			return ERR_NOMEM;
		t->buf = b;
		float *c = realloc(t->cnt, cap * sizeof(*c));
		if (!c)
			return ERR_NOMEM;
		t->cnt = c;
		t->cap = cap;
	}
	st->last_doc = t->cur;
	st->pos = t->nf;
	st->df++;
	t->buf[t->nf] = (uint32_t)f;
	t->cnt[t->nf] = 1.0f;
	t->nf++;
	return 0;
}

static int train_gram(void *ctx, uint64_t key, const char *s, size_t len, uint32_t origin)
{
	(void)origin;
	struct train_ctx *t = ctx;
	return push_feat(t, dict_add(t->d, key, s, len));
}

static void noop_print(const char *s)
{
	(void)s;
}

/* Copies liblinear weights into our layout (rows by feature, our label order). */
static int take_weights(const struct model *lm, size_t nfeat, size_t nclass, float *w, float *b)
{
	int *lab = malloc(nclass * sizeof(int));
	if (!lab)
		return ERR_NOMEM;
	get_labels(lm, lab);
	int nc = get_nr_class(lm);
	memset(w, 0, nfeat * nclass * sizeof(float));
	for (size_t c = 0; c < nclass; c++)
		b[c] = -1e3f; /* a class absent from this training set never wins */
	for (int li = 0; li < nc; li++) {
		size_t c = (size_t)lab[li];
		for (size_t f = 0; f < nfeat && f < (size_t)get_nr_feature(lm); f++)
			w[f * nclass + c] = (float)get_decfun_coef(lm, (int)f + 1, li);
		b[c] = (float)get_decfun_bias(lm, li);
	}
	free(lab);
	return 0;
}

/* Mean negative log-likelihood of gold labels under softmax(scores / t). */
static double nll(const double *scores, const int *gold, size_t n, size_t nc, double t)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		const double *s = scores + i * nc;
		double mx = s[0];
		for (size_t c = 1; c < nc; c++)
			if (s[c] > mx)
				mx = s[c];
		double z = 0;
		for (size_t c = 0; c < nc; c++)
			z += exp((s[c] - mx) / t);
		/* cppcheck-suppress invalidFunctionArg ; z >= 1: the largest score adds exp(0) */
		sum += -((s[gold[i]] - mx) / t - log(z));
	}
	return sum / (double)n;
}

/* Golden-section search for the temperature minimising NLL, over ln t in [-5, 3]. */
static double fit_temperature(const double *scores, const int *gold, size_t n, size_t nc)
{
	const double g = 0.6180339887498949;
	double a = -5, b = 3;
	double x1 = b - g * (b - a), x2 = a + g * (b - a);
	double f1 = nll(scores, gold, n, nc, exp(x1)), f2 = nll(scores, gold, n, nc, exp(x2));
	for (int it = 0; it < 60; it++) {
		if (f1 < f2) {
			b = x2;
			x2 = x1;
			f2 = f1;
			x1 = b - g * (b - a);
			f1 = nll(scores, gold, n, nc, exp(x1));
		} else {
			a = x1;
			x1 = x2;
			f1 = f2;
			x2 = a + g * (b - a);
			f2 = nll(scores, gold, n, nc, exp(x2));
		}
	}
	return exp((a + b) / 2);
}

/*
 * Fits the softmax temperature: trains a model on the rows not held out,
 * scores the held-out rows and minimises their negative log-likelihood.
 * The calibration model only has to score held-out rows, so it stops at a
 * looser tolerance (eps 0.5): that saves about a third of its training time
 * and moves T by well under 1% (SmSA 0.4714 -> 0.4710, demo 0.142 -> 0.142).
 */
static int calibrate(const struct problem *prob, const struct parameter *param,
		     struct feature_node **x, const int *y, const char *held, size_t nhold,
		     size_t nfeat, size_t nclass, double *ret_t)
{
	size_t n = (size_t)prob->l, k = 0;
	int rc = ERR_NOMEM;
	struct feature_node **hx = malloc((n - nhold) * sizeof(*hx));
	double *hy = malloc((n - nhold) * sizeof(double));
	double *scores = malloc(nhold * nclass * sizeof(double));
	int *gold = malloc(nhold * sizeof(int));
	float *w = malloc((nfeat ? nfeat : 1) * nclass * sizeof(float));
	float *b = malloc(nclass * sizeof(float));
	struct model *lm = NULL;
	if (!hx || !hy || !scores || !gold || !w || !b)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!held[i])
			hx[k] = x[i], hy[k] = prob->y[i], k++;
	struct problem hp = *prob;
	hp.l = (int)k;
	hp.x = hx;
	hp.y = hy;
	struct parameter hparam = *param;
	hparam.eps = 0.5;
	srand(1);
	lm = train(&hp, &hparam);
	if (!lm || take_weights(lm, nfeat, nclass, w, b) < 0)
		goto out;
	k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!held[i])
			continue;
		double *sc = scores + k * nclass;
		for (size_t c = 0; c < nclass; c++)
			sc[c] = b[c];
		for (struct feature_node *p = x[i]; p->index > 0 && p->index <= (int)nfeat; p++)
			for (size_t c = 0; c < nclass; c++)
				sc[c] += p->value * w[(size_t)(p->index - 1) * nclass + c];
		gold[k++] = y[i];
	}
	*ret_t = fit_temperature(scores, gold, nhold, nclass);
	rc = 0;
out:
	if (lm)
		free_and_destroy_model(&lm);
	free(hx);
	free(hy);
	free(scores);
	free(gold);
	free(w);
	free(b);
	return rc;
}

static int valid_label(const char *l)
{
	size_t n = strlen(l);
	if (n == 0 || n > CLF_MAX_LABEL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)l[i] < 0x20 || l[i] == 0x7f)
			return 0;
	return 1;
}

static void progress(const clf_train_opts_t *o, double f, const char *stage)
{
	if (o->progress)
		o->progress(o->progress_ctx, f, stage);
}

int ai_train_from_rows(const char **labels, const char **texts, size_t n,
		       const clf_train_opts_t *opts, clf_model_t **ret,
		       char *err, size_t errlen)
{
	clf_train_opts_t defaults;
	clf_train_opts_init(&defaults);
	const clf_train_opts_t *o = opts ? opts : &defaults;
	*ret = NULL;
	if (n == 0 || !labels || !texts) {
		set_err(err, errlen, "no training rows");
		return ERR_INVALID;
	}
	if (n > INT32_MAX / 2) {
		set_err(err, errlen, "too many training rows (%zu)", n);
		return ERR_TOO_LARGE;
	}
	if (o->word_ngrams < 0 || o->word_ngrams > 2 || o->char_max < 0 || o->char_max > 8 ||
	    (o->char_max > 0 && (o->char_min < 1 || o->char_min > o->char_max)) ||
	    (o->word_ngrams == 0 && o->char_max == 0) || !(o->C > 0) || !(o->holdout >= 0) ||
	    o->holdout > 0.5) {
		set_err(err, errlen, "invalid training options");
		return ERR_INVALID;
	}

	int rc = ERR_NOMEM;
	clf_model_t *m = model_alloc();
	struct dict d = {0};
	sb_init(&d.terms);
	struct train_ctx tc = {.d = &d};
	struct scratch *s = NULL;
	int *y = NULL;
	size_t *doc_off = NULL;
	struct feature_node **x = NULL;
	struct feature_node *nodes = NULL;
	double *yd = NULL;
	struct model *lm = NULL;
	char *held = NULL;
	pid_t child = -1;
	int pfd[2] = {-1, -1};
	if (!m)
		goto out;
	m->fp.text_flags = o->text_flags;
	m->fp.feat_flags = o->sublinear_tf ? FEAT_SUBLINEAR : 0;
	m->fp.word_ngrams = o->word_ngrams;
	m->fp.char_min = o->char_max ? o->char_min : 0;
	m->fp.char_max = o->char_max;
	m->ntrain = (uint32_t)n;

	/* Labels, in order of first appearance. */
	y = malloc(n * sizeof(int));
	m->labels = calloc(CLF_MAX_CLASSES, sizeof(char *));
	if (!y || !m->labels)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (!labels[i] || !valid_label(labels[i])) {
			set_err(err, errlen, "row %zu: invalid label (1-%d bytes, no control characters)",
				i + 1, CLF_MAX_LABEL);
			rc = ERR_INVALID;
			goto out;
		}
		int li = clf_label_index(m, labels[i]);
		if (li < 0) {
			if (m->nclass == CLF_MAX_CLASSES) {
				set_err(err, errlen, "too many labels (more than %d)", CLF_MAX_CLASSES);
				rc = ERR_INVALID;
				goto out;
			}
			m->labels[m->nclass] = strdup(labels[i]);
			if (!m->labels[m->nclass])
				goto out;
			li = (int)m->nclass++;
		}
		y[i] = li;
	}
	if (m->nclass < 2) {
		set_err(err, errlen, "need at least two distinct labels, got %zu", m->nclass);
		rc = ERR_INVALID;
		goto out;
	}
	if (o->stop && (o->text_flags & TEXT_STOPWORDS)) {
		sb_t buf = SB_INIT;
		for (size_t i = 0; i < text_stopset_count(o->stop); i++) {
			sb_adds(&buf, text_stopset_word(o->stop, i));
			sb_addch(&buf, '\n');
		}
		int r = buf.err ? ERR_NOMEM : text_stopset_from_buf(buf.buf, buf.len, &m->stop);
		sb_release(&buf);
		if (r < 0)
			goto out;
	}

	/* Features of every row. */
	s = scratch_new(&m->fp, m->stop, 0, m->nclass);
	doc_off = malloc((n + 1) * sizeof(size_t));
	if (!s || !doc_off)
		goto out;
	for (size_t i = 0; i < n; i++) {
		doc_off[i] = tc.nf;
		tc.cur = (uint32_t)i;
		const text_tok_t *toks;
		size_t ntok;
		const char *t = texts[i] ? texts[i] : "";
		/* Words go through the dictionary with their surface term. */
		int r = extract(&m->fp, s, t, strlen(t), &toks, &ntok, train_gram, &tc);
		for (size_t j = 0; r == 0 && j < s->nkeys; j++) {
			long f = dict_find(&d, s->keys[j]);
			if (f < 0) {
				char term[CLF_TERM_MAX];
				term_of(toks, s->origins[j], term);
				f = dict_add(&d, s->keys[j], term, strlen(term));
			}
			r = push_feat(&tc, f);
		}
		if (r < 0) {
			if (r == ERR_TOO_LARGE)
				set_err(err, errlen, "too many distinct features (limit %u)", MAX_FEATURES);
			rc = r;
			goto out;
		}
		if ((i & 255) == 0)
			progress(o, 0.5 * (double)i / (double)n, "features");
	}
	doc_off[n] = tc.nf;

	/* Keep features with df >= min_df; remap to compact indices. */
	uint32_t *remap = malloc((d.n ? d.n : 1) * sizeof(uint32_t));
	if (!remap)
		goto out;
	size_t nfeat = 0;
	for (size_t f = 0; f < d.n; f++)
		remap[f] = d.st[f].df >= (o->min_df ? o->min_df : 1) ? (uint32_t)nfeat++ : UINT32_MAX;
	m->nfeat = nfeat;
	m->keys = malloc((nfeat ? nfeat : 1) * sizeof(uint64_t));
	m->idf = malloc((nfeat ? nfeat : 1) * sizeof(float));
	m->term_off = malloc((nfeat ? nfeat : 1) * sizeof(uint32_t));
	sb_t terms = SB_INIT;
	if (!m->keys || !m->idf || !m->term_off) {
		free(remap);
		goto out;
	}
	for (size_t f = 0; f < d.n; f++) {
		if (remap[f] == UINT32_MAX)
			continue;
		size_t k = remap[f];
		m->keys[k] = d.keys[f];
		m->idf[k] = (float)(log((1.0 + (double)n) / (1.0 + d.st[f].df)) + 1.0);
		m->term_off[k] = (uint32_t)terms.len;
		sb_adds(&terms, d.terms.buf + d.term_off[f]);
		sb_addch(&terms, '\0');
	}
	if (terms.err) {
		sb_release(&terms);
		free(remap);
		goto out;
	}
	m->terms = sb_detach(&terms, &m->terms_len);
	if (!m->terms) {
		m->terms = strdup("");
		m->terms_len = 0;
	}
	for (size_t j = 0; j < tc.nf; j++)
		tc.buf[j] = remap[tc.buf[j]];
	free(remap);
	dict_release(&d);
	memset(&d, 0, sizeof(d));
	sb_init(&d.terms);
	if (build_table(m) < 0)
		goto out;

	/* liblinear problem: merged (index, tf-idf) per row, block-normalised, + bias. */
	x = calloc(n, sizeof(*x));
	nodes = malloc((tc.nf + 2 * n) * sizeof(*nodes));
	yd = malloc(n * sizeof(double));
	if (!x || !nodes || !yd)
		goto out;
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		x[i] = nodes + at;
		yd[i] = y[i];
		size_t start = at;
		double nw = 0, nc = 0;
		for (size_t j = doc_off[i]; j < doc_off[i + 1]; j++) {
			uint32_t f = tc.buf[j];
			if (f != UINT32_MAX) {
				double v = tf_weight(&m->fp, tc.cnt[j]) * m->idf[f];
				nodes[at].index = (int)f + 1;
				nodes[at].value = v;
				if (m->keys[f] & CHAR_BIT63)
					nc += v * v;
				else
					nw += v * v;
				at++;
			}
		}
		double iw = nw > 0 ? 1 / sqrt(nw) : 0, ic = nc > 0 ? 1 / sqrt(nc) : 0;
		for (size_t j = start; j < at; j++)
			nodes[j].value *= (m->keys[nodes[j].index - 1] & CHAR_BIT63) ? ic : iw;
		nodes[at].index = (int)nfeat + 1;
		nodes[at].value = 1.0;
		at++;
		nodes[at].index = -1;
		nodes[at].value = 0;
		at++;
	}
	free(tc.buf);
	tc.buf = NULL;
	free(tc.cnt);
	tc.cnt = NULL;

	set_print_string_function(noop_print);
	struct parameter param = {
		.solver_type = L2R_L2LOSS_SVC_DUAL, .eps = 0.1, .C = o->C,
	};
	struct problem prob = {.l = (int)n, .n = (int)nfeat + 1, .y = yd, .x = x, .bias = 1.0};
	const char *perr = check_parameter(&prob, &param);
	if (perr) {
		set_err(err, errlen, "liblinear: %s", perr);
		rc = ERR_INTERNAL;
		goto out;
	}

	/*
	 * Temperature (see calibrate()). With fork_calibration the calibration
	 * model trains in a child process while this one trains the final
	 * model; each process has its own rand() state, so the result is the
	 * same as the sequential order.
	 */
	m->w = malloc((nfeat ? nfeat : 1) * m->nclass * sizeof(float));
	m->bias = malloc(m->nclass * sizeof(float));
	if (!m->w || !m->bias)
		goto out;
	size_t nhold = 0;
	if (o->holdout > 0) {
		size_t every = (size_t)(1.0 / o->holdout + 0.5);
		if (every < 2)
			every = 2;
		size_t *seen = calloc(m->nclass, sizeof(size_t));
		held = calloc(n, 1);
		if (!seen || !held) {
			free(seen);
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			if (++seen[y[i]] % every == 0)
				held[i] = 1, nhold++;
		free(seen);
	}
	int cal = nhold >= 20 && n - nhold >= 2;
	if (cal && o->fork_calibration && pipe(pfd) == 0) {
		fflush(NULL);
		child = fork();
		if (child == 0) {
			close(pfd[0]);
			unsigned char msg[9] = {0};
			double t = 1.0;
			if (calibrate(&prob, &param, x, y, held, nhold, nfeat, m->nclass, &t) == 0)
				msg[0] = 1;
			memcpy(msg + 1, &t, sizeof(t));
			ssize_t wr = write(pfd[1], msg, sizeof(msg));
			_exit(wr == (ssize_t)sizeof(msg) ? 0 : 1);
		}
		close(pfd[1]);
		pfd[1] = -1;
		if (child < 0) {
			close(pfd[0]);
			pfd[0] = -1;
		}
	}
	if (cal && child < 0) {
		progress(o, 0.55, "calibrate");
		if (calibrate(&prob, &param, x, y, held, nhold, nfeat, m->nclass, &m->temperature) < 0)
			goto out;
	}
	progress(o, 0.75, "train");
	srand(1);
	lm = train(&prob, &param);
	if (!lm)
		goto out;
	if (take_weights(lm, nfeat, m->nclass, m->w, m->bias) < 0)
		goto out;
	if (child > 0) {
		unsigned char msg[9];
		size_t got = 0;
		while (got < sizeof(msg)) {
			ssize_t r = read(pfd[0], msg + got, sizeof(msg) - got);
			if (r <= 0 && !(r < 0 && errno == EINTR))
				break;
			if (r > 0)
				got += (size_t)r;
		}
		close(pfd[0]);
		pfd[0] = -1;
		waitpid(child, NULL, 0);
		child = -1;
		if (got == sizeof(msg) && msg[0]) {
			memcpy(&m->temperature, msg + 1, sizeof(double));
		} else {
			/* the child failed: calibrate here (needs the weights buffer anew) */
			float *w = m->w, *b = m->bias;
			m->w = NULL;
			m->bias = NULL;
			int r = calibrate(&prob, &param, x, y, held, nhold, nfeat, m->nclass, &m->temperature);
			m->w = w;
			m->bias = b;
			if (r < 0)
				goto out;
		}
	}
	progress(o, 1.0, "done");
	rc = 0;
	*ret = m;
	m = NULL;
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (child > 0)
		waitpid(child, NULL, 0);
	free(held);
	if (lm)
		free_and_destroy_model(&lm);
	clf_free(m);
	dict_release(&d);
	free(tc.buf);
	free(tc.cnt);
	scratch_free(s);
	free(y);
	free(doc_off);
	free(x);
	free(nodes);
	free(yd);
	if (rc == ERR_NOMEM)
		set_err(err, errlen, "out of memory while training");
	return rc;
}

/* ---- model file ------------------------------------------------------------------ */

static void put_u32(sb_t *b, uint32_t v)
{
	unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	sb_add(b, c, 4);
}

static void put_u64(sb_t *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static void put_f32(sb_t *b, float f)
{
	uint32_t v;
	memcpy(&v, &f, 4);
	put_u32(b, v);
}

static void put_str(sb_t *b, const char *s)
{
	size_t n = strlen(s);
	put_u32(b, (uint32_t)n);
	sb_add(b, s, n);
}

int clf_serialize(const clf_model_t *m, sb_t *out)
{
	if (sodium_init() < 0)
		return ERR_INTERNAL;
	sb_t b = SB_INIT;
	sb_add(&b, MAGIC, 8);
	put_u32(&b, FORMAT_VERSION);
	put_u64(&b, 0); /* payload length, patched below */
	put_u32(&b, m->fp.text_flags);
	put_u32(&b, m->fp.feat_flags);
	put_u32(&b, (uint32_t)m->fp.word_ngrams);
	put_u32(&b, (uint32_t)m->fp.char_min);
	put_u32(&b, (uint32_t)m->fp.char_max);
	uint64_t tbits;
	memcpy(&tbits, &m->temperature, 8);
	put_u64(&b, tbits);
	put_u32(&b, m->ntrain);
	put_u32(&b, (uint32_t)m->nclass);
	for (size_t i = 0; i < m->nclass; i++)
		put_str(&b, m->labels[i]);
	size_t nstop = text_stopset_count(m->stop);
	put_u32(&b, (uint32_t)nstop);
	for (size_t i = 0; i < nstop; i++)
		put_str(&b, text_stopset_word(m->stop, i));
	put_u64(&b, m->nfeat);
	for (size_t f = 0; f < m->nfeat; f++)
		put_u64(&b, m->keys[f]);
	for (size_t f = 0; f < m->nfeat; f++)
		put_f32(&b, m->idf[f]);
	for (size_t i = 0; i < m->nfeat * m->nclass; i++)
		put_f32(&b, m->w[i]);
	for (size_t c = 0; c < m->nclass; c++)
		put_f32(&b, m->bias[c]);
	put_u64(&b, m->terms_len);
	sb_add(&b, m->terms, m->terms_len);
	if (b.err) {
		sb_release(&b);
		return ERR_NOMEM;
	}
	uint64_t plen = b.len - HDR_LEN;
	for (int i = 0; i < 8; i++)
		b.buf[12 + i] = (char)(plen >> (8 * i));
	unsigned char sum[SUM_LEN];
	crypto_generichash(sum, SUM_LEN, (const unsigned char *)b.buf, b.len, NULL, 0);
	sb_add(&b, sum, SUM_LEN);
	sb_add(out, b.buf, b.len);
	int err = b.err || out->err;
	sb_release(&b);
	return err ? ERR_NOMEM : 0;
}

int clf_save(const clf_model_t *m, const char *path, char *err, size_t errlen)
{
	sb_t b = SB_INIT;
	if (clf_serialize(m, &b) < 0) {
		sb_release(&b);
		set_err(err, errlen, "out of memory while writing model");
		return ERR_NOMEM;
	}
	sb_t tmp = SB_INIT;
	sb_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = tmp.err ? NULL : fopen(tmp.buf, "wb");
	int ok = f && fwrite(b.buf, 1, b.len, f) == b.len && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (f && fclose(f) != 0)
		ok = 0;
	/* data, then name, then the directory's entry: a power cut leaves the old
	 * model or the new one whole */
	if (ok && (rename(tmp.buf, path) != 0 || durable_sync_parent(path) != 0))
		ok = 0;
	if (!ok) {
		set_err(err, errlen, "cannot write model '%s': %s", path, strerror(errno));
		if (!tmp.err)
			unlink(tmp.buf);
	}
	sb_release(&tmp);
	sb_release(&b);
	return ok ? 0 : ERR_IO;
}

struct rd {
	const unsigned char *p;
	size_t left;
	int bad;
};

static const unsigned char *take(struct rd *r, size_t n)
{
	if (r->bad || n > r->left) {
		r->bad = 1;
		return NULL;
	}
	const unsigned char *p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

static uint32_t get_u32(struct rd *r)
{
	const unsigned char *p = take(r, 4);
	return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
		 : 0;
}

static uint64_t get_u64(struct rd *r)
{
	uint64_t lo = get_u32(r);
	return lo | (uint64_t)get_u32(r) << 32;
}

static float get_f32(struct rd *r)
{
	uint32_t v = get_u32(r);
	float f;
	memcpy(&f, &v, 4);
	return f;
}

/* A length-prefixed string of at most max bytes, as a new string; NULL if bad. */
static char *get_str(struct rd *r, size_t max)
{
	uint32_t n = get_u32(r);
	if (n > max) {
		r->bad = 1;
		return NULL;
	}
	const unsigned char *p = take(r, n);
	if (!p)
		return NULL;
	char *s = malloc(n + 1);
	if (!s) {
		r->bad = 2;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	if (strlen(s) != n) {
		free(s);
		r->bad = 1;
		return NULL;
	}
	return s;
}

int clf_load_mem(const void *buf, size_t len, clf_model_t **ret, char *err, size_t errlen)
{
	*ret = NULL;
	const unsigned char *b = buf;
	if (len < 8 || memcmp(b, MAGIC, 8) != 0) {
		set_err(err, errlen, "not a sigap model file (bad magic)");
		return ERR_INVALID;
	}
	if (len < HDR_LEN + SUM_LEN) {
		set_err(err, errlen, "model file is truncated");
		return ERR_INVALID;
	}
	struct rd hr = {b + 8, HDR_LEN - 8, 0};
	uint32_t version = get_u32(&hr);
	uint64_t plen = get_u64(&hr);
	if (version != FORMAT_VERSION) {
		set_err(err, errlen, "unsupported model format version %u (this build reads %u)",
			version, FORMAT_VERSION);
		return ERR_UNSUPPORTED;
	}
	if (plen != len - HDR_LEN - SUM_LEN) {
		set_err(err, errlen, "model file length mismatch (header says %llu payload bytes, file has %zu)",
			(unsigned long long)plen, len - HDR_LEN - SUM_LEN);
		return ERR_INVALID;
	}
	if (sodium_init() < 0) {
		set_err(err, errlen, "libsodium failed to initialise");
		return ERR_INTERNAL;
	}
	unsigned char sum[SUM_LEN];
	crypto_generichash(sum, SUM_LEN, b, len - SUM_LEN, NULL, 0);
	if (sodium_memcmp(sum, b + len - SUM_LEN, SUM_LEN) != 0) {
		set_err(err, errlen, "model file checksum mismatch (file is corrupted)");
		return ERR_INVALID;
	}

	clf_model_t *m = model_alloc();
	if (!m) {
		set_err(err, errlen, "out of memory while loading model");
		return ERR_NOMEM;
	}
	struct rd r = {b + HDR_LEN, (size_t)plen, 0};
	const char *why = "malformed model payload";
	m->fp.text_flags = get_u32(&r);
	m->fp.feat_flags = get_u32(&r);
	m->fp.word_ngrams = (int)get_u32(&r);
	m->fp.char_min = (int)get_u32(&r);
	m->fp.char_max = (int)get_u32(&r);
	uint64_t tbits = get_u64(&r);
	memcpy(&m->temperature, &tbits, 8);
	m->ntrain = get_u32(&r);
	uint32_t nclass = get_u32(&r);
	if (r.bad || m->fp.text_flags > 7 || m->fp.feat_flags > 1 || m->fp.word_ngrams < 0 ||
	    m->fp.word_ngrams > 2 || m->fp.char_max < 0 || m->fp.char_max > 8 ||
	    (m->fp.char_max > 0 && (m->fp.char_min < 1 || m->fp.char_min > m->fp.char_max)) ||
	    !isfinite(m->temperature) || !(m->temperature > 0) || nclass < 2 ||
	    nclass > CLF_MAX_CLASSES) {
		why = "invalid model settings";
		goto bad;
	}
	m->labels = calloc(nclass, sizeof(char *));
	if (!m->labels)
		goto nomem;
	for (uint32_t i = 0; i < nclass; i++) {
		m->labels[i] = get_str(&r, CLF_MAX_LABEL);
		if (!m->labels[i])
			goto bad_or_nomem;
		m->nclass++;
		if (!valid_label(m->labels[i]) || clf_label_index(m, m->labels[i]) != (int)i) {
			why = "invalid or duplicate label";
			goto bad;
		}
	}
	uint32_t nstop = get_u32(&r);
	if (nstop > r.left / 4) {
		why = "invalid stopword count";
		goto bad;
	}
	if (nstop) {
		sb_t sw = SB_INIT;
		for (uint32_t i = 0; i < nstop && !r.bad; i++) {
			char *w = get_str(&r, TEXT_MAX_TOKEN * 4);
			if (w) {
				sb_adds(&sw, w);
				sb_addch(&sw, '\n');
				free(w);
			}
		}
		int rr = r.bad ? ERR_INVALID : sw.err ? ERR_NOMEM
					     : text_stopset_from_buf(sw.buf, sw.len, &m->stop);
		sb_release(&sw);
		if (rr == ERR_NOMEM)
			goto nomem;
		if (rr < 0)
			goto bad_or_nomem;
	}
	uint64_t nfeat = get_u64(&r);
	/* keys 8 + idf 4 + weights 4*nclass per feature */
	if (r.bad || nfeat > MAX_FEATURES || nfeat * (12 + 4ull * nclass) > r.left) {
		why = "invalid feature count";
		goto bad;
	}
	m->nfeat = (size_t)nfeat;
	m->keys = malloc((m->nfeat ? m->nfeat : 1) * sizeof(uint64_t));
	m->idf = malloc((m->nfeat ? m->nfeat : 1) * sizeof(float));
	m->w = malloc((m->nfeat ? m->nfeat : 1) * nclass * sizeof(float));
	m->bias = malloc(nclass * sizeof(float));
	m->term_off = malloc((m->nfeat ? m->nfeat : 1) * sizeof(uint32_t));
	if (!m->keys || !m->idf || !m->w || !m->bias || !m->term_off)
		goto nomem;
	for (size_t f = 0; f < m->nfeat; f++)
		m->keys[f] = get_u64(&r);
	for (size_t f = 0; f < m->nfeat; f++) {
		m->idf[f] = get_f32(&r);
		if (!isfinite(m->idf[f]) || m->idf[f] < 0)
			r.bad = 1;
	}
	for (size_t i = 0; i < m->nfeat * nclass; i++) {
		m->w[i] = get_f32(&r);
		if (!isfinite(m->w[i]))
			r.bad = 1;
	}
	for (size_t c = 0; c < nclass; c++) {
		m->bias[c] = get_f32(&r);
		if (!isfinite(m->bias[c]))
			r.bad = 1;
	}
	uint64_t tlen = get_u64(&r);
	if (r.bad || tlen != r.left || tlen > UINT32_MAX) {
		why = "invalid weights or term table";
		goto bad;
	}
	m->terms = malloc(tlen + 1);
	if (!m->terms)
		goto nomem;
	memcpy(m->terms, r.p, tlen);
	m->terms[tlen] = '\0';
	m->terms_len = tlen;
	size_t off = 0;
	for (size_t f = 0; f < m->nfeat; f++) {
		if (off >= tlen && !(off == tlen && f == m->nfeat)) {
			why = "term table too short";
			goto bad;
		}
		m->term_off[f] = (uint32_t)off;
		off += strlen(m->terms + off) + 1;
	}
	if (off != tlen) {
		why = "term table does not match features";
		goto bad;
	}
	int tr = build_table(m);
	if (tr == ERR_NOMEM)
		goto nomem;
	if (tr < 0) {
		why = "duplicate feature keys";
		goto bad;
	}
	*ret = m;
	return 0;
bad_or_nomem:
	if (r.bad == 2)
		goto nomem;
bad:
	clf_free(m);
	set_err(err, errlen, "%s", why);
	return ERR_INVALID;
nomem:
	clf_free(m);
	set_err(err, errlen, "out of memory while loading model");
	return ERR_NOMEM;
}

/* Reads a model file whole into *ret_buf (caller frees) and its length; st
 * gets the file's status (the registry tells a replaced file by it). */
static int read_model_file(const char *path, unsigned char **ret_buf, size_t *ret_len, struct stat *st, char *err,
			   size_t errlen)
{
	*ret_buf = NULL;
	*ret_len = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		set_err(err, errlen, "cannot open model '%s': %s", path, strerror(errno));
		return ERR_IO;
	}
	if (fstat(fileno(f), st) != 0 || !S_ISREG(st->st_mode)) {
		fclose(f);
		set_err(err, errlen, "model '%s' is not a regular file", path);
		return ERR_IO;
	}
	if ((size_t)st->st_size > MAX_FILE) {
		fclose(f);
		set_err(err, errlen, "model '%s' is too large", path);
		return ERR_TOO_LARGE;
	}
	size_t len = (size_t)st->st_size;
	unsigned char *buf = malloc(len ? len : 1);
	if (!buf) {
		fclose(f);
		set_err(err, errlen, "out of memory while loading model");
		return ERR_NOMEM;
	}
	size_t got = fread(buf, 1, len, f);
	fclose(f);
	if (got != len) {
		free(buf);
		set_err(err, errlen, "cannot read model '%s'", path);
		return ERR_IO;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int clf_load(const char *path, clf_model_t **ret, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len;
	struct stat st;
	*ret = NULL;
	int r = read_model_file(path, &buf, &len, &st, err, errlen);
	if (r < 0)
		return r;
	char msg[200];
	r = clf_load_mem(buf, len, ret, msg, sizeof(msg));
	free(buf);
	if (r < 0)
		set_err(err, errlen, "model '%s': %s", path, msg);
	return r;
}

/* ---- per-tenant registry ------------------------------------------------------------ */

/* One tenant's model. A reload keeps the entry of a file that has not
 * changed (or that fails to load), so an entry may sit in an old and a new
 * registry at once: it counts them. */
struct clf_entry {
	size_t refs;                 /* registries holding it (__atomic) */
	clf_model_t *m;
	dev_t dev;                   /* the file it came from: an unchanged */
	ino_t ino;                   /* file (same identity, size and time) */
	off_t size;                  /* is not read again */
	struct timespec mtime;
	unsigned char sum[SUM_LEN];  /* its checksum: a file written again
					with the same bytes is no change */
	char tenant[];
};

struct clf_registry {
	size_t refs;  /* the slot's and each caller's (__atomic) */
	size_t n, cap;
	struct clf_entry **e;  /* sorted by tenant */
};

static void entry_release(struct clf_entry *e)
{
	if (e && __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		clf_free(e->m);
		free(e);
	}
}

void clf_registry_release(clf_registry_t *r)
{
	if (!r || __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < r->n; i++)
		entry_release(r->e[i]);
	free(r->e);
	free(r);
}

static int registry_add(clf_registry_t *r, struct clf_entry *e)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct clf_entry **t = realloc(r->e, cap * sizeof(*t));
		if (!t)
			return ERR_NOMEM;
		r->e = t;
		r->cap = cap;
	}
	r->e[r->n++] = e;
	return 0;
}

static struct clf_entry *registry_find(const clf_registry_t *r, const char *tenant)
{
	for (size_t i = 0; r && tenant && i < r->n; i++)
		if (strcmp(r->e[i]->tenant, tenant) == 0)
			return r->e[i];
	return NULL;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp((*(struct clf_entry *const *)a)->tenant, (*(struct clf_entry *const *)b)->tenant);
}

static int same_file(const struct clf_entry *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
	       e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Loads path as tenant's entry into *ret: old's own entry (one more
 * reference) when the file is the same or holds the same bytes. */
static int load_entry(const char *path, const char *tenant, struct clf_entry *old, struct clf_entry **ret,
		      char *err, size_t errlen)
{
	struct stat st;
	unsigned char *buf;
	size_t len;
	*ret = NULL;
	if (old && stat(path, &st) == 0 && same_file(old, &st)) {
		__atomic_add_fetch(&old->refs, 1, __ATOMIC_RELAXED);
		*ret = old;
		return 0;
	}
	int rc = read_model_file(path, &buf, &len, &st, err, errlen);
	if (rc < 0)
		return rc;
	if (old && len >= SUM_LEN && memcmp(buf + len - SUM_LEN, old->sum, SUM_LEN) == 0) {
		/* the checksum covers every other byte: the same model */
		free(buf);
		__atomic_add_fetch(&old->refs, 1, __ATOMIC_RELAXED);
		*ret = old;
		return 0;
	}
	size_t tl = strlen(tenant);
	struct clf_entry *e = calloc(1, sizeof(*e) + tl + 1);
	if (!e) {
		free(buf);
		set_err(err, errlen, "out of memory while loading model");
		return ERR_NOMEM;
	}
	char msg[200];
	rc = clf_load_mem(buf, len, &e->m, msg, sizeof(msg));
	if (rc < 0) {
		set_err(err, errlen, "model '%s': %s", path, msg);
		free(buf);
		free(e);
		return rc;
	}
	memcpy(e->sum, buf + len - SUM_LEN, SUM_LEN); /* a loaded file is longer */
	free(buf);
	e->refs = 1;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->size = st.st_size;
	e->mtime = st.st_mtim;
	memcpy(e->tenant, tenant, tl + 1);
	*ret = e;
	return 0;
}

/* Every "<tenant>.model" in dir. Without old (start-up) a file that fails
 * fails the call; with old (a reload) its tenant keeps old's model, or has
 * none, and the reason goes to problems. */
static int load_dir(const char *dir, const clf_registry_t *old, clf_registry_t **ret, sb_t *changed, sb_t *problems,
		    char *err, size_t errlen)
{
	*ret = NULL;
	DIR *dh = opendir(dir);
	if (!dh) {
		set_err(err, errlen, "cannot open model directory '%s': %s", dir, strerror(errno));
		return ERR_IO;
	}
	clf_registry_t *r = calloc(1, sizeof(*r));
	if (!r) {
		closedir(dh);
		set_err(err, errlen, "out of memory while loading models");
		return ERR_NOMEM;
	}
	r->refs = 1;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(dh)) != NULL) {
		size_t nl = strlen(de->d_name);
		if (nl <= 6 || strcmp(de->d_name + nl - 6, ".model") != 0 || de->d_name[0] == '.')
			continue;
		char tenant[256], msg[512];
		snprintf(tenant, sizeof(tenant), "%.*s", (int)(nl - 6), de->d_name);
		struct clf_entry *prev = registry_find(old, tenant), *e = NULL;
		sb_t path = SB_INIT;
		sb_addf(&path, "%s/%s", dir, de->d_name);
		rc = path.err ? ERR_NOMEM : load_entry(path.buf, tenant, prev, &e, msg, sizeof(msg));
		sb_release(&path);
		if (rc == ERR_NOMEM || (rc < 0 && !old)) {
			/* start-up: a bad deploy is noticed at once; a reload
			 * without memory keeps the whole old registry */
			set_err(err, errlen, "%s", rc == ERR_NOMEM ? "out of memory while loading models" : msg);
			break;
		}
		if (rc < 0) {
			/* a typo or a half-copied file must not leave the tenant
			 * without the model it had */
			if (problems)
				sb_addf(problems, "%s%s; %s", problems->len ? "\n" : "", msg,
					prev ? "the previous model stays in service" : "the Pemda has no model");
			if (prev) {
				__atomic_add_fetch(&prev->refs, 1, __ATOMIC_RELAXED);
				e = prev;
			}
			rc = 0;
		}
		if (e && (rc = registry_add(r, e)) < 0) {
			entry_release(e);
			set_err(err, errlen, "out of memory while loading models");
			break;
		}
	}
	closedir(dh);
	if (rc < 0) {
		clf_registry_release(r);
		return rc;
	}
	if (r->n > 1)
		qsort(r->e, r->n, sizeof(*r->e), entry_cmp);
	if (changed) {
		for (size_t i = 0; i < r->n; i++) {
			struct clf_entry *p = registry_find(old, r->e[i]->tenant);
			if (p != r->e[i])
				sb_addf(changed, "%s%s (%s)", changed->len ? ", " : "", r->e[i]->tenant,
					p ? "replaced" : "added");
		}
		for (size_t i = 0; old && i < old->n; i++)
			if (!registry_find(r, old->e[i]->tenant))
				sb_addf(changed, "%s%s (removed)", changed->len ? ", " : "", old->e[i]->tenant);
		if (changed->err || (problems && problems->err)) {
			clf_registry_release(r);
			set_err(err, errlen, "out of memory while loading models");
			return ERR_NOMEM;
		}
	}
	*ret = r;
	return 0;
}

int clf_registry_load_dir(const char *dir, clf_registry_t **ret, char *err, size_t errlen)
{
	return load_dir(dir, NULL, ret, NULL, NULL, err, errlen);
}

int clf_registry_reload(const char *dir, const clf_registry_t *old, clf_registry_t **ret, sb_t *changed,
			sb_t *problems, char *err, size_t errlen)
{
	static const clf_registry_t none = { 1, 0, 0, NULL };
	return load_dir(dir, old ? old : &none, ret, changed, problems, err, errlen);
}

const clf_model_t *clf_registry_get(const clf_registry_t *r, const char *tenant)
{
	const struct clf_entry *e = registry_find(r, tenant);
	return e ? e->m : NULL;
}

size_t clf_registry_count(const clf_registry_t *r)
{
	return r ? r->n : 0;
}

/* ---- the registry in service ------------------------------------------------------- */

struct clf_slot {
	pthread_mutex_t mu;  /* held only to read or swap r and take a reference */
	clf_registry_t *r;
};

clf_slot_t *clf_slot_new(clf_registry_t *r)
{
	clf_slot_t *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	s->r = r;
	return s;
}

clf_registry_t *clf_slot_get(clf_slot_t *s)
{
	clf_registry_t *r;
	if (!s)
		return NULL;
	pthread_mutex_lock(&s->mu);
	if ((r = s->r))
		__atomic_add_fetch(&r->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&s->mu);
	return r;
}

void clf_slot_set(clf_slot_t *s, clf_registry_t *r)
{
	pthread_mutex_lock(&s->mu);
	clf_registry_t *old = s->r;
	s->r = r;
	pthread_mutex_unlock(&s->mu);
	/* freed here, or by the last request still routing with it */
	clf_registry_release(old);
}

void clf_slot_free(clf_slot_t *s)
{
	if (!s)
		return;
	clf_registry_release(s->r);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
