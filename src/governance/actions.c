/*
 * actions.c: proposals and their signed steps: the write transaction of
 * every action (governance_action_tx), the OPD's draft, edits and
 * attachments, the submission, the Sekda's recommendation or return, the
 * Wakil's consideration and the head's decision, each an Ed25519 signature
 * chained to the step before. The DPRD's actions (pokok pikiran, DPRD
 * stages, the Perda) are in dprd.c. Every action runs in one write
 * transaction: it reads and checks first (state, role, OPD, version,
 * signing key), and only then writes, so a refusal leaves nothing but its
 * own audit entry behind.
 */
#include "governance/internal.h"

#include <stdlib.h>

#include "auth/users.h"
#include "core/calendar.h"
#include "core/text.h"
#include "tenants/tenants.h"
#include "core/banned.h"

static const char *const KINDS[] = { "usulan", "telaahan", "rancangan", NULL };
static const char *const URGENCIES[] = { "biasa", "segera", "sangat_segera", NULL };
static const char *const ADVICE[] = { "setuju", "tidak_setuju", "setuju_catatan", NULL };
static const char *const DECISIONS[] = { "setuju", "tolak", "kembalikan", NULL };

static int prop_load(store_conn_t *c, const char *tenant, int64_t id, prop_t *p)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT id, version, content_version, needs_dprd, is_public, unit, kind, urgency, state, "
				  "dprd_stage, origin, created_by, title, perda_stage FROM governance_proposals "
				  "WHERE tenant = ? AND id = ?",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		p->id = store_col_int64(s, 0);
		p->version = store_col_int64(s, 1);
		p->content_version = store_col_int64(s, 2);
		p->needs_dprd = store_col_int64(s, 3);
		p->is_public = store_col_int64(s, 4);
		snprintf(p->unit, sizeof(p->unit), "%s", store_col_text(s, 5));
		snprintf(p->kind, sizeof(p->kind), "%s", store_col_text(s, 6));
		snprintf(p->urgency, sizeof(p->urgency), "%s", store_col_text(s, 7));
		snprintf(p->state, sizeof(p->state), "%s", store_col_text(s, 8));
		snprintf(p->dprd_stage, sizeof(p->dprd_stage), "%s", store_col_text(s, 9));
		snprintf(p->origin, sizeof(p->origin), "%s", store_col_text(s, 10));
		snprintf(p->created_by, sizeof(p->created_by), "%s", store_col_text(s, 11));
		snprintf(p->title, sizeof(p->title), "%s", store_col_text(s, 12));
		snprintf(p->perda_stage, sizeof(p->perda_stage), "%s", store_col_text(s, 13));
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	return rc;
}

int gov_check_content(gov_action_t *a, const gov_content_t *ct)
{
	if (!ct->title || !*ct->title)
		return refuse(a, ERR_INVALID, N_("judul wajib diisi"));
	if (strlen(ct->title) > GOV_TITLE_MAX)
		return refuse(a, ERR_INVALID, N_("judul terlalu panjang (maksimal 300 karakter)"));
	if (!ct->background || !*ct->background)
		return refuse(a, ERR_INVALID, N_("latar belakang wajib diisi"));
	if (strlen(ct->background) > GOV_TEXT_MAX || (ct->analysis && strlen(ct->analysis) > GOV_TEXT_MAX) ||
	    (ct->options && strlen(ct->options) > GOV_TEXT_MAX) || (ct->proposed && strlen(ct->proposed) > GOV_TEXT_MAX))
		return refuse(a, ERR_INVALID, N_("isian terlalu panjang (maksimal 20.000 karakter per bagian)"));
	if (!text_clean(ct->title, 0) || !text_clean(ct->background, 1) || !text_clean(ct->analysis, 1) ||
	    !text_clean(ct->options, 1) || !text_clean(ct->proposed, 1))
		return refuse(a, ERR_INVALID, N_("isian berisi karakter yang tidak sah"));
	if (!one_of(ct->kind, KINDS))
		return refuse(a, ERR_INVALID, N_("jenis usulan tidak dikenal"));
	if (!one_of(ct->urgency, URGENCIES))
		return refuse(a, ERR_INVALID, N_("sifat usulan harus biasa, segera atau sangat segera"));
	return 0;
}

/* The proposal's attachments as signed: file hashes in ascending order, comma-separated. */
static int attachment_list(store_conn_t *c, const char *tenant, int64_t id, sb_t *out)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT hash FROM governance_attachments WHERE tenant = ? AND proposal_id = ? ORDER BY hash",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW) {
		if (out->len)
			sb_addch(out, ',');
		sb_adds(out, store_col_text(s, 0));
	}
	store_finalize(s);
	if (rc >= 0 && out->err)
		rc = ERR_NOMEM;
	return rc < 0 ? rc : 0;
}

int gov_insert_version(store_conn_t *c, gov_action_t *a, int64_t id, int64_t version, const char *unit,
			  const gov_content_t *ct)
{
	char hash[GOV_HASH_HEX];
	sb_t att = SB_INIT;
	int rc = attachment_list(c, a->tenant, id, &att);
	if (rc == 0) {
		governance_content_hash(a->tenant, id, version, unit, ct, att.buf, hash);
		rc = store_exec(c, "INSERT INTO governance_versions (tenant, proposal_id, version, kind, unit, title, background, "
				   "analysis, options, proposed, urgency, needs_dprd, attachments, content_hash, created_by, created_at) "
				   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				"tiittttttttittti", a->tenant, id, version, ct->kind, unit, ct->title, nz(ct->background),
				nz(ct->analysis), nz(ct->options), nz(ct->proposed), ct->urgency, (int64_t)(ct->needs_dprd ? 1 : 0),
				att.buf, hash, a->actor, a->now);
	}
	sb_release(&att);
	return rc;
}

/* Due time of a step that starts now: end of the Nth working day after today. */
static int compute_due(store_conn_t *c, const char *tenant, const char *urgency, int64_t now, int64_t *ret)
{
	tenant_t t;
	calendar_t *cal = NULL;
	int32_t today, due;
	int days = governance_urgency_days(urgency), rc;
	if (days < 0)
		days = 10;
	rc = tenant_get(c, tenant, &t);
	if (rc < 0)
		return rc;
	rc = tenant_calendar(c, tenant, &cal);
	if (rc < 0)
		return rc;
	today = cal_local_day(now, t.tz_offset);
	rc = calendar_add_working_days(cal, today, days, &due);
	calendar_free(cal);
	if (rc < 0)
		return rc;
	*ret = cal_local_midnight(due + 1, t.tz_offset) - 1;
	return 0;
}

int gov_set_state(store_conn_t *c, gov_action_t *a, prop_t *p, const char *state)
{
	int64_t due = 0;
	int rc;
	if (!strcmp(state, "diajukan") || !strcmp(state, "pertimbangan") || !strcmp(state, "keputusan") ||
	    !strcmp(state, "dikembalikan")) {
		rc = compute_due(c, a->tenant, p->urgency, a->now, &due);
		if (rc < 0)
			return rc;
	}
	rc = store_exec(c, "UPDATE governance_proposals SET state = ?, step_since = ?, due_at = ?, reminder = 0, "
			   "updated_at = ?, version = version + 1 WHERE tenant = ? AND id = ? AND version = ?",
			"tiiitii", state, a->now, due, a->now, a->tenant, p->id, p->version);
	if (rc < 0)
		return rc;
	return rc == 0 ? ERR_CONFLICT : 0;
}

/* The official of the OPD who drafted p (its creator), told of a return
 * or a decision besides the OPD's kepala, who hears of it through the role:
 * the admin OPD who wrote it learnt of it only from the inbox. Only while
 * they are still an official of that OPD (not disabled, not moved), and
 * not when they are a kepala OPD themselves (the role's notification
 * already reaches them). A pokok pikiran's creator is a DPRD member. */
static int notify_drafter(store_conn_t *c, gov_action_t *a, const prop_t *p, const char *message)
{
	notify_target_t to = { 0, NULL, NULL };
	user_info_t u;
	role_t role;
	char obj[48];
	int rc;
	if (!*p->created_by)
		return 0;
	rc = user_get(c, a->tenant, p->created_by, &u);
	if (rc == ERR_NOT_FOUND)
		return 0;
	if (rc < 0)
		return rc;
	if (u.disabled || u.deleted_at || role_parse(u.role, &role) < 0 || !role_needs_unit(role) ||
	    role == ROLE_KEPALA_OPD || strcmp(u.unit, p->unit))
		return 0;
	to.user_id = u.id;
	snprintf(obj, sizeof(obj), "proposal:%" PRId64, p->id);
	return notify_add_about(c, a->tenant, &to, "governance", obj, message, p->title, a->now);
}

static int op_create(store_conn_t *c, gov_action_t *a, int *writing)
{
	const char *unit = a->actor_unit;
	int64_t id = 0;
	char summary[400];
	int rc;
	if (!role_needs_unit(a->role))
		return refuse(a, ERR_FORBIDDEN, N_("hanya OPD yang dapat menyusun usulan"));
	if (!unit || !*unit)
		return refuse(a, ERR_FORBIDDEN, N_("akun Anda tidak terhubung ke OPD"));
	if ((rc = check_flags(a)) < 0)
		return rc;
	if ((rc = gov_check_content(a, &a->content)) < 0)
		return rc;
	*writing = 1;
	rc = store_query_int64(c, &id,
			       "INSERT INTO governance_proposals (tenant, unit, kind, title, urgency, needs_dprd, is_public, "
			       "state, content_version, origin, created_by, created_at, updated_at) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, 'draf', 1, 'opd', ?, ?, ?) RETURNING id",
			       "tttttiitii", a->tenant, unit, a->content.kind, a->content.title, a->content.urgency,
			       (int64_t)(a->content.needs_dprd ? 1 : 0), (int64_t)(a->content.is_public ? 1 : 0), a->actor,
			       a->now, a->now);
	if (rc < 0)
		return rc;
	a->ret_id = id;
	if ((rc = gov_insert_version(c, a, id, 1, unit, &a->content)) < 0)
		return rc;
	snprintf(summary, sizeof(summary), "usulan disusun: %.300s", a->content.title);
	return audit(c, a, id, "governance.create", summary);
}

static int is_final(const prop_t *p)
{
	return !strcmp(p->state, "disetujui") || !strcmp(p->state, "ditolak");
}

#define MSG_DECLINED N_("pokok pikiran ini tidak ditindaklanjuti OPD; isinya tidak dapat diubah atau diajukan lagi")

static int op_edit(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	gov_content_t ct = a->content;
	char summary[400];
	int rc;
	if ((rc = check_opd(a, p)) < 0)
		return rc;
	if (is_final(p))
		return refuse(a, ERR_CONFLICT, N_("usulan sudah diputuskan; isinya tidak dapat diubah lagi"));
	if (is_declined(p))
		return refuse(a, ERR_CONFLICT, MSG_DECLINED);
	if (strcmp(p->state, "draf") && strcmp(p->state, "dikembalikan"))
		return refuse(a, ERR_CONFLICT, N_("usulan sedang diproses pimpinan dan tidak dapat diubah"));
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if ((rc = check_flags(a)) < 0)
		return rc;
	if ((rc = gov_check_content(a, &ct)) < 0)
		return rc;
	*writing = 1;
	if ((rc = gov_insert_version(c, a, p->id, p->content_version + 1, p->unit, &ct)) < 0)
		return rc;
	rc = store_exec(c, "UPDATE governance_proposals SET kind = ?, title = ?, urgency = ?, needs_dprd = ?, is_public = ?, "
			   "content_version = content_version + 1, updated_at = ?, version = version + 1 "
			   "WHERE tenant = ? AND id = ? AND version = ?",
			"tttiiitii", ct.kind, ct.title, ct.urgency, (int64_t)(ct.needs_dprd ? 1 : 0),
			(int64_t)(ct.is_public ? 1 : 0), a->now, a->tenant, p->id, p->version);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	snprintf(summary, sizeof(summary), "usulan diubah menjadi versi %" PRId64 ": %.300s", p->content_version + 1,
		 ct.title);
	return audit(c, a, p->id, "governance.edit", summary);
}

/* Loads the current version's content (strings copied into buf). */
struct cur_content {
	gov_content_t ct;
	char *buf[6];
};

static void cur_release(struct cur_content *cc)
{
	for (int i = 0; i < 6; i++)
		free(cc->buf[i]);
}

static int cur_load(store_conn_t *c, const char *tenant, const prop_t *p, struct cur_content *cc)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT title, background, analysis, options, proposed, kind FROM governance_versions "
				  "WHERE tenant = ? AND proposal_id = ? AND version = ?", &s);
	memset(cc, 0, sizeof(*cc));
	if (rc < 0)
		return rc;
	store_bindf(s, "tii", tenant, p->id, p->content_version);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		for (int i = 0; i < 6; i++)
			if (!(cc->buf[i] = strdup(nz(store_col_text(s, i)))))
				rc = ERR_NOMEM;
		if (rc == STORE_ROW) {
			cc->ct = (gov_content_t){ cc->buf[5], cc->buf[0], cc->buf[1], cc->buf[2], cc->buf[3], cc->buf[4],
						  p->urgency, (int)p->needs_dprd, (int)p->is_public };
			rc = 0;
		}
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	if (rc < 0)
		cur_release(cc);
	return rc;
}

static int op_attach(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	struct cur_content cc;
	char summary[400];
	int64_t n = 0;
	int rc;
	if ((rc = check_opd(a, p)) < 0)
		return rc;
	if (is_final(p))
		return refuse(a, ERR_CONFLICT, N_("usulan sudah diputuskan; isinya tidak dapat diubah lagi"));
	if (is_declined(p))
		return refuse(a, ERR_CONFLICT, MSG_DECLINED);
	if (strcmp(p->state, "draf") && strcmp(p->state, "dikembalikan"))
		return refuse(a, ERR_CONFLICT, N_("usulan sedang diproses pimpinan dan tidak dapat diubah"));
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if (!a->file_hash || strlen(a->file_hash) != 64 || !a->file_name || !*a->file_name || strlen(a->file_name) > 200)
		return refuse(a, ERR_INVALID, N_("berkas lampiran tidak valid"));
	rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM governance_attachments WHERE tenant = ? AND proposal_id = ?",
			       "ti", a->tenant, p->id);
	if (rc < 0)
		return rc;
	if (n >= 10)
		return refuse(a, ERR_INVALID, N_("paling banyak 10 lampiran per usulan"));
	rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM governance_attachments WHERE tenant = ? AND proposal_id = ? AND hash = ?",
			       "tit", a->tenant, p->id, a->file_hash);
	if (rc < 0)
		return rc;
	if (n > 0)
		return refuse(a, ERR_CONFLICT, N_("berkas yang sama sudah dilampirkan"));
	if ((rc = cur_load(c, a->tenant, p, &cc)) < 0)
		return rc;
	*writing = 1;
	rc = store_exec(c, "INSERT INTO governance_attachments (tenant, proposal_id, hash, name, mime, size, added_by, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "tittti" "ti", a->tenant, p->id, a->file_hash, a->file_name,
			nz(a->file_mime), a->file_size, a->actor, a->now);
	if (rc >= 0)
		rc = gov_insert_version(c, a, p->id, p->content_version + 1, p->unit, &cc.ct);
	cur_release(&cc);
	if (rc < 0)
		return rc;
	rc = store_exec(c, "UPDATE governance_proposals SET content_version = content_version + 1, updated_at = ?, "
			   "version = version + 1 WHERE tenant = ? AND id = ? AND version = ?", "itii", a->now, a->tenant, p->id,
			p->version);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	snprintf(summary, sizeof(summary), "lampiran ditambahkan (%.16s...): %.200s", a->file_hash, a->file_name);
	return audit(c, a, p->id, "governance.attach", summary);
}

/* Appends a signed step. Everything has been checked; extra may be "". */
struct last_step {
	int64_t idx;
	char hash[GOV_HASH_HEX];
};

static int last_step(store_conn_t *c, const char *tenant, int64_t id, struct last_step *ls)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT idx, step_hash FROM governance_steps WHERE tenant = ? AND proposal_id = ? "
				  "ORDER BY idx DESC LIMIT 1", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		ls->idx = store_col_int64(s, 0);
		snprintf(ls->hash, sizeof(ls->hash), "%s", store_col_text(s, 1));
		rc = 0;
	} else if (rc == STORE_DONE) {
		ls->idx = -1;
		snprintf(ls->hash, sizeof(ls->hash), "%s", ZERO_HASH);
		rc = 0;
	}
	store_finalize(s);
	return rc;
}

/* Checks the signing key before anything is written. */
int gov_check_key(store_conn_t *c, gov_action_t *a, char pk_hex[65])
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	char have[65];
	int rc = governance_key_exists(c, a->tenant, a->actor, pk_hex);
	if (rc < 0)
		return rc;
	if (!rc)
		return refuse(a, ERR_INVALID, N_("Anda belum membuat kunci tanda tangan"));
	if (!a->sk)
		return refuse(a, ERR_INVALID, N_("frasa sandi kunci tanda tangan wajib diisi"));
	crypto_sign_ed25519_sk_to_pk(pk, a->sk);
	sodium_bin2hex(have, sizeof(have), pk, sizeof(pk));
	if (strcmp(have, pk_hex))
		return refuse(a, ERR_FORBIDDEN, N_("kunci tanda tangan tidak cocok dengan akun Anda"));
	return 0;
}

int gov_append_step(store_conn_t *c, gov_action_t *a, prop_t *p, const char *kind, const char *verdict,
		       const char *note, const char *extra, const char *pk_hex, int64_t *ret_idx)
{
	struct last_step ls;
	char content_hash[GOV_HASH_HEX], sig_hex[2 * crypto_sign_BYTES + 1], hash[GOV_HASH_HEX];
	unsigned char sig[crypto_sign_BYTES];
	gov_step_fields_t f;
	sb_t m = SB_INIT;
	int rc = last_step(c, a->tenant, p->id, &ls);
	if (rc < 0)
		return rc;
	rc = store_query_text(c, content_hash, sizeof(content_hash),
			      "SELECT content_hash FROM governance_versions WHERE tenant = ? AND proposal_id = ? AND version = ?",
			      "tii", a->tenant, p->id, p->content_version);
	if (rc < 0)
		return rc;
	f = (gov_step_fields_t){ a->tenant, p->id, p->content_version, content_hash, ls.idx + 1, kind, role_name(a->role),
				 a->actor, pk_hex, verdict, note, extra, a->now, ls.hash };
	governance_step_message(&f, &m);
	if (m.err) {
		sb_release(&m);
		return ERR_NOMEM;
	}
	crypto_sign_detached(sig, NULL, (const unsigned char *)m.buf, m.len, a->sk);
	sb_release(&m);
	sodium_bin2hex(sig_hex, sizeof(sig_hex), sig, sizeof(sig));
	if ((rc = gov_step_hash(&f, sig_hex, hash)) < 0)
		return rc;
	rc = store_exec(c, "INSERT INTO governance_steps (tenant, proposal_id, idx, kind, role, actor, actor_name, verdict, "
			   "note, proposal_version, content_hash, prev_hash, extra, public_key, signature, step_hash, signed_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"tiitttttti" "tttttti", a->tenant, p->id, f.idx, kind, f.role, a->actor, nz(a->actor_name), verdict,
			note, p->content_version, content_hash, ls.hash, extra, pk_hex, sig_hex, hash, a->now);
	if (rc < 0)
		return rc;
	if (ret_idx)
		*ret_idx = f.idx;
	return 0;
}

static int note_required(const char *verdict)
{
	return strcmp(verdict, "setuju") != 0;
}

/* The latest verdict of a step kind (saran, pertimbangan) on proposal id,
 * into out ("" when there is none). At the head's decision the latest ones
 * are those of this round: a proposal the head returned goes through the
 * Sekda and the Wakil again. */
static int latest_verdict(store_conn_t *c, const char *tenant, int64_t id, const char *kind, char out[32])
{
	int rc = store_query_text(c, out, 32,
				  "SELECT verdict FROM governance_steps WHERE tenant = ? AND proposal_id = ? AND kind = ? "
				  "ORDER BY idx DESC LIMIT 1",
				  "tit", tenant, id, kind);
	if (rc == ERR_NOT_FOUND) {
		out[0] = 0;
		rc = 0;
	}
	return rc;
}

/* The head approves what the Sekda advised against, or the Wakil
 * considered against: the reason must be written (and so signed), not
 * only the disagreement. A rejection needs a note anyway. 0 when nothing
 * is missing, else the refusal (or a store error). */
static int approval_against_advice(store_conn_t *c, gov_action_t *a, const prop_t *p, const char *verdict)
{
	char sekda[32], wakil[32];
	int rc;
	if (strcmp(verdict, "setuju"))
		return 0;
	if ((rc = latest_verdict(c, a->tenant, p->id, "saran", sekda)) < 0 ||
	    (rc = latest_verdict(c, a->tenant, p->id, "pertimbangan", wakil)) < 0)
		return rc;
	if (!strcmp(sekda, "tidak_setuju"))
		return refuse(a, ERR_INVALID,
			      N_("Sekda menyarankan tidak setuju: tuliskan pada catatan alasan Anda menyetujui usulan ini"));
	if (!strcmp(wakil, "tidak_setuju"))
		return refuse(a, ERR_INVALID, N_("Wakil Kepala Daerah tidak setuju: tuliskan pada catatan alasan Anda "
						 "menyetujui usulan ini"));
	return 0;
}

static int out_of_turn(gov_action_t *a, const prop_t *p)
{
	if (is_final(p))
		return refuse(a, ERR_CONFLICT, N_("keputusan sudah ditetapkan dan tidak dapat diubah atau diulang"));
	return refuse(a, ERR_CONFLICT, N_("bukan giliran Anda: usulan ini tidak sedang menunggu tindakan Anda"));
}

static int op_signed(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	const char *kind, *need_state, *verdict = nz(a->verdict), *note = nz(a->note), *next;
	role_t need_role;
	char pk_hex[65], extra[400] = "", summary[600];
	int rc, has_note;
	switch (a->op) {
	case GOV_OP_SUBMIT:
		kind = "ajukan", need_role = ROLE_KEPALA_OPD, need_state = NULL, next = "diajukan";
		verdict = "";
		break;
	case GOV_OP_RECOMMEND:
		kind = "saran", need_role = ROLE_SEKDA, need_state = "diajukan", next = "pertimbangan";
		break;
	case GOV_OP_RETURN:
		kind = "kembalikan_sekda", need_role = ROLE_SEKDA, need_state = "diajukan", next = "dikembalikan";
		verdict = "kembalikan";
		break;
	case GOV_OP_CONSIDER:
		kind = "pertimbangan", need_role = ROLE_WAKIL, need_state = "pertimbangan", next = "keputusan";
		break;
	default:
		kind = "keputusan", need_role = ROLE_KEPALA_DAERAH, need_state = "keputusan", next = NULL;
		break;
	}
	if (a->role != need_role)
		return refuse(a, ERR_FORBIDDEN, N_("peran Anda tidak berwenang melakukan tindakan ini"));
	if (a->op == GOV_OP_SUBMIT) {
		if ((rc = check_opd(a, p)) < 0)
			return rc;
		if (strcmp(p->state, "draf") && strcmp(p->state, "dikembalikan"))
			return is_final(p) ? refuse(a, ERR_CONFLICT, N_("usulan sudah diputuskan; isinya tidak dapat diubah lagi"))
			       : is_declined(p) ? refuse(a, ERR_CONFLICT, MSG_DECLINED)
					   : refuse(a, ERR_CONFLICT, N_("usulan sudah diajukan"));
	} else if (strcmp(p->state, need_state)) {
		return out_of_turn(a, p);
	}
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if ((rc = check_flags(a)) < 0)
		return rc;
	/* blanks are no note: a return "  " told the OPD nothing */
	has_note = note[strspn(note, " \t\r\n")] != 0;
	if (strlen(note) > GOV_NOTE_MAX)
		return refuse(a, ERR_INVALID, N_("catatan terlalu panjang (maksimal 4.000 karakter)"));
	if (a->op == GOV_OP_RECOMMEND || a->op == GOV_OP_CONSIDER) {
		if (!one_of(verdict, ADVICE))
			return refuse(a, ERR_INVALID, N_("pilih setuju, tidak setuju, atau setuju dengan catatan"));
		if (note_required(verdict) && !has_note)
			return refuse(a, ERR_INVALID, N_("tuliskan catatan atau alasan"));
		if (a->op == GOV_OP_CONSIDER && !has_note)
			return refuse(a, ERR_INVALID, N_("tuliskan pertimbangan Anda"));
	} else if (a->op == GOV_OP_RETURN) {
		if (!has_note)
			return refuse(a, ERR_INVALID, N_("tuliskan apa yang perlu diperbaiki OPD"));
	} else if (a->op == GOV_OP_DECIDE) {
		if (!one_of(verdict, DECISIONS))
			return refuse(a, ERR_INVALID, N_("pilih setuju, tolak, atau kembalikan"));
		if (note_required(verdict) && !has_note)
			return refuse(a, ERR_INVALID, N_("tuliskan catatan atau alasan"));
		if (!has_note && (rc = approval_against_advice(c, a, p, verdict)) != 0)
			return rc;
	}
	if (a->passphrase_failed)
		return refuse(a, ERR_FORBIDDEN, N_("frasa sandi kunci tanda tangan salah"));
	if ((rc = gov_check_key(c, a, pk_hex)) < 0)
		return rc;

	*writing = 1;
	if (a->op == GOV_OP_DECIDE && strcmp(verdict, "kembalikan")) {
		/* a final decision: number (if approved), token, signed extra */
		tenant_t t;
		int64_t seq = 0, idx = 0;
		char regno[64] = "", number[128] = "", tok[33];
		unsigned char rnd[16];
		int year;
		if ((rc = tenant_get(c, a->tenant, &t)) < 0)
			return rc;
		{
			int y;
			cal_civil_from_days(cal_local_day(a->now, t.tz_offset), &y, NULL, NULL);
			year = y;
		}
		if (!strcmp(verdict, "setuju")) {
			if ((rc = regno_next(c, a->tenant, "KEP", year, &seq, regno, sizeof(regno))) < 0)
				return rc;
			governance_decision_title(t.head_title, t.name, seq, year, number, sizeof(number));
		}
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(tok, sizeof(tok), rnd, sizeof(rnd));
		snprintf(extra, sizeof(extra), "number=%s\nregno=%s\npublic=%d\ntoken=%s", number, regno, a->is_public ? 1 : 0,
			 tok);
		if ((rc = gov_append_step(c, a, p, kind, verdict, note, extra, pk_hex, &idx)) < 0)
			return rc;
		rc = store_exec(c, "INSERT INTO governance_decisions (tenant, proposal_id, token, verdict, number, regno, seq, "
				   "year, title, note, is_public, step_idx, decided_by, decided_at) "
				   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				"titttti" "ittiiti", a->tenant, p->id, tok, verdict, number, regno, seq, (int64_t)year, p->title,
				note, (int64_t)(a->is_public ? 1 : 0), idx, a->actor, a->now);
		if (rc < 0)
			return rc;
		snprintf(a->ret_number, sizeof(a->ret_number), "%s", number);
		snprintf(a->ret_token, sizeof(a->ret_token), "%s", tok);
		next = !strcmp(verdict, "setuju") ? "disetujui" : "ditolak";
	} else {
		if (a->op == GOV_OP_DECIDE)
			next = "dikembalikan";
		if ((rc = gov_append_step(c, a, p, kind, verdict, note, extra, pk_hex, NULL)) < 0)
			return rc;
	}
	if ((rc = gov_set_state(c, a, p, next)) < 0)
		return rc;
	snprintf(summary, sizeof(summary), "%s%s%s (ditandatangani): %.300s", kind, *verdict ? " " : "", verdict, p->title);
	if ((rc = audit(c, a, p->id, a->op == GOV_OP_DECIDE ? "governance.decide" : "governance.step", summary)) < 0)
		return rc;
	/* who works on it next */
	for (size_t i = 0; i < sizeof(WAIT_ROLE) / sizeof(WAIT_ROLE[0]); i++)
		if (!strcmp(next, WAIT_ROLE[i][0]))
			return notify_role(c, a, p->id, WAIT_ROLE[i][1], NULL, N_("Usulan menunggu tindakan Anda"), p->title);
	if (!strcmp(next, "dikembalikan")) {
		rc = notify_role(c, a, p->id, "kepala_opd", p->unit, N_("Usulan dikembalikan untuk perbaikan"), p->title);
		return rc < 0 ? rc : notify_drafter(c, a, p, N_("Usulan dikembalikan untuk perbaikan"));
	}
	{
		/* the outcome itself, to the OPD that proposed it and to the
		 * Sekda and the Wakil who advised (the Sekda heard nothing of a
		 * decision, not even one against the advice) */
		static const char *const told[] = { "kepala_opd", "sekda", "wakil" };
		const char *message = !strcmp(next, "disetujui") ? N_("Usulan disetujui Kepala Daerah")
								 : N_("Usulan ditolak Kepala Daerah");
		rc = 0;
		for (size_t i = 0; rc == 0 && i < sizeof(told) / sizeof(told[0]); i++)
			rc = notify_role(c, a, p->id, told[i], i == 0 ? p->unit : NULL, message, p->title);
		if (rc == 0)
			rc = notify_drafter(c, a, p, message);
	}
	if (rc == 0 && !strcmp(next, "disetujui") && p->needs_dprd)
		rc = notify_role(c, a, p->id, "dprd", NULL, N_("Usulan Kepala Daerah akan diajukan ke DPRD"), p->title);
	return rc;
}

static const char *op_name(gov_op_t op)
{
	static const char *const names[] = { "", "create", "edit", "submit", "recommend", "return", "consider", "decide",
					     "dprd_stage", "pokir", "attach", "dprd_correct", "perda_enact",
					     "perda_promulgate", "pokir_decline" };
	return op >= GOV_OP_CREATE && op <= GOV_OP_POKIR_DECLINE ? names[op] : "?";
}

static int dispatch(store_conn_t *c, gov_action_t *a, int *writing)
{
	prop_t p;
	int rc;
	if (a->op == GOV_OP_CREATE)
		return op_create(c, a, writing);
	if (a->op == GOV_OP_POKIR)
		return gov_op_pokir(c, a, writing);
	memset(&p, 0, sizeof(p));
	rc = prop_load(c, a->tenant, a->proposal_id, &p);
	if (rc == ERR_NOT_FOUND)
		return refuse(a, ERR_NOT_FOUND, N_("usulan tidak ditemukan"));
	if (rc < 0)
		return rc;
	a->ret_id = p.id;
	switch (a->op) {
	case GOV_OP_EDIT:
		return op_edit(c, a, &p, writing);
	case GOV_OP_SUBMIT:
	case GOV_OP_RECOMMEND:
	case GOV_OP_RETURN:
	case GOV_OP_CONSIDER:
	case GOV_OP_DECIDE:
		return op_signed(c, a, &p, writing);
	case GOV_OP_DPRD_STAGE:
		return gov_op_dprd(c, a, &p, writing);
	case GOV_OP_DPRD_CORRECT:
		return gov_op_dprd_correct(c, a, &p, writing);
	case GOV_OP_PERDA_ENACT:
	case GOV_OP_PERDA_PROMULGATE:
		return gov_op_perda(c, a, &p, writing);
	case GOV_OP_ATTACH:
		return op_attach(c, a, &p, writing);
	case GOV_OP_POKIR_DECLINE:
		return gov_op_decline(c, a, &p, writing);
	default:
		return refuse(a, ERR_INVALID, N_("tindakan tidak dikenal"));
	}
}

int governance_action_tx(store_conn_t *c, void *ud)
{
	gov_action_t *a = ud;
	int writing = 0, rc;
	a->ret_rc = 0;
	a->ret_msgid = NULL;
	a->ret_day[0] = '\0';
	a->ret_stage = NULL;
	a->ret_number[0] = a->ret_token[0] = '\0';
	if (!a->tenant || !a->actor)
		return ERR_INVALID;
	rc = dispatch(c, a, &writing);
	if (rc >= 0)
		return 0;
	if (!writing && (rc == ERR_FORBIDDEN || rc == ERR_CONFLICT || rc == ERR_INVALID || rc == ERR_NOT_FOUND) &&
	    a->ret_msgid) {
		char obj[48], why[240], summary[300];
		int arc;
		snprintf(obj, sizeof(obj), "proposal:%" PRId64, a->proposal_id);
		governance_refusal_text(a, NULL, NULL, why, sizeof(why));
		snprintf(summary, sizeof(summary), "ditolak: %s oleh %s: %s", op_name(a->op), role_name(a->role), why);
		arc = audit_append(c, a->tenant, a->now, a->actor, "governance.refused", obj, summary);
		if (arc < 0)
			return arc;
		a->ret_rc = rc;
		return GOV_REFUSED;
	}
	return rc;
}

int governance_apply(store_t *st, gov_action_t *a)
{
	int rc = store_tx(st, governance_action_tx, a);
	if (rc == GOV_REFUSED)
		return a->ret_rc;
	return rc;
}
