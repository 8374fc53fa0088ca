/*
 * deadline.c: the deadline sweep: reminders of a step due today or overdue
 * to the role it waits for, and of a Perda waiting for its enactment (to the
 * head and the Sekda) or its promulgation (to the Sekda), each claimed so
 * that it goes once.
 */
#include "governance/internal.h"

#include <stdlib.h>

#include "core/calendar.h"
#include "tenants/tenants.h"
#include "core/banned.h"

struct sweep_item {
	char tenant[16], state[24], unit[32], title[4 * GOV_TITLE_MAX + 8];
	int64_t id, due, reminder;
};

struct sweep_ctx {
	int64_t now;
	int sent;
};

/* items (n of them, room for *cap) with room for one more: the same, or
 * moved with twice the room; NULL when out of memory (items unchanged). */
static void *grow(void *items, size_t n, size_t *cap, size_t size)
{
	void *ni;
	if (n < *cap)
		return items;
	if (!(ni = realloc(items, (*cap ? *cap * 2 : 16) * size)))
		return NULL;
	*cap = *cap ? *cap * 2 : 16;
	return ni;
}

static int sweep_tx(store_conn_t *c, void *ud)
{
	struct sweep_ctx *x = ud;
	struct sweep_item *items = NULL;
	size_t n = 0, cap = 0;
	store_stmt_t *s;
	int rc;
	x->sent = 0;
	/* due today (the due day began) and not yet reminded, or overdue and not yet told */
	rc = store_prepare(c, "SELECT tenant, id, state, unit, due_at, reminder, title FROM governance_proposals "
			      "WHERE state IN ('diajukan', 'pertimbangan', 'keputusan', 'dikembalikan') AND due_at > 0 "
			      "AND ((reminder = 0 AND due_at < ?) OR (reminder < 2 AND due_at < ?)) "
			      "AND tenant NOT IN " TENANT_SUSPENDED_SQL " ORDER BY tenant, id LIMIT 1000",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ii", x->now + 86400, x->now);
	while ((rc = store_step(s)) == STORE_ROW) {
		struct sweep_item *ni = grow(items, n, &cap, sizeof(*ni));
		if (!ni) {
			rc = ERR_NOMEM;
			break;
		}
		items = ni;
		snprintf(items[n].tenant, sizeof(items[n].tenant), "%s", store_col_text(s, 0));
		items[n].id = store_col_int64(s, 1);
		snprintf(items[n].state, sizeof(items[n].state), "%s", store_col_text(s, 2));
		snprintf(items[n].unit, sizeof(items[n].unit), "%s", store_col_text(s, 3));
		items[n].due = store_col_int64(s, 4);
		items[n].reminder = store_col_int64(s, 5);
		snprintf(items[n].title, sizeof(items[n].title), "%s", store_col_text(s, 6));
		n++;
	}
	store_finalize(s);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		struct sweep_item *it = &items[i];
		const char *role = "kepala_opd", *unit = NULL;
		int overdue = x->now > it->due;
		int64_t level = overdue ? 2 : 1;
		notify_target_t to;
		char obj[48];
		for (size_t k = 0; k < sizeof(WAIT_ROLE) / sizeof(WAIT_ROLE[0]); k++)
			if (!strcmp(it->state, WAIT_ROLE[k][0]))
				role = WAIT_ROLE[k][1];
		if (!strcmp(role, "kepala_opd"))
			unit = it->unit;
		to = (notify_target_t){ 0, role, unit };
		snprintf(obj, sizeof(obj), "proposal:%" PRId64, it->id);
		/* claimed first, only where this wait is still the one read and
		 * not yet told: a second instance sweeping at once (PostgreSQL
		 * reads committed rows) matches nothing and sends nothing */
		rc = store_exec(c, "UPDATE governance_proposals SET reminder = ? WHERE tenant = ? AND id = ? AND reminder < ? "
				   "AND due_at = ? AND state = ?", "itiiit", level, it->tenant, it->id, level, it->due, it->state);
		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		rc = notify_add_about(c, it->tenant, &to, overdue ? "governance.overdue" : "governance.due", obj,
				      overdue ? N_("Usulan melewati tenggat") : N_("Tenggat usulan jatuh hari ini"), it->title,
				      x->now);
		if (rc < 0)
			break;
		rc = 0;
		x->sent++;
	}
	free(items);
	return rc < 0 ? rc : 0;
}

/* A Perda waiting for its enactment or promulgation, as the sweep reads it. */
struct perda_item {
	char tenant[16], stage[16], approved[CAL_DATE_LEN], title[4 * GOV_TITLE_MAX + 8];
	int64_t id, reminder, enacted_at;
};

/* The reminders about a Perda (perda_reminder, migration 33), counted in
 * the tenant's days: to the head and the Sekda once GOV_PERDA_REMIND days
 * or fewer are left for the enactment (1) and once the last day has passed
 * (2; only this one when the sweep first sees it late), to the Sekda once
 * the enactment, signed GOV_PROMULGATE_REMIND days ago, still waits for its
 * promulgation (3). Each is claimed by raising perda_reminder only where it
 * is still lower and the Perda still where it was read, in the transaction
 * that queues its notifications: a second instance sweeping at once waits
 * for the first's row lock (PostgreSQL) or its turn (SQLite), then claims
 * nothing, so a reminder goes once. The proposal's version is left alone:
 * a reminder changes nothing an open form has seen. */
static int perda_sweep_tx(store_conn_t *c, void *ud)
{
	struct sweep_ctx *x = ud;
	struct perda_item *items = NULL;
	size_t n = 0, cap = 0;
	store_stmt_t *s;
	tenant_t t;
	char approved_by[CAL_DATE_LEN];
	int32_t latest = cal_local_day(x->now, 14 * 3600); /* no tenant's today is later */
	int rc;
	x->sent = 0;
	t.code[0] = '\0';
	/* only the Perdas that may be due somewhere: approved by the day that
	 * leaves GOV_PERDA_REMIND days in the easternmost time zone, enacted
	 * GOV_PROMULGATE_REMIND - 1 days ago; each is checked below in its
	 * tenant's days */
	cal_format_date(latest - (GOV_PERDA_DAYS - GOV_PERDA_REMIND), approved_by);
	rc = store_prepare(c, "SELECT p.tenant, p.id, p.title, p.perda_stage, p.perda_reminder, g.stage_day, "
			      "COALESCE(e.created_at, 0) FROM governance_proposals p "
			      "JOIN governance_dprd g ON g.tenant = p.tenant AND g.proposal_id = p.id AND g.stage = 'disetujui' "
			      "LEFT JOIN governance_perda e ON e.tenant = p.tenant AND e.proposal_id = p.id AND e.act = 'penetapan' "
			      "WHERE p.dprd_stage = 'disetujui' AND p.state = 'disetujui' AND p.tenant NOT IN " TENANT_SUSPENDED_SQL " AND "
			      "((p.perda_stage = '' AND p.perda_reminder < 2 AND g.stage_day <= ?) OR "
			      "(p.perda_stage = 'ditetapkan' AND p.perda_reminder < 3 AND e.created_at <= ?)) "
			      "ORDER BY p.tenant, p.id LIMIT 1000",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", approved_by, x->now - (int64_t)(GOV_PROMULGATE_REMIND - 1) * 86400);
	while ((rc = store_step(s)) == STORE_ROW) {
		struct perda_item *ni = grow(items, n, &cap, sizeof(*ni));
		if (!ni) {
			rc = ERR_NOMEM;
			break;
		}
		items = ni;
		snprintf(items[n].tenant, sizeof(items[n].tenant), "%s", store_col_text(s, 0));
		items[n].id = store_col_int64(s, 1);
		snprintf(items[n].title, sizeof(items[n].title), "%s", store_col_text(s, 2));
		snprintf(items[n].stage, sizeof(items[n].stage), "%s", store_col_text(s, 3));
		items[n].reminder = store_col_int64(s, 4);
		snprintf(items[n].approved, sizeof(items[n].approved), "%s", store_col_text(s, 5));
		items[n].enacted_at = store_col_int64(s, 6);
		n++;
	}
	store_finalize(s);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		struct perda_item *it = &items[i];
		int enact = !*it->stage;
		int64_t level = 0;
		int32_t today, d;
		const char *kind = "", *message = "";
		notify_target_t to[2] = { { 0, "kepala_daerah", NULL }, { 0, "sekda", NULL } };
		char obj[48];
		if (strcmp(t.code, it->tenant) && (rc = tenant_get(c, it->tenant, &t)) < 0) {
			t.code[0] = '\0';
			if (rc != ERR_NOT_FOUND)
				break;
			rc = 0;
			continue;
		}
		today = cal_local_day(x->now, t.tz_offset);
		if (enact && cal_parse_date(it->approved, &d) == 0) {
			d += GOV_PERDA_DAYS; /* the last day of the enactment */
			level = today > d ? 2 : today >= d - GOV_PERDA_REMIND ? 1 : 0;
			kind = level == 2 ? "governance.perda_overdue" : "governance.perda_due";
			message = level == 2 ? N_("Perda belum ditetapkan: batas 30 hari sejak persetujuan bersama DPRD telah lewat")
					     : N_("Perda menunggu penetapan: batas 30 hari sejak persetujuan bersama DPRD tinggal 7 "
						  "hari lagi atau kurang");
		} else if (!enact && today >= cal_local_day(it->enacted_at, t.tz_offset) + GOV_PROMULGATE_REMIND) {
			level = 3;
			kind = "governance.perda_promulgate_due";
			message = N_("Perda yang ditetapkan 7 hari lalu atau lebih belum diundangkan");
		}
		if (level <= it->reminder)
			continue;
		rc = store_exec(c, "UPDATE governance_proposals SET perda_reminder = ? WHERE tenant = ? AND id = ? AND "
				   "perda_reminder < ? AND dprd_stage = 'disetujui' AND perda_stage = ?",
				"itiit", level, it->tenant, it->id, level, it->stage);
		if (rc < 0)
			break;
		if (rc == 0) { /* another instance sent it, or the Perda moved on */
			rc = 0;
			continue;
		}
		snprintf(obj, sizeof(obj), "proposal:%" PRId64, it->id);
		/* the enactment's to the head, who signs it, and the Sekda, who
		 * prepares it; the promulgation's to the Sekda alone */
		rc = notify_add_many(c, it->tenant, enact ? to : &to[1], enact ? 2 : 1, kind, obj, message, it->title,
				     x->now);
		if (rc < 0)
			break;
		rc = 0;
		x->sent += enact ? 2 : 1;
	}
	free(items);
	return rc < 0 ? rc : 0;
}

int governance_deadline_sweep(store_t *st, int64_t now)
{
	struct sweep_ctx x = { now, 0 };
	int rc = store_tx(st, sweep_tx, &x), sent;
	if (rc < 0)
		return rc;
	sent = x.sent;
	rc = store_tx(st, perda_sweep_tx, &x);
	return rc < 0 ? rc : sent + x.sent;
}
