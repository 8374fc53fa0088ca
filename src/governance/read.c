/*
 * read.c: reading proposals: each role's inbox, a whole proposal with its
 * steps, DPRD stages (and their corrections), attachments, decision and
 * Perda, the Sekda's overview per OPD and the differences report, and the
 * public register of decisions (JDIH), each entry verified.
 */
#include "governance/internal.h"

#include "core/calendar.h"
#include "tenants/tenants.h"
#include "core/banned.h"

static json_t *row_summary(store_stmt_t *s, int64_t now)
{
	/* columns: id, unit, kind, title, urgency, state, dprd_stage, due_at, updated_at, origin, needs_dprd, version */
	int64_t due = store_col_int64(s, 7);
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:I,s:s,s:b,s:I}", "id",
			 (json_int_t)store_col_int64(s, 0), "unit", store_col_text(s, 1), "kind", store_col_text(s, 2),
			 "title", store_col_text(s, 3), "urgency", store_col_text(s, 4), "urgency_label",
			 governance_urgency_label(store_col_text(s, 4)), "state", store_col_text(s, 5), "state_label",
			 governance_state_label(store_col_text(s, 5)), "dprd_stage", store_col_text(s, 6),
			 "dprd_stage_label", governance_dprd_stage_label(store_col_text(s, 6)), "due_at", (json_int_t)due,
			 "overdue", due > 0 && now > due, "updated_at", (json_int_t)store_col_int64(s, 8), "origin",
			 store_col_text(s, 9), "needs_dprd", (int)store_col_int64(s, 10), "version",
			 (json_int_t)store_col_int64(s, 11));
}

/* The summary columns, then the OPD's name (column 12), how many
 * corrections its DPRD stages had (column 13), where its Perda stands
 * (column 14), the date of the DPRD's joint approval (column 15, NULL
 * when none), and the latest Sekda's recommendation and Wakil's
 * consideration (columns 16 and 17, NULL when none). */
#define SUMMARY_COLS "SELECT id, unit, kind, title, urgency, state, dprd_stage, due_at, updated_at, origin, needs_dprd, version, " \
		     "(SELECT name FROM units u WHERE u.tenant = governance_proposals.tenant AND u.code = governance_proposals.unit), " \
		     "(SELECT COUNT(*) FROM governance_dprd_corrections k WHERE k.tenant = governance_proposals.tenant AND " \
		     "k.proposal_id = governance_proposals.id), perda_stage, " \
		     "(SELECT stage_day FROM governance_dprd g WHERE g.tenant = governance_proposals.tenant AND " \
		     "g.proposal_id = governance_proposals.id AND g.stage = 'disetujui'), " \
		     "(SELECT verdict FROM governance_steps st WHERE st.tenant = governance_proposals.tenant AND " \
		     "st.proposal_id = governance_proposals.id AND st.kind = 'saran' ORDER BY st.idx DESC LIMIT 1), " \
		     "(SELECT verdict FROM governance_steps st WHERE st.tenant = governance_proposals.tenant AND " \
		     "st.proposal_id = governance_proposals.id AND st.kind = 'pertimbangan' ORDER BY st.idx DESC LIMIT 1) " \
		     "FROM governance_proposals WHERE tenant = ? "

/* Where a Perda stands, on a proposal or a list item: perda_stage, its
 * label, and while it waits for the enactment the last day for it
 * (perda_due, GOV_PERDA_DAYS after the DPRD's joint approval on
 * approved) and whether that day has passed at today (perda_late; today 0:
 * unknown, false). */
static void perda_summary(json_t *o, const char *dprd_stage, const char *perda_stage, const char *approved,
			  int32_t today)
{
	char due[CAL_DATE_LEN] = "";
	int32_t d;
	json_object_set_new(o, "perda_stage", json_string(perda_stage));
	json_object_set_new(o, "perda_label", json_string(governance_perda_label(dprd_stage, perda_stage)));
	if (strcmp(dprd_stage, "disetujui") || *perda_stage)
		return;
	governance_perda_due(approved, due);
	if (!*due)
		return;
	json_object_set_new(o, "perda_due", json_string(due));
	json_object_set_new(o, "perda_late", json_boolean(today > 0 && cal_parse_date(due, &d) == 0 && today > d));
}

void governance_perda_late(json_t *o, int32_t today)
{
	const char *due = json_string_value(json_object_get(o, "perda_due"));
	int32_t d;
	if (due && cal_parse_date(due, &d) == 0)
		json_object_set_new(o, "perda_late", json_boolean(today > d));
}

/* What the Sekda recommended (sekda_advice) and the Wakil considered
 * (wakil_view) in the round the item is in: once the Sekda has advised
 * (waiting for the Wakil or the head, or decided); "" before it, or while
 * an earlier round's advice would be taken for this one's (a proposal
 * returned and sent again). */
static void advice_summary(json_t *o, const char *state, const char *sekda, const char *wakil)
{
	int advised = !strcmp(state, "pertimbangan") || !strcmp(state, "keputusan") || !strcmp(state, "disetujui") ||
		      !strcmp(state, "ditolak");
	int considered = advised && strcmp(state, "pertimbangan");
	json_object_set_new(o, "sekda_advice", json_string(advised ? sekda : ""));
	json_object_set_new(o, "wakil_view", json_string(considered ? wakil : ""));
}

int governance_inbox(store_conn_t *c, const char *tenant, role_t role, const char *unit, const char *username,
		     int64_t now, int all, int limit, int offset, json_t *arr)
{
	store_stmt_t *s;
	const char *where;
	const char *state = NULL;
	char sql[2048];
	int64_t lim = limit > 0 ? limit : 500, off = offset > 0 ? offset : 0;
	int32_t today = 0;
	tenant_t t;
	int rc;
	(void)username;
	if ((rc = tenant_get(c, tenant, &t)) < 0 && rc != ERR_NOT_FOUND)
		return rc;
	if (rc == 0)
		today = cal_local_day(now, t.tz_offset);
	switch (role) {
	/* the leadership reads a proposal once the OPD submitted it: a draft
	 * never submitted is the OPD's alone (governance_get), and so is a
	 * pokok pikiran the OPD declined (the DPRD's and the OPD's) */
	case ROLE_SEKDA:
		/* and the Perda enacted, waiting for its promulgation */
		where = all ? "AND state NOT IN ('draf', 'tidak_ditindaklanjuti') " : "AND (state = ? OR (state = 'disetujui' AND perda_stage = 'ditetapkan')) ";
		state = "diajukan";
		break;
	case ROLE_WAKIL:
		where = all ? "AND state NOT IN ('draf', 'tidak_ditindaklanjuti') " : "AND state = ? ";
		state = "pertimbangan";
		break;
	case ROLE_KEPALA_DAERAH:
		/* and the Raperda the DPRD approved, waiting for its enactment */
		where = all ? "AND state NOT IN ('draf', 'tidak_ditindaklanjuti') "
			    : "AND (state = ? OR (needs_dprd = 1 AND state = 'disetujui' AND dprd_stage = 'disetujui' "
			      "AND perda_stage = '')) ";
		state = "keputusan";
		break;
	case ROLE_PETUGAS:
	case ROLE_ADMIN_OPD:
	case ROLE_KEPALA_OPD:
		where = all ? "AND unit = ? " : "AND unit = ? AND state IN ('draf', 'dikembalikan') ";
		break;
	case ROLE_DPRD:
		/* waiting for a DPRD stage; pokok pikiran are drafts of the OPD
		 * concerned (only the OPD acts on them), so they are listed with
		 * all = 1 only */
		where = all ? "AND ((needs_dprd = 1 AND state = 'disetujui') OR origin = 'pokir') "
			    : "AND needs_dprd = 1 AND state = 'disetujui' AND dprd_stage NOT IN ('disetujui', 'ditolak') ";
		break;
	case ROLE_ADMIN:
		/* reads every proposal (governance_get) but acts on none */
		if (!all)
			return 0;
		where = "";
		break;
	default:
		return 0;
	}
	if ((size_t)snprintf(sql, sizeof(sql),
			     "%s%sORDER BY CASE WHEN due_at = 0 THEN 1 ELSE 0 END, due_at, id DESC LIMIT ? OFFSET ?",
			     SUMMARY_COLS, where) >= sizeof(sql))
		return ERR_INTERNAL;
	rc = store_prepare(c, sql, &s);
	if (rc < 0)
		return rc;
	/* one text after the tenant (the unit, or the state waited for), or
	 * none; then the page */
	if (role_needs_unit(role) || (state && !all))
		store_bindf(s, "ttii", tenant, role_needs_unit(role) ? (unit ? unit : "") : state, lim, off);
	else
		store_bindf(s, "tii", tenant, lim, off);
	while ((rc = store_step(s)) == STORE_ROW) {
		json_t *it = row_summary(s, now);
		json_object_set_new(it, "unit_name", json_string(nz(store_col_text(s, 12))));
		json_object_set_new(it, "dprd_corrections", json_integer(store_col_int64(s, 13)));
		perda_summary(it, nz(store_col_text(s, 6)), nz(store_col_text(s, 14)), nz(store_col_text(s, 15)), today);
		advice_summary(it, store_col_text(s, 5), nz(store_col_text(s, 16)), nz(store_col_text(s, 17)));
		json_array_append_new(arr, it);
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* The corrections of a proposal's DPRD stages, oldest first, each added to
 * the "corrections" of the stage it corrected in dprd (the one in the same
 * place of the order: a correction keeps it) and that stage marked
 * "corrected"; how many there are into *ret_n. */
static int dprd_corrections(store_conn_t *c, const char *tenant, int64_t id, json_t *dprd, int64_t *ret_n)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT seq, stage_before, day_before, stage_after, day_after, reason, actor, actor_name, "
				  "actor_role, created_at FROM governance_dprd_corrections WHERE tenant = ? AND proposal_id = ? "
				  "ORDER BY seq", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	*ret_n = 0;
	while ((rc = store_step(s)) == STORE_ROW) {
		json_t *st, *k = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "seq", (json_int_t)store_col_int64(s, 0),
					   "stage_before", store_col_text(s, 1), "day_before", store_col_text(s, 2),
					   "stage_after", store_col_text(s, 3), "day_after", store_col_text(s, 4), "reason",
					   store_col_text(s, 5), "actor", store_col_text(s, 6), "actor_name",
					   store_col_text(s, 7), "actor_role", store_col_text(s, 8), "at",
					   (json_int_t)store_col_int64(s, 9));
		size_t i;
		int placed = 0;
		(*ret_n)++;
		json_array_foreach(dprd, i, st)
			if (!placed && dprd_pos(json_string_value(json_object_get(st, "stage"))) ==
					       dprd_pos(store_col_text(s, 3))) {
				json_object_set_new(st, "corrected", json_true());
				json_array_append(json_object_get(st, "corrections"), k);
				placed = 1;
			}
		json_decref(k);
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int governance_get(store_conn_t *c, const char *tenant, int64_t id, role_t role, const char *unit, json_t **ret)
{
	store_stmt_t *s;
	json_t *j, *steps, *dprd, *att;
	int64_t ncorr = 0;
	int rc;
	rc = store_prepare(c, "SELECT p.id, p.unit, p.kind, p.title, p.urgency, p.state, p.dprd_stage, p.due_at, p.updated_at, "
			      "p.origin, p.needs_dprd, p.version, p.is_public, p.content_version, p.created_by, p.created_at, "
			      "v.background, v.analysis, v.options, v.proposed, v.content_hash, "
			      "(SELECT name FROM units u WHERE u.tenant = p.tenant AND u.code = p.unit), p.perda_stage, "
			      "(SELECT stage_day FROM governance_dprd g WHERE g.tenant = p.tenant AND g.proposal_id = p.id AND "
			      "g.stage = 'disetujui') "
			      "FROM governance_proposals p JOIN governance_versions v ON v.tenant = p.tenant AND "
			      "v.proposal_id = p.id AND v.version = p.content_version WHERE p.tenant = ? AND p.id = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	rc = store_step(s);
	if (rc != STORE_ROW) {
		store_finalize(s);
		return rc < 0 ? rc : ERR_NOT_FOUND;
	}
	/* who may read it: the OPD concerned, the leadership once the OPD
	 * submitted it (a draft, or a pokok pikiran declined as a draft, is
	 * the OPD's), the administrator, and DPRD
	 * members for pokok pikiran and for DPRD items once the head approved
	 * them for the DPRD (not the OPD's draft nor the executive's
	 * deliberation before) */
	if ((role_needs_unit(role) && (!unit || strcmp(unit, store_col_text(s, 1)))) ||
	    (role == ROLE_DPRD && strcmp(store_col_text(s, 9), "pokir") &&
	     (!store_col_int64(s, 10) || strcmp(store_col_text(s, 5), "disetujui"))) ||
	    ((role == ROLE_SEKDA || role == ROLE_WAKIL || role == ROLE_KEPALA_DAERAH) &&
	     (!strcmp(store_col_text(s, 5), "draf") || !strcmp(store_col_text(s, 5), "tidak_ditindaklanjuti"))) ||
	    (!role_needs_unit(role) && role != ROLE_DPRD && role != ROLE_SEKDA && role != ROLE_WAKIL &&
	     role != ROLE_KEPALA_DAERAH && role != ROLE_ADMIN)) {
		store_finalize(s);
		return ERR_FORBIDDEN;
	}
	j = row_summary(s, 0);
	json_object_set_new(j, "is_public", json_boolean(store_col_int64(s, 12)));
	json_object_set_new(j, "content_version", json_integer(store_col_int64(s, 13)));
	json_object_set_new(j, "created_by", json_string(store_col_text(s, 14)));
	json_object_set_new(j, "created_at", json_integer(store_col_int64(s, 15)));
	json_object_set_new(j, "background", json_string(store_col_text(s, 16)));
	json_object_set_new(j, "analysis", json_string(store_col_text(s, 17)));
	json_object_set_new(j, "options", json_string(store_col_text(s, 18)));
	json_object_set_new(j, "proposed", json_string(store_col_text(s, 19)));
	json_object_set_new(j, "content_hash", json_string(store_col_text(s, 20)));
	json_object_set_new(j, "unit_name", json_string(store_col_text(s, 21) ? store_col_text(s, 21) : ""));
	perda_summary(j, store_col_text(s, 6), nz(store_col_text(s, 22)), nz(store_col_text(s, 23)), 0);
	store_finalize(s);

	steps = json_array();
	json_object_set_new(j, "steps", steps);
	rc = store_prepare(c, "SELECT idx, kind, role, actor, actor_name, verdict, note, proposal_version, signed_at, "
			      "public_key, signature, step_hash FROM governance_steps WHERE tenant = ? AND proposal_id = ? "
			      "ORDER BY idx", &s);
	if (rc < 0)
		goto fail;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW)
		json_array_append_new(steps, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s}", "idx",
						       (json_int_t)store_col_int64(s, 0), "kind", store_col_text(s, 1),
						       "kind_label", governance_step_label(store_col_text(s, 1)), "role",
						       store_col_text(s, 2), "actor", store_col_text(s, 3), "actor_name",
						       store_col_text(s, 4), "verdict", store_col_text(s, 5), "verdict_label",
						       governance_step_verdict_label(store_col_text(s, 1), store_col_text(s, 5)),
						       "note",
						       store_col_text(s, 6), "proposal_version",
						       (json_int_t)store_col_int64(s, 7), "signed_at",
						       (json_int_t)store_col_int64(s, 8), "public_key", store_col_text(s, 9),
						       "signature", store_col_text(s, 10), "step_hash", store_col_text(s, 11)));
	store_finalize(s);
	if (rc < 0)
		goto fail;

	dprd = json_array();
	json_object_set_new(j, "dprd", dprd);
	/* in the order of the stages (each is recorded once, in order; two in
	 * the same second must not come out alphabetically) */
	rc = store_prepare(c, "SELECT stage, stage_day, note, actor FROM governance_dprd WHERE tenant = ? AND proposal_id = ? "
			      "ORDER BY CASE stage WHEN 'diajukan' THEN 0 WHEN 'pembahasan' THEN 1 ELSE 2 END, created_at", &s);
	if (rc < 0)
		goto fail;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW)
		json_array_append_new(dprd, json_pack("{s:s,s:s,s:s,s:s,s:b,s:[]}", "stage", store_col_text(s, 0), "day",
						      store_col_text(s, 1), "note", store_col_text(s, 2), "actor",
						      store_col_text(s, 3), "corrected", 0, "corrections"));
	store_finalize(s);
	if (rc < 0 || (rc = dprd_corrections(c, tenant, id, dprd, &ncorr)) < 0)
		goto fail;
	json_object_set_new(j, "dprd_corrections", json_integer(ncorr));

	att = json_array();
	json_object_set_new(j, "attachments", att);
	rc = store_prepare(c, "SELECT hash, name, mime, size FROM governance_attachments WHERE tenant = ? AND proposal_id = ? "
			      "ORDER BY created_at, name", &s);
	if (rc < 0)
		goto fail;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW)
		json_array_append_new(att, json_pack("{s:s,s:s,s:s,s:I}", "hash", store_col_text(s, 0), "name",
						     store_col_text(s, 1), "mime", store_col_text(s, 2), "size",
						     (json_int_t)store_col_int64(s, 3)));
	store_finalize(s);
	if (rc < 0)
		goto fail;

	rc = store_prepare(c, "SELECT token, verdict, number, regno, note, is_public, decided_at, decided_by, title "
			      "FROM governance_decisions WHERE tenant = ? AND proposal_id = ?", &s);
	if (rc < 0)
		goto fail;
	store_bindf(s, "ti", tenant, id);
	if ((rc = store_step(s)) == STORE_ROW)
		json_object_set_new(j, "decision",
				    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:I,s:s,s:s}", "token", store_col_text(s, 0),
					      "verdict", store_col_text(s, 1), "verdict_label",
					      governance_verdict_label(store_col_text(s, 1)), "number", store_col_text(s, 2),
					      "regno", store_col_text(s, 3), "note", store_col_text(s, 4), "is_public",
					      (int)store_col_int64(s, 5), "decided_at", (json_int_t)store_col_int64(s, 6),
					      "decided_by", store_col_text(s, 7), "title", store_col_text(s, 8)));
	store_finalize(s);
	if (rc < 0)
		goto fail;

	/* the Perda's enactment and promulgation, each as signed */
	rc = store_prepare(c, "SELECT act, number, regno, act_day, actor, actor_name, created_at, step_idx "
			      "FROM governance_perda WHERE tenant = ? AND proposal_id = ? ORDER BY step_idx", &s);
	if (rc < 0)
		goto fail;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW)
		json_object_set_new(j, strcmp(store_col_text(s, 0), "penetapan") ? "perda_promulgated" : "perda_enacted",
				    json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "number", store_col_text(s, 1), "regno",
					      store_col_text(s, 2), "day", store_col_text(s, 3), "actor", store_col_text(s, 4),
					      "actor_name", store_col_text(s, 5), "at", (json_int_t)store_col_int64(s, 6),
					      "step_idx", (json_int_t)store_col_int64(s, 7)));
	store_finalize(s);
	if (rc < 0)
		goto fail;
	*ret = j;
	return 0;
fail:
	json_decref(j);
	return rc;
}

int governance_pending_by_unit(store_conn_t *c, const char *tenant, int64_t now, json_t *arr)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT u.code, u.name, "
				  "(SELECT COUNT(*) FROM governance_proposals p WHERE p.tenant = u.tenant AND p.unit = u.code AND p.state = 'draf'), "
				  "(SELECT COUNT(*) FROM governance_proposals p WHERE p.tenant = u.tenant AND p.unit = u.code AND p.state = 'diajukan'), "
				  "(SELECT COUNT(*) FROM governance_proposals p WHERE p.tenant = u.tenant AND p.unit = u.code AND p.state = 'pertimbangan'), "
				  "(SELECT COUNT(*) FROM governance_proposals p WHERE p.tenant = u.tenant AND p.unit = u.code AND p.state = 'keputusan'), "
				  "(SELECT COUNT(*) FROM governance_proposals p WHERE p.tenant = u.tenant AND p.unit = u.code AND p.state = 'dikembalikan'), "
				  "(SELECT COUNT(*) FROM governance_proposals p WHERE p.tenant = u.tenant AND p.unit = u.code AND p.state IN ('diajukan', 'pertimbangan', 'keputusan', 'dikembalikan') AND p.due_at > 0 AND p.due_at < ?) "
				  "FROM units u WHERE u.tenant = ? ORDER BY u.code", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "it", now, tenant);
	while ((rc = store_step(s)) == STORE_ROW) {
		int64_t d = store_col_int64(s, 2), w1 = store_col_int64(s, 3), w2 = store_col_int64(s, 4),
			w3 = store_col_int64(s, 5), r = store_col_int64(s, 6);
		if (d + w1 + w2 + w3 + r == 0)
			continue;
		json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "unit", store_col_text(s, 0), "name",
						     store_col_text(s, 1), "draf", (json_int_t)d, "diajukan", (json_int_t)w1,
						     "pertimbangan", (json_int_t)w2, "keputusan", (json_int_t)w3,
						     "dikembalikan", (json_int_t)r, "total", (json_int_t)(w1 + w2 + w3 + r), "overdue", (json_int_t)store_col_int64(s, 7)));
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int governance_differences(store_conn_t *c, const char *tenant, json_t *arr)
{
	/* the last sekda recommendation and wakil consideration before the decision */
	store_stmt_t *s;
	int rc = store_prepare(c,
		"SELECT d.proposal_id, d.title, d.verdict, d.number, d.decided_at, p.unit, "
		"(SELECT st.verdict FROM governance_steps st WHERE st.tenant = d.tenant AND st.proposal_id = d.proposal_id "
		" AND st.kind = 'saran' ORDER BY st.idx DESC LIMIT 1), "
		"(SELECT st.note FROM governance_steps st WHERE st.tenant = d.tenant AND st.proposal_id = d.proposal_id "
		" AND st.kind = 'saran' ORDER BY st.idx DESC LIMIT 1), "
		"(SELECT st.verdict FROM governance_steps st WHERE st.tenant = d.tenant AND st.proposal_id = d.proposal_id "
		" AND st.kind = 'pertimbangan' ORDER BY st.idx DESC LIMIT 1), "
		"(SELECT st.note FROM governance_steps st WHERE st.tenant = d.tenant AND st.proposal_id = d.proposal_id "
		" AND st.kind = 'pertimbangan' ORDER BY st.idx DESC LIMIT 1), d.token "
		"FROM governance_decisions d JOIN governance_proposals p ON p.tenant = d.tenant AND p.id = d.proposal_id "
		"WHERE d.tenant = ? ORDER BY d.decided_at DESC LIMIT 500", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", tenant);
	while ((rc = store_step(s)) == STORE_ROW) {
		const char *dec = store_col_text(s, 2), *sek = store_col_text(s, 6), *wak = store_col_text(s, 8);
		int approve = !strcmp(dec, "setuju");
		/* "differs": advice against an approval, or advice for a rejection */
		int sek_diff = sek && (approve ? !strcmp(sek, "tidak_setuju") : strcmp(sek, "tidak_setuju") != 0);
		int wak_diff = wak && (approve ? !strcmp(wak, "tidak_setuju") : strcmp(wak, "tidak_setuju") != 0);
		if (!sek_diff && !wak_diff)
			continue;
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:s}", "id",
						     (json_int_t)store_col_int64(s, 0), "title", store_col_text(s, 1),
						     "decision", dec, "decision_label", governance_verdict_label(dec), "number",
						     store_col_text(s, 3), "decided_at", (json_int_t)store_col_int64(s, 4),
						     "unit", store_col_text(s, 5), "sekda", sek ? sek : "", "sekda_label",
						     governance_verdict_label(sek), "sekda_note", nz(store_col_text(s, 7)),
						     "wakil", wak ? wak : "", "wakil_label", governance_verdict_label(wak),
						     "wakil_note", nz(store_col_text(s, 9)), "sekda_differs", sek_diff,
						     "wakil_differs", wak_diff, "token", store_col_text(s, 10)));
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* One word of a register search as a LIKE pattern: lower case, LIKE's own
 * characters escaped (they match themselves), cut on a whole UTF-8
 * character (PostgreSQL refuses half of one). */
static void like_word(const char *w, size_t len, char *out, size_t outlen)
{
	size_t n = 0, i;
	out[n++] = '%';
	for (i = 0; i < len && n + 4 < outlen; i++) {
		char ch = w[i];
		if (ch == '%' || ch == '_' || ch == '\\')
			out[n++] = '\\';
		out[n++] = (char)((ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch);
	}
	if (i < len && ((unsigned char)w[i] & 0xC0) == 0x80) {
		while (n > 1 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 1)
			n--; /* the lead byte */
	}
	out[n++] = '%';
	out[n] = '\0';
}

#define REG_WORDS 6 /* words of a search that count; more are ignored */

/* Binds the register's tenant and, for each of the nw words, its pattern
 * to the four columns it is looked for in; returns the next parameter. */
static int reg_bind(store_stmt_t *s, const char *tenant, char pats[][200], int nw)
{
	store_bind_text(s, 1, tenant, -1);
	for (int i = 0; i < nw; i++)
		for (int k = 0; k < 6; k++)
			store_bind_text(s, 2 + 6 * i + k, pats[i], -1);
	return 2 + 6 * nw;
}

int governance_register(store_conn_t *c, const char *tenant, const char *q, int limit, int offset, json_t *arr,
			int64_t *ret_total)
{
	char pats[REG_WORDS][200];
	const char *p = q ? q : "";
	size_t first = json_array_size(arr), listed = 0;
	int nw = 0, rc, bi;
	store_stmt_t *s;
	sb_t where = SB_INIT, sql = SB_INIT;
	/* every word somewhere in the number, the title, the decided text or
	 * the OPD's name ("perda adminduk" finds the Raperda on adminduk) */
	while (*p && nw < REG_WORDS) {
		size_t len;
		while (*p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, " \t");
		if (!len)
			break;
		like_word(p, len, pats[nw], sizeof(pats[nw]));
		sb_adds(&where, " AND (LOWER(d.number) LIKE ? ESCAPE '\\' OR LOWER(v.title) LIKE ? ESCAPE '\\' "
				"OR LOWER(v.proposed) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(u.name, '')) LIKE ? ESCAPE '\\' "
				"OR LOWER(COALESCE(pe.number, '')) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(pu.number, '')) LIKE ? ESCAPE '\\')");
		nw++;
		p += len;
	}
#define REG_FROM                                                                                                       \
	"FROM governance_decisions d JOIN governance_proposals p ON p.tenant = d.tenant AND p.id = d.proposal_id "       \
	"JOIN governance_steps st ON st.tenant = d.tenant AND st.proposal_id = d.proposal_id AND st.idx = d.step_idx "   \
	"JOIN governance_versions v ON v.tenant = d.tenant AND v.proposal_id = d.proposal_id "                          \
	"AND v.version = st.proposal_version "                                                                           \
	"LEFT JOIN units u ON u.tenant = p.tenant AND u.code = p.unit "                                                  \
	"LEFT JOIN governance_perda pe ON pe.tenant = d.tenant AND pe.proposal_id = d.proposal_id AND pe.act = 'penetapan' " \
	"LEFT JOIN governance_perda pu ON pu.tenant = d.tenant AND pu.proposal_id = d.proposal_id "                     \
	"AND pu.act = 'pengundangan' "                                                                                   \
	"WHERE d.tenant = ? AND (d.is_public = 1 OR pu.proposal_id IS NOT NULL) AND d.verdict = 'setuju'"
	if (ret_total) {
		sb_addf(&sql, "SELECT COUNT(*) " REG_FROM "%s", where.buf ? where.buf : "");
		if (sql.err || where.err) {
			rc = ERR_NOMEM;
			goto out;
		}
		if ((rc = store_prepare(c, sql.buf, &s)) < 0)
			goto out;
		reg_bind(s, tenant, pats, nw);
		rc = store_step(s);
		*ret_total = rc == STORE_ROW ? store_col_int64(s, 0) : 0;
		store_finalize(s);
		if (rc < 0)
			goto out;
		sb_reset(&sql);
	}
	/* the title of the version the head signed, as the verification page
	 * shows it (the decision row's copy, d.title, is checked against it) */
	sb_addf(&sql, "SELECT d.proposal_id, d.token, d.number, v.title, d.decided_at, d.verdict, v.proposed, p.unit, u.name, "
		      "pe.number, pe.act_day, pu.number, pu.act_day " REG_FROM "%s ORDER BY d.decided_at DESC, d.seq DESC LIMIT ? OFFSET ?", where.buf ? where.buf : "");
#undef REG_FROM
	if (sql.err || where.err) {
		rc = ERR_NOMEM;
		goto out;
	}
	if ((rc = store_prepare(c, sql.buf, &s)) < 0)
		goto out;
	bi = reg_bind(s, tenant, pats, nw);
	store_bind_int64(s, bi, (int64_t)(limit > 0 ? limit : 100));
	store_bind_int64(s, bi + 1, (int64_t)(offset > 0 ? offset : 0));
	while ((rc = store_step(s)) == STORE_ROW) {
		json_t *it = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)store_col_int64(s, 0), "token",
				       store_col_text(s, 1), "number", store_col_text(s, 2), "title", store_col_text(s, 3),
				       "decided_at", (json_int_t)store_col_int64(s, 4), "verdict", store_col_text(s, 5),
				       "text", store_col_text(s, 6), "unit", store_col_text(s, 7), "unit_name",
				       nz(store_col_text(s, 8)));
		/* a Perda: its number and the Lembaran Daerah's once promulgated */
		if (store_col_text(s, 9))
			json_object_set_new(it, "perda", json_pack("{s:s,s:s}", "number", store_col_text(s, 9), "day",
								   store_col_text(s, 10)));
		if (store_col_text(s, 11))
			json_object_set_new(it, "lembaran", json_pack("{s:s,s:s}", "number", store_col_text(s, 11), "day",
								      store_col_text(s, 12)));
		json_array_append_new(arr, it);
		listed++;
	}
	store_finalize(s);
	/* each entry listed verified as its verification page verifies it
	 * (governance_verify: the chain, the signatures, the decision row
	 * against the signed step, no version after it), so that the register
	 * never passes off an entry changed behind sigap's back as valid */
	for (size_t i = first; rc >= 0 && i < first + listed; i++) {
		json_t *it = json_array_get(arr, i);
		gov_verify_report_t rep;
		if ((rc = governance_verify(c, tenant, json_integer_value(json_object_get(it, "id")), &rep)) < 0)
			break;
		json_object_set_new(it, "valid", json_boolean(rep.ok));
		if (!rep.ok)
			json_object_set_new(it, "problem", json_string(rep.msgid ? rep.msgid : ""));
	}
out:
	sb_release(&where);
	sb_release(&sql);
	return rc < 0 ? rc : 0;
}
