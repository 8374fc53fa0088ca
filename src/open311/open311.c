/*
 * open311.c: the Open311 GeoReport v2 API (see open311.h and
 * docs/complaints.md). Each answer is built once as a jansson value and
 * written either as JSON or, by a small generic writer, as the XML shape of
 * the specification (a list element named in the plural holding elements
 * named in the singular). Errors use the specification's format and status
 * codes: 400 for missing or invalid parameters, 403 for a wrong api_key,
 * 404 for an unknown jurisdiction, service, request or path. Every GET
 * answer, an error too, is public (no key is needed to read): its routes
 * carry ROUTE_OPEN_READ (Access-Control-Allow-Origin: *), so a city
 * dashboard's script on another site may read it. Not POST: a browser page
 * would have to carry its API key to the world.
 */
#include "open311/open311.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "complaints/complaints.h"
#include "complaints/cpl_http.h"
#include "core/err.h"
#include "core/nls.h"
#include "tenants/tenants.h"
#include "core/banned.h"

#define O311_DEFAULT_DAYS 90
#define O311_MAX_REQUESTS 1000
#define O311_CHANGESET "2026-06-01T00:00:00+00:00"

enum fmt { FMT_NONE = 0, FMT_JSON, FMT_XML };

/* "requests.json" -> name "requests", FMT_JSON. */
static enum fmt split_format(req_t *r, const char *file, char **ret_name)
{
	const char *dot = file ? strrchr(file, '.') : NULL;
	*ret_name = NULL;
	if (!dot || dot == file)
		return FMT_NONE;
	*ret_name = arena_strndup(&r->arena, file, (size_t)(dot - file));
	if (!*ret_name)
		return FMT_NONE;
	if (!strcmp(dot, ".json"))
		return FMT_JSON;
	if (!strcmp(dot, ".xml"))
		return FMT_XML;
	return FMT_NONE;
}

/* ------------------------------------------------------------ XML writer */

static const char *singular(const char *plural)
{
	static const char *const map[][2] = {
		{ "services", "service" },   { "service_requests", "request" },
		{ "errors", "error" },       { "service_request_updates", "request_update" },
		{ "endpoints", "endpoint" }, { "formats", "format" },
		{ "attributes", "attribute" }, { "values", "value" },
		{ "keywords", "keyword" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(plural, map[i][0]))
			return map[i][1];
	return "item";
}

/* Text content, escaped, with every character XML 1.0 does not allow (C0
 * controls but tab and line breaks, U+FFFE, U+FFFF) written as U+FFFD:
 * intake refuses them, but one stored before that would otherwise make the
 * whole document unreadable for every client. */
static void xml_text(sb_t *sb, const char *s, size_t len)
{
	size_t start = 0, i = 0;
	while (i < len) {
		const unsigned char *p = (const unsigned char *)s + i;
		size_t bad = 0;
		if (p[0] < 0x20 && p[0] != '\t' && p[0] != '\n' && p[0] != '\r')
			bad = 1;
		else if (p[0] == 0xEF && i + 2 < len && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
			bad = 3;
		if (bad) {
			sb_add_html(sb, s + start, i - start);
			sb_adds(sb, "\xEF\xBF\xBD");
			i += bad;
			start = i;
		} else {
			i++;
		}
	}
	sb_add_html(sb, s + start, len - start);
}

static void xml_value(sb_t *sb, const char *name, json_t *v)
{
	sb_addf(sb, "<%s>", name);
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x)
			xml_value(sb, k, x);
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *x;
		const char *one = singular(name);
		json_array_foreach(v, i, x)
			xml_value(sb, one, x);
		break;
	}
	case JSON_STRING:
		xml_text(sb, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		sb_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		sb_addf(sb, "%.6f", json_real_value(v));
		break;
	case JSON_TRUE:
		sb_adds(sb, "true");
		break;
	case JSON_FALSE:
		sb_adds(sb, "false");
		break;
	case JSON_NULL:
		break;
	}
	sb_addf(sb, "</%s>", name);
}

/* Renders v (stolen) as JSON, or as XML under the root element `root`,
 * into out. ERR_NOMEM. */
static int render_doc(enum fmt f, const char *root, json_t *v, sb_t *out)
{
	if (f == FMT_XML) {
		sb_adds(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
		xml_value(out, root, v);
		json_decref(v);
		return out->err ? ERR_NOMEM : 0;
	}
	{
		char *s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(10));
		json_decref(v);
		if (!s)
			return ERR_NOMEM;
		sb_adds(out, s);
		free(s);
		return out->err ? ERR_NOMEM : 0;
	}
}

static const char *content_type(enum fmt f)
{
	return f == FMT_XML ? "text/xml; charset=utf-8" : "application/json; charset=utf-8";
}

/* Sends v (stolen) as JSON, or as XML under the root element `root`. */
static void send_doc(req_t *r, int status, enum fmt f, const char *root, json_t *v)
{
	sb_t sb = SB_INIT;
	if (render_doc(f, root, v, &sb) < 0) {
		sb_release(&sb);
		http_send(r, 500, "text/plain", "out of memory", 13);
		return;
	}
	http_send(r, status, content_type(f), sb.buf, sb.len);
	sb_release(&sb);
}

/* ------------------------------------------------------------ response cache
 * GET /open311/v2/requests/{id}.{fmt} is the API's hot path. Rendered
 * answers are kept per (origin, jurisdiction, id, format, language) for at
 * most CACHE_TTL_MS, and only while complaints_generation() has not moved
 * (any change to a complaint in this process clears them all). Another
 * instance sharing the database is seen within CACHE_TTL_MS. */
#define CACHE_SLOTS 2048
#define CACHE_LOCKS 64
#define CACHE_TTL_MS 1000
#define CACHE_KEY 160

struct cache_entry {
	char key[CACHE_KEY];
	uint64_t gen;
	int64_t at_ms;
	char *body;
	size_t len;
};

static struct cache_entry cache[CACHE_SLOTS];
static pthread_mutex_t cache_locks[CACHE_LOCKS];
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_init(void)
{
	for (int i = 0; i < CACHE_LOCKS; i++)
		pthread_mutex_init(&cache_locks[i], NULL);
}

static int64_t mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Sends the cached answer for key and returns 1, or returns 0. */
static int cache_send(req_t *r, const char *key, enum fmt f)
{
	uint64_t h = fnv1a(key);
	struct cache_entry *e = &cache[h % CACHE_SLOTS];
	pthread_mutex_t *mu = &cache_locks[h % CACHE_LOCKS];
	sb_t body = SB_INIT;
	int hit = 0;
	pthread_once(&cache_once, cache_init);
	pthread_mutex_lock(mu);
	if (e->body && !strcmp(e->key, key) && e->gen == complaints_generation() &&
	    mono_ms() - e->at_ms < CACHE_TTL_MS) {
		sb_add(&body, e->body, e->len);
		hit = !body.err;
	}
	pthread_mutex_unlock(mu);
	if (hit)
		http_send(r, 200, content_type(f), body.buf, body.len);
	sb_release(&body);
	return hit;
}

static void cache_put(const char *key, uint64_t gen, const char *body, size_t len)
{
	uint64_t h = fnv1a(key);
	struct cache_entry *e = &cache[h % CACHE_SLOTS];
	pthread_mutex_t *mu = &cache_locks[h % CACHE_LOCKS];
	char *copy = malloc(len ? len : 1);
	if (!copy)
		return;
	memcpy(copy, body, len);
	pthread_once(&cache_once, cache_init);
	pthread_mutex_lock(mu);
	free(e->body);
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->gen = gen;
	e->at_ms = mono_ms();
	e->body = copy;
	e->len = len;
	pthread_mutex_unlock(mu);
}

/* The specification's error answer: a list of {code, description}. */
static int o311_error(req_t *r, enum fmt f, int status, const char *msgid, const char *arg)
{
	char desc[512];
	const char *m = req_t_(r, msgid);
	if (arg)
		snprintf(desc, sizeof(desc), "%s: '%.200s'", m, arg);
	else
		snprintf(desc, sizeof(desc), "%s", m);
	send_doc(r, status, f == FMT_NONE ? FMT_JSON : f, "errors",
		 json_pack("[{s:i,s:s}]", "code", status, "description", desc));
	return 0;
}

/* Maps a domain error to the specification's status codes. */
static int o311_fail(req_t *r, enum fmt f, int rc, const char *msgid)
{
	int status = err_http_status(rc);
	http_log_failure(r, rc);
	if (rc == ERR_INVALID || rc == ERR_UNSUPPORTED || rc == ERR_CONFLICT || rc == ERR_EXISTS)
		status = 400;
	if (!msgid)
		msgid = rc == ERR_UNAVAILABLE || rc == ERR_READ_ONLY ? http_error_message(rc)
			: status >= 500				  ? N_("terjadi kesalahan pada server")
								  : N_("permintaan tidak valid");
	return o311_error(r, f, status, msgid, NULL);
}

/* ------------------------------------------------------------ jurisdiction */

struct one_tenant {
	int n;
	tenant_t t;
};

static int count_tenant(void *ud, const tenant_t *t)
{
	struct one_tenant *x = ud;
	if (x->n++ == 0)
		x->t = *t;
	return 0;
}

/* The tenant named by jurisdiction_id (query, or form for POST). Answers
 * the error itself and returns < 0 when there is none. */
static int jurisdiction(req_t *r, enum fmt f, tenant_t *ret)
{
	const char *j = req_query(r, "jurisdiction_id");
	store_conn_t *c = store_reader(r->app->store);
	int rc;
	if (!j || !*j)
		j = req_form(r, "jurisdiction_id");
	if (!c) {
		o311_fail(r, f, ERR_UNAVAILABLE, NULL);
		return ERR_UNAVAILABLE;
	}
	if (!j || !*j) {
		struct one_tenant x;
		memset(&x, 0, sizeof(x));
		rc = tenant_list(c, count_tenant, &x);
		if (rc < 0) {
			o311_fail(r, f, rc == ERR_DB ? ERR_UNAVAILABLE : rc, NULL);
			return rc;
		}
		if (x.n == 1) {
			*ret = x.t;
			if (ret->suspended_at) {
				http_suspended(r);
				return ERR_UNAVAILABLE;
			}
			return 0;
		}
		o311_error(r, f, 400, N_("jurisdiction_id wajib diisi"), NULL);
		return ERR_INVALID;
	}
	rc = tenant_get(c, j, ret);
	if (rc == ERR_NOT_FOUND || (rc == 0 && strlen(j) > 15)) {
		o311_error(r, f, 404, N_("jurisdiction_id tidak ditemukan"), j);
		return ERR_NOT_FOUND;
	}
	if (rc < 0) {
		o311_fail(r, f, rc, NULL);
		return rc;
	}
	if (ret->suspended_at) {
		/* the GeoReport v2 error list (http_error's Open311 shape) */
		http_suspended(r);
		return ERR_UNAVAILABLE;
	}
	return 0;
}

/* ------------------------------------------------------------ discovery */

int o311_discovery(req_t *r)
{
	char *name;
	enum fmt f = split_format(r, req_param(r, "file"), &name);
	const char *origin = cplh_origin(r);
	char url[300];
	json_t *d;
	if (f == FMT_NONE || strcmp(name, "discovery"))
		return o311_error(r, f, 404, N_("alamat tidak dikenal"), NULL);
	snprintf(url, sizeof(url), "%s/open311/v2", origin);
	d = json_pack("{s:s,s:s,s:s,s:[{s:s,s:s,s:s,s:s,s:[s,s]}]}", "changeset", O311_CHANGESET, "contact",
		      req_t_(r, "Admin Koordinator Pengaduan Pemda; lihat /t/{kode}/pengaduan"), "key_service",
		      req_t_(r, "Kunci API dibuat oleh administrator Pemda (sigap apikey create)"), "endpoints", "specification",
		      "http://wiki.open311.org/GeoReport_v2", "url", url, "changeset", O311_CHANGESET, "type",
		      "production", "formats", "text/xml", "application/json");
	send_doc(r, 200, f, "discovery", d);
	return 0;
}

/* ------------------------------------------------------------ services */

struct svc_ctx {
	json_t *arr;
};

static int add_service(void *ud, const complaints_category_t *cat)
{
	struct svc_ctx *x = ud;
	json_array_append_new(x->arr, json_pack("{s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "service_code", cat->code,
						"service_name", cat->name, "description", cat->name, "metadata", 1,
						"type", "realtime", "keywords", cat->code, "group", cat->unit));
	return 0;
}

static int get_services(req_t *r, enum fmt f)
{
	tenant_t t;
	struct svc_ctx x;
	store_conn_t *c;
	int rc;
	if (jurisdiction(r, f, &t) < 0)
		return 0;
	if (!(c = store_reader(r->app->store)))
		return o311_fail(r, f, ERR_UNAVAILABLE, NULL);
	x.arr = json_array();
	rc = complaints_category_list(c, t.code, add_service, &x);
	if (rc < 0) {
		json_decref(x.arr);
		return o311_fail(r, f, rc, NULL);
	}
	send_doc(r, 200, f, "services", x.arr);
	return 0;
}

int o311_service(req_t *r)
{
	char *code;
	enum fmt f = split_format(r, req_param(r, "file"), &code);
	tenant_t t;
	complaints_category_t cat;
	store_conn_t *c;
	int rc;
	json_t *d;
	if (f == FMT_NONE)
		return o311_error(r, f, 404, N_("format harus .json atau .xml"), NULL);
	if (jurisdiction(r, f, &t) < 0)
		return 0;
	if (!(c = store_reader(r->app->store)))
		return o311_fail(r, f, ERR_UNAVAILABLE, NULL);
	rc = complaints_category_get(c, t.code, code, &cat);
	if (rc == ERR_NOT_FOUND)
		return o311_error(r, f, 404, N_("service_code tidak ditemukan"), code);
	if (rc < 0)
		return o311_fail(r, f, rc, NULL);
	d = json_pack("{s:s,s:[{s:b,s:s,s:s,s:b,s:s,s:i,s:s,s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}]}]}", "service_code",
		      cat.code, "attributes", "variable", 1, "code", "kind", "datatype", "singlevaluelist", "required", 0,
		      "datatype_description", req_t_(r, "pengaduan (default), aspirasi atau informasi"), "order", 1, "description",
		      req_t_(r, "Jenis laporan"), "values", "key", "pengaduan", "name", req_t_(r, "Pengaduan"), "key",
		      "aspirasi", "name", req_t_(r, "Aspirasi"), "key", "informasi", "name",
		      req_t_(r, "Permintaan informasi"));
	send_doc(r, 200, f, "service_definition", d);
	return 0;
}

/* ------------------------------------------------------------ requests */

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *time_or_null(int64_t t, int tz)
{
	char buf[32];
	if (!t)
		return json_null();
	cplh_w3c(buf, t, tz);
	return json_string(buf);
}

/* s for the public, with the personal data typed into it (NIK, phone
 * numbers, e-mail addresses) masked: an arena copy ("" if none is left). */
static const char *masked(req_t *r, const char *s)
{
	char *m = s ? arena_strdup(&r->arena, s) : NULL;
	if (!m)
		return "";
	complaints_mask_personal(m);
	return m;
}

/* One request in the specification's shape; personal data never appears,
 * neither the reporter's nor what anyone typed into the texts. */
static json_t *request_json(req_t *r, const complaint_t *cp, int tz)
{
	json_t *o = json_object();
	char id[24], notice[160], media[300];
	const char *notes = NULL;
	snprintf(id, sizeof(id), "%" PRId64, cp->id);
	snprintf(notice, sizeof(notice), "%s %s", req_t_(r, "Nomor pelacakan"), cp->number);
	if (!strcmp(cp->status, "dijawab") || !strcmp(cp->status, "selesai"))
		notes = cp->answer;
	else if (!strcmp(cp->status, "bukan_wewenang"))
		notes = cp->forwarded_to;
	else
		notes = req_t_(r, complaints_status_label(cp->status));
	json_object_set_new(o, "service_request_id", json_string(id));
	json_object_set_new(o, "status", json_string(complaints_open311_status(cp->status)));
	json_object_set_new(o, "status_notes", str_or_null(masked(r, notes)));
	json_object_set_new(o, "service_name", str_or_null(cp->category_name));
	json_object_set_new(o, "service_code", str_or_null(cp->category));
	json_object_set_new(o, "description", json_string(masked(r, cp->description)));
	json_object_set_new(o, "agency_responsible", str_or_null(cp->unit_name[0] ? cp->unit_name : cp->unit));
	json_object_set_new(o, "service_notice", json_string(notice));
	json_object_set_new(o, "requested_datetime", time_or_null(cp->created_at, tz));
	json_object_set_new(o, "updated_datetime", time_or_null(cp->updated_at, tz));
	json_object_set_new(o, "expected_datetime", time_or_null(complaints_expected(cp), tz));
	json_object_set_new(o, "address", str_or_null(cp->address[0] ? masked(r, cp->address) : cp->kelurahan_name));
	json_object_set_new(o, "address_id", str_or_null(cp->kelurahan));
	json_object_set_new(o, "zipcode", json_null());
	json_object_set_new(o, "lat", cp->has_location ? json_real(cp->lat) : json_null());
	json_object_set_new(o, "long", cp->has_location ? json_real(cp->lon) : json_null());
	/* a photo only once the coordinator has looked at it and left it
	 * public (complaints_photos_public): before, the address would answer
	 * 404 to every client anyway */
	if (cp->nphotos > 0 && complaints_photos_public(cp)) {
		snprintf(media, sizeof(media), "%s/t/%s/pengaduan/%" PRId64 "/foto/0", cplh_origin(r), cp->tenant, cp->id);
		json_object_set_new(o, "media_url", json_string(media));
	} else {
		json_object_set_new(o, "media_url", json_null());
	}
	return o;
}

struct list_ctx {
	req_t *r;
	json_t *arr;
	int tz;
};

static int add_request(void *ud, const complaint_t *cp)
{
	struct list_ctx *x = ud;
	json_array_append_new(x->arr, request_json(x->r, cp, x->tz));
	return 0;
}

/* Splits a comma-separated list into up to max arena strings, leaving out
 * empty items; *ret_empty (may be NULL) is set when there was one ("6,,7",
 * "6,"). */
static size_t split_list(req_t *r, const char *s, char **out, size_t max, int *ret_overflow, int *ret_empty)
{
	size_t n = 0;
	*ret_overflow = 0;
	if (ret_empty)
		*ret_empty = 0;
	while (s && *s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		while (len && s[0] == ' ') {
			s++;
			len--;
		}
		while (len && s[len - 1] == ' ')
			len--;
		if (len) {
			if (n == max) {
				*ret_overflow = 1;
				break;
			}
			out[n++] = arena_strndup(&r->arena, s, len);
		} else if (ret_empty) {
			*ret_empty = 1;
		}
		if (comma && !comma[1] && ret_empty)
			*ret_empty = 1; /* a trailing comma */
		s = comma ? comma + 1 : s + strlen(s);
	}
	return n;
}

static int get_requests(req_t *r, enum fmt f)
{
	tenant_t t;
	complaints_filter_t flt;
	struct list_ctx x;
	store_conn_t *c;
	const char *sd = req_query(r, "start_date"), *ed = req_query(r, "end_date");
	const char *ids_s = req_query(r, "service_request_id"), *codes = req_query(r, "service_code");
	const char *status = req_query(r, "status");
	int64_t now = (int64_t)time(NULL), from = 0, to = 0, ids[100];
	char *items[100];
	int overflow, rc, has_from, has_to, hole;
	size_t n;
	if (jurisdiction(r, f, &t) < 0)
		return 0;
	memset(&flt, 0, sizeof(flt));
	flt.tenant = t.code;
	flt.limit = O311_MAX_REQUESTS;
	if (ids_s && *ids_s) {
		/* the specification: with service_request_id, other parameters are ignored */
		n = split_list(r, ids_s, items, 100, &overflow, &hole);
		if (overflow)
			return o311_error(r, f, 400, N_("paling banyak 100 service_request_id sekaligus"), NULL);
		if (hole || !n)
			return o311_error(r, f, 400, N_("service_request_id berisi nomor yang kosong"), ids_s);
		for (size_t i = 0; i < n; i++)
			if (!items[i] || cplh_parse_id(items[i], &ids[i]) < 0)
				return o311_error(r, f, 400, N_("service_request_id tidak sah"), items[i]);
		flt.ids = ids;
		flt.nids = n;
	} else {
		/* whether a date was given, apart from its value: 0 is
		 * 1970-01-01T00:00:00Z, a date like any other */
		has_from = sd && *sd;
		has_to = ed && *ed;
		if (has_from && cplh_parse_w3c(sd, t.tz_offset, &from) < 0)
			return o311_error(r, f, 400, N_("start_date harus berformat W3C, misalnya 2026-06-01T00:00:00+08:00"), sd);
		if (has_to && cplh_parse_w3c(ed, t.tz_offset, &to) < 0)
			return o311_error(r, f, 400, N_("end_date harus berformat W3C, misalnya 2026-06-30T23:59:59+08:00"), ed);
		if (!has_from && !has_to) {
			to = now;
			from = now - O311_DEFAULT_DAYS * 86400;
		} else if (!has_from) {
			from = to - O311_DEFAULT_DAYS * 86400;
		} else if (!has_to) {
			to = from + O311_DEFAULT_DAYS * 86400;
		}
		if (to < from)
			return o311_error(r, f, 400, N_("end_date tidak boleh sebelum start_date"), NULL);
		if (to - from > (int64_t)O311_DEFAULT_DAYS * 86400)
			return o311_error(r, f, 400, N_("rentang start_date sampai end_date paling lama 90 hari"), NULL);
		flt.from = from;
		flt.to = to;
		flt.has_from = flt.has_to = 1; /* both bounds always apply */
		if (codes && *codes) {
			n = split_list(r, codes, items, 16, &overflow, NULL);
			if (overflow)
				return o311_error(r, f, 400, N_("paling banyak 16 service_code sekaligus"), NULL);
			flt.category = codes;
		}
		if (status && *status) {
			int open = 0, closed = 0;
			n = split_list(r, status, items, 4, &overflow, NULL);
			for (size_t i = 0; i < n; i++) {
				if (items[i] && !strcmp(items[i], "open"))
					open = 1;
				else if (items[i] && !strcmp(items[i], "closed"))
					closed = 1;
				else
					return o311_error(r, f, 400, N_("status harus open atau closed"), items[i]);
			}
			if (open != closed)
				flt.status = open ? "open" : "closed";
		}
	}
	if (!(c = store_reader(r->app->store)))
		return o311_fail(r, f, ERR_UNAVAILABLE, NULL);
	x.r = r;
	x.arr = json_array();
	x.tz = t.tz_offset;
	rc = complaints_list(c, &flt, add_request, &x);
	if (rc < 0) {
		json_decref(x.arr);
		return o311_fail(r, f, rc, NULL);
	}
	send_doc(r, 200, f, "service_requests", x.arr);
	return 0;
}

int o311_request(req_t *r)
{
	char *idstr;
	enum fmt f = split_format(r, req_param(r, "file"), &idstr);
	const char *jid = req_query(r, "jurisdiction_id");
	char key[CACHE_KEY];
	uint64_t gen;
	tenant_t t;
	int64_t id;
	store_conn_t *c;
	complaint_t *cp;
	sb_t body = SB_INIT;
	int rc, cacheable;
	if (f == FMT_NONE)
		return o311_error(r, f, 404, N_("format harus .json atau .xml"), NULL);
	/* the key holds everything the answer depends on */
	cacheable = jid && *jid && strlen(jid) < 16 && strlen(idstr) < 20 &&
		    (size_t)snprintf(key, sizeof(key), "%s|%s|%s|%d|%s", cplh_origin(r), jid, idstr, (int)f, r->lang) <
			    sizeof(key);
	if (cacheable && cache_send(r, key, f))
		return 0;
	gen = complaints_generation();
	if (jurisdiction(r, f, &t) < 0)
		return 0;
	if (cplh_parse_id(idstr, &id) < 0)
		return o311_error(r, f, 404, N_("service_request_id tidak ditemukan"), idstr);
	if (!(c = store_reader(r->app->store)))
		return o311_fail(r, f, ERR_UNAVAILABLE, NULL);
	cp = arena_alloc(&r->arena, sizeof(*cp));
	if (!cp)
		return o311_fail(r, f, ERR_NOMEM, NULL);
	rc = complaints_get(c, t.code, id, cp);
	if (rc == 0 && !strcmp(cp->status, "arsip"))
		rc = ERR_NOT_FOUND; /* spam is not public */
	if (rc == ERR_NOT_FOUND)
		return o311_error(r, f, 404, N_("service_request_id tidak ditemukan"), idstr);
	if (rc < 0)
		return o311_fail(r, f, rc, NULL);
	if (render_doc(f, "service_requests", json_pack("[o]", request_json(r, cp, t.tz_offset)), &body) < 0) {
		sb_release(&body);
		return o311_fail(r, f, ERR_NOMEM, NULL);
	}
	if (cacheable)
		cache_put(key, gen, body.buf, body.len);
	http_send(r, 200, content_type(f), body.buf, body.len);
	sb_release(&body);
	return 0;
}

int o311_token(req_t *r)
{
	char *tok;
	enum fmt f = split_format(r, req_param(r, "file"), &tok);
	tenant_t t;
	int64_t id;
	store_conn_t *c;
	complaint_t *cp;
	int rc;
	if (f == FMT_NONE)
		return o311_error(r, f, 404, N_("format harus .json atau .xml"), NULL);
	if (jurisdiction(r, f, &t) < 0)
		return 0;
	/* sigap answers POST with the id at once; a token is that id */
	if (cplh_parse_id(tok, &id) < 0)
		return o311_error(r, f, 404, N_("token tidak ditemukan"), tok);
	if (!(c = store_reader(r->app->store)))
		return o311_fail(r, f, ERR_UNAVAILABLE, NULL);
	cp = arena_alloc(&r->arena, sizeof(*cp));
	if (!cp)
		return o311_fail(r, f, ERR_NOMEM, NULL);
	rc = complaints_get(c, t.code, id, cp);
	if (rc == 0 && !strcmp(cp->status, "arsip"))
		rc = ERR_NOT_FOUND; /* spam is not public: its token does not exist either */
	if (rc == ERR_NOT_FOUND)
		return o311_error(r, f, 404, N_("token tidak ditemukan"), tok);
	if (rc < 0)
		return o311_fail(r, f, rc, NULL);
	send_doc(r, 200, f, "service_requests", json_pack("[{s:s,s:s}]", "service_request_id", tok, "token", tok));
	return 0;
}

/* ------------------------------------------------------------ updates (FixMyStreet) */

struct upd_ctx {
	req_t *r;
	json_t *arr;
	int tz;
};

static int add_update(void *ud, const complaints_event_t *e)
{
	struct upd_ctx *x = ud;
	char id[24], rid[24], when[32];
	size_t n = strlen(e->note) + 1;
	char *note = arena_alloc(&x->r->arena, n);
	if (!note)
		return ERR_NOMEM;
	/* no routing internals, no personal data */
	complaints_public_note(e, note, n);
	snprintf(id, sizeof(id), "%" PRId64, e->id);
	snprintf(rid, sizeof(rid), "%" PRId64, e->complaint_id);
	cplh_w3c(when, e->ts, x->tz);
	json_array_append_new(x->arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:n}", "update_id", id, "service_request_id", rid,
						"status", complaints_fms_status(e->status), "updated_datetime", when,
						"description", note[0] ? note : req_t_(x->r, complaints_status_label(e->status)),
						"media_url"));
	return 0;
}

static int get_updates(req_t *r, enum fmt f)
{
	tenant_t t;
	const char *sd = req_query(r, "start_date"), *ed = req_query(r, "end_date");
	int64_t now = (int64_t)time(NULL), from = 0, to = 0;
	int has_from = sd && *sd, has_to = ed && *ed;
	struct upd_ctx x;
	store_conn_t *c;
	int rc;
	if (jurisdiction(r, f, &t) < 0)
		return 0;
	/* given or not is the parameter's presence, never its value (0 is
	 * 1970-01-01T00:00:00Z) */
	if (has_from && cplh_parse_w3c(sd, t.tz_offset, &from) < 0)
		return o311_error(r, f, 400, N_("start_date harus berformat W3C, misalnya 2026-06-01T00:00:00+08:00"), sd);
	if (has_to && cplh_parse_w3c(ed, t.tz_offset, &to) < 0)
		return o311_error(r, f, 400, N_("end_date harus berformat W3C, misalnya 2026-06-30T23:59:59+08:00"), ed);
	if (!has_to)
		to = now;
	if (!has_from)
		from = to - O311_DEFAULT_DAYS * 86400;
	if (to < from)
		return o311_error(r, f, 400, N_("end_date tidak boleh sebelum start_date"), NULL);
	if (!(c = store_reader(r->app->store)))
		return o311_fail(r, f, ERR_UNAVAILABLE, NULL);
	x.r = r;
	x.arr = json_array();
	x.tz = t.tz_offset;
	rc = complaints_events(c, t.code, 0, from, to, 1, O311_MAX_REQUESTS, add_update, &x);
	if (rc < 0) {
		json_decref(x.arr);
		return o311_fail(r, f, rc, NULL);
	}
	send_doc(r, 200, f, "service_request_updates", x.arr);
	return 0;
}

int o311_get(req_t *r)
{
	char *name;
	enum fmt f = split_format(r, req_param(r, "file"), &name);
	if (f == FMT_NONE)
		return o311_error(r, f, 404, N_("alamat tidak dikenal; format harus .json atau .xml"), NULL);
	if (!strcmp(name, "services"))
		return get_services(r, f);
	if (!strcmp(name, "requests"))
		return get_requests(r, f);
	if (!strcmp(name, "servicerequestupdates"))
		return get_updates(r, f);
	return o311_error(r, f, 404, N_("alamat tidak dikenal"), NULL);
}

/* ------------------------------------------------------------ POST requests */

struct post_op {
	complaint_new_t in;
	tenant_t tenant; /* read by jurisdiction(); in.tenant_row points here */
	complaints_category_t cat; /* service_code's category; in.category_row points here */
	complaint_prep_t prep; /* the reads, done before the write */
	complaint_created_t out;
	const char *msgid;
	enum fmt f;
	int tz;
	complaints_limit_t limit; /* the key's (max 0: none) */
	long retry_after;         /* when the count refused it */
	once_t once;              /* the request's Idempotency-Key, when keyed */
	int keyed;
};

static int post_tx(store_conn_t *c, void *ud)
{
	struct post_op *op = ud;
	return cplh_file_tx(c, &op->in, &op->prep, &op->out, &op->msgid, &op->limit, &op->retry_after, &op->once,
			    op->keyed);
}

/* 429 with Retry-After, in the specification's error format: the key has
 * filed its complaints of this minute. */
static int o311_limited(req_t *r, enum fmt f, const complaints_limit_t *l, long retry_after)
{
	char desc[300];
	http_retry_after(r, retry_after);
	snprintf(desc, sizeof(desc),
		 req_t_(r, N_("terlalu banyak laporan: api_key ini boleh %d laporan per menit; coba lagi dalam %ld detik")),
		 l->max, retry_after > 0 ? retry_after : 1);
	send_doc(r, 429, f == FMT_NONE ? FMT_JSON : f, "errors", json_pack("[{s:i,s:s}]", "code", 429, "description", desc));
	return 0;
}

/* The answer to a new request: its id, and a notice with the tracking
 * number, the expected answer time and the reporter code. */
static int post_answer(req_t *r, enum fmt f, int tz, const char *tenant, int64_t cid, const char *number,
		       int64_t expected, const char *reporter_key)
{
	char id[24], notice[512], due[32], key[CPL_KEY_SIZE];
	size_t n;
	snprintf(id, sizeof(id), "%" PRId64, cid);
	if (expected) {
		cplh_w3c(due, expected, tz);
		snprintf(notice, sizeof(notice), "%s %s; %s %s", req_t_(r, "Nomor pelacakan"), number,
			 req_t_(r, "jawaban diharapkan paling lambat"), due);
	} else {
		snprintf(notice, sizeof(notice), "%s %s", req_t_(r, "Nomor pelacakan"), number);
	}
	/* the reporter code, for the client to hand to the citizen (this
	 * answer only: no GET shows it) */
	complaints_key_format(reporter_key, key);
	n = strlen(notice);
	if (key[0])
		snprintf(notice + n, sizeof(notice) - n, "; %s %s (/t/%s/pengaduan/%s)",
			 req_t_(r, "kode pelapor untuk membalas dan menilai"), key, tenant, id);
	send_doc(r, 200, f, "service_requests",
		 json_pack("[{s:s,s:s,s:n}]", "service_request_id", id, "service_notice", notice, "account_id"));
	return 0;
}

/* The answer to a request whose Idempotency-Key filed a complaint already
 * (draft-ietf-httpapi-idempotency-key-header): the same request again gets
 * the first one's answer, its service_request_id, tracking number and
 * reporter code; another request under the same key gets 422. */
static int post_again(req_t *r, enum fmt f, int tz, const char *tenant, const once_found_t *found)
{
	char key[CPL_KEY_SIZE], number[48];
	int64_t expected;
	if (!found->same)
		return o311_error(r, f, 422,
				  N_("Idempotency-Key ini sudah dipakai untuk permintaan lain yang isinya berbeda; laporan baru memerlukan kunci baru"),
				  NULL);
	if (cplh_once_parse(found->data, key, &expected, number) < 0)
		return o311_fail(r, f, ERR_DB, NULL);
	return post_answer(r, f, tz, tenant, found->ref_id, number, expected, key);
}

static int post_done(req_t *r, int rc, void *ud)
{
	struct post_op *op = ud;
	complaints_touch();
	if ((rc == ERR_EXISTS || rc == ERR_RATE_LIMITED) && op->keyed) {
		/* a copy of this request at the same moment (in this group
		 * commit, or on another instance; at the limit, its count
		 * refuses this one before the key does) was filed: its answer */
		once_found_t found;
		int frc = once_find(store_reader(r->app->store), &op->once, &found);
		if (frc == 0)
			return post_again(r, op->f, op->tz, op->in.tenant, &found);
		if (frc != ERR_NOT_FOUND)
			return o311_fail(r, op->f, frc, NULL);
	}
	if (rc == ERR_RATE_LIMITED)
		return o311_limited(r, op->f, &op->limit, op->retry_after);
	if (rc < 0)
		return o311_fail(r, op->f, rc, op->msgid);
	return post_answer(r, op->f, op->tz, op->in.tenant, op->out.id, op->out.number, op->out.expected,
			   op->out.reporter_key);
}

/* The Idempotency-Key header's key (RFC 8941 sf-string: "..."; a bare
 * token is taken too): 1..255 printable ASCII characters, no quote or
 * backslash. NULL when it is not one. */
static const char *idempotency_key(req_t *r, const char *h)
{
	size_t n = strlen(h);
	if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
		h++;
		n -= 2;
	}
	if (!n || n > 255)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (h[i] < 0x20 || h[i] > 0x7e || h[i] == '"' || h[i] == '\\')
			return NULL;
	return arena_strndup(&r->arena, h, n);
}

/* The API key as the client sent it (the form's api_key, else the
 * Authorization or X-API-Key header): an Idempotency-Key is the client's,
 * so it is bound to the key itself, which the database does not hold (a
 * reporter code kept under a guessable Idempotency-Key stays sealed to
 * anyone who reads it). */
static const char *raw_api_key(req_t *r)
{
	const char *k = req_form(r, "api_key"), *auth;
	if (k && *k)
		return k;
	if ((auth = req_header(r, "authorization")) && !strncasecmp(auth, "bearer ", 7))
		return auth + 7;
	k = req_header(r, "x-api-key");
	return k ? k : "";
}

/* An arena copy of s without the spaces around it (NULL stays NULL). */
static const char *trim(req_t *r, const char *s)
{
	size_t n;
	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return arena_strndup(&r->arena, s, n);
}

int o311_post(req_t *r)
{
	char *name;
	enum fmt f = split_format(r, req_param(r, "file"), &name);
	struct post_op *op;
	mp_part_t *files;
	size_t nfiles, nform = r->form.n;
	tenant_t t;
	auth_principal_t who;
	const char *key, *code, *desc, *lat, *lon, *kind, *first, *last, *ct, *auth, *idem, *msgid = NULL;
	complaints_category_t cat;
	complaints_limit_t limit;
	store_conn_t *c;
	int64_t now = (int64_t)time(NULL);
	long retry_after = 0;
	int rc;
	once_t *once = NULL;

	if (f == FMT_NONE || strcmp(name, "requests"))
		return o311_error(r, f, 404, N_("alamat tidak dikenal"), NULL);
	/* the fields come as a form, never as JSON or text: say so rather
	 * than that the first field is missing */
	ct = req_header(r, "content-type");
	if (ct ? !content_type_is(ct, strlen(ct), "application/x-www-form-urlencoded") &&
			 !content_type_is(ct, strlen(ct), "multipart/form-data")
	       : r->body_len > 0)
		return o311_error(r, f, 415,
				  N_("isi permintaan harus application/x-www-form-urlencoded atau multipart/form-data"), NULL);
	rc = cplh_read_form(r, &files, &nfiles);
	if (rc < 0)
		return o311_error(r, f, rc == ERR_TOO_LARGE ? 413 : 400, N_("isi permintaan tidak dapat dibaca"), NULL);
	if (jurisdiction(r, f, &t) < 0)
		return 0;
	/* api_key: the form field, or the Authorization / X-API-Key header */
	key = req_form(r, "api_key");
	if (key && *key) {
		/* a database that cannot be asked is a 503 (retried once on a
		 * fresh connection, as identify() does), never "not valid" */
		rc = strlen(key) > 200 ? ERR_UNAUTHORIZED : auth_apikey_lookup(r->app->store, key, &who);
		if (rc == ERR_UNAVAILABLE || rc == ERR_DB)
			rc = auth_apikey_lookup(r->app->store, key, &who);
		if (rc == ERR_UNAUTHORIZED || rc == ERR_NOT_FOUND)
			return o311_error(r, f, 403, N_("api_key tidak valid"), NULL);
		if (rc < 0)
			return o311_fail(r, f, rc == ERR_DB ? ERR_UNAVAILABLE : rc, NULL);
	} else if (r->who.kind == AUTH_APIKEY) {
		who = r->who;
	} else if (req_header(r, "x-api-key") ||
		   ((auth = req_header(r, "authorization")) && strlen(auth) > 7 && !strncasecmp(auth, "bearer ", 7))) {
		/* a key came in a header, and did not check out (unknown or revoked) */
		return o311_error(r, f, 403, N_("api_key tidak valid"), NULL);
	} else {
		return o311_error(r, f, 403, N_("api_key wajib untuk membuat laporan"), NULL);
	}
	if (strcmp(who.tenant, t.code))
		return o311_error(r, f, 403, N_("api_key tidak berlaku untuk jurisdiction_id ini"), NULL);
	/* Idempotency-Key: the same request again is answered as the first
	 * time, before anything is read, stored or counted against the key's
	 * limit. Without the header nothing of this runs. */
	if ((idem = req_header(r, "idempotency-key"))) {
		once_found_t found;
		const char *ik = idempotency_key(r, idem);
		if (!ik)
			return o311_error(r, f, 400,
					  N_("Idempotency-Key tidak sah: harus 1 sampai 255 karakter ASCII cetak, tanpa tanda kutip ganda atau garis miring terbalik di dalamnya"),
					  NULL);
		if (!(once = arena_alloc(&r->arena, sizeof(*once))) || once_init(once, "open311", t.code, raw_api_key(r), ik) < 0)
			return o311_fail(r, f, ERR_NOMEM, NULL);
		/* the request's fields (the api_key apart: it is the binding) and
		 * its photos; the plain fields as the server read them, before
		 * cplh_read_form() added a multipart body's once more */
		for (size_t i = 0; i < nform; i++)
			if (strcmp(r->form.items[i].key, "api_key"))
				once_fp_add(once, r->form.items[i].key, r->form.items[i].val, r->form.items[i].val_len);
		for (size_t i = 0; i < nfiles; i++)
			once_fp_add(once, files[i].name ? files[i].name : "", files[i].data, files[i].len);
		rc = once_find(store_reader(r->app->store), once, &found);
		if (rc == 0)
			return post_again(r, f, t.tz_offset, t.code, &found);
		if (rc != ERR_NOT_FOUND)
			return o311_fail(r, f, rc, NULL);
	}
	/* the key's limit per minute: its own, or the server's default; a key
	 * without one (0) costs nothing here nor in the transaction */
	memset(&limit, 0, sizeof(limit));
	limit.max = who.apikey_rate >= 0 ? who.apikey_rate : r->app->cfg.complaint_limit_apikey;
	limit.window = 60;
	snprintf(limit.subject, sizeof(limit.subject), "key:%" PRId64, who.apikey_id);
	if (limit.max > 0) {
		rc = complaints_limit_check(store_reader(r->app->store), t.code, &limit, now, &retry_after);
		if (rc == ERR_RATE_LIMITED)
			return o311_limited(r, f, &limit, retry_after);
		if (rc < 0)
			return o311_fail(r, f, rc, NULL);
	}

	code = req_form(r, "service_code");
	if (!code || !*code)
		return o311_error(r, f, 400, N_("service_code wajib diisi"), NULL);
	if (!(c = store_reader(r->app->store)))
		return o311_fail(r, f, ERR_UNAVAILABLE, NULL);
	rc = complaints_category_get(c, t.code, code, &cat);
	if (rc == ERR_NOT_FOUND)
		return o311_error(r, f, 404, N_("service_code tidak ditemukan"), code);
	if (rc < 0)
		return o311_fail(r, f, rc, NULL);

	op = arena_zalloc(&r->arena, sizeof(*op));
	if (!op)
		return o311_fail(r, f, ERR_NOMEM, NULL);
	op->f = f;
	op->tz = t.tz_offset;
	op->limit = limit;
	if (once) {
		op->once = *once;
		op->keyed = 1;
	}
	op->in.tenant = arena_strdup(&r->arena, t.code);
	op->tenant = t;
	op->in.tenant_row = &op->tenant;
	op->cat = cat;
	op->in.category_row = &op->cat;
	op->in.category = code;
	kind = req_form(r, "attribute[kind]");
	op->in.kind = kind && *kind ? kind : "pengaduan";
	desc = req_form(r, "description");
	if (!desc || !*desc)
		return o311_error(r, f, 400, N_("description wajib diisi"), NULL);
	op->in.description = desc;
	lat = req_form(r, "lat");
	lon = req_form(r, "long");
	if ((lat && *lat) || (lon && *lon)) {
		if (cplh_parse_decimal(lat, &op->in.lat) < 0 || cplh_parse_decimal(lon, &op->in.lon) < 0)
			return o311_error(r, f, 400, N_("lat dan long harus angka desimal, keduanya"), NULL);
		op->in.has_location = 1;
	}
	op->in.address = req_form(r, "address_string");
	op->in.kelurahan = req_form(r, "address_id");
	if (op->in.address && !op->in.address[strspn(op->in.address, " \t\r\n")])
		op->in.address = NULL; /* spaces only: no address */
	if (!op->in.has_location && !op->in.address && !(op->in.kelurahan && *op->in.kelurahan))
		return o311_error(r, f, 400, N_("lokasi wajib: lat dan long, address_string atau address_id"), NULL);
	first = req_form(r, "first_name");
	last = req_form(r, "last_name");
	{
		sb_t nm = SB_INIT;
		if (first && *first)
			sb_adds(&nm, first);
		if (last && *last) {
			if (nm.len)
				sb_addch(&nm, ' ');
			sb_adds(&nm, last);
		}
		op->in.reporter_name = arena_strdup(&r->arena, nm.buf);
		sb_release(&nm);
	}
	/* never published, each checked on its own, without the spaces
	 * around it: email an e-mail address (the answer is sent there),
	 * phone an Indonesian phone number (complaints_email_check,
	 * complaints_phone_check) */
	op->in.reporter_email = trim(r, req_form(r, "email"));
	if (op->in.reporter_email && !*op->in.reporter_email)
		op->in.reporter_email = NULL;
	op->in.reporter_phone = trim(r, req_form(r, "phone"));
	if (op->in.reporter_phone && !*op->in.reporter_phone)
		op->in.reporter_phone = NULL;
	op->in.identity = op->in.reporter_name && *op->in.reporter_name ? "terbuka" : "anonim";
	op->in.source = "open311";
	op->in.lang = r->lang; /* from Accept-Language: the e-mail to the reporter */
	op->in.actor = arena_strdup(&r->arena, who.username);
	op->in.now = now;
	rc = complaints_prepare(c, &op->in, &op->prep, &msgid);
	if (rc < 0)
		return o311_fail(r, f, rc, msgid);
	rc = cplh_store_photos(r, files, nfiles, &op->in, &msgid);
	/* the file store cannot be written (a full disk): 503 with Retry-After */
	if (rc == ERR_UNAVAILABLE || rc == ERR_NOMEM)
		return o311_fail(r, f, rc, rc == ERR_UNAVAILABLE ? N_("foto tidak dapat disimpan saat ini; coba lagi sebentar lagi") : NULL);
	if (rc < 0)
		return o311_error(r, f, rc == ERR_TOO_LARGE ? 413 : 400, msgid ? msgid : N_("foto tidak sah"), NULL);
	return http_write(r, post_tx, op, post_done);
}
