/*
 * webhook.c: outgoing event notifications (webhook.h, docs/webhooks.md).
 *
 * Nothing is queued when something happens: the audit log is the queue.
 * Each endpoint keeps a cursor (the last sequence number of its tenant's
 * chain it has delivered, or passed by as not for it), and the periodic job
 * reads the entries after it, keeps those of the allowlist and the
 * endpoint's groups, and POSTs them. The cursor moves only after a 2xx, in
 * the same row as the endpoint's lease, so an instance that dies mid-way
 * leaves the batch to be sent again (at least once), never skipped.
 */
#include "platform/webhook.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "audit/audit.h"
#include "core/calendar.h"
#include "core/err.h"
#include "core/log.h"
#include "core/nls.h"
#include "platform/platform.h"
#include "tenants/tenants.h"
#include "core/banned.h"

/* Migration 35: the endpoints. kinds: the groups (a bit mask of
 * WEBHOOK_*); secret: the shared signing secret, which must be kept to sign
 * (shown once to the administrator, never again, never logged);
 * cursor_seq: the last audit sequence delivered or passed by; next_at,
 * attempts, lease_until: the retry schedule and the lease of the instance
 * delivering; failing_since: the first failure since the last success,
 * failed_at: when a day of failures marked it failing; last_*: the last
 * attempt, for the admin page. */
const char migration_webhooks_sql[] =
	"CREATE TABLE webhooks ("
	"  id {ID},"
	"  tenant TEXT NOT NULL REFERENCES tenants (code),"
	"  url TEXT NOT NULL,"
	"  kinds BIGINT NOT NULL,"
	"  secret TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  version BIGINT NOT NULL DEFAULT 1,"
	"  cursor_seq BIGINT NOT NULL DEFAULT 0,"
	"  next_at BIGINT NOT NULL DEFAULT 0,"
	"  attempts BIGINT NOT NULL DEFAULT 0,"
	"  lease_until BIGINT NOT NULL DEFAULT 0,"
	"  failing_since BIGINT,"
	"  failed_at BIGINT,"
	"  last_at BIGINT,"
	"  last_status BIGINT,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  last_ok_at BIGINT);"
	"CREATE INDEX webhooks_tenant ON webhooks (tenant, id);"
	"CREATE INDEX webhooks_due ON webhooks (next_at)";

#define LEASE 300          /* seconds an instance holds an endpoint it delivers to */
#define SCAN 1000          /* audit entries read per statement */
#define BATCHES_PER_RUN 10 /* an endpoint's batches in one run (a backlog drains over runs) */
#define RUN_BUDGET 60      /* seconds after which a run starts no new delivery */
#define DUE_MAX 50         /* endpoints looked at per run */
/* after the n-th failure in a row; the last repeats */
static const int64_t backoff[] = { 60, 300, 1800, 7200, 21600 };
#define NBACKOFF ((int)(sizeof(backoff) / sizeof(backoff[0])))

static struct {
	int allow_private, allow_http, curl_ready;
	char public_url[256];
} conf;

void webhook_configure(const webhook_config_t *cfg)
{
	/* libcurl counts its global set-ups: this one is ours, next to mail's */
	if (cfg && !conf.curl_ready)
		conf.curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
	else if (!cfg && conf.curl_ready) {
		curl_global_cleanup();
		conf.curl_ready = 0;
	}
	conf.allow_private = cfg ? cfg->allow_private : 0;
	conf.allow_http = cfg ? cfg->allow_http : 0;
	snprintf(conf.public_url, sizeof(conf.public_url), "%s", cfg && cfg->public_url ? cfg->public_url : "");
	for (size_t n = strlen(conf.public_url); n && conf.public_url[n - 1] == '/'; n--)
		conf.public_url[n - 1] = '\0';
}

/* ---------------------------------------------------------------- events */

/* The allowlist: what other systems need to know changed. Not here on
 * purpose: complaints.settings / .category (configuration), services.create
 * / .update (the catalogue), services.note (may be an internal note),
 * governance.refused (a refused attempt, nothing changed), governance.key_*
 * (signing keys), and everything of auth, user, apikey, tenant, holiday,
 * region and webhook. */
static const struct {
	const char *action;
	int group;
} allowed[] = {
	{ "complaints.create", WEBHOOK_COMPLAINTS },	  { "complaints.verifikasi", WEBHOOK_COMPLAINTS },
	{ "complaints.tunda", WEBHOOK_COMPLAINTS },	  { "complaints.bukan_wewenang", WEBHOOK_COMPLAINTS },
	{ "complaints.arsipkan", WEBHOOK_COMPLAINTS },	  { "complaints.gabung", WEBHOOK_COMPLAINTS },
	{ "complaints.jawab", WEBHOOK_COMPLAINTS },	  { "complaints.balas", WEBHOOK_COMPLAINTS },
	{ "complaints.nilai", WEBHOOK_COMPLAINTS },	  { "complaints.buka_kembali", WEBHOOK_COMPLAINTS },
	{ "complaints.kembalikan", WEBHOOK_COMPLAINTS },
	/* a receiver that copied the photos (through Open311's media_url)
	 * hears that they were hidden, to drop its copy */
	{ "complaints.sembunyikan_foto", WEBHOOK_COMPLAINTS }, { "complaints.tampilkan_foto", WEBHOOK_COMPLAINTS },
	{ "complaints.escalate", WEBHOOK_COMPLAINTS },	  { "services.apply", WEBHOOK_SERVICES },
	{ "services.advance", WEBHOOK_SERVICES },	  { "services.return", WEBHOOK_SERVICES },
	{ "services.reject", WEBHOOK_SERVICES },	  { "services.resubmit", WEBHOOK_SERVICES },
	{ "services.cancel", WEBHOOK_SERVICES },	  { "services.assign", WEBHOOK_SERVICES },
	{ "services.transfer", WEBHOOK_SERVICES },	  { "services.result", WEBHOOK_SERVICES },
	{ "services.escalate", WEBHOOK_SERVICES },	  { "services.sla_pause", WEBHOOK_SERVICES },
	{ "services.sla_resume", WEBHOOK_SERVICES },	  { "governance.create", WEBHOOK_GOVERNANCE },
	{ "governance.pokir", WEBHOOK_GOVERNANCE },	  { "governance.edit", WEBHOOK_GOVERNANCE },
	{ "governance.attach", WEBHOOK_GOVERNANCE },	  { "governance.step", WEBHOOK_GOVERNANCE },
	{ "governance.decide", WEBHOOK_GOVERNANCE },	  { "governance.dprd", WEBHOOK_GOVERNANCE },
	{ "governance.dprd_correct", WEBHOOK_GOVERNANCE }, { "governance.perda_enact", WEBHOOK_GOVERNANCE },
	{ "governance.perda_promulgate", WEBHOOK_GOVERNANCE },
};

/* the object kind of each group, in bit order */
static const char *const group_object[] = { "complaint:", "application:", "proposal:" };
static const char *const group_names[] = { "pengaduan", "layanan", "usulan" };

const char *webhook_group_name(int bit)
{
	for (int i = 0; i < 3; i++)
		if (bit == 1 << i)
			return group_names[i];
	return NULL;
}

int webhook_event_group(const char *action, const char *object)
{
	if (!action || !object)
		return 0;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		int g = allowed[i].group, k = g == WEBHOOK_COMPLAINTS ? 0 : g == WEBHOOK_SERVICES ? 1 : 2;
		size_t pl = strlen(group_object[k]);
		if (strcmp(action, allowed[i].action))
			continue;
		/* the object must be of the group's kind, with a numeric id:
		 * never a username or a setting's name */
		if (strncmp(object, group_object[k], pl) || !object[pl] ||
		    strspn(object + pl, "0123456789") != strlen(object + pl))
			return 0;
		return g;
	}
	return 0;
}

json_t *webhook_event_json(const webhook_event_t *ev, int tz_offset)
{
	char id[64], when[CAL_INSTANT_LEN], path[200], url[512];
	json_t *o;
	snprintf(id, sizeof(id), "%s-%" PRId64, ev->tenant, ev->seq);
	cal_format_instant(ev->ts, tz_offset, when);
	o = json_pack("{s:s,s:s,s:I,s:s,s:s,s:s}", "id", id, "tenant", ev->tenant, "seq", (json_int_t)ev->seq, "time",
		      when, "event", ev->action, "object", ev->object);
	if (o && conf.public_url[0] && notify_object_path(ev->tenant, ev->object, path, sizeof(path))) {
		snprintf(url, sizeof(url), "%s%s", conf.public_url, path);
		json_object_set_new(o, "url", json_string(url));
	}
	return o;
}

void webhook_sign(const char *secret, int64_t timestamp, const char *body, size_t len, char out[72])
{
	crypto_auth_hmacsha256_state h;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[32];
	int n = snprintf(ts, sizeof(ts), "%" PRId64 ".", timestamp);
	crypto_auth_hmacsha256_init(&h, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)ts, (unsigned long long)n);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&h, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 65, mac, sizeof(mac));
	sodium_memzero(&h, sizeof(h));
}

void webhook_secret_new(char out[WEBHOOK_SECRET_LEN])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "whsec_", 6);
	sodium_bin2hex(out + 6, WEBHOOK_SECRET_LEN - 6, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

/* ---------------------------------------------------------------- addresses */

static int in_v4(uint32_t a, uint32_t net, int bits)
{
	uint32_t mask = bits ? 0xffffffffu << (32 - bits) : 0;
	return (a & mask) == (net & mask);
}

static int v4_public(const unsigned char *b)
{
	static const struct {
		uint32_t net;
		int bits;
	} blocked[] = {
		{ 0x00000000, 8 },  /* "this" network */
		{ 0x0a000000, 8 },  /* RFC 1918 */
		{ 0x64400000, 10 }, /* CGNAT, RFC 6598 */
		{ 0x7f000000, 8 },  /* loopback */
		{ 0xa9fe0000, 16 }, /* link-local (cloud metadata at 169.254.169.254) */
		{ 0xac100000, 12 }, /* RFC 1918 */
		{ 0xc0000000, 24 }, /* IETF protocol assignments */
		{ 0xc0000200, 24 }, /* TEST-NET-1 */
		{ 0xc0586300, 24 }, /* 6to4 relay anycast */
		{ 0xc0a80000, 16 }, /* RFC 1918 */
		{ 0xc6120000, 15 }, /* benchmarking */
		{ 0xc6336400, 24 }, /* TEST-NET-2 */
		{ 0xcb007100, 24 }, /* TEST-NET-3 */
		{ 0xe0000000, 4 },  /* multicast */
		{ 0xf0000000, 4 },  /* reserved, and the broadcast address */
	};
	uint32_t a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
		if (in_v4(a, blocked[i].net, blocked[i].bits))
			return 0;
	return 1;
}

static int v6_prefix(const unsigned char *a, const unsigned char *p, int bits)
{
	int whole = bits / 8, rest = bits % 8;
	if (memcmp(a, p, (size_t)whole))
		return 0;
	return !rest || ((a[whole] ^ p[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static int v6_public(const unsigned char *a)
{
	static const unsigned char zero[16] = { 0 };
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
	static const struct {
		unsigned char p[4];
		int bits;
	} blocked[] = {
		{ { 0x00, 0x64, 0xff, 0x9b }, 32 }, /* 64:ff9b:1::/48 local NAT64 (the /96 is handled above) */
		{ { 0x01, 0x00, 0x00, 0x00 }, 16 }, /* 100::/64 discard (by its /16: nothing else is assigned) */
		{ { 0x20, 0x01, 0x00, 0x00 }, 32 }, /* Teredo */
		{ { 0x20, 0x01, 0x0d, 0xb8 }, 32 }, /* documentation */
		{ { 0xfc, 0x00 }, 7 },              /* unique-local */
		{ { 0xfe, 0x80 }, 10 },             /* link-local */
		{ { 0xfe, 0xc0 }, 10 },             /* site-local (deprecated) */
		{ { 0xff, 0x00 }, 8 },              /* multicast */
	};
	/* ::, ::1 and the deprecated IPv4-compatible ::/96 */
	if (!memcmp(a, zero, 12))
		return 0;
	/* an IPv4 address inside IPv6 is judged as that address */
	if (!memcmp(a, mapped, 12) || !memcmp(a, nat64, 12))
		return v4_public(a + 12);
	if (a[0] == 0x20 && a[1] == 0x02) /* 6to4: 2002:AABB:CCDD::/48 */
		return v4_public(a + 2);
	for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
		if (v6_prefix(a, blocked[i].p, blocked[i].bits))
			return 0;
	/* only global unicast (2000::/3) is out there */
	return (a[0] & 0xe0) == 0x20;
}

int webhook_addr_public(int family, const unsigned char *addr)
{
	if (family == AF_INET)
		return v4_public(addr);
	if (family == AF_INET6)
		return v6_public(addr);
	return 0;
}

int webhook_ip_public(const char *text)
{
	unsigned char b[16];
	if (inet_pton(AF_INET, text, b) == 1)
		return v4_public(b);
	if (inet_pton(AF_INET6, text, b) == 1)
		return v6_public(b);
	return -1;
}

/* ---------------------------------------------------------------- URLs */

static int url_part(CURLU *u, CURLUPart part, unsigned flags, char *out, size_t outlen)
{
	char *v = NULL;
	CURLUcode uc = curl_url_get(u, part, &v, flags);
	int ok = uc == CURLUE_OK && v && strlen(v) < outlen;
	if (ok)
		snprintf(out, outlen, "%s", v);
	curl_free(v);
	return ok;
}

/* Whether the URL has the part at all (whatever its length). */
static int url_has(CURLU *u, CURLUPart part)
{
	char *v = NULL;
	CURLUcode uc = curl_url_get(u, part, &v, 0);
	curl_free(v);
	return uc == CURLUE_OK;
}

int webhook_url_check(const char *url, webhook_target_t *t, const char **ret_msgid)
{
	char scheme[16], port[16];
	struct addrinfo hints, *res = NULL, *ai;
	CURLU *u;
	size_t n = url ? strlen(url) : 0;
	int login, zone;
	memset(t, 0, sizeof(*t));
	*ret_msgid = NULL;
	if (!n || n > WEBHOOK_URL_MAX) {
		*ret_msgid = N_("alamat webhook wajib diisi, paling panjang 500 karakter");
		return ERR_INVALID;
	}
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127) {
			*ret_msgid = N_("alamat webhook tidak boleh memuat spasi atau karakter di luar ASCII");
			return ERR_INVALID;
		}
	if (!(u = curl_url()))
		return ERR_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK || !url_part(u, CURLUPART_SCHEME, 0, scheme, sizeof(scheme)) ||
	    !url_part(u, CURLUPART_HOST, 0, t->host, sizeof(t->host)) ||
	    !url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT, port, sizeof(port))) {
		curl_url_cleanup(u);
		*ret_msgid = N_("alamat webhook tidak valid; contohnya https://sistem.contoh.go.id/sigap/webhook");
		return ERR_INVALID;
	}
	login = url_has(u, CURLUPART_USER) || url_has(u, CURLUPART_PASSWORD);
	zone = url_has(u, CURLUPART_ZONEID);
	curl_url_cleanup(u);
	if (strcmp(scheme, "https") && (strcmp(scheme, "http") || !conf.allow_http)) {
		*ret_msgid = conf.allow_http ? N_("alamat webhook harus diawali https:// atau http://")
					     : N_("alamat webhook harus diawali https://");
		return ERR_INVALID;
	}
	if (login) {
		*ret_msgid = N_("alamat webhook tidak boleh memuat nama pengguna atau kata sandi");
		return ERR_INVALID;
	}
	/* an IPv6 literal comes as [addr]; a zone (fe80::1%eth0) is local by nature */
	if (t->host[0] == '[') {
		size_t hl = strlen(t->host);
		memmove(t->host, t->host + 1, hl - 2);
		t->host[hl - 2] = '\0';
	}
	t->port = strtol(port, NULL, 10);
	if (zone || !t->host[0] || t->port <= 0 || t->port > 65535) {
		*ret_msgid = N_("alamat webhook tidak valid; contohnya https://sistem.contoh.go.id/sigap/webhook");
		return ERR_INVALID;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(t->host, NULL, &hints, &res) != 0 || !res) {
		*ret_msgid = N_("nama host pada alamat webhook tidak ditemukan");
		return ERR_INVALID;
	}
	/* every address the name has must be public: the one the request uses
	 * is the first, pinned, but an address that is not public refuses the
	 * name whichever comes first */
	for (ai = res; ai; ai = ai->ai_next) {
		const unsigned char *b;
		if (ai->ai_family == AF_INET)
			b = (const unsigned char *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;
		else if (ai->ai_family == AF_INET6)
			b = (const unsigned char *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		else
			continue;
		if (!conf.allow_private && !webhook_addr_public(ai->ai_family, b)) {
			freeaddrinfo(res);
			t->addr[0] = '\0';
			*ret_msgid = N_("alamat webhook menuju jaringan internal atau alamat khusus; hanya alamat publik yang "
					"diizinkan");
			return ERR_INVALID;
		}
		if (!t->addr[0]) {
			inet_ntop(ai->ai_family, b, t->addr, sizeof(t->addr));
			t->family = ai->ai_family;
		}
	}
	freeaddrinfo(res);
	if (!t->addr[0]) {
		*ret_msgid = N_("nama host pada alamat webhook tidak ditemukan");
		return ERR_INVALID;
	}
	return 0;
}

/* ---------------------------------------------------------------- the endpoints */

#define INFO_COLS                                                                                                  \
	"id, version, created_at, url, kinds, cursor_seq, attempts, COALESCE(failing_since, 0), COALESCE(failed_at, 0), " \
	"COALESCE(last_at, 0), COALESCE(last_status, 0), last_error, COALESCE(last_ok_at, 0), next_at"

static void read_info(store_stmt_t *s, webhook_info_t *w)
{
	memset(w, 0, sizeof(*w));
	w->id = store_col_int64(s, 0);
	w->version = store_col_int64(s, 1);
	w->created_at = store_col_int64(s, 2);
	snprintf(w->url, sizeof(w->url), "%s", store_col_text(s, 3) ? store_col_text(s, 3) : "");
	w->groups = (int)store_col_int64(s, 4);
	w->cursor_seq = store_col_int64(s, 5);
	w->attempts = store_col_int64(s, 6);
	w->failing_since = store_col_int64(s, 7);
	w->failed_at = store_col_int64(s, 8);
	w->last_at = store_col_int64(s, 9);
	w->last_status = store_col_int64(s, 10);
	snprintf(w->last_error, sizeof(w->last_error), "%s", store_col_text(s, 11) ? store_col_text(s, 11) : "");
	w->last_ok_at = store_col_int64(s, 12);
	w->next_at = store_col_int64(s, 13);
}

int webhook_list(store_conn_t *c, const char *tenant, webhook_info_fn fn, void *ud)
{
	store_stmt_t *s;
	webhook_info_t w;
	int rc = store_prepare(c, "SELECT " INFO_COLS " FROM webhooks WHERE tenant = ? ORDER BY id", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", tenant);
	while ((rc = store_step(s)) == STORE_ROW) {
		read_info(s, &w);
		if (fn(ud, &w))
			break;
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int webhook_get(store_conn_t *c, const char *tenant, int64_t id, webhook_info_t *ret)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT " INFO_COLS " FROM webhooks WHERE tenant = ? AND id = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	rc = store_step(s);
	if (rc == STORE_ROW)
		read_info(s, ret);
	store_finalize(s);
	return rc < 0 ? rc : rc == STORE_ROW ? 0 : ERR_NOT_FOUND;
}

/* The entries after cursor, SCAN at a time, each of the groups passed to
 * fn(ud, ev) (its non-zero return stops: the walk ends after that entry);
 * *ret_last: the last entry looked at (cursor when none). At most max
 * entries are looked at in all. */
typedef int (*event_fn)(void *ud, const webhook_event_t *ev);

static int walk_events(store_conn_t *c, const char *tenant, int64_t cursor, int groups, int64_t max, event_fn fn,
		       void *ud, int64_t *ret_last)
{
	int64_t seen = 0;
	int rc = 0, stop = 0;
	*ret_last = cursor;
	while (!stop && seen < max) {
		store_stmt_t *s;
		int64_t got = 0;
		if ((rc = store_prepare(c, "SELECT seq, ts, action, object FROM audit_log WHERE tenant = ? AND seq > ? "
					   "ORDER BY seq LIMIT ?", &s)) < 0)
			return rc;
		store_bindf(s, "tii", tenant, *ret_last, (int64_t)SCAN);
		while (!stop && (rc = store_step(s)) == STORE_ROW) {
			webhook_event_t ev = { tenant, store_col_int64(s, 0), store_col_int64(s, 1), store_col_text(s, 2),
					       store_col_text(s, 3) };
			got++;
			seen++;
			*ret_last = ev.seq;
			if (webhook_event_group(ev.action, ev.object) & groups)
				stop = fn(ud, &ev);
			if (seen >= max)
				break;
		}
		store_finalize(s);
		if (rc < 0)
			return rc;
		if (got < SCAN)
			break;
	}
	return 0;
}

static int count_one(void *ud, const webhook_event_t *ev)
{
	(void)ev;
	int64_t *n = ud;
	return ++n[0] >= n[1];
}

int webhook_backlog(store_conn_t *c, const char *tenant, int64_t cursor_seq, int groups, int64_t cap,
		    int64_t *ret_n, int *ret_more)
{
	int64_t n[2] = { 0, cap + 1 }, last;
	/* the entries looked at are bounded too: a backlog of other entries
	 * (sign-ins) is not counted through to its end on every page view */
	int rc = walk_events(c, tenant, cursor_seq, groups, 20 * SCAN, count_one, n, &last);
	*ret_more = n[0] > cap;
	*ret_n = n[0] > cap ? cap : n[0];
	return rc;
}

static void url_host(const char *url, char *out, size_t outlen)
{
	const char *h = strstr(url, "://");
	size_t n;
	h = h ? h + 3 : url;
	n = strcspn(h, "/?#");
	snprintf(out, outlen, "%.*s", (int)(n < outlen ? n : outlen - 1), h);
}

static void groups_text(int groups, char *out, size_t outlen)
{
	size_t o = 0;
	out[0] = '\0';
	for (int b = 1; b <= 4; b <<= 1)
		if (groups & b)
			o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? "," : "", webhook_group_name(b));
}

int webhook_create_tx(store_conn_t *c, const char *tenant, const char *url, int groups, const char *secret,
		      const char *actor, int64_t now, int64_t *ret_id)
{
	store_stmt_t *s;
	int64_t n = 0, id;
	char obj[48], sum[400], host[260], kinds[40];
	int rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM webhooks WHERE tenant = ?", "t", tenant);
	if (rc < 0)
		return rc;
	if (n >= WEBHOOK_MAX_PER_TENANT)
		return store_fail(ERR_INVALID, "the tenant has %d webhooks", WEBHOOK_MAX_PER_TENANT);
	if ((rc = store_prepare(c, "INSERT INTO webhooks (tenant, url, kinds, secret, created_at, created_by) "
				   "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", &s)) < 0)
		return rc;
	store_bindf(s, "ttitit", tenant, url, (int64_t)groups, secret, now, actor);
	rc = store_step(s);
	id = store_col_int64(s, 0);
	store_finalize(s);
	if (rc < 0)
		return rc;
	if (rc != STORE_ROW)
		return ERR_DB;
	/* the host, not the whole URL: a path or query may hold the receiver's own token */
	url_host(url, host, sizeof(host));
	groups_text(groups, kinds, sizeof(kinds));
	snprintf(obj, sizeof(obj), "webhook:%" PRId64, id);
	snprintf(sum, sizeof(sum), "%s %s", host, kinds);
	if ((rc = audit_append(c, tenant, now, actor, "webhook.create", obj, sum)) < 0)
		return rc;
	/* from the head of the chain on, this entry included: the head's row
	 * is locked by the append until the commit, so no entry can come
	 * between */
	if ((rc = store_exec(c, "UPDATE webhooks SET cursor_seq = (SELECT seq FROM audit_heads WHERE tenant = ?) "
			       "WHERE id = ?", "ti", tenant, id)) < 0)
		return rc;
	*ret_id = id;
	return 0;
}

int webhook_remove_tx(store_conn_t *c, const char *tenant, int64_t id, int64_t version, const char *actor,
		      int64_t now)
{
	char url[WEBHOOK_URL_MAX + 1], host[260], obj[48];
	int rc = store_query_text(c, url, sizeof(url), "SELECT url FROM webhooks WHERE tenant = ? AND id = ?", "ti",
				  tenant, id);
	if (rc < 0)
		return rc;
	if ((rc = store_exec(c, "DELETE FROM webhooks WHERE tenant = ? AND id = ? AND version = ?", "tii", tenant, id,
			     version)) < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	url_host(url, host, sizeof(host));
	snprintf(obj, sizeof(obj), "webhook:%" PRId64, id);
	return audit_append(c, tenant, now, actor, "webhook.remove", obj, host);
}

/* ---------------------------------------------------------------- delivery */

static size_t discard_cb(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n; /* the receiver's answer is not read, only its status */
}

/* POSTs body to url, at exactly t's address. The HTTP status into
 * *ret_status (0: no answer) and, when it is no 2xx, why into err. */
static int post_batch(const char *url, const webhook_target_t *t, const char *secret, const char *body, size_t len,
		      const char *first_id, long *ret_status, char *err, size_t errlen)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = NULL, *pin = NULL;
	char line[400], sig[72], ebuf[CURL_ERROR_SIZE] = "";
	unsigned char probe[16];
	int64_t ts = (int64_t)time(NULL);
	long status = 0;
	CURLcode cc;
	*ret_status = 0;
	if (!h) {
		snprintf(err, errlen, "curl_easy_init failed");
		return ERR_NOMEM;
	}
	webhook_sign(secret, ts, body, len, sig);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, "Expect:"); /* no 100-continue round trip */
	snprintf(line, sizeof(line), "X-Sigap-Timestamp: %" PRId64, ts);
	hdr = curl_slist_append(hdr, line);
	snprintf(line, sizeof(line), "X-Sigap-Signature: %s", sig);
	hdr = curl_slist_append(hdr, line);
	snprintf(line, sizeof(line), "X-Sigap-Event-Id: %s", first_id);
	hdr = curl_slist_append(hdr, line);
	/* the name goes to the address that was checked, and to no other that
	 * a second lookup might give (DNS rebinding); a literal needs no pin */
	if (inet_pton(AF_INET, t->host, probe) != 1 && inet_pton(AF_INET6, t->host, probe) != 1) {
		snprintf(line, sizeof(line), t->family == AF_INET6 ? "%s:%ld:[%s]" : "%s:%ld:%s", t->host, t->port,
			 t->addr);
		pin = curl_slist_append(NULL, line);
		curl_easy_setopt(h, CURLOPT_RESOLVE, pin);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, conf.allow_http ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, ""); /* no proxy from the environment: it would resolve the name itself */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)WEBHOOK_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)WEBHOOK_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "sigap-webhook/" SIGAP_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	cc = curl_easy_perform(h);
	if (cc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK)
		snprintf(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
	else if (status < 200 || status > 299)
		snprintf(err, errlen, "HTTP %ld", status);
	curl_slist_free_all(hdr);
	curl_slist_free_all(pin);
	curl_easy_cleanup(h);
	*ret_status = status;
	return cc == CURLE_OK && status >= 200 && status <= 299 ? 0 : ERR_IO;
}

int webhook_send_test(const char *tenant, int tz_offset, const char *url, const char *secret, int64_t now,
		      long *ret_status, const char **ret_msgid, char *err, size_t errlen)
{
	webhook_event_t ev = { tenant, 0, now, "webhook.test", "" };
	webhook_target_t t;
	json_t *o, *root;
	char id[64], *body;
	int rc;
	*ret_status = 0;
	err[0] = '\0';
	if ((rc = webhook_url_check(url, &t, ret_msgid)) < 0)
		return rc;
	/* its own id, outside the TENANT-SEQ series of real events */
	snprintf(id, sizeof(id), "%s-test-%" PRId64, tenant, now);
	if (!(o = webhook_event_json(&ev, tz_offset)) || json_object_set_new(o, "id", json_string(id)) < 0) {
		json_decref(o);
		return ERR_NOMEM;
	}
	root = json_pack("{s:[o]}", "events", o);
	body = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(root);
	if (!body)
		return ERR_NOMEM;
	rc = post_batch(url, &t, secret, body, strlen(body), id, ret_status, err, errlen);
	free(body);
	return rc;
}

int webhook_retry_now_tx(store_conn_t *c, const char *tenant, int64_t id, int64_t now)
{
	int rc = store_exec(c, "UPDATE webhooks SET next_at = ? WHERE tenant = ? AND id = ? AND attempts > 0 AND next_at > ?",
			    "itii", now, tenant, id, now);
	return rc < 0 ? rc : rc > 0;
}

int webhook_secret_get(store_conn_t *c, const char *tenant, int64_t id, char *out, size_t outlen)
{
	return store_query_text(c, out, outlen, "SELECT secret FROM webhooks WHERE tenant = ? AND id = ?", "ti", tenant, id);
}

/* One endpoint while an instance delivers to it. */
typedef struct endpoint {
	int64_t id, cursor, attempts, failing_since, failed_at, now;
	int groups, tz_offset, claimed, gone;
	char tenant[32], url[WEBHOOK_URL_MAX + 1], secret[WEBHOOK_SECRET_LEN + 8];
	/* the outcome to record */
	int ok;
	long status;
	int64_t new_cursor;
	char err[200];
} endpoint_t;

static int claim_tx(store_conn_t *c, void *ud)
{
	endpoint_t *e = ud;
	store_stmt_t *s;
	int rc = store_prepare(c, "UPDATE webhooks SET lease_until = ? WHERE id = ? AND lease_until < ? AND next_at <= ? "
				  "RETURNING tenant, url, kinds, secret, cursor_seq, attempts, COALESCE(failing_since, 0), "
				  "COALESCE(failed_at, 0)", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "iiii", e->now + LEASE, e->id, e->now, e->now);
	rc = store_step(s);
	e->claimed = rc == STORE_ROW;
	if (rc == STORE_ROW) {
		snprintf(e->tenant, sizeof(e->tenant), "%s", store_col_text(s, 0));
		snprintf(e->url, sizeof(e->url), "%s", store_col_text(s, 1));
		e->groups = (int)store_col_int64(s, 2);
		snprintf(e->secret, sizeof(e->secret), "%s", store_col_text(s, 3));
		e->cursor = store_col_int64(s, 4);
		e->attempts = store_col_int64(s, 5);
		e->failing_since = store_col_int64(s, 6);
		e->failed_at = store_col_int64(s, 7);
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* Records a batch's outcome (or only the cursor passing entries that were
 * not for the endpoint: ok with status 0), keeping the lease when more is
 * to come (keep) or giving it back. */
static int result_tx(store_conn_t *c, void *ud)
{
	endpoint_t *e = ud;
	int rc;
	int64_t now = e->now;
	if (e->ok && e->status == 0) /* nothing sent: the cursor passed entries of other kinds */
		rc = store_exec(c, "UPDATE webhooks SET cursor_seq = ? WHERE id = ?", "ii", e->new_cursor, e->id);
	else if (e->ok)
		rc = store_exec(c, "UPDATE webhooks SET cursor_seq = ?, attempts = 0, failing_since = NULL, failed_at = NULL, "
				   "next_at = 0, last_at = ?, last_status = ?, last_error = '', last_ok_at = ? WHERE id = ?",
				"iiiii", e->new_cursor, now, (int64_t)e->status, now, e->id);
	else {
		int64_t since = e->failing_since ? e->failing_since : now;
		int failing = now - since >= WEBHOOK_FAILING_AFTER;
		int64_t wait = failing ? backoff[NBACKOFF - 1] : backoff[e->attempts < NBACKOFF ? e->attempts : NBACKOFF - 1];
		rc = store_exec(c, "UPDATE webhooks SET attempts = attempts + 1, failing_since = ?, failed_at = ?, next_at = ?, "
				   "lease_until = 0, last_at = ?, last_status = ?, last_error = ? WHERE id = ?",
				"iiiiiti", since, failing ? (e->failed_at ? e->failed_at : now) : 0, now + wait, now,
				(int64_t)e->status, e->err, e->id);
		/* the administrators hear of it once, when it becomes failing */
		if (rc == 1 && failing && !e->failed_at) {
			notify_target_t to = { 0, "admin", NULL };
			char obj[48];
			int nrc;
			snprintf(obj, sizeof(obj), "webhook:%" PRId64, e->id);
			nrc = notify_add(c, e->tenant, &to, "webhook", obj,
					 N_("Webhook gagal dikirim selama sehari; periksa penerimanya di Administrasi > Webhook"),
					 now);
			if (nrc < 0)
				return nrc;
		}
	}
	if (rc < 0)
		return rc;
	/* removed by its administrator meanwhile */
	e->gone = rc == 0;
	return 0;
}

static int release_tx(store_conn_t *c, void *ud)
{
	endpoint_t *e = ud;
	int rc = store_exec(c, "UPDATE webhooks SET lease_until = 0 WHERE id = ? AND lease_until = ?", "ii", e->id,
			    e->now + LEASE);
	return rc < 0 ? rc : 0;
}

typedef struct batch {
	json_t *events;
	int n;
	int tz_offset;
	int64_t last_seq;
} batch_t;

static int add_event(void *ud, const webhook_event_t *ev)
{
	batch_t *b = ud;
	json_t *o = webhook_event_json(ev, b->tz_offset);
	if (!o || json_array_append_new(b->events, o) < 0)
		return 1; /* out of memory: stop here; the caller sees n */
	b->last_seq = ev->seq;
	return ++b->n >= WEBHOOK_BATCH;
}

/* Delivers to one claimed endpoint until its backlog is sent, a batch
 * fails or BATCHES_PER_RUN went. */
static int deliver(store_t *st, endpoint_t *e, int *ok_n, int *fail_n)
{
	store_conn_t *c = store_reader(st);
	int rc = 0;
	if (!c)
		return ERR_UNAVAILABLE;
	for (int round = 0; round < BATCHES_PER_RUN; round++) {
		batch_t b = { json_array(), 0, e->tz_offset, 0 };
		int64_t last = e->cursor;
		char *body = NULL;
		webhook_target_t t;
		const char *msgid = NULL;
		if (!b.events)
			return ERR_NOMEM;
		rc = walk_events(c, e->tenant, e->cursor, e->groups, 20 * SCAN, add_event, &b, &last);
		if (rc < 0 || last == e->cursor) {
			json_decref(b.events);
			break; /* nothing new */
		}
		e->ok = 1;
		e->status = 0;
		e->err[0] = '\0';
		/* a full batch ends at its last event; otherwise everything looked
		 * at is passed */
		e->new_cursor = b.n >= WEBHOOK_BATCH ? b.last_seq : last;
		if (b.n > 0) {
			json_t *root = json_pack("{s:o}", "events", b.events);
			char first[64];
			body = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
			snprintf(first, sizeof(first), "%s",
				 json_string_value(json_object_get(json_array_get(b.events, 0), "id")));
			json_decref(root);
			if (!body)
				return ERR_NOMEM;
			if (webhook_url_check(e->url, &t, &msgid) < 0) {
				/* the name now points somewhere refused, or nowhere */
				e->ok = 0;
				snprintf(e->err, sizeof(e->err), "%s", msgid ? msgid : "invalid URL");
			} else if (post_batch(e->url, &t, e->secret, body, strlen(body), first, &e->status, e->err,
					      sizeof(e->err)) < 0)
				e->ok = 0;
			free(body);
			if (e->ok)
				(*ok_n)++;
			else {
				(*fail_n)++;
				log_warn("webhook %" PRId64 " of %s: batch after seq %" PRId64 " not delivered (attempt %" PRId64
					 "): %s",
					 e->id, e->tenant, e->cursor, e->attempts + 1, e->err);
			}
		} else
			json_decref(b.events);
		if ((rc = store_tx(st, result_tx, e)) < 0 || !e->ok || e->gone)
			return rc < 0 ? rc : 0;
		e->cursor = e->new_cursor;
	}
	return rc < 0 ? rc : store_tx(st, release_tx, e);
}

int webhook_deliver_due(store_t *st, int64_t now, int *ret_ok, int *ret_failed)
{
	store_conn_t *c;
	store_stmt_t *s;
	struct {
		int64_t id;
		int tz;
	} due[DUE_MAX];
	int n = 0, rc, ok_n = 0, fail_n = 0;
	time_t started = time(NULL);
	if (ret_ok)
		*ret_ok = 0;
	if (ret_failed)
		*ret_failed = 0;
	if (!(c = store_reader(st)))
		return ERR_UNAVAILABLE;
	/* a suspended Pemda's endpoints wait: their cursors stay, and the
	 * events of the pause go out when it ends */
	rc = store_prepare(c, "SELECT w.id, t.tz_offset FROM webhooks w JOIN tenants t ON t.code = w.tenant "
			      "WHERE w.next_at <= ? AND w.lease_until < ? AND w.tenant NOT IN " TENANT_SUSPENDED_SQL
			      " ORDER BY w.next_at, w.id LIMIT ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "iii", now, now, (int64_t)DUE_MAX);
	while (n < DUE_MAX && (rc = store_step(s)) == STORE_ROW) {
		due[n].id = store_col_int64(s, 0);
		due[n].tz = (int)store_col_int64(s, 1);
		n++;
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	for (int i = 0; i < n && rc >= 0; i++) {
		endpoint_t *e;
		/* a run that went on long (slow receivers) leaves the rest to the next */
		if (time(NULL) - started >= RUN_BUDGET)
			break;
		if (!(e = calloc(1, sizeof(*e))))
			return ERR_NOMEM;
		e->id = due[i].id;
		e->tz_offset = due[i].tz;
		e->now = now;
		rc = store_tx(st, claim_tx, e);
		if (rc >= 0 && e->claimed)
			rc = deliver(st, e, &ok_n, &fail_n);
		sodium_memzero(e->secret, sizeof(e->secret));
		free(e);
	}
	if (ret_ok)
		*ret_ok = ok_n;
	if (ret_failed)
		*ret_failed = fail_n;
	return rc < 0 ? rc : 0;
}

int webhook_job(store_t *st, int64_t now)
{
	int ok = 0;
	int rc = webhook_deliver_due(st, now, &ok, NULL);
	return rc < 0 ? rc : ok;
}
