/*
 * performance.c: the recording API the services and complaints modules call
 * (facts into perf_items and the aggregates perf_daily, perf_hist,
 * perf_kec) and the dashboard computation, which reads only the aggregates
 * plus the index of open items. See performance.h for the contract and
 * docs/performance.md for the definitions of every figure.
 */
#include "performance/performance.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/err.h"
#include "core/sb.h"
#include "tenants/tenants.h"
#include "core/banned.h"

const char *perf_kind_name(perf_kind_t k)
{
	return k == PERF_APPLICATION ? "application" : k == PERF_COMPLAINT ? "complaint" : "";
}

int perf_kind_parse(const char *s, perf_kind_t *ret)
{
	if (!s)
		return ERR_INVALID;
	if (!strcmp(s, "application") || !strcmp(s, "permohonan")) {
		*ret = PERF_APPLICATION;
		return 0;
	}
	if (!strcmp(s, "complaint") || !strcmp(s, "pengaduan")) {
		*ret = PERF_COMPLAINT;
		return 0;
	}
	return ERR_INVALID;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

static int64_t month_of(int32_t day)
{
	int y, m;
	cal_civil_from_days(day, &y, &m, NULL);
	return (int64_t)y * 100 + m;
}

static int check_text(const char *what, const char *s, size_t max, int required)
{
	if (!s || !*s)
		return required ? store_fail(ERR_INVALID, "performance: %s is required", what) : 0;
	if (strlen(s) > max)
		return store_fail(ERR_INVALID, "performance: %s is longer than %zu bytes", what, max);
	return 0;
}

static int check_item(const perf_item_t *it, int finished)
{
	int rc;
	if (!it)
		return store_fail(ERR_INVALID, "performance: no item");
	if ((rc = check_text("tenant", it->tenant, 15, 1)) < 0 || (rc = check_text("item_id", it->item_id, 64, 1)) < 0 ||
	    (rc = check_text("unit", it->unit, 31, 1)) < 0 || (rc = check_text("service", it->service, 63, 0)) < 0 ||
	    (rc = check_text("kecamatan", it->kecamatan, 31, 0)) < 0)
		return rc;
	if (it->kind != PERF_APPLICATION && it->kind != PERF_COMPLAINT)
		return store_fail(ERR_INVALID, "performance: unknown kind %d", (int)it->kind);
	if (it->received_day < CAL_DAY_MIN || it->received_day > CAL_DAY_MAX || it->due_day < it->received_day ||
	    it->due_day > CAL_DAY_MAX)
		return store_fail(ERR_INVALID, "performance: bad received or due day for '%s'", it->item_id);
	if (finished && (it->finished_day < it->received_day || it->finished_day > CAL_DAY_MAX))
		return store_fail(ERR_INVALID, "performance: finished day before received day for '%s'", it->item_id);
	if (finished && it->working_days > 100000)
		return store_fail(ERR_INVALID, "performance: bad working days for '%s'", it->item_id);
	return 0;
}

/* Adds deltas to one perf_daily row (created when missing). */
static int bump_daily(store_conn_t *c, const char *tenant, int32_t day, int kind, const char *unit,
		      const char *service, int64_t received, int64_t finished, int64_t in_sla, int64_t wd,
		      int64_t routed, int64_t routed_ok)
{
	int rc = store_exec_nowait(c,
			    "INSERT INTO perf_daily (tenant, day, kind, unit, service, received, finished, in_sla, wd_sum,"
			    " routed, routed_ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			    " ON CONFLICT (tenant, day, kind, unit, service) DO UPDATE SET"
			    " received = perf_daily.received + excluded.received,"
			    " finished = perf_daily.finished + excluded.finished,"
			    " in_sla = perf_daily.in_sla + excluded.in_sla,"
			    " wd_sum = perf_daily.wd_sum + excluded.wd_sum,"
			    " routed = perf_daily.routed + excluded.routed,"
			    " routed_ok = perf_daily.routed_ok + excluded.routed_ok",
			    "tiittiiiiii", tenant, (int64_t)day, (int64_t)kind, unit, service, received, finished, in_sla,
			    wd, routed, routed_ok);
	if (rc < 0)
		return rc;
	rc = store_exec_nowait(c,
			"INSERT INTO perf_monthly (tenant, month, kind, unit, service, received, finished, in_sla, wd_sum,"
			" routed, routed_ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			" ON CONFLICT (tenant, month, kind, unit, service) DO UPDATE SET"
			" received = perf_monthly.received + excluded.received,"
			" finished = perf_monthly.finished + excluded.finished,"
			" in_sla = perf_monthly.in_sla + excluded.in_sla,"
			" wd_sum = perf_monthly.wd_sum + excluded.wd_sum,"
			" routed = perf_monthly.routed + excluded.routed,"
			" routed_ok = perf_monthly.routed_ok + excluded.routed_ok",
			"tiittiiiiii", tenant, month_of(day), (int64_t)kind, unit, service, received, finished, in_sla, wd,
			routed, routed_ok);
	return rc < 0 ? rc : 0;
}

static int bump_kec(store_conn_t *c, const char *tenant, int32_t day, int kind, const char *unit, const char *kec,
		    int64_t received, int64_t finished, int64_t in_sla)
{
	int rc = store_exec_nowait(c,
			    "INSERT INTO perf_kec (tenant, month, kind, unit, kecamatan, received, finished, in_sla)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, month, kind, unit, kecamatan) DO UPDATE SET"
			    " received = perf_kec.received + excluded.received,"
			    " finished = perf_kec.finished + excluded.finished,"
			    " in_sla = perf_kec.in_sla + excluded.in_sla",
			    "tiittiii", tenant, month_of(day), (int64_t)kind, unit, kec, received, finished, in_sla);
	return rc < 0 ? rc : 0;
}

static int bump_hist(store_conn_t *c, const char *tenant, int32_t day, int kind, const char *unit,
		     const char *service, int64_t wd)
{
	int rc;
	if (wd < 0)
		wd = 0;
	if (wd > PERF_WD_CAP)
		wd = PERF_WD_CAP;
	rc = store_exec_nowait(c,
			"INSERT INTO perf_hist (tenant, month, kind, unit, service, wd, n) VALUES (?, ?, ?, ?, ?, ?, 1)"
			" ON CONFLICT (tenant, month, kind, unit, service, wd) DO UPDATE SET n = perf_hist.n + 1",
			"tiitti", tenant, month_of(day), (int64_t)kind, unit, service, wd);
	return rc < 0 ? rc : 0;
}

/* The counters of a new item received (and routed on arrival, routed 0 or 1;
 * -1 none): its day's and month's row, its kecamatan's. */
static int count_received(store_conn_t *c, const perf_item_t *it, const char *svc, const char *kec, int routed)
{
	int rc = bump_daily(c, it->tenant, it->received_day, it->kind, it->unit, svc, 1, 0, 0, 0, routed >= 0 ? 1 : 0,
			    routed > 0 ? 1 : 0);
	return rc < 0 ? rc : bump_kec(c, it->tenant, it->received_day, it->kind, it->unit, kec, 1, 0, 0);
}

int perf_record_received(store_conn_t *c, const perf_item_t *it)
{
	const char *svc, *kec;
	int rc = check_item(it, 0);
	if (rc < 0)
		return rc;
	svc = dash(it->service);
	kec = dash(it->kecamatan);
	rc = store_exec(c,
			"INSERT INTO perf_items (tenant, kind, item_id, unit, service, kecamatan, received_day, due_day, open)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (tenant, kind, item_id) DO NOTHING",
			"tittttii", it->tenant, (int64_t)it->kind, it->item_id, it->unit, svc, kec,
			(int64_t)it->received_day, (int64_t)it->due_day);
	if (rc <= 0)
		return rc; /* error, or already known */
	return count_received(c, it, svc, kec, -1);
}

struct stored_item {
	char unit[32], service[64], kecamatan[32], routed_unit[32];
	int32_t received_day, due_day, routed_day;
	int open, routed; /* routed -1 = none */
};

int perf_record_new(store_conn_t *c, const perf_item_t *it, int routed)
{
	const char *svc, *kec;
	int rc = check_item(it, 0);
	if (rc < 0)
		return rc;
	if (routed < -1 || routed > 1)
		return store_fail(ERR_INVALID, "performance: bad routing verdict %d", routed);
	svc = dash(it->service);
	kec = dash(it->kecamatan);
	if (routed >= 0)
		rc = store_exec_nowait(c,
				       "INSERT INTO perf_items (tenant, kind, item_id, unit, service, kecamatan, received_day,"
				       " due_day, open, routed, routed_day, routed_unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
				       "tittttiiiit", it->tenant, (int64_t)it->kind, it->item_id, it->unit, svc, kec,
				       (int64_t)it->received_day, (int64_t)it->due_day, (int64_t)routed,
				       (int64_t)it->received_day, it->unit);
	else
		rc = store_exec_nowait(c,
				       "INSERT INTO perf_items (tenant, kind, item_id, unit, service, kecamatan, received_day,"
				       " due_day, open) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
				       "tittttii", it->tenant, (int64_t)it->kind, it->item_id, it->unit, svc, kec,
				       (int64_t)it->received_day, (int64_t)it->due_day);
	return rc < 0 ? rc : count_received(c, it, svc, kec, routed);
}

static int load_item(store_conn_t *c, const char *tenant, int kind, const char *item_id, struct stored_item *ret)
{
	store_stmt_t *s;
	int rc = store_prepare(c,
			       "SELECT unit, service, kecamatan, received_day, due_day, open, routed, routed_day, routed_unit"
			       " FROM perf_items WHERE tenant = ? AND kind = ? AND item_id = ?",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tit", tenant, (int64_t)kind, item_id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		memset(ret, 0, sizeof(*ret));
		snprintf(ret->unit, sizeof(ret->unit), "%s", store_col_text(s, 0) ? store_col_text(s, 0) : "");
		snprintf(ret->service, sizeof(ret->service), "%s", store_col_text(s, 1) ? store_col_text(s, 1) : "-");
		snprintf(ret->kecamatan, sizeof(ret->kecamatan), "%s", store_col_text(s, 2) ? store_col_text(s, 2) : "-");
		ret->received_day = (int32_t)store_col_int64(s, 3);
		ret->due_day = (int32_t)store_col_int64(s, 4);
		ret->open = (int)store_col_int64(s, 5);
		ret->routed = store_col_is_null(s, 6) ? -1 : (int)store_col_int64(s, 6);
		ret->routed_day = (int32_t)store_col_int64(s, 7);
		snprintf(ret->routed_unit, sizeof(ret->routed_unit), "%s",
			 store_col_text(s, 8) ? store_col_text(s, 8) : ret->unit);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	return rc;
}

int perf_record_finished(store_conn_t *c, const perf_item_t *it)
{
	struct stored_item si;
	int64_t wd;
	int in_sla, rc = check_item(it, 1);
	if (rc < 0)
		return rc;
	rc = load_item(c, it->tenant, it->kind, it->item_id, &si);
	if (rc == ERR_NOT_FOUND) {
		if ((rc = perf_record_received(c, it)) < 0)
			return rc;
		rc = load_item(c, it->tenant, it->kind, it->item_id, &si);
	}
	if (rc < 0)
		return rc;
	if (!si.open)
		return 0;
	if (it->finished_day < si.received_day)
		return store_fail(ERR_INVALID, "performance: finished day before received day for '%s'", it->item_id);
	wd = it->working_days;
	if (wd < 0) {
		calendar_t *cal = NULL;
		if ((rc = tenant_calendar(c, it->tenant, &cal)) < 0)
			return rc;
		wd = calendar_working_days_between(cal, si.received_day, it->finished_day);
		calendar_free(cal);
	}
	/* the due day may have moved since intake (an SLA paused while the
	 * citizen fixed an application): the later one counts */
	in_sla = it->finished_day <= (it->due_day > si.due_day ? it->due_day : si.due_day);
	rc = store_exec(c,
			"UPDATE perf_items SET finished_day = ?, working_days = ?, open = 0, version = version + 1"
			" WHERE tenant = ? AND kind = ? AND item_id = ? AND open = 1",
			"iitit", (int64_t)it->finished_day, wd, it->tenant, (int64_t)it->kind, it->item_id);
	if (rc <= 0)
		return rc;
	rc = bump_daily(c, it->tenant, it->finished_day, it->kind, si.unit, si.service, 0, 1, in_sla, wd, 0, 0);
	if (rc == 0)
		rc = bump_hist(c, it->tenant, it->finished_day, it->kind, si.unit, si.service, wd);
	if (rc == 0)
		rc = bump_kec(c, it->tenant, it->finished_day, it->kind, si.unit, si.kecamatan, 0, 1, in_sla);
	return rc;
}

int perf_record_closed(store_conn_t *c, const char *tenant, perf_kind_t kind, const char *item_id, int32_t day)
{
	store_stmt_t *s;
	char unit[32] = "", service[64] = "";
	int rc;
	if ((rc = check_text("tenant", tenant, 15, 1)) < 0 || (rc = check_text("item_id", item_id, 64, 1)) < 0)
		return rc;
	if (kind != PERF_APPLICATION && kind != PERF_COMPLAINT)
		return store_fail(ERR_INVALID, "performance: unknown kind %d", (int)kind);
	if (day < CAL_DAY_MIN || day > CAL_DAY_MAX)
		return store_fail(ERR_INVALID, "performance: bad closing day");
	rc = store_prepare(c, "UPDATE perf_items SET open = 0, closed_day = ?, version = version + 1"
			      " WHERE tenant = ? AND kind = ? AND item_id = ? AND open = 1 RETURNING unit, service",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "itit", (int64_t)day, tenant, (int64_t)kind, item_id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		snprintf(unit, sizeof(unit), "%s", store_col_text(s, 0) ? store_col_text(s, 0) : "");
		snprintf(service, sizeof(service), "%s", store_col_text(s, 1) ? store_col_text(s, 1) : "-");
	}
	store_finalize(s);
	if (rc != STORE_ROW)
		return rc < 0 ? rc : 0; /* already closed, finished, or unknown */
	rc = store_exec_nowait(c,
			       "INSERT INTO perf_monthly (tenant, month, kind, unit, service, closed) VALUES (?, ?, ?, ?, ?, 1)"
			       " ON CONFLICT (tenant, month, kind, unit, service) DO UPDATE SET closed = perf_monthly.closed + 1",
			       "tiitt", tenant, month_of(day), (int64_t)kind, unit, service);
	return rc < 0 ? rc : 0;
}

/* The unit an item's first routing verdict is counted in: where the item
 * is, or for an item in no OPD yet ("-", a complaint waiting for the
 * coordinator) the OPD it is sent to. */
static const char *verdict_unit(const char *unit, const struct stored_item *si)
{
	return !strcmp(si->unit, "-") && unit && *unit ? unit : si->unit;
}

int perf_record_routing(store_conn_t *c, const char *tenant, perf_kind_t kind, const char *item_id,
			const char *unit, int correct, int32_t day)
{
	struct stored_item si;
	int rc;
	if ((rc = check_text("tenant", tenant, 15, 1)) < 0 || (rc = check_text("item_id", item_id, 64, 1)) < 0 ||
	    (rc = check_text("unit", unit, 31, 0)) < 0)
		return rc;
	if (kind != PERF_APPLICATION && kind != PERF_COMPLAINT)
		return store_fail(ERR_INVALID, "performance: unknown kind %d", (int)kind);
	if (day < CAL_DAY_MIN || day > CAL_DAY_MAX)
		return store_fail(ERR_INVALID, "performance: bad routing day");
	correct = correct ? 1 : 0;
	if ((rc = load_item(c, tenant, kind, item_id, &si)) < 0)
		return rc;
	if (si.routed < 0) {
		/* a complaint the coordinator sends on: its verdict was counted
		 * in the row of no OPD ("-"), which then showed 100 % routing
		 * accuracy of no items while the OPD's row lacked it */
		const char *to = verdict_unit(unit, &si);
		rc = bump_daily(c, tenant, day, kind, to, si.service, 0, 0, 0, 0, 1, correct);
		if (rc == 0)
			rc = store_exec_nowait(c,
					"UPDATE perf_items SET routed = ?, routed_day = ?, routed_unit = ?, version = version + 1"
					" WHERE tenant = ? AND kind = ? AND item_id = ?",
					"iittit", (int64_t)correct, (int64_t)day, to, tenant, (int64_t)kind, item_id);
	} else if (si.routed != correct) {
		rc = bump_daily(c, tenant, si.routed_day, kind, si.routed_unit, si.service, 0, 0, 0, 0, 0,
				correct - si.routed);
		if (rc == 0)
			rc = store_exec_nowait(c,
					"UPDATE perf_items SET routed = ?, version = version + 1"
					" WHERE tenant = ? AND kind = ? AND item_id = ?",
					"itit", (int64_t)correct, tenant, (int64_t)kind, item_id);
	}
	if (rc < 0)
		return rc;
	if (unit && *unit && strcmp(unit, si.unit) && si.open) {
		rc = bump_daily(c, tenant, si.received_day, kind, si.unit, si.service, -1, 0, 0, 0, 0, 0);
		if (rc == 0)
			rc = bump_daily(c, tenant, si.received_day, kind, unit, si.service, 1, 0, 0, 0, 0, 0);
		if (rc == 0)
			rc = bump_kec(c, tenant, si.received_day, kind, si.unit, si.kecamatan, -1, 0, 0);
		if (rc == 0)
			rc = bump_kec(c, tenant, si.received_day, kind, unit, si.kecamatan, 1, 0, 0);
		if (rc == 0)
			rc = store_exec_nowait(c,
					"UPDATE perf_items SET unit = ?, version = version + 1"
					" WHERE tenant = ? AND kind = ? AND item_id = ?",
					"ttit", unit, tenant, (int64_t)kind, item_id);
	}
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- figures */

int perf_hist_percentile(const int64_t *hist, double p)
{
	int64_t n = 0, rank, cum = 0;
	if (!hist || !(p > 0) || p > 100)
		return -1;
	for (int w = 0; w <= PERF_WD_CAP; w++)
		n += hist[w];
	if (n <= 0)
		return -1;
	/* ceil(p/100 * n) without floating error for the usual 50 and 90 */
	rank = (int64_t)ceil(p * (double)n / 100.0 - 1e-9);
	if (rank < 1)
		rank = 1;
	for (int w = 0; w <= PERF_WD_CAP; w++) {
		cum += hist[w];
		if (cum >= rank)
			return w;
	}
	return PERF_WD_CAP;
}

double perf_sla_pct(const perf_counts_t *k)
{
	return k->finished > 0 ? 100.0 * (double)k->in_sla / (double)k->finished : -1;
}

double perf_routing_pct(const perf_counts_t *k)
{
	return k->routed > 0 ? 100.0 * (double)k->routed_ok / (double)k->routed : -1;
}

/* ---------------------------------------------------------------- dashboard */

static int row_cmp(const char *u1, const char *s1, const char *u2, const char *s2)
{
	int r = strcmp(u1, u2);
	return r ? r : strcmp(s1, s2);
}

/* Finds or inserts (sorted) the row for unit x service. NULL on no memory. */
static perf_row_t *row_get(perf_row_t **arr, size_t *n, size_t *cap, const char *unit, const char *service)
{
	size_t lo = 0, hi = *n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = row_cmp((*arr)[mid].unit, (*arr)[mid].service, unit, service);
		if (r == 0)
			return &(*arr)[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		perf_row_t *na = realloc(*arr, nc * sizeof(*na));
		if (!na)
			return NULL;
		*arr = na;
		*cap = nc;
	}
	memmove(&(*arr)[lo + 1], &(*arr)[lo], (*n - lo) * sizeof(**arr));
	memset(&(*arr)[lo], 0, sizeof(**arr));
	snprintf((*arr)[lo].unit, sizeof((*arr)[lo].unit), "%s", unit ? unit : "");
	snprintf((*arr)[lo].service, sizeof((*arr)[lo].service), "%s", service ? service : "");
	(*n)++;
	return &(*arr)[lo];
}

static void counts_add(perf_counts_t *a, const perf_counts_t *b)
{
	a->received += b->received;
	a->finished += b->finished;
	a->in_sla += b->in_sla;
	a->open_end += b->open_end;
	a->overdue += b->overdue;
	a->wd_sum += b->wd_sum;
	a->routed += b->routed;
	a->routed_ok += b->routed_ok;
	for (int w = 0; w <= PERF_WD_CAP; w++)
		a->hist[w] += b->hist[w];
}

/* nothing counted for either kind in the period */
static int row_is_empty(const perf_row_t *r)
{
	for (int k = PERF_APPLICATION; k <= PERF_COMPLAINT; k++) {
		const perf_counts_t *c = &r->k[k];
		if (c->received || c->finished || c->in_sla || c->open_end || c->overdue || c->wd_sum || c->routed ||
		    c->routed_ok)
			return 0;
		for (int w = 0; w <= PERF_WD_CAP; w++)
			if (c->hist[w])
				return 0;
	}
	return 1;
}

static size_t drop_empty(perf_row_t *rows, size_t n)
{
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(rows[i].unit, "-"))
			for (int k = 0; k < 3; k++)
				rows[i].k[k].routed = rows[i].k[k].routed_ok = 0;
		if (!row_is_empty(&rows[i]))
			rows[kept++] = rows[i];
	}
	return kept;
}

static int kind_ok(int64_t k)
{
	return k == PERF_APPLICATION || k == PERF_COMPLAINT;
}

/* Binds tenant, then the unit filter when set (the SQL has "AND (? = '' OR unit = ?)"
 * replaced by two variants to keep index use). */
static const char *unit_filter(const perf_query_t *q)
{
	return q->unit && *q->unit ? q->unit : NULL;
}

static int load_counts(store_conn_t *c, const perf_query_t *q, perf_row_t **arr, size_t *n, size_t *cap)
{
	store_stmt_t *s;
	const char *unit = unit_filter(q);
	int64_t m0 = month_of(q->from), m1 = month_of(q->to);
	int rc = store_prepare(c,
			       "SELECT unit, service, kind,"
			       " SUM(CASE WHEN month >= ? THEN received ELSE 0 END),"
			       " SUM(CASE WHEN month >= ? THEN finished ELSE 0 END),"
			       " SUM(CASE WHEN month >= ? THEN in_sla ELSE 0 END),"
			       " SUM(CASE WHEN month >= ? THEN wd_sum ELSE 0 END),"
			       " SUM(CASE WHEN month >= ? THEN routed ELSE 0 END),"
			       " SUM(CASE WHEN month >= ? THEN routed_ok ELSE 0 END),"
			       " SUM(received) - SUM(finished) - SUM(closed)"
			       " FROM perf_monthly WHERE tenant = ? AND month <= ? GROUP BY unit, service, kind",
			       &s);
	if (rc < 0)
		return rc;
	for (int i = 1; i <= 6; i++)
		store_bind_int64(s, i, m0);
	store_bind_text(s, 7, q->tenant, -1);
	store_bind_int64(s, 8, m1);
	while ((rc = store_step(s)) == STORE_ROW) {
		int64_t kind = store_col_int64(s, 2);
		const char *u = store_col_text(s, 0);
		perf_row_t *row;
		perf_counts_t *k;
		if (!kind_ok(kind) || !u || (unit && strcmp(unit, u)))
			continue;
		if (!(row = row_get(arr, n, cap, u, store_col_text(s, 1)))) {
			rc = ERR_NOMEM;
			break;
		}
		k = &row->k[kind];
		k->received += store_col_int64(s, 3);
		k->finished += store_col_int64(s, 4);
		k->in_sla += store_col_int64(s, 5);
		k->wd_sum += store_col_int64(s, 6);
		k->routed += store_col_int64(s, 7);
		k->routed_ok += store_col_int64(s, 8);
		k->open_end += store_col_int64(s, 9);
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

static int load_overdue(store_conn_t *c, const perf_query_t *q, perf_row_t **arr, size_t *n, size_t *cap)
{
	store_stmt_t *s;
	const char *unit = unit_filter(q);
	int rc;
	if (q->to < q->today)
		return 0; /* "overdue now" only makes sense for a period that reaches today */
	rc = store_prepare(c,
			   "SELECT unit, service, kind, COUNT(*) FROM perf_items"
			   " WHERE tenant = ? AND open = 1 AND due_day < ? GROUP BY unit, service, kind",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", q->tenant, (int64_t)q->today);
	while ((rc = store_step(s)) == STORE_ROW) {
		int64_t kind = store_col_int64(s, 2);
		perf_row_t *row;
		if (!kind_ok(kind) || (unit && strcmp(unit, store_col_text(s, 0))))
			continue;
		if (!(row = row_get(arr, n, cap, store_col_text(s, 0), store_col_text(s, 1)))) {
			rc = ERR_NOMEM;
			break;
		}
		row->k[kind].overdue += store_col_int64(s, 3);
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

static int load_hist(store_conn_t *c, const perf_query_t *q, perf_row_t **arr, size_t *n, size_t *cap)
{
	store_stmt_t *s;
	const char *unit = unit_filter(q);
	perf_row_t *row = NULL;
	/* no GROUP BY: the rows come in key order (month, kind, unit, service, wd)
	 * and are summed here, which avoids a sort of every bucket */
	int rc = store_prepare(c,
			       "SELECT unit, service, kind, wd, n FROM perf_hist"
			       " WHERE tenant = ? AND month >= ? AND month <= ?",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tii", q->tenant, month_of(q->from), month_of(q->to));
	while ((rc = store_step(s)) == STORE_ROW) {
		int64_t kind = store_col_int64(s, 2), wd = store_col_int64(s, 3);
		const char *u = store_col_text(s, 0), *sv = store_col_text(s, 1);
		if (!kind_ok(kind) || wd < 0 || wd > PERF_WD_CAP || !u || !sv || (unit && strcmp(unit, u)))
			continue;
		if (!row || strcmp(row->unit, u) || strcmp(row->service, sv)) {
			if (!(row = row_get(arr, n, cap, u, sv))) {
				rc = ERR_NOMEM;
				break;
			}
		}
		row->k[kind].hist[wd] += store_col_int64(s, 4);
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

static int32_t trend_start(int32_t day, int weekly)
{
	if (weekly)
		return day - (cal_weekday(day) + 6) % 7;
	{
		int y, m;
		cal_civil_from_days(day, &y, &m, NULL);
		return cal_days_from_civil(y, m, 1);
	}
}

/* The next week or month after the one starting on start. */
static int32_t trend_next(int32_t start, int weekly)
{
	int y, m;
	if (weekly)
		return start + 7;
	cal_civil_from_days(start, &y, &m, NULL);
	return cal_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
}

/* When the period has any item, every week or month of it up to the one
 * holding today gets a point, 0 where nothing happened: a month without items
 * is a month of the chart and of tren.csv (not skipped, which joined its
 * neighbours into one line and left a Pemda's first month a lone point that
 * drew nothing). A period without any item keeps no points ("Belum ada
 * data"). Points of data past today (a clock set back) are kept. */
static int fill_trend(const perf_query_t *q, perf_dashboard_t *d)
{
	int32_t first = trend_start(q->from, q->weekly), last, at;
	size_t n = 0, j = 0;
	perf_trend_point_t *out;
	if (!d->ntrend)         /* nothing at all: the chart says so */
		return 0;
	last = d->trend[d->ntrend - 1].start;
	if (q->today >= q->from) {
		int32_t now = trend_start(q->today < q->to ? q->today : q->to, q->weekly);
		if (now > last)
			last = now;
	}
	if (d->trend[0].start < first)
		first = d->trend[0].start;
	for (at = first; at <= last; at = trend_next(at, q->weekly))
		n++;
	if (n == d->ntrend)
		return 0;
	if (!(out = calloc(n, sizeof(*out))))
		return ERR_NOMEM;
	n = 0;
	for (at = first; at <= last; at = trend_next(at, q->weekly)) {
		if (j < d->ntrend && d->trend[j].start == at)
			out[n] = d->trend[j++];
		else
			out[n].start = at;
		n++;
	}
	if (j != d->ntrend) {       /* a point off the grid: keep the data as read */
		free(out);
		return 0;
	}
	free(d->trend);
	d->trend = out;
	d->ntrend = n;
	return 0;
}

static int load_trend(store_conn_t *c, const perf_query_t *q, perf_dashboard_t *d)
{
	store_stmt_t *s;
	const char *unit = unit_filter(q);
	size_t cap = 0;
	int rc;
	/* weekly: daily rows through the covering indexes perf_daily_trend /
	 * perf_daily_unit (already in day order); monthly: perf_monthly */
	if (q->weekly)
		rc = store_prepare(c,
				   unit ? "SELECT day, kind, SUM(received), SUM(finished), SUM(in_sla) FROM perf_daily"
					  " WHERE tenant = ? AND unit = ? AND day >= ? AND day <= ? GROUP BY day, kind ORDER BY day"
					: "SELECT day, kind, SUM(received), SUM(finished), SUM(in_sla) FROM perf_daily"
					  " WHERE tenant = ? AND day >= ? AND day <= ? GROUP BY day, kind ORDER BY day",
				   &s);
	else
		rc = store_prepare(c,
				   unit ? "SELECT month, kind, SUM(received), SUM(finished), SUM(in_sla) FROM perf_monthly"
					  " WHERE tenant = ? AND unit = ? AND month >= ? AND month <= ? GROUP BY month, kind ORDER BY month"
					: "SELECT month, kind, SUM(received), SUM(finished), SUM(in_sla) FROM perf_monthly"
					  " WHERE tenant = ? AND month >= ? AND month <= ? GROUP BY month, kind ORDER BY month",
				   &s);
	if (rc < 0)
		return rc;
	{
		int64_t lo = q->weekly ? q->from : month_of(q->from), hi = q->weekly ? q->to : month_of(q->to);
		if (unit)
			store_bindf(s, "ttii", q->tenant, unit, lo, hi);
		else
			store_bindf(s, "tii", q->tenant, lo, hi);
	}
	while ((rc = store_step(s)) == STORE_ROW) {
		int64_t key = store_col_int64(s, 0);
		int32_t start = q->weekly ? trend_start((int32_t)key, 1)
					  : cal_days_from_civil((int)(key / 100), (int)(key % 100), 1);
		int64_t kind = store_col_int64(s, 1);
		perf_trend_point_t *p;
		if (!kind_ok(kind))
			continue;
		if (!d->ntrend || d->trend[d->ntrend - 1].start != start) {
			if (d->ntrend == cap) {
				size_t nc = cap ? cap * 2 : 64;
				perf_trend_point_t *na = realloc(d->trend, nc * sizeof(*na));
				if (!na) {
					rc = ERR_NOMEM;
					break;
				}
				d->trend = na;
				cap = nc;
			}
			memset(&d->trend[d->ntrend], 0, sizeof(d->trend[0]));
			d->trend[d->ntrend++].start = start;
		}
		p = &d->trend[d->ntrend - 1];
		for (int i = 0; i < 2; i++) {
			int idx = i ? (int)kind : 0;
			p->received[idx] += store_col_int64(s, 2);
			p->finished[idx] += store_col_int64(s, 3);
			p->in_sla[idx] += store_col_int64(s, 4);
		}
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	return fill_trend(q, d);
}

static int load_kec(store_conn_t *c, const perf_query_t *q, perf_dashboard_t *d)
{
	store_stmt_t *s;
	const char *unit = unit_filter(q);
	size_t cap = 0;
	int rc = store_prepare(c,
			       unit ? "SELECT kecamatan, kind, SUM(received), SUM(finished), SUM(in_sla) FROM perf_kec"
				      " WHERE tenant = ? AND month >= ? AND month <= ? AND unit = ?"
				      " GROUP BY kecamatan, kind ORDER BY kecamatan"
				    : "SELECT kecamatan, kind, SUM(received), SUM(finished), SUM(in_sla) FROM perf_kec"
				      " WHERE tenant = ? AND month >= ? AND month <= ? GROUP BY kecamatan, kind ORDER BY kecamatan",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tii", q->tenant, month_of(q->from), month_of(q->to));
	if (unit)
		store_bind_text(s, 4, unit, -1);
	while ((rc = store_step(s)) == STORE_ROW) {
		const char *kec = store_col_text(s, 0);
		int64_t kind = store_col_int64(s, 1);
		perf_kec_row_t *p;
		if (!kind_ok(kind) || !kec)
			continue;
		if (!d->nkec || strcmp(d->kec[d->nkec - 1].kecamatan, kec)) {
			if (d->nkec == cap) {
				size_t nc = cap ? cap * 2 : 16;
				perf_kec_row_t *na = realloc(d->kec, nc * sizeof(*na));
				if (!na) {
					rc = ERR_NOMEM;
					break;
				}
				d->kec = na;
				cap = nc;
			}
			memset(&d->kec[d->nkec], 0, sizeof(d->kec[0]));
			snprintf(d->kec[d->nkec].kecamatan, sizeof(d->kec[0].kecamatan), "%s", kec);
			d->nkec++;
		}
		p = &d->kec[d->nkec - 1];
		for (int i = 0; i < 2; i++) {
			int idx = i ? (int)kind : 0;
			p->received[idx] += store_col_int64(s, 2);
			p->finished[idx] += store_col_int64(s, 3);
			p->in_sla[idx] += store_col_int64(s, 4);
		}
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int perf_dashboard(store_conn_t *c, const perf_query_t *q, perf_dashboard_t *ret)
{
	perf_dashboard_t d;
	size_t cap = 0, ucap = 0;
	int rc;
	memset(ret, 0, sizeof(*ret));
	if (!c || !q || !q->tenant || !*q->tenant)
		return ERR_INVALID;
	if (q->to < q->from || q->to - q->from > 3660 || q->from < cal_days_from_civil(1, 1, 1) ||
	    q->to > cal_days_from_civil(9999, 12, 1))
		return store_fail(ERR_INVALID, "performance: bad period");
	{
		int y, m, dd;
		cal_civil_from_days(q->from, NULL, NULL, &dd);
		if (dd != 1)
			return store_fail(ERR_INVALID, "performance: the period must start on the first of a month");
		cal_civil_from_days(q->to, &y, &m, &dd);
		if (dd != cal_days_in_month(y, m))
			return store_fail(ERR_INVALID, "performance: the period must end on the last day of a month");
	}
	memset(&d, 0, sizeof(d));
	rc = load_counts(c, q, &d.services, &d.nservices, &cap);
	if (rc == 0)
		rc = load_overdue(c, q, &d.services, &d.nservices, &cap);
	if (rc == 0)
		rc = load_hist(c, q, &d.services, &d.nservices, &cap);
	if (rc == 0)
		rc = load_trend(c, q, &d);
	if (rc == 0)
		rc = load_kec(c, q, &d);
	/* totals: per kind into k[0]; per unit; whole tenant */
	for (size_t i = 0; rc == 0 && i < d.nservices; i++) {
		perf_row_t *sv = &d.services[i], *u;
		counts_add(&sv->k[0], &sv->k[PERF_APPLICATION]);
		counts_add(&sv->k[0], &sv->k[PERF_COMPLAINT]);
		if (!(u = row_get(&d.units, &d.nunits, &ucap, sv->unit, ""))) {
			rc = ERR_NOMEM;
			break;
		}
		for (int k = 0; k < 3; k++)
			counts_add(&u->k[k], &sv->k[k]);
	}
	for (size_t i = 0; rc == 0 && i < d.nunits; i++)
		for (int k = 0; k < 3; k++)
			counts_add(&d.total.k[k], &d.units[i].k[k]);
	snprintf(d.total.unit, sizeof(d.total.unit), "%s", unit_filter(q) ? q->unit : "");
	/* the rows of no OPD ("-") have no routing verdict of their own:
	 * verdicts counted there before perf_record_routing put them in the
	 * OPD a complaint was sent to stay in the totals only. Then a row with
	 * nothing in the period is left out: a complaint sent on leaves its
	 * category's row in "-" at 0 received, 0 finished, nothing open */
	if (rc == 0) {
		d.nservices = drop_empty(d.services, d.nservices);
		d.nunits = drop_empty(d.units, d.nunits);
	}
	if (rc < 0) {
		perf_dashboard_release(&d);
		return rc;
	}
	*ret = d;
	return 0;
}

void perf_dashboard_release(perf_dashboard_t *d)
{
	if (!d)
		return;
	free(d->units);
	free(d->services);
	free(d->trend);
	free(d->kec);
	memset(d, 0, sizeof(*d));
}

/* ---------------------------------------------------------------- bulk */

/* One aggregate delta: table 0 daily (day, kind, unit, service), 1 hist
 * (month, kind, unit, service, wd), 2 kec (month, kind, unit, kecamatan),
 * 3 monthly (month, kind, unit, service). */
struct delta {
	int table;
	int64_t t, kind, wd;
	const char *unit, *name;
	int64_t v[6];
};

static int delta_cmp(const void *a, const void *b)
{
	const struct delta *x = a, *y = b;
	int r;
	if (x->table != y->table)
		return x->table - y->table;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if ((r = strcmp(x->unit, y->unit)))
		return r;
	if ((r = strcmp(x->name, y->name)))
		return r;
	return x->wd < y->wd ? -1 : x->wd > y->wd;
}

#define BULK_ROWS 400

static int flush_deltas(store_conn_t *c, const char *tenant, struct delta *d, size_t n)
{
	static const char *const head[4] = {
		"INSERT INTO perf_daily (tenant, day, kind, unit, service, received, finished, in_sla, wd_sum, routed,"
		" routed_ok) VALUES ",
		"INSERT INTO perf_hist (tenant, month, kind, unit, service, wd, n) VALUES ",
		"INSERT INTO perf_kec (tenant, month, kind, unit, kecamatan, received, finished, in_sla) VALUES ",
		"INSERT INTO perf_monthly (tenant, month, kind, unit, service, received, finished, in_sla, wd_sum, routed,"
		" routed_ok) VALUES ",
	};
	static const char *const tuple[4] = { "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "(?, ?, ?, ?, ?, ?, ?)",
					      "(?, ?, ?, ?, ?, ?, ?, ?)", "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" };
	static const char *const tail[4] = {
		" ON CONFLICT (tenant, day, kind, unit, service) DO UPDATE SET"
		" received = perf_daily.received + excluded.received, finished = perf_daily.finished + excluded.finished,"
		" in_sla = perf_daily.in_sla + excluded.in_sla, wd_sum = perf_daily.wd_sum + excluded.wd_sum,"
		" routed = perf_daily.routed + excluded.routed, routed_ok = perf_daily.routed_ok + excluded.routed_ok",
		" ON CONFLICT (tenant, month, kind, unit, service, wd) DO UPDATE SET n = perf_hist.n + excluded.n",
		" ON CONFLICT (tenant, month, kind, unit, kecamatan) DO UPDATE SET"
		" received = perf_kec.received + excluded.received, finished = perf_kec.finished + excluded.finished,"
		" in_sla = perf_kec.in_sla + excluded.in_sla",
		" ON CONFLICT (tenant, month, kind, unit, service) DO UPDATE SET"
		" received = perf_monthly.received + excluded.received,"
		" finished = perf_monthly.finished + excluded.finished,"
		" in_sla = perf_monthly.in_sla + excluded.in_sla, wd_sum = perf_monthly.wd_sum + excluded.wd_sum,"
		" routed = perf_monthly.routed + excluded.routed, routed_ok = perf_monthly.routed_ok + excluded.routed_ok",
	};
	static const int nv[4] = { 6, 1, 3, 6 };
	size_t i = 0;
	int rc = 0;
	/* merge equal keys (sorted) in place */
	size_t m = 0;
	for (size_t j = 0; j < n; j++) {
		if (m && !delta_cmp(&d[m - 1], &d[j])) {
			for (int k = 0; k < 6; k++)
				d[m - 1].v[k] += d[j].v[k];
		} else {
			d[m++] = d[j];
		}
	}
	while (i < m && rc == 0) {
		int tab = d[i].table, idx = 1;
		size_t end = i;
		sb_t sql = SB_INIT;
		store_stmt_t *s;
		while (end < m && d[end].table == tab && end - i < BULK_ROWS)
			end++;
		sb_adds(&sql, head[tab]);
		for (size_t j = i; j < end; j++) {
			if (j > i)
				sb_adds(&sql, ", ");
			sb_adds(&sql, tuple[tab]);
		}
		sb_adds(&sql, tail[tab]);
		if (sql.err) {
			sb_release(&sql);
			return ERR_NOMEM;
		}
		rc = store_prepare(c, sql.buf, &s);
		sb_release(&sql);
		if (rc < 0)
			return rc;
		for (size_t j = i; j < end; j++) {
			store_bind_text(s, idx++, tenant, -1);
			store_bind_int64(s, idx++, d[j].t);
			store_bind_int64(s, idx++, d[j].kind);
			store_bind_text(s, idx++, d[j].unit, -1);
			store_bind_text(s, idx++, d[j].name, -1);
			if (tab == 1)
				store_bind_int64(s, idx++, d[j].wd);
			for (int k = 0; k < nv[tab]; k++)
				store_bind_int64(s, idx++, d[j].v[k]);
		}
		rc = store_step(s);
		store_finalize(s);
		rc = rc < 0 ? rc : 0;
		i = end;
	}
	return rc;
}

static int item_key_cmp(const perf_item_t *a, const perf_item_t *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->item_id, b->item_id);
}

static int item_cmp(const void *a, const void *b, void *ud)
{
	const perf_item_t *items = ud;
	return item_key_cmp(&items[*(const size_t *)a], &items[*(const size_t *)b]);
}

static int bulk_chunk(store_conn_t *c, const perf_item_t *items, const int *routed, size_t n, struct delta *d)
{
	size_t order[BULK_ROWS];
	sb_t sql = SB_INIT;
	store_stmt_t *s;
	unsigned char *fresh = calloc(n ? n : 1, 1);
	size_t nd = 0;
	int rc, idx = 1;
	if (!fresh)
		return ERR_NOMEM;
	sb_adds(&sql, "INSERT INTO perf_items (tenant, kind, item_id, unit, service, kecamatan, received_day, due_day,"
		      " finished_day, working_days, open, routed, routed_day, routed_unit) VALUES ");
	for (size_t i = 0; i < n; i++)
		sb_adds(&sql, i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	sb_adds(&sql, " ON CONFLICT (tenant, kind, item_id) DO NOTHING RETURNING kind, item_id");
	if (sql.err || (rc = store_prepare(c, sql.buf, &s)) < 0) {
		rc = sql.err ? ERR_NOMEM : rc;
		sb_release(&sql);
		free(fresh);
		return rc;
	}
	sb_release(&sql);
	for (size_t i = 0; i < n; i++) {
		const perf_item_t *it = &items[i];
		int fin = it->finished_day >= it->received_day;
		int rt = routed && (routed[i] == 0 || routed[i] == 1) ? routed[i] : -1;
		store_bind_text(s, idx++, it->tenant, -1);
		store_bind_int64(s, idx++, it->kind);
		store_bind_text(s, idx++, it->item_id, -1);
		store_bind_text(s, idx++, it->unit, -1);
		store_bind_text(s, idx++, dash(it->service), -1);
		store_bind_text(s, idx++, dash(it->kecamatan), -1);
		store_bind_int64(s, idx++, it->received_day);
		store_bind_int64(s, idx++, it->due_day);
		if (fin) {
			store_bind_int64(s, idx++, it->finished_day);
			store_bind_int64(s, idx++, it->working_days);
		} else {
			store_bind_null(s, idx++);
			store_bind_null(s, idx++);
		}
		store_bind_int64(s, idx++, fin ? 0 : 1);
		if (rt >= 0) {
			store_bind_int64(s, idx++, rt);
			store_bind_int64(s, idx++, it->received_day);
			store_bind_text(s, idx++, it->unit, -1);
		} else {
			store_bind_null(s, idx++);
			store_bind_null(s, idx++);
			store_bind_null(s, idx++);
		}
	}
	/* which were new: look the returned ids up in the chunk sorted by
	 * (kind, id); of duplicates within the chunk only the first is inserted */
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), item_cmp, (void *)items);
	while ((rc = store_step(s)) == STORE_ROW) {
		perf_item_t key;
		size_t lo = 0, hi = n;
		key.kind = (perf_kind_t)store_col_int64(s, 0);
		key.item_id = store_col_text(s, 1);
		if (!key.item_id)
			continue;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (item_key_cmp(&items[order[mid]], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < n && !item_key_cmp(&items[order[lo]], &key); lo++)
			if (!fresh[order[lo]]) {
				fresh[order[lo]] = 1;
				break;
			}
	}
	store_finalize(s);
	if (rc < 0) {
		free(fresh);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		const perf_item_t *it = &items[i];
		int fin = it->finished_day >= it->received_day, in_sla = fin && it->finished_day <= it->due_day;
		int rt = routed && (routed[i] == 0 || routed[i] == 1) ? routed[i] : -1;
		int64_t wd = it->working_days > PERF_WD_CAP ? PERF_WD_CAP : it->working_days;
		if (!fresh[i])
			continue;
		d[nd++] = (struct delta){ 0, it->received_day, it->kind, 0, it->unit, dash(it->service),
					  { 1, 0, 0, 0, rt >= 0, rt == 1 } };
		d[nd++] = (struct delta){ 3, month_of(it->received_day), it->kind, 0, it->unit, dash(it->service),
					  { 1, 0, 0, 0, rt >= 0, rt == 1 } };
		d[nd++] = (struct delta){ 2, month_of(it->received_day), it->kind, 0, it->unit, dash(it->kecamatan),
					  { 1, 0, 0, 0, 0, 0 } };
		if (fin) {
			d[nd++] = (struct delta){ 0, it->finished_day, it->kind, 0, it->unit, dash(it->service),
						  { 0, 1, in_sla, it->working_days, 0, 0 } };
			d[nd++] = (struct delta){ 3, month_of(it->finished_day), it->kind, 0, it->unit, dash(it->service),
						  { 0, 1, in_sla, it->working_days, 0, 0 } };
			d[nd++] = (struct delta){ 1, month_of(it->finished_day), it->kind, wd, it->unit, dash(it->service),
						  { 1, 0, 0, 0, 0, 0 } };
			d[nd++] = (struct delta){ 2, month_of(it->finished_day), it->kind, 0, it->unit, dash(it->kecamatan),
						  { 0, 1, in_sla, 0, 0, 0 } };
		}
	}
	free(fresh);
	qsort(d, nd, sizeof(*d), delta_cmp);
	return flush_deltas(c, items[0].tenant, d, nd);
}

int perf_record_bulk(store_conn_t *c, const perf_item_t *items, const int *routed, size_t n)
{
	struct delta *d;
	int rc = 0;
	if (!n)
		return 0;
	if (!items)
		return store_fail(ERR_INVALID, "performance: no items");
	for (size_t i = 0; i < n; i++) {
		int fin = items[i].finished_day >= items[i].received_day;
		if ((rc = check_item(&items[i], 0)) < 0)
			return rc;
		if (strcmp(items[i].tenant, items[0].tenant))
			return store_fail(ERR_INVALID, "performance: bulk items must share one tenant");
		if (fin && (items[i].working_days < 0 || items[i].working_days > 100000 || items[i].finished_day > CAL_DAY_MAX))
			return store_fail(ERR_INVALID, "performance: bulk item '%s' needs working days", items[i].item_id);
	}
	if (!(d = malloc(BULK_ROWS * 7 * sizeof(*d))))
		return ERR_NOMEM;
	for (size_t i = 0; i < n && rc == 0; i += BULK_ROWS)
		rc = bulk_chunk(c, items + i, routed ? routed + i : NULL, n - i < BULK_ROWS ? n - i : BULK_ROWS, d);
	free(d);
	return rc;
}
