/*
 * services_workflow_test.c: unit tests of the pure parts of the services
 * module: the application state machine (every action in every state), the
 * SLA due day in working days across weekends and holidays, the pause and
 * resume of the SLA clock, the near-due/overdue flags, NIK masking, and the
 * line formats of form fields and workflow steps.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transitions), cmocka_unit_test(test_names),     cmocka_unit_test(test_sla_due),
		cmocka_unit_test(test_sla_pause),   cmocka_unit_test(test_sla_flags), cmocka_unit_test(test_mask),
		cmocka_unit_test(test_form_parse),  cmocka_unit_test(test_steps_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
