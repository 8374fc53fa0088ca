/*
 * privacy.c: the personal-data export and the deletion of a citizen's
 * account (see privacy.h and docs/privacy.md).
 */
#include "privacy/privacy.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/account.h"
#include "complaints/complaints.h"
#include "core/calendar.h"
#include "core/err.h"
#include "core/nls.h"
#include "platform/platform.h"
#include "services/services.h"
#include "core/banned.h"

/* The audit log's entries about an account, newest first: sign-ins mostly,
 * so a long-lived account has many. The export stops at this many. */
#define ACCOUNT_LOG_MAX 2000

static json_t *instant(int64_t t, int tz)
{
	char buf[CAL_INSTANT_LEN];
	if (!t)
		return json_null();
	cal_format_instant(t, tz, buf);
	return json_string(buf);
}

struct ctx {
	const tenant_t *t;
	const char *lang, *username;
	json_t *arr;
};

static int add_session(void *ud, const account_session_t *s)
{
	struct ctx *x = ud;
	json_array_append_new(x->arr, json_pack("{s:o,s:o,s:b,s:b}", "created_at", instant(s->created_at, x->t->tz_offset),
						"expires_at", instant(s->expires_at, x->t->tz_offset),
						"second_step_pending", s->half, "current", s->current));
	return 0;
}

static int add_note(void *ud, const notify_item_t *it)
{
	struct ctx *x = ud;
	char text[800], path[200];
	json_t *o;
	notify_text(text, sizeof(text), mail_translate(x->lang, it->message), it->subject);
	o = json_pack("{s:o,s:s,s:s,s:b}", "at", instant(it->created_at, x->t->tz_offset), "kind", it->kind ? it->kind : "",
		      "message", text, "seen", it->seen);
	if (o && notify_object_path(x->t->code, it->object, path, sizeof(path)))
		json_object_set_new(o, "url", json_string(path));
	if (o)
		json_array_append_new(x->arr, o);
	return 0;
}

static int add_mail(void *ud, const mail_item_t *it)
{
	struct ctx *x = ud;
	json_array_append_new(x->arr, json_pack("{s:o,s:s,s:o,s:s}", "queued_at", instant(it->created_at, x->t->tz_offset),
						"subject", it->subject, "sent_at", instant(it->sent_at, x->t->tz_offset),
						"status", it->sent_at ? "sent" : it->failed_at ? "failed" : "waiting"));
	return 0;
}

static int add_log(void *ud, int64_t ts, const char *actor, const char *action, const char *summary)
{
	struct ctx *x = ud;
	/* who else acted on the account (an administrator) is not named */
	json_array_append_new(x->arr, json_pack("{s:o,s:s,s:s,s:b}", "at", instant(ts, x->t->tz_offset), "action", action,
						"summary", summary, "by_you", !strcmp(actor, x->username)));
	return 0;
}

int privacy_export(store_conn_t *c, const tenant_t *t, int64_t user_id, const char *current_hash, const char *lang,
		   int64_t now, json_t **ret)
{
	account_t a;
	role_t role = ROLE_NONE;
	struct ctx x = { t, lang, NULL, NULL };
	json_t *doc = NULL, *part;
	int rc;
	*ret = NULL;
	if (!c)
		return ERR_UNAVAILABLE;
	/* one snapshot: the parts agree with each other */
	if ((rc = store_read_begin(c)) < 0)
		return rc;
	if ((rc = account_get(c, t->code, user_id, &a)) < 0)
		goto out;
	if (a.deleted_at) {
		rc = store_fail(ERR_NOT_FOUND, "user %" PRId64 " is deleted", user_id);
		goto out;
	}
	x.username = a.username;
	role_parse(a.role, &role);
	doc = json_pack("{s:s,s:o,s:{s:s,s:s}}", "format", PRIVACY_FORMAT, "generated_at", instant(now, t->tz_offset),
			"tenant", "code", t->code, "name", t->name);
	json_object_set_new(doc, "account",
			    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:o,s:o}", "username", a.username,
				      "full_name", a.full_name, "email", a.email, "phone", a.phone, "nik", a.nik, "role",
				      a.role, "role_label", mail_translate(lang, role_label(role)), "unit", a.unit,
				      "language", a.lang, "two_factor", a.two_factor, "created_at",
				      instant(a.created_at, t->tz_offset), "updated_at", instant(a.updated_at, t->tz_offset)));
	x.arr = json_array();
	json_object_set_new(doc, "sessions", x.arr);
	if ((rc = account_sessions(c, t->code, user_id, current_hash, add_session, &x)) < 0)
		goto out;
	if ((rc = complaints_user_export(c, t->code, user_id, a.username, t->tz_offset, lang, &part)) < 0)
		goto out;
	json_object_set_new(doc, "complaints", part);
	if ((rc = complaints_follows_export(c, t->code, user_id, t->tz_offset, &part)) < 0)
		goto out;
	json_object_set_new(doc, "complaints_followed", part);
	if ((rc = services_user_export(c, t->code, user_id, a.username, t->tz_offset, lang, &part)) < 0)
		goto out;
	json_object_set_new(doc, "applications", part);
	/* the satisfaction survey's answers are kept without the application
	 * or complaint they were about, or who gave them (migration 15): none
	 * can be found as the user's, so none is listed */
	json_object_set_new(doc, "survey_answers", json_array());
	x.arr = json_array();
	json_object_set_new(doc, "notifications", x.arr);
	if ((rc = notify_list_own(c, t->code, user_id, add_note, &x)) < 0)
		goto out;
	x.arr = json_array();
	json_object_set_new(doc, "emails", x.arr);
	if ((rc = mail_list_to(c, t->code, a.email, user_id, add_mail, &x)) < 0)
		goto out;
	x.arr = json_array();
	json_object_set_new(doc, "account_log", x.arr);
	if ((rc = audit_list_about(c, t->code, a.username, ACCOUNT_LOG_MAX, add_log, &x)) < 0)
		goto out;
	rc = 0;
out:
	store_read_end(c);
	if (rc < 0) {
		json_decref(doc);
		return rc;
	}
	*ret = doc;
	return 0;
}

/* ---------------------------------------------------------------- deletion */

int privacy_delete_prepare(store_t *st, const char *tenant, int64_t user_id, const char *username, role_t role,
			   const char *password, const auth_limits_t *lim, int64_t now, privacy_delete_op_t *op,
			   json_t **ret_open)
{
	store_conn_t *c = store_reader(st);
	json_t *open = NULL;
	int rc;
	memset(op, 0, sizeof(*op));
	*ret_open = NULL;
	snprintf(op->tenant, sizeof(op->tenant), "%s", tenant);
	snprintf(op->username, sizeof(op->username), "%s", username);
	op->user_id = user_id;
	op->now = now;
	op->lim = *lim;
	if (role != ROLE_WARGA) {
		/* an official's account is the Pemda's: its administrator
		 * disables it (docs/admin.md) */
		op->msgid = N_("hanya akun warga yang dapat dihapus sendiri; akun pejabat dinonaktifkan oleh administrator Pemda");
		return store_fail(ERR_FORBIDDEN, "'%s' is not a citizen's account", username);
	}
	if (!password || !*password || strlen(password) >= sizeof(op->password)) {
		op->msgid = N_("masukkan kata sandi Anda untuk menghapus akun");
		return store_fail(ERR_INVALID, "no password");
	}
	if (!c)
		return ERR_UNAVAILABLE;
	{
		char subject[96];
		snprintf(subject, sizeof(subject), "del:%s", username);
		if ((rc = auth_attempt_locked(st, tenant, subject, now, &op->retry_after)) < 0)
			return rc;
		if (rc > 0)
			return ERR_RATE_LIMITED;
	}
	if ((rc = services_user_open(c, tenant, user_id, &open)) < 0)
		return rc;
	if (json_array_size(open)) {
		op->msgid = N_("akun belum dapat dihapus: masih ada permohonan yang sedang diproses atau dikembalikan "
			       "untuk perbaikan. Tunggu sampai selesai atau batalkan permohonan itu lebih dahulu.");
		*ret_open = open;
		return store_fail(ERR_CONFLICT, "'%s' has applications in progress", username);
	}
	json_decref(open);
	if ((rc = account_password_hash(c, tenant, user_id, op->hash)) < 0)
		return rc;
	auth_sha256_hex(op->hash, strlen(op->hash), op->hash_sum);
	snprintf(op->password, sizeof(op->password), "%s", password);
	return 0;
}

int privacy_delete_verify(void *ud)
{
	privacy_delete_op_t *op = ud;
	op->ok = auth_verify_password(op->hash, op->password) == 0;
	sodium_memzero(op->password, sizeof(op->password));
	sodium_memzero(op->hash, sizeof(op->hash));
	return 0;
}

int privacy_delete_tx(store_conn_t *c, void *ud)
{
	privacy_delete_op_t *op = ud;
	char subject[96], summary[240];
	account_t a;
	int rc;
	/* the transaction may run again (group commit): results start afresh */
	op->wrong = op->locked = 0;
	op->retry_after = 0;
	op->complaints = op->applications = op->sessions = op->notifications = op->mails = 0;
	op->msgid = NULL;
	snprintf(subject, sizeof(subject), "del:%s", op->username);
	/* guesses sent together all passed prepare's read of the lockout */
	if ((rc = auth_attempt_locked_tx(c, op->tenant, subject, op->now, &op->retry_after)) < 0)
		return rc;
	if (rc > 0)
		return 0;
	if (!op->ok) {
		op->wrong = 1;
		rc = auth_attempt_fail_tx(c, &op->lim, op->tenant, subject, op->username,
					  "wrong password when deleting the account", op->now);
		if (rc < 0)
			return rc;
		op->locked = rc == 1;
		return 0; /* the count commits; nothing else happens */
	}
	if ((rc = account_get(c, op->tenant, op->user_id, &a)) < 0)
		return rc;
	rc = services_user_forget_tx(c, op->tenant, op->user_id, &op->applications);
	if (rc == ERR_CONFLICT) {
		op->msgid = N_("akun belum dapat dihapus: masih ada permohonan yang sedang diproses atau dikembalikan "
			       "untuk perbaikan. Tunggu sampai selesai atau batalkan permohonan itu lebih dahulu.");
		return rc;
	}
	if (rc < 0)
		return rc;
	if ((rc = complaints_user_forget_tx(c, op->tenant, op->user_id, op->username, &op->complaints)) < 0 ||
	    (rc = notify_forget_user_tx(c, op->tenant, op->user_id, &op->notifications)) < 0 ||
	    (rc = mail_forget_tx(c, op->tenant, a.email, op->user_id, &op->mails)) < 0)
		return rc;
	rc = account_forget_tx(c, op->tenant, op->user_id, op->hash_sum, op->now, &op->sessions);
	if (rc == ERR_CONFLICT)
		op->msgid = N_("kata sandi akun ini baru saja diganti; masuk lagi lalu ulangi penghapusan");
	if (rc < 0)
		return rc;
	/* the username is the account's pseudonym, in the log already; what
	 * it held is not written here */
	snprintf(summary, sizeof(summary),
		 "account deleted by its owner; complaints made anonymous: %" PRId64 ", applications kept as records: %" PRId64
		 ", sessions ended: %" PRId64 ", notifications deleted: %" PRId64 ", e-mails deleted: %" PRId64,
		 op->complaints, op->applications, op->sessions, op->notifications, op->mails);
	return audit_append(c, op->tenant, op->now, op->username, "user.delete", op->username, summary);
}
