/*
 * config_test.c: tests of the settings table (core/config.h): the defaults,
 * each value type's validation and message text, the file format (comments,
 * quotes, bad lines reported as FILE:LINE), SIGAP_* environment variables,
 * command-line flags in both forms with unknown flags left in argv, the
 * precedence file < env < args, and config_validate().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/sb.h"
#include "core/err.h"
#include "testutil.h"
#include "core/banned.h"

static char tmpdir[256];

static int group_setup(void **state)
{
	(void)state;
	test_mkdtemp(tmpdir, sizeof(tmpdir));
	/* the tests set these themselves */
	unsetenv("SIGAP_MAX_BODY");
	unsetenv("SIGAP_THREADS");
	unsetenv("SIGAP_LOG_LEVEL");
	unsetenv("SIGAP_DB");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_rm_tree(tmpdir);
	return 0;
}

/* Fails the test unless err contains needle. */
static void assert_contains(const char *err, const char *needle)
{
	if (!strstr(err, needle)) {
		print_error("message '%s' does not contain '%s'\n", err, needle);
		fail();
	}
}

static void test_defaults(void **state)
{
	config_t c;
	char err[256] = "";
	(void)state;
	memset(&c, 0x5a, sizeof(c));
	config_defaults(&c);
	assert_string_equal(c.db, "var/sigap.db");
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_int_equal(c.threads, 0);
	assert_string_equal(c.tls_cert, "");
	assert_string_equal(c.tls_key, "");
	assert_int_equal(c.max_body, 10485760);
	assert_int_equal(c.max_header, 16384);
	assert_string_equal(c.access_log, "-");
	assert_string_equal(c.log_level, "info");
	assert_int_equal(c.session_ttl, 28800);
	assert_int_equal(c.login_max_failures, 5);
	assert_int_equal(c.login_window, 900);
	assert_int_equal(c.login_lockout, 900);
	assert_string_equal(c.data_dir, "var/files");
	assert_string_equal(c.lang, "id");
	assert_int_equal(c.trust_proxy, 0);
	assert_int_equal(c.shutdown_grace, 10);
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
}

static void test_set_int(void **state)
{
	config_t c;
	char err[256] = "";
	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "threads", "999", err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "threads must be between 0 and 256, got '999'");
	assert_int_equal(c.threads, 0); /* unchanged */
	assert_int_equal(config_set(&c, "threads", "-1", err, sizeof(err)), ERR_INVALID);
	assert_contains(err, "threads");
	assert_contains(err, "between 0 and 256");
	assert_int_equal(config_set(&c, "threads", "abc", err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "threads must be a whole number, got 'abc'");
	assert_int_equal(config_set(&c, "threads", "4x", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "threads", "", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "threads", "99999999999999999999999", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(c.threads, 0);
	assert_int_equal(config_set(&c, "threads", "256", err, sizeof(err)), 0);
	assert_int_equal(c.threads, 256);
	assert_int_equal(config_set(&c, "threads", "1", err, sizeof(err)), 0);
	assert_int_equal(c.threads, 1);
	/* 0 = one per core, allowed although below the minimum */
	assert_int_equal(config_set(&c, "threads", "0", err, sizeof(err)), 0);
	assert_int_equal(c.threads, 0);
	/* 0 is special only for threads */
	assert_int_equal(config_set(&c, "login-max-failures", "0", err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "login-max-failures must be between 1 and 1000, got '0'");
	assert_int_equal(c.login_max_failures, 5);

	/* long values */
	assert_int_equal(config_set(&c, "max-body", "1023", err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "max-body must be between 1024 and 1073741824, got '1023'");
	assert_int_equal(config_set(&c, "max-body", "1073741825", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(c.max_body, 10485760);
	assert_int_equal(config_set(&c, "max-body", "1024", err, sizeof(err)), 0);
	assert_int_equal(c.max_body, 1024);
	assert_int_equal(config_set(&c, "session-ttl", "2592000", err, sizeof(err)), 0);
	assert_int_equal(c.session_ttl, 2592000);
	assert_int_equal(config_set(&c, "shutdown-grace", "0", err, sizeof(err)), 0);
	assert_int_equal(c.shutdown_grace, 0);
}

static void test_set_bool_enum_str(void **state)
{
	config_t c;
	char err[256] = "", big[1100];
	static const char *yes[] = { "1", "true", "yes", "on" }, *no[] = { "0", "false", "no", "off" };
	(void)state;
	config_defaults(&c);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(config_set(&c, "trust-proxy", yes[i], err, sizeof(err)), 0);
		assert_int_equal(c.trust_proxy, 1);
		assert_int_equal(config_set(&c, "trust-proxy", no[i], err, sizeof(err)), 0);
		assert_int_equal(c.trust_proxy, 0);
	}
	assert_int_equal(config_set(&c, "trust-proxy", "maybe", err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "trust-proxy must be true or false, got 'maybe'");

	assert_int_equal(config_set(&c, "log-level", "debug", err, sizeof(err)), 0);
	assert_string_equal(c.log_level, "debug");
	assert_int_equal(config_set(&c, "log-level", "verbose", err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "log-level must be one of debug|info|warn|error, got 'verbose'");
	assert_string_equal(c.log_level, "debug");
	/* a prefix or an extension of a choice is not a choice */
	assert_int_equal(config_set(&c, "log-level", "warning", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "log-level", "err", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "log-level", "", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "lang", "en", err, sizeof(err)), 0);
	assert_string_equal(c.lang, "en");
	assert_int_equal(config_set(&c, "lang", "fr", err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "lang must be one of id|en, got 'fr'");

	assert_int_equal(config_set(&c, "db", "/srv/sigap.db", err, sizeof(err)), 0);
	assert_string_equal(c.db, "/srv/sigap.db");
	assert_int_equal(config_set(&c, "access-log", "", err, sizeof(err)), 0);
	assert_string_equal(c.access_log, "");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(config_set(&c, "db", big, err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "db is too long (at most 1023 characters)");
	assert_string_equal(c.db, "/srv/sigap.db");
	big[1023] = '\0'; /* exactly the limit fits */
	assert_int_equal(config_set(&c, "db", big, err, sizeof(err)), 0);
	assert_int_equal(strlen(c.db), 1023);

	/* names: dashes, or underscores in any case (file and env forms) */
	assert_int_equal(config_set(&c, "max_body", "2048", err, sizeof(err)), 0);
	assert_int_equal(c.max_body, 2048);
	assert_int_equal(config_set(&c, "MAX_BODY", "4096", err, sizeof(err)), 0);
	assert_int_equal(c.max_body, 4096);
	assert_int_equal(config_set(&c, "nope", "1", err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "unknown setting 'nope' (see 'sigap help')");
	assert_int_equal(config_set(&c, "max", "1", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "", "1", err, sizeof(err)), ERR_INVALID);

	/* a small err buffer truncates, never overflows */
	{
		char tiny[8];
		assert_int_equal(config_set(&c, "threads", "999", tiny, sizeof(tiny)), ERR_INVALID);
		assert_string_equal(tiny, "threads");
	}
}

static void test_file(void **state)
{
	config_t c;
	char err[512] = "", path[512];
	(void)state;
	config_defaults(&c);
	test_write_file(tmpdir, "ok.conf",
			"# sigap settings\n"
			"\n"
			"   # indented comment\n"
			"db = \"/srv/data/sigap.db\"\n"
			"listen='0.0.0.0:9000'\n"
			"  threads=4  \n"
			"max_body = 2048\r\n"
			"\t log-level\t=\twarn\n"
			"access-log = \"\"\n"
			"data-dir = \"a b\"\n"
			"tls-cert = \"\n"
			"trust-proxy = yes",
			path, sizeof(path));
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), 0);
	assert_string_equal(c.db, "/srv/data/sigap.db");
	assert_string_equal(c.listen, "0.0.0.0:9000");
	assert_int_equal(c.threads, 4);
	assert_int_equal(c.max_body, 2048);
	assert_string_equal(c.log_level, "warn");
	assert_string_equal(c.access_log, "");
	assert_string_equal(c.data_dir, "a b");
	assert_string_equal(c.tls_cert, "\""); /* a lone quote is not a quoted value */
	assert_int_equal(c.trust_proxy, 1);
	/* untouched settings keep their values */
	assert_int_equal(c.max_header, 16384);
	assert_string_equal(c.lang, "id");
}

static void test_file_errors(void **state)
{
	config_t c;
	char err[512] = "", path[512], want[600];
	(void)state;

	config_defaults(&c);
	test_write_file(tmpdir, "noeq.conf", "# ok\nthreads = 2\nthis line is wrong\nthreads = 3\n", path,
			sizeof(path));
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), ERR_INVALID);
	snprintf(want, sizeof(want), "%s:3: expected 'name = value'", path);
	assert_string_equal(err, want);
	assert_int_equal(c.threads, 2); /* applied up to the bad line */

	config_defaults(&c);
	test_write_file(tmpdir, "range.conf", "\n\n# x\n\nthreads = 999\n", path, sizeof(path));
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), ERR_INVALID);
	snprintf(want, sizeof(want), "%s:5: threads must be between 0 and 256, got '999'", path);
	assert_string_equal(err, want);

	config_defaults(&c);
	test_write_file(tmpdir, "unknown.conf", "colour = blue\n", path, sizeof(path));
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), ERR_INVALID);
	snprintf(want, sizeof(want), "%s:1: unknown setting 'colour' (see 'sigap help')", path);
	assert_string_equal(err, want);

	config_defaults(&c);
	test_write_file(tmpdir, "nokey.conf", "threads = 2\n = 5\n", path, sizeof(path));
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), ERR_INVALID);
	snprintf(want, sizeof(want), "%s:2: ", path);
	assert_contains(err, want);

	config_defaults(&c);
	test_write_file(tmpdir, "badenum.conf", "lang = \"de\"\n", path, sizeof(path));
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), ERR_INVALID);
	snprintf(want, sizeof(want), "%s:1: lang must be one of id|en, got 'de'", path);
	assert_string_equal(err, want);

	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), ERR_IO);
	snprintf(want, sizeof(want), "cannot read config file '%s'", path);
	assert_contains(err, want);
}

/* A comment longer than the line buffer must not turn into a bogus setting
 * (and later lines must still count correctly). */
static void test_file_long_comment(void **state)
{
	config_t c;
	char err[512] = "", path[512];
	sb_t sb = SB_INIT;
	(void)state;
	config_defaults(&c);
	sb_adds(&sb, "# ");
	for (int i = 0; i < 3000; i++)
		sb_addch(&sb, 'x');
	sb_adds(&sb, "\nthreads = 7\n");
	test_write_file(tmpdir, "long.conf", sb.buf, path, sizeof(path));
	sb_release(&sb);
	if (config_load_file(&c, path, err, sizeof(err)) != 0)
		print_error("long comment line rejected: %s\n", err);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.threads, 7);
}

static void test_env(void **state)
{
	config_t c;
	char err[512] = "";
	(void)state;
	config_defaults(&c);
	assert_int_equal(config_load_env(&c, err, sizeof(err)), 0);
	assert_int_equal(c.max_body, 10485760);

	setenv("SIGAP_MAX_BODY", "4096", 1);
	setenv("SIGAP_LOG_LEVEL", "error", 1);
	assert_int_equal(config_load_env(&c, err, sizeof(err)), 0);
	assert_int_equal(c.max_body, 4096);
	assert_string_equal(c.log_level, "error");

	setenv("SIGAP_MAX_BODY", "12", 1);
	assert_int_equal(config_load_env(&c, err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "SIGAP_MAX_BODY: max-body must be between 1024 and 1073741824, got '12'");
	assert_int_equal(c.max_body, 4096);
	unsetenv("SIGAP_MAX_BODY");
	unsetenv("SIGAP_LOG_LEVEL");
}

static void test_args(void **state)
{
	config_t c;
	char err[512] = "";
	char *argv[] = { "sigap", "serve", "--threads", "8", "--max-body=4096", "--unknown", "x",
			 "--lang=en", "--", "file.txt", "--trust-proxy", "--db", "/tmp/a b.db",
			 "--trust_proxy", NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1, n;
	(void)state;
	config_defaults(&c);
	n = config_load_args(&c, argc, argv, err, sizeof(err));
	assert_int_equal(n, 6);
	assert_string_equal(argv[0], "sigap");
	assert_string_equal(argv[1], "serve");
	assert_string_equal(argv[2], "--unknown");
	assert_string_equal(argv[3], "x");
	assert_string_equal(argv[4], "--");
	assert_string_equal(argv[5], "file.txt");
	assert_null(argv[6]);
	assert_int_equal(c.threads, 8);
	assert_int_equal(c.max_body, 4096);
	assert_string_equal(c.lang, "en");
	assert_int_equal(c.trust_proxy, 1); /* a bool flag needs no value */
	assert_string_equal(c.db, "/tmp/a b.db");

	/* nothing to consume */
	{
		char *a2[] = { "sigap", NULL };
		assert_int_equal(config_load_args(&c, 1, a2, err, sizeof(err)), 1);
		assert_string_equal(a2[0], "sigap");
	}
	/* errors */
	{
		char *a3[] = { "sigap", "--threads", NULL };
		assert_int_equal(config_load_args(&c, 2, a3, err, sizeof(err)), ERR_INVALID);
		assert_string_equal(err, "--threads needs a value");
	}
	{
		char *a4[] = { "sigap", "--threads=999", NULL };
		assert_int_equal(config_load_args(&c, 2, a4, err, sizeof(err)), ERR_INVALID);
		assert_string_equal(err, "--threads must be between 0 and 256, got '999'");
	}
	{
		char *a5[] = { "sigap", "--log-level", "loud", NULL };
		assert_int_equal(config_load_args(&c, 3, a5, err, sizeof(err)), ERR_INVALID);
		assert_contains(err, "log-level must be one of");
	}
	{
		char *a6[] = { "sigap", "--trust-proxy=perhaps", NULL };
		assert_int_equal(config_load_args(&c, 2, a6, err, sizeof(err)), ERR_INVALID);
		assert_contains(err, "trust-proxy must be true or false");
	}
}

static void test_args_config_file(void **state)
{
	config_t c;
	char err[512] = "", path[512], flag[600];
	(void)state;
	config_defaults(&c);
	test_write_file(tmpdir, "args.conf", "threads = 3\nlang = en\n", path, sizeof(path));
	{
		/* --config FILE applies at its position: a later flag wins, an earlier one loses */
		char *argv[] = { "sigap", "--threads", "9", "--config", path, "--lang", "id", NULL };
		assert_int_equal(config_load_args(&c, 7, argv, err, sizeof(err)), 1);
		assert_int_equal(c.threads, 3);
		assert_string_equal(c.lang, "id");
	}
	snprintf(flag, sizeof(flag), "--config=%s/missing.conf", tmpdir);
	{
		char *argv[] = { "sigap", flag, NULL };
		assert_int_equal(config_load_args(&c, 2, argv, err, sizeof(err)), ERR_INVALID);
		assert_contains(err, "missing.conf");
	}
	test_write_file(tmpdir, "bad-args.conf", "threads = 0\nthreads = lots\n", path, sizeof(path));
	{
		char *argv[] = { "sigap", "--config", path, NULL };
		char want[600];
		assert_int_equal(config_load_args(&c, 3, argv, err, sizeof(err)), ERR_INVALID);
		snprintf(want, sizeof(want), "%s:2: threads must be a whole number, got 'lots'", path);
		assert_string_equal(err, want);
	}
}

/* main()'s order: the files of --config before the environment, whatever
 * their position; the arguments without them are left for the flags. */
static void test_arg_files(void **state)
{
	config_t c;
	char err[512] = "", path[512], flag[600];
	(void)state;
	config_defaults(&c);
	test_write_file(tmpdir, "argfiles.conf", "threads = 3\nlang = en\n", path, sizeof(path));
	snprintf(flag, sizeof(flag), "--config=%s", path);
	{
		char *argv[] = { "serve", "--threads", "9", "--config", path, "--lang", "id", flag, NULL };
		assert_int_equal(config_load_arg_files(&c, 8, argv, err, sizeof(err)), 5);
		assert_int_equal(c.threads, 3);
		assert_string_equal(c.lang, "en");
		assert_string_equal(argv[0], "serve");
		assert_string_equal(argv[1], "--threads");
		assert_string_equal(argv[2], "9");
		assert_string_equal(argv[3], "--lang");
		assert_string_equal(argv[4], "id");
		assert_null(argv[5]);
		/* then the flags, which win */
		assert_int_equal(config_load_args(&c, 5, argv, err, sizeof(err)), 1);
		assert_int_equal(c.threads, 9);
		assert_string_equal(c.lang, "id");
	}
	{
		char *argv[] = { "check", "--config", NULL };
		assert_int_equal(config_load_arg_files(&c, 2, argv, err, sizeof(err)), ERR_INVALID);
		assert_contains(err, "--config needs a value");
	}
	snprintf(flag, sizeof(flag), "--config=%s/missing.conf", tmpdir);
	{
		char *argv[] = { "check", flag, NULL };
		assert_int_equal(config_load_arg_files(&c, 2, argv, err, sizeof(err)), ERR_INVALID);
		assert_contains(err, "missing.conf");
	}
}

static void test_precedence(void **state)
{
	config_t c;
	char err[512] = "", path[512];
	char *argv[] = { "sigap", "--max-body", "8192", NULL };
	(void)state;
	test_write_file(tmpdir, "prec.conf", "max-body = 2048\nthreads = 2\nlog-level = warn\n", path,
			sizeof(path));
	setenv("SIGAP_MAX_BODY", "4096", 1);
	setenv("SIGAP_THREADS", "6", 1);

	/* file only */
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.max_body, 2048);
	/* file < env */
	assert_int_equal(config_load_env(&c, err, sizeof(err)), 0);
	assert_int_equal(c.max_body, 4096);
	assert_int_equal(c.threads, 6);
	assert_string_equal(c.log_level, "warn"); /* not in the environment: the file's value */
	/* env < args */
	assert_int_equal(config_load_args(&c, 3, argv, err, sizeof(err)), 1);
	assert_int_equal(c.max_body, 8192);
	assert_int_equal(c.threads, 6);
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
	unsetenv("SIGAP_MAX_BODY");
	unsetenv("SIGAP_THREADS");
}

static void test_validate(void **state)
{
	config_t c;
	char err[512] = "", cert[512], key[512], host[64];
	int port = -1;
	(void)state;

	config_defaults(&c);
	snprintf(c.tls_cert, sizeof(c.tls_cert), "/etc/ssl/sigap.pem");
	assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "tls-cert and tls-key must be given together");
	config_defaults(&c);
	snprintf(c.tls_key, sizeof(c.tls_key), "/etc/ssl/sigap.key");
	assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "tls-cert and tls-key must be given together");

	/* both given: they must be readable */
	config_defaults(&c);
	snprintf(c.tls_cert, sizeof(c.tls_cert), "%s/nope.pem", tmpdir);
	snprintf(c.tls_key, sizeof(c.tls_key), "%s/nope.key", tmpdir);
	assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
	assert_contains(err, "cannot read tls-cert");
	test_write_file(tmpdir, "cert.pem", "-----BEGIN CERTIFICATE-----\n", cert, sizeof(cert));
	snprintf(c.tls_cert, sizeof(c.tls_cert), "%s", cert);
	assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
	assert_contains(err, "cannot read tls-key");
	test_write_file(tmpdir, "cert.key", "-----BEGIN PRIVATE KEY-----\n", key, sizeof(key));
	snprintf(c.tls_key, sizeof(c.tls_key), "%s", key);
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);

	/* listen */
	static const char *bad[] = { "8080", "localhost", "host:", "host:port", "host:65536", "host:-1",
				     "host:80x", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[600];
		config_defaults(&c);
		snprintf(c.listen, sizeof(c.listen), "%s", bad[i]);
		assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
		snprintf(want, sizeof(want), "listen must be HOST:PORT with a port from 0 to 65535, got '%s'", bad[i]);
		assert_string_equal(err, want);
	}
	config_defaults(&c);
	snprintf(c.listen, sizeof(c.listen), "[::1]:8443");
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
	assert_int_equal(config_listen_parts(&c, host, sizeof(host), &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 8443);
	snprintf(c.listen, sizeof(c.listen), "0.0.0.0:65535");
	assert_int_equal(config_listen_parts(&c, host, sizeof(host), &port), 0);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 65535);
	/* host too long for the caller's buffer */
	snprintf(c.listen, sizeof(c.listen), "averyveryverylonghostname.example:80");
	assert_int_equal(config_listen_parts(&c, host, 8, &port), ERR_INVALID);

	/* db */
	config_defaults(&c);
	c.db[0] = '\0';
	assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
	assert_contains(err, "db is empty");
}

/* metrics-token: off by default; at least 16 printable characters without
 * spaces; the messages never show it */
static void test_metrics_token(void **state)
{
	config_t c;
	char err[512] = "";
	char *argv[] = { "--metrics-token", "s3cret-but-short", NULL };
	(void)state;
	config_defaults(&c);
	assert_string_equal(c.metrics_token, "");
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "metrics-token", "short-secret", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "metrics-token must be at least 16 characters long, got 12");
	assert_null(strstr(err, "short-secret"));
	assert_int_equal(config_set(&c, "metrics-token", "sixteen chars ok", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "metrics-token may hold only printable ASCII characters without spaces "
				 "(character 8 is not)");
	assert_int_equal(config_set(&c, "metrics_token", "0123456789abcdef", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
	/* the flag and the environment, like every setting */
	config_defaults(&c);
	assert_int_equal(config_load_args(&c, 2, argv, err, sizeof(err)), 0);
	assert_string_equal(c.metrics_token, "s3cret-but-short");
	config_defaults(&c);
	setenv("SIGAP_METRICS_TOKEN", "from-the-environment", 1);
	assert_int_equal(config_load_env(&c, err, sizeof(err)), 0);
	unsetenv("SIGAP_METRICS_TOKEN");
	assert_string_equal(c.metrics_token, "from-the-environment");
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
}

static void test_help(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	(void)state;
	assert_non_null(f);
	config_print_help(f);
	fclose(f);
	assert_non_null(strstr(buf, "--max-body"));
	assert_non_null(strstr(buf, "SIGAP_MAX_BODY"));
	assert_non_null(strstr(buf, "default '10485760'"));
	assert_non_null(strstr(buf, "SIGAP_LOGIN_MAX_FAILURES"));
	free(buf);
}

/* A password in a db or smtp-url value never reaches a log line or a
 * message: the user information's and a password= parameter's. */
static void test_redact_url(void **state)
{
	static const char *const cases[][2] = {
		{ "smtp://mailer:S3cret@mail.example:587", "smtp://mailer:***@mail.example:587" },
		{ "smtps://mail.example:465", "smtps://mail.example:465" },
		{ "smtp://user@mail.example", "smtp://user@mail.example" },
		{ "postgresql://sigap:p%40ss:w@db:5432/sigap?sslmode=require", "postgresql://sigap:***@db:5432/sigap?sslmode=require" },
		{ "postgresql://db/sigap?sslmode=require&password=hunter2&user=x", "postgresql://db/sigap?sslmode=require&password=***&user=x" },
		{ "postgresql://db/sigap?password=hunter2", "postgresql://db/sigap?password=***" },
		{ "postgresql://u:@db/x", "postgresql://u:***@db/x" },
		{ "/var/lib/sigap/sigap.db", "/var/lib/sigap/sigap.db" },
		{ "var/a@b:c.db", "var/a@b:c.db" },
		{ "", "" },
	};
	char out[200], small[12];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config_redact_url(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	config_redact_url("smtp://u:secretsecret@h", small, sizeof(small));
	assert_string_equal(small, "smtp://u:**");
	config_redact_url(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

/* Each settings file read is listed with the first secret it set, for the
 * CLI's warning about files others may read; values are never kept there. */
static void test_files_listed_with_their_secret(void **state)
{
	config_t c;
	char err[512] = "", plain[512], pw[512], url[512], query[512], blank[512];
	(void)state;
	test_write_file(tmpdir, "plain.conf", "threads = 2\ndb = postgresql://sigap@db/sigap\n", plain,
			sizeof(plain));
	test_write_file(tmpdir, "pw.conf", "mail-from = a@b.go.id\nsmtp_password = Rahasia-1\nmetrics-token = x\n", pw,
			sizeof(pw));
	test_write_file(tmpdir, "url.conf", "smtp-url = smtp://sigap:Rahasia-2@mail.example:587\n", url, sizeof(url));
	test_write_file(tmpdir, "query.conf", "db = \"postgresql://db/sigap?user=s&password=Rahasia-3\"\n", query,
			sizeof(query));
	test_write_file(tmpdir, "blank.conf", "smtp-password = \"\"\nmetrics-token =\n", blank,
			sizeof(blank));
	config_defaults(&c);
	assert_int_equal(c.nfiles, 0);
	assert_int_equal(config_load_file(&c, plain, err, sizeof(err)), 0);
	assert_int_equal(config_load_file(&c, pw, err, sizeof(err)), 0);
	assert_int_equal(config_load_file(&c, url, err, sizeof(err)), 0);
	assert_int_equal(config_load_file(&c, query, err, sizeof(err)), 0);
	assert_int_equal(config_load_file(&c, blank, err, sizeof(err)), 0);
	assert_int_equal(c.nfiles, 5);
	assert_string_equal(c.files[0].path, plain);
	assert_string_equal(c.files[0].secret, ""); /* a URL without a password */
	assert_string_equal(c.files[1].path, pw);
	assert_string_equal(c.files[1].secret, "smtp-password"); /* the first, by its table name */
	assert_string_equal(c.files[2].secret, "smtp-url");
	assert_string_equal(c.files[3].secret, "db");
	assert_string_equal(c.files[4].secret, ""); /* empty values: nothing to hide */
	/* a file that fails half-way is still listed (it was read), and the
	 * list stops at eight without failing the load */
	for (int i = 0; i < 5; i++)
		assert_int_equal(config_load_file(&c, plain, err, sizeof(err)), 0);
	assert_int_equal(c.nfiles, 8);
	/* config_load_arg_files goes through the same loader */
	{
		char *argv[] = { "check", "--config", url, NULL };
		config_defaults(&c);
		assert_int_equal(config_load_arg_files(&c, 3, argv, err, sizeof(err)), 1);
		assert_int_equal(c.nfiles, 1);
		assert_string_equal(c.files[0].secret, "smtp-url");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_set_int),
		cmocka_unit_test(test_set_bool_enum_str),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_file_long_comment),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_args_config_file),
		cmocka_unit_test(test_arg_files), cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_metrics_token),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_redact_url),
		cmocka_unit_test(test_files_listed_with_their_secret),
	};
	return cmocka_run_group_tests_name("config", tests, group_setup, group_teardown);
}
