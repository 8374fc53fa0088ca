/*
 * config_fuzz.c: libFuzzer target for the settings loaders (core/config.h).
 * The input is written to an in-memory file (memfd, opened by path through
 * /proc/self/fd, so config_load_file() runs unchanged) and loaded over the
 * defaults; then the same bytes, split at newlines, are given to
 * config_load_args() as argv. Checked after every load, whatever the
 * result: the return code is one of the documented ones, an error comes with
 * a message (FILE:LINE for a bad file line), every string setting is
 * NUL-terminated inside its field, every number within its range, every
 * enum one of its choices; config_validate() and config_listen_parts() then
 * run on the result without crashing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/config.h"
#include "core/err.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                  \
	do {                      \
		if (!(x))         \
			abort();  \
	} while (0)

static void check_str(const char *s, size_t size)
{
	CHECK(memchr(s, '\0', size) != NULL);
}

static void check_cfg(const config_t *c)
{
	char err[512], host[256];
	int port;
	check_str(c->db, sizeof(c->db));
	check_str(c->listen, sizeof(c->listen));
	check_str(c->tls_cert, sizeof(c->tls_cert));
	check_str(c->tls_key, sizeof(c->tls_key));
	check_str(c->access_log, sizeof(c->access_log));
	check_str(c->data_dir, sizeof(c->data_dir));
	CHECK(c->threads >= 0 && c->threads <= 256);
	CHECK(c->max_body >= 1024 && c->max_body <= (1L << 30));
	CHECK(c->max_header >= 1024 && c->max_header <= (1L << 20));
	CHECK(c->session_ttl >= 60 && c->session_ttl <= 30L * 86400);
	CHECK(c->login_max_failures >= 1 && c->login_max_failures <= 1000);
	CHECK(c->login_window >= 10 && c->login_window <= 86400);
	CHECK(c->login_lockout >= 1 && c->login_lockout <= 86400);
	CHECK(c->shutdown_grace >= 0 && c->shutdown_grace <= 600);
	CHECK(c->trust_proxy == 0 || c->trust_proxy == 1);
	CHECK(!strcmp(c->log_level, "debug") || !strcmp(c->log_level, "info") || !strcmp(c->log_level, "warn") ||
	      !strcmp(c->log_level, "error"));
	CHECK(!strcmp(c->lang, "id") || !strcmp(c->lang, "en"));
	err[0] = '\0';
	if (config_validate(c, err, sizeof(err)) < 0)
		CHECK(err[0] != '\0');
	if (config_listen_parts(c, host, sizeof(host), &port) == 0)
		CHECK(port >= 0 && port <= 65535 && memchr(host, '\0', sizeof(host)));
}

static void fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	config_t c;
	char err[512];
	int rc;
	if (fd < 0) {
		fd = memfd_create("sigap-config-fuzz", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	config_defaults(&c);
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	rc = config_load_file(&c, path, err, sizeof(err));
	CHECK(rc == 0 || rc == ERR_INVALID);
	if (rc < 0) {
		size_t pl = strlen(path);
		/* "PATH:LINE: ..." */
		CHECK(!strncmp(err, path, pl) && err[pl] == ':' && err[pl + 1] >= '1' && err[pl + 1] <= '9');
	}
	check_cfg(&c);
}

static void fuzz_args(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[66];
	config_t c;
	char err[512];
	int argc = 0, rc;
	if (!buf)
		return;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "sigap";
	for (char *p = buf; p && argc < 64;) {
		char *nl = memchr(p, '\n', strlen(p));
		if (nl)
			*nl = '\0';
		/* --config would read whatever file the input names */
		if (strncmp(p, "--config", 8))
			argv[argc++] = p;
		p = nl ? nl + 1 : NULL;
	}
	argv[argc] = NULL;
	config_defaults(&c);
	err[0] = '\0';
	rc = config_load_args(&c, argc, argv, err, sizeof(err));
	CHECK(rc == ERR_INVALID ? err[0] != '\0' : (rc >= 1 && rc <= argc && argv[rc] == NULL));
	CHECK(rc < 0 || !strcmp(argv[0], "sigap"));
	check_cfg(&c);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	fuzz_file(data, size);
	fuzz_args(data, size);
	return 0;
}
