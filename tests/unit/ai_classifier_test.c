/*
 * ai_classifier_test.c: training, prediction, explanations, the model file
 * (round trip, corruption and foreign files), thread safety, the tenant
 * registry and its reload while requests route, and bad input for the complaint classifier (src/ai/classifier.h).
 * Trains on the demo tenant's complaints in data/demo/complaints_52.71.tsv.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ai/classifier.h"
#include "core/err.h"
#include "core/sb.h"

static clf_model_t *model; /* trained once on the demo data */
static char *demo_buf;
static const char **demo_labels, **demo_texts;
static size_t demo_n;

static void load_demo(void)
{
	const char *root = getenv("SIGAP_SRC");
	sb_t path = SB_INIT;
	sb_addf(&path, "%s/data/demo/complaints_52.71.tsv", root ? root : ".");
	FILE *f = fopen(path.buf, "rb");
	assert_non_null(f);
	sb_t b = SB_INIT;
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_add(&b, chunk, got);
	fclose(f);
	sb_release(&path);
	demo_buf = sb_detach(&b, NULL);
	demo_labels = calloc(2000, sizeof(char *));
	demo_texts = calloc(2000, sizeof(char *));
	char *p = strchr(demo_buf, '\n') + 1; /* skip the header */
	while (*p && demo_n < 2000) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		char *tab = strchr(p, '\t');
		assert_non_null(tab);
		*tab = '\0';
		demo_labels[demo_n] = p;
		demo_texts[demo_n] = tab + 1;
		demo_n++;
		if (!nl)
			break;
		p = nl + 1;
	}
}

static int setup(void **state)
{
	(void)state;
	load_demo();
	char err[256];
	if (ai_train_from_rows(demo_labels, demo_texts, demo_n, NULL, &model, err, sizeof(err)) != 0) {
		fprintf(stderr, "training failed: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	clf_free(model);
	free(demo_buf);
	free(demo_labels);
	free(demo_texts);
	return 0;
}

static const char *top1(const clf_model_t *m, const char *text, double *conf)
{
	clf_result_t r;
	size_t n;
	assert_int_equal(clf_predict(m, text, strlen(text), &r, 1, &n, NULL, 0, NULL), 0);
	assert_int_equal(n, 1);
	if (conf)
		*conf = r.confidence;
	return r.label;
}

static void test_demo_routing(void **state)
{
	(void)state;
	assert_true(demo_n >= 16 * 30);
	assert_int_equal(clf_nlabels(model), 16);
	assert_true(clf_temperature(model) > 0);
	assert_string_equal(top1(model, "jalan berlubang di depan rumah saya di Ampenan", NULL), "jalan");
	assert_string_equal(top1(model, "lampu jalan mati, gelap banget", NULL), "pju");
	assert_string_equal(top1(model, "air PDAM ga ngalir dr kemarin", NULL), "air");
	assert_string_equal(top1(model, "mau bikin KTP yg hilang", NULL), "adminduk");
	assert_string_equal(top1(model, "sampah ga diangkut udh seminggu", NULL), "sampah");
	assert_string_equal(top1(model, "tukang parkir minta bayar 5rb", NULL), "parkir");
	assert_string_equal(top1(model, "tagihan PBB naik", NULL), "pajak");
}

static void test_topk_and_explain(void **state)
{
	(void)state;
	clf_result_t r[20];
	clf_term_t terms[5];
	size_t n, nt;
	const char *t = "lampu jalan di depan masjid mati sudah seminggu";
	assert_int_equal(clf_predict(model, t, strlen(t), r, 20, &n, terms, 5, &nt), 0);
	assert_int_equal(n, 16); /* k is capped at the number of labels */
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		sum += r[i].confidence;
		assert_true(r[i].confidence >= 0 && r[i].confidence <= 1);
		if (i)
			assert_true(r[i].confidence <= r[i - 1].confidence);
	}
	assert_true(fabs(sum - 1.0) < 1e-6);
	assert_string_equal(r[0].label, "pju");
	assert_true(nt >= 1 && nt <= 5);
	int saw_lampu = 0;
	for (size_t i = 0; i < nt; i++) {
		assert_true(terms[i].weight > 0);
		if (i)
			assert_true(terms[i].weight <= terms[i - 1].weight);
		saw_lampu |= strstr(terms[i].term, "lampu") != NULL;
	}
	assert_true(saw_lampu);
	/* k = 0 is an error, not a crash */
	assert_int_equal(clf_predict(model, t, strlen(t), r, 0, &n, NULL, 0, NULL), ERR_INVALID);
	/* reverse map: the model's own strongest terms for a label */
	clf_term_t top[8];
	assert_int_equal(clf_top_terms(model, (size_t)clf_label_index(model, "sampah"), top, 8, &nt), 0);
	assert_true(nt > 0);
	int saw_sampah = 0;
	for (size_t i = 0; i < nt; i++)
		saw_sampah |= strstr(top[i].term, "sampah") != NULL;
	assert_true(saw_sampah);
	assert_int_equal(clf_top_terms(model, 99, top, 8, &nt), ERR_INVALID);
	assert_int_equal(clf_label_index(model, "no-such-label"), -1);
	assert_null(clf_label(model, 99));
}

static void test_bad_text(void **state)
{
	(void)state;
	clf_result_t r[3];
	size_t n;
	/* empty: a safe answer (labels by bias) with low confidence */
	assert_int_equal(clf_predict(model, "", 0, r, 3, &n, NULL, 0, NULL), 0);
	assert_int_equal(n, 3);
	assert_true(r[0].confidence < 0.9);
	assert_int_equal(clf_predict(model, NULL, 0, r, 3, &n, NULL, 0, NULL), 0);
	/* binary */
	unsigned char bin[2048];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 131 + 7);
	clf_term_t terms[3];
	size_t nt;
	assert_int_equal(clf_predict(model, (const char *)bin, sizeof(bin), r, 3, &n, terms, 3, &nt), 0);
	/* 4 MiB of text */
	size_t big = 4u << 20;
	char *huge = malloc(big);
	for (size_t i = 0; i < big; i++)
		huge[i] = "jalan rusak "[i % 12];
	assert_int_equal(clf_predict(model, huge, big, r, 3, &n, terms, 3, &nt), 0);
	assert_string_equal(r[0].label, "jalan");
	free(huge);
}

static void test_round_trip(void **state)
{
	(void)state;
	sb_t b = SB_INIT;
	assert_int_equal(clf_serialize(model, &b), 0);
	assert_memory_equal(b.buf, "SIGAPCLF", 8);
	clf_model_t *m2;
	char err[256];
	assert_int_equal(clf_load_mem(b.buf, b.len, &m2, err, sizeof(err)), 0);
	assert_int_equal(clf_nlabels(m2), clf_nlabels(model));
	assert_int_equal(clf_nfeatures(m2), clf_nfeatures(model));
	assert_true(clf_temperature(m2) == clf_temperature(model));
	for (size_t i = 0; i < demo_n; i += 7) {
		clf_result_t a[3], c[3];
		size_t na, nc;
		assert_int_equal(clf_predict(model, demo_texts[i], strlen(demo_texts[i]), a, 3, &na, NULL, 0, NULL), 0);
		assert_int_equal(clf_predict(m2, demo_texts[i], strlen(demo_texts[i]), c, 3, &nc, NULL, 0, NULL), 0);
		for (size_t j = 0; j < 3; j++) {
			assert_string_equal(a[j].label, c[j].label);
			assert_true(a[j].confidence == c[j].confidence);
		}
	}
	/* serialising the loaded model gives the same bytes */
	sb_t b2 = SB_INIT;
	assert_int_equal(clf_serialize(m2, &b2), 0);
	assert_int_equal(b2.len, b.len);
	assert_memory_equal(b2.buf, b.buf, b.len);
	sb_release(&b2);
	clf_free(m2);

	/* through a file */
	char path[] = "/tmp/ai_clf_testXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(clf_save(model, path, err, sizeof(err)), 0);
	assert_int_equal(clf_load(path, &m2, err, sizeof(err)), 0);
	assert_string_equal(top1(m2, "got mampet banjir", NULL), top1(model, "got mampet banjir", NULL));
	clf_free(m2);
	unlink(path);
	assert_int_equal(clf_load(path, &m2, err, sizeof(err)), ERR_IO);
	assert_null(m2);
	assert_non_null(strstr(err, path));
	sb_release(&b);
}

static void test_corruption(void **state)
{
	(void)state;
	sb_t b = SB_INIT;
	assert_int_equal(clf_serialize(model, &b), 0);
	unsigned char *copy = malloc(b.len);
	clf_model_t *m2;
	char err[256];
	/* flipping any single byte is detected; sample positions across the file */
	size_t step = b.len / 97 + 1;
	for (size_t pos = 0; pos < b.len; pos += step) {
		memcpy(copy, b.buf, b.len);
		copy[pos] ^= 0x20;
		err[0] = '\0';
		int r = clf_load_mem(copy, b.len, &m2, err, sizeof(err));
		assert_true(r == ERR_INVALID || r == ERR_UNSUPPORTED);
		assert_null(m2);
		assert_true(strlen(err) > 0);
	}
	/* the last byte (checksum) and a middle byte, with the exact message */
	memcpy(copy, b.buf, b.len);
	copy[b.len / 2] ^= 1;
	assert_int_equal(clf_load_mem(copy, b.len, &m2, err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "model file checksum mismatch (file is corrupted)");
	/* truncated */
	assert_int_equal(clf_load_mem(b.buf, b.len - 1, &m2, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "length"));
	assert_int_equal(clf_load_mem(b.buf, 10, &m2, err, sizeof(err)), ERR_INVALID);
	/* foreign files */
	assert_int_equal(clf_load_mem("hello world, not a model", 24, &m2, err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "not a sigap model file (bad magic)");
	assert_int_equal(clf_load_mem("\x89PNG\r\n\x1a\n", 8, &m2, err, sizeof(err)), ERR_INVALID);
	assert_int_equal(clf_load_mem("", 0, &m2, err, sizeof(err)), ERR_INVALID);
	/* a newer format version is reported as such */
	memcpy(copy, b.buf, b.len);
	copy[8] = 2;
	assert_int_equal(clf_load_mem(copy, b.len, &m2, err, sizeof(err)), ERR_UNSUPPORTED);
	assert_non_null(strstr(err, "version 2"));
	free(copy);
	sb_release(&b);
}

struct thread_arg {
	const char *expect[64];
	double conf[64];
	int ok;
};

static void *predict_many(void *p)
{
	struct thread_arg *a = p;
	a->ok = 1;
	for (int rep = 0; rep < 20; rep++)
		for (size_t i = 0; i < 64; i++) {
			clf_result_t r;
			clf_term_t t[3];
			size_t n, nt;
			const char *text = demo_texts[i * 7 % demo_n];
			if (clf_predict(model, text, strlen(text), &r, 1, &n, t, 3, &nt) != 0 ||
			    strcmp(r.label, a->expect[i]) != 0 || r.confidence != a->conf[i])
				a->ok = 0;
		}
	return NULL;
}

static void test_stability_threads(void **state)
{
	(void)state;
	struct thread_arg args[4];
	for (size_t i = 0; i < 64; i++) {
		double c;
		const char *l = top1(model, demo_texts[i * 7 % demo_n], &c);
		for (int t = 0; t < 4; t++) {
			args[t].expect[i] = l;
			args[t].conf[i] = c;
		}
	}
	pthread_t th[4];
	for (int t = 0; t < 4; t++)
		assert_int_equal(pthread_create(&th[t], NULL, predict_many, &args[t]), 0);
	for (int t = 0; t < 4; t++) {
		pthread_join(th[t], NULL);
		assert_true(args[t].ok);
	}
	/* retraining on the same rows gives the same model bytes */
	clf_model_t *again;
	char err[256];
	assert_int_equal(ai_train_from_rows(demo_labels, demo_texts, demo_n, NULL, &again, err, sizeof(err)), 0);
	sb_t a = SB_INIT, b = SB_INIT;
	assert_int_equal(clf_serialize(model, &a), 0);
	assert_int_equal(clf_serialize(again, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	clf_free(again);
	/* calibrating in a child process gives the same model */
	clf_train_opts_t o;
	clf_train_opts_init(&o);
	o.fork_calibration = 1;
	assert_int_equal(ai_train_from_rows(demo_labels, demo_texts, demo_n, &o, &again, err, sizeof(err)), 0);
	sb_reset(&b);
	assert_int_equal(clf_serialize(again, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	sb_release(&a);
	sb_release(&b);
	clf_free(again);
}

static void test_train_errors(void **state)
{
	(void)state;
	clf_model_t *m = NULL;
	char err[256];
	const char *one[] = {"jalan", "jalan"};
	const char *texts[] = {"jalan rusak", "aspal berlubang"};
	assert_int_equal(ai_train_from_rows(one, texts, 2, NULL, &m, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "two distinct labels"));
	assert_null(m);
	assert_int_equal(ai_train_from_rows(one, texts, 0, NULL, &m, err, sizeof(err)), ERR_INVALID);
	const char *bad[] = {"jalan", "air\tbersih"};
	assert_int_equal(ai_train_from_rows(bad, texts, 2, NULL, &m, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "row 2"));
	const char *empty[] = {"jalan", ""};
	assert_int_equal(ai_train_from_rows(empty, texts, 2, NULL, &m, err, sizeof(err)), ERR_INVALID);
	clf_train_opts_t o;
	clf_train_opts_init(&o);
	o.word_ngrams = 0;
	o.char_max = 0;
	const char *two[] = {"jalan", "air"};
	assert_int_equal(ai_train_from_rows(two, texts, 2, &o, &m, err, sizeof(err)), ERR_INVALID);
	/* two rows, two labels, empty texts: trains (tiny but valid) */
	const char *blank[] = {"", "\xff\xfe"};
	assert_int_equal(ai_train_from_rows(two, blank, 2, NULL, &m, err, sizeof(err)), 0);
	clf_result_t r;
	size_t n;
	assert_int_equal(clf_predict(m, "apa saja", 8, &r, 1, &n, NULL, 0, NULL), 0);
	clf_free(m);
	clf_free(NULL);
}

static void test_registry(void **state)
{
	(void)state;
	char dir[] = "/tmp/ai_reg_testXXXXXX";
	assert_non_null(mkdtemp(dir));
	char err[256];
	sb_t p = SB_INIT;
	sb_addf(&p, "%s/52.71.model", dir);
	assert_int_equal(clf_save(model, p.buf, err, sizeof(err)), 0);
	clf_registry_t *reg;
	assert_int_equal(clf_registry_load_dir(dir, &reg, err, sizeof(err)), 0);
	assert_int_equal(clf_registry_count(reg), 1);
	const clf_model_t *m = clf_registry_get(reg, "52.71");
	assert_non_null(m);
	assert_string_equal(top1(m, "lampu jalan mati", NULL), "pju");
	assert_null(clf_registry_get(reg, "52.72"));
	clf_registry_release(reg);
	/* a corrupt model fails start-up loudly */
	sb_t q = SB_INIT;
	sb_addf(&q, "%s/52.01.model", dir);
	FILE *f = fopen(q.buf, "wb");
	fputs("SIGAPCLF garbage", f);
	fclose(f);
	assert_true(clf_registry_load_dir(dir, &reg, err, sizeof(err)) < 0);
	assert_null(reg);
	assert_non_null(strstr(err, "52.01.model"));
	unlink(q.buf);
	unlink(p.buf);
	rmdir(dir);
	sb_release(&p);
	sb_release(&q);
	assert_int_equal(clf_registry_load_dir("/nonexistent-dir", &reg, err, sizeof(err)), ERR_IO);
	clf_registry_release(NULL);
}

/* A small model that routes street lights to "sampah" and rubbish to "pju",
 * the opposite of the demo model: a retrained file that routes differently. */
static clf_model_t *swapped_model(void)
{
	static const char *labels[] = { "sampah", "sampah", "sampah", "sampah", "pju", "pju", "pju", "pju" };
	static const char *texts[] = { "lampu jalan mati", "lampu penerangan jalan padam", "lampu jalan rusak",
				       "pju mati di gang", "sampah menumpuk", "sampah belum diangkut",
				       "tumpukan sampah di pasar", "tps penuh sampah" };
	clf_model_t *m = NULL;
	char err[256];
	assert_int_equal(ai_train_from_rows(labels, texts, 8, NULL, &m, err, sizeof(err)), 0);
	return m;
}

static void write_file(const char *path, const char *bytes)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(bytes, f);
	assert_int_equal(fclose(f), 0);
}

static const char *path_in(sb_t *b, const char *dir, const char *name)
{
	sb_reset(b);
	sb_addf(b, "%s/%s", dir, name);
	return b->buf;
}

/* What a reload (SIGHUP) does with the directory: unchanged files keep their
 * model, replaced and new files are loaded, a broken file keeps its tenant's
 * old model (or none), a removed file drops the tenant; the registry a
 * request still holds outlives the swap. */
static void test_registry_reload(void **state)
{
	(void)state;
	char dir[] = "/tmp/ai_reload_testXXXXXX", err[256];
	assert_non_null(mkdtemp(dir));
	sb_t p = SB_INIT, changed = SB_INIT, problems = SB_INIT;
	assert_int_equal(clf_save(model, path_in(&p, dir, "52.71.model"), err, sizeof(err)), 0);
	clf_registry_t *r1, *r2, *r3, *r4;
	assert_int_equal(clf_registry_load_dir(dir, &r1, err, sizeof(err)), 0);
	clf_slot_t *slot = clf_slot_new(r1);
	assert_non_null(slot);

	/* a request takes the registry in service */
	clf_registry_t *held = clf_slot_get(slot);
	assert_ptr_equal(held, r1);
	const clf_model_t *a = clf_registry_get(held, "52.71");
	assert_string_equal(top1(a, "lampu jalan mati", NULL), "pju");

	/* nothing changed (log rotation's SIGHUP): the same model, no work */
	assert_int_equal(clf_registry_reload(dir, held, &r2, &changed, &problems, err, sizeof(err)), 0);
	assert_int_equal(changed.len, 0);
	assert_int_equal(problems.len, 0);
	assert_ptr_equal(clf_registry_get(r2, "52.71"), a);
	clf_registry_release(r2);

	/* retrained 52.71, a first model for 52.72 */
	clf_model_t *b = swapped_model();
	assert_int_equal(clf_save(b, path_in(&p, dir, "52.71.model"), err, sizeof(err)), 0);
	assert_int_equal(clf_save(model, path_in(&p, dir, "52.72.model"), err, sizeof(err)), 0);
	clf_free(b);
	write_file(path_in(&p, dir, "52.71.model.tmp.123"), "a half-written temporary file is not a model");
	assert_int_equal(clf_registry_reload(dir, held, &r3, &changed, &problems, err, sizeof(err)), 0);
	assert_string_equal(changed.buf, "52.71 (replaced), 52.72 (added)");
	assert_int_equal(problems.len, 0);
	assert_int_equal(clf_registry_count(r3), 2);
	assert_string_equal(top1(clf_registry_get(r3, "52.71"), "lampu jalan mati", NULL), "sampah");
	assert_string_equal(top1(clf_registry_get(r3, "52.72"), "lampu jalan mati", NULL), "pju");
	clf_slot_set(slot, r3);
	/* the request that started before the swap still predicts with A */
	assert_string_equal(top1(a, "lampu jalan mati", NULL), "pju");
	clf_registry_release(held);
	held = clf_slot_get(slot);
	assert_ptr_equal(held, r3);
	clf_registry_release(held);

	/* a broken file keeps the tenant's model; a broken new file gives none */
	write_file(path_in(&p, dir, "52.71.model"), "SIGAPCLF typo");
	write_file(path_in(&p, dir, "52.01.model"), "not a model");
	sb_reset(&changed);
	assert_int_equal(clf_registry_reload(dir, r3, &r4, &changed, &problems, err, sizeof(err)), 0);
	assert_int_equal(changed.len, 0);
	/* one line a file: its name, the reason, what the tenant is left with */
	static const char *const said[] = { "52.71.model': model file is truncated",
					    "the previous model stays in service", "52.01.model': not a sigap model",
					    "the Pemda has no model", "\n" };
	for (size_t i = 0; i < sizeof(said) / sizeof(*said); i++)
		assert_non_null(strstr(problems.buf, said[i]));
	assert_ptr_equal(clf_registry_get(r4, "52.71"), clf_registry_get(r3, "52.71"));
	assert_null(clf_registry_get(r4, "52.01"));
	clf_slot_set(slot, r4); /* frees r3; its models live on in r4 */
	held = clf_slot_get(slot);
	assert_string_equal(top1(clf_registry_get(held, "52.71"), "lampu jalan mati", NULL), "sampah");

	/* removed files: the tenants lose their models */
	unlink(path_in(&p, dir, "52.71.model"));
	unlink(path_in(&p, dir, "52.72.model"));
	unlink(path_in(&p, dir, "52.01.model"));
	sb_reset(&changed);
	sb_reset(&problems);
	assert_int_equal(clf_registry_reload(dir, held, &r2, &changed, &problems, err, sizeof(err)), 0);
	assert_string_equal(changed.buf, "52.71 (removed), 52.72 (removed)");
	assert_int_equal(problems.len, 0);
	assert_int_equal(clf_registry_count(r2), 0);
	assert_null(clf_registry_get(r2, "52.71"));
	clf_slot_set(slot, r2);
	clf_registry_release(held);

	/* a directory that cannot be read fails the reload: the caller keeps its registry */
	unlink(path_in(&p, dir, "52.71.model.tmp.123"));
	rmdir(dir);
	assert_int_equal(clf_registry_reload(dir, NULL, &r2, &changed, &problems, err, sizeof(err)), ERR_IO);
	assert_null(r2);
	assert_non_null(strstr(err, dir));
	clf_slot_free(slot);
	clf_slot_free(NULL);
	assert_null(clf_slot_get(NULL));
	sb_release(&p);
	sb_release(&changed);
	sb_release(&problems);
}

/* Requests route while the registry is swapped under them (run under ASan,
 * a model freed too early is a use-after-free report). */
struct router_arg {
	clf_slot_t *slot;
	volatile int *stop;
	long done;
	int ok;
};

static void *route_while_swapped(void *p)
{
	struct router_arg *a = p;
	a->ok = 1;
	while (!*a->stop || a->done < 50) {
		clf_registry_t *r = clf_slot_get(a->slot);
		const clf_model_t *m = clf_registry_get(r, "52.71");
		clf_result_t res;
		size_t n = 0;
		if (m && (clf_predict(m, "lampu jalan mati", 16, &res, 1, &n, NULL, 0, NULL) != 0 || n != 1 ||
			  (strcmp(res.label, "pju") && strcmp(res.label, "sampah"))))
			a->ok = 0;
		clf_registry_release(r);
		a->done++;
	}
	return NULL;
}

static void test_registry_swap_threads(void **state)
{
	(void)state;
	char dir[] = "/tmp/ai_swap_testXXXXXX", err[256];
	assert_non_null(mkdtemp(dir));
	sb_t p = SB_INIT;
	clf_model_t *b = swapped_model();
	clf_registry_t *r;
	assert_int_equal(clf_save(model, path_in(&p, dir, "52.71.model"), err, sizeof(err)), 0);
	assert_int_equal(clf_registry_load_dir(dir, &r, err, sizeof(err)), 0);
	clf_slot_t *slot = clf_slot_new(r);
	volatile int stop = 0;
	struct router_arg args[4];
	pthread_t th[4];
	for (int t = 0; t < 4; t++) {
		args[t] = (struct router_arg){ slot, &stop, 0, 0 };
		assert_int_equal(pthread_create(&th[t], NULL, route_while_swapped, &args[t]), 0);
	}
	for (int i = 0; i < 40; i++) {
		/* a new file each time (alternating models), and a removal */
		if (i % 5 == 4)
			unlink(path_in(&p, dir, "52.71.model"));
		else
			assert_int_equal(clf_save(i % 2 ? b : model, path_in(&p, dir, "52.71.model"), err, sizeof(err)), 0);
		clf_registry_t *old = clf_slot_get(slot), *next;
		assert_int_equal(clf_registry_reload(dir, old, &next, NULL, NULL, err, sizeof(err)), 0);
		clf_slot_set(slot, next);
		clf_registry_release(old);
	}
	stop = 1;
	for (int t = 0; t < 4; t++) {
		pthread_join(th[t], NULL);
		assert_true(args[t].ok);
		assert_true(args[t].done >= 50);
	}
	clf_slot_free(slot);
	clf_free(b);
	unlink(path_in(&p, dir, "52.71.model"));
	rmdir(dir);
	sb_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_routing),
		cmocka_unit_test(test_topk_and_explain),
		cmocka_unit_test(test_bad_text),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_stability_threads),
		cmocka_unit_test(test_train_errors),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_registry_reload),
		cmocka_unit_test(test_registry_swap_threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
