/*
 * mail.c: e-mail to citizens and officials (see platform.h). A message is a
 * row of mail_outbox written inside the transaction of the change it
 * reports, so it exists exactly when that change was committed; the
 * periodic job mail_job() sends what is due through the configured SMTP
 * server with libcurl, and keeps each message's fate in its row (sent,
 * retried later with a growing delay, or given up with the last error).
 *
 * With several instances, a message is leased (lease_until) by the instance
 * that sends it, so it goes out once even when two jobs run at the same
 * time; a lease left by an instance that died runs out after MAIL_LEASE
 * seconds and the message is tried again.
 *
 * A message that carries a secret (a password-reset, invitation,
 * confirmation or stop-following link: mail_enqueue_secret) holds it in
 * its body between SECRET_OPEN and SECRET_CLOSE while it waits; the marks
 * never go out,
 * and the transaction that records it sent or given up replaces the
 * secret with MAIL_SECRET_REMOVED, so the row kept for MAIL_KEEP_DAYS (and
 * backups, tenant exports) no longer holds a working link.
 */
#include "platform/platform.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"
#include "core/nls.h"
#include "core/sb.h"
#include "core/banned.h"

/* Migration 11: the outbox. next_at: when the next attempt is due; sent_at
 * or failed_at (given up) end a message's life; last_error: why the last
 * attempt failed. */
const char migration_mail_sql[] =
	"CREATE TABLE mail_outbox ("
	"  id {ID},"
	"  tenant TEXT NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  next_at BIGINT NOT NULL,"
	"  attempts BIGINT NOT NULL DEFAULT 0,"
	"  lease_until BIGINT NOT NULL DEFAULT 0,"
	"  sent_at BIGINT,"
	"  failed_at BIGINT,"
	"  last_error TEXT);"
	"CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, failed_at, next_at)";

#define MAIL_BATCH 20
#define MAIL_LEASE 300
#define MAIL_ATTEMPTS 8
static const int64_t backoff[MAIL_ATTEMPTS] = { 60, 300, 1800, 7200, 21600, 43200, 86400, 86400 };

static struct {
	char url[512], user[256], password[256], from[256], public_url[256];
	int digest_hour;
} conf;

void mail_configure(const mail_config_t *cfg)
{
	static int curl_ready;
	/* libcurl's global state: set up here, on the starting thread, before
	 * any job sends; released when e-mail is switched off (at exit) */
	if (cfg && cfg->url && *cfg->url && !curl_ready)
		curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
	else if ((!cfg || !cfg->url || !*cfg->url) && curl_ready) {
		curl_global_cleanup();
		curl_ready = 0;
	}
	snprintf(conf.url, sizeof(conf.url), "%s", cfg && cfg->url ? cfg->url : "");
	snprintf(conf.user, sizeof(conf.user), "%s", cfg && cfg->user ? cfg->user : "");
	snprintf(conf.password, sizeof(conf.password), "%s", cfg && cfg->password ? cfg->password : "");
	snprintf(conf.from, sizeof(conf.from), "%s", cfg && cfg->from ? cfg->from : "");
	snprintf(conf.public_url, sizeof(conf.public_url), "%s", cfg && cfg->public_url ? cfg->public_url : "");
	conf.digest_hour = cfg ? cfg->digest_hour : -1;
	/* no trailing slash: links are public_url + "/t/..." */
	for (size_t n = strlen(conf.public_url); n && conf.public_url[n - 1] == '/'; n--)
		conf.public_url[n - 1] = '\0';
}

static mail_translate_fn translator;

void mail_set_translator(mail_translate_fn fn)
{
	translator = fn;
}

const char *mail_translate(const char *lang, const char *msgid)
{
	if (!msgid || !translator || !lang || strcmp(lang, "en"))
		return msgid;
	return translator(lang, msgid);
}

int mail_configured(void)
{
	return conf.url[0] && conf.from[0];
}

int mail_valid_address(const char *a)
{
	const char *at, *dot;
	size_t n;
	if (!a || (n = strlen(a)) < 3 || n > 254 || !(at = strchr(a, '@')) || strchr(at + 1, '@') || at == a ||
	    at - a > 64)
		return 0;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127 || strchr("<>()[],;:\\\"", *p))
			return 0;
	dot = strrchr(at, '.');
	return dot && dot > at + 1 && dot[1] != '\0' && at[1] != '.';
}

/* The marks around a one-time secret in a waiting message's body: ASCII
 * STX and ETX (start and end of text), which no text sigap sends has
 * (mail_enqueue makes them spaces) and which no tool takes for a line
 * break (Python's splitlines does for the separators 0x1c-0x1e). */
#define SECRET_OPEN '\x02'
#define SECRET_CLOSE '\x03'

/* body (n bytes) into text, each occurrence of secret (when not NULL)
 * between the marks, any mark already in body made a space. */
static void add_marked(sb_t *text, const char *body, size_t n, const char *secret)
{
	size_t k = secret ? strlen(secret) : 0;
	for (size_t i = 0; i < n;) {
		if (k && n - i >= k && !memcmp(body + i, secret, k)) {
			sb_addch(text, SECRET_OPEN);
			sb_add(text, secret, k);
			sb_addch(text, SECRET_CLOSE);
			i += k;
		} else {
			sb_addch(text, body[i] == SECRET_OPEN || body[i] == SECRET_CLOSE ? ' ' : body[i]);
			i++;
		}
	}
}

/* A stored body without its marks (malloc'd, NULL when out of memory):
 * each marked secret kept as it is (instead NULL, for sending) or replaced
 * by instead (the record kept after sending). */
static char *unmarked(const char *body, const char *instead)
{
	sb_t out = SB_INIT;
	int inside = 0;
	for (const char *p = body; *p; p++) {
		if (*p == SECRET_OPEN) {
			inside = 1;
			if (instead)
				sb_adds(&out, instead);
		} else if (*p == SECRET_CLOSE) {
			inside = 0;
		} else if (!inside || !instead) {
			sb_addch(&out, *p);
		}
	}
	/* nothing appended: out.buf is still sb's static empty string, which
	 * the caller must not free; sb_release clears out.err, so it is kept */
	if (out.err || !out.alloc) {
		int err = out.err;
		if (out.alloc)
			sodium_memzero(out.buf, out.len);
		sb_release(&out);
		return err ? NULL : strdup("");
	}
	return out.buf;
}

static int enqueue(store_conn_t *c, const char *tenant, const char *to, const char *lang, const char *subject,
		   const char *body, const char *secret, int64_t now)
{
	char subj[400];
	sb_t text = SB_INIT;
	size_t o = 0, n = body ? strlen(body) : 0;
	int rc;
	if (!mail_valid_address(to))
		return store_fail(ERR_INVALID, "not an e-mail address: '%s'", to ? to : "");
	if (secret && (!*secret || strchr(secret, SECRET_OPEN) || strchr(secret, SECRET_CLOSE)))
		return store_fail(ERR_INVALID, "a message's secret must be some text without marks");
	/* one line: a header can carry no line break */
	for (const char *p = subject ? subject : ""; *p && o + 1 < sizeof(subj); p++)
		subj[o++] = *p == '\r' || *p == '\n' ? ' ' : *p;
	subj[o] = '\0';
	/* every message ends with the same signature */
	while (n && body[n - 1] == '\n')
		n--;
	add_marked(&text, body ? body : "", n, secret);
	sb_addf(&text, "\n\n-- \n%s\n", mail_translate(lang, N_("sigap: pesan otomatis, tidak perlu dibalas.")));
	rc = text.err ? ERR_NOMEM
		      : store_exec_nowait(c, "INSERT INTO mail_outbox (tenant, recipient, subject, body, created_at, next_at) "
					     "VALUES (?, ?, ?, ?, ?, ?)",
					  "ttttii", tenant, to, subj, text.buf, now, now);
	if (text.buf)
		sodium_memzero(text.buf, text.len);
	sb_release(&text);
	if (rc >= 0)
		store_signal(c, OUTBOX_SIGNAL_MAIL);
	return rc < 0 ? rc : 0;
}

int mail_enqueue(store_conn_t *c, const char *tenant, const char *to, const char *lang, const char *subject,
		 const char *body, int64_t now)
{
	return enqueue(c, tenant, to, lang, subject, body, NULL, now);
}

int mail_enqueue_secret(store_conn_t *c, const char *tenant, const char *to, const char *lang, const char *subject,
			const char *body, const char *secret, int64_t now)
{
	if (!secret)
		return store_fail(ERR_INVALID, "a message's secret must be some text without marks");
	return enqueue(c, tenant, to, lang, subject, body, secret, now);
}

int mail_object_link(const char *tenant, const char *object, char *out, size_t outlen)
{
	char path[200];
	out[0] = '\0';
	if (!conf.public_url[0] || !notify_object_path(tenant, object, path, sizeof(path)))
		return 0;
	snprintf(out, outlen, "%s%s", conf.public_url, path);
	return 1;
}

int mail_page_link(const char *tenant, const char *page, char *out, size_t outlen)
{
	out[0] = '\0';
	if (!conf.public_url[0])
		return 0;
	snprintf(out, outlen, "%s/t/%s/%s", conf.public_url, tenant, page);
	return 1;
}

int mail_digest_hour(void)
{
	return mail_configured() ? conf.digest_hour : -1;
}

/* ---------------------------------------------------------------- format */

static void add_base64(sb_t *b, const unsigned char *data, size_t len, size_t line)
{
	size_t enc = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *s = malloc(enc);
	if (!s) {
		b->err = 1;
		return;
	}
	sodium_bin2base64(s, enc, data, len, sodium_base64_VARIANT_ORIGINAL);
	for (size_t i = 0, n = strlen(s); i < n; i += line) {
		sb_add(b, s + i, n - i < line ? n - i : line);
		if (line < n)
			sb_adds(b, "\r\n");
	}
	free(s);
}

int mail_format(const char *from, const char *to, const char *subject, const char *body, int64_t id, int64_t now,
		sb_t *out)
{
	char date[64];
	struct tm tm;
	time_t t = (time_t)now;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	sb_addf(out, "Date: %s\r\nFrom: sigap <%s>\r\nTo: <%s>\r\nSubject: =?UTF-8?B?", date, from, to);
	add_base64(out, (const unsigned char *)subject, strlen(subject), (size_t)-1);
	sb_addf(out, "?=\r\nMessage-ID: <sigap.%" PRId64 ".%" PRId64 "@%s>\r\n", id, now, strchr(from, '@') + 1);
	sb_adds(out, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
		     "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n");
	add_base64(out, (const unsigned char *)body, strlen(body), 76);
	sb_adds(out, "\r\n");
	return out->err ? ERR_NOMEM : 0;
}

/* ---------------------------------------------------------------- send */

typedef struct upload {
	const char *data;
	size_t len, off;
} upload_t;

static size_t read_cb(char *buf, size_t size, size_t n, void *ud)
{
	upload_t *u = ud;
	size_t k = size * n;
	if (k > u->len - u->off)
		k = u->len - u->off;
	memcpy(buf, u->data + u->off, k);
	u->off += k;
	return k;
}

/* 0 when the server took the message; otherwise ERR_IO and the reason in err. */
static int smtp_send(const char *to, const sb_t *msg, char *err, size_t errlen)
{
	CURL *h = curl_easy_init();
	struct curl_slist *rcpt = NULL;
	upload_t u = { msg->buf, msg->len, 0 };
	char addr[300], ebuf[CURL_ERROR_SIZE] = "";
	CURLcode cc;
	if (!h) {
		snprintf(err, errlen, "curl_easy_init failed");
		return ERR_NOMEM;
	}
	snprintf(addr, sizeof(addr), "<%s>", to);
	rcpt = curl_slist_append(NULL, addr);
	snprintf(addr, sizeof(addr), "<%s>", conf.from);
	curl_easy_setopt(h, CURLOPT_URL, conf.url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	/* smtp://: STARTTLS when the server offers it; smtps://: TLS from the start */
	curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	if (conf.user[0]) {
		curl_easy_setopt(h, CURLOPT_USERNAME, conf.user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, conf.password);
	}
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK)
		snprintf(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	return cc == CURLE_OK ? 0 : ERR_IO;
}

typedef struct outmsg {
	int64_t id, attempts;
	char tenant[16], to[256];
	char *subject, *body;
	char *kept;  /* redact: the body kept, its secret replaced (NULL when out of memory: none kept) */
	int redact;  /* its life ends now and it carried a secret */
	int claimed, rc;
	char err[200];
} outmsg_t;

typedef struct batch {
	outmsg_t m[MAIL_BATCH];
	int n;
	int64_t now;
} batch_t;

static int claim_tx(store_conn_t *c, void *ud)
{
	batch_t *b = ud;
	for (int i = 0; i < b->n; i++) {
		int rc = store_exec(c, "UPDATE mail_outbox SET lease_until = ? WHERE id = ? AND lease_until < ? "
				       "AND sent_at IS NULL AND failed_at IS NULL",
				    "iii", b->now + MAIL_LEASE, b->m[i].id, b->now);
		if (rc < 0)
			return rc;
		b->m[i].claimed = rc == 1;
	}
	return 0;
}

static int result_tx(store_conn_t *c, void *ud)
{
	batch_t *b = ud;
	for (int i = 0; i < b->n; i++) {
		outmsg_t *m = &b->m[i];
		int rc;
		if (!m->claimed)
			continue;
		if (m->redact && (rc = store_exec(c, "UPDATE mail_outbox SET body = ? WHERE id = ?", "ti",
						  m->kept ? m->kept : MAIL_SECRET_REMOVED, m->id)) < 0)
			return rc;
		if (m->rc == 0)
			rc = store_exec(c, "UPDATE mail_outbox SET sent_at = ?, attempts = attempts + 1, lease_until = 0 "
					   "WHERE id = ?", "ii", b->now, m->id);
		else if (m->attempts + 1 >= MAIL_ATTEMPTS)
			rc = store_exec(c, "UPDATE mail_outbox SET failed_at = ?, attempts = attempts + 1, lease_until = 0, "
					   "last_error = ? WHERE id = ?", "iti", b->now, m->err, m->id);
		else
			rc = store_exec(c, "UPDATE mail_outbox SET next_at = ?, attempts = attempts + 1, lease_until = 0, "
					   "last_error = ? WHERE id = ?", "iti", b->now + backoff[m->attempts], m->err, m->id);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void batch_free(batch_t *b)
{
	for (int i = 0; i < b->n; i++) {
		free(b->m[i].subject);
		if (b->m[i].body)
			sodium_memzero(b->m[i].body, strlen(b->m[i].body));
		free(b->m[i].body);
		free(b->m[i].kept);
	}
	b->n = 0;
}

int mail_send_due(store_t *st, int64_t now, int *ret_sent, int *ret_failed)
{
	store_conn_t *c;
	batch_t *b;
	int rc = 0, sent = 0, failed = 0;
	if (ret_sent)
		*ret_sent = 0;
	if (ret_failed)
		*ret_failed = 0;
	if (!mail_configured())
		return 0; /* nothing is queued without a server either */
	if (!(c = store_reader(st)))
		return ERR_UNAVAILABLE;
	if (!(b = calloc(1, sizeof(*b))))
		return ERR_NOMEM;
	b->now = now;
	for (;;) {
		store_stmt_t *s;
		rc = store_prepare(c, "SELECT id, tenant, recipient, subject, body, attempts FROM mail_outbox "
				      "WHERE sent_at IS NULL AND failed_at IS NULL AND next_at <= ? AND lease_until < ? "
				      "ORDER BY id LIMIT 20", &s);
		if (rc < 0)
			break;
		store_bindf(s, "ii", now, now);
		while ((rc = store_step(s)) == STORE_ROW && b->n < MAIL_BATCH) {
			outmsg_t *m = &b->m[b->n++];
			memset(m, 0, sizeof(*m));
			m->id = store_col_int64(s, 0);
			snprintf(m->tenant, sizeof(m->tenant), "%s", store_col_text(s, 1));
			snprintf(m->to, sizeof(m->to), "%s", store_col_text(s, 2));
			m->subject = strdup(store_col_text(s, 3) ? store_col_text(s, 3) : "");
			m->body = strdup(store_col_text(s, 4) ? store_col_text(s, 4) : "");
			m->attempts = store_col_int64(s, 5);
			if (!m->subject || !m->body) {
				rc = ERR_NOMEM; /* not overwritten by a further store_step */
				break;
			}
		}
		store_finalize(s);
		if (rc < 0 || b->n == 0)
			break;
		if ((rc = store_tx(st, claim_tx, b)) < 0)
			break;
		for (int i = 0; i < b->n; i++) {
			outmsg_t *m = &b->m[i];
			sb_t msg = SB_INIT;
			char *text;
			if (!m->claimed)
				continue; /* another instance has it */
			/* the text goes out without the marks around its secret */
			text = unmarked(m->body, NULL);
			m->rc = text ? mail_format(conf.from, m->to, m->subject, text, m->id, now, &msg) : ERR_NOMEM;
			if (text) {
				sodium_memzero(text, strlen(text));
				free(text);
			}
			if (m->rc == 0)
				m->rc = smtp_send(m->to, &msg, m->err, sizeof(m->err));
			else
				snprintf(m->err, sizeof(m->err), "out of memory");
			if (msg.buf)
				sodium_memzero(msg.buf, msg.len);
			sb_release(&msg);
			/* sent or given up: the row keeps no working link */
			m->redact = strchr(m->body, SECRET_OPEN) && (m->rc == 0 || m->attempts + 1 >= MAIL_ATTEMPTS);
			if (m->redact)
				m->kept = unmarked(m->body, MAIL_SECRET_REMOVED);
			if (m->rc == 0)
				sent++;
			else {
				failed++;
				log_warn("e-mail %" PRId64 " to the %s outbox not sent (attempt %" PRId64 "): %s", m->id,
					 m->tenant, m->attempts + 1, m->err);
			}
		}
		rc = store_tx(st, result_tx, b);
		batch_free(b);
		if (rc < 0)
			break;
	}
	batch_free(b);
	free(b);
	if (ret_sent)
		*ret_sent = sent;
	if (ret_failed)
		*ret_failed = failed;
	return rc < 0 ? rc : 0;
}

int mail_job(store_t *st, int64_t now)
{
	return mail_send_due(st, now, NULL, NULL);
}

/* One batch of what MAIL_KEEP_DAYS ended: by the outbox's index
 * (sent_at, failed_at, next_at), the sent ones on its first column, the
 * given-up ones (sent_at NULL) on its first two. */
static int prune_tx(store_conn_t *c, void *ud)
{
	int64_t *io = ud; /* in: the bound; out: how many went */
	int rc = store_exec(c, "DELETE FROM mail_outbox WHERE id IN (SELECT id FROM mail_outbox WHERE sent_at < ? "
			       "UNION ALL SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at < ? LIMIT ?)",
			    "iii", io[0], io[0], (int64_t)MAIL_PRUNE_BATCH);
	if (rc < 0)
		return rc;
	io[1] = rc;
	return 0;
}

int mail_outbox_stats(store_conn_t *c, int64_t since, int64_t *waiting, int64_t *oldest, int64_t *given_up)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT COUNT(*), COALESCE(MIN(created_at), 0) FROM mail_outbox "
				  "WHERE sent_at IS NULL AND failed_at IS NULL", &s);
	if (rc < 0)
		return rc;
	rc = store_step(s);
	if (rc == STORE_ROW) {
		*waiting = store_col_int64(s, 0);
		*oldest = store_col_int64(s, 1);
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	return store_query_int64(c, given_up, "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at >= ?", "i",
				 since);
}

int mail_prune_run(store_t *st, int64_t now, int64_t *ret_n)
{
	store_conn_t *c = store_reader(st);
	int64_t io[2] = { now - (int64_t)MAIL_KEEP_DAYS * 86400, 0 }, any = 0, n = 0;
	int rc = 0;
	if (ret_n)
		*ret_n = 0;
	if (!c)
		return ERR_UNAVAILABLE;
	/* a read first: most runs find nothing to forget and need no write */
	rc = store_query_int64(c, &any, "SELECT id FROM mail_outbox WHERE sent_at < ? UNION ALL "
				       "SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at < ? LIMIT 1",
			       "ii", io[0], io[0]);
	if (rc == ERR_NOT_FOUND)
		return 0;
	for (int i = 0; rc >= 0 && i < MAIL_PRUNE_BATCHES; i++) {
		io[1] = 0;
		if ((rc = store_tx(st, prune_tx, io)) < 0)
			break;
		n += io[1];
		if (io[1] < MAIL_PRUNE_BATCH)
			break;
	}
	if (ret_n)
		*ret_n = n;
	return rc < 0 ? rc : 0;
}

int mail_prune(store_t *st, int64_t now)
{
	return mail_prune_run(st, now, NULL);
}

/* Another account of the tenant (not deleted) with the same address: a
 * household's shared mailbox. */
static int address_shared(store_conn_t *c, const char *tenant, const char *address, int64_t user_id, int64_t *ret_n)
{
	return store_query_int64(c, ret_n, "SELECT COUNT(*) FROM users WHERE tenant = ? AND email = ? AND id <> ? "
					   "AND deleted_at IS NULL", "tti", tenant, address, user_id);
}

int mail_list_to(store_conn_t *c, const char *tenant, const char *address, int64_t user_id, mail_item_fn fn, void *ud)
{
	store_stmt_t *s;
	int64_t shared = 0;
	int rc, n = 0;
	if (!address || !*address)
		return 0;
	if ((rc = address_shared(c, tenant, address, user_id, &shared)) < 0)
		return rc;
	if (shared)
		return 0; /* they would be other people's messages too */
	rc = store_prepare(c, "SELECT created_at, sent_at, failed_at, subject FROM mail_outbox WHERE tenant = ? AND "
			      "recipient = ? ORDER BY id", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", tenant, address);
	while ((rc = store_step(s)) == STORE_ROW) {
		mail_item_t it = { store_col_int64(s, 0), store_col_int64(s, 1), store_col_int64(s, 2),
				   store_col_text(s, 3) ? store_col_text(s, 3) : "" };
		n++;
		if (fn && fn(ud, &it))
			break;
	}
	store_finalize(s);
	return rc < 0 ? rc : n;
}

int mail_forget_tx(store_conn_t *c, const char *tenant, const char *address, int64_t user_id, int64_t *ret_n)
{
	int64_t shared = 0;
	int rc;
	*ret_n = 0;
	if (!address || !*address)
		return 0;
	if ((rc = address_shared(c, tenant, address, user_id, &shared)) < 0)
		return rc;
	if (shared)
		return 0;
	/* sent, failed or still waiting: none goes out any more */
	rc = store_exec(c, "DELETE FROM mail_outbox WHERE tenant = ? AND recipient = ?", "tt", tenant, address);
	if (rc < 0)
		return rc;
	*ret_n = rc;
	return 0;
}
