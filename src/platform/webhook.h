/*
 * webhook.h: outgoing event notifications for a Pemda's other systems (a
 * WhatsApp gateway, the provincial dashboard, an SP4N-LAPOR! bridge), so
 * that they need not poll (docs/webhooks.md).
 *
 * The events are the tenant's audit log (audit.h): every state change
 * appends an entry in its own transaction, so the log is already an ordered,
 * durable record of what happened, and each endpoint only keeps a cursor in
 * it (the last sequence number delivered). Only an allowlist of actions is
 * ever sent (complaints, service applications, proposals and decisions; no
 * sign-ins, accounts, keys or settings), and only thin events: the action,
 * the object, the time and a link, never the entry's summary or actor. The
 * receiver reads the details through the APIs with its own key.
 *
 * The periodic job webhook_job() POSTs the events after each endpoint's
 * cursor in batches of at most WEBHOOK_BATCH, in order, signed with the
 * endpoint's secret (HMAC-SHA256); a 2xx answer moves the cursor, anything
 * else leaves it and the batch is tried again later (1 min, 5 min, 30 min,
 * 2 h, then every 6 h). At least once, in order per endpoint: receivers
 * drop an event whose id they have seen. With several instances each
 * endpoint is leased by the one delivering to it.
 *
 * An endpoint's host is resolved at every delivery and must be a public
 * address (not loopback, RFC 1918, link-local, CGNAT, unique-local, ...)
 * unless the server allows private ones; the request goes to exactly the
 * address checked (pinned), and redirects are not followed.
 */
#ifndef SIGAP_PLATFORM_WEBHOOK_H
#define SIGAP_PLATFORM_WEBHOOK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Event groups an endpoint subscribes to (a bit mask). */
#define WEBHOOK_COMPLAINTS 1  /* pengaduan: complaint:N */
#define WEBHOOK_SERVICES 2    /* permohonan layanan: application:N */
#define WEBHOOK_GOVERNANCE 4  /* usulan dan keputusan: proposal:N */
#define WEBHOOK_GROUPS_ALL 7

#define WEBHOOK_BATCH 100        /* events in one POST */
#define WEBHOOK_TIMEOUT 10       /* seconds a receiver has to answer */
#define WEBHOOK_URL_MAX 500
#define WEBHOOK_MAX_PER_TENANT 10
#define WEBHOOK_FAILING_AFTER 86400 /* seconds of failures before an endpoint is "gagal" */
/* "whsec_" and 64 hex digits (256 random bits), and the NUL */
#define WEBHOOK_SECRET_LEN 71

typedef struct webhook_config {
	int allow_private;      /* 1: hosts on private/loopback addresses are allowed (tests, an intranet) */
	int allow_http;         /* 1: http:// URLs are allowed too (else https:// only) */
	const char *public_url; /* base of the events' links ("" or NULL: no links) */
} webhook_config_t;
/* Copies cfg (at start-up, before the jobs run; NULL at the end releases
 * libcurl's global state taken here). */
void webhook_configure(const webhook_config_t *cfg);

/* The group of an audit entry that is a public event: its action is on the
 * allowlist and its object the group's kind ("complaint:42"); 0 for every
 * other entry (auth.*, user.*, apikey.*, a refused step, ...). */
int webhook_event_group(const char *action, const char *object);
/* The groups' names in the admin page's order: "pengaduan", "layanan",
 * "usulan" for bits 1, 2, 4 (NULL for another bit). */
const char *webhook_group_name(int bit);

/* Whether an address may receive webhooks without webhook-allow-private:
 * 1 public, 0 not (loopback, unspecified, RFC 1918, CGNAT 100.64/10,
 * link-local, documentation and benchmark nets, multicast, reserved;
 * IPv6 unique-local, link- and site-local, multicast, documentation,
 * Teredo, and an IPv4 address mapped or embedded into IPv6 (::ffff:0:0/96,
 * 64:ff9b::/96, 2002::/16) by its IPv4 address). family AF_INET (addr: 4
 * bytes) or AF_INET6 (16 bytes); 0 for another family. */
int webhook_addr_public(int family, const unsigned char *addr);
/* The same for an address as text ("10.1.2.3", "fe80::1"); -1 when the
 * text is no address. */
int webhook_ip_public(const char *text);

/* Where a URL sends to: checked by webhook_url_check(). */
typedef struct webhook_target {
	char host[256];  /* as in the URL, without [ ] */
	long port;
	char addr[64];   /* the address checked, which the request must use */
	int family;
} webhook_target_t;
/* Checks an endpoint's URL: at most WEBHOOK_URL_MAX printable characters,
 * https:// (or http:// with allow_http), a host, no user name or password;
 * resolves the host and checks every address it has (one that is not
 * public refuses the URL, unless allow_private). 0 and *t, or ERR_INVALID
 * and *ret_msgid (an Indonesian msgid for the admin page). Blocks on DNS:
 * never on an event loop. */
int webhook_url_check(const char *url, webhook_target_t *t, const char **ret_msgid);

/* HMAC-SHA256 over "<timestamp>.<body>" keyed with the secret's text, as
 * "sha256=<64 hex>" into out. */
void webhook_sign(const char *secret, int64_t timestamp, const char *body, size_t len, char out[72]);

/* One event: an audit entry of the allowlist. */
typedef struct webhook_event {
	const char *tenant;
	int64_t seq, ts;
	const char *action, *object;
} webhook_event_t;
/* The event's JSON: id ("TENANT-SEQ"), tenant, seq, time (ISO 8601 in the
 * tenant's time zone, tz_offset seconds east of UTC), event, object, and url
 * (the object's public page) when a public URL is configured. Nothing else:
 * never the entry's summary or actor. */
json_t *webhook_event_json(const webhook_event_t *ev, int tz_offset);

/* The administrator's "Kirim uji": one batch holding one event "webhook.test"
 * (id "TENANT-test-NOW", seq 0, object "") POSTed to url and signed with
 * secret exactly as a delivery is, the URL checked again first. Nothing is
 * stored and no cursor moves. It blocks (the host's lookup, then up to
 * WEBHOOK_TIMEOUT seconds): compute threads only. 0 when the receiver
 * answered 2xx (*ret_status); ERR_INVALID with *ret_msgid when the URL is
 * refused now; ERR_IO with why in err (e.g. "HTTP 500", or libcurl's
 * reason) for any other outcome. */
int webhook_send_test(const char *tenant, int tz_offset, const char *url, const char *secret, int64_t now,
		      long *ret_status, const char **ret_msgid, char *err, size_t errlen);
/* After a test the receiver accepted: a delivery waiting for its next retry
 * (the backoff, up to 6 h) is due at once, so what waits goes out at the
 * next run; the failing state ends only with a real delivery. 1 when a
 * retry was brought forward, 0 when none was waiting. */
int webhook_retry_now_tx(store_conn_t *c, const char *tenant, int64_t id, int64_t now);
/* The endpoint's signing secret, for the test above (never shown). */
int webhook_secret_get(store_conn_t *c, const char *tenant, int64_t id, char *out, size_t outlen);
/* A fresh secret ("whsec_" + 64 hex digits) into out. */
void webhook_secret_new(char out[WEBHOOK_SECRET_LEN]);

/* ---- the tenant's endpoints (admin page) ---- */
typedef struct webhook_info {
	int64_t id, version, created_at;
	char url[WEBHOOK_URL_MAX + 1];
	int groups;
	int64_t cursor_seq;
	int64_t attempts;         /* failed attempts since the last success */
	int64_t failing_since;    /* the first failure since the last success, 0 none */
	int64_t failed_at;        /* when it was marked failing (a day of failures), 0 not */
	int64_t last_at;          /* the last attempt, 0 none */
	int64_t last_status;      /* its HTTP status, 0 no answer */
	char last_error[200];
	int64_t last_ok_at;       /* the last success, 0 none */
	int64_t next_at;          /* the next attempt is not before */
} webhook_info_t;
typedef int (*webhook_info_fn)(void *ud, const webhook_info_t *w);
/* The tenant's endpoints, oldest first; fn's non-zero return stops. */
int webhook_list(store_conn_t *c, const char *tenant, webhook_info_fn fn, void *ud);
/* One endpoint of the tenant, or ERR_NOT_FOUND (another tenant's too). */
int webhook_get(store_conn_t *c, const char *tenant, int64_t id, webhook_info_t *ret);
/* Events of the groups waiting after cursor_seq, counting at most cap
 * (then *ret_more is 1). */
int webhook_backlog(store_conn_t *c, const char *tenant, int64_t cursor_seq, int groups, int64_t cap,
		    int64_t *ret_n, int *ret_more);
/* Inside the caller's write transaction: a new endpoint whose cursor is the
 * head of the tenant's chain after its own audit entry (webhook.create): it
 * gets what happens from now on, not the history. ERR_INVALID when the
 * tenant has WEBHOOK_MAX_PER_TENANT already. */
int webhook_create_tx(store_conn_t *c, const char *tenant, const char *url, int groups, const char *secret,
		      const char *actor, int64_t now, int64_t *ret_id);
/* Inside the caller's write transaction: removes the endpoint at version
 * (audit entry webhook.remove). ERR_NOT_FOUND when it is gone, ERR_CONFLICT
 * when its version moved. */
int webhook_remove_tx(store_conn_t *c, const char *tenant, int64_t id, int64_t version, const char *actor,
		      int64_t now);

/* ---- delivery ---- */
/* Delivers what is due; *ret_ok / *ret_failed count this run's batches. */
int webhook_deliver_due(store_t *st, int64_t now, int *ret_ok, int *ret_failed);
/* The periodic job (web/routes.c): returns the batches delivered. */
int webhook_job(store_t *st, int64_t now);

#endif
