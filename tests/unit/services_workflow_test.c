/*
 * services_workflow_test.c: unit tests of the pure parts of the services
 * module: the application state machine (every action in every state), the
 * SLA due day in working days across weekends and holidays, the pause and
 * resume of the SLA clock, the near-due/overdue flags, NIK masking, the
 * line formats of form fields and workflow steps, the text checks (control
 * characters, noncharacters, length in characters), reserved service codes
 * and the labels of history events; a date field's "lampau" bound, tracking
 * numbers as people type them, catalogue search words (every word, any
 * case, synonyms), file sizes in KB/MB and form nonces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/err.h"
#include "services/services.h"
#include "core/banned.h"

#define D(y, m, d) cal_days_from_civil(y, m, d)

static void test_transitions(void **state)
{
	int st, step;
	(void)state;
	/* advance through three steps to selesai */
	assert_int_equal(services_transition(SVC_PROSES, 0, 3, SVC_ADVANCE, &st, &step), 0);
	assert_int_equal(st, SVC_PROSES);
	assert_int_equal(step, 1);
	assert_int_equal(services_transition(SVC_PROSES, 2, 3, SVC_ADVANCE, &st, &step), 0);
	assert_int_equal(st, SVC_SELESAI);
	assert_int_equal(step, 2);
	/* return, resubmit (back to the first step), reject, cancel */
	assert_int_equal(services_transition(SVC_PROSES, 1, 3, SVC_RETURN, &st, &step), 0);
	assert_int_equal(st, SVC_DIKEMBALIKAN);
	assert_int_equal(step, 1);
	assert_int_equal(services_transition(SVC_DIKEMBALIKAN, 1, 3, SVC_RESUBMIT, &st, &step), 0);
	assert_int_equal(st, SVC_PROSES);
	assert_int_equal(step, 0);
	assert_int_equal(services_transition(SVC_PROSES, 1, 3, SVC_REJECT, &st, &step), 0);
	assert_int_equal(st, SVC_DITOLAK);
	assert_int_equal(services_transition(SVC_DIKEMBALIKAN, 0, 3, SVC_CANCEL, &st, &step), 0);
	assert_int_equal(st, SVC_DIBATALKAN);
	assert_int_equal(services_transition(SVC_PROSES, 0, 1, SVC_CANCEL, &st, &step), 0);
	assert_int_equal(st, SVC_DIBATALKAN);
	/* forbidden moves */
	assert_int_equal(services_transition(SVC_DIKEMBALIKAN, 0, 3, SVC_ADVANCE, &st, &step), ERR_CONFLICT);
	assert_int_equal(services_transition(SVC_DIKEMBALIKAN, 0, 3, SVC_RETURN, &st, &step), ERR_CONFLICT);
	assert_int_equal(services_transition(SVC_DIKEMBALIKAN, 0, 3, SVC_REJECT, &st, &step), ERR_CONFLICT);
	assert_int_equal(services_transition(SVC_PROSES, 0, 3, SVC_RESUBMIT, &st, &step), ERR_CONFLICT);
	for (int s = SVC_DITOLAK; s <= SVC_DIBATALKAN; s++)
		for (int a = 0; a < SVC_ACTION_COUNT; a++)
			assert_int_equal(services_transition(s, 0, 3, a, &st, &step), ERR_CONFLICT);
	/* bad arguments */
	assert_int_equal(services_transition(99, 0, 3, SVC_ADVANCE, &st, &step), ERR_INVALID);
	assert_int_equal(services_transition(SVC_PROSES, 3, 3, SVC_ADVANCE, &st, &step), ERR_INVALID);
	assert_int_equal(services_transition(SVC_PROSES, 0, 0, SVC_ADVANCE, &st, &step), ERR_INVALID);
	assert_int_equal(services_transition(SVC_PROSES, 0, 3, 42, &st, &step), ERR_INVALID);
	assert_int_equal(services_transition(SVC_PROSES, -1, 3, SVC_ADVANCE, &st, &step), ERR_INVALID);
}

static void test_names(void **state)
{
	int v;
	(void)state;
	for (int s = 0; s < SVC_STATE_COUNT; s++) {
		assert_int_equal(services_state_parse(services_state_name(s), &v), 0);
		assert_int_equal(v, s);
		assert_true(strlen(services_state_label(s)) > 0);
	}
	for (int a = 0; a < SVC_ACTION_COUNT; a++) {
		assert_int_equal(services_action_parse(services_action_name(a), &v), 0);
		assert_int_equal(v, a);
	}
	assert_int_equal(services_state_parse("bogus", &v), ERR_INVALID);
	assert_int_equal(services_action_parse(NULL, &v), ERR_INVALID);
	assert_string_equal(services_state_name(-1), "");
	assert_string_equal(services_sla_flag_name(SLA_OVERDUE), "overdue");
}

static void test_sla_due(void **state)
{
	calendar_t *cal;
	int32_t due;
	(void)state;
	assert_int_equal(calendar_new(&cal), 0);
	assert_int_equal(cal_weekday(D(2026, 3, 13)), 5); /* a Friday */
	/* 3 working days after Friday 13 March: Mon 16, Tue 17, Wed 18 */
	assert_int_equal(services_sla_due(cal, D(2026, 3, 13), 3, &due), 0);
	assert_int_equal(due, D(2026, 3, 18));
	/* a holiday on Tuesday 17 moves it to Thursday 19 */
	assert_int_equal(calendar_add_holiday(cal, D(2026, 3, 17), CAL_LIBUR_NASIONAL, "Hari Raya Nyepi"), 0);
	assert_int_equal(services_sla_due(cal, D(2026, 3, 13), 3, &due), 0);
	assert_int_equal(due, D(2026, 3, 19));
	/* filed on a Saturday: counting starts after the weekend */
	assert_int_equal(services_sla_due(cal, D(2026, 3, 14), 1, &due), 0);
	assert_int_equal(due, D(2026, 3, 16));
	/* 0 days: the same day if it is a working day, else the next one */
	assert_int_equal(services_sla_due(cal, D(2026, 3, 13), 0, &due), 0);
	assert_int_equal(due, D(2026, 3, 13));
	assert_int_equal(services_sla_due(cal, D(2026, 3, 17), 0, &due), 0);
	assert_int_equal(due, D(2026, 3, 18));
	/* out of range */
	assert_int_equal(services_sla_due(cal, D(2026, 3, 13), -1, &due), ERR_INVALID);
	assert_int_equal(services_sla_due(cal, D(2026, 3, 13), 5000, &due), ERR_INVALID);
	calendar_free(cal);
}

static void test_sla_pause(void **state)
{
	calendar_t *cal;
	int32_t due;
	(void)state;
	assert_int_equal(calendar_new(&cal), 0);
	assert_int_equal(calendar_add_holiday(cal, D(2026, 3, 17), CAL_LIBUR_NASIONAL, "Hari Raya Nyepi"), 0);
	/* due Thu 19; paused Mon 16, resumed Thu 19: Tue (holiday) does not
	 * count, Wed and Thu do: two working days more -> Mon 23 */
	assert_int_equal(services_sla_resume(cal, D(2026, 3, 19), D(2026, 3, 16), D(2026, 3, 19), &due), 0);
	assert_int_equal(due, D(2026, 3, 23));
	/* paused and resumed the same day: no change */
	assert_int_equal(services_sla_resume(cal, D(2026, 3, 19), D(2026, 3, 16), D(2026, 3, 16), &due), 0);
	assert_int_equal(due, D(2026, 3, 19));
	/* a pause over a weekend only: Fri 20 -> Sun 22 costs nothing */
	assert_int_equal(services_sla_resume(cal, D(2026, 3, 25), D(2026, 3, 20), D(2026, 3, 22), &due), 0);
	assert_int_equal(due, D(2026, 3, 25));
	/* two pauses add up */
	assert_int_equal(services_sla_resume(cal, D(2026, 3, 19), D(2026, 3, 16), D(2026, 3, 18), &due), 0);
	assert_int_equal(due, D(2026, 3, 20)); /* Wed 18 only */
	assert_int_equal(services_sla_resume(cal, due, D(2026, 3, 23), D(2026, 3, 24), &due), 0);
	assert_int_equal(due, D(2026, 3, 23)); /* + Tue 24 -> next working day after Fri 20 */
	/* resume before pause is invalid */
	assert_int_equal(services_sla_resume(cal, D(2026, 3, 19), D(2026, 3, 18), D(2026, 3, 16), &due), ERR_INVALID);
	calendar_free(cal);
}

static void test_sla_flags(void **state)
{
	calendar_t *cal;
	int rem;
	(void)state;
	assert_int_equal(calendar_new(&cal), 0);
	/* due Friday 20 March */
	assert_int_equal(services_sla_flag(cal, D(2026, 3, 20), D(2026, 3, 13), &rem), SLA_OK);
	assert_int_equal(rem, 5);
	assert_int_equal(services_sla_flag(cal, D(2026, 3, 20), D(2026, 3, 18), &rem), SLA_NEAR);
	assert_int_equal(rem, 2);
	assert_int_equal(services_sla_flag(cal, D(2026, 3, 20), D(2026, 3, 20), &rem), SLA_NEAR);
	assert_int_equal(rem, 0);
	/* the weekend after the due day is already overdue, but 0 working days late */
	assert_int_equal(services_sla_flag(cal, D(2026, 3, 20), D(2026, 3, 21), &rem), SLA_OVERDUE);
	assert_int_equal(services_sla_flag(cal, D(2026, 3, 20), D(2026, 3, 24), &rem), SLA_OVERDUE);
	assert_int_equal(rem, -2);
	/* a holiday inside the window counts as no day left */
	assert_int_equal(calendar_add_holiday(cal, D(2026, 3, 19), CAL_CUTI_BERSAMA, "Cuti bersama"), 0);
	assert_int_equal(services_sla_flag(cal, D(2026, 3, 20), D(2026, 3, 17), &rem), SLA_NEAR);
	assert_int_equal(rem, 2);
	calendar_free(cal);
}

static void test_mask(void **state)
{
	char out[17];
	(void)state;
	services_mask_nik("5271014101900001", out);
	assert_string_equal(out, "5271********0001");
	services_mask_nik("123", out);
	assert_string_equal(out, "****************");
	services_mask_nik(NULL, out);
	assert_string_equal(out, "****************");
}

static void test_form_parse(void **state)
{
	json_t *f = NULL;
	const char *msg = NULL;
	int line = 0;
	sb_t sb = SB_INIT;
	(void)state;
	assert_int_equal(services_form_parse("# komentar\n"
					     "nama | text | Nama lengkap | wajib | Sesuai KTP\n"
					     "\n"
					     "nik | nik | NIK | wajib\n"
					     "jk | choice | Jenis kelamin | wajib | | Laki-laki; Perempuan\n"
					     "ktp | file | Scan KTP | opsional\n",
					     &f, &msg, &line),
			 0);
	assert_int_equal(json_array_size(f), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(f, 0), "help")), "Sesuai KTP");
	assert_true(json_is_true(json_object_get(json_array_get(f, 1), "required")));
	assert_int_equal(json_array_size(json_object_get(json_array_get(f, 2), "options")), 2);
	assert_false(json_is_true(json_object_get(json_array_get(f, 3), "required")));
	services_form_format(f, &sb);
	{
		json_t *g = NULL;
		assert_int_equal(services_form_parse(sb.buf, &g, &msg, &line), 0);
		assert_true(json_equal(f, g));
		json_decref(g);
	}
	sb_release(&sb);
	json_decref(f);

	f = NULL;
	assert_int_equal(services_form_parse("a | text | A\nb | jam | B\n", &f, &msg, &line), ERR_INVALID);
	assert_int_equal(line, 2);
	assert_null(f);
	assert_int_equal(services_form_parse("Nama | text | A\n", &f, &msg, &line), ERR_INVALID);
	assert_int_equal(services_form_parse("a | text\n", &f, &msg, &line), ERR_INVALID);
	assert_int_equal(services_form_parse("a | choice | A | wajib | | satu\n", &f, &msg, &line), ERR_INVALID);
	assert_int_equal(services_form_parse("a | text | A\na | date | B\n", &f, &msg, &line), ERR_INVALID);
	assert_int_equal(services_form_parse("a | text | A | mungkin\n", &f, &msg, &line), ERR_INVALID);
}

static void test_steps_parse(void **state)
{
	json_t *s = NULL;
	const char *msg = NULL;
	int line = 0;
	sb_t sb = SB_INIT;
	(void)state;
	assert_int_equal(services_steps_parse("Verifikasi berkas | petugas\nProses teknis\nPersetujuan | kepala_opd\n"
					      "Rekomendasi | petugas | DLH\n",
					      &s, &msg, &line),
			 0);
	assert_int_equal(json_array_size(s), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(s, 1), "role")), "petugas");
	assert_string_equal(json_string_value(json_object_get(json_array_get(s, 3), "unit")), "DLH");
	services_steps_format(s, &sb);
	{
		json_t *g = NULL;
		assert_int_equal(services_steps_parse(sb.buf, &g, &msg, &line), 0);
		assert_true(json_equal(s, g));
		json_decref(g);
	}
	sb_release(&sb);
	json_decref(s);
	assert_int_equal(services_steps_parse("", &s, &msg, &line), ERR_INVALID);
	assert_int_equal(services_steps_parse("A | walikota\n", &s, &msg, &line), ERR_INVALID);
	assert_int_equal(line, 1);
}

static void test_text_checks(void **state)
{
	(void)state;
	assert_true(services_text_clean(NULL, 0));
	assert_true(services_text_clean("", 0));
	assert_true(services_text_clean("Akta kelahiran — anak ke-2, Rp50.000 ✓ 😀", 0));
	assert_true(services_text_clean("satu\r\ndua\tdan tiga", 1));
	/* line breaks and tabs only where the text has lines */
	assert_false(services_text_clean("satu\ndua", 0));
	assert_false(services_text_clean("a\tb", 0));
	/* C0, DEL, C1 controls */
	assert_false(services_text_clean("a\x01" "b", 1));
	assert_false(services_text_clean("a\x1b[31mb", 1));
	assert_false(services_text_clean("a\x7f" "b", 1));
	assert_false(services_text_clean("a\xc2\x85" "b", 1));   /* U+0085 */
	assert_true(services_text_clean("a\xc2\xa0" "b", 0));     /* U+00A0 is fine */
	/* noncharacters */
	assert_false(services_text_clean("a\xef\xbf\xbf" "b", 1)); /* U+FFFF */
	assert_false(services_text_clean("a\xef\xbf\xbe" "b", 1)); /* U+FFFE */
	assert_false(services_text_clean("a\xef\xb7\x90" "b", 1)); /* U+FDD0 */
	assert_false(services_text_clean("a\xef\xb7\xaf" "b", 1)); /* U+FDEF */
	assert_true(services_text_clean("a\xef\xb7\xb0" "b", 1));  /* U+FDF0 */
	assert_true(services_text_clean("a\xef\xbf\xbd" "b", 1));  /* U+FFFD */
	assert_false(services_text_clean("a\xf0\x9f\xbf\xbf" "b", 1)); /* U+1FFFF */
	/* not UTF-8: stray continuation, overlong, surrogate, truncated */
	assert_false(services_text_clean("a\x80" "b", 1));
	assert_false(services_text_clean("\xc0\xaf", 1));
	assert_false(services_text_clean("\xed\xa0\x80", 1));
	assert_false(services_text_clean("\xe2\x82", 1));
	/* lengths in characters */
	assert_int_equal(services_text_chars(NULL), 0);
	assert_int_equal(services_text_chars("abc"), 3);
	assert_int_equal(services_text_chars("é😀"), 2);
}

static void test_reserved_and_labels(void **state)
{
	(void)state;
	assert_true(services_code_reserved("baru"));
	assert_true(services_code_reserved("ajukan"));
	assert_false(services_code_reserved("ktp-el"));
	assert_false(services_code_reserved("baru-2"));
	assert_false(services_code_reserved(NULL));
	/* every action a history can hold has a label */
	{
		const char *actions[] = { "diajukan", "diteruskan", "selesai", "dikembalikan", "ditolak", "diajukan_ulang",
					  "dibatalkan", "assign", "note", "transfer", "result" };
		for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
			assert_string_not_equal(services_event_label(actions[i]), actions[i]);
	}
	assert_string_equal(services_event_label("result"), "Dokumen hasil diunggah");
	assert_string_equal(services_event_label("lain"), "lain");
}

/* A date field's sixth column: "lampau" (not in the future) and nothing
 * else; kept through format and parse. */
static void test_form_date_bound(void **state)
{
	json_t *f = NULL, *g = NULL;
	const char *msg = NULL;
	int line = 0;
	sb_t sb = SB_INIT;
	(void)state;
	assert_int_equal(services_form_parse("lahir | date | Tanggal lahir | wajib | YYYY-MM-DD | lampau\n"
					     "janji | date | Tanggal kunjungan | opsional\n",
					     &f, &msg, &line),
			 0);
	assert_true(json_is_true(json_object_get(json_array_get(f, 0), "not_future")));
	assert_int_equal(json_array_size(json_object_get(json_array_get(f, 0), "options")), 0);
	assert_true(json_is_false(json_object_get(json_array_get(f, 1), "not_future")));
	services_form_format(f, &sb);
	assert_non_null(strstr(sb.buf, "lahir | date | Tanggal lahir | wajib | YYYY-MM-DD | lampau\n"));
	assert_null(strstr(sb.buf, "Tanggal kunjungan | opsional |  |"));
	assert_int_equal(services_form_parse(sb.buf, &g, &msg, &line), 0);
	assert_true(json_equal(f, g));
	json_decref(g);
	json_decref(f);
	sb_release(&sb);
	/* text fields carry no "not_future" */
	assert_int_equal(services_form_parse("a | text | A\n", &f, &msg, &line), 0);
	assert_null(json_object_get(json_array_get(f, 0), "not_future"));
	json_decref(f);
	f = NULL;
	assert_int_equal(services_form_parse("a | text | A\nb | date | B | wajib | | besok\n", &f, &msg, &line),
			 ERR_INVALID);
	assert_int_equal(line, 2);
	assert_non_null(strstr(msg, "lampau"));
	assert_null(f);
}

static void test_number_normalize(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(services_number_normalize("52.71/PMH/2026/000001", out, sizeof(out)), 0);
	assert_string_equal(out, "52.71/PMH/2026/000001");
	/* as typed on a phone: spaces, lower case, no leading zeros */
	assert_int_equal(services_number_normalize("  52.71/pmh/2026/000001 \t", out, sizeof(out)), 0);
	assert_string_equal(out, "52.71/PMH/2026/000001");
	assert_int_equal(services_number_normalize("52.71/Pmh/2026/7", out, sizeof(out)), 0);
	assert_string_equal(out, "52.71/PMH/2026/000007");
	assert_int_equal(services_number_normalize("52.71 / ADU / 2026 / 123", out, sizeof(out)), 0);
	assert_string_equal(out, "52.71/ADU/2026/000123");
	assert_int_equal(services_number_normalize("52.71/PMH/2026/1234567", out, sizeof(out)), 0);
	assert_string_equal(out, "52.71/PMH/2026/1234567");
	/* not a number: trimmed text, ERR_INVALID */
	assert_int_equal(services_number_normalize(" abc ", out, sizeof(out)), ERR_INVALID);
	assert_string_equal(out, "ABC");
	assert_int_equal(services_number_normalize("52.71/PMH/26/1", out, sizeof(out)), ERR_INVALID);
	assert_int_equal(services_number_normalize("52.71/PMH/2026/0", out, sizeof(out)), ERR_INVALID);
	assert_int_equal(services_number_normalize("52.71/PMH/2026/1/2", out, sizeof(out)), ERR_INVALID);
	assert_int_equal(services_number_normalize("52.71/P1/2026/1", out, sizeof(out)), ERR_INVALID);
	assert_int_equal(services_number_normalize("", out, sizeof(out)), ERR_INVALID);
	assert_int_equal(services_number_normalize(NULL, out, sizeof(out)), ERR_INVALID);
}

static void test_query_match(void **state)
{
	const char *akta[] = { "Penerbitan Akta Kelahiran", "akta-kelahiran",
			       "Pencatatan kelahiran dan penerbitan kutipan akta kelahiran.", "Pencatatan Sipil",
			       "DISDUKCAPIL" };
	const char *kk[] = { "Penerbitan Kartu Keluarga", "kartu-keluarga", "KK baru, perubahan data.", "Kependudukan" };
	const char *sktm[] = { "Surat Keterangan Tidak Mampu", "sktm", "Untuk keringanan biaya.", "Sosial" };
	(void)state;
	/* every word, anywhere, any case, any order */
	assert_true(services_query_match("akta lahir", akta, 5));
	assert_true(services_query_match("kelahiran akta", akta, 5));
	assert_true(services_query_match("AKTA  Kelahiran", akta, 5));
	assert_true(services_query_match("disdukcapil", akta, 5));
	assert_true(services_query_match("akta-kelahiran", akta, 5));
	assert_false(services_query_match("akta kematian", akta, 5));
	assert_false(services_query_match("akta lahir xyz", akta, 5));
	/* the same thing in other words */
	assert_true(services_query_match("akte", akta, 5));
	assert_true(services_query_match("akte lahir", akta, 5));
	assert_true(services_query_match("kk", kk, 4));
	assert_true(services_query_match("kartu keluarga", kk, 4));
	assert_false(services_query_match("kk", akta, 5));
	assert_true(services_query_match("sktm", sktm, 4));
	assert_true(services_query_match("tidak mampu", sktm, 4));
	/* blank: everything */
	assert_true(services_query_match("", akta, 5));
	assert_true(services_query_match("  ", akta, 5));
	assert_true(services_query_match(NULL, akta, 5));
}

static void test_size_text_and_nonce(void **state)
{
	char s[32];
	(void)state;
	services_size_text(800, 1, s, sizeof(s));
	assert_string_equal(s, "800 B");
	services_size_text(1024, 1, s, sizeof(s));
	assert_string_equal(s, "1 KB");
	services_size_text(120 * 1024 + 100, 1, s, sizeof(s));
	assert_string_equal(s, "120 KB");
	services_size_text(1359704, 1, s, sizeof(s));
	assert_string_equal(s, "1,3 MB");
	services_size_text(1359704, 0, s, sizeof(s));
	assert_string_equal(s, "1.3 MB");
	services_size_text(5 * 1024 * 1024, 0, s, sizeof(s));
	assert_string_equal(s, "5.0 MB");
	services_size_text(-1, 0, s, sizeof(s));
	assert_string_equal(s, "0 B");
	assert_true(services_nonce_ok("0123456789abcdef0123456789abcdef"));
	assert_true(services_nonce_ok("klien-A_1234567890"));
	assert_false(services_nonce_ok("pendek"));
	assert_false(services_nonce_ok("0123456789abcdef 0123456789abcdef"));
	assert_false(services_nonce_ok("0123456789abcdef/"));
	assert_false(services_nonce_ok(NULL));
	{
		char long_[66];
		memset(long_, 'a', 65);
		long_[65] = '\0';
		assert_false(services_nonce_ok(long_));
		long_[64] = '\0';
		assert_true(services_nonce_ok(long_));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transitions), cmocka_unit_test(test_names),     cmocka_unit_test(test_sla_due),
		cmocka_unit_test(test_sla_pause),   cmocka_unit_test(test_sla_flags), cmocka_unit_test(test_mask),
		cmocka_unit_test(test_form_parse),  cmocka_unit_test(test_steps_parse), cmocka_unit_test(test_text_checks),
		cmocka_unit_test(test_reserved_and_labels), cmocka_unit_test(test_form_date_bound),
		cmocka_unit_test(test_number_normalize), cmocka_unit_test(test_query_match),
		cmocka_unit_test(test_size_text_and_nonce),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
