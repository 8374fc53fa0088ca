/*
 * demo.c: demo activity for Kota Mataram (52.71) so the performance
 * dashboard and the IKM report look alive in `make run`: a year of
 * applications and complaints across the demo OPDs and the six kecamatan,
 * with per-OPD speed and satisfaction profiles, fed through the module's
 * recording API (perf_record_bulk, the batch form of the calls the services
 * and complaints modules make), plus survey invitations and answers. Deterministic (fixed seed) and idempotent.
 */
#include "performance/performance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/err.h"
#include "tenants/tenants.h"
#include "core/banned.h"

#define DEMO_TENANT "52.71"

/* The codes are those of the demo catalogue (services/demo.c: kind 'a',
 * applications) and of the complaint categories (complaints/demo.c), each
 * under the OPD that owns it there: the dashboard names a row by its code,
 * and "PBG" beside the catalogue's "pbg" made two rows of one service. An
 * OPD with no service in the catalogue has complaints only.
 * tests/e2e/test_performance_demo.py checks them against a fresh demo. */
#define DEMO_SERVICES 8

static const struct demo_unit {
	const char *unit;
	const char *services[DEMO_SERVICES]; /* applications */
	int sla;                 /* working days */
	int speed;               /* typical working days to finish */
	int apps;                /* applications per year */
	const char *complaint;   /* complaint category */
	int complaints;          /* complaints per year */
	int quality;             /* satisfaction x 100 (about 2.6 .. 3.7) */
} units[] = {
	{ "DISDUKCAPIL",
	  { "ktp-el", "kartu-keluarga", "akta-kelahiran", "pindah-keluar", "pindah-datang", "kia", "akta-kematian",
	    "akta-perkawinan" },
	  3, 2, 1400, "adminduk", 120, 350 },
	{ "DPMPTSP", { "nib-umk", "pbg", "izin-reklame", "sip-tenaga-kesehatan", "izin-usaha-toko", "slf" }, 10, 7, 700,
	  "perizinan", 60, 330 },
	{ "DPUPR", { NULL }, 14, 13, 0, "jalan", 220, 285 },
	{ "DLH", { "persetujuan-lingkungan" }, 20, 16, 80, "sampah", 260, 300 },
	{ "DINKES", { NULL }, 10, 6, 0, "kesehatan", 80, 340 },
	{ "DINSOS", { "sktm" }, 5, 5, 450, "sosial", 140, 310 },
	{ "DISHUB", { "uji-kir" }, 5, 3, 300, "lalulintas", 90, 320 },
	{ "BAPENDA", { "pbb-mutasi" }, 7, 6, 350, "pajak", 40, 305 },
	{ "DISPERKIM", { NULL }, 14, 15, 0, "pju", 90, 275 },
	{ "SATPOLPP", { NULL }, 5, 4, 0, "ketertiban", 110, 295 },
	{ "BPBD", { "izin-keramaian-damkar" }, 5, 4, 60, "bencana", 20, 315 },
	{ "SETDA", { "izin-penelitian" }, 7, 5, 90, NULL, 0, 325 },
};

static const char *const kecamatan[] = { "52.71.01", "52.71.02", "52.71.03", "52.71.04", "52.71.05", "52.71.06" };

static uint64_t seed = 0x5eed2026u;

static uint32_t rnd(uint32_t n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return n ? (uint32_t)(seed % n) : 0;
}

struct gen {
	const calendar_t *cal;
	int32_t first, today;
	int idx;      /* unit */
	int kind;
	int from, to; /* item numbers of this batch */
	int64_t now;
};

static int working_day_on_or_after(const calendar_t *cal, int32_t d, int32_t *ret)
{
	return calendar_add_working_days(cal, d, 0, ret);
}

static int gen_tx(store_conn_t *c, void *ud)
{
	struct gen *g = ud;
	const struct demo_unit *u = &units[g->idx];
	int nserv = 0, rc = 0, total = g->kind == PERF_APPLICATION ? u->apps : u->complaints;
	size_t n = 0, cap = (size_t)(g->to - g->from);
	perf_item_t *its = calloc(cap + 1, sizeof(*its));
	int *routed = calloc(cap + 1, sizeof(int)), *wds = calloc(cap + 1, sizeof(int));
	char(*ids)[48] = calloc(cap + 1, sizeof(*ids));
	static const char *const comments[] = {
		"Pelayanan cepat dan petugas ramah.", "Antrean terlalu panjang di pagi hari.",
		"Persyaratan sudah jelas, terima kasih.", "Mohon informasi biaya dipasang di loket.",
		"Ruang tunggu perlu kipas angin.",
	};
	if (!its || !routed || !wds || !ids) {
		rc = ERR_NOMEM;
		goto out;
	}
	while (nserv < DEMO_SERVICES && u->services[nserv])
		nserv++;
	for (int i = g->from; i < g->to; i++) {
		perf_item_t *it = &its[n];
		int32_t recv, due, fin;
		int wd;
		/* spread over the year */
		int32_t span = g->today - g->first;
		int32_t off = (int32_t)((int64_t)span * i / (total ? total : 1)) + (int32_t)rnd(3);
		if (off > span)
			off = span;
		if (working_day_on_or_after(g->cal, g->first + off, &recv) < 0 || recv > g->today)
			continue;
		snprintf(ids[n], sizeof(ids[0]), "DEMO-%s-%c-%05d", u->unit, g->kind == PERF_APPLICATION ? 'P' : 'A', i);
		it->tenant = DEMO_TENANT;
		it->kind = (perf_kind_t)g->kind;
		it->item_id = ids[n];
		it->unit = u->unit;
		it->service = g->kind == PERF_APPLICATION ? u->services[rnd((uint32_t)nserv)] : u->complaint;
		it->kecamatan = rnd(20) ? kecamatan[rnd(6)] : NULL;
		it->received_day = recv;
		if (calendar_add_working_days(g->cal, recv, g->kind == PERF_APPLICATION ? u->sla : 14, &due) < 0) {
			rc = ERR_INTERNAL;
			goto out;
		}
		it->due_day = due;
		routed[n] = g->kind == PERF_COMPLAINT ? rnd(100) < 86 : -1;
		/* completion time: the unit's speed with a long tail */
		wd = (int)rnd((uint32_t)(u->speed + 1)) + (int)rnd((uint32_t)(u->speed / 2 + 2));
		if (rnd(10) == 0)
			wd += (int)rnd((uint32_t)(u->sla * 2 + 5));
		if (calendar_add_working_days(g->cal, recv, wd, &fin) < 0) {
			rc = ERR_INTERNAL;
			goto out;
		}
		it->finished_day = fin < g->today ? fin : -1; /* else still open */
		it->working_days = wd;
		wds[n] = wd;
		n++;
	}
	if ((rc = perf_record_bulk(c, its, routed, n)) < 0)
		goto out;
	/* about one in five answers the survey */
	for (size_t i = 0; i < n && rc == 0; i++) {
		char token[65];
		int scores[PERF_UNSUR];
		const char *msgid;
		int32_t day;
		if (its[i].finished_day < 0 || rnd(5))
			continue;
		rc = perf_survey_invite(c, DEMO_TENANT, its[i].kind, its[i].item_id, u->unit, its[i].service, g->now, token);
		if (rc < 0)
			break;
		for (int k = 0; k < PERF_UNSUR; k++) {
			int sc = (u->quality + (int)rnd(160) - 80 + (k == 2 && wds[i] > u->sla ? -60 : 0) + 50) / 100;
			scores[k] = sc < 1 ? 1 : sc > 4 ? 4 : sc;
		}
		day = its[i].finished_day + (int32_t)rnd(3);
		rc = perf_survey_submit(c, DEMO_TENANT, token, scores, rnd(4) == 0 ? comments[rnd(5)] : NULL,
					day > g->today ? g->today : day, g->now, &msgid);
	}
out:
	free(its);
	free(routed);
	free(wds);
	free(ids);
	return rc;
}

int performance_demo_load(store_t *st)
{
	store_conn_t *c = store_reader(st);
	calendar_t *cal = NULL;
	tenant_t t;
	int64_t have = 0;
	struct gen g;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	if ((rc = tenant_get(c, DEMO_TENANT, &t)) < 0)
		return rc;
	rc = store_query_int64(c, &have, "SELECT COUNT(*) FROM perf_items WHERE tenant = ?", "t", DEMO_TENANT);
	if (rc < 0)
		return rc;
	if (have > 0)
		return 0;
	if ((rc = tenant_calendar(c, DEMO_TENANT, &cal)) < 0)
		return rc;
	memset(&g, 0, sizeof(g));
	g.cal = cal;
	g.now = (int64_t)time(NULL);
	g.today = cal_local_day(g.now, t.tz_offset);
	g.first = g.today - 365;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && rc == 0; i++)
		for (int kind = PERF_APPLICATION; kind <= PERF_COMPLAINT && rc == 0; kind++) {
			int total = kind == PERF_APPLICATION ? units[i].apps : units[i].complaints;
			for (int from = 0; from < total && rc == 0; from += 1000) {
				g.idx = (int)i;
				g.kind = kind;
				g.from = from;
				g.to = from + 1000 < total ? from + 1000 : total;
				rc = store_tx(st, gen_tx, &g);
			}
		}
	calendar_free(cal);
	return rc < 0 ? rc : 0;
}
