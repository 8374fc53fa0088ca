/*
 * dprd.c: the DPRD's side of the flow: pokok pikiran (sent by a DPRD member
 * as a draft of the OPD concerned, or declined by its kepala OPD), the DPRD
 * stages of a proposal the head approved (recorded and corrected, with
 * their date rules), and the Perda the DPRD approved, enacted by the head
 * and promulgated by the Sekda (signed steps of the chain). Called from
 * governance_action_tx (actions.c), in its transaction.
 */
#include "governance/internal.h"

#include "auth/users.h"
#include "core/calendar.h"
#include "core/text.h"
#include "tenants/tenants.h"
#include "core/banned.h"

int gov_op_pokir(store_conn_t *c, gov_action_t *a, int *writing)
{
	gov_content_t ct = a->content;
	int64_t id = 0;
	char summary[400];
	int rc;
	if (a->role != ROLE_DPRD)
		return refuse(a, ERR_FORBIDDEN, N_("hanya anggota DPRD yang dapat menyampaikan pokok pikiran"));
	if (!a->unit || !*a->unit)
		return refuse(a, ERR_INVALID, N_("pilih OPD yang dituju"));
	rc = unit_exists(c, a->tenant, a->unit);
	if (rc < 0)
		return rc;
	if (!rc)
		return refuse(a, ERR_INVALID, N_("OPD tidak dikenal"));
	ct.kind = "usulan";
	ct.urgency = "biasa";
	ct.needs_dprd = 0;
	ct.is_public = 0;
	if ((rc = gov_check_content(a, &ct)) < 0)
		return rc;
	*writing = 1;
	rc = store_query_int64(c, &id,
			       "INSERT INTO governance_proposals (tenant, unit, kind, title, urgency, needs_dprd, is_public, "
			       "state, content_version, origin, created_by, created_at, updated_at) "
			       "VALUES (?, ?, ?, ?, ?, 0, 0, 'draf', 1, 'pokir', ?, ?, ?) RETURNING id",
			       "ttttttii", a->tenant, a->unit, ct.kind, ct.title, ct.urgency, a->actor, a->now, a->now);
	if (rc < 0)
		return rc;
	a->ret_id = id;
	if ((rc = gov_insert_version(c, a, id, 1, a->unit, &ct)) < 0)
		return rc;
	snprintf(summary, sizeof(summary), "pokok pikiran DPRD untuk %s: %.300s", a->unit, ct.title);
	if ((rc = audit(c, a, id, "governance.pokir", summary)) < 0)
		return rc;
	return notify_role(c, a, id, "kepala_opd", a->unit, N_("Pokok pikiran DPRD baru menjadi usulan OPD"), ct.title);
}

static const char *const DPRD_STAGES[] = { "diajukan", "pembahasan", "disetujui", "ditolak", NULL };

/* A DPRD stage's date refused: msgid names day (the latest or the earliest
 * date allowed) and, for the stage before, stage's label. */
static int refuse_day(gov_action_t *a, int32_t day, const char *stage, const char *msgid)
{
	cal_format_date(day, a->ret_day);
	a->ret_stage = stage;
	return refuse(a, ERR_INVALID, msgid);
}

/* The date rules of a DPRD stage, recorded or corrected: a real date, not
 * in the future (the tenant's today), not before the day the head approved
 * the proposal (which put it before the DPRD: a stage comes only after that
 * approval) and not before the stage prev recorded before it ("" for the
 * first). Only what is recorded now is checked: the dates already stored
 * are only read. A refusal names the date allowed, the nearer event's when
 * both bound it. The date as YYYY-MM-DD into day. */
static int check_stage_day(store_conn_t *c, gov_action_t *a, const prop_t *p, const char *prev, char day[CAL_DATE_LEN])
{
	char prev_day[CAL_DATE_LEN] = "";
	const char *why = NULL, *stage = NULL;
	tenant_t t;
	int64_t decided = 0;
	int32_t today, from = 0, pd;
	int rc;
	if ((rc = tenant_get(c, a->tenant, &t)) < 0)
		return rc;
	if (cal_format_date(a->stage_day, day) < 0)
		return refuse(a, ERR_INVALID, N_("tanggal tahap harus berformat YYYY-MM-DD"));
	today = cal_local_day(a->now, t.tz_offset);
	if (a->stage_day > today)
		return refuse_day(a, today, NULL, N_("tanggal tahap tidak boleh di masa depan: paling lambat hari ini, %s"));
	rc = store_query_int64(c, &decided,
			       "SELECT decided_at FROM governance_decisions WHERE tenant = ? AND proposal_id = ?", "ti",
			       a->tenant, p->id);
	if (rc < 0 && rc != ERR_NOT_FOUND)
		return rc;
	if (rc == 0) {
		from = cal_local_day(decided, t.tz_offset);
		why = N_("tanggal tahap tidak boleh sebelum %s, tanggal usulan disetujui Kepala Daerah");
	}
	if (*prev) {
		rc = store_query_text(c, prev_day, sizeof(prev_day),
				      "SELECT stage_day FROM governance_dprd WHERE tenant = ? AND proposal_id = ? AND stage = ?",
				      "tit", a->tenant, p->id, prev);
		if (rc < 0 && rc != ERR_NOT_FOUND)
			return rc;
		if (rc == 0 && cal_parse_date(prev_day, &pd) == 0 && (!why || pd >= from)) {
			from = pd;
			stage = governance_dprd_stage_label(prev);
			why = N_("tanggal tahap tidak boleh sebelum %s, tanggal tahap sebelumnya (%s)");
		}
	}
	if (why && a->stage_day < from)
		return refuse_day(a, from, stage, why);
	return 0;
}

/* Who may record or correct a DPRD stage of p, and whether p has them. */
static int check_dprd_item(gov_action_t *a, const prop_t *p)
{
	if (a->role != ROLE_SEKDA && a->role != ROLE_DPRD)
		return refuse(a, ERR_FORBIDDEN, N_("peran Anda tidak berwenang melakukan tindakan ini"));
	if (!p->needs_dprd)
		return refuse(a, ERR_CONFLICT, N_("usulan ini tidak memerlukan persetujuan DPRD"));
	if (strcmp(p->state, "disetujui"))
		return refuse(a, ERR_CONFLICT, N_("usulan baru dapat diajukan ke DPRD setelah disetujui Kepala Daerah"));
	return 0;
}

/* The stage was changed: the proposal's version moves on (the lock of every
 * form on its page), the audit log and the other side hear of it. */
static int dprd_changed(store_conn_t *c, gov_action_t *a, prop_t *p, const char *stage, const char *summary,
			const char *action, const char *message)
{
	/* the reminders of the Perda's enactment count from the joint
	 * approval's date: a stage recorded or corrected starts them afresh */
	int rc = store_exec(c, "UPDATE governance_proposals SET dprd_stage = ?, perda_reminder = 0, updated_at = ?, "
			       "version = version + 1 WHERE tenant = ? AND id = ? AND version = ?", "titii", stage, a->now,
			    a->tenant, p->id, p->version);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	if ((rc = audit(c, a, p->id, action, summary)) < 0)
		return rc;
	return notify_role(c, a, p->id, a->role == ROLE_DPRD ? "sekda" : "dprd", NULL, message, p->title);
}

int gov_op_dprd(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	const char *stage = nz(a->verdict), *want;
	char day[CAL_DATE_LEN], summary[400];
	int rc;
	if ((rc = check_dprd_item(a, p)) < 0)
		return rc;
	if ((rc = check_flags(a)) < 0)
		return rc;
	if (!*stage)
		return refuse(a, ERR_INVALID, N_("pilih tahap DPRD yang dicatat"));
	if (!one_of(stage, DPRD_STAGES))
		return refuse(a, ERR_INVALID, N_("tahap DPRD tidak dikenal"));
	if (!*p->dprd_stage)
		want = "diajukan";
	else if (!strcmp(p->dprd_stage, "diajukan"))
		want = "pembahasan";
	else if (!strcmp(p->dprd_stage, "pembahasan"))
		want = "disetujui|ditolak";
	else
		return refuse(a, ERR_CONFLICT, N_("tahap DPRD sudah selesai"));
	if (strcmp(want, stage) && !(strchr(want, '|') && (!strcmp(stage, "disetujui") || !strcmp(stage, "ditolak"))))
		return refuse(a, ERR_CONFLICT, N_("tahap DPRD harus berurutan: diajukan, pembahasan, lalu disetujui atau ditolak"));
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if ((rc = check_stage_day(c, a, p, p->dprd_stage, day)) < 0)
		return rc;
	if (strlen(nz(a->note)) > GOV_NOTE_MAX)
		return refuse(a, ERR_INVALID, N_("catatan terlalu panjang (maksimal 4.000 karakter)"));
	*writing = 1;
	rc = store_exec(c, "INSERT INTO governance_dprd (tenant, proposal_id, stage, stage_day, note, actor, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?)", "titttti", a->tenant, p->id, stage, day, nz(a->note), a->actor, a->now);
	if (rc < 0)
		return rc;
	snprintf(summary, sizeof(summary), "tahap DPRD %s pada %s: %.300s", stage, day, p->title);
	return dprd_changed(c, a, p, stage, summary, "governance.dprd", N_("Tahap DPRD diperbarui"));
}

/* A required reason (a correction's, a declined pokok pikiran's): not
 * blanks only (missing), at most GOV_NOTE_MAX bytes (too_long), no control
 * characters. */
static int check_reason(gov_action_t *a, const char *reason, const char *missing, const char *too_long)
{
	if (!reason[strspn(reason, " \t\r\n")]) /* blanks are no reason */
		return refuse(a, ERR_INVALID, missing);
	if (strlen(reason) > GOV_NOTE_MAX)
		return refuse(a, ERR_INVALID, too_long);
	if (!text_clean(reason, 1))
		return refuse(a, ERR_INVALID, N_("isian berisi karakter yang tidak sah"));
	return 0;
}

/* A reason's first 300 bytes into why, cut between two characters (the
 * audit log is text), personal data masked. */
#define REASON_EXCERPT 301
static void reason_excerpt(const char *reason, char why[REASON_EXCERPT])
{
	size_t cut;
	for (cut = strlen(reason) < REASON_EXCERPT - 1 ? strlen(reason) : REASON_EXCERPT - 1;
	     cut > 0 && ((unsigned char)reason[cut] & 0xC0) == 0x80; cut--)
		;
	memcpy(why, reason, cut);
	why[cut] = '\0';
	text_mask_personal(why);
}

/* A correction of the latest DPRD stage: its stage (an outcome for the
 * other outcome; diajukan and pembahasan have their place in the order)
 * and/or its date, under the recording's date rules, with a reason. The
 * entry as it was goes into governance_dprd_corrections (append-only) with
 * the new one, who, when and why; governance_dprd holds the stage as it now
 * stands, which the next stage's date is checked against. */
int gov_op_dprd_correct(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	static const char *const prev_of[] = { "", "diajukan", "pembahasan" };
	const char *stage = nz(a->verdict), *reason = nz(a->note);
	char day[CAL_DATE_LEN], old_day[CAL_DATE_LEN] = "", summary[900], why[REASON_EXCERPT];
	int64_t seq = 0;
	int pos, rc;
	if ((rc = check_dprd_item(a, p)) < 0)
		return rc;
	if ((rc = check_flags(a)) < 0)
		return rc;
	if ((pos = dprd_pos(p->dprd_stage)) < 0)
		return refuse(a, ERR_CONFLICT, N_("belum ada tahap DPRD yang dicatat, jadi belum ada yang dapat dikoreksi"));
	/* the head enacted what the DPRD approved: its approval stands */
	if (*p->perda_stage)
		return refuse(a, ERR_CONFLICT, N_("tahap DPRD tidak dapat dikoreksi lagi: Perda sudah ditetapkan"));
	if ((rc = check_reason(a, reason, N_("tuliskan alasan koreksi"),
			       N_("alasan koreksi terlalu panjang (maksimal 4.000 karakter)"))) < 0)
		return rc;
	if (!*stage)
		return refuse(a, ERR_INVALID, N_("pilih tahap DPRD yang dicatat"));
	if (!one_of(stage, DPRD_STAGES))
		return refuse(a, ERR_INVALID, N_("tahap DPRD tidak dikenal"));
	if (dprd_pos(stage) != pos)
		return refuse(a, ERR_INVALID, pos == 2 ? N_("hasil DPRD hanya dapat dikoreksi menjadi disetujui atau ditolak")
						       : N_("hanya tanggal tahap ini yang dapat dikoreksi: tahap DPRD harus "
							    "berurutan, diajukan, pembahasan, lalu disetujui atau ditolak"));
	if (!a->expected_version)
		return refuse(a, ERR_INVALID, N_("kirim versi usulan yang Anda lihat (version) bersama koreksi"));
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if ((rc = check_stage_day(c, a, p, prev_of[pos], day)) < 0)
		return rc;
	rc = store_query_text(c, old_day, sizeof(old_day),
			      "SELECT stage_day FROM governance_dprd WHERE tenant = ? AND proposal_id = ? AND stage = ?", "tit",
			      a->tenant, p->id, p->dprd_stage);
	if (rc < 0)
		return rc == ERR_NOT_FOUND ? store_fail(ERR_DB, "proposal %" PRId64 ": DPRD stage '%s' has no row", p->id,
							 p->dprd_stage)
					   : rc;
	if (!strcmp(stage, p->dprd_stage) && !strcmp(day, old_day))
		return refuse(a, ERR_INVALID, N_("koreksi tidak mengubah apa pun: tahap dan tanggalnya sama dengan yang tercatat"));
	*writing = 1;
	if ((rc = store_query_int64(c, &seq,
				    "SELECT COALESCE(MAX(seq), 0) + 1 FROM governance_dprd_corrections WHERE tenant = ? AND "
				    "proposal_id = ?", "ti", a->tenant, p->id)) < 0)
		return rc;
	rc = store_exec(c, "INSERT INTO governance_dprd_corrections (tenant, proposal_id, seq, stage_before, day_before, "
			   "stage_after, day_after, reason, actor, actor_name, actor_role, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"tiitttttttti", a->tenant, p->id, seq, p->dprd_stage, old_day, stage, day, reason, a->actor,
			nz(a->actor_name), role_name(a->role), a->now);
	if (rc < 0)
		return rc;
	rc = store_exec(c, "UPDATE governance_dprd SET stage = ?, stage_day = ? WHERE tenant = ? AND proposal_id = ? AND stage = ?",
			"tttit", stage, day, a->tenant, p->id, p->dprd_stage);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	reason_excerpt(reason, why);
	snprintf(summary, sizeof(summary), "koreksi tahap DPRD %s pada %s menjadi %s pada %s, alasan: %s: %.300s",
		 p->dprd_stage, old_day, stage, day, why, p->title);
	return dprd_changed(c, a, p, stage, summary, "governance.dprd_correct", N_("Tahap DPRD dikoreksi"));
}

/* The date of an act of a Perda (its enactment or promulgation): a real
 * date, not in the future (the tenant's today), not before floor (the
 * DPRD's joint approval, or the enactment), which why names. */
static int check_act_day(gov_action_t *a, const tenant_t *t, const char *floor, const char *why, char day[CAL_DATE_LEN])
{
	int32_t today, from;
	if (cal_format_date(a->stage_day, day) < 0)
		return refuse(a, ERR_INVALID, N_("tanggal harus berformat YYYY-MM-DD"));
	today = cal_local_day(a->now, t->tz_offset);
	if (a->stage_day > today)
		return refuse_day(a, today, NULL, N_("tanggal tidak boleh di masa depan: paling lambat hari ini, %s"));
	if (cal_parse_date(floor, &from) == 0 && a->stage_day < from)
		return refuse_day(a, from, NULL, why);
	return 0;
}

/* The enactment (penetapan) of a Perda by the head, after the DPRD's joint
 * approval, and its promulgation (pengundangan) in the Lembaran Daerah by
 * the Sekda, after the enactment: each a signed step of the chain, with its
 * number from its own per-tenant, per-year sequence (the year of the act's
 * date) and its date, both signed (the step's extra), and a row of
 * governance_perda that verification checks against the step. */
int gov_op_perda(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	int enact = a->op == GOV_OP_PERDA_ENACT;
	const char *kind = enact ? "penetapan" : "pengundangan", *note = nz(a->note);
	char pk_hex[65], floor[CAL_DATE_LEN] = "", day[CAL_DATE_LEN], regno[64] = "", number[160], extra[400],
		summary[600];
	int64_t seq = 0, idx = 0;
	tenant_t t;
	int year, rc;
	if (a->role != (enact ? ROLE_KEPALA_DAERAH : ROLE_SEKDA))
		return refuse(a, ERR_FORBIDDEN, N_("peran Anda tidak berwenang melakukan tindakan ini"));
	if (!p->needs_dprd)
		return refuse(a, ERR_CONFLICT, N_("usulan ini tidak memerlukan persetujuan DPRD"));
	if (strcmp(p->state, "disetujui") || strcmp(p->dprd_stage, "disetujui"))
		return refuse(a, ERR_CONFLICT, N_("Perda baru dapat ditetapkan setelah Raperda disetujui bersama DPRD"));
	if (enact && *p->perda_stage)
		return refuse(a, ERR_CONFLICT, N_("Perda sudah ditetapkan"));
	if (!enact && !*p->perda_stage)
		return refuse(a, ERR_CONFLICT, N_("Perda baru dapat diundangkan setelah ditetapkan Kepala Daerah"));
	if (!enact && strcmp(p->perda_stage, "ditetapkan"))
		return refuse(a, ERR_CONFLICT, N_("Perda sudah diundangkan"));
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if ((rc = check_flags(a)) < 0)
		return rc;
	if (strlen(note) > GOV_NOTE_MAX)
		return refuse(a, ERR_INVALID, N_("catatan terlalu panjang (maksimal 4.000 karakter)"));
	if ((rc = tenant_get(c, a->tenant, &t)) < 0)
		return rc;
	if (enact)
		rc = store_query_text(c, floor, sizeof(floor),
				      "SELECT stage_day FROM governance_dprd WHERE tenant = ? AND proposal_id = ? AND stage = ?",
				      "tit", a->tenant, p->id, "disetujui");
	else
		rc = store_query_text(c, floor, sizeof(floor),
				      "SELECT act_day FROM governance_perda WHERE tenant = ? AND proposal_id = ? AND act = ?",
				      "tit", a->tenant, p->id, "penetapan");
	if (rc < 0 && rc != ERR_NOT_FOUND)
		return rc;
	if ((rc = check_act_day(a, &t, floor,
				enact ? N_("tanggal penetapan tidak boleh sebelum %s, tanggal persetujuan bersama DPRD")
				      : N_("tanggal pengundangan tidak boleh sebelum %s, tanggal penetapan Perda"),
				day)) < 0)
		return rc;
	if (a->passphrase_failed)
		return refuse(a, ERR_FORBIDDEN, N_("frasa sandi kunci tanda tangan salah"));
	if ((rc = gov_check_key(c, a, pk_hex)) < 0)
		return rc;

	*writing = 1;
	{
		int y;
		cal_civil_from_days(a->stage_day, &y, NULL, NULL);
		year = y;
	}
	if ((rc = regno_next(c, a->tenant, enact ? "PERDA" : "LD", year, &seq, regno, sizeof(regno))) < 0)
		return rc;
	if (enact)
		governance_perda_title(t.name, seq, year, number, sizeof(number));
	else
		governance_lembaran_title(t.name, seq, year, number, sizeof(number));
	snprintf(extra, sizeof(extra), "number=%s\nregno=%s\nday=%s", number, regno, day);
	if ((rc = gov_append_step(c, a, p, kind, "", note, extra, pk_hex, &idx)) < 0)
		return rc;
	rc = store_exec(c, "INSERT INTO governance_perda (tenant, proposal_id, act, number, regno, seq, year, act_day, "
			   "step_idx, actor, actor_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"titttiit" "itti", a->tenant, p->id, kind, number, regno, seq, (int64_t)year, day, idx, a->actor,
			nz(a->actor_name), a->now);
	if (rc < 0)
		return rc;
	rc = store_exec(c, "UPDATE governance_proposals SET perda_stage = ?, updated_at = ?, version = version + 1 "
			   "WHERE tenant = ? AND id = ? AND version = ?", "titii", enact ? "ditetapkan" : "diundangkan",
			a->now, a->tenant, p->id, p->version);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	snprintf(a->ret_number, sizeof(a->ret_number), "%s", number);
	snprintf(summary, sizeof(summary), "%s %s (%s) pada %s (ditandatangani): %.300s", kind, number, regno, day, p->title);
	if ((rc = audit(c, a, p->id, enact ? "governance.perda_enact" : "governance.perda_promulgate", summary)) < 0)
		return rc;
	/* the Sekda's legal bureau promulgates it next; the OPD and the DPRD
	 * follow it to the end */
	if (enact)
		rc = notify_role(c, a, p->id, "sekda", NULL, N_("Perda telah ditetapkan dan menunggu pengundangan"), p->title);
	else
		rc = notify_role(c, a, p->id, "kepala_daerah", NULL, N_("Perda telah diundangkan"), p->title);
	if (rc == 0)
		rc = notify_role(c, a, p->id, "kepala_opd", p->unit,
				 enact ? N_("Perda telah ditetapkan dan menunggu pengundangan") : N_("Perda telah diundangkan"),
				 p->title);
	if (rc == 0)
		rc = notify_role(c, a, p->id, "dprd", NULL,
				 enact ? N_("Perda telah ditetapkan dan menunggu pengundangan") : N_("Perda telah diundangkan"),
				 p->title);
	return rc;
}

/* The kepala OPD declines a pokok pikiran of the DPRD that the OPD will
 * not take up (it stayed a draft for ever): a signed step "tolak_pokir"
 * with the reason as its note, the state tidak_ditindaklanjuti (final: no
 * edit, no attachment, no submission after it), and the DPRD member who
 * sent it told, the reason with the title (or every DPRD member when that
 * account is gone). Only while the pokok pikiran is a draft: once
 * submitted, the OPD has taken it up. */
int gov_op_decline(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	const char *note = nz(a->note);
	char pk_hex[65], summary[900], why[REASON_EXCERPT], subject[4 * GOV_TITLE_MAX + 320];
	notify_target_t to = { 0, "dprd", NULL };
	user_info_t u;
	int rc;
	if (a->role != ROLE_KEPALA_OPD)
		return refuse(a, ERR_FORBIDDEN, N_("peran Anda tidak berwenang melakukan tindakan ini"));
	if ((rc = check_opd(a, p)) < 0)
		return rc;
	if (strcmp(p->origin, "pokir"))
		return refuse(a, ERR_CONFLICT, N_("hanya pokok pikiran DPRD yang dapat dinyatakan tidak ditindaklanjuti"));
	if (is_declined(p))
		return refuse(a, ERR_CONFLICT, N_("pokok pikiran ini sudah dinyatakan tidak ditindaklanjuti"));
	if (strcmp(p->state, "draf"))
		return refuse(a, ERR_CONFLICT, N_("pokok pikiran ini sudah ditindaklanjuti OPD (diajukan) dan tidak dapat "
						  "ditolak lagi"));
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if ((rc = check_flags(a)) < 0)
		return rc;
	if ((rc = check_reason(a, note, N_("tuliskan alasan pokok pikiran ini tidak ditindaklanjuti"),
			       N_("catatan terlalu panjang (maksimal 4.000 karakter)"))) < 0)
		return rc;
	if (a->passphrase_failed)
		return refuse(a, ERR_FORBIDDEN, N_("frasa sandi kunci tanda tangan salah"));
	if ((rc = gov_check_key(c, a, pk_hex)) < 0)
		return rc;
	*writing = 1;
	if ((rc = gov_append_step(c, a, p, "tolak_pokir", "", note, "", pk_hex, NULL)) < 0)
		return rc;
	if ((rc = gov_set_state(c, a, p, "tidak_ditindaklanjuti")) < 0)
		return rc;
	reason_excerpt(note, why); /* for the audit log and the notification */
	/* a signed step, audited as the others ("governance.step": a webhook
	 * receiver hears of it like of a submission) */
	snprintf(summary, sizeof(summary), "tolak_pokir (ditandatangani): %.300s, alasan: %s", p->title, why);
	if ((rc = audit(c, a, p->id, "governance.step", summary)) < 0)
		return rc;
	/* the member who sent it reads why in the notification itself */
	rc = user_get(c, a->tenant, p->created_by, &u);
	if (rc < 0 && rc != ERR_NOT_FOUND)
		return rc;
	if (rc == 0 && !u.disabled && !u.deleted_at && !strcmp(u.role, "dprd"))
		to = (notify_target_t){ u.id, NULL, NULL };
	snprintf(subject, sizeof(subject), "%s — %s", p->title, why);
	{
		char obj[48];
		snprintf(obj, sizeof(obj), "proposal:%" PRId64, p->id);
		return notify_add_about(c, a->tenant, &to, "governance", obj,
					N_("Pokok pikiran DPRD tidak ditindaklanjuti OPD"), subject, a->now);
	}
}
