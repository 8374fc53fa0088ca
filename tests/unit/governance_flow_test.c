/*
 * governance_flow_test.c: tests of the governance module (governance.h): the
 * proposal flow through Kepala OPD, Sekda, Wakil and Kepala Daerah; refusals
 * (wrong role, out of turn, a second decision, an edit after the decision)
 * and their audit entries; signing keys (passphrase policy, wrong
 * passphrase); and signature verification, which must reject tampered
 * content, a tampered decision row, a wrong signer and a replayed step. Also
 * DPRD stages, pokok pikiran, deadlines and reminders, the differences
 * report and the decision number format; the labels list items carry, and
 * lists that agree with what each role may open (admin, dprd). Each case gets a fresh store
 * (testutil.h; SQLite, or PostgreSQL with SIGAP_TEST_PG).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "audit/audit.h"
#include "core/err.h"
#include "governance/governance.h"
#include "testutil.h"
#include "core/banned.h"

#define T "52.71"
#define NOW 1780000000 /* 2026-05-29 04:26 WITA, a Friday */
#define UNIT "DISDUKCAPIL"

typedef struct who {
	const char *username;
	role_t role;
	const char *unit;
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
} who_t;

typedef struct fx {
	test_store_t ts;
	who_t opd, sekda, wakil, kd, dprd, petugas;
} fx_t;

/* A key row with a real public key; the sealed part is a dummy (these
 * tests sign with the secret key directly; key_test covers sealing). */
static void add_key(fx_t *f, who_t *w)
{
	char pk[65], sql[1024];
	crypto_sign_keypair(w->pk, w->sk);
	sodium_bin2hex(pk, sizeof(pk), w->pk, sizeof(w->pk));
	snprintf(sql, sizeof(sql),
		 "INSERT INTO governance_keys (tenant, username, full_name, role, public_key, sealed_key, salt, nonce, "
		 "opslimit, memlimit, created_at) VALUES ('%s', '%s', 'Nama %s', '%s', '%s', '00', '00', '00', 1, 1, 0)",
		 T, w->username, w->username, role_name(w->role), pk);
	assert_int_equal(test_sql(&f->ts, sql), 0);
}

static int setup(void **state)
{
	fx_t *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_true(sodium_init() >= 0);
	test_store_open(&f->ts);
	assert_int_equal(test_sql(&f->ts, "INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) "
					  "VALUES ('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0)"),
			 0);
	assert_int_equal(test_sql(&f->ts, "INSERT INTO units (tenant, code, name, kind, created_at) VALUES "
					  "('52.71', 'DISDUKCAPIL', 'Dinas Kependudukan', 'dinas', 0)"),
			 0);
	assert_int_equal(test_sql(&f->ts, "INSERT INTO units (tenant, code, name, kind, created_at) VALUES "
					  "('52.71', 'DINKES', 'Dinas Kesehatan', 'dinas', 0)"),
			 0);
	f->opd = (who_t){ "kepala_opd", ROLE_KEPALA_OPD, UNIT, { 0 }, { 0 } };
	f->sekda = (who_t){ "sekda", ROLE_SEKDA, "", { 0 }, { 0 } };
	f->wakil = (who_t){ "wakil", ROLE_WAKIL, "", { 0 }, { 0 } };
	f->kd = (who_t){ "kepala_daerah", ROLE_KEPALA_DAERAH, "", { 0 }, { 0 } };
	f->dprd = (who_t){ "dprd", ROLE_DPRD, "", { 0 }, { 0 } };
	f->petugas = (who_t){ "petugas", ROLE_PETUGAS, UNIT, { 0 }, { 0 } };
	add_key(f, &f->opd);
	add_key(f, &f->sekda);
	add_key(f, &f->wakil);
	add_key(f, &f->kd);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx_t *f = *state;
	test_store_close(&f->ts);
	free(f);
	return 0;
}

static int do_act(fx_t *f, who_t *w, gov_op_t op, int64_t id, const char *verdict, const char *note, int64_t now,
		  gov_action_t *out)
{
	gov_action_t a = { 0 };
	int rc;
	a.op = op;
	a.tenant = T;
	a.now = now;
	a.actor = w->username;
	a.actor_name = w->username;
	a.role = w->role;
	a.actor_unit = w->unit;
	a.proposal_id = id;
	a.verdict = verdict;
	a.note = note;
	a.is_public = 1;
	a.sk = w->sk;
	rc = governance_apply(f->ts.st, &a);
	if (out)
		*out = a;
	return rc;
}

static int64_t create(fx_t *f, int needs_dprd, int64_t now)
{
	gov_action_t a = { 0 };
	a.op = GOV_OP_CREATE;
	a.tenant = T;
	a.now = now;
	a.actor = "petugas";
	a.role = ROLE_PETUGAS;
	a.actor_unit = UNIT;
	a.content = (gov_content_t){ "telaahan", "Jam layanan sore", "Antrean panjang", "Analisis", "1. A\n2. B",
				     "Perpanjang jam layanan", "segera", needs_dprd, 1 };
	assert_int_equal(governance_apply(f->ts.st, &a), 0);
	assert_true(a.ret_id > 0);
	return a.ret_id;
}

/* created, submitted, recommended, considered, decided (verdict) */
static int64_t full_flow(fx_t *f, const char *decision, gov_action_t *ret_decide)
{
	int64_t id = create(f, 0, NOW);
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", NOW + 10, NULL), 0);
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_RECOMMEND, id, "setuju", "", NOW + 20, NULL), 0);
	assert_int_equal(do_act(f, &f->wakil, GOV_OP_CONSIDER, id, "setuju_catatan", "perhatikan anggaran", NOW + 30, NULL),
			 0);
	assert_int_equal(do_act(f, &f->kd, GOV_OP_DECIDE, id, decision, "laksanakan", NOW + 40, ret_decide), 0);
	return id;
}

static void verify(fx_t *f, int64_t id, gov_verify_report_t *rep)
{
	store_conn_t *c = store_reader(f->ts.st);
	assert_non_null(c);
	assert_int_equal(governance_verify(c, T, id, rep), 0);
}

static const char *state_of(fx_t *f, int64_t id, char *buf, size_t n)
{
	store_conn_t *c = store_reader(f->ts.st);
	assert_int_equal(store_query_text(c, buf, n, "SELECT state FROM governance_proposals WHERE tenant = ? AND id = ?",
					  "ti", T, id),
			 0);
	return buf;
}

static int64_t count(fx_t *f, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(store_query_int64(store_reader(f->ts.st), &n, sql, ""), 0);
	return n;
}

/* ---- the flow ---- */

static void test_full_flow_signed_and_verified(void **state)
{
	fx_t *f = *state;
	gov_action_t d;
	gov_verify_report_t rep;
	char st[32];
	json_t *j = NULL;
	int64_t id = full_flow(f, "setuju", &d);
	assert_string_equal(d.ret_number, "Keputusan Wali Kota Mataram Nomor 1/2026");
	assert_int_equal(strlen(d.ret_token), 32);
	assert_string_equal(state_of(f, id, st, sizeof(st)), "disetujui");
	verify(f, id, &rep);
	assert_true(rep.ok);
	assert_int_equal(rep.steps, 4);
	assert_int_equal(rep.bad_step, -1);
	/* the record says who advised and who decided */
	assert_int_equal(governance_get(store_reader(f->ts.st), T, id, ROLE_SEKDA, "", &j), 0);
	assert_int_equal(json_array_size(json_object_get(j, "steps")), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "steps"), 1), "role")), "sekda");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "steps"), 3), "role")),
			    "kepala_daerah");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "decision"), "number")), d.ret_number);
	json_decref(j);
	/* who may read it */
	j = NULL;
	assert_int_equal(governance_get(store_reader(f->ts.st), T, id, ROLE_WARGA, "", &j), ERR_FORBIDDEN);
	assert_int_equal(governance_get(store_reader(f->ts.st), T, id, ROLE_KOORDINATOR, "", &j), ERR_FORBIDDEN);
	assert_int_equal(governance_get(store_reader(f->ts.st), T, id, ROLE_DPRD, "", &j), ERR_FORBIDDEN);
	assert_int_equal(governance_get(store_reader(f->ts.st), T, id, ROLE_PETUGAS, "DINKES", &j), ERR_FORBIDDEN);
	assert_int_equal(governance_get(store_reader(f->ts.st), T, id, ROLE_PETUGAS, UNIT, &j), 0);
	json_decref(j);
	assert_int_equal(governance_get(store_reader(f->ts.st), T, 4242, ROLE_SEKDA, "", &j), ERR_NOT_FOUND);
	/* the token finds it; the register lists it */
	{
		int64_t got = 0;
		json_t *reg = json_array();
		assert_int_equal(governance_token_lookup(store_reader(f->ts.st), T, d.ret_token, &got), 0);
		assert_int_equal(got, id);
		assert_int_equal(governance_token_lookup(store_reader(f->ts.st), T, "0123", &got), ERR_NOT_FOUND);
		assert_int_equal(governance_register(store_reader(f->ts.st), T, NULL, 10, 0, reg, NULL), 0);
		assert_int_equal(json_array_size(reg), 1);
		json_decref(reg);
	}
	/* second approved decision gets number 2 */
	full_flow(f, "setuju", &d);
	assert_string_equal(d.ret_number, "Keputusan Wali Kota Mataram Nomor 2/2026");
	/* a rejection is final, signed, but gets no number */
	id = full_flow(f, "tolak", &d);
	assert_string_equal(d.ret_number, "");
	assert_string_equal(state_of(f, id, st, sizeof(st)), "ditolak");
	verify(f, id, &rep);
	assert_true(rep.ok);
}

static void test_return_revise_resubmit(void **state)
{
	fx_t *f = *state;
	gov_action_t a = { 0 };
	gov_verify_report_t rep;
	char st[32];
	int64_t id = create(f, 0, NOW);
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", NOW + 1, NULL), 0);
	/* the OPD cannot edit while the Sekda has it */
	a = (gov_action_t){ .op = GOV_OP_EDIT, .tenant = T, .now = NOW + 2, .actor = "petugas", .role = ROLE_PETUGAS,
			    .actor_unit = UNIT, .proposal_id = id };
	a.content = (gov_content_t){ "telaahan", "Jam layanan sore (revisi)", "Antrean panjang", "Analisis baru", "",
				     "Perpanjang", "segera", 0, 1 };
	assert_int_equal(governance_apply(f->ts.st, &a), ERR_CONFLICT);
	/* a return needs a note */
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_RETURN, id, NULL, "", NOW + 3, &a), ERR_INVALID);
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_RETURN, id, NULL, "lengkapi analisis", NOW + 3, NULL), 0);
	assert_string_equal(state_of(f, id, st, sizeof(st)), "dikembalikan");
	a = (gov_action_t){ .op = GOV_OP_EDIT, .tenant = T, .now = NOW + 4, .actor = "petugas", .role = ROLE_PETUGAS,
			    .actor_unit = UNIT, .proposal_id = id };
	a.content = (gov_content_t){ "telaahan", "Jam layanan sore (revisi)", "Antrean panjang", "Analisis baru", "",
				     "Perpanjang", "segera", 0, 1 };
	assert_int_equal(governance_apply(f->ts.st, &a), 0);
	/* another OPD cannot touch it */
	a.actor_unit = "DINKES";
	assert_int_equal(governance_apply(f->ts.st, &a), ERR_FORBIDDEN);
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", NOW + 5, NULL), 0);
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_RECOMMEND, id, "setuju_catatan", "cek anggaran", NOW + 6, NULL), 0);
	assert_int_equal(do_act(f, &f->wakil, GOV_OP_CONSIDER, id, "setuju", "baik", NOW + 7, NULL), 0);
	/* the head sends it back too: not final */
	assert_int_equal(do_act(f, &f->kd, GOV_OP_DECIDE, id, "kembalikan", "tambahkan kajian", NOW + 8, NULL), 0);
	assert_string_equal(state_of(f, id, st, sizeof(st)), "dikembalikan");
	assert_int_equal(count(f, "SELECT COUNT(*) FROM governance_decisions"), 0);
	verify(f, id, &rep);
	assert_true(rep.ok);
	assert_int_equal(rep.steps, 6);
	/* two content versions were signed */
	assert_int_equal(count(f, "SELECT COUNT(DISTINCT proposal_version) FROM governance_steps"), 2);
}

/* What the OPD changed between two versions, line by line: a line ended by
 * CRLF (a browser's textarea) is the same line as by LF; a replaced line is
 * the old one removed, then the new added; unchanged runs become one gap;
 * short fields give before and after; unchanged fields are not listed. */
static void test_changes_between_versions(void **state)
{
	fx_t *f = *state;
	gov_action_t a;
	json_t *ch = NULL, *fields, *lines, *fd;
	int64_t id = create(f, 0, NOW);
	a = (gov_action_t){ .op = GOV_OP_EDIT, .tenant = T, .now = NOW + 4, .actor = "petugas", .role = ROLE_PETUGAS,
			    .actor_unit = UNIT, .proposal_id = id };
	a.content = (gov_content_t){ "telaahan", "Jam layanan sore", "Antrean panjang\r\nbaris dua\r\nbaris tiga baru",
				     "Analisis", "1. A\n2. B", "Perpanjang jam layanan", "sangat_segera", 0, 1 };
	assert_int_equal(governance_apply(f->ts.st, &a), 0);
	assert_int_equal(governance_changes(store_reader(f->ts.st), T, id, 1, 2, &ch), 0);
	fields = json_object_get(ch, "fields");
	assert_int_equal(json_array_size(fields), 2);
	fd = json_array_get(fields, 0);
	assert_string_equal(json_string_value(json_object_get(fd, "field")), "background");
	lines = json_object_get(fd, "lines");
	/* "Antrean panjang" is unchanged (a gap), two lines added */
	assert_int_equal(json_array_size(lines), 3);
	assert_true(json_is_true(json_object_get(json_array_get(lines, 0), "gap")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(lines, 1), "text")), "baris dua");
	assert_true(json_is_true(json_object_get(json_array_get(lines, 1), "ins")));
	fd = json_array_get(fields, 1);
	assert_string_equal(json_string_value(json_object_get(fd, "field")), "urgency");
	assert_string_equal(json_string_value(json_object_get(fd, "before")), "segera");
	assert_string_equal(json_string_value(json_object_get(fd, "after")), "sangat_segera");
	json_decref(ch);
	/* a replaced line: removed first, then added */
	a.now = NOW + 5;
	a.content.background = "Antrean panjang\nbaris dua diganti\nbaris tiga baru";
	assert_int_equal(governance_apply(f->ts.st, &a), 0);
	assert_int_equal(governance_changes(store_reader(f->ts.st), T, id, 2, 3, &ch), 0);
	lines = json_object_get(json_array_get(json_object_get(ch, "fields"), 0), "lines");
	assert_int_equal(json_array_size(lines), 4);
	assert_true(json_is_true(json_object_get(json_array_get(lines, 1), "del")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(lines, 1), "text")), "baris dua");
	assert_true(json_is_true(json_object_get(json_array_get(lines, 2), "ins")));
	assert_true(json_is_true(json_object_get(json_array_get(lines, 3), "gap")));
	json_decref(ch);
	assert_int_equal(governance_changes(store_reader(f->ts.st), T, id, 1, 9, &ch), ERR_NOT_FOUND);
}

/* ---- refusals ---- */

static void test_refusals_are_clear_and_audited(void **state)
{
	fx_t *f = *state;
	gov_action_t a;
	int64_t id = create(f, 0, NOW), before;
	before = count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused'");
	/* the wakil before the Sekda: out of turn */
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", NOW + 1, NULL), 0);
	assert_int_equal(do_act(f, &f->wakil, GOV_OP_CONSIDER, id, "setuju", "x", NOW + 2, &a), ERR_CONFLICT);
	assert_string_equal(a.ret_msgid, "bukan giliran Anda: usulan ini tidak sedang menunggu tindakan Anda");
	/* the Sekda deciding: wrong role */
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_DECIDE, id, "setuju", "", NOW + 3, &a), ERR_FORBIDDEN);
	assert_string_equal(a.ret_msgid, "peran Anda tidak berwenang melakukan tindakan ini");
	/* a petugas submitting: only the kepala OPD signs */
	assert_int_equal(do_act(f, &f->petugas, GOV_OP_SUBMIT, id, NULL, "", NOW + 3, &a), ERR_FORBIDDEN);
	/* submitting twice */
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", NOW + 3, &a), ERR_CONFLICT);
	/* a bad recommendation */
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_RECOMMEND, id, "mungkin", "", NOW + 3, &a), ERR_INVALID);
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_RECOMMEND, id, "tidak_setuju", "", NOW + 3, &a), ERR_INVALID);
	assert_string_equal(a.ret_msgid, "tuliskan catatan atau alasan");
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused'"), before + 6);
	/* nothing half-written: still one step */
	assert_int_equal(count(f, "SELECT COUNT(*) FROM governance_steps"), 1);
	/* unknown proposal */
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_RECOMMEND, 999, "setuju", "", NOW + 3, &a), ERR_NOT_FOUND);
	/* text with a control character or a noncharacter (it would break the
	 * page, the decision's PDF and XML exports) is refused */
	{
		static const char *const bad[] = { "Jam\x01 layanan", "Jam layanan \xef\xbf\xbf", "Jam\nlayanan" };
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			gov_action_t c = { 0 };
			c.op = GOV_OP_CREATE;
			c.tenant = T;
			c.now = NOW;
			c.actor = "petugas";
			c.role = ROLE_PETUGAS;
			c.actor_unit = UNIT;
			c.content = (gov_content_t){ "telaahan", bad[i], "Antrean panjang", "Analisis", "1. A\n2. B",
						     "Perpanjang jam layanan", "segera", 0, 1 };
			assert_int_equal(governance_apply(f->ts.st, &c), ERR_INVALID);
			assert_string_equal(c.ret_msgid, "isian berisi karakter yang tidak sah");
		}
	}
}

static void test_second_decision_and_edit_after_decision_refused(void **state)
{
	fx_t *f = *state;
	gov_action_t a;
	gov_verify_report_t rep;
	int64_t id = full_flow(f, "setuju", NULL), before;
	before = count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused'");
	assert_int_equal(do_act(f, &f->kd, GOV_OP_DECIDE, id, "tolak", "berubah pikiran", NOW + 100, &a), ERR_CONFLICT);
	assert_string_equal(a.ret_msgid, "keputusan sudah ditetapkan dan tidak dapat diubah atau diulang");
	assert_int_equal(do_act(f, &f->kd, GOV_OP_DECIDE, id, "setuju", "", NOW + 100, &a), ERR_CONFLICT);
	a = (gov_action_t){ .op = GOV_OP_EDIT, .tenant = T, .now = NOW + 101, .actor = "petugas", .role = ROLE_PETUGAS,
			    .actor_unit = UNIT, .proposal_id = id };
	a.content = (gov_content_t){ "telaahan", "Judul lain", "x", "", "", "", "biasa", 0, 0 };
	assert_int_equal(governance_apply(f->ts.st, &a), ERR_CONFLICT);
	assert_string_equal(a.ret_msgid, "usulan sudah diputuskan; isinya tidak dapat diubah lagi");
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", NOW + 102, &a), ERR_CONFLICT);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused'"), before + 4);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM governance_decisions"), 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM governance_steps"), 4);
	verify(f, id, &rep);
	assert_true(rep.ok);
}

/* ---- keys ---- */

static void test_keys_passphrase(void **state)
{
	fx_t *f = *state;
	const char *msgid = NULL;
	unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	char hex[65], want[65];
	store_conn_t *c = store_reader(f->ts.st);
	assert_int_equal(governance_key_create(f->ts.st, T, "sekda2", "Sekda Dua", ROLE_SEKDA, "pendek", NOW, &msgid),
			 ERR_INVALID);
	assert_non_null(msgid);
	assert_int_equal(governance_key_create(f->ts.st, T, "warga", "Warga", ROLE_WARGA, "frasa-sandi-panjang", NOW, &msgid),
			 ERR_INVALID);
	assert_int_equal(governance_key_create(f->ts.st, T, "sekda2", "Sekda Dua", ROLE_SEKDA, "frasa-sandi-panjang", NOW,
					       &msgid),
			 0);
	assert_int_equal(governance_key_create(f->ts.st, T, "sekda2", "Sekda Dua", ROLE_SEKDA, "frasa-sandi-lain!", NOW,
					       &msgid),
			 ERR_EXISTS);
	assert_int_equal(governance_key_exists(c, T, "sekda2", want), 1);
	assert_int_equal(governance_key_exists(c, T, "nobody", NULL), 0);
	assert_int_equal(governance_key_unseal(c, T, "sekda2", "salah-frasa-sandi", sk), ERR_UNAUTHORIZED);
	assert_int_equal(governance_key_unseal(c, T, "nobody", "frasa-sandi-panjang", sk), ERR_NOT_FOUND);
	assert_int_equal(governance_key_unseal(c, T, "sekda2", "frasa-sandi-panjang", sk), 0);
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	sodium_bin2hex(hex, sizeof(hex), pk, sizeof(pk));
	assert_string_equal(hex, want);
	/* the secret key is not stored in the clear */
	{
		char sealed[300];
		char skhex[2 * crypto_sign_SECRETKEYBYTES + 1];
		sodium_bin2hex(skhex, sizeof(skhex), sk, sizeof(sk));
		assert_int_equal(store_query_text(c, sealed, sizeof(sealed),
						  "SELECT sealed_key FROM governance_keys WHERE username = 'sekda2'", ""),
				 0);
		assert_null(strstr(sealed, skhex));
		assert_null(strstr(sealed, skhex + 64)); /* nor its public half */
	}
}

static void test_signing_with_someone_elses_key_refused(void **state)
{
	fx_t *f = *state;
	gov_action_t a;
	who_t impostor = f->sekda;
	int64_t id = create(f, 0, NOW);
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", NOW + 1, NULL), 0);
	memcpy(impostor.sk, f->wakil.sk, sizeof(impostor.sk));
	assert_int_equal(do_act(f, &impostor, GOV_OP_RECOMMEND, id, "setuju", "", NOW + 2, &a), ERR_FORBIDDEN);
	assert_string_equal(a.ret_msgid, "kunci tanda tangan tidak cocok dengan akun Anda");
	/* the caller could not open the key: refused and audited, nothing signed */
	{
		gov_action_t b = { 0 };
		int64_t before = count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused'");
		b = (gov_action_t){ .op = GOV_OP_RECOMMEND, .tenant = T, .now = NOW + 3, .actor = "sekda", .role = ROLE_SEKDA,
				    .proposal_id = id, .verdict = "setuju", .note = "", .passphrase_failed = 1 };
		assert_int_equal(governance_apply(f->ts.st, &b), ERR_FORBIDDEN);
		assert_string_equal(b.ret_msgid, "frasa sandi kunci tanda tangan salah");
		assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused'"), before + 1);
		assert_int_equal(count(f, "SELECT COUNT(*) FROM governance_steps"), 1);
	}
	/* no key at all */
	{
		who_t nokey = { "sekda_baru", ROLE_SEKDA, "", { 0 }, { 0 } };
		assert_int_equal(do_act(f, &nokey, GOV_OP_RECOMMEND, id, "setuju", "", NOW + 2, &a), ERR_INVALID);
		assert_string_equal(a.ret_msgid, "Anda belum membuat kunci tanda tangan");
	}
}

/* ---- verification against tampering ---- */

static void expect_bad(fx_t *f, int64_t id, int step)
{
	gov_verify_report_t rep;
	verify(f, id, &rep);
	if (rep.ok || rep.bad_step != step)
		print_error("verify: ok=%d bad_step=%d (want %d): %s\n", rep.ok, rep.bad_step, step, rep.message);
	assert_false(rep.ok);
	assert_int_equal(rep.bad_step, step);
	assert_non_null(rep.msgid);
}

static void test_tampered_content_rejected(void **state)
{
	fx_t *f = *state;
	int64_t id = full_flow(f, "setuju", NULL);
	char sql[256];
	snprintf(sql, sizeof(sql), "UPDATE governance_versions SET proposed = 'Tutup layanan' WHERE proposal_id = %" PRId64, id);
	assert_int_equal(test_sql(&f->ts, sql), 0);
	expect_bad(f, id, 0);
}

static void test_tampered_step_note_rejected(void **state)
{
	fx_t *f = *state;
	int64_t id = full_flow(f, "setuju", NULL);
	char sql[256];
	/* rewrite what the Sekda advised */
	snprintf(sql, sizeof(sql), "UPDATE governance_steps SET verdict = 'tidak_setuju' WHERE proposal_id = %" PRId64 " AND idx = 1",
		 id);
	assert_int_equal(test_sql(&f->ts, sql), 0);
	expect_bad(f, id, 1);
}

static void test_tampered_decision_row_rejected(void **state)
{
	fx_t *f = *state;
	int64_t id = full_flow(f, "setuju", NULL);
	char sql[256];
	snprintf(sql, sizeof(sql), "UPDATE governance_decisions SET number = 'Keputusan Wali Kota Mataram Nomor 99/2026' "
				   "WHERE proposal_id = %" PRId64, id);
	assert_int_equal(test_sql(&f->ts, sql), 0);
	expect_bad(f, id, 3);
	snprintf(sql, sizeof(sql), "UPDATE governance_decisions SET number = 'Keputusan Wali Kota Mataram Nomor 1/2026', "
				   "verdict = 'tolak' WHERE proposal_id = %" PRId64, id);
	assert_int_equal(test_sql(&f->ts, sql), 0);
	expect_bad(f, id, 3);
	/* deleting the decision row is noticed too */
	snprintf(sql, sizeof(sql), "DELETE FROM governance_decisions WHERE proposal_id = %" PRId64, id);
	assert_int_equal(test_sql(&f->ts, sql), 0);
	expect_bad(f, id, 3);
}

/* Re-signs step 1 with the wakil's key but leaves actor 'sekda': a properly
 * formed signature by the wrong person. */
static void test_wrong_signer_rejected(void **state)
{
	fx_t *f = *state;
	int64_t id = full_flow(f, "setuju", NULL);
	store_conn_t *c = store_reader(f->ts.st);
	store_stmt_t *s;
	gov_step_fields_t fl;
	unsigned char sig[crypto_sign_BYTES];
	char pk[65], sighex[2 * crypto_sign_BYTES + 1], sql[1024], ch[65], prev[65], note[200], verdict[40];
	int64_t version, at;
	sb_t m = SB_INIT;
	assert_int_equal(store_prepare(c, "SELECT content_hash, prev_hash, note, verdict, proposal_version, signed_at "
					  "FROM governance_steps WHERE proposal_id = ? AND idx = 1", &s),
			 0);
	store_bindf(s, "i", id);
	assert_int_equal(store_step(s), STORE_ROW);
	snprintf(ch, sizeof(ch), "%s", store_col_text(s, 0));
	snprintf(prev, sizeof(prev), "%s", store_col_text(s, 1));
	snprintf(note, sizeof(note), "%s", store_col_text(s, 2));
	snprintf(verdict, sizeof(verdict), "%s", store_col_text(s, 3));
	version = store_col_int64(s, 4);
	at = store_col_int64(s, 5);
	store_finalize(s);
	sodium_bin2hex(pk, sizeof(pk), f->wakil.pk, sizeof(f->wakil.pk));
	fl = (gov_step_fields_t){ T, id, version, ch, 1, "saran", "sekda", "sekda", pk, verdict, note, "", at, prev };
	governance_step_message(&fl, &m);
	crypto_sign_detached(sig, NULL, (const unsigned char *)m.buf, m.len, f->wakil.sk);
	sb_release(&m);
	sodium_bin2hex(sighex, sizeof(sighex), sig, sizeof(sig));
	snprintf(sql, sizeof(sql), "UPDATE governance_steps SET public_key = '%s', signature = '%s' WHERE proposal_id = %" PRId64
				   " AND idx = 1", pk, sighex, id);
	assert_int_equal(test_sql(&f->ts, sql), 0);
	expect_bad(f, id, 1);
}

/* Copies the Sekda's signed recommendation of proposal A into proposal B
 * (same index), and into A again at another index: both are replays. */
static void test_replayed_step_rejected(void **state)
{
	fx_t *f = *state;
	int64_t a = full_flow(f, "setuju", NULL);
	int64_t b = create(f, 0, NOW + 50);
	char sql[1200];
	gov_verify_report_t rep;
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, b, NULL, "", NOW + 60, NULL), 0);
	verify(f, b, &rep);
	assert_true(rep.ok);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO governance_steps (tenant, proposal_id, idx, kind, role, actor, actor_name, verdict, note, "
		 "proposal_version, content_hash, prev_hash, extra, public_key, signature, step_hash, signed_at) "
		 "SELECT tenant, %" PRId64 ", idx, kind, role, actor, actor_name, verdict, note, proposal_version, content_hash, "
		 "prev_hash, extra, public_key, signature, step_hash, signed_at FROM governance_steps WHERE proposal_id = %" PRId64
		 " AND idx = 1", b, a);
	assert_int_equal(test_sql(&f->ts, sql), 0);
	expect_bad(f, b, 1);
	/* within A: the recommendation again after the decision */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO governance_steps (tenant, proposal_id, idx, kind, role, actor, actor_name, verdict, note, "
		 "proposal_version, content_hash, prev_hash, extra, public_key, signature, step_hash, signed_at) "
		 "SELECT tenant, proposal_id, 4, kind, role, actor, actor_name, verdict, note, proposal_version, content_hash, "
		 "prev_hash, extra, public_key, signature, step_hash, signed_at FROM governance_steps WHERE proposal_id = %" PRId64
		 " AND idx = 1", a);
	assert_int_equal(test_sql(&f->ts, sql), 0);
	expect_bad(f, a, 4);
}

/* ---- canonical form ---- */

static void test_canonical_message_layout(void **state)
{
	(void)state;
	gov_step_fields_t fl = { "52.71", 7, 2, "ab", 3, "saran", "sekda", "sekda", "cd", "setuju", "", "", 1780000000,
				 "ef" };
	sb_t m = SB_INIT;
	static const char want_start[] = "\0\0\0\x18sigap/governance/step/v1\0\0\0\x05" "52.71\0\0\0\x01" "7\0\0\0\x01" "2";
	governance_step_message(&fl, &m);
	assert_memory_equal(m.buf, want_start, sizeof(want_start) - 1);
	/* 15 fields: 24+5+1+1+2+1+5+5+5+2+6+0+0+10+2 bytes of text + 15*4 length bytes */
	assert_int_equal(m.len, 24 + 5 + 1 + 1 + 2 + 1 + 5 + 5 + 5 + 2 + 6 + 0 + 0 + 10 + 2 + 15 * 4);
	sb_release(&m);
	/* a field boundary cannot be moved: ("ab","c") != ("a","bc") */
	{
		gov_content_t c1 = { "usulan", "ab", "c", "", "", "", "biasa", 0, 0 };
		gov_content_t c2 = { "usulan", "a", "bc", "", "", "", "biasa", 0, 0 };
		char h1[GOV_HASH_HEX], h2[GOV_HASH_HEX];
		governance_content_hash("52.71", 1, 1, "X", &c1, "", h1);
		governance_content_hash("52.71", 1, 1, "X", &c2, "", h2);
		assert_string_not_equal(h1, h2);
	}
}

static void test_decision_title(void **state)
{
	char buf[128];
	(void)state;
	governance_decision_title("Wali Kota", "Kota Mataram", 12, 2026, buf, sizeof(buf));
	assert_string_equal(buf, "Keputusan Wali Kota Mataram Nomor 12/2026");
	governance_decision_title("Bupati", "Kabupaten Lombok Barat", 3, 2026, buf, sizeof(buf));
	assert_string_equal(buf, "Keputusan Bupati Lombok Barat Nomor 3/2026");
	governance_decision_title("Gubernur", "Provinsi Nusa Tenggara Barat", 1, 2027, buf, sizeof(buf));
	assert_string_equal(buf, "Keputusan Gubernur Nusa Tenggara Barat Nomor 1/2027");
	assert_int_equal(governance_urgency_days("biasa"), 10);
	assert_int_equal(governance_urgency_days("segera"), 5);
	assert_int_equal(governance_urgency_days("sangat_segera"), 2);
	assert_int_equal(governance_urgency_days("kilat"), -1);
}

/* ---- DPRD, pokir, reports, deadlines ---- */

/* A DPRD stage recorded (GOV_OP_DPRD_STAGE) or corrected (GOV_OP_DPRD_CORRECT,
 * note its reason); check: with the proposal's current version. */
static int dprd_op(fx_t *f, who_t *w, gov_op_t op, int64_t id, const char *stage, const char *day, const char *note,
		   int check, gov_action_t *out)
{
	gov_action_t a = { 0 };
	json_t *j = NULL;
	int32_t d = 0;
	int rc;
	assert_int_equal(cal_parse_date(day, &d), 0);
	a.op = op;
	a.tenant = T;
	a.now = NOW + 1000;
	a.actor = w->username;
	a.actor_name = "Nama Pejabat";
	a.role = w->role;
	a.proposal_id = id;
	a.verdict = stage;
	a.note = note;
	a.stage_day = d;
	if (check) {
		assert_int_equal(governance_get(store_reader(f->ts.st), T, id, ROLE_ADMIN, "", &j), 0);
		a.expected_version = json_integer_value(json_object_get(j, "version"));
		json_decref(j);
	}
	rc = governance_apply(f->ts.st, &a);
	if (out)
		*out = a;
	return rc;
}

static int dprd_stage(fx_t *f, who_t *w, int64_t id, const char *stage, const char *day, gov_action_t *out)
{
	return dprd_op(f, w, GOV_OP_DPRD_STAGE, id, stage, day, "", 0, out);
}

/* The DPRD items below are submitted ten days before NOW and approved by
 * the head on 2026-05-19 (WITA); their stages are recorded at NOW + 1000,
 * on 2026-05-29. */
#define EARLY (NOW - 10 * 86400)

/* A DPRD item submitted at EARLY, through the Sekda, the Wakil and the
 * head's approval. */
static int64_t dprd_item(fx_t *f)
{
	int64_t id = create(f, 1, EARLY);
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", EARLY + 1, NULL), 0);
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_RECOMMEND, id, "setuju", "", EARLY + 2, NULL), 0);
	assert_int_equal(do_act(f, &f->wakil, GOV_OP_CONSIDER, id, "setuju", "ok", EARLY + 3, NULL), 0);
	assert_int_equal(do_act(f, &f->kd, GOV_OP_DECIDE, id, "setuju", "", EARLY + 4, NULL), 0);
	return id;
}

/* A gov_tr_fn with the few English words the tests need. */
static const char *tr_en(void *ud, const char *msgid)
{
	static const char *const en[][2] = {
		{ "tanggal tahap tidak boleh sebelum %s, tanggal tahap sebelumnya (%s)",
		  "the stage date cannot be before %s, the date of the previous stage (%s)" },
		{ "Mei", "May" },
		{ "Diajukan ke DPRD", "Submitted to the DPRD" },
	};
	(void)ud;
	for (size_t i = 0; i < sizeof(en) / sizeof(en[0]); i++)
		if (!strcmp(msgid, en[i][0]))
			return en[i][1];
	return msgid;
}

/* A refused DPRD date: the code, that it names day (and stage), what the
 * refusal says in words and in the audit log; nothing recorded. */
static void date_refused(fx_t *f, int rc, const gov_action_t *a, const char *day, const char *stage, const char *text)
{
	char got[256], sql[256];
	int64_t n = 0;
	assert_int_equal(rc, ERR_INVALID);
	assert_string_equal(a->ret_day, day);
	if (stage)
		assert_string_equal(a->ret_stage, stage);
	else
		assert_null(a->ret_stage);
	governance_refusal_text(a, NULL, NULL, got, sizeof(got));
	assert_string_equal(got, text);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused' AND summary LIKE '%%%s'",
		 text);
	assert_int_equal(store_query_int64(store_reader(f->ts.st), &n, sql, ""), 0);
	assert_true(n >= 1);
}

static int64_t stage_rows(fx_t *f, int64_t id)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM governance_dprd WHERE proposal_id = %" PRId64, id);
	return count(f, sql);
}

static void test_dprd_stages(void **state)
{
	fx_t *f = *state;
	gov_action_t a;
	json_t *j = NULL, *inbox = json_array();
	int64_t plain = full_flow(f, "setuju", NULL);
	int64_t id = create(f, 1, EARLY);
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", EARLY + 1, NULL), 0);
	/* not before the head's decision */
	assert_int_equal(dprd_stage(f, &f->sekda, id, "diajukan", "2026-05-27", &a), ERR_CONFLICT);
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_RECOMMEND, id, "setuju", "", EARLY + 2, NULL), 0);
	assert_int_equal(do_act(f, &f->wakil, GOV_OP_CONSIDER, id, "setuju", "ok", EARLY + 3, NULL), 0);
	assert_int_equal(do_act(f, &f->kd, GOV_OP_DECIDE, id, "setuju", "", EARLY + 4, NULL), 0);
	assert_int_equal(dprd_stage(f, &f->sekda, plain, "diajukan", "2026-05-27", &a), ERR_CONFLICT);
	/* the DPRD member sees it */
	assert_int_equal(governance_inbox(store_reader(f->ts.st), T, ROLE_DPRD, "", "dprd", NOW, 0, 500, 0, inbox), 0);
	assert_int_equal(json_array_size(inbox), 1);
	json_decref(inbox);
	/* in order, with dates that do not go backwards or into the future */
	assert_int_equal(dprd_stage(f, &f->dprd, id, "pembahasan", "2026-05-27", &a), ERR_CONFLICT);
	assert_int_equal(dprd_stage(f, &f->petugas, id, "diajukan", "2026-05-27", &a), ERR_FORBIDDEN);
	/* not after the Pemda's today (2026-05-29 in WITA, still 2026-05-28
	 * in UTC), nor before the head approved it: each refusal names the
	 * date allowed, is audited, and records nothing */
	date_refused(f, dprd_stage(f, &f->sekda, id, "diajukan", "2026-06-30", &a), &a, "2026-05-29", NULL,
		     "tanggal tahap tidak boleh di masa depan: paling lambat hari ini, 29 Mei 2026");
	date_refused(f, dprd_stage(f, &f->sekda, id, "diajukan", "2026-05-30", &a), &a, "2026-05-29", NULL,
		     "tanggal tahap tidak boleh di masa depan: paling lambat hari ini, 29 Mei 2026");
	date_refused(f, dprd_stage(f, &f->sekda, id, "diajukan", "2026-05-18", &a), &a, "2026-05-19", NULL,
		     "tanggal tahap tidak boleh sebelum 19 Mei 2026, tanggal usulan disetujui Kepala Daerah");
	assert_int_equal(stage_rows(f, id), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.dprd'"), 0);
	assert_int_equal(dprd_stage(f, &f->sekda, id, "diajukan", "2026-05-20", NULL), 0);
	date_refused(f, dprd_stage(f, &f->dprd, id, "pembahasan", "2026-05-19", &a), &a, "2026-05-20", "Diajukan ke DPRD",
		     "tanggal tahap tidak boleh sebelum 20 Mei 2026, tanggal tahap sebelumnya (Diajukan ke DPRD)");
	assert_int_equal(stage_rows(f, id), 1);
	/* the same day as the stage before; today */
	assert_int_equal(dprd_stage(f, &f->dprd, id, "pembahasan", "2026-05-20", NULL), 0);
	assert_int_equal(dprd_stage(f, &f->dprd, id, "disetujui", "2026-05-29", NULL), 0);
	assert_int_equal(dprd_stage(f, &f->dprd, id, "ditolak", "2026-05-29", &a), ERR_CONFLICT);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.dprd'"), 3);
	assert_int_equal(governance_get(store_reader(f->ts.st), T, id, ROLE_DPRD, "", &j), 0);
	assert_int_equal(json_array_size(json_object_get(j, "dprd")), 3);
	/* in the order of the stages, though recorded in the same second */
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "dprd"), 0), "stage")), "diajukan");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "dprd"), 1), "stage")), "pembahasan");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "dprd"), 2), "stage")), "disetujui");
	assert_string_equal(json_string_value(json_object_get(j, "dprd_stage")), "disetujui");
	json_decref(j);
}

#define dprd_fix(f, w, id, stage, day, reason, check, out) \
	dprd_op(f, w, GOV_OP_DPRD_CORRECT, id, stage, day, reason, check, out)

static void test_dprd_correction(void **state)
{
	fx_t *f = *state;
	gov_action_t a;
	json_t *j = NULL, *st, *k, *inbox = json_array();
	int64_t n = 0, plain = full_flow(f, "setuju", NULL);
	int64_t id = dprd_item(f);
	store_conn_t *c = store_reader(f->ts.st);
	/* nothing recorded yet: nothing to correct; no DPRD item at all */
	assert_int_equal(dprd_fix(f, &f->dprd, id, "diajukan", "2026-05-20", "salah", 1, &a), ERR_CONFLICT);
	assert_string_equal(a.ret_msgid, "belum ada tahap DPRD yang dicatat, jadi belum ada yang dapat dikoreksi");
	assert_int_equal(dprd_fix(f, &f->sekda, plain, "diajukan", "2026-05-20", "salah", 1, &a), ERR_CONFLICT);
	assert_string_equal(a.ret_msgid, "usulan ini tidak memerlukan persetujuan DPRD");
	assert_int_equal(dprd_stage(f, &f->sekda, id, "diajukan", "2026-05-20", NULL), 0);
	assert_int_equal(dprd_stage(f, &f->dprd, id, "pembahasan", "2026-05-22", NULL), 0);
	assert_int_equal(dprd_stage(f, &f->dprd, id, "ditolak", "2026-05-27", NULL), 0);
	/* refusals: the role, the reason, the stage's place, the version, the dates, no change */
	{
		const struct {
			who_t *w;
			const char *stage, *day, *reason;
			int check, rc;
			const char *msgid; /* NULL: not checked */
		} no[] = {
			{ &f->wakil, "disetujui", "2026-05-27", "salah", 1, ERR_FORBIDDEN, NULL },
			{ &f->petugas, "disetujui", "2026-05-27", "salah", 1, ERR_FORBIDDEN, NULL },
			{ &f->dprd, "disetujui", "2026-05-27", "", 1, ERR_INVALID, "tuliskan alasan koreksi" },
			{ &f->dprd, "disetujui", "2026-05-27", "a\001b", 1, ERR_INVALID, NULL },
			{ &f->dprd, "pembahasan", "2026-05-27", "salah", 1, ERR_INVALID,
			  "hasil DPRD hanya dapat dikoreksi menjadi disetujui atau ditolak" },
			{ &f->dprd, "disetujui", "2026-05-27", "salah", 0, ERR_INVALID, NULL },
			{ &f->dprd, "disetujui", "2026-05-21", "salah", 1, ERR_INVALID,
			  "tanggal tahap tidak boleh sebelum %s, tanggal tahap sebelumnya (%s)" },
			{ &f->dprd, "disetujui", "2026-06-30", "salah", 1, ERR_INVALID,
			  "tanggal tahap tidak boleh di masa depan: paling lambat hari ini, %s" },
			{ &f->dprd, "ditolak", "2026-05-27", "salah", 1, ERR_INVALID,
			  "koreksi tidak mengubah apa pun: tahap dan tanggalnya sama dengan yang tercatat" },
		};
		for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
			assert_int_equal(dprd_fix(f, no[i].w, id, no[i].stage, no[i].day, no[i].reason, no[i].check, &a),
					 no[i].rc);
			if (no[i].msgid)
				assert_string_equal(a.ret_msgid, no[i].msgid);
		}
	}
	assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM governance_dprd_corrections", ""), 0);
	assert_int_equal(n, 0);
	/* the outcome corrected, then its date: the stage as it stands, both corrections kept */
	assert_int_equal(dprd_fix(f, &f->dprd, id, "disetujui", "2026-05-27", "salah pilih", 1, NULL), 0);
	assert_int_equal(dprd_fix(f, &f->sekda, id, "disetujui", "2026-05-28", "tanggal berita acara", 1, NULL), 0);
	assert_int_equal(governance_get(c, T, id, ROLE_DPRD, "", &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "dprd_stage")), "disetujui");
	assert_int_equal(json_integer_value(json_object_get(j, "dprd_corrections")), 2);
	st = json_array_get(json_object_get(j, "dprd"), 2);
	assert_string_equal(json_string_value(json_object_get(st, "stage")), "disetujui");
	assert_string_equal(json_string_value(json_object_get(st, "day")), "2026-05-28");
	assert_true(json_is_true(json_object_get(st, "corrected")));
	assert_int_equal(json_array_size(json_object_get(st, "corrections")), 2);
	k = json_array_get(json_object_get(st, "corrections"), 0);
	assert_string_equal(json_string_value(json_object_get(k, "stage_before")), "ditolak");
	assert_string_equal(json_string_value(json_object_get(k, "day_before")), "2026-05-27");
	assert_string_equal(json_string_value(json_object_get(k, "stage_after")), "disetujui");
	assert_string_equal(json_string_value(json_object_get(k, "reason")), "salah pilih");
	assert_string_equal(json_string_value(json_object_get(k, "actor_role")), "dprd");
	k = json_array_get(json_object_get(st, "corrections"), 1);
	assert_string_equal(json_string_value(json_object_get(k, "day_before")), "2026-05-27");
	assert_string_equal(json_string_value(json_object_get(k, "day_after")), "2026-05-28");
	assert_string_equal(json_string_value(json_object_get(k, "actor")), "sekda");
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(j, "dprd"), 0), "corrected")));
	json_decref(j);
	/* audited, each; the other side notified */
	assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.dprd_correct'", ""), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM notifications WHERE message = 'Tahap DPRD dikoreksi'", ""), 0);
	assert_int_equal(n, 2);
	/* the list says how many corrections an item had */
	assert_int_equal(governance_inbox(c, T, ROLE_DPRD, "", "dprd", NOW, 1, 500, 0, inbox), 0);
	assert_int_equal(json_array_size(inbox), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(inbox, 0), "dprd_corrections")), 2);
	json_decref(inbox);
}

/* A correction is held to the dates a recording is: not before the head's
 * approval nor the stage before, not after today. Dates stored before
 * these rules (a stage dated before the approval) still read; only what
 * is recorded next is checked. */
static void test_dprd_dates_on_correction_and_old_records(void **state)
{
	fx_t *f = *state;
	gov_action_t a;
	json_t *j = NULL, *inbox = json_array();
	char sql[512];
	int64_t id = dprd_item(f), old = dprd_item(f);
	assert_int_equal(dprd_stage(f, &f->sekda, id, "diajukan", "2026-05-25", NULL), 0);
	date_refused(f, dprd_fix(f, &f->dprd, id, "diajukan", "2026-05-18", "salah tanggal", 1, &a), &a, "2026-05-19", NULL,
		     "tanggal tahap tidak boleh sebelum 19 Mei 2026, tanggal usulan disetujui Kepala Daerah");
	date_refused(f, dprd_fix(f, &f->dprd, id, "diajukan", "2026-05-30", "salah tanggal", 1, &a), &a, "2026-05-29", NULL,
		     "tanggal tahap tidak boleh di masa depan: paling lambat hari ini, 29 Mei 2026");
	assert_int_equal(count(f, "SELECT COUNT(*) FROM governance_dprd_corrections"), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.dprd_correct'"), 0);
	/* the day of the approval itself; today */
	assert_int_equal(dprd_fix(f, &f->dprd, id, "diajukan", "2026-05-19", "salah tanggal", 1, NULL), 0);
	assert_int_equal(dprd_stage(f, &f->dprd, id, "pembahasan", "2026-05-29", NULL), 0);
	/* both bound it on the same day: the nearer event, the stage before, is named */
	date_refused(f, dprd_fix(f, &f->dprd, id, "pembahasan", "2026-05-18", "salah tanggal", 1, &a), &a, "2026-05-19",
		     "Diajukan ke DPRD",
		     "tanggal tahap tidak boleh sebelum 19 Mei 2026, tanggal tahap sebelumnya (Diajukan ke DPRD)");
	assert_int_equal(dprd_fix(f, &f->dprd, id, "pembahasan", "2026-05-19", "salah tanggal", 1, NULL), 0);
	/* in English: the month and the stage translated too */
	{
		char got[256];
		gov_action_t e = a;
		governance_refusal_text(&e, tr_en, NULL, got, sizeof(got));
		assert_string_equal(got, "the stage date cannot be before 19 May 2026, the date of the previous stage "
					 "(Submitted to the DPRD)");
	}

	/* stored before these rules: submitted to the DPRD on 2026-05-10, nine
	 * days before the head approved it */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO governance_dprd (tenant, proposal_id, stage, stage_day, note, actor, created_at) "
		 "VALUES ('%s', %" PRId64 ", 'diajukan', '2026-05-10', '', 'sekda', %d)",
		 T, old, EARLY + 100);
	assert_int_equal(test_sql(&f->ts, sql), 0);
	snprintf(sql, sizeof(sql), "UPDATE governance_proposals SET dprd_stage = 'diajukan' WHERE id = %" PRId64, old);
	assert_int_equal(test_sql(&f->ts, sql), 0);
	assert_int_equal(governance_get(store_reader(f->ts.st), T, old, ROLE_DPRD, "", &j), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "dprd"), 0), "day")),
			    "2026-05-10");
	json_decref(j);
	assert_int_equal(governance_inbox(store_reader(f->ts.st), T, ROLE_DPRD, "", "dprd", NOW, 0, 500, 0, inbox), 0);
	assert_int_equal(json_array_size(inbox), 2);
	json_decref(inbox);
	/* the next stage is held to the later of the two: the approval */
	date_refused(f, dprd_stage(f, &f->dprd, old, "pembahasan", "2026-05-15", &a), &a, "2026-05-19", NULL,
		     "tanggal tahap tidak boleh sebelum 19 Mei 2026, tanggal usulan disetujui Kepala Daerah");
	assert_int_equal(dprd_stage(f, &f->dprd, old, "pembahasan", "2026-05-19", NULL), 0);
}

static void test_pokir_becomes_opd_proposal(void **state)
{
	fx_t *f = *state;
	gov_action_t a = { 0 };
	json_t *inbox = json_array();
	a.op = GOV_OP_POKIR;
	a.tenant = T;
	a.now = NOW;
	a.actor = "dprd";
	a.role = ROLE_DPRD;
	a.unit = "NOPE";
	a.content.title = "Perbaikan drainase";
	a.content.background = "Banjir di Ampenan";
	assert_int_equal(governance_apply(f->ts.st, &a), ERR_INVALID);
	a.unit = UNIT;
	assert_int_equal(governance_apply(f->ts.st, &a), 0);
	assert_int_equal(governance_inbox(store_reader(f->ts.st), T, ROLE_KEPALA_OPD, UNIT, "kepala_opd", NOW, 0, 500, 0, inbox), 0);
	assert_int_equal(json_array_size(inbox), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(inbox, 0), "origin")), "pokir");
	json_decref(inbox);
	inbox = json_array();
	assert_int_equal(governance_inbox(store_reader(f->ts.st), T, ROLE_KEPALA_OPD, "DINKES", "x", NOW, 1, 500, 0, inbox), 0);
	assert_int_equal(json_array_size(inbox), 0);
	json_decref(inbox);
	/* a sekda cannot send pokir */
	a.role = ROLE_SEKDA;
	assert_int_equal(governance_apply(f->ts.st, &a), ERR_FORBIDDEN);
	/* the OPD takes it on: the kepala OPD submits it */
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, a.ret_id, NULL, "", NOW + 1, NULL), 0);
}

static void test_differences_and_pending(void **state)
{
	fx_t *f = *state;
	json_t *arr = json_array();
	int64_t id = create(f, 0, NOW);
	store_conn_t *c = store_reader(f->ts.st);
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", NOW + 1, NULL), 0);
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_RECOMMEND, id, "tidak_setuju", "anggaran belum ada", NOW + 2, NULL), 0);
	assert_int_equal(do_act(f, &f->wakil, GOV_OP_CONSIDER, id, "setuju", "baik", NOW + 3, NULL), 0);
	/* approving against the Sekda's advice needs the reason, blanks are none */
	assert_int_equal(do_act(f, &f->kd, GOV_OP_DECIDE, id, "setuju", "", NOW + 4, NULL), ERR_INVALID);
	assert_int_equal(do_act(f, &f->kd, GOV_OP_DECIDE, id, "setuju", " \n ", NOW + 4, NULL), ERR_INVALID);
	assert_int_equal(do_act(f, &f->kd, GOV_OP_DECIDE, id, "setuju", "manfaatnya lebih besar", NOW + 4, NULL), 0);
	full_flow(f, "setuju", NULL); /* agrees everywhere: not listed */
	assert_int_equal(governance_differences(c, T, arr), 0);
	assert_int_equal(json_array_size(arr), 1);
	assert_true(json_is_true(json_object_get(json_array_get(arr, 0), "sekda_differs")));
	assert_false(json_is_true(json_object_get(json_array_get(arr, 0), "wakil_differs")));
	json_decref(arr);
	arr = json_array();
	create(f, 0, NOW);
	id = create(f, 0, NOW);
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", NOW + 1, NULL), 0);
	assert_int_equal(governance_pending_by_unit(c, T, NOW + 30 * 86400, arr), 0);
	assert_int_equal(json_array_size(arr), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "draf")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "diajukan")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "overdue")), 1);
	json_decref(arr);
}

static void test_deadlines_and_reminders(void **state)
{
	fx_t *f = *state;
	int64_t id = create(f, 0, NOW), due = 0;
	store_conn_t *c = store_reader(f->ts.st);
	json_t *inbox = json_array();
	/* urgency segera: 5 working days; NOW is Friday 2026-05-29 04:26 WITA */
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", NOW, NULL), 0);
	assert_int_equal(store_query_int64(c, &due, "SELECT due_at FROM governance_proposals WHERE id = ?", "i", id), 0);
	{
		char d[CAL_DATE_LEN];
		cal_format_date(cal_local_day(due, 8 * 3600), d);
		/* Fri 29 May + 5 working days (no holidays loaded) = Fri 5 June, end of day */
		assert_string_equal(d, "2026-06-05");
		assert_int_equal(cal_local_day(due + 1, 8 * 3600), cal_local_day(due, 8 * 3600) + 1);
	}
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 3600), 0);
	assert_int_equal(governance_deadline_sweep(f->ts.st, due - 3600), 1); /* due today */
	assert_int_equal(governance_deadline_sweep(f->ts.st, due - 60), 0);
	assert_int_equal(governance_deadline_sweep(f->ts.st, due + 60), 1); /* overdue */
	assert_int_equal(governance_deadline_sweep(f->ts.st, due + 86400), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM notifications WHERE kind = 'governance.overdue' AND role = 'sekda'"), 1);
	assert_int_equal(governance_inbox(c, T, ROLE_SEKDA, "", "sekda", due + 60, 0, 500, 0, inbox), 0);
	assert_int_equal(json_array_size(inbox), 1);
	assert_true(json_is_true(json_object_get(json_array_get(inbox, 0), "overdue")));
	json_decref(inbox);
	/* the next step starts a new deadline and new reminders */
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_RECOMMEND, id, "setuju", "", due + 100, NULL), 0);
	assert_int_equal(governance_deadline_sweep(f->ts.st, due + 200), 0);
}

/* Attachments are part of the signed content: adding one makes a new
 * version; changing the list afterwards breaks the signature. */
static void test_attachments_are_signed(void **state)
{
	fx_t *f = *state;
	gov_action_t a = { 0 };
	gov_verify_report_t rep;
	char sql[300];
	int64_t id = create(f, 0, NOW), v = 0;
	a = (gov_action_t){ .op = GOV_OP_ATTACH, .tenant = T, .now = NOW + 1, .actor = "petugas", .role = ROLE_PETUGAS,
			    .actor_unit = UNIT, .proposal_id = id,
			    .file_hash = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			    .file_name = "kajian.pdf", .file_mime = "application/pdf", .file_size = 1234 };
	assert_int_equal(governance_apply(f->ts.st, &a), 0);
	assert_int_equal(governance_apply(f->ts.st, &a), ERR_CONFLICT); /* the same file twice */
	a.file_hash = "short";
	assert_int_equal(governance_apply(f->ts.st, &a), ERR_INVALID);
	assert_int_equal(store_query_int64(store_reader(f->ts.st), &v,
					   "SELECT content_version FROM governance_proposals WHERE id = ?", "i", id),
			 0);
	assert_int_equal(v, 2);
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, id, NULL, "", NOW + 2, NULL), 0);
	/* no more attachments once submitted */
	a.file_hash = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	assert_int_equal(governance_apply(f->ts.st, &a), ERR_CONFLICT);
	verify(f, id, &rep);
	assert_true(rep.ok);
	snprintf(sql, sizeof(sql), "UPDATE governance_versions SET attachments = '' WHERE proposal_id = %" PRId64, id);
	assert_int_equal(test_sql(&f->ts, sql), 0);
	expect_bad(f, id, 0);
}

/* The demo loader: keys with the demo passphrase, five proposals in
 * different states, every chain valid; a second run changes nothing. */
static void test_demo_load(void **state)
{
	test_store_t ts;
	static const char *const users[] = { "kepala_opd", "sekda", "wakil", "kepala_daerah" };
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	store_stmt_t *s;
	int64_t n = 0;
	int rc;
	(void)state;
	test_store_open(&ts);
	assert_int_equal(test_sql(&ts, "INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) "
				       "VALUES ('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0)"),
			 0);
	assert_int_equal(test_sql(&ts, "INSERT INTO units (tenant, code, name, kind, created_at) VALUES "
				       "('52.71', 'DISDUKCAPIL', 'Dinas Kependudukan', 'dinas', 0)"),
			 0);
	for (int i = 0; i < 4; i++) {
		char sql[400];
		snprintf(sql, sizeof(sql),
			 "INSERT INTO users (tenant, username, full_name, role, unit, password_hash, created_at, updated_at) "
			 "VALUES ('52.71', '%s', 'Pejabat %s', '%s', %s, 'x', 0, 0)",
			 users[i], users[i], users[i], i == 0 ? "'DISDUKCAPIL'" : "NULL");
		assert_int_equal(test_sql(&ts, sql), 0);
	}
	assert_int_equal(governance_demo_load(ts.st), 0);
	assert_int_equal(governance_demo_load(ts.st), 0);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n, "SELECT COUNT(*) FROM governance_proposals", ""), 0);
	assert_int_equal(n, 5);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n,
					   "SELECT COUNT(*) FROM governance_decisions WHERE number <> ''", ""),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(governance_key_unseal(store_reader(ts.st), "52.71", "kepala_daerah", "sigap-demo-2026", sk), 0);
	assert_int_equal(store_prepare(store_reader(ts.st), "SELECT id FROM governance_proposals ORDER BY id", &s), 0);
	while ((rc = store_step(s)) == STORE_ROW) {
		gov_verify_report_t rep;
		int64_t id = store_col_int64(s, 0);
		store_conn_t *c = store_reader(ts.st);
		assert_int_equal(governance_verify(c, "52.71", id, &rep), 0);
		if (!rep.ok)
			print_error("demo proposal %" PRId64 ": %s\n", id, rep.message);
		assert_true(rep.ok);
	}
	store_finalize(s);
	assert_int_equal(rc, STORE_DONE);
	test_store_close(&ts);
}

/* Pages show labels, never codes: the inbox items carry the label of the
 * urgency (sifat), of the DPRD stage and the OPD's name. */
static void test_inbox_items_carry_labels(void **state)
{
	fx_t *f = *state;
	json_t *arr = json_array(), *it;
	gov_action_t a = { 0 };
	assert_string_equal(governance_urgency_label("biasa"), "biasa");
	assert_string_equal(governance_urgency_label("sangat_segera"), "sangat segera");
	assert_string_equal(governance_urgency_label("nope"), "");
	assert_string_equal(governance_urgency_label(NULL), "");
	assert_string_equal(governance_dprd_stage_label("pembahasan"), "Pembahasan");
	assert_string_equal(governance_dprd_stage_label("diajukan"), "Diajukan ke DPRD");
	assert_string_equal(governance_dprd_stage_label(""), "");
	a.op = GOV_OP_CREATE;
	a.tenant = T;
	a.now = NOW;
	a.actor = "petugas";
	a.role = ROLE_PETUGAS;
	a.actor_unit = UNIT;
	a.content = (gov_content_t){ "usulan", "Sangat mendesak", "Latar", "", "", "", "sangat_segera", 0, 0 };
	assert_int_equal(governance_apply(f->ts.st, &a), 0);
	assert_int_equal(governance_inbox(store_reader(f->ts.st), T, ROLE_KEPALA_OPD, UNIT, "kepala_opd", NOW, 0, 500, 0, arr), 0);
	assert_int_equal(json_array_size(arr), 1);
	it = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(it, "urgency")), "sangat_segera");
	assert_string_equal(json_string_value(json_object_get(it, "urgency_label")), "sangat segera");
	assert_string_equal(json_string_value(json_object_get(it, "unit_name")), "Dinas Kependudukan");
	assert_string_equal(json_string_value(json_object_get(it, "dprd_stage_label")), "");
	json_decref(arr);
}

/* What the list shows agrees with what each role may open: the
 * administrator reads every proposal (governance_get), so "all" lists every
 * one, and its inbox is empty because it acts on none; a DPRD member's inbox
 * holds only what waits for a DPRD stage, not its own pokok pikiran (drafts
 * of the OPD, which only the OPD acts on); those are in its "all" list. */
static void test_inbox_admin_and_dprd_agree_with_access(void **state)
{
	fx_t *f = *state;
	store_conn_t *c = store_reader(f->ts.st);
	json_t *arr = json_array(), *it, *p = NULL;
	gov_action_t a = { 0 };
	size_t i;
	int64_t pokir, dprd_item, plain = full_flow(f, "setuju", NULL);
	(void)plain;
	dprd_item = create(f, 1, NOW);
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, dprd_item, NULL, "", NOW + 1, NULL), 0);
	assert_int_equal(do_act(f, &f->sekda, GOV_OP_RECOMMEND, dprd_item, "setuju", "", NOW + 2, NULL), 0);
	assert_int_equal(do_act(f, &f->wakil, GOV_OP_CONSIDER, dprd_item, "setuju", "ok", NOW + 3, NULL), 0);
	assert_int_equal(do_act(f, &f->kd, GOV_OP_DECIDE, dprd_item, "setuju", "", NOW + 4, NULL), 0);
	create(f, 0, NOW); /* a draft */
	a.op = GOV_OP_POKIR;
	a.tenant = T;
	a.now = NOW;
	a.actor = "dprd";
	a.role = ROLE_DPRD;
	a.unit = "DINKES";
	a.content.title = "Pokir puskesmas";
	a.content.background = "Antrean";
	assert_int_equal(governance_apply(f->ts.st, &a), 0);
	pokir = a.ret_id;

	/* admin: everything with all = 1, and each one opens */
	assert_int_equal(governance_inbox(c, T, ROLE_ADMIN, "", "admin", NOW, 1, 500, 0, arr), 0);
	assert_int_equal(json_array_size(arr), 4);
	json_array_foreach(arr, i, it) {
		assert_int_equal(governance_get(c, T, json_integer_value(json_object_get(it, "id")), ROLE_ADMIN, "", &p), 0);
		json_decref(p);
	}
	json_decref(arr);
	arr = json_array();
	assert_int_equal(governance_inbox(c, T, ROLE_ADMIN, "", "admin", NOW, 0, 500, 0, arr), 0);
	assert_int_equal(json_array_size(arr), 0);
	json_decref(arr);

	/* dprd: the inbox has the item waiting for a DPRD stage only */
	arr = json_array();
	assert_int_equal(governance_inbox(c, T, ROLE_DPRD, "", "dprd", NOW, 0, 500, 0, arr), 0);
	assert_int_equal(json_array_size(arr), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "id")), dprd_item);
	json_decref(arr);
	/* all = 1: the DPRD item and the pokir, each of which opens */
	arr = json_array();
	assert_int_equal(governance_inbox(c, T, ROLE_DPRD, "", "dprd", NOW, 1, 500, 0, arr), 0);
	assert_int_equal(json_array_size(arr), 2);
	json_array_foreach(arr, i, it) {
		int64_t id = json_integer_value(json_object_get(it, "id"));
		assert_true(id == dprd_item || id == pokir);
		assert_int_equal(governance_get(c, T, id, ROLE_DPRD, "", &p), 0);
		json_decref(p);
	}
	json_decref(arr);
	/* a warga or koordinator: nothing, and cannot open */
	arr = json_array();
	assert_int_equal(governance_inbox(c, T, ROLE_WARGA, "", "warga", NOW, 1, 500, 0, arr), 0);
	assert_int_equal(json_array_size(arr), 0);
	json_decref(arr);
	assert_int_equal(governance_get(c, T, pokir, ROLE_WARGA, "", &p), ERR_FORBIDDEN);
}

/* ---- replacing a lost key: retired keys ---- */

static int keyreq(fx_t *f, gov_keyreq_op_t op, who_t *w, int64_t id, int64_t now, gov_keyreq_t *out)
{
	gov_keyreq_t k = { 0 };
	int rc;
	k.op = op;
	k.tenant = T;
	k.actor = w->username;
	k.role = w->role;
	k.now = now;
	k.id = id;
	k.sk = w->sk;
	k.lim = (auth_limits_t){ 5, 900, 900, 0, 0 };
	rc = store_tx(f->ts.st, governance_keyreq_tx, &k);
	if (out)
		*out = k;
	return rc < 0 ? rc : k.rc;
}

/* opd asks, sekda approves at `at`: the request's id */
static int64_t retire_opd_key(fx_t *f, int64_t at)
{
	gov_keyreq_t k;
	assert_int_equal(keyreq(f, GOV_KEYREQ_ASK, &f->opd, 0, at - 50, &k), 0);
	assert_true(k.ret_id > 0);
	assert_int_equal(keyreq(f, GOV_KEYREQ_APPROVE, &f->sekda, k.ret_id, at, NULL), 0);
	return k.ret_id;
}

static void expect_ok(fx_t *f, int64_t id)
{
	gov_verify_report_t rep;
	verify(f, id, &rep);
	if (!rep.ok)
		print_error("verify: %s\n", rep.message);
	assert_true(rep.ok);
}

static void test_retired_key_verifies_what_it_signed_before(void **state)
{
	fx_t *f = *state;
	int64_t before = full_flow(f, "setuju", NULL), later = create(f, 0, NOW), fresh = create(f, 0, NOW);
	int64_t same = create(f, 0, NOW);
	int64_t retired_at = NOW + 1000, rid, n = 0;
	store_conn_t *c = store_reader(f->ts.st);
	const char *msgid = NULL;
	unsigned char old_sk[crypto_sign_SECRETKEYBYTES];
	char pk[65], sql[1024];
	gov_verify_report_t rep;
	audit_report_t ar;
	sodium_bin2hex(pk, sizeof(pk), f->opd.pk, sizeof(f->opd.pk));
	memcpy(old_sk, f->opd.sk, sizeof(old_sk));
	/* signed in the very second the key is retired, just before */
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, same, NULL, "", retired_at, NULL), 0);
	rid = retire_opd_key(f, retired_at);
	/* the key moved: no current key, one retired row with its time */
	assert_int_equal(governance_key_exists(c, T, "kepala_opd", NULL), 0);
	assert_int_equal(store_query_int64(c, &n, "SELECT retired_at FROM governance_retired_keys WHERE tenant = ? AND "
						  "public_key = ? AND username = 'kepala_opd'", "tt", T, pk), 0);
	assert_true(n == retired_at);
	/* what it signed before its retirement still verifies, in its last second too */
	expect_ok(f, before);
	expect_ok(f, same);
	/* it can never sign again */
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, later, NULL, "", retired_at + 10, NULL), ERR_INVALID);
	/* put back behind sigap's back, it signs; verification rejects the step made after its retirement
	 * (beyond the clocks' tolerance) */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO governance_keys (tenant, username, full_name, role, public_key, sealed_key, salt, nonce, "
		 "opslimit, memlimit, created_at) VALUES ('%s', 'kepala_opd', 'x', 'kepala_opd', '%s', '00', '00', '00', 1, 1, 0)",
		 T, pk);
	assert_int_equal(test_sql(&f->ts, sql), 0);
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, later, NULL, "", retired_at + GOV_RETIRE_SKEW + 1, NULL), 0);
	verify(f, later, &rep);
	assert_false(rep.ok);
	assert_int_equal(rep.bad_step, 0);
	assert_string_equal(rep.msgid, "langkah ditandatangani dengan kunci yang sudah dipensiunkan");
	/* taken out again */
	assert_int_equal(test_sql(&f->ts, "DELETE FROM governance_keys WHERE username = 'kepala_opd'"), 0);
	/* the new key: not before a day has passed since the approval, then once */
	assert_int_equal(governance_key_create(f->ts.st, T, "kepala_opd", "Kepala", ROLE_KEPALA_OPD, "frasa-sandi-baru-1",
					       retired_at + GOV_REPLACE_WAIT - 1, &msgid),
			 ERR_CONFLICT);
	assert_string_equal(msgid, "kunci baru baru dapat dibuat 24 jam setelah penggantian kunci disetujui");
	assert_int_equal(governance_key_create(f->ts.st, T, "kepala_opd", "Kepala", ROLE_KEPALA_OPD, "frasa-sandi-baru-1",
					       retired_at + GOV_REPLACE_WAIT, &msgid),
			 0);
	assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM governance_key_requests WHERE id = ? AND "
						  "state = 'selesai'", "i", rid), 0);
	assert_true(n == 1);
	assert_int_equal(governance_key_unseal(c, T, "kepala_opd", "frasa-sandi-baru-1", f->opd.sk), 0);
	/* the new key signs and verifies; the old one's earlier chain still does */
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, fresh, NULL, "", retired_at + GOV_REPLACE_WAIT + 5, NULL), 0);
	expect_ok(f, fresh);
	expect_ok(f, before);
	/* and the old secret key, though current nowhere, still cannot be used */
	memcpy(f->opd.sk, old_sk, sizeof(old_sk));
	assert_int_equal(do_act(f, &f->opd, GOV_OP_RETURN, fresh, NULL, "x", retired_at + GOV_REPLACE_WAIT + 9, NULL),
			 ERR_FORBIDDEN);
	/* the audit chain holds */
	assert_int_equal(audit_verify(f->ts.st, T, &ar), 0);
	assert_true(ar.ok);
	sodium_memzero(old_sk, sizeof(old_sk));
}

static void test_retirement_record_tampering_rejected(void **state)
{
	fx_t *f = *state;
	int64_t before = full_flow(f, "setuju", NULL);
	char other[65];
	unsigned char opk[crypto_sign_PUBLICKEYBYTES], osk[crypto_sign_SECRETKEYBYTES];
	retire_opd_key(f, NOW + 1000);
	expect_ok(f, before);
	/* a later retirement time, to make the key valid longer: the approver's signature no longer matches */
	assert_int_equal(test_sql(&f->ts, "UPDATE governance_retired_keys SET retired_at = retired_at + 5000"), 0);
	expect_bad(f, before, 0);
	assert_int_equal(test_sql(&f->ts, "UPDATE governance_retired_keys SET retired_at = retired_at - 5000"), 0);
	expect_ok(f, before);
	/* an approver who may not approve (the Wakil for a kepala OPD) */
	assert_int_equal(test_sql(&f->ts, "UPDATE governance_retired_keys SET approver_role = 'wakil'"), 0);
	expect_bad(f, before, 0);
	assert_int_equal(test_sql(&f->ts, "UPDATE governance_retired_keys SET approver_role = 'sekda'"), 0);
	/* a retirement signed with a key that is not the approver's */
	crypto_sign_keypair(opk, osk);
	sodium_bin2hex(other, sizeof(other), opk, sizeof(opk));
	{
		char sql[300];
		snprintf(sql, sizeof(sql), "UPDATE governance_retired_keys SET approver_key = '%s'", other);
		assert_int_equal(test_sql(&f->ts, sql), 0);
	}
	expect_bad(f, before, 0);
}

/* The Sekda who approved a retirement later has their own key retired: the
 * first retirement still verifies, through the second one, whose record is
 * checked in turn (a row put in behind sigap's back to make the approver's
 * key look valid does not pass). */
static void test_retirement_chain_checked_through_the_approvers_retirement(void **state)
{
	fx_t *f = *state;
	int64_t before = create(f, 0, NOW); /* signed by the OPD alone: the Sekda's own steps are not in it */
	gov_keyreq_t k;
	assert_int_equal(do_act(f, &f->opd, GOV_OP_SUBMIT, before, NULL, "", NOW + 10, NULL), 0);
	retire_opd_key(f, NOW + 1000);
	/* the Kepala Daerah approves the replacement of the Sekda's key, later */
	assert_int_equal(keyreq(f, GOV_KEYREQ_ASK, &f->sekda, 0, NOW + 1950, &k), 0);
	assert_true(k.ret_id > 0);
	assert_int_equal(keyreq(f, GOV_KEYREQ_APPROVE, &f->kd, k.ret_id, NOW + 2000, NULL), 0);
	expect_ok(f, before);
	/* the Sekda's retirement record altered: the Kepala Daerah's signature over it fails, so the
	 * Sekda's approval of the first retirement no longer counts, and the OPD's old key neither */
	assert_int_equal(test_sql(&f->ts, "UPDATE governance_retired_keys SET retired_at = retired_at + 5000 "
					  "WHERE username = 'sekda'"),
			 0);
	expect_bad(f, before, 0);
	assert_int_equal(test_sql(&f->ts, "UPDATE governance_retired_keys SET retired_at = retired_at - 5000 "
					  "WHERE username = 'sekda'"),
			 0);
	expect_ok(f, before);
	/* its approver's role made wrong (the Wakil may not approve a Sekda's replacement) */
	assert_int_equal(test_sql(&f->ts, "UPDATE governance_retired_keys SET approver_role = 'wakil' WHERE username = "
					  "'sekda'"),
			 0);
	expect_bad(f, before, 0);
}

static void test_replacement_refusals(void **state)
{
	fx_t *f = *state;
	who_t admin = { "admin", ROLE_ADMIN, "", { 0 }, { 0 } }, petugas = f->petugas;
	gov_keyreq_t k;
	int64_t id, n = 0;
	store_conn_t *c = store_reader(f->ts.st);
	/* roles that do not sign cannot ask */
	assert_int_equal(keyreq(f, GOV_KEYREQ_ASK, &petugas, 0, NOW, NULL), ERR_FORBIDDEN);
	assert_int_equal(keyreq(f, GOV_KEYREQ_ASK, &f->opd, 0, NOW, &k), 0);
	id = k.ret_id;
	/* a second one while it is open */
	assert_int_equal(keyreq(f, GOV_KEYREQ_ASK, &f->opd, 0, NOW + 1, &k), ERR_CONFLICT);
	assert_string_equal(k.msgid, "permintaan penggantian kunci Anda masih berjalan");
	/* never the administrator, nor a Wakil or the Kepala Daerah for a kepala OPD */
	assert_int_equal(keyreq(f, GOV_KEYREQ_APPROVE, &admin, id, NOW + 2, NULL), ERR_FORBIDDEN);
	assert_int_equal(keyreq(f, GOV_KEYREQ_APPROVE, &f->wakil, id, NOW + 2, NULL), ERR_FORBIDDEN);
	assert_int_equal(keyreq(f, GOV_KEYREQ_APPROVE, &f->kd, id, NOW + 2, NULL), ERR_FORBIDDEN);
	/* the Sekda with a wrong passphrase, or the wrong key */
	k = (gov_keyreq_t){ 0 };
	{
		gov_keyreq_t w = { .op = GOV_KEYREQ_APPROVE, .tenant = T, .actor = "sekda", .role = ROLE_SEKDA, .now = NOW + 3,
				   .id = id, .passphrase_failed = 1, .lim = { 5, 900, 900, 0, 0 } };
		assert_int_equal(store_tx(f->ts.st, governance_keyreq_tx, &w), 0);
		assert_int_equal(w.rc, ERR_FORBIDDEN);
		w = (gov_keyreq_t){ .op = GOV_KEYREQ_APPROVE, .tenant = T, .actor = "sekda", .role = ROLE_SEKDA,
				    .now = NOW + 3, .id = id, .sk = f->wakil.sk };
		assert_int_equal(store_tx(f->ts.st, governance_keyreq_tx, &w), 0);
		assert_int_equal(w.rc, ERR_FORBIDDEN);
	}
	/* still open after all that */
	assert_int_equal(governance_key_exists(c, T, "kepala_opd", NULL), 1);
	/* cancelled by its official (not by another), then nobody can approve it */
	assert_int_equal(keyreq(f, GOV_KEYREQ_CANCEL, &f->sekda, id, NOW + 4, NULL), ERR_NOT_FOUND);
	assert_int_equal(keyreq(f, GOV_KEYREQ_CANCEL, &f->opd, id, NOW + 4, NULL), 0);
	assert_int_equal(keyreq(f, GOV_KEYREQ_APPROVE, &f->sekda, id, NOW + 5, NULL), ERR_CONFLICT);
	assert_int_equal(keyreq(f, GOV_KEYREQ_CANCEL, &f->opd, id, NOW + 6, NULL), ERR_CONFLICT);
	assert_int_equal(governance_key_exists(c, T, "kepala_opd", NULL), 1);
	/* the Sekda's own: the Kepala Daerah approves it, the Sekda cannot */
	assert_int_equal(keyreq(f, GOV_KEYREQ_ASK, &f->sekda, 0, NOW + 10, &k), 0);
	id = k.ret_id;
	assert_int_equal(keyreq(f, GOV_KEYREQ_APPROVE, &f->sekda, id, NOW + 11, &k), ERR_FORBIDDEN);
	assert_string_equal(k.msgid, "Anda tidak dapat menyetujui permintaan Anda sendiri");
	assert_int_equal(keyreq(f, GOV_KEYREQ_APPROVE, &f->kd, id, NOW + 12, NULL), 0);
	assert_int_equal(governance_key_exists(c, T, "sekda", NULL), 0);
	/* approved once only */
	assert_int_equal(keyreq(f, GOV_KEYREQ_APPROVE, &f->kd, id, NOW + 13, NULL), ERR_CONFLICT);
	/* every refusal is audited */
	assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused'", ""), 0);
	assert_true(n >= 11);
	assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.key_retire'", ""),
			 0);
	assert_true(n == 1);
}

/* ---- enactment and promulgation of a Perda ---- */

/* The head enacts (GOV_OP_PERDA_ENACT) or the Sekda promulgates
 * (GOV_OP_PERDA_PROMULGATE) on day, signed with w's key, at NOW + 2000. */
static int perda_op(fx_t *f, who_t *w, gov_op_t op, int64_t id, const char *day, int64_t version, gov_action_t *out)
{
	gov_action_t a = { 0 };
	int rc;
	assert_int_equal(cal_parse_date(day, &a.stage_day), 0);
	a.op = op;
	a.tenant = T;
	a.now = NOW + 2000;
	a.actor = w->username;
	a.actor_name = "Nama Pejabat";
	a.role = w->role;
	a.proposal_id = id;
	a.note = "";
	a.expected_version = version;
	a.sk = w->sk;
	rc = governance_apply(f->ts.st, &a);
	if (out)
		*out = a;
	return rc;
}

static int64_t perda_rows(fx_t *f, int64_t id)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM governance_perda WHERE proposal_id = %" PRId64, id);
	return count(f, sql);
}

static int64_t approved_on(fx_t *f, const char *day);

static void test_perda_enacted_and_promulgated(void **state)
{
	fx_t *f = *state;
	gov_action_t a;
	gov_verify_report_t rep;
	json_t *j = NULL, *inbox;
	char due[CAL_DATE_LEN];
	int64_t id = dprd_item(f), id2 = dprd_item(f);
	/* nothing to enact before the DPRD approved it */
	assert_int_equal(perda_op(f, &f->kd, GOV_OP_PERDA_ENACT, id, "2026-05-29", 0, &a), ERR_CONFLICT);
	assert_int_equal(dprd_stage(f, &f->sekda, id, "diajukan", "2026-05-20", NULL), 0);
	assert_int_equal(dprd_stage(f, &f->sekda, id, "pembahasan", "2026-05-21", NULL), 0);
	assert_int_equal(dprd_stage(f, &f->sekda, id, "disetujui", "2026-05-22", NULL), 0);
	/* the head's inbox holds it, with its last day */
	inbox = json_array();
	assert_int_equal(governance_inbox(store_reader(f->ts.st), T, ROLE_KEPALA_DAERAH, "", "kepala_daerah", NOW, 0, 500,
					  0, inbox), 0);
	assert_int_equal(json_array_size(inbox), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(inbox, 0), "perda_due")), "2026-06-21");
	assert_false(json_is_true(json_object_get(json_array_get(inbox, 0), "perda_late")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(inbox, 0), "perda_label")), "menunggu penetapan");
	json_decref(inbox);
	/* 31 days later it is late */
	inbox = json_array();
	assert_int_equal(governance_inbox(store_reader(f->ts.st), T, ROLE_KEPALA_DAERAH, "", "kepala_daerah",
					  NOW + 24 * 86400, 0, 500, 0, inbox), 0);
	assert_true(json_is_true(json_object_get(json_array_get(inbox, 0), "perda_late")));
	json_decref(inbox);
	governance_perda_due("2026-12-15", due);
	assert_string_equal(due, "2027-01-14");
	/* the wrong role, out of order, bad dates: refused, nothing stored */
	assert_int_equal(perda_op(f, &f->sekda, GOV_OP_PERDA_ENACT, id, "2026-05-29", 0, &a), ERR_FORBIDDEN);
	assert_int_equal(perda_op(f, &f->dprd, GOV_OP_PERDA_ENACT, id, "2026-05-29", 0, &a), ERR_FORBIDDEN);
	assert_int_equal(perda_op(f, &f->kd, GOV_OP_PERDA_PROMULGATE, id, "2026-05-29", 0, &a), ERR_FORBIDDEN);
	assert_int_equal(perda_op(f, &f->sekda, GOV_OP_PERDA_PROMULGATE, id, "2026-05-29", 0, &a), ERR_CONFLICT);
	assert_string_equal(a.ret_msgid, "Perda baru dapat diundangkan setelah ditetapkan Kepala Daerah");
	date_refused(f, perda_op(f, &f->kd, GOV_OP_PERDA_ENACT, id, "2026-05-30", 0, &a), &a, "2026-05-29", NULL,
		     "tanggal tidak boleh di masa depan: paling lambat hari ini, 29 Mei 2026");
	date_refused(f, perda_op(f, &f->kd, GOV_OP_PERDA_ENACT, id, "2026-05-21", 0, &a), &a, "2026-05-22", NULL,
		     "tanggal penetapan tidak boleh sebelum 22 Mei 2026, tanggal persetujuan bersama DPRD");
	assert_int_equal(perda_op(f, &f->kd, GOV_OP_PERDA_ENACT, id, "2026-05-22", 1, &a), ERR_CONFLICT); /* stale */
	assert_int_equal(perda_rows(f, id), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'governance.perda%'"), 0);
	/* enacted on the day of the joint approval: numbered, signed */
	assert_int_equal(perda_op(f, &f->kd, GOV_OP_PERDA_ENACT, id, "2026-05-22", 0, &a), 0);
	assert_string_equal(a.ret_number, "Peraturan Daerah Kota Mataram Nomor 1 Tahun 2026");
	assert_int_equal(perda_op(f, &f->kd, GOV_OP_PERDA_ENACT, id, "2026-05-22", 0, &a), ERR_CONFLICT);
	assert_string_equal(a.ret_msgid, "Perda sudah ditetapkan");
	/* the DPRD's approval stands once enacted */
	assert_int_equal(dprd_op(f, &f->sekda, GOV_OP_DPRD_CORRECT, id, "ditolak", "2026-05-22", "salah", 1, &a),
			 ERR_CONFLICT);
	/* the Sekda's inbox; the promulgation not before the enactment */
	inbox = json_array();
	assert_int_equal(governance_inbox(store_reader(f->ts.st), T, ROLE_SEKDA, "", "sekda", NOW, 0, 500, 0, inbox), 0);
	assert_int_equal(json_array_size(inbox), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(inbox, 0), "perda_stage")), "ditetapkan");
	json_decref(inbox);
	date_refused(f, perda_op(f, &f->sekda, GOV_OP_PERDA_PROMULGATE, id, "2026-05-21", 0, &a), &a, "2026-05-22", NULL,
		     "tanggal pengundangan tidak boleh sebelum 22 Mei 2026, tanggal penetapan Perda");
	assert_int_equal(perda_op(f, &f->sekda, GOV_OP_PERDA_PROMULGATE, id, "2026-05-25", 0, &a), 0);
	assert_string_equal(a.ret_number, "Lembaran Daerah Kota Mataram Tahun 2026 Nomor 1");
	assert_int_equal(perda_op(f, &f->sekda, GOV_OP_PERDA_PROMULGATE, id, "2026-05-25", 0, &a), ERR_CONFLICT);
	/* the second Perda takes the next numbers; a Perda enacted on a date of
	 * another year is numbered in that year */
	assert_int_equal(dprd_stage(f, &f->sekda, id2, "diajukan", "2026-05-20", NULL), 0);
	assert_int_equal(dprd_stage(f, &f->sekda, id2, "pembahasan", "2026-05-20", NULL), 0);
	assert_int_equal(dprd_stage(f, &f->sekda, id2, "disetujui", "2026-05-20", NULL), 0);
	assert_int_equal(perda_op(f, &f->kd, GOV_OP_PERDA_ENACT, id2, "2026-05-29", 0, &a), 0);
	assert_string_equal(a.ret_number, "Peraturan Daerah Kota Mataram Nomor 2 Tahun 2026");
	assert_int_equal(perda_op(f, &f->sekda, GOV_OP_PERDA_PROMULGATE, id2, "2026-05-29", 0, &a), 0);
	assert_string_equal(a.ret_number, "Lembaran Daerah Kota Mataram Tahun 2026 Nomor 2");
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.perda_enact'"), 2);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.perda_promulgate'"), 2);
	/* the chain verifies with the two acts in it; the proposal says so */
	verify(f, id, &rep);
	assert_true(rep.ok);
	assert_int_equal(rep.steps, 6);
	assert_int_equal(governance_get(store_reader(f->ts.st), T, id, ROLE_DPRD, "", &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "perda_stage")), "diundangkan");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "perda_enacted"), "regno")),
			    "52.71/PERDA/2026/000001");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "perda_promulgated"), "day")),
			    "2026-05-25");
	json_decref(j);
	/* listed in the register with both numbers */
	j = json_array();
	assert_int_equal(governance_register(store_reader(f->ts.st), T, "lembaran", 10, 0, j, NULL), 0);
	assert_int_equal(json_array_size(j), 2);
	json_decref(j);
	/* a Perda row changed behind sigap's back, or deleted, is caught */
	assert_int_equal(test_sql(&f->ts, "UPDATE governance_perda SET act_day = '2026-05-24' WHERE act = 'pengundangan' "
					  "AND seq = 1"), 0);
	verify(f, id, &rep);
	assert_false(rep.ok);
	assert_string_equal(rep.msgid, "catatan Perda telah diubah setelah ditandatangani");
	assert_int_equal(test_sql(&f->ts, "DELETE FROM governance_perda WHERE act = 'pengundangan' AND seq = 1"), 0);
	verify(f, id, &rep);
	assert_false(rep.ok);
	assert_string_equal(rep.msgid, "catatan Perda hilang");
	/* a row of an act never signed, pointing at step -1 (found by scan-build:
	 * read as steps[-1], it crashed the verifier, and with it the server on
	 * the verification page) is tampering like any other */
	{
		char sql[512];
		int64_t id3 = approved_on(f, "2026-05-20");
		verify(f, id3, &rep);
		assert_true(rep.ok);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO governance_perda (tenant, proposal_id, act, number, regno, seq, year, act_day, step_idx, "
			 "actor, actor_name, created_at) VALUES ('%s', %" PRId64 ", 'penetapan', 'x', 'y', 99, 2026, "
			 "'2026-05-29', -1, 'kepala_daerah', 'x', 1)", T, id3);
		assert_int_equal(test_sql(&f->ts, sql), 0);
		verify(f, id3, &rep);
		assert_false(rep.ok);
		assert_string_equal(rep.msgid, "catatan Perda tidak sesuai dengan langkah yang ditandatangani");
	}
}

/* A Perda approved by the DPRD on day: all three stages on that day. */
static int64_t approved_on(fx_t *f, const char *day)
{
	int64_t id = dprd_item(f);
	assert_int_equal(dprd_stage(f, &f->sekda, id, "diajukan", day, NULL), 0);
	assert_int_equal(dprd_stage(f, &f->sekda, id, "pembahasan", day, NULL), 0);
	assert_int_equal(dprd_stage(f, &f->sekda, id, "disetujui", day, NULL), 0);
	return id;
}

static int64_t reminders(fx_t *f, int64_t id, const char *kind, const char *role)
{
	char sql[300];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM notifications WHERE object = 'proposal:%" PRId64 "' AND kind = '%s' "
		 "AND role = '%s'", id, kind, role);
	return count(f, sql);
}

static int64_t version_of(fx_t *f, int64_t id)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT version FROM governance_proposals WHERE id = %" PRId64, id);
	return count(f, sql);
}

#define DAY 86400

/* The deadline sweep reminds the head and the Sekda of a Perda's enactment
 * 7 days before its last day (in the tenant's days) and once it has passed,
 * each once; the Sekda of its promulgation 7 days after the enactment; a
 * corrected joint approval starts them afresh. NOW is 2026-05-29 04:26
 * WITA, so NOW + k * DAY is k days later, at 04:26 WITA. */
static void test_perda_reminders(void **state)
{
	fx_t *f = *state;
	int64_t a = approved_on(f, "2026-05-20"), b = approved_on(f, "2026-05-29"), v, c;
	/* a: last day 2026-06-19, reminded from 2026-06-12 (WITA: 16:00 UTC the day before) */
	v = version_of(f, a);
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 13 * DAY), 0);
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 13 * DAY + 19 * 3600), 0); /* 06-11 23:26 WITA */
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 13 * DAY + 20 * 3600), 2); /* 06-12 00:26 WITA */
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 14 * DAY), 0);
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 21 * DAY), 0); /* the last day */
	assert_int_equal(reminders(f, a, "governance.perda_due", "kepala_daerah"), 1);
	assert_int_equal(reminders(f, a, "governance.perda_due", "sekda"), 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM notifications WHERE kind = 'governance.perda_due' AND message = "
				  "'Perda menunggu penetapan: batas 30 hari sejak persetujuan bersama DPRD tinggal 7 hari "
				  "lagi atau kurang' AND subject = 'Jam layanan sore'"), 2);
	/* past it: told once more, once */
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 22 * DAY), 2);
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 22 * DAY + 60), 0);
	assert_int_equal(reminders(f, a, "governance.perda_overdue", "kepala_daerah"), 1);
	assert_int_equal(reminders(f, a, "governance.perda_overdue", "sekda"), 1);
	/* a reminder changes nothing an open form has seen */
	assert_int_equal(version_of(f, a), v);
	/* b (last day 2026-06-28), first seen late: only the limit passed */
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 31 * DAY), 2);
	assert_int_equal(reminders(f, b, "governance.perda_due", "sekda"), 0);
	assert_int_equal(reminders(f, b, "governance.perda_overdue", "kepala_daerah"), 1);
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 40 * DAY), 0);
	/* a enacted late (signed at NOW + 2000, 2026-05-29): the Sekda is
	 * reminded of the promulgation on 2026-06-05, once */
	assert_int_equal(perda_op(f, &f->kd, GOV_OP_PERDA_ENACT, a, "2026-05-29", 0, NULL), 0);
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 6 * DAY), 0);
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 7 * DAY), 1);
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 8 * DAY), 0);
	assert_int_equal(reminders(f, a, "governance.perda_promulgate_due", "sekda"), 1);
	assert_int_equal(reminders(f, a, "governance.perda_promulgate_due", "kepala_daerah"), 0);
	/* promulgated: nothing more, ever */
	assert_int_equal(perda_op(f, &f->sekda, GOV_OP_PERDA_PROMULGATE, a, "2026-05-29", 0, NULL), 0);
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 90 * DAY), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM notifications WHERE kind LIKE 'governance.perda_%'"), 7);
	/* c: reminded, then its joint approval's date corrected five days
	 * later: the reminders start again from the new last day (06-24) */
	c = approved_on(f, "2026-05-20");
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 14 * DAY), 2);
	assert_int_equal(dprd_fix(f, &f->sekda, c, "disetujui", "2026-05-25", "salah tanggal", 1, NULL), 0);
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 14 * DAY), 0);
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 19 * DAY), 2);
	assert_int_equal(reminders(f, c, "governance.perda_due", "kepala_daerah"), 2);
	/* a Perda the DPRD rejected has nothing to enact */
	assert_int_equal(dprd_fix(f, &f->sekda, c, "ditolak", "2026-05-25", "salah pilih", 1, NULL), 0);
	assert_int_equal(governance_deadline_sweep(f->ts.st, NOW + 40 * DAY), 0);
}

/* The verification page compares a copy of a decision's text with the
 * signed one, white space aside: wrapped as a PDF wraps it, it is the same;
 * a changed word, a word split or two joined are not. */
static void test_same_text(void **state)
{
	(void)state;
	assert_true(governance_same_text("Menetapkan jam layanan\nsore", "Menetapkan jam layanan sore"));
	assert_true(governance_same_text("  a  b\r\n\tc \n", "a b c"));
	assert_true(governance_same_text("", " \n "));
	assert_false(governance_same_text("a b", "a c"));
	assert_false(governance_same_text("ab", "a b"));
	assert_false(governance_same_text("a b", "ab"));
	assert_false(governance_same_text("a b", "a b c"));
	assert_false(governance_same_text("a", ""));
	assert_false(governance_same_text("Pukul 18.00", "pukul 18.00"));
}

static void test_perda_titles(void **state)
{
	char out[128];
	(void)state;
	governance_perda_title("Kabupaten Lombok Barat", 12, 2027, out, sizeof(out));
	assert_string_equal(out, "Peraturan Daerah Kabupaten Lombok Barat Nomor 12 Tahun 2027");
	governance_lembaran_title("Kota Mataram", 5, 2026, out, sizeof(out));
	assert_string_equal(out, "Lembaran Daerah Kota Mataram Tahun 2026 Nomor 5");
	assert_string_equal(governance_perda_label("pembahasan", ""), "");
	assert_string_equal(governance_perda_label("disetujui", ""), "menunggu penetapan");
	assert_string_equal(governance_perda_label("disetujui", "ditetapkan"), "menunggu pengundangan");
	assert_string_equal(governance_perda_label("disetujui", "diundangkan"), "Perda diundangkan");
	assert_string_equal(governance_step_label("penetapan"), "Penetapan Perda oleh Kepala Daerah");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_flow_signed_and_verified, setup, teardown),
		cmocka_unit_test_setup_teardown(test_return_revise_resubmit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_between_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_are_clear_and_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_decision_and_edit_after_decision_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_passphrase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signing_with_someone_elses_key_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_content_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_step_note_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_decision_row_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_signer_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replayed_step_rejected, setup, teardown),
		cmocka_unit_test(test_canonical_message_layout),
		cmocka_unit_test(test_decision_title),
		cmocka_unit_test_setup_teardown(test_dprd_stages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dprd_correction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dprd_dates_on_correction_and_old_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pokir_becomes_opd_proposal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_differences_and_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadlines_and_reminders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attachments_are_signed, setup, teardown),
		cmocka_unit_test(test_demo_load),
		cmocka_unit_test_setup_teardown(test_inbox_items_carry_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inbox_admin_and_dprd_agree_with_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retired_key_verifies_what_it_signed_before, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retirement_record_tampering_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retirement_chain_checked_through_the_approvers_retirement, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replacement_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perda_enacted_and_promulgated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perda_reminders, setup, teardown),
		cmocka_unit_test(test_perda_titles),
		cmocka_unit_test(test_same_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
