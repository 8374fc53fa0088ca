/*
 * tenants_test.c: tests of regions, tenants, OPDs and holidays
 * (tenants/tenants.h). Each case gets a fresh store (testutil.h; SQLite, or
 * PostgreSQL with SIGAP_TEST_PG) with a small region list written by the
 * test (two provinces of Nusa Tenggara Barat's neighbourhood plus Aceh and
 * Papua Tengah for the time zones), so every expectation is visible here.
 * The national holidays come from data/holidays/id_holidays_2023_2027.tsv.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/calendar.h"
#include "core/err.h"
#include "core/sb.h"
#include "tenants/tenants.h"
#include "testutil.h"
#include "core/banned.h"

#define REGIONS_CSV                                  \
	"kode,nama,level\n"                          \
	"11,Aceh,1\n"                                \
	"11.01,Kabupaten Aceh Selatan,2\n"           \
	"51,Bali,1\n"                                \
	"51.71,Kota Denpasar,2\n"                    \
	"52,Nusa Tenggara Barat,1\n"                 \
	"52.01,Kabupaten Lombok Barat,2\n"           \
	"52.71,Kota Mataram,2\n"                     \
	"52.71.01,Ampenan,3\n"                       \
	"52.71.01.1001,Ampenan Selatan,4\n"          \
	"52.71.03,Mataram,3\n"                       \
	"\"94\",\"Papua Tengah\",\"1\"\n"            \
	"94.01,\"Kabupaten Nabire, Papua\",2\n"
#define REGIONS_ROWS 12

static int setup(void **state)
{
	test_store_t *ts = calloc(1, sizeof(*ts));
	char path[512], err[256] = "";
	long rows = -1;
	assert_non_null(ts);
	test_store_open(ts);
	test_write_file(ts->dir, "regions.csv", REGIONS_CSV, path, sizeof(path));
	if (region_import_csv(ts->st, path, NULL, NULL, &rows, err, sizeof(err)) < 0)
		print_error("region_import_csv: %s\n", err);
	assert_int_equal(rows, REGIONS_ROWS);
	*state = ts;
	return 0;
}

static int teardown(void **state)
{
	test_store_t *ts = *state;
	test_store_close(ts);
	free(ts);
	return 0;
}

static store_conn_t *rd(void **state)
{
	test_store_t *ts = *state;
	store_conn_t *c = store_reader(ts->st);
	assert_non_null(c);
	return c;
}

static void assert_contains(const char *s, const char *needle)
{
	if (!strstr(s, needle)) {
		print_error("'%s' does not contain '%s'\n", s, needle);
		fail();
	}
}

static void assert_chain_ok(store_t *st)
{
	audit_report_t rep;
	assert_int_equal(audit_verify(st, NULL, &rep), 0);
	if (!rep.ok)
		print_error("%s %" PRId64 ": %s\n", rep.tenant, rep.seq, rep.message);
	assert_int_equal(rep.ok, 1);
}

/* ---- region codes and import ---- */

static void test_code_level(void **state)
{
	int lv = -1;
	(void)state;
	assert_int_equal(region_code_level("52", &lv), 0);
	assert_int_equal(lv, 1);
	assert_int_equal(region_code_level("52.71", &lv), 0);
	assert_int_equal(lv, 2);
	assert_int_equal(region_code_level("52.71.01", &lv), 0);
	assert_int_equal(lv, 3);
	assert_int_equal(region_code_level("52.71.01.1001", &lv), 0);
	assert_int_equal(lv, 4);
	lv = -1;
	static const char *bad[] = { "", "5", "522", "52.", "52.7", "52.71.", "52.71.01.100", "52.71.01.10011",
				     "52.71.01.1001.1", "52-71", "a2", "52.7a", " 52", "52 " };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (region_code_level(bad[i], &lv) != ERR_INVALID)
			print_error("'%s' accepted\n", bad[i]);
		assert_int_equal(region_code_level(bad[i], &lv), ERR_INVALID);
	}
	assert_int_equal(region_code_level(NULL, &lv), ERR_INVALID);
	assert_int_equal(lv, -1);
}

static void test_import_ok(void **state)
{
	test_store_t *ts = *state;
	store_conn_t *c = rd(state);
	char name[128];
	assert_int_equal(region_count(c, 0), REGIONS_ROWS);
	assert_int_equal(region_count(c, 1), 4);
	assert_int_equal(region_count(c, 2), 5);
	assert_int_equal(region_count(c, 3), 2);
	assert_int_equal(region_count(c, 4), 1);
	assert_int_equal(region_exists(c, "52.71"), 1);
	assert_int_equal(region_exists(c, "52.72"), 0);
	assert_int_equal(region_name(c, "52.71", name, sizeof(name)), 0);
	assert_string_equal(name, "Kota Mataram");
	assert_int_equal(region_name(c, "94.01", name, sizeof(name)), 0);
	assert_string_equal(name, "Kabupaten Nabire, Papua"); /* quoted field with a comma */
	assert_int_equal(region_name(c, "99", name, sizeof(name)), ERR_NOT_FOUND);
	/* audited in the system chain */
	{
		int64_t n = 0;
		assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM audit_log WHERE tenant = '*' AND action = 'region.import'", ""), 0);
		assert_int_equal(n, 1);
	}
	assert_chain_ok(ts->st);
}

static void progress_count(void *ud, long rows)
{
	long *calls = ud;
	(void)rows;
	(*calls)++;
}

/* Imports content as a new file and expects failure; the old list must stay. */
static void import_fails(void **state, const char *name, const char *content, int want_rc, const char *want_msg)
{
	test_store_t *ts = *state;
	char path[512], err[256] = "", rname[128];
	long rows = 77;
	test_write_file(ts->dir, name, content, path, sizeof(path));
	assert_int_equal(region_import_csv(ts->st, path, NULL, NULL, &rows, err, sizeof(err)), want_rc);
	assert_int_equal(rows, 0);
	assert_true(err[0] != '\0');
	if (want_msg)
		assert_contains(err, want_msg);
	/* one transaction: the previous list is intact */
	assert_int_equal(region_count(rd(state), 0), REGIONS_ROWS);
	assert_int_equal(region_name(rd(state), "52.71", rname, sizeof(rname)), 0);
	assert_string_equal(rname, "Kota Mataram");
}

static void test_import_errors(void **state)
{
	test_store_t *ts = *state;
	char path[512], err[256];
	import_fails(state, "level.csv", "kode,nama,level\n52,Nusa Tenggara Barat,1\n52.72,Kota Baru,3\n", ERR_INVALID,
		     "line 3: level '3' does not match code '52.72'");
	import_fails(state, "level2.csv", "kode,nama,level\n52,NTB,satu\n", ERR_INVALID, "line 2: level 'satu'");
	import_fails(state, "parent.csv", "kode,nama,level\n52,Nusa Tenggara Barat,1\n53.01,Kabupaten Kupang,2\n",
		     ERR_INVALID, "no parent");
	import_fails(state, "parent2.csv", "kode,nama,level\n52,Nusa Tenggara Barat,1\n52.71.01,Ampenan,3\n",
		     ERR_INVALID, "no parent");
	import_fails(state, "dup.csv", "kode,nama,level\n52,Nusa Tenggara Barat,1\n52.71,Kota Mataram,2\n52.71,Lagi,2\n",
		     ERR_EXISTS, "line 4: duplicate region code '52.71'");
	import_fails(state, "code.csv", "kode,nama,level\n5.2,X,1\n", ERR_INVALID, "line 2: malformed region code '5.2'");
	import_fails(state, "name.csv", "kode,nama,level\n52,,1\n", ERR_INVALID, "line 2: empty name");
	import_fails(state, "fields.csv", "kode,nama,level\n52,Nusa Tenggara Barat\n", ERR_INVALID, NULL);
	import_fails(state, "empty.csv", "kode,nama,level\n", ERR_INVALID, "holds no regions");
	import_fails(state, "quote.csv", "kode,nama,level\n52,\"NTB,1\n", ERR_INVALID, NULL);
	/* a file that is not there */
	snprintf(path, sizeof(path), "%s/missing.csv", ts->dir);
	err[0] = '\0';
	assert_int_equal(region_import_csv(ts->st, path, NULL, NULL, NULL, err, sizeof(err)), ERR_IO);
	assert_contains(err, "missing.csv");
	assert_int_equal(region_count(rd(state), 0), REGIONS_ROWS);
}

static void test_import_replaces(void **state)
{
	test_store_t *ts = *state;
	char path[512], err[256] = "";
	long rows = 0, calls = 0;
	sb_t sb = SB_INIT;
	/* a larger list (progress every 10,000 rows) replaces the old one completely */
	sb_adds(&sb, "kode,nama,level\n52,Nusa Tenggara Barat,1\n52.71,Kota Mataram,2\n");
	for (int k = 1; k <= 99; k++) {
		sb_addf(&sb, "52.71.%02d,Kecamatan %d,3\n", k, k);
		for (int d = 1001; d <= 1110; d++)
			sb_addf(&sb, "52.71.%02d.%d,Kelurahan %d-%d,4\n", k, d, k, d);
	}
	assert_int_equal(sb.err, 0);
	test_write_file(ts->dir, "big.csv", sb.buf, path, sizeof(path));
	sb_release(&sb);
	assert_int_equal(region_import_csv(ts->st, path, progress_count, &calls, &rows, err, sizeof(err)), 0);
	assert_int_equal(rows, 2 + 99 + 99 * 110);
	assert_int_equal(calls, rows / 10000);
	assert_int_equal(region_count(rd(state), 0), rows);
	assert_int_equal(region_exists(rd(state), "11"), 0);
	assert_int_equal(region_exists(rd(state), "52.71.99.1110"), 1);
}

/* The real list shipped in data/wilayah imports completely, and every
 * provinsi and kabupaten/kota in it can become a tenant with a time zone. */
static void test_import_real_list(void **state)
{
	test_store_t *ts = *state;
	char path[512], err[256] = "";
	long rows = 0, calls = 0;
	tenant_t t;
	test_src_path("data/wilayah/wilayah_kepmendagri_2025.csv", path, sizeof(path));
	if (region_import_csv(ts->st, path, progress_count, &calls, &rows, err, sizeof(err)) < 0)
		print_error("region_import_csv: %s\n", err);
	assert_true(rows > 80000);
	assert_int_equal(calls, rows / 10000);
	assert_int_equal(region_count(rd(state), 1), 38);
	assert_int_equal(region_count(rd(state), 2), 514);
	assert_int_equal(region_count(rd(state), 0), rows);
	assert_int_equal(tenant_add(ts->st, "31", "cli"), 0);
	assert_int_equal(tenant_add(ts->st, "31.71", "cli"), 0);
	assert_int_equal(tenant_get(rd(state), "31.71", &t), 0);
	assert_string_equal(t.head_title, "Wali Kota");
	assert_string_equal(t.tz_name, "WIB");
	assert_int_equal(tenant_add(ts->st, "96", "cli"), 0); /* Papua Barat Daya, 2022 */
	assert_int_equal(tenant_get(rd(state), "96", &t), 0);
	assert_string_equal(t.name, "Provinsi Papua Barat Daya");
	assert_string_equal(t.tz_name, "WIT");
	assert_int_equal(tenant_add(ts->st, "64.07", "cli"), 0);
	assert_int_equal(tenant_get(rd(state), "64.07", &t), 0);
	assert_string_equal(t.head_title, "Bupati");
	assert_string_equal(t.tz_name, "WITA");
}

/* ---- search ---- */

struct hits {
	int n;
	char codes[16][20];
	int levels[16];
	int stop_after;
};

static int collect(void *ud, const char *code, const char *name, int level)
{
	struct hits *h = ud;
	assert_non_null(name);
	if (h->n < 16) {
		snprintf(h->codes[h->n], sizeof(h->codes[0]), "%s", code);
		h->levels[h->n] = level;
	}
	h->n++;
	if (h->stop_after && h->n >= h->stop_after)
		return ERR_CONFLICT;
	return 0;
}

static struct hits search(void **state, const char *q, int level, const char *parent, int limit)
{
	struct hits h;
	int rc;
	memset(&h, 0, sizeof(h));
	rc = region_search(rd(state), q, level, parent, limit, collect, &h);
	if (rc < 0)
		print_error("region_search('%s', %d, %s, %d): %d %s\n", q ? q : "(null)", level,
			    parent ? parent : "NULL", limit, rc, store_errmsg());
	assert_int_equal(rc, 0);
	return h;
}

static void test_search(void **state)
{
	struct hits h;
	/* by name, case-insensitive, provinces/cities before kecamatan */
	h = search(state, "mataram", 0, NULL, 10);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.codes[0], "52.71");
	assert_string_equal(h.codes[1], "52.71.03");
	h = search(state, "MATARAM", 2, NULL, 10);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.codes[0], "52.71");
	assert_int_equal(h.levels[0], 2);
	h = search(state, "kabupaten", 0, NULL, 10);
	assert_int_equal(h.n, 3);
	/* by code prefix, in code order */
	h = search(state, "52.71", 0, NULL, 10);
	assert_int_equal(h.n, 4);
	assert_string_equal(h.codes[0], "52.71");
	assert_string_equal(h.codes[1], "52.71.01");
	assert_string_equal(h.codes[2], "52.71.01.1001");
	assert_string_equal(h.codes[3], "52.71.03");
	h = search(state, "52", 2, NULL, 10);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.codes[0], "52.01");
	assert_string_equal(h.codes[1], "52.71");
	/* by parent */
	h = search(state, "", 0, "52", 10);
	assert_int_equal(h.n, 2);
	h = search(state, "kota", 0, "52", 10);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.codes[0], "52.71");
	h = search(state, "5", 3, "52.71", 10);
	assert_int_equal(h.n, 2);
	h = search(state, "", 1, NULL, 10);
	assert_int_equal(h.n, 4);
	h = search(state, NULL, 1, NULL, 10);
	assert_int_equal(h.n, 4);
	/* limit */
	h = search(state, "", 0, NULL, 3);
	assert_int_equal(h.n, 3);
	h = search(state, "", 0, NULL, 0); /* 0: the default (50) */
	assert_int_equal(h.n, REGIONS_ROWS);
	/* LIKE wildcards in the query are literal */
	h = search(state, "%", 0, NULL, 10);
	assert_int_equal(h.n, 0);
	h = search(state, "_", 0, NULL, 10);
	assert_int_equal(h.n, 0);
	h = search(state, "Kota_Mataram", 0, NULL, 10);
	assert_int_equal(h.n, 0);
	h = search(state, "zzz", 0, NULL, 10);
	assert_int_equal(h.n, 0);
	/* a callback error stops the walk and is returned */
	memset(&h, 0, sizeof(h));
	h.stop_after = 2;
	assert_int_equal(region_search(rd(state), "", 0, NULL, 10, collect, &h), ERR_CONFLICT);
	assert_int_equal(h.n, 2);
}

/* In a code query too, '%' and '_' are literal characters, not wildcards. */
static void test_search_code_wildcards(void **state)
{
	struct hits h;
	h = search(state, "5%", 0, NULL, 10);
	if (h.n)
		print_error("code query '5%%' matched %d regions\n", h.n);
	assert_int_equal(h.n, 0);
	h = search(state, "52.7_", 0, NULL, 10);
	if (h.n)
		print_error("code query '52.7_' matched %d regions\n", h.n);
	assert_int_equal(h.n, 0);
}

/* ---- tenants ---- */

static void test_tenant_add(void **state)
{
	test_store_t *ts = *state;
	tenant_t t;
	assert_int_equal(tenant_add(ts->st, "52.71", "cli"), 0);
	assert_int_equal(tenant_get(rd(state), "52.71", &t), 0);
	assert_string_equal(t.code, "52.71");
	assert_string_equal(t.name, "Kota Mataram");
	assert_int_equal(t.level, 2);
	assert_string_equal(t.head_title, "Wali Kota");
	assert_int_equal(t.tz_offset, 8 * 3600);
	assert_string_equal(t.tz_name, "WITA");

	assert_int_equal(tenant_add(ts->st, "52", "cli"), 0);
	assert_int_equal(tenant_get(rd(state), "52", &t), 0);
	assert_string_equal(t.name, "Provinsi Nusa Tenggara Barat");
	assert_int_equal(t.level, 1);
	assert_string_equal(t.head_title, "Gubernur");
	assert_string_equal(t.tz_name, "WITA");

	assert_int_equal(tenant_add(ts->st, "52.01", "cli"), 0);
	assert_int_equal(tenant_get(rd(state), "52.01", &t), 0);
	assert_string_equal(t.name, "Kabupaten Lombok Barat");
	assert_string_equal(t.head_title, "Bupati");
	assert_int_equal(t.level, 2);

	assert_int_equal(tenant_add(ts->st, "11.01", "cli"), 0);
	assert_int_equal(tenant_get(rd(state), "11.01", &t), 0);
	assert_string_equal(t.tz_name, "WIB");
	assert_int_equal(t.tz_offset, 7 * 3600);
	assert_string_equal(t.head_title, "Bupati");

	assert_int_equal(tenant_add(ts->st, "94", "cli"), 0);
	assert_int_equal(tenant_get(rd(state), "94", &t), 0);
	assert_string_equal(t.name, "Provinsi Papua Tengah");
	assert_string_equal(t.tz_name, "WIT");
	assert_int_equal(t.tz_offset, 9 * 3600);

	/* audited in the tenant's own chain */
	{
		int64_t n = 0;
		assert_int_equal(store_query_int64(rd(state), &n, "SELECT COUNT(*) FROM audit_log WHERE tenant = '52.71' AND action = 'tenant.add'", ""), 0);
		assert_int_equal(n, 1);
	}
	assert_chain_ok(ts->st);
}

static void test_tenant_add_errors(void **state)
{
	test_store_t *ts = *state;
	tenant_t t;
	assert_int_equal(tenant_add(ts->st, "52.99", "cli"), ERR_NOT_FOUND);
	assert_int_equal(tenant_add(ts->st, "53", "cli"), ERR_NOT_FOUND);
	assert_int_equal(tenant_add(ts->st, "52.71.01", "cli"), ERR_INVALID);
	assert_contains(store_errmsg(), "kecamatan");
	assert_int_equal(tenant_add(ts->st, "52.71.01.1001", "cli"), ERR_INVALID);
	assert_int_equal(tenant_add(ts->st, "Mataram", "cli"), ERR_INVALID);
	assert_int_equal(tenant_add(ts->st, "", "cli"), ERR_INVALID);
	assert_int_equal(tenant_add(ts->st, "52.71", "cli"), 0);
	assert_int_equal(tenant_add(ts->st, "52.71", "cli"), ERR_EXISTS);
	assert_int_equal(tenant_get(rd(state), "52.01", &t), ERR_NOT_FOUND);
	assert_int_equal(tenant_get(rd(state), "52.71.01", &t), ERR_NOT_FOUND);
}

static int list_tenant(void *ud, const tenant_t *t)
{
	struct hits *h = ud;
	if (h->n < 16)
		snprintf(h->codes[h->n], sizeof(h->codes[0]), "%s", t->code);
	h->n++;
	return 0;
}

static void test_tenant_list(void **state)
{
	test_store_t *ts = *state;
	struct hits h;
	memset(&h, 0, sizeof(h));
	assert_int_equal(tenant_list(rd(state), list_tenant, &h), 0);
	assert_int_equal(h.n, 0);
	assert_int_equal(tenant_add(ts->st, "52.71", "cli"), 0);
	assert_int_equal(tenant_add(ts->st, "51.71", "cli"), 0);
	assert_int_equal(tenant_add(ts->st, "52", "cli"), 0);
	assert_int_equal(tenant_list(rd(state), list_tenant, &h), 0);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.codes[0], "51.71");
	assert_string_equal(h.codes[1], "52");
	assert_string_equal(h.codes[2], "52.71");
}

/* ---- units ---- */

struct unit_hits {
	int n;
	char codes[8][32];
	char kinds[8][32];
};

static int list_unit(void *ud, const char *code, const char *name, const char *kind)
{
	struct unit_hits *u = ud;
	(void)name;
	if (u->n < 8) {
		snprintf(u->codes[u->n], sizeof(u->codes[0]), "%s", code);
		snprintf(u->kinds[u->n], sizeof(u->kinds[0]), "%s", kind);
	}
	u->n++;
	return 0;
}

/* The admin page's rules of an OPD's code and name, which unit_add() (the
 * CLI) applies too: it took "a", "1DINAS", "DLH/2" and "Dinas X" as codes,
 * all of which the page refuses. */
static void test_unit_rules(void **state)
{
	test_store_t *ts = *state;
	static const char *const bad_codes[] = { "a", "A", "1DINAS", "DLH/2", "DINAS X", "-DLH", "AAAAAAAAAAAAAAAAAAAAAAAAA",
						 "DIN\xc3\x89S", "", NULL };
	static const char *const good_codes[] = { "DL", "DLH", "DINAS_2", "BPBD-NTB", "AAAAAAAAAAAAAAAAAAAAAAAA", NULL };
	const char *code_msgid = unit_code_check("a"), *name_msgid = unit_name_check("");
	char norm[32], name[260];
	int64_t n = -1;
	assert_non_null(code_msgid);
	assert_non_null(strstr(code_msgid, "kode OPD harus 2-24 karakter"));
	assert_non_null(name_msgid);
	assert_non_null(strstr(name_msgid, "nama OPD wajib diisi"));
	for (int i = 0; bad_codes[i]; i++)
		assert_ptr_equal(unit_code_check(bad_codes[i]), code_msgid);
	for (int i = 0; good_codes[i]; i++)
		assert_null(unit_code_check(good_codes[i]));
	/* typed in lower case and with spaces around it: stored in capitals */
	unit_code_normalise("  dinas_kominfo \t", norm, sizeof(norm));
	assert_string_equal(norm, "DINAS_KOMINFO");
	unit_code_normalise(NULL, norm, sizeof(norm));
	assert_string_equal(norm, "");
	memset(name, 'n', 200);
	name[200] = '\0';
	assert_null(unit_name_check(name));
	name[200] = 'n';
	name[201] = '\0';
	assert_ptr_equal(unit_name_check(name), name_msgid);
	assert_ptr_equal(unit_name_check("Dua\nbaris"), name_msgid);
	assert_ptr_equal(unit_name_check("Tab\tdi dalam"), name_msgid);
	assert_null(unit_name_check("Dinas Pariwisata \xc3\x89"));

	/* unit_add: the same rules, the page's msgid as its message, nothing stored */
	assert_int_equal(tenant_add(ts->st, "52.71", "cli"), 0);
	for (int i = 0; bad_codes[i]; i++) {
		assert_int_equal(unit_add(ts->st, "52.71", bad_codes[i], "Dinas Uji", NULL, "cli"), ERR_INVALID);
		assert_string_equal(store_errmsg(), code_msgid);
	}
	assert_int_equal(unit_add(ts->st, "52.71", "DLH", "   ", NULL, "cli"), ERR_INVALID);
	assert_string_equal(store_errmsg(), name_msgid);
	assert_int_equal(unit_add(ts->st, "52.71", "DLH", "Dua\nbaris", NULL, "cli"), ERR_INVALID);
	assert_string_equal(store_errmsg(), name_msgid);
	assert_int_equal(unit_add(ts->st, "52.71", "DLH", name, NULL, "cli"), ERR_INVALID);
	assert_int_equal(store_query_int64(rd(state), &n, "SELECT COUNT(*) FROM units", ""), 0);
	assert_int_equal(n, 0);
	/* what the page would store: the code in capitals, the name trimmed */
	assert_int_equal(unit_add(ts->st, "52.71", " dlh ", "  Dinas Lingkungan Hidup ", NULL, "cli"), 0);
	assert_int_equal(unit_exists(rd(state), "52.71", "DLH"), 1);
	assert_int_equal(store_query_text(rd(state), name, sizeof(name), "SELECT name FROM units WHERE code = 'DLH'", ""), 0);
	assert_string_equal(name, "Dinas Lingkungan Hidup");
	assert_int_equal(unit_add(ts->st, "52.71", "Dlh", "Lagi", NULL, "cli"), ERR_EXISTS);
	assert_chain_ok(ts->st);
}

static void test_units(void **state)
{
	test_store_t *ts = *state;
	struct unit_hits u;
	memset(&u, 0, sizeof(u));
	assert_int_equal(tenant_add(ts->st, "52.71", "cli"), 0);
	assert_int_equal(tenant_add(ts->st, "52.01", "cli"), 0);
	assert_int_equal(unit_add(ts->st, "52.71", "DISDUK", "Dinas Kependudukan dan Pencatatan Sipil", NULL, "admin"), 0);
	assert_int_equal(unit_add(ts->st, "52.71", "BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "badan", "admin"), 0);
	assert_int_equal(unit_exists(rd(state), "52.71", "DISDUK"), 1);
	assert_int_equal(unit_exists(rd(state), "52.01", "DISDUK"), 0);
	assert_int_equal(unit_exists(rd(state), "52.71", "DISHUB"), 0);
	/* the same code in another tenant is another OPD */
	assert_int_equal(unit_add(ts->st, "52.01", "DISDUK", "Dinas Dukcapil Lombok Barat", NULL, "admin"), 0);
	assert_int_equal(unit_add(ts->st, "52.71", "DISDUK", "Lagi", NULL, "admin"), ERR_EXISTS);
	assert_int_equal(unit_add(ts->st, "52.71", "", "Tanpa Kode", NULL, "admin"), ERR_INVALID);
	assert_int_equal(unit_add(ts->st, "52.71", NULL, "Tanpa Kode", NULL, "admin"), ERR_INVALID);
	assert_int_equal(unit_add(ts->st, "52.71", "X", "", NULL, "admin"), ERR_INVALID);
	assert_int_equal(unit_add(ts->st, "52.71", "KODE-YANG-TERLALU-PANJANG", "X", NULL, "admin"), ERR_INVALID);
	/* a kind of the admin page's list, nothing else (the CLI took any) */
	assert_int_equal(unit_add(ts->st, "52.71", "DINAS2", "Dinas Dua", "dinass", "cli"), ERR_INVALID);
	assert_non_null(strstr(store_errmsg(), "unknown OPD kind 'dinass' (one of: dinas, badan, sekretariat,"));
	assert_int_equal(unit_add(ts->st, "52.71", "DINAS2", "Dinas Dua", "", "cli"), ERR_INVALID);
	assert_int_equal(unit_exists(rd(state), "52.71", "DINAS2"), 0);
	assert_true(unit_kind_known("kelurahan") && unit_kind_known("lainnya") && !unit_kind_known("Dinas"));
	/* an OPD needs an existing tenant */
	assert_true(unit_add(ts->st, "99.99", "DISDUK", "Dinas", NULL, "admin") < 0);
	assert_int_equal(unit_exists(rd(state), "99.99", "DISDUK"), 0);
	/* listed by name, kind defaults to dinas */
	assert_int_equal(unit_list(rd(state), "52.71", list_unit, &u), 0);
	assert_int_equal(u.n, 2);
	assert_string_equal(u.codes[0], "BAPPEDA");
	assert_string_equal(u.kinds[0], "badan");
	assert_string_equal(u.codes[1], "DISDUK");
	assert_string_equal(u.kinds[1], "dinas");
	assert_chain_ok(ts->st);
}

/* ---- holidays and calendars ---- */

static void import_holidays(void **state)
{
	test_store_t *ts = *state;
	char path[512], err[256] = "";
	long rows = 0;
	test_src_path("data/holidays/id_holidays_2023_2027.tsv", path, sizeof(path));
	if (holidays_import(ts->st, path, &rows, err, sizeof(err)) < 0)
		print_error("holidays_import: %s\n", err);
	/* 127 lines, two of them on 2027-12-25 (merged into one day) */
	assert_int_equal(rows, 126);
}

static void test_holidays_import(void **state)
{
	test_store_t *ts = *state;
	calendar_t *cal = NULL;
	cal_holiday_t hd;
	char path[512], err[256] = "";
	long rows = 0;
	int64_t n = 0;
	import_holidays(state);
	assert_int_equal(store_query_int64(rd(state), &n, "SELECT COUNT(*) FROM holidays WHERE tenant = '*'", ""), 0);
	assert_int_equal(n, 126);
	/* importing again replaces, never duplicates */
	import_holidays(state);
	assert_int_equal(store_query_int64(rd(state), &n, "SELECT COUNT(*) FROM holidays WHERE tenant = '*'", ""), 0);
	assert_int_equal(n, 126);

	assert_int_equal(tenant_add(ts->st, "52.71", "cli"), 0);
	assert_int_equal(tenant_calendar(rd(state), "52.71", &cal), 0);
	assert_int_equal(calendar_count(cal), 126);
	assert_int_equal(calendar_find(cal, cal_days_from_civil(2025, 8, 17), &hd), 0);
	assert_int_equal(hd.type, CAL_LIBUR_NASIONAL);
	assert_string_equal(hd.name, "Hari Kemerdekaan Republik Indonesia");
	assert_int_equal(calendar_find(cal, cal_days_from_civil(2023, 1, 23), &hd), 0);
	assert_int_equal(hd.type, CAL_CUTI_BERSAMA);
	/* New Year's Day 2026 is a Thursday, and a holiday */
	assert_false(calendar_is_working_day(cal, cal_days_from_civil(2026, 1, 1)));
	calendar_free(cal);

	/* a broken file changes nothing */
	test_write_file(ts->dir, "bad.tsv", "date\ttype\tname_id\tname_en\tstatus\n2025-01-01\tlibur\tX\tX\tconfirmed\n",
			path, sizeof(path));
	assert_int_equal(holidays_import(ts->st, path, &rows, err, sizeof(err)), ERR_INVALID);
	assert_contains(err, "line 2");
	test_write_file(ts->dir, "empty.tsv", "date\ttype\tname_id\tname_en\tstatus\n", path, sizeof(path));
	assert_int_equal(holidays_import(ts->st, path, &rows, err, sizeof(err)), ERR_INVALID);
	snprintf(path, sizeof(path), "%s/missing.tsv", ts->dir);
	assert_int_equal(holidays_import(ts->st, path, &rows, err, sizeof(err)), ERR_IO);
	assert_int_equal(store_query_int64(rd(state), &n, "SELECT COUNT(*) FROM holidays WHERE tenant = '*'", ""), 0);
	assert_int_equal(n, 126);
	assert_chain_ok(ts->st);
}

static void test_local_holidays(void **state)
{
	test_store_t *ts = *state;
	calendar_t *mataram = NULL, *lobar = NULL, *denpasar = NULL, *ntb = NULL, *again = NULL;
	cal_holiday_t hd;
	const int32_t hut_kota_wd = cal_days_from_civil(2025, 8, 29); /* Friday */
	const int32_t hut_prov = cal_days_from_civil(2025, 8, 14);    /* Thursday */
	import_holidays(state);
	assert_int_equal(tenant_add(ts->st, "52", "cli"), 0);
	assert_int_equal(tenant_add(ts->st, "52.71", "cli"), 0);
	assert_int_equal(tenant_add(ts->st, "52.01", "cli"), 0);
	assert_int_equal(tenant_add(ts->st, "51.71", "cli"), 0);

	assert_int_equal(holiday_add_local(ts->st, "52.71", hut_kota_wd, "HUT Kota Mataram", "admin"), 0);
	assert_int_equal(holiday_add_local(ts->st, "52.71", hut_kota_wd, "HUT lagi", "admin"), ERR_EXISTS);
	assert_int_equal(holiday_add_local(ts->st, "52", hut_prov, "HUT Provinsi NTB", "admin"), 0);
	assert_int_equal(holiday_add_local(ts->st, "52.71", hut_prov + 1, "", "admin"), ERR_INVALID);
	assert_int_equal(holiday_add_local(ts->st, "52.71", hut_prov + 1, NULL, "admin"), ERR_INVALID);
	assert_int_equal(holiday_add_local(ts->st, "52.71", CAL_DAY_MAX + 1, "X", "admin"), ERR_INVALID);
	/* the admin page's rules (tenants.h), for the CLI too: not on a
	 * national day or, for a city, its province's; 2000 to 2100; one line */
	{
		char name[CAL_NAME_MAX + 1] = "x";
		int64_t n = -1;
		assert_int_equal(holiday_add_local(ts->st, "52.71", cal_days_from_civil(2025, 12, 25), "Natal lagi", "cli"),
				 ERR_EXISTS);
		assert_non_null(strstr(store_errmsg(), "is already a holiday: Hari Raya Natal"));
		assert_int_equal(holiday_add_local(ts->st, "52.71", hut_prov, "HUT NTB di kota", "cli"), ERR_EXISTS);
		assert_non_null(strstr(store_errmsg(), "is already a holiday: HUT Provinsi NTB"));
		assert_int_equal(holiday_add_local(ts->st, "52", cal_days_from_civil(2025, 12, 25), "Natal", "cli"),
				 ERR_EXISTS);
		assert_int_equal(holiday_add_local(ts->st, "52.71", cal_days_from_civil(1999, 9, 1), "Lama", "cli"),
				 ERR_INVALID);
		assert_int_equal(holiday_add_local(ts->st, "52.71", cal_days_from_civil(2025, 9, 1), "Dua\nbaris", "cli"),
				 ERR_INVALID);
		/* removed: the tenant's own day only, audited with its name */
		assert_int_equal(holiday_add_local(ts->st, "52.71", cal_days_from_civil(2025, 9, 1), "Hari hapus", "cli"), 0);
		assert_int_equal(holiday_remove_local(ts->st, "52.71", cal_days_from_civil(2025, 9, 1), "cli", name), 0);
		assert_string_equal(name, "Hari hapus");
		assert_int_equal(store_query_int64(rd(state), &n, "SELECT COUNT(*) FROM audit_log WHERE tenant = '52.71' AND "
								 "action = 'holiday.remove' AND object = '2025-09-01' AND "
								 "summary = 'Hari hapus' AND actor = 'cli'", ""), 0);
		assert_int_equal(n, 1);
		assert_int_equal(holiday_remove_local(ts->st, "52.71", cal_days_from_civil(2025, 9, 1), "cli", name),
				 ERR_NOT_FOUND);
		assert_string_equal(name, "");
		assert_int_equal(holiday_remove_local(ts->st, "52.71", cal_days_from_civil(2025, 12, 25), "cli", name),
				 ERR_NOT_FOUND);
		assert_non_null(strstr(store_errmsg(), "is a national holiday"));
		assert_int_equal(holiday_remove_local(ts->st, "52.71", hut_prov, "cli", name), ERR_NOT_FOUND);
		assert_non_null(strstr(store_errmsg(), "of the province '52'"));
		assert_int_equal(holiday_remove_local(ts->st, "99.99", hut_prov, "cli", name), ERR_NOT_FOUND);
	}

	/* the city: national + its own + its province's */
	assert_int_equal(tenant_calendar(rd(state), "52.71", &mataram), 0);
	assert_int_equal(calendar_count(mataram), 128);
	assert_int_equal(calendar_find(mataram, hut_kota_wd, &hd), 0);
	assert_int_equal(hd.type, CAL_LIBUR_DAERAH);
	assert_string_equal(hd.name, "HUT Kota Mataram");
	assert_false(calendar_is_working_day(mataram, hut_kota_wd));
	assert_int_equal(calendar_find(mataram, hut_prov, &hd), 0);
	assert_string_equal(hd.name, "HUT Provinsi NTB");
	assert_false(calendar_is_working_day(mataram, hut_prov));

	/* a neighbouring kabupaten of the same province: the province's day only */
	assert_int_equal(tenant_calendar(rd(state), "52.01", &lobar), 0);
	assert_int_equal(calendar_count(lobar), 127);
	assert_int_equal(calendar_find(lobar, hut_kota_wd, &hd), ERR_NOT_FOUND);
	assert_true(calendar_is_working_day(lobar, hut_kota_wd));
	assert_int_equal(calendar_find(lobar, hut_prov, &hd), 0);

	/* the province itself: not its cities' days */
	assert_int_equal(tenant_calendar(rd(state), "52", &ntb), 0);
	assert_int_equal(calendar_count(ntb), 127);
	assert_int_equal(calendar_find(ntb, hut_kota_wd, &hd), ERR_NOT_FOUND);
	assert_int_equal(calendar_find(ntb, hut_prov, &hd), 0);

	/* another province: national days only */
	assert_int_equal(tenant_calendar(rd(state), "51.71", &denpasar), 0);
	assert_int_equal(calendar_count(denpasar), 126);
	assert_true(calendar_is_working_day(denpasar, hut_kota_wd));
	assert_true(calendar_is_working_day(denpasar, hut_prov));

	/* each calendar is the caller's own: changing one leaks into no other */
	assert_int_equal(calendar_add_holiday(mataram, hut_prov + 1, CAL_LIBUR_DAERAH, "Cuti lokal"), 0);
	assert_int_equal(tenant_calendar(rd(state), "52.71", &again), 0);
	assert_int_equal(calendar_count(again), 128);
	assert_int_equal(calendar_find(again, hut_prov + 1, &hd), ERR_NOT_FOUND);
	assert_int_equal(calendar_find(lobar, hut_prov + 1, &hd), ERR_NOT_FOUND);

	/* working days from Wed 2025-08-13 to Fri 2025-08-29: Mataram loses HUT
	 * NTB (Thu 14th) and HUT Kota Mataram (Fri 29th), Denpasar neither */
	{
		int32_t start = cal_days_from_civil(2025, 8, 13);
		assert_int_equal(calendar_working_days_between(again, start, cal_days_from_civil(2025, 8, 29)),
				 calendar_working_days_between(denpasar, start, cal_days_from_civil(2025, 8, 29)) - 2);
	}

	calendar_free(mataram);
	calendar_free(lobar);
	calendar_free(ntb);
	calendar_free(denpasar);
	calendar_free(again);
	assert_chain_ok(ts->st);
}

static void test_local_holiday_unknown_tenant(void **state)
{
	test_store_t *ts = *state;
	int rc;
	assert_int_equal(tenant_add(ts->st, "52.71", "cli"), 0);
	/* a local day for a tenant that does not exist, or for the national
	 * calendar, is a mistake that must be refused */
	rc = holiday_add_local(ts->st, "99.99", cal_days_from_civil(2025, 9, 1), "Hari X", "admin");
	if (rc == 0)
		print_error("holiday_add_local accepted unknown tenant '99.99'\n");
	assert_true(rc < 0);
	rc = holiday_add_local(ts->st, "*", cal_days_from_civil(2025, 9, 2), "Hari Y", "admin");
	if (rc == 0)
		print_error("holiday_add_local accepted tenant '*' (the national calendar)\n");
	assert_true(rc < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_level),
		cmocka_unit_test_setup_teardown(test_import_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_real_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_code_wildcards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_add_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_units, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unit_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holidays_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_holidays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_holiday_unknown_tenant, setup, teardown),
	};
	return cmocka_run_group_tests_name("tenants", tests, NULL, NULL);
}
