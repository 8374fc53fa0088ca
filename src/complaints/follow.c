/*
 * follow.c: "Saya juga mengalami ini". A citizen who finds their problem
 * already reported follows that complaint instead of filing it again: a
 * signed-in citizen by their account, a visitor by an e-mail address alone.
 * Followers hear when the complaint is answered, forwarded, archived or
 * merged (the follows then move to the complaint it went into); the count
 * of followers shows on the complaint's page. A visitor's follows by
 * address become their account's once the account proves the address is
 * its own (a link sent to it, auth/account.h). Table complaints_follows
 * (migrations 30, 31). See docs/complaints.md, "Following a complaint",
 * and docs/privacy.md.
 */
#include "complaints/complaints.h"
#include "complaints/internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/account.h"
#include "auth/auth.h"
#include "core/err.h"
#include "core/nls.h"
#include "platform/platform.h"
#include "core/banned.h"

static int open_status(const char *st)
{
	return !strcmp(st, "baru") || !strcmp(st, "tunda") || !strcmp(st, "disposisi");
}

/* The address as it is kept and compared: without the spaces around it,
 * lower-cased (one follow per address, however it was typed). */
static void email_key(const char *in, char *out, size_t n)
{
	size_t o = 0;
	while (*in && isspace((unsigned char)*in))
		in++;
	for (; *in && o + 1 < n; in++)
		out[o++] = (char)tolower((unsigned char)*in);
	while (o && isspace((unsigned char)out[o - 1]))
		o--;
	out[o] = '\0';
}

/* The e-mail to an address alone: what happened, the text (already masked
 * for the public), the link to the page, and with a token the link that
 * stops the e-mails. That link works as long as the follow lasts, for
 * whoever holds it, so it is queued as a secret (mail_enqueue_secret): it
 * goes out as written and the outbox's row, kept 30 days after sending and
 * in backups and tenant exports, holds "[dihapus]" instead of the token
 * once the message is sent or given up (docs/privacy.md). */
static int mail_follower(store_conn_t *c, const char *tenant, int64_t id, const char *email, const char *lang,
			 const char *number, const char *what, const char *text, const char *token, int64_t now)
{
	char subject[CPL_MAIL_SUBJECT], link[CPL_MAIL_LINK];
	sb_t body = SB_INIT;
	int rc;
	if (!mail_configured() || !mail_valid_address(email))
		return 0;
	complaints_mail_head(&body, subject, link, tenant, id, lang, number, what, text);
	if (link[0])
		sb_addf(&body, "%s\n\n", link);
	if (token && link[0])
		sb_addf(&body, "%s\n%s/berhenti-ikuti?k=%s\n", mail_translate(lang, N_("Berhenti mengikuti laporan ini:")),
			link, token);
	else
		sb_addf(&body, "%s\n", mail_translate(lang, N_("Anda menerima e-mail ini karena mengikuti laporan ini.")));
	if (body.err)
		rc = ERR_NOMEM;
	else if (token && link[0])
		rc = mail_enqueue_secret(c, tenant, email, lang, subject, body.buf, token, now);
	else
		rc = mail_enqueue(c, tenant, email, lang, subject, body.buf, now);
	sb_release(&body);
	return rc;
}

int complaints_follow_tx(store_conn_t *c, const char *tenant, int64_t id, int64_t user_id, const char *email,
			 const char *lang, int64_t now, int *ret_new, char ret_token[CPL_FOLLOW_TOKEN],
			 const char **ret_msgid)
{
	char st[24] = "", number[48] = "", key[128] = "", hash[65] = "";
	int64_t reporter = 0, have = 0;
	store_stmt_t *s;
	int rc;
	*ret_new = 0;
	*ret_msgid = NULL;
	if (ret_token)
		ret_token[0] = '\0';
	lang = lang && !strcmp(lang, "en") ? "en" : "id";
	if (user_id <= 0) {
		const char *m;
		if (email)
			email_key(email, key, sizeof(key));
		if (!key[0]) {
			*ret_msgid = N_("alamat e-mail wajib diisi untuk mengikuti tanpa akun");
			return ERR_INVALID;
		}
		/* the address checked as kept (a long one as typed: refused) */
		if (complaints_email_check(strlen(email) >= sizeof(key) ? email : key, &m) < 0) {
			*ret_msgid = m;
			return ERR_INVALID;
		}
	}
	if ((rc = store_prepare(c, "SELECT status, reporter_user_id, number FROM complaints WHERE tenant = ? AND id = ?",
				&s)) < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	if ((rc = store_step(s)) == STORE_ROW) {
		copy(st, sizeof(st), store_col_text(s, 0));
		reporter = store_col_int64(s, 1);
		copy(number, sizeof(number), store_col_text(s, 2));
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	if (!st[0] || !strcmp(st, "arsip")) {
		*ret_msgid = N_("pengaduan tidak ditemukan");
		return ERR_NOT_FOUND;
	}
	if (!open_status(st)) {
		*ret_msgid = N_("laporan ini sudah tidak terbuka, sehingga tidak dapat diikuti lagi");
		return ERR_CONFLICT;
	}
	if (user_id > 0 && user_id == reporter) {
		*ret_msgid = N_("Anda pelapor laporan ini; kabar tentang laporan ini sudah sampai kepada Anda");
		return ERR_FORBIDDEN;
	}
	rc = store_query_int64(c, &have,
			       "SELECT COUNT(*) FROM complaints_follows WHERE tenant = ? AND complaint_id = ? AND user_id = ? "
			       "AND email = ?",
			       "tiit", tenant, id, user_id > 0 ? user_id : 0, user_id > 0 ? "" : key);
	if (rc < 0)
		return rc;
	if (have)
		return 0; /* following already: nothing new, no second e-mail */
	if (user_id <= 0) {
		unsigned char raw[16];
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(ret_token, CPL_FOLLOW_TOKEN, raw, sizeof(raw));
		auth_sha256_hex(ret_token, strlen(ret_token), hash);
	}
	rc = store_exec(c,
			"INSERT INTO complaints_follows (tenant, complaint_id, user_id, email, lang, token_hash, created_at) "
			"VALUES (?, ?, ?, ?, ?, ?, ?)",
			"tiittti", tenant, id, user_id > 0 ? user_id : 0, user_id > 0 ? "" : key, lang, hash, now);
	if (rc < 0)
		return rc;
	*ret_new = 1;
	if (user_id <= 0 &&
	    (rc = mail_follower(c, tenant, id, key, lang, number, N_("Anda mengikuti laporan ini"),
				mail_translate(lang, N_("Anda akan menerima e-mail ketika laporan ini dijawab, "
							"diteruskan, ditutup atau digabung.")),
				ret_token, now)) < 0)
		return rc;
	complaints_touch();
	return 0;
}

int complaints_unfollow_tx(store_conn_t *c, const char *tenant, int64_t id, int64_t user_id, const char *token)
{
	int rc;
	if (user_id > 0) {
		rc = store_exec(c, "DELETE FROM complaints_follows WHERE tenant = ? AND complaint_id = ? AND user_id = ?",
				"tii", tenant, id, user_id);
	} else {
		char hash[65];
		size_t n = token ? strlen(token) : 0;
		if (n != CPL_FOLLOW_TOKEN - 1)
			return ERR_NOT_FOUND;
		for (size_t i = 0; i < n; i++)
			if (!isxdigit((unsigned char)token[i]))
				return ERR_NOT_FOUND;
		auth_sha256_hex(token, n, hash);
		rc = store_exec(c,
				"DELETE FROM complaints_follows WHERE tenant = ? AND complaint_id = ? AND user_id = 0 "
				"AND token_hash = ?",
				"tit", tenant, id, hash);
	}
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_NOT_FOUND;
	complaints_touch();
	return 0;
}

int complaints_follow_count(store_conn_t *c, const char *tenant, int64_t id, int64_t *ret_n)
{
	return store_query_int64(c, ret_n, "SELECT COUNT(*) FROM complaints_follows WHERE tenant = ? AND complaint_id = ?",
				 "ti", tenant, id);
}

int complaints_following(store_conn_t *c, const char *tenant, int64_t id, int64_t user_id)
{
	int64_t n = 0;
	int rc;
	if (user_id <= 0)
		return 0;
	rc = store_query_int64(c, &n,
			       "SELECT COUNT(*) FROM complaints_follows WHERE tenant = ? AND complaint_id = ? AND user_id = ?",
			       "tii", tenant, id, user_id);
	return rc < 0 ? rc : n > 0;
}

#define TELL_BATCH 200

struct follower {
	int64_t user;
	char email[128], lang[4];
};

/* Tells every follower of complaint id (number): a notification to an
 * account (which also goes by e-mail when the account has an address, in
 * its language), an e-mail to an address alone, in the language it was
 * given in. what is a msgid; text is shown as the public reads it. The
 * notification is about obj_id (the complaint, or the one it went into). */
int complaints_follow_tell_tx(store_conn_t *c, const char *tenant, int64_t id, int64_t obj_id, const char *obj_number, const char *what, const char *text, int64_t now)
{
	struct follower *f = calloc(TELL_BATCH, sizeof(*f));
	char *shown = strdup(text ? text : "");
	store_stmt_t *s;
	int64_t after_user = -1;
	char after_email[128] = "";
	int n, rc = 0;
	if (!f || !shown) {
		free(f);
		free(shown);
		return ERR_NOMEM;
	}
	/* written for someone else: read as the public reads it */
	complaints_mask_personal(shown);
	do {
		n = 0;
		rc = store_prepare(c,
				   "SELECT user_id, email, lang FROM complaints_follows WHERE tenant = ? AND complaint_id = ? "
				   "AND (user_id > ? OR (user_id = ? AND email > ?)) ORDER BY user_id, email LIMIT ?",
				   &s);
		if (rc < 0)
			break;
		store_bindf(s, "tiiitd", tenant, id, after_user, after_user, after_email, TELL_BATCH);
		while ((rc = store_step(s)) == STORE_ROW && n < TELL_BATCH) {
			f[n].user = store_col_int64(s, 0);
			copy(f[n].email, sizeof(f[n].email), store_col_text(s, 1));
			copy(f[n].lang, sizeof(f[n].lang), store_col_text(s, 2));
			n++;
		}
		store_finalize(s);
		for (int i = 0; rc >= 0 && i < n; i++) {
			if (f[i].user > 0)
				rc = notify(c, tenant, f[i].user, NULL, NULL, "complaint.followed", obj_id, obj_number, what,
					    now);
			else
				rc = mail_follower(c, tenant, obj_id, f[i].email, f[i].lang, obj_number, what, shown, NULL,
						   now);
		}
		if (n) {
			after_user = f[n - 1].user;
			copy(after_email, sizeof(after_email), f[n - 1].email);
		}
	} while (rc >= 0 && n == TELL_BATCH);
	free(f);
	free(shown);
	return rc < 0 ? rc : 0;
}

/* The follows of id move to into (merged): but for into's own reporter and
 * those who follow into already. Then id's are gone. */
int complaints_follow_move_tx(store_conn_t *c, const char *tenant, int64_t id, int64_t into)
{
	int rc = store_exec(c,
			    "INSERT INTO complaints_follows (tenant, complaint_id, user_id, email, lang, token_hash, created_at) "
			    "SELECT f.tenant, ?, f.user_id, f.email, f.lang, f.token_hash, f.created_at "
			    "FROM complaints_follows f WHERE f.tenant = ? AND f.complaint_id = ? "
			    "AND NOT EXISTS (SELECT 1 FROM complaints_follows g WHERE g.tenant = f.tenant "
			    "AND g.complaint_id = ? AND g.user_id = f.user_id AND g.email = f.email) "
			    "AND NOT EXISTS (SELECT 1 FROM complaints k WHERE k.tenant = f.tenant AND k.id = ? "
			    "AND f.user_id > 0 AND k.reporter_user_id = f.user_id)",
			    "itiii", into, tenant, id, into, into);
	if (rc < 0)
		return rc;
	return complaints_follow_drop_tx(c, tenant, id);
}

int complaints_follow_drop_tx(store_conn_t *c, const char *tenant, int64_t id)
{
	int rc = store_exec(c, "DELETE FROM complaints_follows WHERE tenant = ? AND complaint_id = ?", "ti", tenant, id);
	return rc < 0 ? rc : 0;
}

static int follows_json(store_conn_t *c, const char *tenant, int64_t user_id, int tz, int limit, json_t **ret)
{
	store_stmt_t *s;
	json_t *arr = json_array();
	int rc;
	*ret = NULL;
	if (!arr)
		return ERR_NOMEM;
	/* the export: every one, oldest first; the page: the newest */
	rc = store_prepare(c,
			   limit > 0 ? "SELECT k.id, k.number, k.status, k.title, f.created_at FROM complaints_follows f "
				       "JOIN complaints k ON k.tenant = f.tenant AND k.id = f.complaint_id "
				       "WHERE f.tenant = ? AND f.user_id = ? ORDER BY f.created_at DESC, k.id DESC LIMIT ?"
				     : "SELECT k.id, k.number, k.status, k.title, f.created_at FROM complaints_follows f "
				       "JOIN complaints k ON k.tenant = f.tenant AND k.id = f.complaint_id "
				       "WHERE f.tenant = ? AND f.user_id = ? ORDER BY f.created_at, k.id",
			   &s);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	if (limit > 0)
		store_bindf(s, "tid", tenant, user_id, limit);
	else
		store_bindf(s, "ti", tenant, user_id);
	while ((rc = store_step(s)) == STORE_ROW) {
		char url[96], since[CAL_INSTANT_LEN], *title = strdup(store_col_text(s, 3));
		int64_t cid = store_col_int64(s, 0);
		if (!title) {
			rc = ERR_NOMEM;
			break;
		}
		complaints_mask_personal(title);
		snprintf(url, sizeof(url), "/t/%s/pengaduan/%" PRId64, tenant, cid);
		cal_format_instant(store_col_int64(s, 4), tz, since);
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)cid, "number",
						     store_col_text(s, 1), "url", url, "status", store_col_text(s, 2),
						     "title", title, "since", since));
		free(title);
	}
	store_finalize(s);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*ret = arr;
	return 0;
}

int complaints_follows_export(store_conn_t *c, const char *tenant, int64_t user_id, int tz, json_t **ret)
{
	return follows_json(c, tenant, user_id, tz, 0, ret);
}

int complaints_follows_list(store_conn_t *c, const char *tenant, int64_t user_id, int tz, int limit, json_t **ret)
{
	return follows_json(c, tenant, user_id, tz, limit, ret);
}

/* ---------------------------------------------------------------- an address's follows, the account's later */

int complaints_follow_offer_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *username,
			       const char *email, const char *lang, int64_t now, int *ret_sent)
{
	char key[128], token[ACCOUNT_CONFIRM_TOKEN], path[160], link[CPL_MAIL_LINK];
	int64_t n = 0;
	sb_t body = SB_INIT;
	int rc;
	*ret_sent = 0;
	lang = lang && !strcmp(lang, "en") ? "en" : "id";
	if (user_id <= 0 || !email || strlen(email) >= sizeof(key) || !mail_configured() ||
	    !mail_page_link(tenant, "", link, sizeof(link)))
		return 0;
	email_key(email, key, sizeof(key));
	if (!key[0] || !mail_valid_address(key))
		return 0;
	/* nothing followed by the address alone: nothing to say */
	rc = store_query_int64(c, &n,
			       "SELECT COUNT(*) FROM complaints_follows WHERE tenant = ? AND email = ? AND user_id = 0",
			       "tt", tenant, key);
	if (rc < 0 || n == 0)
		return rc < 0 ? rc : 0;
	rc = account_confirm_start_tx(c, tenant, user_id, key, now, token);
	if (rc == ERR_RATE_LIMITED)
		return 0; /* the account's links this hour are sent: the mailbox has one */
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), CPL_CLAIM_PATH "/%s", token);
	mail_page_link(tenant, path, link, sizeof(link));
	sb_addf(&body,
		mail_translate(lang, N_("Akun warga \"%s\" di sigap memakai alamat e-mail ini. Dengan alamat ini saja, "
					"tanpa akun, Anda mengikuti %d laporan di sini.")),
		username, (int)n);
	sb_addf(&body, "\n\n%s\n\n%s\n\n",
		mail_translate(lang, N_("Bila akun itu milik Anda, buka tautan ini dan masuk dengan akun itu: laporan "
					"tersebut menjadi laporan yang diikuti akun Anda, tampil di \"Laporan saya\", "
					"dan kabarnya sampai sekali saja. Tautan berlaku 7 hari dan hanya bisa dipakai "
					"sekali.")),
		link);
	sb_adds(&body, mail_translate(lang, N_("Bila akun itu bukan milik Anda, abaikan pesan ini: tidak ada yang "
					       "berubah, dan laporan itu tetap diikuti dengan alamat ini saja.")));
	sb_addch(&body, '\n');
	rc = body.err ? ERR_NOMEM
		      : mail_enqueue_secret(c, tenant, key, lang,
					    mail_translate(lang, N_("Pindahkan laporan yang Anda ikuti ke akun Anda")),
					    body.buf, token, now);
	sb_release(&body);
	sodium_memzero(token, sizeof(token));
	if (rc < 0)
		return rc;
	*ret_sent = 1;
	return 0;
}

int complaints_follow_claim_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *email,
			       int64_t *ret_moved, int64_t *ret_dropped)
{
	char key[128];
	int rc;
	if (ret_moved)
		*ret_moved = 0;
	if (ret_dropped)
		*ret_dropped = 0;
	if (user_id <= 0 || !email || strlen(email) >= sizeof(key))
		return 0;
	email_key(email, key, sizeof(key));
	if (!key[0])
		return 0;
	/* the account's own complaints (their reporter hears of them as the
	 * reporter) and those it follows already: once is enough */
	rc = store_exec(c,
			"DELETE FROM complaints_follows WHERE tenant = ? AND email = ? AND user_id = 0 AND ("
			"EXISTS (SELECT 1 FROM complaints k WHERE k.tenant = complaints_follows.tenant "
			"AND k.id = complaints_follows.complaint_id AND k.reporter_user_id = ?) "
			"OR EXISTS (SELECT 1 FROM complaints_follows g WHERE g.tenant = complaints_follows.tenant "
			"AND g.complaint_id = complaints_follows.complaint_id AND g.user_id = ?))",
			"ttii", tenant, key, user_id, user_id);
	if (rc < 0)
		return rc;
	if (ret_dropped)
		*ret_dropped = rc;
	/* the rest are the account's: no address, no stop link (the page's
	 * button stops them), since when and the language as they were */
	rc = store_exec(c,
			"UPDATE complaints_follows SET user_id = ?, email = '', token_hash = '' "
			"WHERE tenant = ? AND email = ? AND user_id = 0",
			"itt", user_id, tenant, key);
	if (rc < 0)
		return rc;
	if (ret_moved)
		*ret_moved = rc;
	complaints_touch();
	return 0;
}

int complaints_follow_confirm_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *username,
				 const char *token, int64_t now, int64_t *ret_moved, int64_t *ret_dropped)
{
	char email[256], summary[240];
	int64_t moved = 0, dropped = 0;
	int rc;
	if (ret_moved)
		*ret_moved = 0;
	if (ret_dropped)
		*ret_dropped = 0;
	if ((rc = account_confirm_use_tx(c, tenant, user_id, token, now, email)) < 0 ||
	    (rc = complaints_follow_claim_tx(c, tenant, user_id, email, &moved, &dropped)) < 0)
		return rc;
	if (ret_moved)
		*ret_moved = moved;
	if (ret_dropped)
		*ret_dropped = dropped;
	/* how many, never the address: the leaders read the log */
	snprintf(summary, sizeof(summary),
		 "e-mail address confirmed by the owner through an e-mailed link; follows by that address: %" PRId64
		 " moved to the account, %" PRId64 " dropped (followed already or their own)",
		 moved, dropped);
	return audit_append(c, tenant, now, username, "user.email.confirm", username, summary);
}

static int prune_tx(store_conn_t *c, void *ud)
{
	const int64_t *before = ud;
	int rc = store_exec(c,
			    "DELETE FROM complaints_follows WHERE EXISTS (SELECT 1 FROM complaints k WHERE "
			    "k.tenant = complaints_follows.tenant AND k.id = complaints_follows.complaint_id "
			    "AND k.status NOT IN ('baru', 'tunda', 'disposisi') AND k.updated_at < ?)",
			    "i", *before);
	return rc < 0 ? rc : 0;
}

int complaints_follow_prune(store_t *st, int64_t now)
{
	store_conn_t *c = store_reader(st);
	int64_t any = 0, before = now - (int64_t)CPL_FOLLOW_KEEP_DAYS * 86400;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	/* a read first: most runs find nothing and need no write */
	rc = store_query_int64(c, &any,
			       "SELECT COUNT(*) FROM complaints_follows f JOIN complaints k ON k.tenant = f.tenant "
			       "AND k.id = f.complaint_id WHERE k.status NOT IN ('baru', 'tunda', 'disposisi') "
			       "AND k.updated_at < ?",
			       "i", before);
	if (rc < 0 || !any)
		return rc < 0 ? rc : 0;
	return store_tx(st, prune_tx, &before);
}
