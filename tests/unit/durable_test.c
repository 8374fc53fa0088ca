/*
 * durable_test.c: core/durable.h. Syncing a file, a directory and the
 * directory holding a name: every form of name (bare, nested, in the root),
 * and the failures a caller must see (a missing file or directory, a
 * directory name too long, a file where a directory is needed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/durable.h"
#include "core/banned.h"

static void test_sync_file_and_parents(void **state)
{
	char dir[] = "/tmp/sigap-durable-XXXXXX", file[200], nested[300];
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/model.bin", dir);
	assert_non_null(f = fopen(file, "w"));
	fputs("x", f);
	fclose(f);
	assert_int_equal(durable_sync_file(file), 0);
	assert_int_equal(durable_sync_dir(dir), 0);
	assert_int_equal(durable_sync_parent(file), 0);
	/* a name without a directory is in the current one; one in the root */
	assert_int_equal(durable_sync_parent("just-a-name"), 0);
	assert_int_equal(durable_sync_parent("/etc"), 0);
	/* failures say why */
	snprintf(nested, sizeof(nested), "%s/missing/x.db", dir);
	errno = 0;
	assert_int_equal(durable_sync_parent(nested), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(durable_sync_file(nested), -1);
	assert_int_equal(errno, ENOENT);
	/* a file is not a directory */
	snprintf(nested, sizeof(nested), "%s/x.db", file);
	errno = 0;
	assert_int_equal(durable_sync_parent(nested), -1);
	assert_int_equal(errno, ENOTDIR);
	unlink(file);
	rmdir(dir);
}

static void test_long_directory_name(void **state)
{
	char *p = malloc(5000);
	(void)state;
	assert_non_null(p);
	memset(p, 'a', 4999);
	p[0] = '/';
	p[4990] = '/';
	p[4999] = '\0';
	errno = 0;
	assert_int_equal(durable_sync_parent(p), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync_file_and_parents),
		cmocka_unit_test(test_long_directory_name),
	};
	return cmocka_run_group_tests_name("durable", tests, NULL, NULL);
}
