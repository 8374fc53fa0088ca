/*
 * invite_test.c: the CSV reading of the officials' import (auth/invite.h),
 * without a database: what spreadsheets write (BOM, ';' or ',', quotes with
 * "" and line breaks inside, CRLF, blank lines, capitals), and every kind of
 * bad row named by its line and column while the good ones are kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/invite.h"
#include "core/err.h"
#include "core/banned.h"

static int parse(const char *csv, user_import_t *imp)
{
	memset(imp, 0, sizeof(*imp));
	snprintf(imp->tenant, sizeof(imp->tenant), "52.71");
	return user_import_parse(csv, strlen(csv), imp);
}

static void spreadsheet_files(void **state)
{
	user_import_t imp;
	/* Excel, Indonesian locale: BOM, ';', CRLF, a name holding ';' and a
	 * quote, a blank line, capitals; columns in another order */
	const char *csv = "\xEF\xBB\xBF"
			  "Peran;Username;Nama;OPD;HP\r\n"
			  "Petugas;Budi.DLH;\"Budi \"\"Bud\"\" Santoso; S.T.\";dlh;+62 812-3456-7890\r\n"
			  "\r\n"
			  "sekda;sari;Sari Wulandari;;\r\n";
	assert_int_equal(parse(csv, &imp), 0);
	assert_int_equal(imp.n, 2);
	assert_string_equal(imp.rows[0].username, "budi.dlh");
	assert_string_equal(imp.rows[0].full_name, "Budi \"Bud\" Santoso; S.T.");
	assert_string_equal(imp.rows[0].role, "petugas");
	assert_string_equal(imp.rows[0].unit, "DLH");
	assert_string_equal(imp.rows[0].phone, "+6281234567890");
	assert_int_equal(imp.rows[0].line, 2);
	assert_string_equal(imp.rows[1].username, "sari");
	assert_string_equal(imp.rows[1].unit, "");
	assert_int_equal(imp.rows[1].line, 4);
	user_import_free(&imp);

	/* commas, LF, no final line break, a line break inside quotes: the
	 * next row's line number counts it */
	csv = "username,nama,peran\n"
	      "ani,\"Ani\nLestari\",warga\n"
	      "x,Nama,warga";
	assert_int_equal(parse(csv, &imp), ERR_INVALID);
	assert_int_equal(imp.n, 2);
	/* a name with a line break is not clean one-line text */
	assert_int_equal(imp.errs[0].line, 2);
	assert_string_equal(imp.errs[0].column, "nama");
	assert_int_equal(imp.errs[1].line, 4);
	assert_string_equal(imp.errs[1].column, "username");
	user_import_free(&imp);
}

static void bad_rows_named(void **state)
{
	user_import_t imp;
	const char *csv = "username,nama,peran,opd,email,hp\n"
			  "baik,Orang Baik,warga,,,\n"
			  "baik,Orang Kedua,warga,,,\n"
			  "tiga,Tanpa OPD,kepala_opd,,,\n"
			  "empat,Warga OPD,warga,DLH,,\n"
			  "lima,Surel,warga,,bukan,\n"
			  "enam,Telepon,warga,,,12345\n"
			  "tujuh,Kolom Lebih,warga,,,,lebih\n";
	assert_int_equal(parse(csv, &imp), ERR_INVALID);
	assert_int_equal(imp.n, 7);
	assert_int_equal(imp.nerr, 6);
	const struct {
		int line;
		const char *column;
	} want[] = { { 3, "username" }, { 4, "opd" }, { 5, "opd" }, { 6, "email" }, { 7, "hp" }, { 8, "" } };
	for (int i = 0; i < 6; i++) {
		assert_int_equal(imp.errs[i].line, want[i].line);
		assert_string_equal(imp.errs[i].column, want[i].column);
		assert_non_null(imp.errs[i].msgid);
	}
	assert_string_equal(imp.errs[3].value, "bukan");
	user_import_free(&imp);
}

/* A phone by sigap's one rule (auth_phone_check, as "Akun saya" and the
 * complaint form): an Indonesian number, its line and column named when
 * not; the import took any 9 to 15 digits */
static void phones_by_the_one_rule(void **state)
{
	user_import_t imp;
	const char *csv = "username;nama;peran;hp\n"
			  "satu;Satu Orang;warga;0812 3456 7890\n"    /* 2: mobile */
			  "dua;Dua Orang;warga;62 877-654-3210\n"     /* 3: 62 for the 0 */
			  "tiga;Tiga Orang;warga;(0370) 123456\n"     /* 4: a landline */
			  "empat;Empat Orang;warga;12345678901\n"     /* 5: 11 digits, no 0 */
			  "lima;Lima Orang;warga;+1 202 555 0100\n"   /* 6: not Indonesia */
			  "enam;Enam Orang;warga;0812 3456 789012\n"  /* 7: 15 digits */
			  "tujuh;Tujuh Orang;warga;0812-ABC-7890\n"   /* 8: letters */
			  "delapan;Delapan Orang;warga;+62 0812 3456\n"; /* 9: +62 then 0 */
	static const struct {
		int line;
		const char *value, *msgid;
	} want[] = {
		{ 5, "12345678901", "nomor HP tidak sah: awali dengan 08 atau +62, 10 sampai 13 angka" },
		{ 6, "+1 202 555 0100", "nomor HP tidak sah: awali dengan 08 atau +62, 10 sampai 13 angka" },
		{ 7, "0812 3456 789012", "nomor HP tidak sah: awali dengan 08 atau +62, 10 sampai 13 angka" },
		{ 8, "0812-ABC-7890", "nomor HP hanya berisi angka (boleh dengan spasi atau tanda -), misalnya 081234567890" },
		{ 9, "+62 0812 3456", "nomor HP tidak sah: awali dengan 08 atau +62, 10 sampai 13 angka" },
	};
	(void)state;
	assert_int_equal(parse(csv, &imp), ERR_INVALID);
	assert_int_equal(imp.n, 8);
	assert_int_equal(imp.nerr, 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(imp.errs[i].line, want[i].line);
		assert_string_equal(imp.errs[i].column, "hp");
		assert_string_equal(imp.errs[i].value, want[i].value);
		assert_string_equal(imp.errs[i].msgid, want[i].msgid);
	}
	/* the good ones in the one stored form */
	assert_string_equal(imp.rows[0].phone, "081234567890");
	assert_string_equal(imp.rows[1].phone, "+628776543210");
	assert_string_equal(imp.rows[2].phone, "0370123456");
	user_import_free(&imp);
}

static void whole_file_refused(void **state)
{
	user_import_t imp;
	static const char *const bad[] = {
		"",                                   /* empty */
		"username,nama,peran\n",              /* titles only */
		"username,nama\nabc,Abc\n",           /* a required column missing */
		"username,nama,peran,jabatan\n",      /* an unknown column */
		"username,nama,peran,role\n",         /* peran twice */
		"username,nama,peran\nabc,\"Abc,warga\n", /* a quote never closed */
		"username,nama,peran\nabc,Jos\xe9,warga\n", /* Latin-1, not UTF-8 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &imp), ERR_INVALID);
		assert_true(imp.nerr >= 1);
		user_import_free(&imp);
	}
	/* a NUL byte in the middle */
	memset(&imp, 0, sizeof(imp));
	assert_int_equal(user_import_parse("username,nama,peran\na\0b,X,warga\n", 32, &imp), ERR_INVALID);
	user_import_free(&imp);
	/* 1,001 users: over the limit */
	{
		size_t cap = 64 + 1001 * 32, n;
		char *big = malloc(cap);
		assert_non_null(big);
		n = (size_t)snprintf(big, cap, "username,nama,peran\n");
		for (int i = 0; i < 1001; i++)
			n += (size_t)snprintf(big + n, cap - n, "user%04d,Nama Orang,warga\n", i);
		assert_int_equal(parse(big, &imp), ERR_INVALID);
		assert_int_equal(imp.n, 1000);
		assert_int_equal(imp.errs[0].line, 1002);
		user_import_free(&imp);
		free(big);
	}
	/* more than IMPORT_MAX_ERRORS: counted */
	{
		char big[8192];
		size_t n = (size_t)snprintf(big, sizeof(big), "username,nama,peran\n");
		for (int i = 0; i < 60; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n, "u%02d,Nama Orang,raja\n", i);
		assert_int_equal(parse(big, &imp), ERR_INVALID);
		assert_int_equal(imp.nerr, IMPORT_MAX_ERRORS);
		assert_int_equal(imp.more_errors, 10);
		user_import_free(&imp);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spreadsheet_files),
		cmocka_unit_test(bad_rows_named),
		cmocka_unit_test(phones_by_the_one_rule),
		cmocka_unit_test(whole_file_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
