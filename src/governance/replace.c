/*
 * replace.c: replacing a signing key whose passphrase is lost
 * (docs/governance.md, "Replacing a lost key"). The official asks (the
 * account's password asked again); a second leader approves by signing the
 * retirement of the old key with their own key; the old key moves to the
 * append-only governance_retired_keys at once; the new key can be made a day
 * later (governance_key_insert_tx), and the official can cancel the request
 * until then. Who approves: governance_key_approver_role().
 */
#include "governance/governance.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/err.h"
#include "core/nls.h"
#include "platform/platform.h"
#include "core/banned.h"

static const char *op_word(gov_keyreq_op_t op)
{
	return op == GOV_KEYREQ_ASK ? "minta_ganti_kunci" : op == GOV_KEYREQ_CANCEL ? "batal_ganti_kunci" : "setujui_ganti_kunci";
}

/* A refusal: said to the user and audited, committed with nothing else. */
static int refuse(store_conn_t *c, gov_keyreq_t *k, int code, const char *msgid)
{
	char obj[48], summary[300];
	k->rc = code;
	k->msgid = msgid;
	snprintf(obj, sizeof(obj), "keyreq:%" PRId64, k->id);
	snprintf(summary, sizeof(summary), "ditolak: %s oleh %s: %s", op_word(k->op), role_name(k->role), msgid);
	return audit_append(c, k->tenant, k->now, k->actor, "governance.refused", obj, summary);
}

/* The secret the step needed (the account's password for ASK, the signing
 * key's passphrase for APPROVE), limited like sign-ins under
 * prefix:USERNAME: 1 when that ended the step (locked: k->rc
 * ERR_RATE_LIMITED, nothing tried; wrong: counted, refused and audited), 0
 * to go on (right: the count cleared), < 0 on error. The lockout is read
 * again here since guesses sent together all passed the handler's read
 * before any was counted. */
static int attempt(store_conn_t *c, gov_keyreq_t *k, const char *prefix, int failed, int right, const char *why,
		   const char *msgid)
{
	char subject[96];
	int rc;
	snprintf(subject, sizeof(subject), "%s:%s", prefix, k->actor);
	if ((rc = auth_attempt_locked_tx(c, k->tenant, subject, k->now, &k->retry_after)) != 0) {
		k->rc = ERR_RATE_LIMITED;
		k->msgid = N_("terlalu banyak percobaan yang salah; coba lagi nanti");
		return rc;
	}
	if (failed) {
		if ((rc = auth_attempt_fail_tx(c, &k->lim, k->tenant, subject, k->actor, why, k->now)) < 0)
			return rc;
		k->locked = rc == 1;
		return (rc = refuse(c, k, ERR_FORBIDDEN, msgid)) < 0 ? rc : 1;
	}
	return right ? auth_attempt_clear_tx(c, k->tenant, subject) : 0;
}

typedef struct keyreq_row {
	int64_t id, approved_at;
	char username[64], role[32], old_key[80], state[16], approver_role[32];
} keyreq_row_t;

static int row_load(store_conn_t *c, const char *tenant, int64_t id, keyreq_row_t *r)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT username, role, old_public_key, state, approver_role, approved_at "
				  "FROM governance_key_requests WHERE tenant = ? AND id = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		r->id = id;
		snprintf(r->username, sizeof(r->username), "%s", store_col_text(s, 0));
		snprintf(r->role, sizeof(r->role), "%s", store_col_text(s, 1));
		snprintf(r->old_key, sizeof(r->old_key), "%s", store_col_text(s, 2));
		snprintf(r->state, sizeof(r->state), "%s", store_col_text(s, 3));
		snprintf(r->approver_role, sizeof(r->approver_role), "%s", store_col_text(s, 4));
		r->approved_at = store_col_int64(s, 5);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	return rc;
}

/* The official and every holder of the approving role (up to
 * NOTIFY_MAX_TARGETS in all), each by their account: the dashboard and,
 * when e-mail is on, their address. */
static int tell(store_conn_t *c, gov_keyreq_t *k, const char *username, const char *approver_role, const char *message)
{
	notify_target_t to[NOTIFY_MAX_TARGETS];
	size_t n = 0;
	char obj[48];
	store_stmt_t *s;
	/* the official first, whatever the number of approvers */
	int rc = store_prepare(c, "SELECT id FROM users WHERE tenant = ? AND disabled = 0 AND (username = ? OR role = ?) "
				  "ORDER BY CASE WHEN username = ? THEN 0 ELSE 1 END, id LIMIT 8", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tttt", k->tenant, username, approver_role, username);
	while ((rc = store_step(s)) == STORE_ROW && n < NOTIFY_MAX_TARGETS)
		to[n++] = (notify_target_t){ store_col_int64(s, 0), NULL, NULL };
	store_finalize(s);
	if (rc < 0)
		return rc;
	if (!n)
		return 0;
	snprintf(obj, sizeof(obj), "keyreq:%" PRId64, k->id);
	return notify_add_many(c, k->tenant, to, n, "governance", obj, message, username, k->now);
}

static int ask(store_conn_t *c, gov_keyreq_t *k)
{
	const char *role = role_name(k->role), *approver = governance_key_approver_role(role);
	char pk[80] = "", summary[240];
	int64_t open = 0, id = 0;
	int rc;
	if (!*approver)
		return refuse(c, k, ERR_FORBIDDEN, N_("peran Anda tidak menandatangani usulan"));
	if ((rc = attempt(c, k, "keyreq", k->password_failed, 1, "wrong password when asking for a new signing key",
			  N_("kata sandi salah; permintaan tidak dikirim"))) != 0)
		return rc < 0 ? rc : 0;
	rc = store_query_text(c, pk, sizeof(pk), "SELECT public_key FROM governance_keys WHERE tenant = ? AND username = ?",
			      "tt", k->tenant, k->actor);
	if (rc == ERR_NOT_FOUND)
		/* a key retired by a request cancelled afterwards: asked again */
		rc = store_query_text(c, pk, sizeof(pk), "SELECT public_key FROM governance_retired_keys WHERE tenant = ? AND "
							 "username = ? ORDER BY retired_at DESC LIMIT 1", "tt", k->tenant, k->actor);
	if (rc == ERR_NOT_FOUND)
		return refuse(c, k, ERR_CONFLICT, N_("Anda belum memiliki kunci tanda tangan; buat kunci lebih dahulu"));
	if (rc < 0)
		return rc;
	if ((rc = store_query_int64(c, &open, "SELECT COUNT(*) FROM governance_key_requests WHERE tenant = ? AND "
					      "username = ? AND state IN ('menunggu', 'disetujui')", "tt", k->tenant, k->actor)) < 0)
		return rc;
	if (open > 0)
		return refuse(c, k, ERR_CONFLICT, N_("permintaan penggantian kunci Anda masih berjalan"));
	rc = store_query_int64(c, &id, "INSERT INTO governance_key_requests (tenant, username, role, old_public_key, state, "
				       "approver_role, requested_at) VALUES (?, ?, ?, ?, 'menunggu', ?, ?) RETURNING id",
			       "ttttti", k->tenant, k->actor, role, pk, approver, k->now);
	if (rc < 0)
		return rc;
	k->id = k->ret_id = id;
	snprintf(summary, sizeof(summary), "permintaan penggantian kunci tanda tangan (%.16s...), menunggu persetujuan %s",
		 pk, approver);
	if ((rc = audit_append(c, k->tenant, k->now, k->actor, "governance.key_request", k->actor, summary)) < 0)
		return rc;
	return tell(c, k, k->actor, approver,
		    N_("Permintaan penggantian kunci tanda tangan dibuat; bila bukan Anda yang memintanya, batalkan segera "
		       "di halaman kunci tanda tangan"));
}

static int cancel(store_conn_t *c, gov_keyreq_t *k)
{
	keyreq_row_t r;
	char summary[160];
	int rc = row_load(c, k->tenant, k->id, &r);
	if (rc == ERR_NOT_FOUND || (rc == 0 && strcmp(r.username, k->actor)))
		return refuse(c, k, ERR_NOT_FOUND, N_("permintaan penggantian kunci tidak ditemukan"));
	if (rc < 0)
		return rc;
	if (strcmp(r.state, "menunggu") && strcmp(r.state, "disetujui"))
		return refuse(c, k, ERR_CONFLICT, N_("permintaan penggantian kunci ini sudah selesai atau dibatalkan"));
	rc = store_exec(c, "UPDATE governance_key_requests SET state = 'dibatalkan', closed_at = ?, version = version + 1 "
			   "WHERE tenant = ? AND id = ? AND state = ?", "itit", k->now, k->tenant, k->id, r.state);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return refuse(c, k, ERR_CONFLICT, N_("permintaan penggantian kunci ini sudah selesai atau dibatalkan"));
	snprintf(summary, sizeof(summary), "permintaan penggantian kunci %" PRId64 " dibatalkan (%s)", k->id, r.state);
	if ((rc = audit_append(c, k->tenant, k->now, k->actor, "governance.key_request_cancel", k->actor, summary)) < 0)
		return rc;
	return tell(c, k, k->actor, r.approver_role, N_("Permintaan penggantian kunci tanda tangan dibatalkan"));
}

static int approve(store_conn_t *c, gov_keyreq_t *k)
{
	keyreq_row_t r;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	char have[65], mine[80] = "", sig_hex[2 * crypto_sign_BYTES + 1], summary[300];
	gov_retire_fields_t f;
	int64_t created = 0;
	sb_t m = SB_INIT;
	int rc = row_load(c, k->tenant, k->id, &r);
	if (rc == ERR_NOT_FOUND)
		return refuse(c, k, ERR_NOT_FOUND, N_("permintaan penggantian kunci tidak ditemukan"));
	if (rc < 0)
		return rc;
	if (!strcmp(r.username, k->actor))
		return refuse(c, k, ERR_FORBIDDEN, N_("Anda tidak dapat menyetujui permintaan Anda sendiri"));
	if (strcmp(role_name(k->role), r.approver_role))
		return refuse(c, k, ERR_FORBIDDEN,
			      N_("penggantian kunci disetujui oleh Sekda (untuk Kepala Daerah, Wakil dan kepala OPD) atau "
				 "oleh Kepala Daerah (untuk Sekda)"));
	if (strcmp(r.state, "menunggu"))
		return refuse(c, k, ERR_CONFLICT, N_("permintaan penggantian kunci ini tidak lagi menunggu persetujuan"));
	if ((rc = attempt(c, k, "sign", k->passphrase_failed, k->sk != NULL, "too many wrong signing-key passphrases",
			  N_("frasa sandi kunci tanda tangan salah"))) != 0)
		return rc < 0 ? rc : 0;
	rc = store_query_text(c, mine, sizeof(mine), "SELECT public_key FROM governance_keys WHERE tenant = ? AND username = ?",
			      "tt", k->tenant, k->actor);
	if (rc == ERR_NOT_FOUND)
		return refuse(c, k, ERR_INVALID, N_("Anda belum membuat kunci tanda tangan"));
	if (rc < 0)
		return rc;
	if (!k->sk)
		return refuse(c, k, ERR_INVALID, N_("frasa sandi kunci tanda tangan wajib diisi"));
	crypto_sign_ed25519_sk_to_pk(pk, k->sk);
	sodium_bin2hex(have, sizeof(have), pk, sizeof(pk));
	if (strcmp(have, mine))
		return refuse(c, k, ERR_FORBIDDEN, N_("kunci tanda tangan tidak cocok dengan akun Anda"));
	/* the old key: still current (moved now), or retired already by a
	 * request cancelled after its approval (nothing to move) */
	rc = store_query_int64(c, &created, "SELECT created_at FROM governance_keys WHERE tenant = ? AND username = ? AND "
					    "public_key = ?", "ttt", k->tenant, r.username, r.old_key);
	if (rc < 0 && rc != ERR_NOT_FOUND)
		return rc;
	f = (gov_retire_fields_t){ k->tenant, r.id, r.username, r.role, r.old_key, k->now, k->actor, r.approver_role, have };
	governance_retire_message(&f, &m);
	if (m.err) {
		sb_release(&m);
		return ERR_NOMEM;
	}
	crypto_sign_detached(sig, NULL, (const unsigned char *)m.buf, m.len, k->sk);
	sb_release(&m);
	sodium_bin2hex(sig_hex, sizeof(sig_hex), sig, sizeof(sig));
	if (rc == 0) {
		rc = store_exec(c, "INSERT INTO governance_retired_keys (tenant, public_key, username, role, created_at, "
				   "retired_at, request_id, approved_by, approver_role, approver_key, signature) "
				   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ttttiiittt" "t", k->tenant, r.old_key, r.username,
				r.role, created, k->now, r.id, k->actor, r.approver_role, have, sig_hex);
		if (rc < 0)
			return rc;
		rc = store_exec(c, "DELETE FROM governance_keys WHERE tenant = ? AND username = ? AND public_key = ?", "ttt",
				k->tenant, r.username, r.old_key);
		if (rc < 0)
			return rc;
	}
	rc = store_exec(c, "UPDATE governance_key_requests SET state = 'disetujui', approved_by = ?, approved_at = ?, "
			   "version = version + 1 WHERE tenant = ? AND id = ? AND state = 'menunggu'", "titi", k->actor,
			k->now, k->tenant, r.id);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	snprintf(summary, sizeof(summary), "penggantian kunci %s disetujui dan ditandatangani; kunci %.16s... dipensiunkan; "
					   "kunci baru dapat dibuat 24 jam lagi", r.username, r.old_key);
	if ((rc = audit_append(c, k->tenant, k->now, k->actor, "governance.key_retire", r.username, summary)) < 0)
		return rc;
	return tell(c, k, r.username, r.approver_role,
		    N_("Penggantian kunci tanda tangan disetujui; kunci lama dipensiunkan dan kunci baru dapat dibuat 24 jam "
		       "lagi"));
}

int governance_keyreq_tx(store_conn_t *c, void *ud)
{
	gov_keyreq_t *k = ud;
	/* the transaction may run again (group commit): results start afresh */
	k->rc = 0;
	k->msgid = NULL;
	k->locked = 0;
	k->retry_after = 0;
	k->ret_id = 0;
	if (!k->tenant || !k->actor)
		return ERR_INVALID;
	switch (k->op) {
	case GOV_KEYREQ_ASK:
		k->id = 0;
		return ask(c, k);
	case GOV_KEYREQ_CANCEL:
		return cancel(c, k);
	case GOV_KEYREQ_APPROVE:
		return approve(c, k);
	}
	return ERR_INVALID;
}

static json_t *row_json(store_stmt_t *s)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:I,s:I}", "id", (json_int_t)store_col_int64(s, 0), "username",
			 store_col_text(s, 1), "role", store_col_text(s, 2), "state", store_col_text(s, 3), "approver_role",
			 store_col_text(s, 4), "requested_at", (json_int_t)store_col_int64(s, 5), "approved_by",
			 store_col_text(s, 6), "approved_at", (json_int_t)store_col_int64(s, 7), "ready_at",
			 (json_int_t)(store_col_int64(s, 7) ? store_col_int64(s, 7) + GOV_REPLACE_WAIT : 0));
}

#define ROW_COLS "SELECT id, username, role, state, approver_role, requested_at, approved_by, approved_at " \
		 "FROM governance_key_requests WHERE tenant = ? AND "

int governance_keyreq_list(store_conn_t *c, const char *tenant, const char *username, role_t role, json_t **ret_own,
			   json_t *waiting)
{
	store_stmt_t *s;
	int rc = store_prepare(c, ROW_COLS "username = ? AND state IN ('menunggu', 'disetujui') ORDER BY id DESC LIMIT 1",
			       &s);
	*ret_own = NULL;
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", tenant, username);
	if ((rc = store_step(s)) == STORE_ROW)
		*ret_own = row_json(s);
	store_finalize(s);
	if (rc < 0)
		return rc;
	if (role != ROLE_SEKDA && role != ROLE_KEPALA_DAERAH)
		return 0;
	if ((rc = store_prepare(c, ROW_COLS "state = 'menunggu' AND approver_role = ? AND username <> ? ORDER BY id LIMIT 50",
				&s)) < 0)
		return rc;
	store_bindf(s, "ttt", tenant, role_name(role), username);
	while ((rc = store_step(s)) == STORE_ROW)
		json_array_append_new(waiting, row_json(s));
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int governance_key_retired_only(store_conn_t *c, const char *tenant, const char *username)
{
	int64_t n = 0;
	int rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM governance_retired_keys WHERE tenant = ? AND username = ? "
					  "AND NOT EXISTS (SELECT 1 FROM governance_keys WHERE tenant = ? AND username = ?)",
				   "tttt", tenant, username, tenant, username);
	return rc < 0 ? rc : n > 0;
}
