/*
 * ai_cli.c: `sigap model train|eval|predict|inspect` (see ai_cli.h). Reads
 * the TSV training format, draws a progress bar when stderr is a terminal,
 * prints evaluation metrics as one JSON object and streams predictions.
 */
#include "ai/ai_cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ai/classifier.h"
#include "core/err.h"
#include "core/sb.h"
#include "core/banned.h"

#define MAX_TSV ((size_t)1 << 30)

static const ai_row_source_t *tenant_source;

void ai_cli_set_tenant_source(const ai_row_source_t *src)
{
	tenant_source = src;
}

static void usage(void)
{
	fputs("usage: sigap model train --input FILE --output MODEL [--stem] [--stopwords FILE]\n"
	      "                         [--no-words] [--no-chars] [--unigrams] [--c C] [--holdout F]\n"
	      "                         [--chars MIN-MAX] [--min-df N]\n"
	      "       sigap model train --tenant CODE --output MODEL\n"
	      "       sigap model eval --model MODEL --input FILE\n"
	      "       sigap model predict --model MODEL [--terms N] < texts\n"
	      "       sigap model inspect --model MODEL [--terms N]\n"
	      "       sigap model cv --input FILE [--folds K] [--stem] [--c C]\n"
	      "FILE is TSV with a header line 'label<TAB>text' (or 'text<TAB>label').\n",
	      stderr);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("sigap model: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- TSV ------------------------------------------------------------------ */

struct rows {
	char *buf;
	const char **labels, **texts;
	size_t n;
	size_t skipped_empty;
};

static void rows_release(struct rows *r)
{
	free(r->buf);
	free(r->labels);
	free(r->texts);
	memset(r, 0, sizeof(*r));
}

static int read_file(const char *path, char **ret, size_t *ret_len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		fail("cannot open '%s': %s", path, strerror(errno));
		return ERR_IO;
	}
	sb_t b = SB_INIT;
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		sb_add(&b, chunk, got);
		if (b.len > MAX_TSV) {
			if (f != stdin)
				fclose(f);
			sb_release(&b);
			fail("'%s' is too large (limit 1 GiB)", path);
			return ERR_TOO_LARGE;
		}
	}
	int rerr = ferror(f);
	if (f != stdin)
		fclose(f);
	if (rerr || b.err) {
		sb_release(&b);
		fail("cannot read '%s'", path);
		return ERR_IO;
	}
	*ret_len = b.len;
	*ret = sb_detach(&b, NULL);
	if (!*ret)
		return ERR_NOMEM;
	return 0;
}

/*
 * Parses a TSV with header "label<TAB>text" (text may contain tabs) or
 * "text<TAB>label" (label after the last tab). skip_empty drops rows whose
 * text is blank.
 */
static int read_tsv(const char *path, int skip_empty, struct rows *r)
{
	memset(r, 0, sizeof(*r));
	size_t len;
	int rc = read_file(path, &r->buf, &len);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < len; i++)
		if (r->buf[i] == '\0')
			r->buf[i] = ' ';
	size_t nlines = 1;
	for (size_t i = 0; i < len; i++)
		nlines += r->buf[i] == '\n';
	r->labels = malloc(nlines * sizeof(char *));
	r->texts = malloc(nlines * sizeof(char *));
	if (!r->labels || !r->texts) {
		rows_release(r);
		fail("out of memory reading '%s'", path);
		return ERR_NOMEM;
	}
	int label_first = -1;
	size_t lineno = 0;
	char *p = r->buf, *end = r->buf + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *e = nl ? nl : end;
		char *next = nl ? nl + 1 : end;
		lineno++;
		if (e > p && e[-1] == '\r')
			e--;
		*e = '\0';
		if (lineno == 1 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
		    (unsigned char)p[2] == 0xbf)
			p += 3;
		if (*p == '\0') {
			p = next;
			continue;
		}
		if (label_first < 0) {
			if (strcasecmp(p, "label\ttext") == 0)
				label_first = 1;
			else if (strcasecmp(p, "text\tlabel") == 0)
				label_first = 0;
			else {
				fail("%s:%zu: expected the header 'label<TAB>text'", path, lineno);
				rows_release(r);
				return ERR_INVALID;
			}
			p = next;
			continue;
		}
		char *tab = label_first ? strchr(p, '\t') : strrchr(p, '\t');
		if (!tab) {
			fail("%s:%zu: expected two tab-separated fields (label, text)", path, lineno);
			rows_release(r);
			return ERR_INVALID;
		}
		*tab = '\0';
		char *label = label_first ? p : tab + 1;
		char *text = label_first ? tab + 1 : p;
		while (*label == ' ')
			label++;
		size_t ll = strlen(label);
		while (ll && label[ll - 1] == ' ')
			label[--ll] = '\0';
		if (ll == 0 || ll > CLF_MAX_LABEL) {
			fail("%s:%zu: label must be 1-%d bytes", path, lineno, CLF_MAX_LABEL);
			rows_release(r);
			return ERR_INVALID;
		}
		if (skip_empty && text[strspn(text, " \t")] == '\0') {
			r->skipped_empty++;
			p = next;
			continue;
		}
		r->labels[r->n] = label;
		r->texts[r->n] = text;
		r->n++;
		p = next;
	}
	if (label_first < 0) {
		fail("'%s' is empty (expected the header 'label<TAB>text' and rows)", path);
		rows_release(r);
		return ERR_INVALID;
	}
	if (r->n == 0) {
		fail("'%s' has a header but no rows", path);
		rows_release(r);
		return ERR_INVALID;
	}
	return 0;
}

/* ---- options -------------------------------------------------------------- */

struct opts {
	const char *input, *output, *model, *stopwords, *tenant;
	int stem, no_words, no_chars, unigrams;
	double c, holdout;
	long terms, folds, char_min, char_max, min_df;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->c = -1;
	o->holdout = -1;
	o->terms = 3;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char **sval = NULL;
		if (strcmp(a, "--input") == 0)
			sval = &o->input;
		else if (strcmp(a, "--output") == 0)
			sval = &o->output;
		else if (strcmp(a, "--model") == 0)
			sval = &o->model;
		else if (strcmp(a, "--stopwords") == 0)
			sval = &o->stopwords;
		else if (strcmp(a, "--tenant") == 0)
			sval = &o->tenant;
		if (sval) {
			if (i + 1 >= argc) {
				fail("option '%s' needs a value", a);
				return ERR_INVALID;
			}
			*sval = argv[++i];
			continue;
		}
		if (strcmp(a, "--stem") == 0) {
			o->stem = 1;
		} else if (strcmp(a, "--no-words") == 0) {
			o->no_words = 1;
		} else if (strcmp(a, "--no-chars") == 0) {
			o->no_chars = 1;
		} else if (strcmp(a, "--unigrams") == 0) {
			o->unigrams = 1;
		} else if (strcmp(a, "--c") == 0 || strcmp(a, "--holdout") == 0) {
			char *e;
			if (i + 1 >= argc) {
				fail("option '%s' needs a value", a);
				return ERR_INVALID;
			}
			errno = 0;
			double v = strtod(argv[++i], &e);
			if (errno || *e || !isfinite(v)) {
				fail("option '%s': '%s' is not a number", a, argv[i]);
				return ERR_INVALID;
			}
			if (a[2] == 'c')
				o->c = v;
			else
				o->holdout = v;
		} else if (strcmp(a, "--chars") == 0) {
			char *e, *e2;
			if (i + 1 >= argc) {
				fail("option '%s' needs a value", a);
				return ERR_INVALID;
			}
			errno = 0;
			long lo = strtol(argv[++i], &e, 10), hi = -1;
			if (*e == '-')
				hi = strtol(e + 1, &e2, 10);
			/* cppcheck-suppress legacyUninitvar ; *e2 is read only when *e == '-', which set it */
			if (errno || *e != '-' || *e2 || lo < 1 || hi < lo || hi > 8) {
				fail("option '--chars': '%s' must be MIN-MAX within 1-8", argv[i]);
				return ERR_INVALID;
			}
			o->char_min = lo;
			o->char_max = hi;
		} else if (strcmp(a, "--min-df") == 0) {
			char *e;
			if (i + 1 >= argc) {
				fail("option '%s' needs a value", a);
				return ERR_INVALID;
			}
			errno = 0;
			long v = strtol(argv[++i], &e, 10);
			if (errno || *e || v < 1 || v > 1000) {
				fail("option '--min-df': '%s' must be 1..1000", argv[i]);
				return ERR_INVALID;
			}
			o->min_df = v;
		} else if (strcmp(a, "--folds") == 0) {
			char *e;
			if (i + 1 >= argc) {
				fail("option '%s' needs a value", a);
				return ERR_INVALID;
			}
			errno = 0;
			long v = strtol(argv[++i], &e, 10);
			if (errno || *e || v < 2 || v > 20) {
				fail("option '--folds': '%s' must be 2..20", argv[i]);
				return ERR_INVALID;
			}
			o->folds = v;
		} else if (strcmp(a, "--terms") == 0) {
			char *e;
			if (i + 1 >= argc) {
				fail("option '%s' needs a value", a);
				return ERR_INVALID;
			}
			errno = 0;
			long v = strtol(argv[++i], &e, 10);
			if (errno || *e || v < 0 || v > 20) {
				fail("option '--terms': '%s' must be 0..20", argv[i]);
				return ERR_INVALID;
			}
			o->terms = v;
		} else {
			fail("unknown option '%s'", a);
			return ERR_INVALID;
		}
	}
	return 0;
}

/* ---- train ------------------------------------------------------------------ */

struct bar {
	int last;
};

static void draw_bar(void *ctx, double f, const char *stage)
{
	struct bar *b = ctx;
	int pct = (int)(f * 100 + 0.5);
	if (pct == b->last)
		return;
	b->last = pct;
	int fill = pct * 30 / 100;
	fprintf(stderr, "\r[%.*s%*s] %3d%% %-10s", fill, "##############################",
		30 - fill, "", pct, stage);
	if (pct >= 100)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Training options from the command line; *ret_stop is freed by the caller. */
static int train_opts(const struct opts *o, clf_train_opts_t *to, text_stopset_t **ret_stop)
{
	clf_train_opts_init(to);
	to->fork_calibration = 1; /* the CLI is single-threaded */
	*ret_stop = NULL;
	if (o->stem)
		to->text_flags |= TEXT_STEM;
	if (o->no_words)
		to->word_ngrams = 0;
	else if (o->unigrams)
		to->word_ngrams = 1;
	if (o->char_max) {
		to->char_min = (int)o->char_min;
		to->char_max = (int)o->char_max;
	}
	if (o->no_chars)
		to->char_max = 0;
	if (o->min_df)
		to->min_df = (unsigned)o->min_df;
	if (o->c >= 0)
		to->C = o->c;
	if (o->holdout >= 0)
		to->holdout = o->holdout;
	if (o->stopwords) {
		char err[256];
		if (text_stopset_load(o->stopwords, ret_stop, err, sizeof(err)) < 0) {
			fail("%s", err);
			return ERR_INVALID;
		}
		to->stop = *ret_stop;
		to->text_flags |= TEXT_STOPWORDS;
	}
	return 0;
}

/* How a running server takes the new file: serve reads <models-dir>/CODE.model
 * again on SIGHUP (clf_save renamed the file into place whole, so a reload at
 * any moment reads the old model or the new one). CODE is the tenant trained
 * for, or the file's own name when that is a code ("52.71.model"). */
static void reload_hint(const char *output, const char *tenant)
{
	const char *base = strrchr(output, '/');
	size_t bl;
	int code = 0;
	base = base ? base + 1 : output;
	bl = strlen(base);
	if (!tenant && bl > 6 && !strcmp(base + bl - 6, ".model") && isdigit((unsigned char)base[0])) {
		code = 1;
		for (size_t i = 0; i < bl - 6; i++)
			code &= isdigit((unsigned char)base[i]) || base[i] == '.';
	}
	fprintf(stderr, "sigap model: a running 'sigap serve' routes with it once it is <models-dir>/%.*s.model and "
			"the server is reloaded: systemctl reload sigap (or kill -HUP <pid of sigap serve>)\n",
		tenant ? (int)strlen(tenant) : code ? (int)(bl - 6) : 4, tenant ? tenant : code ? base : "CODE");
}

static int cmd_train(const struct opts *o)
{
	if ((!o->input && !o->tenant) || (o->input && o->tenant) || !o->output) {
		usage();
		return 2;
	}
	clf_train_opts_t to;
	text_stopset_t *stop = NULL;
	char err[256] = "";
	if (train_opts(o, &to, &stop) < 0)
		return 1;
	struct bar bar = {-1};
	if (isatty(STDERR_FILENO)) {
		to.progress = draw_bar;
		to.progress_ctx = &bar;
	}

	struct rows rows = {0};
	void *handle = NULL;
	const char **labels, **texts;
	size_t n;
	if (o->tenant) {
		/* TODO(lead): the store module registers a row source that reads the
		 * tenant's routed complaints (label = category code). */
		if (!tenant_source) {
			fail("--tenant needs the database row source, which this build has not registered");
			text_stopset_free(stop);
			return 1;
		}
		if (tenant_source->fetch(o->tenant, &labels, &texts, &n, &handle, err, sizeof(err)) < 0) {
			fail("tenant '%s': %s", o->tenant, err);
			text_stopset_free(stop);
			return 1;
		}
	} else {
		if (read_tsv(o->input, 1, &rows) < 0) {
			text_stopset_free(stop);
			return 1;
		}
		if (rows.skipped_empty)
			fprintf(stderr, "sigap model: skipped %zu rows with empty text\n", rows.skipped_empty);
		labels = rows.labels;
		texts = rows.texts;
		n = rows.n;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clf_model_t *m = NULL;
	int r = ai_train_from_rows(labels, texts, n, &to, &m, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (handle && tenant_source && tenant_source->release)
		tenant_source->release(handle);
	rows_release(&rows);
	text_stopset_free(stop);
	if (r < 0) {
		fail("training failed: %s", err);
		return 1;
	}
	if (clf_save(m, o->output, err, sizeof(err)) < 0) {
		fail("%s", err);
		clf_free(m);
		return 1;
	}
	fprintf(stderr, "sigap model: trained on %zu rows, %zu labels, %zu features, temperature %.3f, %.2f s -> %s\n",
		n, clf_nlabels(m), clf_nfeatures(m), clf_temperature(m),
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, o->output);
	reload_hint(o->output, o->tenant);
	clf_free(m);
	return 0;
}

/* ---- eval ---------------------------------------------------------------- */

struct scored {
	double conf;
	int correct;
};

static int cmp_conf_desc(const void *a, const void *b)
{
	double x = ((const struct scored *)a)->conf, y = ((const struct scored *)b)->conf;
	return x < y ? 1 : x > y ? -1 : 0;
}

static int cmd_eval(const struct opts *o)
{
	if (!o->model || !o->input) {
		usage();
		return 2;
	}
	char err[512];
	clf_model_t *m;
	if (clf_load(o->model, &m, err, sizeof(err)) < 0) {
		fail("%s", err);
		return 1;
	}
	struct rows rows;
	if (read_tsv(o->input, 0, &rows) < 0) {
		clf_free(m);
		return 1;
	}
	size_t nl = clf_nlabels(m), n = rows.n;
	/* Label slots: the model's labels, then unknown gold labels (never predicted). */
	const char **names = calloc(nl + n, sizeof(char *));
	size_t *tp = calloc(nl + n, sizeof(size_t)), *fp = calloc(nl + n, sizeof(size_t)),
	       *fn = calloc(nl + n, sizeof(size_t));
	struct scored *sc = malloc(n * sizeof(*sc));
	int *gold = malloc(n * sizeof(int));
	if (!names || !tp || !fp || !fn || !sc || !gold) {
		fail("out of memory");
		free(names), free(tp), free(fp), free(fn), free(sc), free(gold);
		rows_release(&rows);
		clf_free(m);
		return 1;
	}
	size_t nslots = nl, unknown = 0;
	for (size_t i = 0; i < nl; i++)
		names[i] = clf_label(m, i);
	for (size_t i = 0; i < n; i++) {
		int g = clf_label_index(m, rows.labels[i]);
		if (g < 0) {
			size_t j;
			for (j = nl; j < nslots; j++)
				if (strcmp(names[j], rows.labels[i]) == 0)
					break;
			if (j == nslots)
				names[nslots++] = rows.labels[i];
			g = (int)j;
			unknown++;
		}
		gold[i] = g;
	}
	if (unknown)
		fprintf(stderr, "sigap model: %zu rows have labels the model does not know (%zu labels); counted as errors\n",
			unknown, nslots - nl);
	size_t correct = 0, top3 = 0;
	struct timespec t0, t1, c0, c1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	for (size_t i = 0; i < n; i++) {
		clf_result_t res[3];
		size_t k;
		if (clf_predict(m, rows.texts[i], strlen(rows.texts[i]), res, 3, &k, NULL, 0, NULL) < 0) {
			fail("prediction failed (out of memory)");
			k = 0;
		}
		int pred = k ? clf_label_index(m, res[0].label) : -1;
		int ok = pred == gold[i];
		correct += ok;
		for (size_t j = 0; j < k; j++)
			if (clf_label_index(m, res[j].label) == gold[i]) {
				top3++;
				break;
			}
		sc[i].conf = k ? res[0].confidence : 0;
		sc[i].correct = ok;
		if (ok) {
			tp[gold[i]]++;
		} else {
			fn[gold[i]]++;
			if (pred >= 0)
				fp[pred]++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double csecs = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	/* Macro F1 over labels present in gold or predictions (as scikit-learn does). */
	double f1sum = 0;
	size_t nf1 = 0;
	for (size_t c = 0; c < nslots; c++) {
		if (tp[c] + fp[c] + fn[c] == 0)
			continue;
		double f1 = tp[c] ? 2.0 * tp[c] / (2.0 * tp[c] + fp[c] + fn[c]) : 0;
		f1sum += f1;
		nf1++;
	}
	qsort(sc, n, sizeof(*sc), cmp_conf_desc);
	size_t n80 = (size_t)ceil(0.8 * (double)n), c80 = 0;
	for (size_t i = 0; i < n80; i++)
		c80 += (size_t)sc[i].correct;
	/* docs_per_sec is wall-clock; docs_per_cpu_sec counts only this thread's
	 * CPU time, which stays meaningful on a loaded machine. */
	printf("{\"n\":%zu,\"accuracy\":%.4f,\"top3\":%.4f,\"macro_f1\":%.4f,\"precision_at_80\":%.4f,\"docs_per_sec\":%.0f,\"docs_per_cpu_sec\":%.0f}\n",
	       n, (double)correct / (double)n, (double)top3 / (double)n, nf1 ? f1sum / (double)nf1 : 0,
	       n80 ? (double)c80 / (double)n80 : 0, secs > 0 ? (double)n / secs : 0,
	       csecs > 0 ? (double)n / csecs : 0);
	free(names), free(tp), free(fp), free(fn), free(sc), free(gold);
	rows_release(&rows);
	clf_free(m);
	return 0;
}

/* ---- cross-validation ------------------------------------------------------ */

/* k-fold cross-validation on one file (row i goes to fold i % k after a
 * fixed shuffle); prints {"n","folds","accuracy","macro_f1"}. */
static int cmd_cv(const struct opts *o)
{
	if (!o->input) {
		usage();
		return 2;
	}
	size_t folds = o->folds ? (size_t)o->folds : 5;
	struct rows rows;
	if (read_tsv(o->input, 1, &rows) < 0)
		return 1;
	size_t n = rows.n;
	if (n < folds * 2) {
		fail("'%s' has too few rows (%zu) for %zu folds", o->input, n, folds);
		rows_release(&rows);
		return 1;
	}
	size_t *perm = malloc(n * sizeof(size_t));
	const char **tl = malloc(n * sizeof(char *)), **tt = malloc(n * sizeof(char *));
	const char **glabels = calloc(n, sizeof(char *)), **plabels = calloc(n, sizeof(char *));
	char (*pred)[CLF_MAX_LABEL + 1] = calloc(n, sizeof(*pred));
	text_stopset_t *stop = NULL;
	int rc = 1;
	if (!perm || !tl || !tt || !glabels || !plabels || !pred) {
		fail("out of memory");
		goto out;
	}
	uint64_t st = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	for (size_t i = n - 1; i > 0; i--) {
		st ^= st << 13, st ^= st >> 7, st ^= st << 17;
		size_t j = (size_t)(st % (i + 1)), t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	clf_train_opts_t to;
	if (train_opts(o, &to, &stop) < 0)
		goto out;
	for (size_t f = 0; f < folds; f++) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (i % folds != f)
				tl[k] = rows.labels[perm[i]], tt[k] = rows.texts[perm[i]], k++;
		clf_model_t *m;
		char err[256];
		if (ai_train_from_rows(tl, tt, k, &to, &m, err, sizeof(err)) < 0) {
			fail("fold %zu: %s", f + 1, err);
			goto out;
		}
		for (size_t i = f; i < n; i += folds) {
			size_t r = perm[i], got;
			clf_result_t res;
			if (clf_predict(m, rows.texts[r], strlen(rows.texts[r]), &res, 1, &got, NULL, 0, NULL) < 0) {
				clf_free(m);
				fail("out of memory");
				goto out;
			}
			snprintf(pred[r], sizeof(pred[r]), "%s", res.label);
		}
		clf_free(m);
	}
	/* accuracy and macro-F1 over the union of gold and predicted labels */
	size_t correct = 0, nl = 0;
	const char **names = glabels;
	for (size_t i = 0; i < n; i++) {
		correct += strcmp(rows.labels[i], pred[i]) == 0;
		const char *two[2] = {rows.labels[i], pred[i]};
		for (int t = 0; t < 2; t++) {
			size_t j;
			for (j = 0; j < nl; j++)
				if (strcmp(names[j], two[t]) == 0)
					break;
			if (j == nl)
				names[nl++] = two[t];
		}
	}
	double f1sum = 0;
	for (size_t j = 0; j < nl; j++) {
		size_t tp = 0, fp = 0, fn = 0;
		for (size_t i = 0; i < n; i++) {
			int g = strcmp(rows.labels[i], names[j]) == 0, p = strcmp(pred[i], names[j]) == 0;
			tp += g && p;
			fp += !g && p;
			fn += g && !p;
		}
		f1sum += tp ? 2.0 * tp / (2.0 * tp + fp + fn) : 0;
	}
	printf("{\"n\":%zu,\"folds\":%zu,\"accuracy\":%.4f,\"macro_f1\":%.4f}\n", n, folds,
	       (double)correct / (double)n, nl ? f1sum / (double)nl : 0);
	rc = 0;
out:
	free(perm), free(tl), free(tt), free(glabels), free(plabels), free(pred);
	text_stopset_free(stop);
	rows_release(&rows);
	return rc;
}

/* ---- predict ------------------------------------------------------------- */

/* Reads one line into b (without the newline), keeping at most TEXT_MAX_INPUT
 * bytes and discarding the rest. Returns 0 at EOF with nothing read, else 1. */
static int read_line(FILE *f, sb_t *b)
{
	sb_reset(b);
	int c, any = 0;
	while ((c = getc_unlocked(f)) != EOF) {
		any = 1;
		if (c == '\n')
			break;
		if (b->len < TEXT_MAX_INPUT)
			sb_addch(b, (char)c);
	}
	if (b->len && b->buf[b->len - 1] == '\r')
		b->buf[--b->len] = '\0';
	return any;
}

static int cmd_predict(const struct opts *o)
{
	if (!o->model) {
		usage();
		return 2;
	}
	char err[512];
	clf_model_t *m;
	if (clf_load(o->model, &m, err, sizeof(err)) < 0) {
		fail("%s", err);
		return 1;
	}
	sb_t line = SB_INIT, out = SB_INIT;
	clf_term_t terms[20];
	int rc = 0;
	while (read_line(stdin, &line)) {
		clf_result_t res;
		size_t k, nt = 0;
		if (line.err || clf_predict(m, line.buf, line.len, &res, 1, &k, o->terms ? terms : NULL,
					    (size_t)o->terms, &nt) < 0) {
			fail("out of memory");
			rc = 1;
			break;
		}
		sb_reset(&out);
		sb_addf(&out, "%s\t%.3f\t", res.label, res.confidence);
		for (size_t i = 0; i < nt; i++) {
			if (i)
				sb_addch(&out, ',');
			sb_adds(&out, terms[i].term);
		}
		sb_addch(&out, '\n');
		fwrite(out.buf, 1, out.len, stdout);
	}
	sb_release(&line);
	sb_release(&out);
	clf_free(m);
	if (fflush(stdout) != 0)
		rc = 1;
	return rc;
}

/* ---- inspect ------------------------------------------------------------- */

static int cmd_inspect(const struct opts *o)
{
	if (!o->model) {
		usage();
		return 2;
	}
	char err[512];
	clf_model_t *m;
	if (clf_load(o->model, &m, err, sizeof(err)) < 0) {
		fail("%s", err);
		return 1;
	}
	printf("labels\t%zu\nfeatures\t%zu\ntemperature\t%.4f\n", clf_nlabels(m), clf_nfeatures(m),
	       clf_temperature(m));
	size_t want = o->terms ? (size_t)o->terms : 3;
	clf_term_t terms[20];
	for (size_t i = 0; i < clf_nlabels(m); i++) {
		size_t nt;
		clf_top_terms(m, i, terms, want, &nt);
		printf("%s\t", clf_label(m, i));
		for (size_t j = 0; j < nt; j++)
			printf("%s%s", j ? "," : "", terms[j].term);
		putchar('\n');
	}
	clf_free(m);
	return 0;
}

int ai_cli_model(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage();
		return argc < 2 ? 2 : 0;
	}
	struct opts o;
	if (parse_opts(argc, argv, &o) < 0) {
		usage();
		return 2;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "train") == 0)
		return cmd_train(&o);
	if (strcmp(sub, "eval") == 0)
		return cmd_eval(&o);
	if (strcmp(sub, "predict") == 0)
		return cmd_predict(&o);
	if (strcmp(sub, "inspect") == 0)
		return cmd_inspect(&o);
	if (strcmp(sub, "cv") == 0)
		return cmd_cv(&o);
	fail("unknown subcommand '%s'", sub);
	usage();
	return 2;
}
