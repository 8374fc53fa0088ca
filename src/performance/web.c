/*
 * web.c: the HTTP adapter of the performance module: the dashboard page
 * (per tenant, OPD and service, with SVG charts), its CSV / xlsx exports,
 * the printable IKM report, the public survey form reached by a token link,
 * the JSON dashboard API and the public open-data endpoints (catalogue,
 * CSV/JSON datasets, field descriptions). Handlers turn query strings and
 * forms into perf_* calls (performance.h) and render templates/performance_*.
 *
 * Who sees what: sekda, wakil, kepala_daerah, admin, koordinator and dprd see
 * every OPD side by side; kepala_opd and admin_opd see their own OPD only;
 * other roles get 403. Open data and the survey form need no login.
 */
#include "performance/web.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "complaints/complaints.h"
#include "core/arena.h"
#include "services/services.h"
#include "core/calendar.h"
#include "core/err.h"
#include "core/nls.h"
#include "docs/docs.h"
#include "performance/chart.h"
#include "performance/export.h"
#include "performance/performance.h"
#include "tenants/tenants.h"
#include "core/banned.h"

/* ---------------------------------------------------------------- helpers */

#define MAX_UNITS 200

struct units {
	const char *unrouted; /* the name of PERF_UNROUTED ("-") in the page's language */
	size_t n;
	struct {
		char code[32];
		char name[160];
	} u[MAX_UNITS];
};

static int add_unit_cb(void *ud, const char *code, const char *name, const char *kind)
{
	struct units *u = ud;
	(void)kind;
	if (u->n < MAX_UNITS) {
		snprintf(u->u[u->n].code, sizeof(u->u[0].code), "%s", code);
		snprintf(u->u[u->n].name, sizeof(u->u[0].name), "%s", name);
		u->n++;
	}
	return 0;
}

static const char *unit_name(const struct units *u, const char *code)
{
	/* complaints the coordinator has not yet sent to an OPD (PERF_UNROUTED) */
	if (!strcmp(code, "-"))
		return u->unrouted ? u->unrouted : code;
	for (size_t i = 0; i < u->n; i++)
		if (!strcmp(u->u[i].code, code))
			return u->u[i].name;
	return code;
}

static int unit_known(const struct units *u, const char *code)
{
	for (size_t i = 0; i < u->n; i++)
		if (!strcmp(u->u[i].code, code))
			return 1;
	return 0;
}

/* Roles that see every OPD; OPD roles see their own. */
static int sees_all(role_t r)
{
	return r == ROLE_SEKDA || r == ROLE_WAKIL || r == ROLE_KEPALA_DAERAH || r == ROLE_ADMIN || r == ROLE_KOORDINATOR ||
	       r == ROLE_DPRD;
}

static int sees_own(role_t r)
{
	return r == ROLE_KEPALA_OPD || r == ROLE_ADMIN_OPD;
}

/* The names of the tenant's services (kind 'a', of applications) and
 * complaint categories ('c') by code, for the tables that list them by
 * code: in the request's arena. */
struct svc_name {
	struct svc_name *next;
	char kind;
	const char *code, *name;
};

struct view {
	struct units units;
	struct svc_name *names;
	const char *unit;    /* NULL = all */
	int kidx;            /* 0 both, 1 applications, 2 complaints */
	int weekly;
	perf_query_t q;
	char dari[8], sampai[8];
	const char *jenis;   /* "semua", "permohonan", "pengaduan" */
	const char *tren;    /* "bulan", "minggu" */
};

static int parse_month(const char *s, int *ret_y, int *ret_m)
{
	int y, m;
	if (!s || strlen(s) != 7 || s[4] != '-')
		return ERR_INVALID;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return ERR_INVALID;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	if (m < 1 || m > 12)
		return ERR_INVALID;
	if (y < 2000 || y > 2100)
		return ERR_NOT_FOUND; /* well formed, out of range */
	*ret_y = y;
	*ret_m = m;
	return 0;
}

static int add_name(req_t *r, struct view *v, char kind, const char *code, const char *name)
{
	struct svc_name *n = arena_alloc(&r->arena, sizeof(*n));
	if (!n || !(n->code = arena_strdup(&r->arena, code)) || !(n->name = arena_strdup(&r->arena, name)))
		return ERR_NOMEM;
	n->kind = kind;
	n->next = v->names;
	v->names = n;
	return 0;
}

struct cat_names {
	req_t *r;
	struct view *v;
};

static int add_category_name(void *ud, const complaints_category_t *cat)
{
	struct cat_names *x = ud;
	return add_name(x->r, x->v, 'c', cat->code, cat->name);
}

static int load_names(req_t *r, store_conn_t *c, struct view *v)
{
	json_t *list = NULL, *it;
	struct cat_names x = { r, v };
	size_t i;
	int rc = services_list(c, r->tenant->code, NULL, NULL, &list);
	if (rc < 0)
		return rc;
	json_array_foreach(list, i, it) {
		if ((rc = add_name(r, v, 'a', services_jstr(it, "code"), services_jstr(it, "name"))) < 0)
			break;
	}
	json_decref(list);
	return rc < 0 ? rc : complaints_category_list(c, r->tenant->code, add_category_name, &x);
}

/* The name of a row's service or category: of the kind the row counts
 * (applications first when it counts both), else of the other; the code
 * itself for one no longer listed. */
static const char *name_of(const struct view *v, const char *code, int applications)
{
	const struct svc_name *other = NULL;
	for (const struct svc_name *n = v->names; n; n = n->next) {
		if (strcmp(n->code, code))
			continue;
		if ((n->kind == 'a') == (applications != 0))
			return n->name;
		other = n;
	}
	return other ? other->name : code;
}

static int32_t today_of(req_t *r)
{
	return cal_local_day((int64_t)time(NULL), r->tenant->tz_offset);
}

/* Reads dari/sampai/opd/jenis/tren and the caller's scope into v.
 * Returns 0, or an error code with *ret_msg (a msgid) for a 4xx. */
static int view_parse(req_t *r, store_conn_t *c, struct view *v, int need_login, const char **ret_msg)
{
	const char *dari = req_query(r, "dari"), *sampai = req_query(r, "sampai"), *opd = req_query(r, "opd");
	const char *jenis = req_query(r, "jenis"), *tren = req_query(r, "tren");
	int y1, m1, y2, m2, rc;
	int32_t today = today_of(r);
	*ret_msg = NULL;
	memset(v, 0, sizeof(*v));
	if ((rc = unit_list(c, r->tenant->code, add_unit_cb, &v->units)) < 0 || (rc = load_names(r, c, v)) < 0)
		return rc;
	v->units.unrouted = req_t_(r, N_("Belum didisposisikan ke OPD"));
	if (need_login) {
		if (sees_own(r->who.role)) {
			if (opd && *opd && strcmp(opd, r->who.unit)) {
				*ret_msg = N_("Anda hanya dapat melihat kinerja OPD Anda sendiri");
				return ERR_FORBIDDEN;
			}
			v->unit = r->who.unit;
		} else if (!sees_all(r->who.role)) {
			*ret_msg = N_("dasbor kinerja hanya untuk pimpinan daerah dan kepala OPD");
			return ERR_FORBIDDEN;
		}
	}
	if (!v->unit && opd && *opd) {
		if (!unit_known(&v->units, opd)) {
			*ret_msg = N_("OPD tidak dikenal");
			return ERR_INVALID;
		}
		v->unit = opd;
	}
	{
		int ty, tm;
		cal_civil_from_days(today, &ty, &tm, NULL);
		y2 = ty;
		m2 = tm;
		y1 = tm == 12 ? ty : ty - 1;
		m1 = tm == 12 ? 1 : tm + 1;
	}
	{
		int e1 = dari && *dari ? parse_month(dari, &y1, &m1) : 0, e2 = sampai && *sampai ? parse_month(sampai, &y2, &m2) : 0;
		if (e1 == ERR_INVALID || e2 == ERR_INVALID) {
			*ret_msg = N_("periode harus berbentuk TTTT-BB, misalnya 2026-01");
			return ERR_INVALID;
		}
		if (e1 < 0 || e2 < 0) {
			*ret_msg = N_("periode harus antara tahun 2000 dan 2100");
			return ERR_INVALID;
		}
	}
	if (y1 * 12 + m1 > y2 * 12 + m2) {
		*ret_msg = N_("bulan awal periode harus sebelum bulan akhir");
		return ERR_INVALID;
	}
	if ((y2 * 12 + m2) - (y1 * 12 + m1) >= 120) {
		*ret_msg = N_("periode paling panjang 10 tahun");
		return ERR_INVALID;
	}
	snprintf(v->dari, sizeof(v->dari), "%04d-%02d", y1, m1);
	snprintf(v->sampai, sizeof(v->sampai), "%04d-%02d", y2, m2);
	v->jenis = "semua";
	if (jenis && *jenis) {
		if (!strcmp(jenis, "permohonan"))
			v->kidx = PERF_APPLICATION;
		else if (!strcmp(jenis, "pengaduan"))
			v->kidx = PERF_COMPLAINT;
		else if (strcmp(jenis, "semua")) {
			*ret_msg = N_("jenis harus semua, permohonan atau pengaduan");
			return ERR_INVALID;
		}
		v->jenis = jenis;
	}
	v->tren = "bulan";
	if (tren && *tren) {
		if (!strcmp(tren, "minggu"))
			v->weekly = 1;
		else if (strcmp(tren, "bulan")) {
			*ret_msg = N_("tren harus bulan atau minggu");
			return ERR_INVALID;
		}
		v->tren = tren;
	}
	v->q.tenant = r->tenant->code;
	v->q.unit = v->unit;
	v->q.from = cal_days_from_civil(y1, m1, 1);
	v->q.to = cal_days_from_civil(y2, m2, cal_days_in_month(y2, m2));
	v->q.today = today;
	v->q.weekly = v->weekly;
	return 0;
}

/* An open-data answer with a weak ETag of its bytes: a portal that
 * harvests every day (or a dashboard's browser cache, past max-age) asks
 * with If-None-Match and gets a 304 without the body while the data is
 * the same. The tag is the content's, so a late correction of a month
 * changes it whatever the day. */
static void send_validated(req_t *r, const char *type, const char *body, size_t len)
{
	unsigned char h[16];
	char tag[2 * sizeof(h) + 1];
	crypto_generichash(h, sizeof(h), (const unsigned char *)body, len, NULL, 0);
	sodium_bin2hex(tag, sizeof(tag), h, sizeof(h));
	http_set_etag(r, tag);
	if (http_etag_match(r, tag))
		http_send(r, 304, type, "", 0);
	else
		http_send(r, 200, type, body, len);
}

/* Sends j (stolen) as JSON with reals printed to 10 significant digits, so
 * 81.8 reads 81.8 and not 81.799999999999997; with its ETag when validated
 * (open data). */
static void send_json(req_t *r, json_t *j, int validated)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10));
	json_decref(j);
	if (!s) {
		http_error(r, ERR_NOMEM, NULL);
		return;
	}
	if (validated)
		send_validated(r, "application/json", s, strlen(s));
	else
		http_send(r, 200, "application/json", s, strlen(s));
	free(s);
}

static void fail(req_t *r, int rc, const char *msg)
{
	http_error(r, rc, msg);
}

static json_t *col(const char *name, const char *title, const char *type)
{
	return json_pack("{s:s,s:s,s:s}", "name", name, "title", title, "type", type);
}

/* A number column shown with decimals decimals (percentages 1, IKM 2, NRR 3),
 * on the page and in the exports alike. */
static json_t *num_col(const char *name, const char *title, int decimals)
{
	return json_pack("{s:s,s:s,s:s,s:i}", "name", name, "title", title, "type", "number", "decimals", decimals);
}

/* The decimal mark of what a reader of the request's language reads: a
 * comma in Indonesian ("75,0"; "3.333" there is three thousand three
 * hundred and thirty-three), a point in English. The data formats (CSV,
 * JSON, the XLSX's numbers) always have the point. */
static char decimal_mark(const req_t *r)
{
	return r->lang && !strcmp(r->lang, "en") ? '.' : ',';
}

/* A real as the page shows it: "76,0" beside "76,2", not "76". */
static json_t *real_text(double v, int decimals, char mark)
{
	char b[48], *dot;
	snprintf(b, sizeof(b), "%.*f", decimals, v);
	if ((dot = strchr(b, '.')))
		*dot = mark;
	return json_string(b);
}

static json_t *pct_json(double v)
{
	return v < 0 ? json_null() : json_real((double)(int64_t)(v * 10 + 0.5) / 10.0);
}

static json_t *wd_json(int w)
{
	if (w < 0)
		return json_null();
	if (w >= PERF_WD_CAP)
		return json_string(">120");
	return json_integer(w);
}

static const char *kind_label(int k)
{
	return k == PERF_APPLICATION ? N_("Permohonan") : k == PERF_COMPLAINT ? N_("Pengaduan") : N_("Semua");
}

/* Columns shared by the OPD and service tables. */
static void add_count_cols(req_t *r, json_t *cols)
{
	json_array_append_new(cols, col("diterima", req_t_(r, "Diterima"), "integer"));
	json_array_append_new(cols, col("selesai", req_t_(r, "Selesai"), "integer"));
	json_array_append_new(cols, col("dalam_proses", req_t_(r, "Dalam proses"), "integer"));
	json_array_append_new(cols, num_col("tepat_waktu_persen", req_t_(r, "Tepat waktu (%)"), 1));
	json_array_append_new(cols, col("median_hari_kerja", req_t_(r, "Median (hari kerja)"), "integer"));
	json_array_append_new(cols, col("p90_hari_kerja", req_t_(r, "Persentil 90 (hari kerja)"), "integer"));
	json_array_append_new(cols, col("terlambat", req_t_(r, "Terlambat"), "integer"));
	json_array_append_new(cols, num_col("ketepatan_disposisi_persen", req_t_(r, "Ketepatan disposisi (%)"), 1));
}

static const char *const note_overdue = N_("hanya untuk periode yang mencakup hari ini");

/* "Terlambat" is what is open and past its due day now: a figure of a period
 * that reaches today. Of an earlier period it is not known (no history of
 * what was overdue when), so it is "-", not 0. */
static int overdue_known(const struct view *v)
{
	return v->q.to >= v->q.today;
}

static void add_count_cells(json_t *row, const struct view *v, const perf_counts_t *k)
{
	json_array_append_new(row, json_integer(k->received));
	json_array_append_new(row, json_integer(k->finished));
	json_array_append_new(row, json_integer(k->open_end));
	json_array_append_new(row, pct_json(perf_sla_pct(k)));
	json_array_append_new(row, wd_json(perf_hist_percentile(k->hist, 50)));
	json_array_append_new(row, wd_json(perf_hist_percentile(k->hist, 90)));
	json_array_append_new(row, overdue_known(v) ? json_integer(k->overdue) : json_null());
	json_array_append_new(row, pct_json(perf_routing_pct(k)));
}

static json_t *table(const char *id, const char *title, json_t *cols, json_t *rows)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", id, "sheet", id, "title", title, "columns", cols, "rows", rows);
}

static json_t *table_opd(req_t *r, const struct view *v, const perf_dashboard_t *d)
{
	json_t *cols = json_array(), *rows = json_array();
	json_array_append_new(cols, col("kode_opd", req_t_(r, "Kode OPD"), "string"));
	json_array_append_new(cols, col("nama_opd", req_t_(r, "Nama OPD"), "string"));
	add_count_cols(r, cols);
	for (size_t i = 0; i < d->nunits; i++) {
		json_t *row = json_pack("[s,s]", d->units[i].unit, unit_name(&v->units, d->units[i].unit));
		add_count_cells(row, v, &d->units[i].k[v->kidx]);
		json_array_append_new(rows, row);
	}
	return table("opd", req_t_(r, "Kinerja per OPD"), cols, rows);
}

static json_t *table_services(req_t *r, const struct view *v, const perf_dashboard_t *d)
{
	json_t *cols = json_array(), *rows = json_array();
	json_array_append_new(cols, col("kode_opd", req_t_(r, "Kode OPD"), "string"));
	json_array_append_new(cols, col("layanan", req_t_(r, "Layanan / kategori"), "string"));
	json_array_append_new(cols, col("nama_layanan", req_t_(r, "Nama layanan / kategori"), "string"));
	add_count_cols(r, cols);
	for (size_t i = 0; i < d->nservices; i++) {
		const perf_counts_t *a = &d->services[i].k[PERF_APPLICATION];
		json_t *row = json_pack("[s,s,s]", d->services[i].unit, d->services[i].service,
					name_of(v, d->services[i].service, a->received || a->finished || a->open_end));
		add_count_cells(row, v, &d->services[i].k[v->kidx]);
		json_array_append_new(rows, row);
	}
	return table("layanan", req_t_(r, "Kinerja per layanan"), cols, rows);
}

static void period_label(int32_t start, int weekly, char *buf, size_t size)
{
	char d[CAL_DATE_LEN];
	cal_format_date(start, d);
	if (weekly)
		snprintf(buf, size, "%s", d);
	else
		snprintf(buf, size, "%.7s", d);
}

static json_t *table_trend(req_t *r, const struct view *v, const perf_dashboard_t *d)
{
	json_t *cols = json_array(), *rows = json_array();
	json_array_append_new(cols, col("periode", v->weekly ? req_t_(r, "Minggu mulai") : req_t_(r, "Bulan"), "string"));
	json_array_append_new(cols, col("diterima", req_t_(r, "Diterima"), "integer"));
	json_array_append_new(cols, col("selesai", req_t_(r, "Selesai"), "integer"));
	json_array_append_new(cols, num_col("tepat_waktu_persen", req_t_(r, "Tepat waktu (%)"), 1));
	for (size_t i = 0; i < d->ntrend; i++) {
		char lab[16];
		const perf_trend_point_t *p = &d->trend[i];
		period_label(p->start, v->weekly, lab, sizeof(lab));
		json_array_append_new(rows, json_pack("[s,I,I,o]", lab, (json_int_t)p->received[v->kidx],
						      (json_int_t)p->finished[v->kidx],
						      pct_json(p->finished[v->kidx] > 0 ? 100.0 * (double)p->in_sla[v->kidx] /
											   (double)p->finished[v->kidx]
										 : -1)));
	}
	return table("tren", req_t_(r, "Tren"), cols, rows);
}

/* The kecamatan's name into name: "" for a code the region list does not
 * have; a name that cannot be read sets *err (the first error is kept),
 * and the caller answers with it instead of a table of blank names. */
static void kec_name(store_conn_t *c, const char *code, char *name, size_t size, int *err)
{
	int rc = region_name(c, code, name, size);
	if (rc < 0)
		name[0] = '\0';
	if (rc < 0 && rc != ERR_NOT_FOUND && !*err)
		*err = rc;
}

static json_t *table_kec(req_t *r, store_conn_t *c, const struct view *v, const perf_dashboard_t *d, int *err)
{
	json_t *cols = json_array(), *rows = json_array();
	json_array_append_new(cols, col("kode_kecamatan", req_t_(r, "Kode kecamatan"), "string"));
	json_array_append_new(cols, col("kecamatan", req_t_(r, "Kecamatan"), "string"));
	json_array_append_new(cols, col("diterima", req_t_(r, "Diterima"), "integer"));
	json_array_append_new(cols, col("selesai", req_t_(r, "Selesai"), "integer"));
	json_array_append_new(cols, num_col("tepat_waktu_persen", req_t_(r, "Tepat waktu (%)"), 1));
	for (size_t i = 0; i < d->nkec; i++) {
		const perf_kec_row_t *k = &d->kec[i];
		char name[160] = "";
		if (strcmp(k->kecamatan, "-"))
			kec_name(c, k->kecamatan, name, sizeof(name), err);
		if (!strcmp(k->kecamatan, "-"))
			snprintf(name, sizeof(name), "%s", req_t_(r, "Tidak diketahui"));
		json_array_append_new(rows, json_pack("[s,s,I,I,o]", k->kecamatan, name, (json_int_t)k->received[v->kidx],
						      (json_int_t)k->finished[v->kidx],
						      pct_json(k->finished[v->kidx] > 0 ? 100.0 * (double)k->in_sla[v->kidx] /
											   (double)k->finished[v->kidx]
										 : -1)));
	}
	return table("kecamatan", req_t_(r, "Per kecamatan"), cols, rows);
}

static json_t *table_ikm(req_t *r, const struct view *v, const perf_ikm_report_t *rep, int per_service)
{
	json_t *cols = json_array(), *rows = json_array();
	size_t n = per_service ? rep->nservices : rep->nunits;
	json_array_append_new(cols, col("kode_opd", req_t_(r, "Kode OPD"), "string"));
	json_array_append_new(cols, col(per_service ? "layanan" : "nama_opd",
					per_service ? req_t_(r, "Layanan / kategori") : req_t_(r, "Nama OPD"), "string"));
	if (per_service)
		json_array_append_new(cols, col("nama_layanan", req_t_(r, "Nama layanan / kategori"), "string"));
	json_array_append_new(cols, col("responden", req_t_(r, "Responden"), "integer"));
	json_array_append_new(cols, col("populasi", req_t_(r, "Populasi (selesai)"), "integer"));
	json_array_append_new(cols, col("sampel_minimum", req_t_(r, "Sampel minimum"), "integer"));
	for (int i = 0; i < PERF_UNSUR; i++) {
		char name[16];
		snprintf(name, sizeof(name), "nrr_u%d", i + 1);
		json_array_append_new(cols, num_col(name, req_t_(r, perf_unsur_label(i)), 3));
	}
	json_array_append_new(cols, num_col("ikm", "IKM", 2));
	json_array_append_new(cols, col("mutu", req_t_(r, "Mutu"), "string"));
	json_array_append_new(cols, col("kinerja", req_t_(r, "Kinerja unit"), "string"));
	for (size_t i = 0; i < n; i++) {
		const perf_ikm_row_t *x = per_service ? &rep->services[i] : &rep->units[i];
		json_t *row = json_pack("[s,s]", x->unit, per_service ? x->service : unit_name(&v->units, x->unit));
		if (per_service)
			json_array_append_new(row, json_string(name_of(v, x->service, 1)));
		json_array_append_new(row, json_integer((json_int_t)x->k.n));
		json_array_append_new(row, json_integer((json_int_t)x->k.population));
		json_array_append_new(row, json_integer((json_int_t)x->k.sample_min));
		char g[2] = { x->k.grade, 0 };
		for (int u = 0; u < PERF_UNSUR; u++)
			json_array_append_new(row, x->k.n ? json_real((double)(int64_t)(x->k.nrr[u] * 1000 + 0.5) / 1000.0)
							  : json_null());
		json_array_append_new(row, x->k.n ? json_real(x->k.ikm_x100 / 100.0) : json_null());
		json_array_append_new(row, json_string(g));
		json_array_append_new(row, json_string(req_t_(r, perf_grade_label(x->k.grade))));
		json_array_append_new(rows, row);
	}
	return table(per_service ? "ikm_layanan" : "ikm_opd",
		     per_service ? req_t_(r, "IKM per layanan") : req_t_(r, "IKM per OPD"), cols, rows);
}

/* Rows as {"cells": [...]} with "-" for no data and numbers with their
 * column's decimals, for the generic template. */
static json_t *html_table(json_t *t, char mark)
{
	json_t *rows = json_object_get(t, "rows"), *cols = json_object_get(t, "columns"), *out = json_array(), *row, *cell,
	       *ht;
	size_t i, j;
	json_array_foreach(rows, i, row) {
		json_t *cells = json_array();
		json_array_foreach(row, j, cell) {
			json_t *dec = json_object_get(json_array_get(cols, j), "decimals");
			if (json_is_null(cell))
				json_array_append_new(cells, json_string("-"));
			else if (json_is_real(cell) && json_is_integer(dec))
				json_array_append_new(cells, real_text(json_real_value(cell), (int)json_integer_value(dec), mark));
			else
				json_array_append_new(cells, json_incref(cell));
		}
		json_array_append_new(out, json_pack("{s:o}", "cells", cells));
	}
	ht = json_deep_copy(t);
	json_object_set_new(ht, "rows", out);
	json_object_set_new(ht, "empty", json_boolean(json_array_size(rows) == 0));
	return ht;
}

static void query_string(const struct view *v, sb_t *qs)
{
	sb_addf(qs, "dari=%s&sampai=%s&jenis=%s&tren=%s", v->dari, v->sampai, v->jenis, v->tren);
	if (v->unit) {
		sb_adds(qs, "&opd=");
		sb_add_urlenc(qs, v->unit, strlen(v->unit));
	}
}

static json_t *card(req_t *r, const char *label, json_t *value, const char *note)
{
	/* the percentages with their one decimal, as in the tables */
	json_t *shown = json_is_null(value) ? json_string("-")
			: json_is_real(value)  ? real_text(json_real_value(value), 1, decimal_mark(r))
					       : json_incref(value);
	json_t *c = json_pack("{s:s,s:o}", "label", label, "value", shown);
	json_decref(value);
	if (note)
		json_object_set_new(c, "note", json_string(note));
	return c;
}

/* ---------------------------------------------------------------- dashboard */

static int load_dashboard(req_t *r, store_conn_t *c, struct view *v, perf_dashboard_t *d)
{
	int rc = perf_dashboard(c, &v->q, d);
	return rc;
}

static json_t *charts(req_t *r, store_conn_t *c, const struct view *v, const perf_dashboard_t *d, int *err)
{
	json_t *out = json_object();
	sb_t sb = SB_INIT;
	size_t n = v->unit ? d->nservices : d->nunits;
	const perf_row_t *rows = v->unit ? d->services : d->units;
	const char **labels = calloc(n + d->ntrend + d->nkec + 1, sizeof(char *));
	double *vals = calloc(2 * (n + d->ntrend + d->nkec) + 1, sizeof(double));
	char(*tl)[16] = calloc(d->ntrend + 1, sizeof(*tl));
	char(*kn)[80] = calloc(d->nkec + 1, sizeof(*kn));
	if (!labels || !vals || !tl || !kn)
		goto done;
	/* SLA compliance per OPD (or per service of the one OPD) */
	for (size_t i = 0; i < n; i++) {
		/* OPDs by code, short enough for a bar's label; the complaints
		 * that reached none ("-") by what that means */
		labels[i] = v->unit ? rows[i].service
			    : !strcmp(rows[i].unit, "-") ? unit_name(&v->units, rows[i].unit) : rows[i].unit;
		vals[i] = perf_sla_pct(&rows[i].k[v->kidx]);
	}
	{
		chart_text_t t = { "sla", req_t_(r, "Penyelesaian tepat waktu (%)"), req_t_(r, "Tabel data"),
				   v->unit ? req_t_(r, "Layanan") : req_t_(r, "OPD"), "%", 1,
				   req_t_(r, "Belum ada yang selesai pada periode ini."), decimal_mark(r) };
		chart_bars(&sb, &t, labels, vals, n, 100);
		json_object_set_new(out, "sla", json_stringn(sb.buf, sb.len));
		sb_reset(&sb);
	}
	/* overdue per OPD */
	for (size_t i = 0; i < n; i++)
		vals[i] = (double)rows[i].k[v->kidx].overdue;
	{
		chart_text_t t = { "terlambat", req_t_(r, "Terlambat saat ini"), req_t_(r, "Tabel data"),
				   v->unit ? req_t_(r, "Layanan") : req_t_(r, "OPD"), "", 0,
				   overdue_known(v) ? req_t_(r, "Belum ada data untuk periode ini.")
						    : req_t_(r, "Terlambat hanya dihitung untuk periode yang mencakup hari ini.") };
		chart_bars(&sb, &t, labels, vals, overdue_known(v) ? n : 0, 0);
		json_object_set_new(out, "overdue", json_stringn(sb.buf, sb.len));
		sb_reset(&sb);
	}
	/* trend */
	{
		double *rec = vals, *fin = vals + d->ntrend;
		for (size_t i = 0; i < d->ntrend; i++) {
			period_label(d->trend[i].start, v->weekly, tl[i], sizeof(tl[i]));
			labels[i] = tl[i];
			rec[i] = (double)d->trend[i].received[v->kidx];
			fin[i] = (double)d->trend[i].finished[v->kidx];
		}
		{
			chart_series_t s[2] = { { req_t_(r, "Diterima"), rec }, { req_t_(r, "Selesai"), fin } };
			chart_text_t t = { "tren", v->weekly ? req_t_(r, "Tren mingguan") : req_t_(r, "Tren bulanan"),
					   req_t_(r, "Tabel data"), v->weekly ? req_t_(r, "Minggu mulai") : req_t_(r, "Bulan"),
					   "", 0, req_t_(r, "Belum ada data untuk periode ini.") };
			chart_lines(&sb, &t, labels, d->ntrend, s, 2);
			json_object_set_new(out, "trend", json_stringn(sb.buf, sb.len));
			sb_reset(&sb);
		}
	}
	/* per kecamatan */
	for (size_t i = 0; i < d->nkec; i++) {
		if (strcmp(d->kec[i].kecamatan, "-"))
			kec_name(c, d->kec[i].kecamatan, kn[i], sizeof(kn[i]), err);
		if (!strcmp(d->kec[i].kecamatan, "-") || !kn[i][0])
			snprintf(kn[i], sizeof(kn[i]), "%s", strcmp(d->kec[i].kecamatan, "-") ? d->kec[i].kecamatan
											     : req_t_(r, "Tidak diketahui"));
		labels[i] = kn[i];
		vals[i] = (double)d->kec[i].received[v->kidx];
	}
	{
		chart_text_t t = { "kecamatan", req_t_(r, "Diterima per kecamatan"), req_t_(r, "Tabel data"),
				   req_t_(r, "Kecamatan"), "", 0, req_t_(r, "Belum ada data untuk periode ini.") };
		chart_bars(&sb, &t, labels, vals, d->nkec, 0);
		json_object_set_new(out, "kec", json_stringn(sb.buf, sb.len));
	}
done:
	free(labels);
	free(vals);
	free(tl);
	free(kn);
	sb_release(&sb);
	return out;
}

/* The summary figures in two groups: the key ones (SLA compliance, backlog, overdue now), shown
 * first so that they fit a phone's first screen, and the rest below the OPDs with the most overdue
 * items. */
static json_t *key_cards(req_t *r, const struct view *v, const perf_dashboard_t *d)
{
	const perf_counts_t *k = &d->total.k[v->kidx];
	json_t *cards = json_array();
	json_array_append_new(cards, card(r, req_t_(r, "Tepat waktu (%)"), pct_json(perf_sla_pct(k)),
					  req_t_(r, "selesai dalam standar waktu")));
	json_array_append_new(cards, card(r, req_t_(r, "Dalam proses"), json_integer(k->open_end),
					  req_t_(r, "pada akhir periode")));
	json_array_append_new(cards, card(r, req_t_(r, "Terlambat"), overdue_known(v) ? json_integer(k->overdue) : json_null(),
					  overdue_known(v) ? req_t_(r, "masih terbuka dan lewat batas waktu")
							   : req_t_(r, note_overdue)));
	return cards;
}

static json_t *summary_cards(req_t *r, const struct view *v, const perf_dashboard_t *d)
{
	const perf_counts_t *k = &d->total.k[v->kidx];
	json_t *cards = json_array();
	/* finished in the period counts items received before it too: more
	 * finished than received is a backlog worked off, and says so */
	json_array_append_new(cards, card(r, req_t_(r, "Diterima"), json_integer(k->received),
					  req_t_(r, "masuk dalam periode ini")));
	json_array_append_new(cards, card(r, req_t_(r, "Selesai"), json_integer(k->finished),
					  req_t_(r, "dalam periode ini, juga yang diterima sebelumnya")));
	json_array_append_new(cards, card(r, req_t_(r, "Median (hari kerja)"), wd_json(perf_hist_percentile(k->hist, 50)), NULL));
	json_array_append_new(cards, card(r, req_t_(r, "Persentil 90 (hari kerja)"),
					  wd_json(perf_hist_percentile(k->hist, 90)), NULL));
	json_array_append_new(cards, card(r, req_t_(r, "Ketepatan disposisi (%)"), pct_json(perf_routing_pct(k)), NULL));
	return cards;
}

/* A table of the dashboard, collapsed behind its title when it is longer than a phone's screen. */
#define PERF_TABLE_OPEN_ROWS 8
static json_t *dashboard_table(req_t *r, json_t *t)
{
	json_t *ht = html_table(t, decimal_mark(r));
	size_t n = json_array_size(json_object_get(t, "rows"));
	json_object_set_new(ht, "nrows", json_integer((json_int_t)n));
	json_object_set_new(ht, "open", json_boolean(n <= PERF_TABLE_OPEN_ROWS));
	return ht;
}

static int overdue_cmp(const void *a, const void *b)
{
	const perf_row_t *x = *(const perf_row_t *const *)a, *y = *(const perf_row_t *const *)b;
	int64_t dx = x->k[0].overdue, dy = y->k[0].overdue;
	return dx < dy ? 1 : dx > dy ? -1 : strcmp(x->unit, y->unit);
}

static json_t *top_overdue(const struct view *v, const perf_dashboard_t *d)
{
	json_t *arr = json_array();
	const perf_row_t **p = calloc(d->nunits + 1, sizeof(*p));
	if (!p)
		return arr;
	for (size_t i = 0; i < d->nunits; i++)
		p[i] = &d->units[i];
	qsort(p, d->nunits, sizeof(*p), overdue_cmp);
	for (size_t i = 0; i < d->nunits && i < 5; i++) {
		if (p[i]->k[v->kidx].overdue <= 0)
			continue;
		json_array_append_new(arr, json_pack("{s:s,s:s,s:I}", "code", p[i]->unit, "name",
						     unit_name(&v->units, p[i]->unit), "overdue",
						     (json_int_t)p[i]->k[v->kidx].overdue));
	}
	free(p);
	return arr;
}

static json_t *view_ctx(req_t *r, const struct view *v)
{
	json_t *opds = json_array(), *jenis = json_array(), *tren = json_array();
	sb_t qs = SB_INIT;
	json_t *ctx;
	static const char *const jn[] = { "semua", "permohonan", "pengaduan" };
	for (size_t i = 0; i < v->units.n; i++)
		json_array_append_new(opds, json_pack("{s:s,s:s,s:b}", "code", v->units.u[i].code, "name", v->units.u[i].name,
						      "selected", v->unit && !strcmp(v->unit, v->units.u[i].code)));
	for (int i = 0; i < 3; i++)
		json_array_append_new(jenis, json_pack("{s:s,s:s,s:b}", "value", jn[i], "label", req_t_(r, kind_label(i)),
						       "selected", v->kidx == i));
	json_array_append_new(tren, json_pack("{s:s,s:s,s:b}", "value", "bulan", "label", req_t_(r, "Bulanan"), "selected",
					      !v->weekly));
	json_array_append_new(tren, json_pack("{s:s,s:s,s:b}", "value", "minggu", "label", req_t_(r, "Mingguan"), "selected",
					      v->weekly));
	query_string(v, &qs);
	ctx = json_pack("{s:s,s:s,s:o,s:o,s:o,s:b,s:s,s:s}", "dari", v->dari, "sampai", v->sampai, "opds", opds, "jenis",
			jenis, "trens", tren, "all_units", !sees_own(r->who.role), "qs", qs.buf, "kind_label",
			req_t_(r, kind_label(v->kidx)));
	if (v->unit)
		json_object_set_new(ctx, "unit", json_pack("{s:s,s:s}", "code", v->unit, "name", unit_name(&v->units, v->unit)));
	sb_release(&qs);
	return ctx;
}

int h_perf_dashboard(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	struct view *v = arena_zalloc(&r->arena, sizeof(*v));
	perf_dashboard_t d;
	const char *msg;
	json_t *ctx, *tables;
	int rc, err = 0;
	if (!c)
		return ERR_UNAVAILABLE;
	if (!v)
		return ERR_NOMEM;
	if ((rc = view_parse(r, c, v, 1, &msg)) < 0) {
		if (!msg)
			return rc;
		fail(r, rc, msg);
		return 0;
	}
	if ((rc = load_dashboard(r, c, v, &d)) < 0)
		return rc;
	ctx = view_ctx(r, v);
	tables = json_array();
	if (!v->unit) {
		json_t *t = table_opd(r, v, &d);
		json_array_append_new(tables, dashboard_table(r, t));
		json_decref(t);
	}
	{
		json_t *t = table_services(r, v, &d);
		json_array_append_new(tables, dashboard_table(r, t));
		json_decref(t);
	}
	{
		json_t *t = table_kec(r, c, v, &d, &err);
		json_array_append_new(tables, dashboard_table(r, t));
		json_decref(t);
	}
	json_object_set_new(ctx, "title", json_string(req_t_(r, "Kinerja pelayanan")));
	json_object_set_new(ctx, "key_cards", key_cards(r, v, &d));
	json_object_set_new(ctx, "cards", summary_cards(r, v, &d));
	json_object_set_new(ctx, "charts", charts(r, c, v, &d, &err));
	{
		json_t *top = top_overdue(v, &d);
		json_object_set_new(ctx, "has_overdue", json_boolean(json_array_size(top) > 0));
		json_object_set_new(ctx, "top_overdue", top);
	}
	json_object_set_new(ctx, "tables", tables);
	perf_dashboard_release(&d);
	if (err < 0) {
		json_decref(ctx);
		return err;
	}
	http_page(r, 200, "performance_dashboard", ctx);
	return 0;
}

/* JSON of the same dashboard: GET /api/v1/t/{tenant}/kinerja */
int api_perf_dashboard(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	struct view *v = arena_zalloc(&r->arena, sizeof(*v));
	perf_dashboard_t d;
	const char *msg;
	json_t *out, *totals;
	int rc, err = 0;
	if (!c)
		return ERR_UNAVAILABLE;
	if (!v)
		return ERR_NOMEM;
	if ((rc = view_parse(r, c, v, 1, &msg)) < 0) {
		if (!msg)
			return rc;
		fail(r, rc, msg);
		return 0;
	}
	if ((rc = load_dashboard(r, c, v, &d)) < 0)
		return rc;
	totals = json_object();
	for (int k = 0; k < 3; k++) {
		const perf_counts_t *x = &d.total.k[k];
		json_object_set_new(totals, k == 0 ? "all" : perf_kind_name((perf_kind_t)k),
				    json_pack("{s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "received", (json_int_t)x->received,
					      "finished", (json_int_t)x->finished, "finished_in_sla", (json_int_t)x->in_sla,
					      "open_end", (json_int_t)x->open_end, "overdue", (json_int_t)x->overdue,
					      "sla_pct", pct_json(perf_sla_pct(x)), "median_wd",
					      wd_json(perf_hist_percentile(x->hist, 50)), "p90_wd",
					      wd_json(perf_hist_percentile(x->hist, 90)), "routing_pct",
					      pct_json(perf_routing_pct(x))));
	}
	out = json_pack("{s:{s:s,s:s},s:o,s:o,s:o,s:o,s:o}", "period", "from", v->dari, "to", v->sampai, "totals", totals,
			"opd", table_opd(r, v, &d), "services", table_services(r, v, &d), "trend", table_trend(r, v, &d),
			"kecamatan", table_kec(r, c, v, &d, &err));
	perf_dashboard_release(&d);
	if (err < 0) {
		json_decref(out);
		return err;
	}
	if (v->unit)
		json_object_set_new(out, "unit", json_string(v->unit));
	send_json(r, out, 0);
	return 0;
}

/* ---------------------------------------------------------------- IKM */

int h_perf_ikm(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	struct view *v = arena_zalloc(&r->arena, sizeof(*v));
	perf_ikm_report_t rep;
	const char *msg;
	json_t *ctx, *tables, *unsur = json_array(), *t;
	int rc;
	if (!c) {
		json_decref(unsur);
		return ERR_UNAVAILABLE;
	}
	if ((rc = view_parse(r, c, v, 1, &msg)) < 0) {
		json_decref(unsur);
		if (!msg)
			return rc;
		fail(r, rc, msg);
		return 0;
	}
	if ((rc = perf_ikm_report(c, &v->q, &rep)) < 0) {
		json_decref(unsur);
		return rc;
	}
	ctx = view_ctx(r, v);
	tables = json_array();
	t = table_ikm(r, v, &rep, 0);
	json_array_append_new(tables, html_table(t, decimal_mark(r)));
	json_decref(t);
	t = table_ikm(r, v, &rep, 1);
	json_array_append_new(tables, html_table(t, decimal_mark(r)));
	json_decref(t);
	for (int i = 0; i < PERF_UNSUR; i++) {
		char code[8];
		snprintf(code, sizeof(code), "U%d", i + 1);
		json_array_append_new(unsur, json_pack("{s:s,s:s,s:o}", "code", code, "label", req_t_(r, perf_unsur_label(i)),
						       "nrr",
						       rep.total.k.n ? real_text((double)(int64_t)(rep.total.k.nrr[i] * 1000 + 0.5) / 1000.0, 3, decimal_mark(r))
								     : json_string("-")));
	}
	{
		char ikm[16], g[2] = { rep.total.k.grade, 0 };
		snprintf(ikm, sizeof(ikm), "%d%c%02d", rep.total.k.ikm_x100 / 100, decimal_mark(r), rep.total.k.ikm_x100 % 100);
		json_object_set_new(ctx, "total",
				    json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:b}", "n", (json_int_t)rep.total.k.n, "ikm",
					      rep.total.k.n ? ikm : "-", "grade", g, "grade_label",
					      req_t_(r, perf_grade_label(rep.total.k.grade)), "population",
					      (json_int_t)rep.total.k.population, "sample_min", (json_int_t)rep.total.k.sample_min,
					      "sample_low", rep.total.k.n < rep.total.k.sample_min));
	}
	{
		json_t *low = json_array();
		/* the OPDs, then their services ("DINSOS · sktm"): a service's IKM
		 * of two answers showed its grade with nothing to say it was weak */
		for (size_t i = 0; i < rep.nunits + rep.nservices; i++) {
			const perf_ikm_row_t *x = i < rep.nunits ? &rep.units[i] : &rep.services[i - rep.nunits];
			char code[128];
			if (x->k.n >= x->k.sample_min)
				continue;
			if (x->service[0])
				snprintf(code, sizeof(code), "%s · %s", x->unit, x->service);
			else
				snprintf(code, sizeof(code), "%s", x->unit);
			json_array_append_new(low, json_pack("{s:s,s:I,s:I}", "code", code, "n", (json_int_t)x->k.n, "min",
							     (json_int_t)x->k.sample_min));
		}
		json_object_set_new(ctx, "has_low", json_boolean(json_array_size(low) > 0));
		json_object_set_new(ctx, "low_samples", low);
	}
	perf_ikm_report_release(&rep);
	json_object_set_new(ctx, "title", json_string(req_t_(r, "Indeks Kepuasan Masyarakat")));
	json_object_set_new(ctx, "unsur", unsur);
	json_object_set_new(ctx, "tables", tables);
	http_page(r, 200, "performance_ikm", ctx);
	return 0;
}

/* ---------------------------------------------------------------- exports */

/* What the dashboard and the PDF say about their figures, for a workbook. */
static const char *const note_finished = N_("Selesai menghitung yang selesai dalam periode, juga yang diterima sebelum "
					   "periode dimulai: Selesai bisa lebih besar dari Diterima.");
static const char *const note_empty = N_("Sel kosong berarti tidak ada angkanya: tepat waktu, median dan persentil 90 "
					"tanpa yang selesai; terlambat untuk periode yang tidak mencakup hari ini; "
					"ketepatan disposisi tanpa pengaduan yang sudah diteruskan ke OPD; NRR dan IKM "
					"tanpa jawaban survei.");
static const char *const note_ikm = N_("IKM = 25 × (jumlah NRR × 1/9). Mutu: A 88,31–100; B 76,61–88,30; "
				      "C 65,00–76,60; D 25,00–64,99.");

/* When a report is made, as the pages give a time: "2026-12-01 18:45 WITA". */
static void made_at(req_t *r, char buf[CAL_LOCAL_LEN])
{
	cal_format_local((int64_t)time(NULL), r->tenant->tz_offset, r->tenant->tz_name, buf);
}

/* The workbook's sheet of notes: what it covers, when it was made, and how to
 * read Selesai against Diterima (the dashboard's note above its tables and
 * the PDF's under its period; the data sheets stay tables only, a line of
 * text in one would be read as a row). */
static json_t *table_notes(req_t *r, const struct view *v)
{
	char when[CAL_LOCAL_LEN], pemda[200], period[32], opd[220];
	made_at(r, when);
	snprintf(pemda, sizeof(pemda), "%s (%s)", r->tenant->name, r->tenant->code);
	snprintf(period, sizeof(period), "%s – %s", v->dari, v->sampai);
	if (v->unit)
		snprintf(opd, sizeof(opd), "%s — %s", v->unit, unit_name(&v->units, v->unit));
	else
		snprintf(opd, sizeof(opd), "%s", req_t_(r, "Semua OPD"));
	return json_pack("{s:s,s:s,s:[[s,s],[s,s],[s,s],[s,s],[s,s],[s,s],[s,s],[s,s],[s,s]]}", "sheet",
			 req_t_(r, "Catatan"), "title", req_t_(r, "Laporan kinerja pelayanan dan IKM"), "notes", "Pemda",
			 pemda, req_t_(r, "Periode"), period, req_t_(r, "Jenis"), req_t_(r, kind_label(v->kidx)),
			 req_t_(r, "OPD"), opd, req_t_(r, "Dibuat"), when, "", "", req_t_(r, "Catatan"),
			 req_t_(r, note_finished), "", req_t_(r, note_empty), "", req_t_(r, note_ikm));
}

static void attach(req_t *r, const struct view *v, const char *name, const char *ext)
{
	char cd[256];
	snprintf(cd, sizeof(cd), "attachment; filename=\"kinerja-%s-%s-%s-%s.%s\"", r->tenant->code, v->dari, v->sampai,
		 name, ext);
	http_add_header(r, "content-disposition", cd);
	http_add_header(r, "cache-control", "no-store");
}

int h_perf_export(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	struct view *v = arena_zalloc(&r->arena, sizeof(*v));
	const char *file = req_param(r, "file"), *dot, *msg;
	char name[32];
	int xlsx, rc, all, err = 0;
	json_t *tables;
	if (!c)
		return ERR_UNAVAILABLE;
	if (!file || !(dot = strrchr(file, '.')) || (size_t)(dot - file) >= sizeof(name))
		return ERR_NOT_FOUND;
	snprintf(name, sizeof(name), "%.*s", (int)(dot - file), file);
	if (!strcmp(dot, ".xlsx"))
		xlsx = 1;
	else if (!strcmp(dot, ".csv"))
		xlsx = 0;
	else
		return ERR_NOT_FOUND;
	all = !strcmp(name, "semua");
	if (!all && strcmp(name, "opd") && strcmp(name, "layanan") && strcmp(name, "tren") && strcmp(name, "kecamatan") &&
	    strcmp(name, "ikm_opd") && strcmp(name, "ikm_layanan"))
		return ERR_NOT_FOUND;
	if (all && !xlsx)
		return ERR_NOT_FOUND;
	if ((rc = view_parse(r, c, v, 1, &msg)) < 0) {
		if (!msg)
			return rc;
		fail(r, rc, msg);
		return 0;
	}
	tables = json_array();
	if (all || strncmp(name, "ikm", 3)) {
		perf_dashboard_t d;
		if ((rc = perf_dashboard(c, &v->q, &d)) < 0) {
			json_decref(tables);
			return rc;
		}
		if (all || !strcmp(name, "opd"))
			json_array_append_new(tables, table_opd(r, v, &d));
		if (all || !strcmp(name, "layanan"))
			json_array_append_new(tables, table_services(r, v, &d));
		if (all || !strcmp(name, "tren"))
			json_array_append_new(tables, table_trend(r, v, &d));
		if (all || !strcmp(name, "kecamatan"))
			json_array_append_new(tables, table_kec(r, c, v, &d, &err));
		perf_dashboard_release(&d);
		if (err < 0) {
			json_decref(tables);
			return err;
		}
	}
	if (all || !strncmp(name, "ikm", 3)) {
		perf_ikm_report_t rep;
		if ((rc = perf_ikm_report(c, &v->q, &rep)) < 0) {
			json_decref(tables);
			return rc;
		}
		if (all || !strcmp(name, "ikm_opd"))
			json_array_append_new(tables, table_ikm(r, v, &rep, 0));
		if (all || !strcmp(name, "ikm_layanan"))
			json_array_append_new(tables, table_ikm(r, v, &rep, 1));
		perf_ikm_report_release(&rep);
	}
	if (xlsx) {
		char *buf;
		size_t len;
		json_array_append_new(tables, table_notes(r, v));
		rc = perf_export_xlsx(tables, NULL, &buf, &len);
		json_decref(tables);
		if (rc < 0)
			return rc;
		attach(r, v, name, "xlsx");
		http_send(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf, len);
		free(buf);
		return 0;
	}
	{
		sb_t out = SB_INIT;
		json_t *t = json_array_get(tables, 0);
		perf_export_csv(&out, json_object_get(t, "columns"), json_object_get(t, "rows"), 1, 1);
		json_decref(tables);
		if (out.err) {
			sb_release(&out);
			return ERR_NOMEM;
		}
		attach(r, v, name, "csv");
		http_send(r, 200, "text/csv; charset=utf-8; header=present", out.buf, out.len);
		sb_release(&out);
	}
	return 0;
}

/* ---------------------------------------------------------------- PDF */

static void fmt_pct(char *buf, size_t size, double v, char mark)
{
	char *dot;
	if (v < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.1f%%", v);
	if ((dot = strchr(buf, '.')))
		*dot = mark;
}

static void fmt_wd(char *buf, size_t size, int w)
{
	if (w < 0)
		snprintf(buf, size, "-");
	else if (w >= PERF_WD_CAP)
		snprintf(buf, size, ">120");
	else
		snprintf(buf, size, "%d", w);
}

static void pdf_counts(req_t *r, const struct view *v, doc_t *doc, const perf_counts_t *k, const perf_ikm_t *ikm)
{
	char b[64];
	snprintf(b, sizeof(b), "%lld", (long long)k->received);
	doc_row(doc, req_t_(r, "Diterima"), b);
	snprintf(b, sizeof(b), "%lld", (long long)k->finished);
	doc_row(doc, req_t_(r, "Selesai"), b);
	snprintf(b, sizeof(b), "%lld", (long long)k->open_end);
	doc_row(doc, req_t_(r, "Dalam proses"), b);
	fmt_pct(b, sizeof(b), perf_sla_pct(k), decimal_mark(r));
	doc_row(doc, req_t_(r, "Tepat waktu (%)"), b);
	fmt_wd(b, sizeof(b), perf_hist_percentile(k->hist, 50));
	doc_row(doc, req_t_(r, "Median (hari kerja)"), b);
	fmt_wd(b, sizeof(b), perf_hist_percentile(k->hist, 90));
	doc_row(doc, req_t_(r, "Persentil 90 (hari kerja)"), b);
	if (overdue_known(v))
		snprintf(b, sizeof(b), "%lld", (long long)k->overdue);
	else
		snprintf(b, sizeof(b), "-");
	doc_row(doc, req_t_(r, "Terlambat"), b);
	fmt_pct(b, sizeof(b), perf_routing_pct(k), decimal_mark(r));
	doc_row(doc, req_t_(r, "Ketepatan disposisi (%)"), b);
	if (ikm && ikm->n) {
		snprintf(b, sizeof(b), "%d%c%02d (%c, %s)", ikm->ikm_x100 / 100, decimal_mark(r), ikm->ikm_x100 % 100, ikm->grade,
			 req_t_(r, perf_grade_label(ikm->grade)));
		doc_row(doc, "IKM", b);
		snprintf(b, sizeof(b), "%lld / %lld", (long long)ikm->n, (long long)ikm->sample_min);
		doc_row(doc, req_t_(r, "Responden / sampel minimum"), b);
	} else {
		doc_row(doc, "IKM", req_t_(r, "- (belum ada jawaban survei)"));
	}
}

/* GET /t/{tenant}/kinerja/laporan.pdf: the period's performance and IKM,
 * the whole tenant first, then one block per OPD. */
int h_perf_pdf(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	struct view *v = arena_zalloc(&r->arena, sizeof(*v));
	perf_dashboard_t d;
	perf_ikm_report_t rep;
	doc_t *doc = NULL;
	sb_t out = SB_INIT, line = SB_INIT;
	const char *msg;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	if (!v)
		return ERR_NOMEM;
	if ((rc = view_parse(r, c, v, 1, &msg)) < 0) {
		if (!msg)
			return rc;
		fail(r, rc, msg);
		return 0;
	}
	if ((rc = perf_dashboard(c, &v->q, &d)) < 0)
		return rc;
	if ((rc = perf_ikm_report(c, &v->q, &rep)) < 0) {
		perf_dashboard_release(&d);
		return rc;
	}
	rc = doc_new(req_t_(r, "Laporan kinerja pelayanan dan IKM"), &doc);
	if (rc == 0) {
		char hdr[200];
		snprintf(hdr, sizeof(hdr), "%s", r->tenant->name);
		doc_header_line(doc, hdr);
		sb_addf(&line, "%s %s - %s · %s", req_t_(r, "Periode"), v->dari, v->sampai, req_t_(r, kind_label(v->kidx)));
		doc_subtitle(doc, line.buf);
		{
			char when[CAL_LOCAL_LEN];
			made_at(r, when);
			sb_reset(&line);
			sb_addf(&line, "%s %s", req_t_(r, "Dibuat"), when);
			doc_subtitle(doc, line.buf);
		}
		/* what the dashboard says above its tables, read before the figures */
		doc_para(doc, req_t_(r, "Selesai menghitung yang selesai dalam periode, juga yang diterima sebelum periode "
					"dimulai: Selesai bisa lebih besar dari Diterima. Ketepatan disposisi hanya untuk "
					"pengaduan yang sudah diteruskan ke OPD; tanpa pengaduan seperti itu isinya tanda -."));
		doc_heading(doc, v->unit ? unit_name(&v->units, v->unit) : r->tenant->name);
		pdf_counts(r, v, doc, &d.total.k[v->kidx], &rep.total.k);
		for (size_t i = 0; !v->unit && i < d.nunits; i++) {
			const perf_ikm_t *ik = NULL;
			sb_reset(&line);
			/* "BAPENDA - Badan Pendapatan Daerah"; the complaints not yet sent
			 * to an OPD have no code to show ("- - ..." before) */
			if (strcmp(d.units[i].unit, "-"))
				sb_addf(&line, "%s - ", d.units[i].unit);
			sb_adds(&line, unit_name(&v->units, d.units[i].unit));
			doc_heading(doc, line.buf);
			for (size_t j = 0; j < rep.nunits; j++)
				if (!strcmp(rep.units[j].unit, d.units[i].unit))
					ik = &rep.units[j].k;
			pdf_counts(r, v, doc, &d.units[i].k[v->kidx], ik);
		}
		doc_para(doc, req_t_(r, note_ikm));
		doc_footer(doc, "sigap");
		rc = doc_render(doc, &out);
	}
	doc_free(doc);
	sb_release(&line);
	perf_dashboard_release(&d);
	perf_ikm_report_release(&rep);
	if (rc < 0 || out.err) {
		sb_release(&out);
		return rc < 0 ? rc : ERR_NOMEM;
	}
	attach(r, v, "laporan", "pdf");
	http_send(r, 200, "application/pdf", out.buf, out.len);
	sb_release(&out);
	return 0;
}

/* ---------------------------------------------------------------- survey */

/* The question of each unsur and the words of its four answers (scores 1 to
 * 4), as the example questionnaire in the appendix of PermenPANRB 14/2017
 * words them: "Gratis" is the best answer about the fee and "Dikelola dengan
 * baik" about complaint handling, which one scale "Tidak baik ... Sangat baik"
 * for all nine left to guesswork. */
static const char *const sesuai[4] = { N_("Tidak sesuai"), N_("Kurang sesuai"), N_("Sesuai"), N_("Sangat sesuai") };
static const char *const mudah[4] = { N_("Tidak mudah"), N_("Kurang mudah"), N_("Mudah"), N_("Sangat mudah") };
static const char *const cepat[4] = { N_("Tidak cepat"), N_("Kurang cepat"), N_("Cepat"), N_("Sangat cepat") };
static const char *const biaya[4] = { N_("Sangat mahal"), N_("Cukup mahal"), N_("Murah"), N_("Gratis") };
static const char *const kompeten[4] = { N_("Tidak kompeten"), N_("Kurang kompeten"), N_("Kompeten"),
					 N_("Sangat kompeten") };
static const char *const sopan[4] = { N_("Tidak sopan dan ramah"), N_("Kurang sopan dan ramah"), N_("Sopan dan ramah"),
				      N_("Sangat sopan dan ramah") };
static const char *const pengaduan[4] = { N_("Tidak ada"), N_("Ada tetapi tidak berfungsi"),
					  N_("Berfungsi kurang maksimal"), N_("Dikelola dengan baik") };
static const char *const sarana[4] = { N_("Buruk"), N_("Cukup"), N_("Baik"), N_("Sangat baik") };
static const struct {
	const char *question;
	const char *const *answer;
} survey_items[PERF_UNSUR] = {
	{ N_("Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?"), sesuai },
	{ N_("Bagaimana pemahaman Anda tentang kemudahan prosedur pelayanan di unit ini?"), mudah },
	{ N_("Bagaimana pendapat Anda tentang kecepatan waktu dalam memberikan pelayanan?"), cepat },
	{ N_("Bagaimana pendapat Anda tentang kewajaran biaya/tarif dalam pelayanan?"), biaya },
	{ N_("Bagaimana pendapat Anda tentang kesesuaian produk pelayanan antara yang tercantum dalam standar "
	     "pelayanan dengan hasil yang diberikan?"), sesuai },
	{ N_("Bagaimana pendapat Anda tentang kompetensi/kemampuan petugas dalam pelayanan?"), kompeten },
	{ N_("Bagaimana pendapat Anda tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?"), sopan },
	{ N_("Bagaimana pendapat Anda tentang penanganan pengaduan pengguna layanan?"), pengaduan },
	{ N_("Bagaimana pendapat Anda tentang kualitas sarana dan prasarana?"), sarana },
};

/* What the survey is about, into the page's ctx: the OPD by its name (not
 * its code, "DISPERKIM"), the service's name for an application, and a link
 * back to the application (its applicant's page) or the complaint (the
 * complaints' lookup by number, under their rules of what is public). The
 * page has no referrer, so the link does not carry the token away. */
static int survey_about(req_t *r, store_conn_t *c, const perf_invite_t *inv, json_t *ctx)
{
	struct units *u = arena_zalloc(&r->arena, sizeof(*u));
	sb_t url = SB_INIT;
	int64_t id = 0;
	int rc;
	if (!u)
		return ERR_NOMEM;
	if ((rc = unit_list(c, r->tenant->code, add_unit_cb, u)) < 0)
		return rc;
	json_object_set_new(ctx, "unit_name", json_string(unit_name(u, inv->unit)));
	json_object_set_new(ctx, "number", json_string(inv->item_id));
	json_object_set_new(ctx, "kind", json_string(req_t_(r, kind_label(inv->kind))));
	json_object_set_new(ctx, "back", json_string(req_t_(r, inv->kind == PERF_APPLICATION ? N_("Kembali ke permohonan")
											    : N_("Kembali ke pengaduan"))));
	if (inv->kind == PERF_APPLICATION) {
		json_t *svc = NULL;
		rc = services_app_id_by_number(c, r->tenant->code, inv->item_id, &id);
		if (rc == 0)
			sb_addf(&url, "/t/%s/permohonan/%lld", r->tenant->code, (long long)id);
		if ((rc == 0 || rc == ERR_NOT_FOUND) && (rc = services_get(c, r->tenant->code, inv->service, 0, &svc)) == 0)
			json_object_set_new(ctx, "service", json_string(services_jstr(svc, "name")));
		json_decref(svc);
	} else {
		sb_addf(&url, "/t/%s/pengaduan?nomor=", r->tenant->code);
		sb_add_urlenc(&url, inv->item_id, strlen(inv->item_id));
		rc = 0;
	}
	if (url.buf && !url.err)
		json_object_set_new(ctx, "about_url", json_string(url.buf));
	sb_release(&url);
	/* an application or a service no longer there: the number alone */
	return rc == ERR_NOT_FOUND ? 0 : rc;
}

/* The form (survey_about adds what it is about). */
static json_t *survey_ctx(req_t *r, const int *chosen, const char *comment)
{
	json_t *items = json_array();
	for (int i = 0; i < PERF_UNSUR; i++) {
		json_t *opts = json_array();
		char name[8];
		snprintf(name, sizeof(name), "u%d", i + 1);
		for (int s = 1; s <= 4; s++)
			json_array_append_new(opts, json_pack("{s:i,s:s,s:b}", "value", s, "label",
							      req_t_(r, survey_items[i].answer[s - 1]), "checked",
							      chosen && chosen[i] == s));
		json_array_append_new(items, json_pack("{s:s,s:i,s:s,s:s,s:o}", "name", name, "no", i + 1, "label",
						       req_t_(r, perf_unsur_label(i)), "question",
						       req_t_(r, survey_items[i].question), "options", opts));
	}
	return json_pack("{s:s,s:o,s:s,s:s}", "title", req_t_(r, "Survei Kepuasan Masyarakat"), "unsur", items, "token",
			 req_param(r, "token"), "comment", comment ? comment : "");
}

/* The thanks, or "answered already", with the way back to what was rated
 * (the invitation of token; none when it cannot be found). */
static int survey_done_page(req_t *r, int status, int already, const char *token)
{
	store_conn_t *c = store_reader(r->app->store);
	perf_invite_t inv;
	json_t *ctx = json_pack("{s:s,s:b}", "title", req_t_(r, "Survei Kepuasan Masyarakat"), "already", already);
	int rc = c ? perf_survey_lookup(c, r->tenant->code, token, &inv) : ERR_UNAVAILABLE;
	if (rc == 0)
		rc = survey_about(r, c, &inv, ctx);
	if (rc < 0 && rc != ERR_NOT_FOUND) {
		json_decref(ctx);
		return rc;
	}
	http_page(r, status, "performance_survey_done", ctx);
	return 0;
}

int h_perf_survey_form(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	perf_invite_t inv;
	json_t *ctx;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	/* the token is in this address: no referrer leaves with it, and no
	 * cache keeps the page (a shared one would hand the link on) */
	r->no_referrer = 1;
	rc = perf_survey_lookup(c, r->tenant->code, req_param(r, "token"), &inv);
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, "tautan survei tidak dikenal");
		return 0;
	}
	if (rc < 0)
		return rc;
	if (inv.used)
		return survey_done_page(r, 200, 1, req_param(r, "token"));
	ctx = survey_ctx(r, NULL, NULL);
	if ((rc = survey_about(r, c, &inv, ctx)) < 0) {
		json_decref(ctx);
		return rc;
	}
	http_page(r, 200, "performance_survey", ctx);
	return 0;
}

struct survey_op {
	const char *tenant, *token, *comment, *msgid;
	int scores[PERF_UNSUR];
	int32_t day;
	int64_t now;
};

static int survey_tx(store_conn_t *c, void *ud)
{
	struct survey_op *op = ud;
	return perf_survey_submit(c, op->tenant, op->token, op->scores, op->comment, op->day, op->now, &op->msgid);
}

static int survey_done(req_t *r, int rc, void *ud)
{
	struct survey_op *op = ud;
	if (rc == 0)
		return survey_done_page(r, 200, 0, op->token);
	if (rc == ERR_INVALID) {
		store_conn_t *c = store_reader(r->app->store);
		perf_invite_t inv;
		json_t *ctx;
		int lrc = c ? perf_survey_lookup(c, r->tenant->code, op->token, &inv) : ERR_UNAVAILABLE;
		if (lrc == ERR_NOT_FOUND) {
			http_error(r, ERR_NOT_FOUND, "tautan survei tidak dikenal");
			return 0;
		}
		if (lrc < 0) {
			/* the database went away between the write and this read */
			http_error(r, lrc == ERR_DB ? ERR_UNAVAILABLE : lrc, NULL);
			return 0;
		}
		ctx = survey_ctx(r, op->scores, op->comment);
		if ((lrc = survey_about(r, c, &inv, ctx)) < 0) {
			json_decref(ctx);
			http_error(r, lrc == ERR_DB ? ERR_UNAVAILABLE : lrc, NULL);
			return 0;
		}
		json_object_set_new(ctx, "error", json_string(req_t_(r, op->msgid ? op->msgid : N_("isian tidak sah"))));
		http_page(r, 400, "performance_survey", ctx);
		return 0;
	}
	if (rc == ERR_CONFLICT)
		return survey_done_page(r, 409, 1, op->token);
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, "tautan survei tidak dikenal");
		return 0;
	}
	http_error(r, rc, NULL);
	return 0;
}

int h_perf_survey_submit(req_t *r)
{
	struct survey_op *op = arena_zalloc(&r->arena, sizeof(*op));
	const char *token = req_param(r, "token"), *comment = req_form(r, "komentar");
	if (!op)
		return ERR_NOMEM;
	r->no_referrer = 1; /* the token is in this address, as on the form */
	op->tenant = r->tenant->code;
	op->token = arena_strdup(&r->arena, token ? token : "");
	op->comment = comment ? arena_strdup(&r->arena, comment) : NULL;
	op->now = (int64_t)time(NULL);
	op->day = today_of(r);
	for (int i = 0; i < PERF_UNSUR; i++) {
		char name[8];
		const char *s;
		snprintf(name, sizeof(name), "u%d", i + 1);
		s = req_form(r, name);
		op->scores[i] = s && s[0] >= '1' && s[0] <= '4' && !s[1] ? s[0] - '0' : 0;
	}
	return http_write(r, survey_tx, op, survey_done);
}

/* ---------------------------------------------------------------- open data */

#define OD_MONTHS 12

static const struct dataset {
	const char *id, *title, *desc;
} datasets[] = {
	{ "kinerja-opd-bulanan", N_("Kinerja pelayanan per OPD per bulan"),
	  N_("Jumlah permohonan layanan dan pengaduan yang diterima dan diselesaikan per OPD per bulan, persentase "
	     "penyelesaian tepat waktu, median dan persentil 90 lama penyelesaian dalam hari kerja.") },
	{ "kinerja-kecamatan-bulanan", N_("Kinerja pelayanan per kecamatan per bulan"),
	  N_("Jumlah permohonan layanan dan pengaduan yang diterima dan diselesaikan per kecamatan asal pemohon per bulan.") },
	{ "ikm-opd-bulanan", N_("Indeks Kepuasan Masyarakat per OPD per bulan"),
	  N_("Nilai rata-rata per unsur (NRR), IKM dan mutu pelayanan per OPD per bulan menurut PermenPANRB 14/2017, "
	     "dari survei kepuasan masyarakat.") },
};

static const struct dataset *dataset_find(const char *id, size_t len)
{
	for (size_t i = 0; i < sizeof(datasets) / sizeof(datasets[0]); i++)
		if (strlen(datasets[i].id) == len && !strncmp(datasets[i].id, id, len))
			return &datasets[i];
	return NULL;
}

/* The snapshot date: data up to and including yesterday (tenant time), or
 * ?tanggal=YYYY-MM-DD (no later than yesterday) for an earlier snapshot. */
static int od_asof(req_t *r, int32_t *ret)
{
	const char *t = req_query(r, "tanggal");
	int32_t yest = today_of(r) - 1, d;
	if (!t || !*t) {
		*ret = yest;
		return 0;
	}
	if (cal_parse_date(t, &d) < 0 || d > yest || d < cal_days_from_civil(2000, 1, 1)) {
		http_error(r, ERR_INVALID, "tanggal harus TTTT-BB-HH dan paling lambat kemarin");
		return ERR_INVALID;
	}
	*ret = d;
	return 0;
}

static json_t *od_columns(const struct dataset *ds)
{
	json_t *c = json_array();
	if (!strcmp(ds->id, "kinerja-opd-bulanan")) {
		json_array_append_new(c, col("bulan", "Bulan (TTTT-BB)", "string"));
		json_array_append_new(c, col("kode_opd", "Kode OPD", "string"));
		json_array_append_new(c, col("nama_opd", "Nama OPD", "string"));
		json_array_append_new(c, col("jenis", "permohonan atau pengaduan", "string"));
		json_array_append_new(c, col("diterima", "Jumlah diterima dalam bulan itu", "integer"));
		json_array_append_new(c, col("selesai", "Jumlah selesai dalam bulan itu", "integer"));
		json_array_append_new(c, col("selesai_tepat_waktu", "Jumlah selesai dalam standar waktu", "integer"));
		json_array_append_new(c, num_col("persen_tepat_waktu", "selesai_tepat_waktu / selesai x 100", 1));
		/* a whole number of working days, or ">120" (times of 121 or more
		 * are counted together): not a Table Schema integer */
		json_array_append_new(c, col("median_hari_kerja",
					     "Median lama penyelesaian (hari kerja): bilangan bulat, atau >120 untuk 121 "
					     "hari kerja atau lebih", "string"));
		json_array_append_new(c, col("p90_hari_kerja",
					     "Persentil 90 lama penyelesaian (hari kerja): bilangan bulat, atau >120 untuk "
					     "121 hari kerja atau lebih", "string"));
	} else if (!strcmp(ds->id, "kinerja-kecamatan-bulanan")) {
		json_array_append_new(c, col("bulan", "Bulan (TTTT-BB)", "string"));
		json_array_append_new(c, col("kode_kecamatan", "Kode wilayah Kemendagri kecamatan, - bila tidak diketahui", "string"));
		json_array_append_new(c, col("jenis", "permohonan atau pengaduan", "string"));
		json_array_append_new(c, col("diterima", "Jumlah diterima dalam bulan itu", "integer"));
		json_array_append_new(c, col("selesai", "Jumlah selesai dalam bulan itu", "integer"));
		json_array_append_new(c, col("selesai_tepat_waktu", "Jumlah selesai dalam standar waktu", "integer"));
	} else {
		json_array_append_new(c, col("bulan", "Bulan (TTTT-BB)", "string"));
		json_array_append_new(c, col("kode_opd", "Kode OPD", "string"));
		json_array_append_new(c, col("nama_opd", "Nama OPD", "string"));
		json_array_append_new(c, col("responden", "Jumlah responden", "integer"));
		for (int i = 0; i < PERF_UNSUR; i++) {
			char n[16];
			snprintf(n, sizeof(n), "nrr_u%d", i + 1);
			json_array_append_new(c, num_col(n, perf_unsur_label(i), 3));
		}
		json_array_append_new(c, num_col("ikm", "IKM = 25 x jumlah NRR / 9", 2));
		json_array_append_new(c, col("mutu", "A 88,31-100; B 76,61-88,30; C 65,00-76,60; D 25,00-64,99", "string"));
	}
	return c;
}

static int od_rows(req_t *r, store_conn_t *c, const struct dataset *ds, int32_t asof, json_t *rows)
{
	struct units *u = arena_zalloc(&r->arena, sizeof(*u));
	int y, m, rc;
	if (!u)
		return ERR_NOMEM;
	if ((rc = unit_list(c, r->tenant->code, add_unit_cb, u)) < 0)
		return rc;
	u->unrouted = N_("Belum didisposisikan ke OPD"); /* open data: in Indonesian, as the OPDs' names */
	/* the OD_MONTHS complete months up to the snapshot day: the last one is
	 * the snapshot day's month if that day is its last, else the month before */
	{
		int d;
		cal_civil_from_days(asof, &y, &m, &d);
		if (d != cal_days_in_month(y, m) && --m < 1) {
			m = 12;
			y--;
		}
	}
	m -= OD_MONTHS - 1;
	while (m < 1) {
		m += 12;
		y--;
	}
	for (int i = 0; i < OD_MONTHS; i++) {
		perf_query_t q;
		char month[8];
		memset(&q, 0, sizeof(q));
		q.tenant = r->tenant->code;
		q.from = cal_days_from_civil(y, m, 1);
		q.to = cal_days_from_civil(y, m, cal_days_in_month(y, m));
		q.today = asof + 1;
		snprintf(month, sizeof(month), "%04d-%02d", y, m);
		if (!strcmp(ds->id, "ikm-opd-bulanan")) {
			perf_ikm_report_t rep;
			if ((rc = perf_ikm_report(c, &q, &rep)) < 0)
				return rc;
			for (size_t j = 0; j < rep.nunits; j++) {
				const perf_ikm_t *k = &rep.units[j].k;
				char g[2] = { k->grade, 0 };
				json_t *row;
				if (!k->n)
					continue;
				row = json_pack("[s,s,s,I]", month, rep.units[j].unit, unit_name(u, rep.units[j].unit),
						(json_int_t)k->n);
				for (int x = 0; x < PERF_UNSUR; x++)
					json_array_append_new(row, json_real((double)(int64_t)(k->nrr[x] * 1000 + 0.5) / 1000.0));
				json_array_append_new(row, json_real(k->ikm_x100 / 100.0));
				json_array_append_new(row, json_string(g));
				json_array_append_new(rows, row);
			}
			perf_ikm_report_release(&rep);
		} else {
			perf_dashboard_t d;
			if ((rc = perf_dashboard(c, &q, &d)) < 0)
				return rc;
			if (!strcmp(ds->id, "kinerja-opd-bulanan")) {
				for (size_t j = 0; j < d.nunits; j++)
					for (int k = 1; k <= 2; k++) {
						const perf_counts_t *x = &d.units[j].k[k];
						if (!x->received && !x->finished)
							continue;
						json_array_append_new(
							rows, json_pack("[s,s,s,s,I,I,I,o,o,o]", month, d.units[j].unit,
									unit_name(u, d.units[j].unit),
									k == PERF_APPLICATION ? "permohonan" : "pengaduan",
									(json_int_t)x->received, (json_int_t)x->finished,
									(json_int_t)x->in_sla, pct_json(perf_sla_pct(x)),
									wd_json(perf_hist_percentile(x->hist, 50)),
									wd_json(perf_hist_percentile(x->hist, 90))));
					}
			} else {
				for (size_t j = 0; j < d.nkec; j++)
					for (int k = 1; k <= 2; k++) {
						const perf_kec_row_t *x = &d.kec[j];
						if (!x->received[k] && !x->finished[k])
							continue;
						json_array_append_new(rows, json_pack("[s,s,s,I,I,I]", month, x->kecamatan,
										      k == PERF_APPLICATION ? "permohonan"
													    : "pengaduan",
										      (json_int_t)x->received[k],
										      (json_int_t)x->finished[k],
										      (json_int_t)x->in_sla[k]));
					}
			}
			perf_dashboard_release(&d);
		}
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	return 0;
}

/* The catalogue's links: public-url, else the scheme and host the request
 * came with (checked by req_base_url). */
static void base_url(req_t *r, sb_t *out)
{
	sb_addf(out, "%s/api/v1/t/%s/data-terbuka", req_base_url(r), r->tenant->code);
}

int api_perf_opendata_catalog(req_t *r)
{
	json_t *list = json_array(), *out;
	sb_t base = SB_INIT;
	char modified[CAL_DATE_LEN];
	int32_t asof;
	if (od_asof(r, &asof) < 0) {
		json_decref(list);
		return 0;
	}
	cal_format_date(asof, modified);
	base_url(r, &base);
	for (size_t i = 0; i < sizeof(datasets) / sizeof(datasets[0]); i++) {
		const struct dataset *ds = &datasets[i];
		sb_t id = SB_INIT, csv = SB_INIT, js = SB_INIT, schema = SB_INIT;
		sb_addf(&id, "%s/%s", base.buf, ds->id);
		sb_addf(&csv, "%s/%s.csv", base.buf, ds->id);
		sb_addf(&js, "%s/%s.json", base.buf, ds->id);
		sb_addf(&schema, "%s/%s.schema.json", base.buf, ds->id);
		json_array_append_new(
			list,
			json_pack("{s:s,s:s,s:s,s:s,s:[s,s,s],s:s,s:{s:s},s:{s:s,s:s},s:s,s:s,s:s,s:s,s:[s],s:s,s:s,s:[{s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s}]}",
				  "@type", "dcat:Dataset", "identifier", id.buf, "title", ds->title, "description", ds->desc,
				  "keyword", "pelayanan publik", "kinerja", "IKM", "modified", modified, "publisher", "name",
				  r->tenant->name, "contactPoint", "@type", "vcard:Contact", "fn", r->tenant->name,
				  "accessLevel", "public", "license", "https://creativecommons.org/licenses/by/4.0/",
				  "accrualPeriodicity", "R/P1D", "spatial", r->tenant->code, "language", "id", "describedBy",
				  schema.buf, "describedByType", "application/json", "distribution", "@type",
				  "dcat:Distribution", "downloadURL", csv.buf, "mediaType", "text/csv", "format", "CSV", "@type",
				  "dcat:Distribution", "downloadURL", js.buf, "mediaType", "application/json", "format",
				  "JSON"));
		sb_release(&id);
		sb_release(&csv);
		sb_release(&js);
		sb_release(&schema);
	}
	out = json_pack("{s:s,s:s,s:s,s:o}", "@context", "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
			"@type", "dcat:Catalog", "conformsTo", "https://project-open-data.cio.gov/v1.1/schema", "dataset",
			list);
	sb_release(&base);
	http_add_header(r, "cache-control", "public, max-age=3600");
	send_json(r, out, 1);
	return 0;
}

int api_perf_opendata(req_t *r)
{
	const char *file = req_param(r, "file");
	const struct dataset *ds = NULL;
	store_conn_t *c = store_reader(r->app->store);
	enum { CSV, JSON, SCHEMA } fmt;
	size_t len;
	int32_t asof;
	int rc;
	json_t *rows;
	if (!c)
		return ERR_UNAVAILABLE;
	if (!file)
		return ERR_NOT_FOUND;
	len = strlen(file);
	if (len > 12 && !strcmp(file + len - 12, ".schema.json")) {
		fmt = SCHEMA;
		ds = dataset_find(file, len - 12);
	} else if (len > 5 && !strcmp(file + len - 5, ".json")) {
		fmt = JSON;
		ds = dataset_find(file, len - 5);
	} else if (len > 4 && !strcmp(file + len - 4, ".csv")) {
		fmt = CSV;
		ds = dataset_find(file, len - 4);
	} else {
		return ERR_NOT_FOUND;
	}
	if (!ds)
		return ERR_NOT_FOUND;
	if (fmt == SCHEMA) {
		json_t *fields = json_array(), *cols = od_columns(ds), *cl;
		size_t i;
		json_array_foreach(cols, i, cl)
			json_array_append_new(fields, json_pack("{s:O,s:O,s:O}", "name", json_object_get(cl, "name"), "type",
								json_object_get(cl, "type"), "description",
								json_object_get(cl, "title")));
		json_decref(cols);
		http_add_header(r, "cache-control", "public, max-age=86400");
		/* Table Schema: missingValues is a list of strings; an empty cell is "no value" */
		send_json(r,
			  json_pack("{s:s,s:s,s:s,s:o,s:[s]}", "name", ds->id, "title", ds->title, "description", ds->desc,
				    "fields", fields, "missingValues", ""),
			  1);
		return 0;
	}
	if (od_asof(r, &asof) < 0)
		return 0;
	rows = json_array();
	if ((rc = od_rows(r, c, ds, asof, rows)) < 0) {
		json_decref(rows);
		return rc;
	}
	http_add_header(r, "cache-control", "public, max-age=3600");
	if (fmt == JSON) {
		char d[CAL_DATE_LEN];
		json_t *cols = od_columns(ds), *objs = json_array(), *row;
		size_t i;
		cal_format_date(asof, d);
		json_array_foreach(rows, i, row) {
			json_t *o = json_object(), *cl;
			size_t j;
			json_array_foreach(cols, j, cl)
				json_object_set(o, json_string_value(json_object_get(cl, "name")), json_array_get(row, j));
			json_array_append_new(objs, o);
		}
		json_decref(cols);
		json_decref(rows);
		send_json(r,
			  json_pack("{s:s,s:s,s:s,s:o}", "dataset", ds->id, "tenant", r->tenant->code, "as_of", d, "rows",
				    objs),
			  1);
		return 0;
	}
	{
		sb_t out = SB_INIT;
		json_t *cols = od_columns(ds);
		perf_export_csv(&out, cols, rows, 0, 0);
		json_decref(cols);
		json_decref(rows);
		if (out.err) {
			sb_release(&out);
			return ERR_NOMEM;
		}
		send_validated(r, "text/csv; charset=utf-8; header=present", out.buf, out.len);
		sb_release(&out);
	}
	return 0;
}
