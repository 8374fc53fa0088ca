/*
 * ai_cli_test.c: the `sigap model` command contract (src/ai/ai_cli.h):
 * exit codes, clear failures on empty/malformed TSV and corrupted models,
 * the eval JSON keys, and one predict line per input line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ai/ai_cli.h"
#include "core/sb.h"

static char dir[] = "/tmp/ai_cli_testXXXXXX";
static char out_path[256];

static const char *path(const char *name)
{
	static char buf[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void write_file(const char *name, const char *content, size_t len)
{
	FILE *f = fopen(path(name), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	fclose(f);
}

/* Runs `model ARGS...` with stdout captured into *ret_out (caller frees). */
static int run(char **ret_out, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	va_start(ap, ret_out);
	argv[argc++] = "model";
	const char *a;
	while ((a = va_arg(ap, const char *)) != NULL && argc < 31)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	int saved = dup(1);
	int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	int rc = ai_cli_model(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	FILE *f = fopen(out_path, "rb");
	sb_t b = SB_INIT;
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_add(&b, chunk, got);
	fclose(f);
	if (ret_out)
		*ret_out = b.alloc ? sb_detach(&b, NULL) : strdup("");
	else
		sb_release(&b);
	return rc;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(out_path, sizeof(out_path), "%s/stdout", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	const char *names[] = {"stdout", "empty.tsv", "header.tsv", "bad.tsv", "nohdr.tsv", "m.model",
			       "bad.model", "in.txt", "unknown.tsv", "one.tsv"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(path(names[i]));
	rmdir(dir);
	return 0;
}

static void test_usage(void **state)
{
	(void)state;
	assert_int_equal(run(NULL, NULL), 2);
	assert_int_equal(run(NULL, "frobnicate", NULL), 2);
	assert_int_equal(run(NULL, "train", "--input", NULL), 2);
	assert_int_equal(run(NULL, "train", "--input", "x.tsv", NULL), 2);
	assert_int_equal(run(NULL, "eval", "--model", "m", NULL), 2);
	assert_int_equal(run(NULL, "train", "--bogus", NULL), 2);
	assert_int_equal(run(NULL, "predict", "--model", "m", "--terms", "abc", NULL), 2);
	/* --tenant without a registered row source fails clearly */
	assert_int_equal(run(NULL, "train", "--tenant", "52.71", "--output", path("m.model"), NULL), 1);
}

static void test_bad_tsv(void **state)
{
	(void)state;
	write_file("empty.tsv", "", 0);
	assert_int_equal(run(NULL, "train", "--input", path("empty.tsv"), "--output", path("m.model"), NULL), 1);
	write_file("header.tsv", "label\ttext\n", 11);
	assert_int_equal(run(NULL, "train", "--input", path("header.tsv"), "--output", path("m.model"), NULL), 1);
	write_file("bad.tsv", "label\ttext\njalan\tjalan rusak\nno tab here\n", 41);
	assert_int_equal(run(NULL, "train", "--input", path("bad.tsv"), "--output", path("m.model"), NULL), 1);
	write_file("nohdr.tsv", "jalan\tjalan rusak\nair\tair mati\n", 31);
	assert_int_equal(run(NULL, "train", "--input", path("nohdr.tsv"), "--output", path("m.model"), NULL), 1);
	write_file("one.tsv", "label\ttext\njalan\tjalan rusak\njalan\taspal\n", 41);
	assert_int_equal(run(NULL, "train", "--input", path("one.tsv"), "--output", path("m.model"), NULL), 1);
	assert_int_equal(run(NULL, "train", "--input", path("missing.tsv"), "--output", path("m.model"), NULL), 1);
	assert_int_equal(access(path("m.model"), F_OK), -1);
}

static void test_train_eval_predict(void **state)
{
	(void)state;
	const char *root = getenv("SIGAP_SRC");
	sb_t demo = SB_INIT;
	sb_addf(&demo, "%s/data/demo/complaints_52.71.tsv", root ? root : ".");
	assert_int_equal(run(NULL, "train", "--input", demo.buf, "--output", path("m.model"), NULL), 0);

	char *out;
	assert_int_equal(run(&out, "eval", "--model", path("m.model"), "--input", demo.buf, NULL), 0);
	const char *keys[] = {"{\"n\":", "\"accuracy\":", "\"top3\":", "\"macro_f1\":",
			      "\"precision_at_80\":", "\"docs_per_sec\":"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_non_null(strstr(out, keys[i]));
	double acc = strtod(strstr(out, "\"accuracy\":") + 11, NULL);
	assert_true(acc > 0.9); /* training-set accuracy */
	assert_int_equal(out[strlen(out) - 1], '\n');
	free(out);

	/* labels the model does not know are errors in the metrics, not a failure */
	write_file("unknown.tsv", "label\ttext\nxyz\tjalan rusak\njalan\tjalan berlubang\n", 49);
	assert_int_equal(run(&out, "eval", "--model", path("m.model"), "--input", path("unknown.tsv"), NULL), 0);
	assert_non_null(strstr(out, "\"accuracy\":0.5000"));
	free(out);

	assert_int_equal(run(&out, "inspect", "--model", path("m.model"), NULL), 0);
	assert_non_null(strstr(out, "labels\t16\n"));
	free(out);

	/* predict: one line per input line, even for empty or binary lines */
	const char in[] = "lampu jalan mati\n\n\x01\x02\xff binary\nAir PDAM mati\r\n";
	write_file("in.txt", in, sizeof(in) - 1);
	assert_non_null(freopen(path("in.txt"), "rb", stdin));
	assert_int_equal(run(&out, "predict", "--model", path("m.model"), NULL), 0);
	size_t lines = 0;
	for (char *p = out; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 4);
	assert_true(strncmp(out, "pju\t", 4) == 0);
	char *last = strstr(out, "\nair\t");
	assert_non_null(last);
	assert_non_null(strstr(last, "pdam"));
	free(out);

	/* a corrupted model is refused */
	FILE *f = fopen(path("m.model"), "rb");
	sb_t b = SB_INIT;
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_add(&b, chunk, got);
	fclose(f);
	b.buf[b.len / 3] ^= 0x10;
	write_file("bad.model", b.buf, b.len);
	sb_release(&b);
	assert_int_equal(run(NULL, "eval", "--model", path("bad.model"), "--input", demo.buf, NULL), 1);
	assert_int_equal(run(NULL, "predict", "--model", path("demo.tsv"), NULL), 1);
	sb_release(&demo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_bad_tsv),
		cmocka_unit_test(test_train_eval_predict),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
