/*
 * performance.h: service performance and citizen satisfaction (SKM/IKM).
 * This is a domain module: it knows the store, never HTTP.
 *
 * It owns its own facts. The services and complaints modules do not expose
 * their tables to it; instead they feed it through the small recording API
 * below, called INSIDE their own write transactions (so a permohonan that is
 * finished and its performance fact commit together or not at all). From
 * those calls the module keeps:
 *   - perf_items:  one row per application/complaint (unit, service,
 *                  kecamatan, received/due/finished day, working days taken,
 *                  routing verdict); used for overdue lists and to make the
 *                  calls idempotent;
 *   - perf_daily:  per tenant x day x kind x unit x service counters
 *                  (received, finished, finished within SLA, working-day sum,
 *                  routing decisions and correct ones), for weekly trends;
 *   - perf_monthly: the same counters per month, what the dashboard reads;
 *   - perf_hist:   per tenant x month x kind x unit x service a histogram of
 *                  completion times in whole working days 0..PERF_WD_CAP, the
 *                  last bucket meaning "more than PERF_WD_CAP - 1";
 *   - perf_kec:    per tenant x month x kind x unit x kecamatan counters.
 * Dashboards read only the aggregates, so their cost depends on the number of
 * units x services x days, not on the number of items (see docs/performance.md).
 *
 * ---- Integration contract (for the services and complaints modules) ----
 *
 *   perf_item_t it = { .tenant = "52.71", .kind = PERF_APPLICATION,
 *                      .item_id = "DISDUKCAPIL/2026/000123", .unit = "DISDUKCAPIL",
 *                      .service = "KTP-EL", .kecamatan = "52.71.01",
 *                      .received_day = d0, .due_day = d0_plus_sla,
 *                      .finished_day = -1, .working_days = -1 };
 *   perf_record_received(c, &it);            when the item is registered
 *   perf_record_routing(c, tenant, PERF_COMPLAINT, id, "DLH", 1, day);
 *                                            when a complaint is routed (1 =
 *                                            routed to the right OPD at once,
 *                                            0 = it had to be re-routed)
 *   it.finished_day = d1; it.working_days = n;   (or -1: computed here)
 *   perf_record_finished(c, &it);            when finished / answered
 *   perf_survey_invite(c, tenant, kind, id, unit, service, now, token);
 *                                            then show/send the citizen the link
 *                                            /t/{tenant}/survei/{token}
 *
 * All three recording calls are idempotent (a repeated call changes nothing)
 * and return 0 or a negative ERR_* (ERR_INVALID for a bad item, with the
 * reason in store_errmsg(); database errors as store.h). On PostgreSQL a
 * failed statement aborts the caller's transaction, so the caller should
 * propagate any error (return it from its tx function).
 *
 * Days are calendar day numbers (core/calendar.h) in the tenant's local time.
 * Strings are copied; the caller keeps ownership of everything it passes.
 */
#ifndef SIGAP_PERFORMANCE_H
#define SIGAP_PERFORMANCE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Completion times 0..PERF_WD_CAP-1 working days are counted exactly; longer
 * ones go into the overflow bucket PERF_WD_CAP. */
#define PERF_WD_CAP 121

typedef enum perf_kind { PERF_APPLICATION = 1, PERF_COMPLAINT = 2 } perf_kind_t;

/* "application" / "complaint"; "" for anything else. */
const char *perf_kind_name(perf_kind_t k);
/* ERR_INVALID for an unknown name. Accepts the Indonesian words
 * "permohonan" and "pengaduan" too. */
int perf_kind_parse(const char *s, perf_kind_t *ret);

typedef struct perf_item {
	const char *tenant;    /* kode wilayah; required */
	perf_kind_t kind;      /* required */
	const char *item_id;   /* the caller's stable id (registration number); required, <= 64 bytes */
	const char *unit;      /* OPD code; required */
	const char *service;   /* service code, or complaint category; NULL/"" = "-" */
	const char *kecamatan; /* kode wilayah of the kecamatan, or NULL/"" = "-" */
	int32_t received_day;  /* required */
	int32_t due_day;       /* SLA deadline (last working day allowed); required, >= received_day */
	int32_t finished_day;  /* perf_record_finished: required, >= received_day; else ignored */
	int working_days;      /* perf_record_finished: working days taken, or -1 to compute it here
				  from the tenant's calendar (received_day -> finished_day) */
} perf_item_t;

/* Records a new item. Idempotent: an item already known is left as it is. */
int perf_record_received(store_conn_t *c, const perf_item_t *it);
/* The same for an item created in this very transaction (so certainly new),
 * with its routing verdict when it was routed on arrival (routed 0 or 1 on
 * received_day, in it->unit; -1: none): the counters come out exactly as
 * perf_record_received then perf_record_routing would leave them, but every
 * statement is a write sent without waiting for its answer
 * (store_exec_nowait), so it costs no round trip on PostgreSQL. An item that
 * exists after all fails the transaction (unique key). */
int perf_record_new(store_conn_t *c, const perf_item_t *it, int routed);
/* Records that an item is finished (application) or answered (complaint).
 * An item never recorded as received is recorded first from its fields. An
 * item already finished is left as it is (returns 0). finished within SLA
 * means finished_day <= due_day. */
int perf_record_finished(store_conn_t *c, const perf_item_t *it);
/* Records the routing verdict of an item: correct = 1 if it went to the
 * right OPD first time, 0 if it had to be re-routed. unit (may be NULL) is
 * the OPD now responsible: if it differs from the recorded one and the item
 * is still open, the item and its "received" counts move to that OPD. The
 * verdict is counted in the item's OPD, or for an item in none yet ("-") in
 * the OPD unit. A later call replaces the verdict (counted once per item, on
 * the day and in the OPD of the first call). ERR_NOT_FOUND if the item was
 * never recorded. */
/* An item that ended without being completed (an application rejected or
 * cancelled, a complaint archived, forwarded elsewhere or merged): it leaves
 * the open items, so it is never counted overdue; it is not a completion,
 * so SLA compliance and completion times do not see it. It stops counting as
 * "in progress" from day (the tenant's local day of the closing) on.
 * Idempotent; an unknown item is no error. */
int perf_record_closed(store_conn_t *c, const char *tenant, perf_kind_t kind, const char *item_id, int32_t day);

int perf_record_routing(store_conn_t *c, const char *tenant, perf_kind_t kind, const char *item_id,
			const char *unit, int correct, int32_t day);

/* Bulk load of NEW items in one call (imports of historical data, the
 * bench): for each item, received and, when finished_day >= received_day,
 * finished (working_days must then be >= 0), and, when routed[i] is 0 or 1,
 * a routing verdict on received_day (routed may be NULL = none). Items
 * already known are skipped entirely (not updated). Aggregates are summed in
 * memory and written with multi-row upserts, so the cost per item is a
 * fraction of the single-item calls. ERR_INVALID (nothing written) if any
 * item is bad. Call inside a transaction; n may be large (chunked here). */
int perf_record_bulk(store_conn_t *c, const perf_item_t *items, const int *routed, size_t n);

/* ---- dashboards ---- */

/* Counters of one group (tenant, unit, or unit x service) for one kind. */
typedef struct perf_counts {
	int64_t received;     /* received within the period */
	int64_t finished;     /* finished within the period */
	int64_t in_sla;       /* of those, finished on or before their due day */
	int64_t open_end;     /* still open at the end of the period */
	int64_t overdue;      /* open now and past their due day (only for periods ending today or later) */
	int64_t wd_sum;       /* sum of working days of the finished ones */
	int64_t routed;       /* routing verdicts within the period */
	int64_t routed_ok;    /* of those, correct */
	int64_t hist[PERF_WD_CAP + 1]; /* completion-time histogram of the finished ones */
} perf_counts_t;

/* Percentile p (0 < p <= 100) of the histogram by the nearest-rank method:
 * the smallest w with at least ceil(p/100 * n) values <= w. -1 when empty.
 * A result of PERF_WD_CAP means "more than PERF_WD_CAP - 1". */
int perf_hist_percentile(const int64_t *hist, double p);
/* SLA compliance in percent (in_sla / finished * 100), -1 when nothing finished. */
double perf_sla_pct(const perf_counts_t *k);
/* Routing accuracy in percent, -1 when no routing verdicts. */
double perf_routing_pct(const perf_counts_t *k);

typedef struct perf_row {
	char unit[32];
	char service[64];     /* "" for a unit total row */
	perf_counts_t k[3];   /* [0] both kinds, [PERF_APPLICATION], [PERF_COMPLAINT] */
} perf_row_t;

typedef struct perf_trend_point {
	int32_t start;        /* first day of the week (Monday) or month */
	int64_t received[3], finished[3], in_sla[3]; /* indexed like perf_row_t.k */
} perf_trend_point_t;

typedef struct perf_kec_row {
	char kecamatan[32];
	int64_t received[3], finished[3], in_sla[3];
} perf_kec_row_t;

typedef struct perf_query {
	const char *tenant;
	const char *unit;     /* NULL = every OPD; else only this OPD */
	int32_t from, to;     /* period, inclusive days: whole months (from = the 1st of a
				 month, to = the last day of a month; else ERR_INVALID),
				 because the dashboard reads monthly aggregates */
	int32_t today;        /* for "overdue now" */
	int weekly;           /* trend per week (1) or per month (0) */
} perf_query_t;

/* A dashboard: everything one page shows. Owned by the caller; release with
 * perf_dashboard_release(). */
typedef struct perf_dashboard {
	perf_row_t total;          /* the whole tenant (or the one unit) */
	perf_row_t *units;         /* per OPD, sorted by code */
	size_t nunits;
	perf_row_t *services;      /* per OPD x service, sorted */
	size_t nservices;
	perf_trend_point_t *trend; /* ascending */
	size_t ntrend;
	perf_kec_row_t *kec;       /* per kecamatan, sorted */
	size_t nkec;
} perf_dashboard_t;

/* Computes the dashboard. ERR_INVALID for a bad query (to < from, a period
 * longer than 10 years, missing tenant). */
int perf_dashboard(store_conn_t *c, const perf_query_t *q, perf_dashboard_t *ret);
void perf_dashboard_release(perf_dashboard_t *d);

/* ---- SKM / IKM (PermenPANRB 14/2017) ---- */

#define PERF_UNSUR 9
/* Code name ("U1".."U9") and Indonesian label of unsur i (0..8). */
const char *perf_unsur_label(int i);

typedef struct perf_ikm {
	int64_t n;                    /* responses */
	int64_t sum[PERF_UNSUR];      /* sum of scores per unsur */
	double nrr[PERF_UNSUR];       /* mean per unsur, 0 when n == 0 */
	double ikm;                   /* 25 * sum(NRR) / 9, exact weight 1/9; 0 when n == 0 */
	int ikm_x100;                 /* IKM x 100 rounded half-up, computed with integers */
	char grade;                   /* 'A'..'D' from ikm_x100, '-' when n == 0 */
	int64_t population;           /* items finished in the period (for the sample check) */
	int64_t sample_min;           /* the regulation's minimum sample for that population */
} perf_ikm_t;

/* Fills nrr/ikm/ikm_x100/grade from n and sum (and sample_min from population). */
void perf_ikm_compute(perf_ikm_t *k);
/* Grade of an IKM x 100 by the regulation's bands: A 8831..10000, B 7661..8830,
 * C 6500..7660, D 2500..6499; '-' outside 2500..10000. */
char perf_ikm_grade(int ikm_x100);
/* Indonesian label of a grade ("Sangat Baik", "Baik", "Kurang Baik", "Tidak Baik"). */
const char *perf_grade_label(char grade);
/* Minimum sample for a population (Krejcie & Morgan table as reproduced in
 * PermenPANRB 14/2017): the row for the smallest tabulated population >= n;
 * n itself below 10; 384 beyond 1,000,000. 0 for n <= 0. */
int64_t perf_sample_min(int64_t population);

typedef struct perf_ikm_row {
	char unit[32];
	char service[64]; /* "" for a unit total */
	perf_ikm_t k;
} perf_ikm_row_t;

typedef struct perf_ikm_report {
	perf_ikm_row_t total;
	perf_ikm_row_t *units;    /* per OPD */
	size_t nunits;
	perf_ikm_row_t *services; /* per OPD x service */
	size_t nservices;
} perf_ikm_report_t;

/* IKM of the responses given within q->from..q->to (q->unit filters). The
 * population is the number of items finished in the period. */
int perf_ikm_report(store_conn_t *c, const perf_query_t *q, perf_ikm_report_t *ret);
void perf_ikm_report_release(perf_ikm_report_t *r);

/* Survey invitations. Creates a one-time invitation for a finished item and
 * writes its random token (64 hex + NUL) into ret_token; only the token's
 * hash is stored. ERR_EXISTS if the item already has one. Call inside the
 * caller's transaction. */
int perf_survey_invite(store_conn_t *c, const char *tenant, perf_kind_t kind, const char *item_id,
		       const char *unit, const char *service, int64_t now, char ret_token[65]);

typedef struct perf_invite {
	perf_kind_t kind;
	char item_id[72];
	char unit[32];
	char service[64];
	int used;          /* 1 once answered */
} perf_invite_t;

/* Looks an invitation up by its token. ERR_NOT_FOUND if unknown. */
int perf_survey_lookup(store_conn_t *c, const char *tenant, const char *token, perf_invite_t *ret);

/* Stores the answer of an invitation: 9 scores 1..4 and an optional comment
 * (<= 2000 bytes, valid UTF-8, may be NULL). ERR_INVALID with *ret_msgid,
 * ERR_NOT_FOUND for an unknown token, ERR_CONFLICT if already answered.
 * Audited as "performance.survey" (actor "warga", no personal data). */
int perf_survey_submit(store_conn_t *c, const char *tenant, const char *token, const int scores[PERF_UNSUR],
		       const char *comment, int32_t day, int64_t now, const char **ret_msgid);

/* ---- demo ---- */

/* Loads a year of realistic activity and survey answers for Kota Mataram
 * (52.71) through the recording API, ending today. Idempotent (does nothing
 * when the tenant already has performance data). */
int performance_demo_load(store_t *st);

#endif
