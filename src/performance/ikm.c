/*
 * ikm.c: the Survei Kepuasan Masyarakat of PermenPANRB 14/2017: the nine
 * unsur, the Indeks Kepuasan Masyarakat (IKM) arithmetic with the exact
 * weight 1/9, the quality grades, the minimum sample table (Krejcie &
 * Morgan, as tabulated in the regulation's appendix), survey invitations
 * by random token, answers, and the IKM report per OPD and service.
 *
 * IKM = 25 * sum(NRR_i) / 9 with NRR_i = sum_i / n, so IKM = 25 * S / (9 n)
 * where S is the sum of all scores: a rational number. ikm_x100 (the IKM
 * rounded to two decimals, which is what the grade bands are written in) is
 * therefore computed exactly with integers, half-up; the double is for
 * display only.
 */
#include "performance/performance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/calendar.h"
#include "core/text.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/banned.h"

static const char *const unsur[PERF_UNSUR] = {
	N_("Persyaratan"),
	N_("Sistem, mekanisme, dan prosedur"),
	N_("Waktu penyelesaian"),
	N_("Biaya/tarif"),
	N_("Produk spesifikasi jenis pelayanan"),
	N_("Kompetensi pelaksana"),
	N_("Perilaku pelaksana"),
	N_("Penanganan pengaduan, saran dan masukan"),
	N_("Sarana dan prasarana"),
};

const char *perf_unsur_label(int i)
{
	return i >= 0 && i < PERF_UNSUR ? unsur[i] : "";
}

char perf_ikm_grade(int x100)
{
	if (x100 < 2500 || x100 > 10000)
		return '-';
	if (x100 >= 8831)
		return 'A';
	if (x100 >= 7661)
		return 'B';
	if (x100 >= 6500)
		return 'C';
	return 'D';
}

const char *perf_grade_label(char g)
{
	switch (g) {
	case 'A':
		return N_("Sangat Baik");
	case 'B':
		return N_("Baik");
	case 'C':
		return N_("Kurang Baik");
	case 'D':
		return N_("Tidak Baik");
	default:
		return "-";
	}
}

/* Krejcie, R.V. & Morgan, D.W. (1970), "Determining sample size for research
 * activities", Educational and Psychological Measurement 30, 607-610; the
 * table reproduced in the appendix of PermenPANRB 14/2017 (population N ->
 * sample S). */
static const struct {
	int64_t n, s;
} sample_table[] = {
	{ 10, 10 },	{ 15, 14 },	{ 20, 19 },	{ 25, 24 },	{ 30, 28 },	{ 35, 32 },
	{ 40, 36 },	{ 45, 40 },	{ 50, 44 },	{ 55, 48 },	{ 60, 52 },	{ 65, 56 },
	{ 70, 59 },	{ 75, 63 },	{ 80, 66 },	{ 85, 70 },	{ 90, 73 },	{ 95, 76 },
	{ 100, 80 },	{ 110, 86 },	{ 120, 92 },	{ 130, 97 },	{ 140, 103 },	{ 150, 108 },
	{ 160, 113 },	{ 170, 118 },	{ 180, 123 },	{ 190, 127 },	{ 200, 132 },	{ 210, 136 },
	{ 220, 140 },	{ 230, 144 },	{ 240, 148 },	{ 250, 152 },	{ 260, 155 },	{ 270, 159 },
	{ 280, 162 },	{ 290, 165 },	{ 300, 169 },	{ 320, 175 },	{ 340, 181 },	{ 360, 186 },
	{ 380, 191 },	{ 400, 196 },	{ 420, 201 },	{ 440, 205 },	{ 460, 210 },	{ 480, 214 },
	{ 500, 217 },	{ 550, 226 },	{ 600, 234 },	{ 650, 242 },	{ 700, 248 },	{ 750, 254 },
	{ 800, 260 },	{ 850, 265 },	{ 900, 269 },	{ 950, 274 },	{ 1000, 278 },	{ 1100, 285 },
	{ 1200, 291 },	{ 1300, 297 },	{ 1400, 302 },	{ 1500, 306 },	{ 1600, 310 },	{ 1700, 313 },
	{ 1800, 317 },	{ 1900, 320 },	{ 2000, 322 },	{ 2200, 327 },	{ 2400, 331 },	{ 2600, 335 },
	{ 2800, 338 },	{ 3000, 341 },	{ 3500, 346 },	{ 4000, 351 },	{ 4500, 354 },	{ 5000, 357 },
	{ 6000, 361 },	{ 7000, 364 },	{ 8000, 367 },	{ 9000, 368 },	{ 10000, 370 },	{ 15000, 375 },
	{ 20000, 377 },	{ 30000, 379 },	{ 40000, 380 },	{ 50000, 381 },	{ 75000, 382 },	{ 1000000, 384 },
};

int64_t perf_sample_min(int64_t n)
{
	if (n <= 0)
		return 0;
	if (n < 10)
		return n;
	for (size_t i = 0; i < sizeof(sample_table) / sizeof(sample_table[0]); i++)
		if (sample_table[i].n >= n)
			return sample_table[i].s < n ? sample_table[i].s : n;
	return 384;
}

void perf_ikm_compute(perf_ikm_t *k)
{
	int64_t total = 0;
	for (int i = 0; i < PERF_UNSUR; i++) {
		total += k->sum[i];
		k->nrr[i] = k->n > 0 ? (double)k->sum[i] / (double)k->n : 0;
	}
	k->sample_min = perf_sample_min(k->population);
	if (k->n <= 0) {
		k->ikm = 0;
		k->ikm_x100 = 0;
		k->grade = '-';
		return;
	}
	/* IKM = 25 S / (9 n); x100 half-up: floor((2 * 2500 S + 9n) / (2 * 9n)) */
	k->ikm = 25.0 * (double)total / (9.0 * (double)k->n);
	k->ikm_x100 = (int)((2 * 2500 * total + 9 * k->n) / (2 * 9 * k->n));
	k->grade = perf_ikm_grade(k->ikm_x100);
}

/* ---------------------------------------------------------------- survey */

int perf_survey_invite(store_conn_t *c, const char *tenant, perf_kind_t kind, const char *item_id,
		       const char *unit, const char *service, int64_t now, char ret_token[65])
{
	char tok[65], hash[65];
	int rc;
	if (!tenant || !*tenant || !item_id || !*item_id || strlen(item_id) > 64 || !unit || !*unit ||
	    strlen(unit) > 31 || (service && strlen(service) > 63) ||
	    (kind != PERF_APPLICATION && kind != PERF_COMPLAINT))
		return store_fail(ERR_INVALID, "performance: bad survey invitation");
	auth_random_token(tok);
	auth_sha256_hex(tok, 64, hash);
	rc = store_exec(c,
			"INSERT INTO perf_survey_invites (tenant, token_hash, kind, item_id, unit, service, created, used)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (tenant, kind, item_id) DO NOTHING",
			"ttittti", tenant, hash, (int64_t)kind, item_id, unit, service && *service ? service : "-", now);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_EXISTS;
	memcpy(ret_token, tok, 65);
	return 0;
}

static int token_ok(const char *token)
{
	if (!token || strlen(token) != 64)
		return 0;
	for (const char *p = token; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

int perf_survey_lookup(store_conn_t *c, const char *tenant, const char *token, perf_invite_t *ret)
{
	char hash[65];
	store_stmt_t *s;
	int rc;
	if (!token_ok(token) || !tenant)
		return ERR_NOT_FOUND;
	auth_sha256_hex(token, 64, hash);
	if ((rc = store_prepare(c,
				"SELECT kind, item_id, unit, service, used FROM perf_survey_invites"
				" WHERE tenant = ? AND token_hash = ?",
				&s)) < 0)
		return rc;
	store_bindf(s, "tt", tenant, hash);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		memset(ret, 0, sizeof(*ret));
		ret->kind = (perf_kind_t)store_col_int64(s, 0);
		snprintf(ret->item_id, sizeof(ret->item_id), "%s", store_col_text(s, 1) ? store_col_text(s, 1) : "");
		snprintf(ret->unit, sizeof(ret->unit), "%s", store_col_text(s, 2) ? store_col_text(s, 2) : "");
		snprintf(ret->service, sizeof(ret->service), "%s", store_col_text(s, 3) ? store_col_text(s, 3) : "");
		ret->used = store_col_int64(s, 4) != 0;
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	return rc;
}


int perf_survey_submit(store_conn_t *c, const char *tenant, const char *token, const int scores[PERF_UNSUR],
		       const char *comment, int32_t day, int64_t now, const char **ret_msgid)
{
	perf_invite_t inv;
	char hash[65];
	int rc;
	*ret_msgid = NULL;
	for (int i = 0; i < PERF_UNSUR; i++)
		if (scores[i] < 1 || scores[i] > 4) {
			*ret_msgid = N_("setiap unsur harus dinilai 1 sampai 4");
			return ERR_INVALID;
		}
	if (comment && strlen(comment) > 2000) {
		*ret_msgid = N_("saran atau komentar paling banyak 2000 karakter");
		return ERR_INVALID;
	}
	if (comment && !text_clean(comment, 1)) {
		*ret_msgid = N_("saran atau komentar berisi karakter yang tidak sah");
		return ERR_INVALID;
	}
	if ((rc = perf_survey_lookup(c, tenant, token, &inv)) < 0) {
		if (rc == ERR_NOT_FOUND)
			*ret_msgid = N_("tautan survei tidak dikenal");
		return rc;
	}
	if (inv.used) {
		*ret_msgid = N_("survei ini sudah diisi, terima kasih");
		return ERR_CONFLICT;
	}
	auth_sha256_hex(token, 64, hash);
	rc = store_exec(c,
			"UPDATE perf_survey_invites SET used = ?, version = version + 1"
			" WHERE tenant = ? AND token_hash = ? AND used = 0",
			"itt", now > 0 ? now : 1, tenant, hash);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		*ret_msgid = N_("survei ini sudah diisi, terima kasih");
		return ERR_CONFLICT;
	}
	/* anonymous: nothing that leads back to the item or its citizen (the
	 * spent invitation above stops a second answer) */
	rc = store_exec(c,
			"INSERT INTO perf_survey_answers (tenant, kind, unit, service, day,"
			" u1, u2, u3, u4, u5, u6, u7, u8, u9, comment)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"titti" "ddddddddd" "t", tenant, (int64_t)inv.kind, inv.unit, inv.service, (int64_t)day, scores[0],
			scores[1], scores[2], scores[3], scores[4], scores[5], scores[6], scores[7], scores[8],
			comment && *comment ? comment : NULL);
	if (rc < 0)
		return rc;
	{
		char summary[160];
		snprintf(summary, sizeof(summary), "an anonymous survey answer (%s, %s)", inv.unit, inv.service);
		rc = audit_append(c, tenant, now, "anonim", "performance.survey", "survey", summary);
	}
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- report */

static perf_ikm_row_t *ikm_row_get(perf_ikm_row_t **arr, size_t *n, size_t *cap, const char *unit,
				   const char *service)
{
	size_t lo = 0, hi = *n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strcmp((*arr)[mid].unit, unit);
		if (!r)
			r = strcmp((*arr)[mid].service, service);
		if (r == 0)
			return &(*arr)[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		perf_ikm_row_t *na = realloc(*arr, nc * sizeof(*na));
		if (!na)
			return NULL;
		*arr = na;
		*cap = nc;
	}
	memmove(&(*arr)[lo + 1], &(*arr)[lo], (*n - lo) * sizeof(**arr));
	memset(&(*arr)[lo], 0, sizeof(**arr));
	snprintf((*arr)[lo].unit, sizeof((*arr)[lo].unit), "%s", unit);
	snprintf((*arr)[lo].service, sizeof((*arr)[lo].service), "%s", service);
	(*n)++;
	return &(*arr)[lo];
}

static void ikm_add(perf_ikm_t *a, const perf_ikm_t *b)
{
	a->n += b->n;
	a->population += b->population;
	for (int i = 0; i < PERF_UNSUR; i++)
		a->sum[i] += b->sum[i];
}

int perf_ikm_report(store_conn_t *c, const perf_query_t *q, perf_ikm_report_t *ret)
{
	perf_ikm_report_t r;
	store_stmt_t *s;
	size_t cap = 0, ucap = 0;
	const char *unit = q && q->unit && *q->unit ? q->unit : NULL;
	int rc;
	memset(ret, 0, sizeof(*ret));
	if (!c || !q || !q->tenant || q->to < q->from || q->to - q->from > 3660)
		return ERR_INVALID;
	memset(&r, 0, sizeof(r));
	rc = store_prepare(c,
			   "SELECT unit, service, COUNT(*), SUM(u1), SUM(u2), SUM(u3), SUM(u4), SUM(u5), SUM(u6),"
			   " SUM(u7), SUM(u8), SUM(u9) FROM perf_survey_answers"
			   " WHERE tenant = ? AND day >= ? AND day <= ? GROUP BY unit, service",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tii", q->tenant, (int64_t)q->from, (int64_t)q->to);
	while ((rc = store_step(s)) == STORE_ROW) {
		perf_ikm_row_t *row;
		const char *u = store_col_text(s, 0), *sv = store_col_text(s, 1);
		if (!u || !sv || (unit && strcmp(unit, u)))
			continue;
		if (!(row = ikm_row_get(&r.services, &r.nservices, &cap, u, sv))) {
			rc = ERR_NOMEM;
			break;
		}
		row->k.n += store_col_int64(s, 2);
		for (int i = 0; i < PERF_UNSUR; i++)
			row->k.sum[i] += store_col_int64(s, 3 + i);
	}
	store_finalize(s);
	if (rc < 0)
		goto fail;
	/* population: items finished in the period */
	rc = store_prepare(c,
			   "SELECT unit, service, SUM(finished) FROM perf_monthly"
			   " WHERE tenant = ? AND month >= ? AND month <= ? GROUP BY unit, service",
			   &s);
	if (rc < 0)
		goto fail;
	{
		int y0, m0, y1, m1;
		cal_civil_from_days(q->from, &y0, &m0, NULL);
		cal_civil_from_days(q->to, &y1, &m1, NULL);
		store_bindf(s, "tii", q->tenant, (int64_t)y0 * 100 + m0, (int64_t)y1 * 100 + m1);
	}
	while ((rc = store_step(s)) == STORE_ROW) {
		perf_ikm_row_t *row;
		const char *u = store_col_text(s, 0), *sv = store_col_text(s, 1);
		if (!u || !sv || (unit && strcmp(unit, u)) || store_col_int64(s, 2) <= 0)
			continue;
		if (!(row = ikm_row_get(&r.services, &r.nservices, &cap, u, sv))) {
			rc = ERR_NOMEM;
			break;
		}
		row->k.population += store_col_int64(s, 2);
	}
	store_finalize(s);
	if (rc < 0)
		goto fail;
	for (size_t i = 0; i < r.nservices; i++) {
		perf_ikm_row_t *u = ikm_row_get(&r.units, &r.nunits, &ucap, r.services[i].unit, "");
		if (!u) {
			rc = ERR_NOMEM;
			goto fail;
		}
		ikm_add(&u->k, &r.services[i].k);
		perf_ikm_compute(&r.services[i].k);
	}
	for (size_t i = 0; i < r.nunits; i++) {
		ikm_add(&r.total.k, &r.units[i].k);
		perf_ikm_compute(&r.units[i].k);
	}
	snprintf(r.total.unit, sizeof(r.total.unit), "%s", unit ? unit : "");
	perf_ikm_compute(&r.total.k);
	*ret = r;
	return 0;
fail:
	perf_ikm_report_release(&r);
	return rc;
}

void perf_ikm_report_release(perf_ikm_report_t *r)
{
	if (!r)
		return;
	free(r->units);
	free(r->services);
	memset(r, 0, sizeof(*r));
}
