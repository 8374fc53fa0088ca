/*
 * governance.c: proposals, the signed chain of recommendation, consideration
 * and decision, the DPRD stages, deadlines and verification (see
 * governance.h for the flow and docs/governance.md for the byte layout of
 * what is signed). Every action runs in one write transaction: it reads and
 * checks first (state, role, OPD, version, signing key), and only then
 * writes, so a refusal leaves nothing but its own audit entry behind.
 */
#include "governance/governance.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/users.h"
#include "core/calendar.h"
#include "core/text.h"
#include "core/err.h"
#include "core/nls.h"
#include "platform/platform.h"
#include "tenants/tenants.h"
#include "core/banned.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* ------------------------------------------------------------------ labels */

static const struct {
	const char *code, *label;
} labels[] = {
	{ "draf", N_("Draf") },
	{ "diajukan", N_("Menunggu saran Sekda") },
	{ "pertimbangan", N_("Menunggu pertimbangan Wakil") },
	{ "keputusan", N_("Menunggu keputusan Kepala Daerah") },
	{ "dikembalikan", N_("Dikembalikan untuk perbaikan") },
	{ "disetujui", N_("Disetujui") },
	{ "ditolak", N_("Ditolak") },
	{ "tidak_ditindaklanjuti", N_("Tidak ditindaklanjuti OPD") },
};

static const struct {
	const char *code, *label;
} verdicts[] = {
	{ "setuju", N_("Setuju") },
	{ "tidak_setuju", N_("Tidak setuju") },
	{ "setuju_catatan", N_("Setuju dengan catatan") },
	{ "tolak", N_("Tolak") },
	{ "kembalikan", N_("Kembalikan") },
};

static const struct {
	const char *code, *label;
} step_kinds[] = {
	{ "ajukan", N_("Diajukan oleh Kepala OPD") },
	{ "kembalikan_sekda", N_("Dikembalikan Sekda ke OPD") },
	{ "saran", N_("Saran Sekda") },
	{ "pertimbangan", N_("Pertimbangan Wakil Kepala Daerah") },
	{ "keputusan", N_("Keputusan Kepala Daerah") },
	{ "penetapan", N_("Penetapan Perda oleh Kepala Daerah") },
	{ "pengundangan", N_("Pengundangan Perda oleh Sekda") },
	{ "tolak_pokir", N_("Tidak ditindaklanjuti Kepala OPD") },
};

static const struct {
	const char *code, *label;
} urgencies[] = {
	{ "biasa", N_("biasa") },
	{ "segera", N_("segera") },
	{ "sangat_segera", N_("sangat segera") },
};

static const struct {
	const char *code, *label;
} dprd_stages[] = {
	{ "diajukan", N_("Diajukan ke DPRD") },
	{ "pembahasan", N_("Pembahasan") },
	{ "disetujui", N_("Disetujui DPRD") },
	{ "ditolak", N_("Ditolak DPRD") },
};

const char *governance_urgency_label(const char *urgency)
{
	for (size_t i = 0; urgency && i < sizeof(urgencies) / sizeof(urgencies[0]); i++)
		if (!strcmp(urgencies[i].code, urgency))
			return urgencies[i].label;
	return "";
}

const char *governance_dprd_stage_label(const char *stage)
{
	for (size_t i = 0; stage && i < sizeof(dprd_stages) / sizeof(dprd_stages[0]); i++)
		if (!strcmp(dprd_stages[i].code, stage))
			return dprd_stages[i].label;
	return "";
}

const char *governance_state_label(const char *state)
{
	for (size_t i = 0; state && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(labels[i].code, state))
			return labels[i].label;
	return "";
}

const char *governance_verdict_label(const char *verdict)
{
	for (size_t i = 0; verdict && i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		if (!strcmp(verdicts[i].code, verdict))
			return verdicts[i].label;
	return "";
}

const char *governance_step_verdict_label(const char *kind, const char *verdict)
{
	/* a Sekda's return is signed with the verdict "kembalikan": its label
	 * ("Dikembalikan Sekda ke OPD") already says it */
	if (kind && !strcmp(kind, "kembalikan_sekda"))
		return "";
	return governance_verdict_label(verdict);
}

const char *governance_step_label(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof(step_kinds) / sizeof(step_kinds[0]); i++)
		if (!strcmp(step_kinds[i].code, kind))
			return step_kinds[i].label;
	return "";
}

static int one_of(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

static const char *const KINDS[] = { "usulan", "telaahan", "rancangan", NULL };
static const char *const URGENCIES[] = { "biasa", "segera", "sangat_segera", NULL };
static const char *const ADVICE[] = { "setuju", "tidak_setuju", "setuju_catatan", NULL };
static const char *const DECISIONS[] = { "setuju", "tolak", "kembalikan", NULL };

int governance_urgency_days(const char *urgency)
{
	if (!urgency)
		return -1;
	if (!strcmp(urgency, "biasa"))
		return 10;
	if (!strcmp(urgency, "segera"))
		return 5;
	if (!strcmp(urgency, "sangat_segera"))
		return 2;
	return -1;
}

/* The role a step kind must be signed by. */
static const char *step_role(const char *kind)
{
	if (!strcmp(kind, "ajukan") || !strcmp(kind, "tolak_pokir"))
		return "kepala_opd";
	if (!strcmp(kind, "kembalikan_sekda") || !strcmp(kind, "saran"))
		return "sekda";
	if (!strcmp(kind, "pertimbangan"))
		return "wakil";
	if (!strcmp(kind, "keputusan") || !strcmp(kind, "penetapan"))
		return "kepala_daerah";
	if (!strcmp(kind, "pengundangan"))
		return "sekda";
	return "";
}

/* ------------------------------------------------------------ canonical form */

static void put_field(sb_t *out, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	unsigned char len[4] = { (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
				 (unsigned char)n };
	sb_add(out, len, 4);
	if (n)
		sb_add(out, s, n);
}

static void put_int(sb_t *out, int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	put_field(out, buf);
}

static void sha256_hex(const void *data, size_t len, char out[GOV_HASH_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, GOV_HASH_HEX, h, sizeof(h));
}

void governance_content_hash(const char *tenant, int64_t proposal_id, int64_t version, const char *unit,
			     const gov_content_t *ct, const char *attachments, char out[GOV_HASH_HEX])
{
	sb_t m = SB_INIT;
	put_field(&m, GOV_DOMAIN_CONTENT);
	put_field(&m, tenant);
	put_int(&m, proposal_id);
	put_int(&m, version);
	put_field(&m, unit);
	put_field(&m, ct->kind);
	put_field(&m, ct->title);
	put_field(&m, ct->background);
	put_field(&m, ct->analysis);
	put_field(&m, ct->options);
	put_field(&m, ct->proposed);
	put_field(&m, ct->urgency);
	put_int(&m, ct->needs_dprd ? 1 : 0);
	put_field(&m, attachments);
	sha256_hex(m.buf, m.len, out);
	sb_release(&m);
}

void governance_step_message(const gov_step_fields_t *f, sb_t *out)
{
	put_field(out, GOV_DOMAIN_STEP);
	put_field(out, f->tenant);
	put_int(out, f->proposal_id);
	put_int(out, f->proposal_version);
	put_field(out, f->content_hash);
	put_int(out, f->idx);
	put_field(out, f->kind);
	put_field(out, f->role);
	put_field(out, f->actor);
	put_field(out, f->public_key);
	put_field(out, f->verdict);
	put_field(out, f->note);
	put_field(out, f->extra);
	put_int(out, f->signed_at);
	put_field(out, f->prev_hash);
}

const char *governance_key_approver_role(const char *role)
{
	if (!role)
		return "";
	if (!strcmp(role, "kepala_daerah") || !strcmp(role, "wakil") || !strcmp(role, "kepala_opd"))
		return "sekda";
	if (!strcmp(role, "sekda"))
		return "kepala_daerah";
	return "";
}

void governance_retire_message(const gov_retire_fields_t *f, sb_t *out)
{
	put_field(out, GOV_DOMAIN_RETIRE);
	put_field(out, f->tenant);
	put_int(out, f->request_id);
	put_field(out, f->username);
	put_field(out, f->role);
	put_field(out, f->public_key);
	put_int(out, f->retired_at);
	put_field(out, f->approver);
	put_field(out, f->approver_role);
	put_field(out, f->approver_key);
}

/* step_hash = SHA-256(message || signature bytes) */
static int step_hash(const gov_step_fields_t *f, const char *sig_hex, char out[GOV_HASH_HEX])
{
	unsigned char sig[crypto_sign_BYTES];
	size_t siglen = 0;
	sb_t m = SB_INIT;
	if (!sig_hex || sodium_hex2bin(sig, sizeof(sig), sig_hex, strlen(sig_hex), NULL, &siglen, NULL) < 0 ||
	    siglen != sizeof(sig))
		return ERR_INVALID;
	governance_step_message(f, &m);
	sb_add(&m, sig, sizeof(sig));
	if (m.err) {
		sb_release(&m);
		return ERR_NOMEM;
	}
	sha256_hex(m.buf, m.len, out);
	sb_release(&m);
	return 0;
}

void governance_decision_title(const char *head_title, const char *tenant_name, int64_t seq, int year, char *out,
			       size_t outlen)
{
	static const char *const prefixes[] = { "Kota ", "Kabupaten ", "Provinsi ", NULL };
	const char *name = tenant_name ? tenant_name : "";
	for (int i = 0; prefixes[i]; i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i]))) {
			name += strlen(prefixes[i]);
			break;
		}
	snprintf(out, outlen, "Keputusan %s %s Nomor %" PRId64 "/%d", head_title ? head_title : "", name, seq, year);
}

void governance_perda_title(const char *tenant_name, int64_t seq, int year, char *out, size_t outlen)
{
	snprintf(out, outlen, "Peraturan Daerah %s Nomor %" PRId64 " Tahun %d", tenant_name ? tenant_name : "", seq, year);
}

void governance_lembaran_title(const char *tenant_name, int64_t seq, int year, char *out, size_t outlen)
{
	snprintf(out, outlen, "Lembaran Daerah %s Tahun %d Nomor %" PRId64, tenant_name ? tenant_name : "", year, seq);
}

const char *governance_perda_label(const char *dprd_stage, const char *perda_stage)
{
	if (!dprd_stage || strcmp(dprd_stage, "disetujui"))
		return "";
	if (perda_stage && !strcmp(perda_stage, "diundangkan"))
		return N_("Perda diundangkan");
	if (perda_stage && !strcmp(perda_stage, "ditetapkan"))
		return N_("menunggu pengundangan");
	return N_("menunggu penetapan");
}

void governance_perda_due(const char *approved_day, char out[CAL_DATE_LEN])
{
	int32_t d;
	out[0] = '\0';
	if (approved_day && cal_parse_date(approved_day, &d) == 0)
		cal_format_date(d + GOV_PERDA_DAYS, out);
}

/* ------------------------------------------------------------------- keys */

int governance_key_seal(void *ud)
{
	gov_key_new_t *k = ud;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES];
	unsigned char key[crypto_secretbox_KEYBYTES];
	unsigned char sealed[crypto_secretbox_MACBYTES + crypto_sign_SECRETKEYBYTES];
	int rc = 0;
	crypto_sign_keypair(pk, sk);
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(nonce, sizeof(nonce));
	if (crypto_pwhash(key, sizeof(key), k->passphrase, strlen(k->passphrase), salt,
			  crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
			  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		rc = ERR_NOMEM;
		goto out;
	}
	crypto_secretbox_easy(sealed, sk, crypto_sign_SECRETKEYBYTES, nonce, key);
	sodium_bin2hex(k->pk, sizeof(k->pk), pk, sizeof(pk));
	sodium_bin2hex(k->sealed, sizeof(k->sealed), sealed, sizeof(sealed));
	sodium_bin2hex(k->salt, sizeof(k->salt), salt, sizeof(salt));
	sodium_bin2hex(k->nonce, sizeof(k->nonce), nonce, sizeof(nonce));
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

int governance_key_insert_tx(store_conn_t *c, void *ud)
{
	gov_key_new_t *k = ud;
	int64_t n = 0;
	char summary[160];
	int rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM governance_keys WHERE tenant = ? AND username = ?", "tt",
				   k->tenant, k->username);
	if (rc < 0)
		return rc;
	if (n > 0) {
		k->msgid = N_("Anda sudah memiliki kunci tanda tangan");
		return ERR_EXISTS;
	}
	/* a retired key is replaced only through an approved request, a day
	 * after its approval (replace.c); the request is then done */
	rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM governance_retired_keys WHERE tenant = ? AND username = ?", "tt",
			       k->tenant, k->username);
	if (rc < 0)
		return rc;
	if (n > 0) {
		int64_t rid = 0, at = 0;
		store_stmt_t *s;
		if ((rc = store_prepare(c, "SELECT id, approved_at FROM governance_key_requests WHERE tenant = ? AND "
					   "username = ? AND state = 'disetujui' ORDER BY id DESC LIMIT 1", &s)) < 0)
			return rc;
		store_bindf(s, "tt", k->tenant, k->username);
		if ((rc = store_step(s)) == STORE_ROW) {
			rid = store_col_int64(s, 0);
			at = store_col_int64(s, 1);
		}
		store_finalize(s);
		if (rc < 0)
			return rc;
		if (!rid) {
			k->msgid = N_("kunci lama Anda sudah dipensiunkan; kunci baru hanya dapat dibuat melalui penggantian "
				      "kunci yang disetujui");
			return ERR_CONFLICT;
		}
		if (k->now < at + GOV_REPLACE_WAIT) {
			k->msgid = N_("kunci baru baru dapat dibuat 24 jam setelah penggantian kunci disetujui");
			return ERR_CONFLICT;
		}
		rc = store_exec(c, "UPDATE governance_key_requests SET state = 'selesai', closed_at = ?, version = version + 1 "
				   "WHERE tenant = ? AND id = ? AND state = 'disetujui'", "iti", k->now, k->tenant, rid);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return ERR_CONFLICT;
		k->replaced = rid;
	}
	rc = store_exec(c, "INSERT INTO governance_keys (tenant, username, full_name, role, public_key, sealed_key, salt, "
			   "nonce, opslimit, memlimit, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"ttttttttiii", k->tenant, k->username, k->full_name, k->role, k->pk, k->sealed, k->salt, k->nonce,
			(int64_t)crypto_pwhash_OPSLIMIT_INTERACTIVE, (int64_t)crypto_pwhash_MEMLIMIT_INTERACTIVE, k->now);
	if (rc < 0)
		return rc;
	if (k->replaced)
		snprintf(summary, sizeof(summary), "kunci tanda tangan pengganti dibuat (%.16s...), permintaan %" PRId64,
			 k->pk, k->replaced);
	else
		snprintf(summary, sizeof(summary), "kunci tanda tangan dibuat (%.16s...)", k->pk);
	return audit_append(c, k->tenant, k->now, k->username, "governance.key_create", k->username, summary);
}

static int can_sign(role_t role)
{
	return role == ROLE_KEPALA_OPD || role == ROLE_SEKDA || role == ROLE_WAKIL || role == ROLE_KEPALA_DAERAH;
}

int governance_key_prepare(gov_key_new_t *k, const char *tenant, const char *username, const char *full_name,
			   role_t role, const char *passphrase, int64_t now)
{
	size_t plen = passphrase ? strlen(passphrase) : 0;
	memset(k, 0, sizeof(*k));
	k->tenant = tenant;
	k->username = username;
	k->full_name = full_name && *full_name ? full_name : username;
	k->role = role_name(role);
	k->passphrase = passphrase;
	k->now = now;
	if (!can_sign(role)) {
		k->msgid = N_("peran Anda tidak menandatangani usulan");
		return ERR_INVALID;
	}
	if (plen < GOV_PASSPHRASE_MIN || plen > GOV_PASSPHRASE_MAX) {
		k->msgid = N_("frasa sandi minimal 10 karakter dan maksimal 256 karakter");
		return ERR_INVALID;
	}
	return 0;
}

int governance_key_create(store_t *st, const char *tenant, const char *username, const char *full_name,
			  role_t role, const char *passphrase, int64_t now, const char **ret_msgid)
{
	gov_key_new_t k;
	int rc = governance_key_prepare(&k, tenant, username, full_name, role, passphrase, now);
	if (rc == 0)
		rc = governance_key_seal(&k);
	if (rc == 0)
		rc = store_tx(st, governance_key_insert_tx, &k);
	if (ret_msgid)
		*ret_msgid = k.msgid;
	return rc;
}

int governance_key_exists(store_conn_t *c, const char *tenant, const char *username, char pk_hex[65])
{
	char pk[80];
	int rc = store_query_text(c, pk, sizeof(pk), "SELECT public_key FROM governance_keys WHERE tenant = ? AND username = ?",
				  "tt", tenant, username);
	if (rc == ERR_NOT_FOUND)
		return 0;
	if (rc < 0)
		return rc;
	if (pk_hex)
		snprintf(pk_hex, 65, "%.64s", pk);
	return 1;
}

int governance_key_load(store_conn_t *c, const char *tenant, const char *username, const char *passphrase,
			gov_sealed_key_t *k)
{
	store_stmt_t *s;
	size_t l1 = 0, l2 = 0, l3 = 0;
	int rc;
	memset(k, 0, sizeof(*k));
	if (!passphrase || strlen(passphrase) > GOV_PASSPHRASE_MAX)
		return ERR_UNAUTHORIZED;
	k->passphrase = passphrase;
	rc = store_prepare(c, "SELECT salt, nonce, sealed_key, opslimit, memlimit FROM governance_keys "
			      "WHERE tenant = ? AND username = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", tenant, username);
	rc = store_step(s);
	if (rc != STORE_ROW) {
		store_finalize(s);
		return rc < 0 ? rc : ERR_NOT_FOUND;
	}
	if (sodium_hex2bin(k->salt, sizeof(k->salt), store_col_text(s, 0), strlen(store_col_text(s, 0)), NULL, &l1,
			   NULL) < 0 ||
	    sodium_hex2bin(k->nonce, sizeof(k->nonce), store_col_text(s, 1), strlen(store_col_text(s, 1)), NULL, &l2,
			   NULL) < 0 ||
	    sodium_hex2bin(k->sealed, sizeof(k->sealed), store_col_text(s, 2), strlen(store_col_text(s, 2)), NULL, &l3,
			   NULL) < 0 ||
	    l1 != sizeof(k->salt) || l2 != sizeof(k->nonce) || l3 != sizeof(k->sealed)) {
		store_finalize(s);
		return store_fail(ERR_DB, "signing key of '%s' is malformed", username);
	}
	k->ops = store_col_int64(s, 3);
	k->mem = store_col_int64(s, 4);
	store_finalize(s);
	if (k->ops <= 0 || k->mem <= 0 || k->mem > (int64_t)1 << 32)
		return store_fail(ERR_DB, "signing key of '%s' has bad limits", username);
	return 0;
}

int governance_key_open(void *ud)
{
	gov_sealed_key_t *k = ud;
	unsigned char key[crypto_secretbox_KEYBYTES];
	int rc;
	if (crypto_pwhash(key, sizeof(key), k->passphrase, strlen(k->passphrase), k->salt, (unsigned long long)k->ops,
			  (size_t)k->mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return ERR_NOMEM;
	rc = crypto_secretbox_open_easy(k->sk, k->sealed, sizeof(k->sealed), k->nonce, key) == 0 ? 0 : ERR_UNAUTHORIZED;
	sodium_memzero(key, sizeof(key));
	if (rc < 0)
		sodium_memzero(k->sk, sizeof(k->sk));
	return rc;
}

int governance_key_unseal(store_conn_t *c, const char *tenant, const char *username, const char *passphrase,
			  unsigned char ret_sk[crypto_sign_SECRETKEYBYTES])
{
	gov_sealed_key_t k;
	int rc = governance_key_load(c, tenant, username, passphrase, &k);
	if (rc == 0 && (rc = governance_key_open(&k)) == 0)
		memcpy(ret_sk, k.sk, sizeof(k.sk));
	sodium_memzero(&k, sizeof(k));
	return rc;
}

/* ---------------------------------------------------------------- proposals */

typedef struct prop {
	int64_t id, version, content_version, needs_dprd, is_public;
	char unit[32], kind[24], urgency[24], state[24], dprd_stage[24], origin[16], created_by[64], perda_stage[24];
	char title[4 * GOV_TITLE_MAX + 8];
} prop_t;

static int prop_load(store_conn_t *c, const char *tenant, int64_t id, prop_t *p)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT id, version, content_version, needs_dprd, is_public, unit, kind, urgency, state, "
				  "dprd_stage, origin, created_by, title, perda_stage FROM governance_proposals "
				  "WHERE tenant = ? AND id = ?",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		p->id = store_col_int64(s, 0);
		p->version = store_col_int64(s, 1);
		p->content_version = store_col_int64(s, 2);
		p->needs_dprd = store_col_int64(s, 3);
		p->is_public = store_col_int64(s, 4);
		snprintf(p->unit, sizeof(p->unit), "%s", store_col_text(s, 5));
		snprintf(p->kind, sizeof(p->kind), "%s", store_col_text(s, 6));
		snprintf(p->urgency, sizeof(p->urgency), "%s", store_col_text(s, 7));
		snprintf(p->state, sizeof(p->state), "%s", store_col_text(s, 8));
		snprintf(p->dprd_stage, sizeof(p->dprd_stage), "%s", store_col_text(s, 9));
		snprintf(p->origin, sizeof(p->origin), "%s", store_col_text(s, 10));
		snprintf(p->created_by, sizeof(p->created_by), "%s", store_col_text(s, 11));
		snprintf(p->title, sizeof(p->title), "%s", store_col_text(s, 12));
		snprintf(p->perda_stage, sizeof(p->perda_stage), "%s", store_col_text(s, 13));
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	return rc;
}

static int refuse(gov_action_t *a, int code, const char *msgid)
{
	a->ret_msgid = msgid;
	return code;
}

/* A yes/no field the adapter could not read (a->bad_flag): refused once
 * the role and state checks passed, so that who may not act gets their
 * 403, not the form's rules (as a date that is no date, GOV_NO_DAY). */
static int check_flags(gov_action_t *a)
{
	return a->bad_flag ? refuse(a, ERR_INVALID, a->bad_flag) : 0;
}

static int check_content(gov_action_t *a, const gov_content_t *ct)
{
	if (!ct->title || !*ct->title)
		return refuse(a, ERR_INVALID, N_("judul wajib diisi"));
	if (strlen(ct->title) > GOV_TITLE_MAX)
		return refuse(a, ERR_INVALID, N_("judul terlalu panjang (maksimal 300 karakter)"));
	if (!ct->background || !*ct->background)
		return refuse(a, ERR_INVALID, N_("latar belakang wajib diisi"));
	if (strlen(ct->background) > GOV_TEXT_MAX || (ct->analysis && strlen(ct->analysis) > GOV_TEXT_MAX) ||
	    (ct->options && strlen(ct->options) > GOV_TEXT_MAX) || (ct->proposed && strlen(ct->proposed) > GOV_TEXT_MAX))
		return refuse(a, ERR_INVALID, N_("isian terlalu panjang (maksimal 20.000 karakter per bagian)"));
	if (!text_clean(ct->title, 0) || !text_clean(ct->background, 1) || !text_clean(ct->analysis, 1) ||
	    !text_clean(ct->options, 1) || !text_clean(ct->proposed, 1))
		return refuse(a, ERR_INVALID, N_("isian berisi karakter yang tidak sah"));
	if (!one_of(ct->kind, KINDS))
		return refuse(a, ERR_INVALID, N_("jenis usulan tidak dikenal"));
	if (!one_of(ct->urgency, URGENCIES))
		return refuse(a, ERR_INVALID, N_("sifat usulan harus biasa, segera atau sangat segera"));
	return 0;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* The proposal's attachments as signed: file hashes in ascending order, comma-separated. */
static int attachment_list(store_conn_t *c, const char *tenant, int64_t id, sb_t *out)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT hash FROM governance_attachments WHERE tenant = ? AND proposal_id = ? ORDER BY hash",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW) {
		if (out->len)
			sb_addch(out, ',');
		sb_adds(out, store_col_text(s, 0));
	}
	store_finalize(s);
	if (rc >= 0 && out->err)
		rc = ERR_NOMEM;
	return rc < 0 ? rc : 0;
}

static int insert_version(store_conn_t *c, gov_action_t *a, int64_t id, int64_t version, const char *unit,
			  const gov_content_t *ct)
{
	char hash[GOV_HASH_HEX];
	sb_t att = SB_INIT;
	int rc = attachment_list(c, a->tenant, id, &att);
	if (rc == 0) {
		governance_content_hash(a->tenant, id, version, unit, ct, att.buf, hash);
		rc = store_exec(c, "INSERT INTO governance_versions (tenant, proposal_id, version, kind, unit, title, background, "
				   "analysis, options, proposed, urgency, needs_dprd, attachments, content_hash, created_by, created_at) "
				   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				"tiittttttttittti", a->tenant, id, version, ct->kind, unit, ct->title, nz(ct->background),
				nz(ct->analysis), nz(ct->options), nz(ct->proposed), ct->urgency, (int64_t)(ct->needs_dprd ? 1 : 0),
				att.buf, hash, a->actor, a->now);
	}
	sb_release(&att);
	return rc;
}

/* Due time of a step that starts now: end of the Nth working day after today. */
static int compute_due(store_conn_t *c, const char *tenant, const char *urgency, int64_t now, int64_t *ret)
{
	tenant_t t;
	calendar_t *cal = NULL;
	int32_t today, due;
	int days = governance_urgency_days(urgency), rc;
	if (days < 0)
		days = 10;
	rc = tenant_get(c, tenant, &t);
	if (rc < 0)
		return rc;
	rc = tenant_calendar(c, tenant, &cal);
	if (rc < 0)
		return rc;
	today = cal_local_day(now, t.tz_offset);
	rc = calendar_add_working_days(cal, today, days, &due);
	calendar_free(cal);
	if (rc < 0)
		return rc;
	*ret = cal_local_midnight(due + 1, t.tz_offset) - 1;
	return 0;
}

static int set_state(store_conn_t *c, gov_action_t *a, prop_t *p, const char *state)
{
	int64_t due = 0;
	int rc;
	if (!strcmp(state, "diajukan") || !strcmp(state, "pertimbangan") || !strcmp(state, "keputusan") ||
	    !strcmp(state, "dikembalikan")) {
		rc = compute_due(c, a->tenant, p->urgency, a->now, &due);
		if (rc < 0)
			return rc;
	}
	rc = store_exec(c, "UPDATE governance_proposals SET state = ?, step_since = ?, due_at = ?, reminder = 0, "
			   "updated_at = ?, version = version + 1 WHERE tenant = ? AND id = ? AND version = ?",
			"tiiitii", state, a->now, due, a->now, a->tenant, p->id, p->version);
	if (rc < 0)
		return rc;
	return rc == 0 ? ERR_CONFLICT : 0;
}

/* A notification about proposal id to a role, with its title as the
 * subject: "usulan menunggu tindakan Anda" five times over on a Sekda's
 * dashboard did not say which proposals. */
static int notify_role(store_conn_t *c, gov_action_t *a, int64_t id, const char *role, const char *unit,
		       const char *message, const char *title)
{
	notify_target_t to = { 0, role, unit };
	char obj[48];
	snprintf(obj, sizeof(obj), "proposal:%" PRId64, id);
	return notify_add_about(c, a->tenant, &to, "governance", obj, message, title, a->now);
}

/* The official of the OPD who drafted p (its creator), told of a return
 * or a decision besides the OPD's kepala, who hears of it through the role:
 * the admin OPD who wrote it learnt of it only from the inbox. Only while
 * they are still an official of that OPD (not disabled, not moved), and
 * not when they are a kepala OPD themselves (the role's notification
 * already reaches them). A pokok pikiran's creator is a DPRD member. */
static int notify_drafter(store_conn_t *c, gov_action_t *a, const prop_t *p, const char *message)
{
	notify_target_t to = { 0, NULL, NULL };
	user_info_t u;
	role_t role;
	char obj[48];
	int rc;
	if (!*p->created_by)
		return 0;
	rc = user_get(c, a->tenant, p->created_by, &u);
	if (rc == ERR_NOT_FOUND)
		return 0;
	if (rc < 0)
		return rc;
	if (u.disabled || u.deleted_at || role_parse(u.role, &role) < 0 || !role_needs_unit(role) ||
	    role == ROLE_KEPALA_OPD || strcmp(u.unit, p->unit))
		return 0;
	to.user_id = u.id;
	snprintf(obj, sizeof(obj), "proposal:%" PRId64, p->id);
	return notify_add_about(c, a->tenant, &to, "governance", obj, message, p->title, a->now);
}

static int audit(store_conn_t *c, gov_action_t *a, int64_t id, const char *action, const char *summary)
{
	char obj[48];
	snprintf(obj, sizeof(obj), "proposal:%" PRId64, id);
	return audit_append(c, a->tenant, a->now, a->actor, action, obj, summary);
}

static int op_create(store_conn_t *c, gov_action_t *a, int *writing)
{
	const char *unit = a->actor_unit;
	int64_t id = 0;
	char summary[400];
	int rc;
	if (!role_needs_unit(a->role))
		return refuse(a, ERR_FORBIDDEN, N_("hanya OPD yang dapat menyusun usulan"));
	if (!unit || !*unit)
		return refuse(a, ERR_FORBIDDEN, N_("akun Anda tidak terhubung ke OPD"));
	if ((rc = check_flags(a)) < 0)
		return rc;
	if ((rc = check_content(a, &a->content)) < 0)
		return rc;
	*writing = 1;
	rc = store_query_int64(c, &id,
			       "INSERT INTO governance_proposals (tenant, unit, kind, title, urgency, needs_dprd, is_public, "
			       "state, content_version, origin, created_by, created_at, updated_at) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, 'draf', 1, 'opd', ?, ?, ?) RETURNING id",
			       "tttttiitii", a->tenant, unit, a->content.kind, a->content.title, a->content.urgency,
			       (int64_t)(a->content.needs_dprd ? 1 : 0), (int64_t)(a->content.is_public ? 1 : 0), a->actor,
			       a->now, a->now);
	if (rc < 0)
		return rc;
	a->ret_id = id;
	if ((rc = insert_version(c, a, id, 1, unit, &a->content)) < 0)
		return rc;
	snprintf(summary, sizeof(summary), "usulan disusun: %.300s", a->content.title);
	return audit(c, a, id, "governance.create", summary);
}

static int op_pokir(store_conn_t *c, gov_action_t *a, int *writing)
{
	gov_content_t ct = a->content;
	int64_t id = 0;
	char summary[400];
	int rc;
	if (a->role != ROLE_DPRD)
		return refuse(a, ERR_FORBIDDEN, N_("hanya anggota DPRD yang dapat menyampaikan pokok pikiran"));
	if (!a->unit || !*a->unit)
		return refuse(a, ERR_INVALID, N_("pilih OPD yang dituju"));
	rc = unit_exists(c, a->tenant, a->unit);
	if (rc < 0)
		return rc;
	if (!rc)
		return refuse(a, ERR_INVALID, N_("OPD tidak dikenal"));
	ct.kind = "usulan";
	ct.urgency = "biasa";
	ct.needs_dprd = 0;
	ct.is_public = 0;
	if ((rc = check_content(a, &ct)) < 0)
		return rc;
	*writing = 1;
	rc = store_query_int64(c, &id,
			       "INSERT INTO governance_proposals (tenant, unit, kind, title, urgency, needs_dprd, is_public, "
			       "state, content_version, origin, created_by, created_at, updated_at) "
			       "VALUES (?, ?, ?, ?, ?, 0, 0, 'draf', 1, 'pokir', ?, ?, ?) RETURNING id",
			       "ttttttii", a->tenant, a->unit, ct.kind, ct.title, ct.urgency, a->actor, a->now, a->now);
	if (rc < 0)
		return rc;
	a->ret_id = id;
	if ((rc = insert_version(c, a, id, 1, a->unit, &ct)) < 0)
		return rc;
	snprintf(summary, sizeof(summary), "pokok pikiran DPRD untuk %s: %.300s", a->unit, ct.title);
	if ((rc = audit(c, a, id, "governance.pokir", summary)) < 0)
		return rc;
	return notify_role(c, a, id, "kepala_opd", a->unit, N_("Pokok pikiran DPRD baru menjadi usulan OPD"), ct.title);
}

static int check_opd(gov_action_t *a, const prop_t *p)
{
	if (!role_needs_unit(a->role))
		return refuse(a, ERR_FORBIDDEN, N_("peran Anda tidak berwenang melakukan tindakan ini"));
	if (!a->actor_unit || strcmp(a->actor_unit, p->unit))
		return refuse(a, ERR_FORBIDDEN, N_("usulan ini milik OPD lain"));
	return 0;
}

static int check_version(gov_action_t *a, const prop_t *p)
{
	if (a->expected_version && a->expected_version != p->version)
		return refuse(a, ERR_CONFLICT, N_("data telah diubah orang lain; periksa data terbaru lalu kirim lagi"));
	return 0;
}

static int is_final(const prop_t *p)
{
	return !strcmp(p->state, "disetujui") || !strcmp(p->state, "ditolak");
}

/* A pokok pikiran the kepala OPD declined: final, its content unchanged. */
static int is_declined(const prop_t *p)
{
	return !strcmp(p->state, "tidak_ditindaklanjuti");
}

#define MSG_DECLINED N_("pokok pikiran ini tidak ditindaklanjuti OPD; isinya tidak dapat diubah atau diajukan lagi")

static int op_edit(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	gov_content_t ct = a->content;
	char summary[400];
	int rc;
	if ((rc = check_opd(a, p)) < 0)
		return rc;
	if (is_final(p))
		return refuse(a, ERR_CONFLICT, N_("usulan sudah diputuskan; isinya tidak dapat diubah lagi"));
	if (is_declined(p))
		return refuse(a, ERR_CONFLICT, MSG_DECLINED);
	if (strcmp(p->state, "draf") && strcmp(p->state, "dikembalikan"))
		return refuse(a, ERR_CONFLICT, N_("usulan sedang diproses pimpinan dan tidak dapat diubah"));
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if ((rc = check_flags(a)) < 0)
		return rc;
	if ((rc = check_content(a, &ct)) < 0)
		return rc;
	*writing = 1;
	if ((rc = insert_version(c, a, p->id, p->content_version + 1, p->unit, &ct)) < 0)
		return rc;
	rc = store_exec(c, "UPDATE governance_proposals SET kind = ?, title = ?, urgency = ?, needs_dprd = ?, is_public = ?, "
			   "content_version = content_version + 1, updated_at = ?, version = version + 1 "
			   "WHERE tenant = ? AND id = ? AND version = ?",
			"tttiiitii", ct.kind, ct.title, ct.urgency, (int64_t)(ct.needs_dprd ? 1 : 0),
			(int64_t)(ct.is_public ? 1 : 0), a->now, a->tenant, p->id, p->version);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	snprintf(summary, sizeof(summary), "usulan diubah menjadi versi %" PRId64 ": %.300s", p->content_version + 1,
		 ct.title);
	return audit(c, a, p->id, "governance.edit", summary);
}

/* Loads the current version's content (strings copied into buf). */
struct cur_content {
	gov_content_t ct;
	char *buf[6];
};

static void cur_release(struct cur_content *cc)
{
	for (int i = 0; i < 6; i++)
		free(cc->buf[i]);
}

static int cur_load(store_conn_t *c, const char *tenant, const prop_t *p, struct cur_content *cc)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT title, background, analysis, options, proposed, kind FROM governance_versions "
				  "WHERE tenant = ? AND proposal_id = ? AND version = ?", &s);
	memset(cc, 0, sizeof(*cc));
	if (rc < 0)
		return rc;
	store_bindf(s, "tii", tenant, p->id, p->content_version);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		for (int i = 0; i < 6; i++)
			if (!(cc->buf[i] = strdup(nz(store_col_text(s, i)))))
				rc = ERR_NOMEM;
		if (rc == STORE_ROW) {
			cc->ct = (gov_content_t){ cc->buf[5], cc->buf[0], cc->buf[1], cc->buf[2], cc->buf[3], cc->buf[4],
						  p->urgency, (int)p->needs_dprd, (int)p->is_public };
			rc = 0;
		}
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	if (rc < 0)
		cur_release(cc);
	return rc;
}

static int op_attach(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	struct cur_content cc;
	char summary[400];
	int64_t n = 0;
	int rc;
	if ((rc = check_opd(a, p)) < 0)
		return rc;
	if (is_final(p))
		return refuse(a, ERR_CONFLICT, N_("usulan sudah diputuskan; isinya tidak dapat diubah lagi"));
	if (is_declined(p))
		return refuse(a, ERR_CONFLICT, MSG_DECLINED);
	if (strcmp(p->state, "draf") && strcmp(p->state, "dikembalikan"))
		return refuse(a, ERR_CONFLICT, N_("usulan sedang diproses pimpinan dan tidak dapat diubah"));
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if (!a->file_hash || strlen(a->file_hash) != 64 || !a->file_name || !*a->file_name || strlen(a->file_name) > 200)
		return refuse(a, ERR_INVALID, N_("berkas lampiran tidak valid"));
	rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM governance_attachments WHERE tenant = ? AND proposal_id = ?",
			       "ti", a->tenant, p->id);
	if (rc < 0)
		return rc;
	if (n >= 10)
		return refuse(a, ERR_INVALID, N_("paling banyak 10 lampiran per usulan"));
	rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM governance_attachments WHERE tenant = ? AND proposal_id = ? AND hash = ?",
			       "tit", a->tenant, p->id, a->file_hash);
	if (rc < 0)
		return rc;
	if (n > 0)
		return refuse(a, ERR_CONFLICT, N_("berkas yang sama sudah dilampirkan"));
	if ((rc = cur_load(c, a->tenant, p, &cc)) < 0)
		return rc;
	*writing = 1;
	rc = store_exec(c, "INSERT INTO governance_attachments (tenant, proposal_id, hash, name, mime, size, added_by, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "tittti" "ti", a->tenant, p->id, a->file_hash, a->file_name,
			nz(a->file_mime), a->file_size, a->actor, a->now);
	if (rc >= 0)
		rc = insert_version(c, a, p->id, p->content_version + 1, p->unit, &cc.ct);
	cur_release(&cc);
	if (rc < 0)
		return rc;
	rc = store_exec(c, "UPDATE governance_proposals SET content_version = content_version + 1, updated_at = ?, "
			   "version = version + 1 WHERE tenant = ? AND id = ? AND version = ?", "itii", a->now, a->tenant, p->id,
			p->version);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	snprintf(summary, sizeof(summary), "lampiran ditambahkan (%.16s...): %.200s", a->file_hash, a->file_name);
	return audit(c, a, p->id, "governance.attach", summary);
}

/* Appends a signed step. Everything has been checked; extra may be "". */
struct last_step {
	int64_t idx;
	char hash[GOV_HASH_HEX];
};

static int last_step(store_conn_t *c, const char *tenant, int64_t id, struct last_step *ls)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT idx, step_hash FROM governance_steps WHERE tenant = ? AND proposal_id = ? "
				  "ORDER BY idx DESC LIMIT 1", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		ls->idx = store_col_int64(s, 0);
		snprintf(ls->hash, sizeof(ls->hash), "%s", store_col_text(s, 1));
		rc = 0;
	} else if (rc == STORE_DONE) {
		ls->idx = -1;
		snprintf(ls->hash, sizeof(ls->hash), "%s", ZERO_HASH);
		rc = 0;
	}
	store_finalize(s);
	return rc;
}

/* Checks the signing key before anything is written. */
static int check_key(store_conn_t *c, gov_action_t *a, char pk_hex[65])
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	char have[65];
	int rc = governance_key_exists(c, a->tenant, a->actor, pk_hex);
	if (rc < 0)
		return rc;
	if (!rc)
		return refuse(a, ERR_INVALID, N_("Anda belum membuat kunci tanda tangan"));
	if (!a->sk)
		return refuse(a, ERR_INVALID, N_("frasa sandi kunci tanda tangan wajib diisi"));
	crypto_sign_ed25519_sk_to_pk(pk, a->sk);
	sodium_bin2hex(have, sizeof(have), pk, sizeof(pk));
	if (strcmp(have, pk_hex))
		return refuse(a, ERR_FORBIDDEN, N_("kunci tanda tangan tidak cocok dengan akun Anda"));
	return 0;
}

static int append_step(store_conn_t *c, gov_action_t *a, prop_t *p, const char *kind, const char *verdict,
		       const char *note, const char *extra, const char *pk_hex, int64_t *ret_idx)
{
	struct last_step ls;
	char content_hash[GOV_HASH_HEX], sig_hex[2 * crypto_sign_BYTES + 1], hash[GOV_HASH_HEX];
	unsigned char sig[crypto_sign_BYTES];
	gov_step_fields_t f;
	sb_t m = SB_INIT;
	int rc = last_step(c, a->tenant, p->id, &ls);
	if (rc < 0)
		return rc;
	rc = store_query_text(c, content_hash, sizeof(content_hash),
			      "SELECT content_hash FROM governance_versions WHERE tenant = ? AND proposal_id = ? AND version = ?",
			      "tii", a->tenant, p->id, p->content_version);
	if (rc < 0)
		return rc;
	f = (gov_step_fields_t){ a->tenant, p->id, p->content_version, content_hash, ls.idx + 1, kind, role_name(a->role),
				 a->actor, pk_hex, verdict, note, extra, a->now, ls.hash };
	governance_step_message(&f, &m);
	if (m.err) {
		sb_release(&m);
		return ERR_NOMEM;
	}
	crypto_sign_detached(sig, NULL, (const unsigned char *)m.buf, m.len, a->sk);
	sb_release(&m);
	sodium_bin2hex(sig_hex, sizeof(sig_hex), sig, sizeof(sig));
	if ((rc = step_hash(&f, sig_hex, hash)) < 0)
		return rc;
	rc = store_exec(c, "INSERT INTO governance_steps (tenant, proposal_id, idx, kind, role, actor, actor_name, verdict, "
			   "note, proposal_version, content_hash, prev_hash, extra, public_key, signature, step_hash, signed_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"tiitttttti" "tttttti", a->tenant, p->id, f.idx, kind, f.role, a->actor, nz(a->actor_name), verdict,
			note, p->content_version, content_hash, ls.hash, extra, pk_hex, sig_hex, hash, a->now);
	if (rc < 0)
		return rc;
	if (ret_idx)
		*ret_idx = f.idx;
	return 0;
}

static int note_required(const char *verdict)
{
	return strcmp(verdict, "setuju") != 0;
}

static const char *const WAIT_ROLE[][2] = {
	{ "diajukan", "sekda" }, { "pertimbangan", "wakil" }, { "keputusan", "kepala_daerah" },
};

/* The latest verdict of a step kind (saran, pertimbangan) on proposal id,
 * into out ("" when there is none). At the head's decision the latest ones
 * are those of this round: a proposal the head returned goes through the
 * Sekda and the Wakil again. */
static int latest_verdict(store_conn_t *c, const char *tenant, int64_t id, const char *kind, char out[32])
{
	int rc = store_query_text(c, out, 32,
				  "SELECT verdict FROM governance_steps WHERE tenant = ? AND proposal_id = ? AND kind = ? "
				  "ORDER BY idx DESC LIMIT 1",
				  "tit", tenant, id, kind);
	if (rc == ERR_NOT_FOUND) {
		out[0] = 0;
		rc = 0;
	}
	return rc;
}

/* The head approves what the Sekda advised against, or the Wakil
 * considered against: the reason must be written (and so signed), not
 * only the disagreement. A rejection needs a note anyway. 0 when nothing
 * is missing, else the refusal (or a store error). */
static int approval_against_advice(store_conn_t *c, gov_action_t *a, const prop_t *p, const char *verdict)
{
	char sekda[32], wakil[32];
	int rc;
	if (strcmp(verdict, "setuju"))
		return 0;
	if ((rc = latest_verdict(c, a->tenant, p->id, "saran", sekda)) < 0 ||
	    (rc = latest_verdict(c, a->tenant, p->id, "pertimbangan", wakil)) < 0)
		return rc;
	if (!strcmp(sekda, "tidak_setuju"))
		return refuse(a, ERR_INVALID,
			      N_("Sekda menyarankan tidak setuju: tuliskan pada catatan alasan Anda menyetujui usulan ini"));
	if (!strcmp(wakil, "tidak_setuju"))
		return refuse(a, ERR_INVALID, N_("Wakil Kepala Daerah tidak setuju: tuliskan pada catatan alasan Anda "
						 "menyetujui usulan ini"));
	return 0;
}

static int out_of_turn(gov_action_t *a, const prop_t *p)
{
	if (is_final(p))
		return refuse(a, ERR_CONFLICT, N_("keputusan sudah ditetapkan dan tidak dapat diubah atau diulang"));
	return refuse(a, ERR_CONFLICT, N_("bukan giliran Anda: usulan ini tidak sedang menunggu tindakan Anda"));
}

static int op_signed(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	const char *kind, *need_state, *verdict = nz(a->verdict), *note = nz(a->note), *next;
	role_t need_role;
	char pk_hex[65], extra[400] = "", summary[600];
	int rc, has_note;
	switch (a->op) {
	case GOV_OP_SUBMIT:
		kind = "ajukan", need_role = ROLE_KEPALA_OPD, need_state = NULL, next = "diajukan";
		verdict = "";
		break;
	case GOV_OP_RECOMMEND:
		kind = "saran", need_role = ROLE_SEKDA, need_state = "diajukan", next = "pertimbangan";
		break;
	case GOV_OP_RETURN:
		kind = "kembalikan_sekda", need_role = ROLE_SEKDA, need_state = "diajukan", next = "dikembalikan";
		verdict = "kembalikan";
		break;
	case GOV_OP_CONSIDER:
		kind = "pertimbangan", need_role = ROLE_WAKIL, need_state = "pertimbangan", next = "keputusan";
		break;
	default:
		kind = "keputusan", need_role = ROLE_KEPALA_DAERAH, need_state = "keputusan", next = NULL;
		break;
	}
	if (a->role != need_role)
		return refuse(a, ERR_FORBIDDEN, N_("peran Anda tidak berwenang melakukan tindakan ini"));
	if (a->op == GOV_OP_SUBMIT) {
		if ((rc = check_opd(a, p)) < 0)
			return rc;
		if (strcmp(p->state, "draf") && strcmp(p->state, "dikembalikan"))
			return is_final(p) ? refuse(a, ERR_CONFLICT, N_("usulan sudah diputuskan; isinya tidak dapat diubah lagi"))
			       : is_declined(p) ? refuse(a, ERR_CONFLICT, MSG_DECLINED)
					   : refuse(a, ERR_CONFLICT, N_("usulan sudah diajukan"));
	} else if (strcmp(p->state, need_state)) {
		return out_of_turn(a, p);
	}
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if ((rc = check_flags(a)) < 0)
		return rc;
	/* blanks are no note: a return "  " told the OPD nothing */
	has_note = note[strspn(note, " \t\r\n")] != 0;
	if (strlen(note) > GOV_NOTE_MAX)
		return refuse(a, ERR_INVALID, N_("catatan terlalu panjang (maksimal 4.000 karakter)"));
	if (a->op == GOV_OP_RECOMMEND || a->op == GOV_OP_CONSIDER) {
		if (!one_of(verdict, ADVICE))
			return refuse(a, ERR_INVALID, N_("pilih setuju, tidak setuju, atau setuju dengan catatan"));
		if (note_required(verdict) && !has_note)
			return refuse(a, ERR_INVALID, N_("tuliskan catatan atau alasan"));
		if (a->op == GOV_OP_CONSIDER && !has_note)
			return refuse(a, ERR_INVALID, N_("tuliskan pertimbangan Anda"));
	} else if (a->op == GOV_OP_RETURN) {
		if (!has_note)
			return refuse(a, ERR_INVALID, N_("tuliskan apa yang perlu diperbaiki OPD"));
	} else if (a->op == GOV_OP_DECIDE) {
		if (!one_of(verdict, DECISIONS))
			return refuse(a, ERR_INVALID, N_("pilih setuju, tolak, atau kembalikan"));
		if (note_required(verdict) && !has_note)
			return refuse(a, ERR_INVALID, N_("tuliskan catatan atau alasan"));
		if (!has_note && (rc = approval_against_advice(c, a, p, verdict)) != 0)
			return rc;
	}
	if (a->passphrase_failed)
		return refuse(a, ERR_FORBIDDEN, N_("frasa sandi kunci tanda tangan salah"));
	if ((rc = check_key(c, a, pk_hex)) < 0)
		return rc;

	*writing = 1;
	if (a->op == GOV_OP_DECIDE && strcmp(verdict, "kembalikan")) {
		/* a final decision: number (if approved), token, signed extra */
		tenant_t t;
		int64_t seq = 0, idx = 0;
		char regno[64] = "", number[128] = "", tok[33];
		unsigned char rnd[16];
		int year;
		if ((rc = tenant_get(c, a->tenant, &t)) < 0)
			return rc;
		{
			int y;
			cal_civil_from_days(cal_local_day(a->now, t.tz_offset), &y, NULL, NULL);
			year = y;
		}
		if (!strcmp(verdict, "setuju")) {
			if ((rc = regno_next(c, a->tenant, "KEP", year, &seq, regno, sizeof(regno))) < 0)
				return rc;
			governance_decision_title(t.head_title, t.name, seq, year, number, sizeof(number));
		}
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(tok, sizeof(tok), rnd, sizeof(rnd));
		snprintf(extra, sizeof(extra), "number=%s\nregno=%s\npublic=%d\ntoken=%s", number, regno, a->is_public ? 1 : 0,
			 tok);
		if ((rc = append_step(c, a, p, kind, verdict, note, extra, pk_hex, &idx)) < 0)
			return rc;
		rc = store_exec(c, "INSERT INTO governance_decisions (tenant, proposal_id, token, verdict, number, regno, seq, "
				   "year, title, note, is_public, step_idx, decided_by, decided_at) "
				   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				"titttti" "ittiiti", a->tenant, p->id, tok, verdict, number, regno, seq, (int64_t)year, p->title,
				note, (int64_t)(a->is_public ? 1 : 0), idx, a->actor, a->now);
		if (rc < 0)
			return rc;
		snprintf(a->ret_number, sizeof(a->ret_number), "%s", number);
		snprintf(a->ret_token, sizeof(a->ret_token), "%s", tok);
		next = !strcmp(verdict, "setuju") ? "disetujui" : "ditolak";
	} else {
		if (a->op == GOV_OP_DECIDE)
			next = "dikembalikan";
		if ((rc = append_step(c, a, p, kind, verdict, note, extra, pk_hex, NULL)) < 0)
			return rc;
	}
	if ((rc = set_state(c, a, p, next)) < 0)
		return rc;
	snprintf(summary, sizeof(summary), "%s%s%s (ditandatangani): %.300s", kind, *verdict ? " " : "", verdict, p->title);
	if ((rc = audit(c, a, p->id, a->op == GOV_OP_DECIDE ? "governance.decide" : "governance.step", summary)) < 0)
		return rc;
	/* who works on it next */
	for (size_t i = 0; i < sizeof(WAIT_ROLE) / sizeof(WAIT_ROLE[0]); i++)
		if (!strcmp(next, WAIT_ROLE[i][0]))
			return notify_role(c, a, p->id, WAIT_ROLE[i][1], NULL, N_("Usulan menunggu tindakan Anda"), p->title);
	if (!strcmp(next, "dikembalikan")) {
		rc = notify_role(c, a, p->id, "kepala_opd", p->unit, N_("Usulan dikembalikan untuk perbaikan"), p->title);
		return rc < 0 ? rc : notify_drafter(c, a, p, N_("Usulan dikembalikan untuk perbaikan"));
	}
	{
		/* the outcome itself, to the OPD that proposed it and to the
		 * Sekda and the Wakil who advised (the Sekda heard nothing of a
		 * decision, not even one against the advice) */
		static const char *const told[] = { "kepala_opd", "sekda", "wakil" };
		const char *message = !strcmp(next, "disetujui") ? N_("Usulan disetujui Kepala Daerah")
								 : N_("Usulan ditolak Kepala Daerah");
		rc = 0;
		for (size_t i = 0; rc == 0 && i < sizeof(told) / sizeof(told[0]); i++)
			rc = notify_role(c, a, p->id, told[i], i == 0 ? p->unit : NULL, message, p->title);
		if (rc == 0)
			rc = notify_drafter(c, a, p, message);
	}
	if (rc == 0 && !strcmp(next, "disetujui") && p->needs_dprd)
		rc = notify_role(c, a, p->id, "dprd", NULL, N_("Usulan Kepala Daerah akan diajukan ke DPRD"), p->title);
	return rc;
}

static const char *const DPRD_STAGES[] = { "diajukan", "pembahasan", "disetujui", "ditolak", NULL };

/* Where a DPRD stage comes in the order: 0 diajukan, 1 pembahasan, 2 the
 * outcome (disetujui or ditolak); -1 for anything else. */
static int dprd_pos(const char *stage)
{
	if (!stage)
		return -1;
	if (!strcmp(stage, "diajukan"))
		return 0;
	if (!strcmp(stage, "pembahasan"))
		return 1;
	return !strcmp(stage, "disetujui") || !strcmp(stage, "ditolak") ? 2 : -1;
}

/* A DPRD stage's date refused: msgid names day (the latest or the earliest
 * date allowed) and, for the stage before, stage's label. */
static int refuse_day(gov_action_t *a, int32_t day, const char *stage, const char *msgid)
{
	cal_format_date(day, a->ret_day);
	a->ret_stage = stage;
	return refuse(a, ERR_INVALID, msgid);
}

/* The date rules of a DPRD stage, recorded or corrected: a real date, not
 * in the future (the tenant's today), not before the day the head approved
 * the proposal (which put it before the DPRD: a stage comes only after that
 * approval) and not before the stage prev recorded before it ("" for the
 * first). Only what is recorded now is checked: the dates already stored
 * are only read. A refusal names the date allowed, the nearer event's when
 * both bound it. The date as YYYY-MM-DD into day. */
static int check_stage_day(store_conn_t *c, gov_action_t *a, const prop_t *p, const char *prev, char day[CAL_DATE_LEN])
{
	char prev_day[CAL_DATE_LEN] = "";
	const char *why = NULL, *stage = NULL;
	tenant_t t;
	int64_t decided = 0;
	int32_t today, from = 0, pd;
	int rc;
	if ((rc = tenant_get(c, a->tenant, &t)) < 0)
		return rc;
	if (cal_format_date(a->stage_day, day) < 0)
		return refuse(a, ERR_INVALID, N_("tanggal tahap harus berformat YYYY-MM-DD"));
	today = cal_local_day(a->now, t.tz_offset);
	if (a->stage_day > today)
		return refuse_day(a, today, NULL, N_("tanggal tahap tidak boleh di masa depan: paling lambat hari ini, %s"));
	rc = store_query_int64(c, &decided,
			       "SELECT decided_at FROM governance_decisions WHERE tenant = ? AND proposal_id = ?", "ti",
			       a->tenant, p->id);
	if (rc < 0 && rc != ERR_NOT_FOUND)
		return rc;
	if (rc == 0) {
		from = cal_local_day(decided, t.tz_offset);
		why = N_("tanggal tahap tidak boleh sebelum %s, tanggal usulan disetujui Kepala Daerah");
	}
	if (*prev) {
		rc = store_query_text(c, prev_day, sizeof(prev_day),
				      "SELECT stage_day FROM governance_dprd WHERE tenant = ? AND proposal_id = ? AND stage = ?",
				      "tit", a->tenant, p->id, prev);
		if (rc < 0 && rc != ERR_NOT_FOUND)
			return rc;
		if (rc == 0 && cal_parse_date(prev_day, &pd) == 0 && (!why || pd >= from)) {
			from = pd;
			stage = governance_dprd_stage_label(prev);
			why = N_("tanggal tahap tidak boleh sebelum %s, tanggal tahap sebelumnya (%s)");
		}
	}
	if (why && a->stage_day < from)
		return refuse_day(a, from, stage, why);
	return 0;
}

/* Who may record or correct a DPRD stage of p, and whether p has them. */
static int check_dprd_item(gov_action_t *a, const prop_t *p)
{
	if (a->role != ROLE_SEKDA && a->role != ROLE_DPRD)
		return refuse(a, ERR_FORBIDDEN, N_("peran Anda tidak berwenang melakukan tindakan ini"));
	if (!p->needs_dprd)
		return refuse(a, ERR_CONFLICT, N_("usulan ini tidak memerlukan persetujuan DPRD"));
	if (strcmp(p->state, "disetujui"))
		return refuse(a, ERR_CONFLICT, N_("usulan baru dapat diajukan ke DPRD setelah disetujui Kepala Daerah"));
	return 0;
}

/* The stage was changed: the proposal's version moves on (the lock of every
 * form on its page), the audit log and the other side hear of it. */
static int dprd_changed(store_conn_t *c, gov_action_t *a, prop_t *p, const char *stage, const char *summary,
			const char *action, const char *message)
{
	/* the reminders of the Perda's enactment count from the joint
	 * approval's date: a stage recorded or corrected starts them afresh */
	int rc = store_exec(c, "UPDATE governance_proposals SET dprd_stage = ?, perda_reminder = 0, updated_at = ?, "
			       "version = version + 1 WHERE tenant = ? AND id = ? AND version = ?", "titii", stage, a->now,
			    a->tenant, p->id, p->version);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	if ((rc = audit(c, a, p->id, action, summary)) < 0)
		return rc;
	return notify_role(c, a, p->id, a->role == ROLE_DPRD ? "sekda" : "dprd", NULL, message, p->title);
}

static int op_dprd(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	const char *stage = nz(a->verdict), *want;
	char day[CAL_DATE_LEN], summary[400];
	int rc;
	if ((rc = check_dprd_item(a, p)) < 0)
		return rc;
	if ((rc = check_flags(a)) < 0)
		return rc;
	if (!*stage)
		return refuse(a, ERR_INVALID, N_("pilih tahap DPRD yang dicatat"));
	if (!one_of(stage, DPRD_STAGES))
		return refuse(a, ERR_INVALID, N_("tahap DPRD tidak dikenal"));
	if (!*p->dprd_stage)
		want = "diajukan";
	else if (!strcmp(p->dprd_stage, "diajukan"))
		want = "pembahasan";
	else if (!strcmp(p->dprd_stage, "pembahasan"))
		want = "disetujui|ditolak";
	else
		return refuse(a, ERR_CONFLICT, N_("tahap DPRD sudah selesai"));
	if (strcmp(want, stage) && !(strchr(want, '|') && (!strcmp(stage, "disetujui") || !strcmp(stage, "ditolak"))))
		return refuse(a, ERR_CONFLICT, N_("tahap DPRD harus berurutan: diajukan, pembahasan, lalu disetujui atau ditolak"));
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if ((rc = check_stage_day(c, a, p, p->dprd_stage, day)) < 0)
		return rc;
	if (strlen(nz(a->note)) > GOV_NOTE_MAX)
		return refuse(a, ERR_INVALID, N_("catatan terlalu panjang (maksimal 4.000 karakter)"));
	*writing = 1;
	rc = store_exec(c, "INSERT INTO governance_dprd (tenant, proposal_id, stage, stage_day, note, actor, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?)", "titttti", a->tenant, p->id, stage, day, nz(a->note), a->actor, a->now);
	if (rc < 0)
		return rc;
	snprintf(summary, sizeof(summary), "tahap DPRD %s pada %s: %.300s", stage, day, p->title);
	return dprd_changed(c, a, p, stage, summary, "governance.dprd", N_("Tahap DPRD diperbarui"));
}

/* A required reason (a correction's, a declined pokok pikiran's): not
 * blanks only (missing), at most GOV_NOTE_MAX bytes (too_long), no control
 * characters. */
static int check_reason(gov_action_t *a, const char *reason, const char *missing, const char *too_long)
{
	if (!reason[strspn(reason, " \t\r\n")]) /* blanks are no reason */
		return refuse(a, ERR_INVALID, missing);
	if (strlen(reason) > GOV_NOTE_MAX)
		return refuse(a, ERR_INVALID, too_long);
	if (!text_clean(reason, 1))
		return refuse(a, ERR_INVALID, N_("isian berisi karakter yang tidak sah"));
	return 0;
}

/* A reason's first 300 bytes into why, cut between two characters (the
 * audit log is text), personal data masked. */
#define REASON_EXCERPT 301
static void reason_excerpt(const char *reason, char why[REASON_EXCERPT])
{
	size_t cut;
	for (cut = strlen(reason) < REASON_EXCERPT - 1 ? strlen(reason) : REASON_EXCERPT - 1;
	     cut > 0 && ((unsigned char)reason[cut] & 0xC0) == 0x80; cut--)
		;
	memcpy(why, reason, cut);
	why[cut] = '\0';
	text_mask_personal(why);
}

/* A correction of the latest DPRD stage: its stage (an outcome for the
 * other outcome; diajukan and pembahasan have their place in the order)
 * and/or its date, under the recording's date rules, with a reason. The
 * entry as it was goes into governance_dprd_corrections (append-only) with
 * the new one, who, when and why; governance_dprd holds the stage as it now
 * stands, which the next stage's date is checked against. */
static int op_dprd_correct(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	static const char *const prev_of[] = { "", "diajukan", "pembahasan" };
	const char *stage = nz(a->verdict), *reason = nz(a->note);
	char day[CAL_DATE_LEN], old_day[CAL_DATE_LEN] = "", summary[900], why[REASON_EXCERPT];
	int64_t seq = 0;
	int pos, rc;
	if ((rc = check_dprd_item(a, p)) < 0)
		return rc;
	if ((rc = check_flags(a)) < 0)
		return rc;
	if ((pos = dprd_pos(p->dprd_stage)) < 0)
		return refuse(a, ERR_CONFLICT, N_("belum ada tahap DPRD yang dicatat, jadi belum ada yang dapat dikoreksi"));
	/* the head enacted what the DPRD approved: its approval stands */
	if (*p->perda_stage)
		return refuse(a, ERR_CONFLICT, N_("tahap DPRD tidak dapat dikoreksi lagi: Perda sudah ditetapkan"));
	if ((rc = check_reason(a, reason, N_("tuliskan alasan koreksi"),
			       N_("alasan koreksi terlalu panjang (maksimal 4.000 karakter)"))) < 0)
		return rc;
	if (!*stage)
		return refuse(a, ERR_INVALID, N_("pilih tahap DPRD yang dicatat"));
	if (!one_of(stage, DPRD_STAGES))
		return refuse(a, ERR_INVALID, N_("tahap DPRD tidak dikenal"));
	if (dprd_pos(stage) != pos)
		return refuse(a, ERR_INVALID, pos == 2 ? N_("hasil DPRD hanya dapat dikoreksi menjadi disetujui atau ditolak")
						       : N_("hanya tanggal tahap ini yang dapat dikoreksi: tahap DPRD harus "
							    "berurutan, diajukan, pembahasan, lalu disetujui atau ditolak"));
	if (!a->expected_version)
		return refuse(a, ERR_INVALID, N_("kirim versi usulan yang Anda lihat (version) bersama koreksi"));
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if ((rc = check_stage_day(c, a, p, prev_of[pos], day)) < 0)
		return rc;
	rc = store_query_text(c, old_day, sizeof(old_day),
			      "SELECT stage_day FROM governance_dprd WHERE tenant = ? AND proposal_id = ? AND stage = ?", "tit",
			      a->tenant, p->id, p->dprd_stage);
	if (rc < 0)
		return rc == ERR_NOT_FOUND ? store_fail(ERR_DB, "proposal %" PRId64 ": DPRD stage '%s' has no row", p->id,
							 p->dprd_stage)
					   : rc;
	if (!strcmp(stage, p->dprd_stage) && !strcmp(day, old_day))
		return refuse(a, ERR_INVALID, N_("koreksi tidak mengubah apa pun: tahap dan tanggalnya sama dengan yang tercatat"));
	*writing = 1;
	if ((rc = store_query_int64(c, &seq,
				    "SELECT COALESCE(MAX(seq), 0) + 1 FROM governance_dprd_corrections WHERE tenant = ? AND "
				    "proposal_id = ?", "ti", a->tenant, p->id)) < 0)
		return rc;
	rc = store_exec(c, "INSERT INTO governance_dprd_corrections (tenant, proposal_id, seq, stage_before, day_before, "
			   "stage_after, day_after, reason, actor, actor_name, actor_role, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"tiitttttttti", a->tenant, p->id, seq, p->dprd_stage, old_day, stage, day, reason, a->actor,
			nz(a->actor_name), role_name(a->role), a->now);
	if (rc < 0)
		return rc;
	rc = store_exec(c, "UPDATE governance_dprd SET stage = ?, stage_day = ? WHERE tenant = ? AND proposal_id = ? AND stage = ?",
			"tttit", stage, day, a->tenant, p->id, p->dprd_stage);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	reason_excerpt(reason, why);
	snprintf(summary, sizeof(summary), "koreksi tahap DPRD %s pada %s menjadi %s pada %s, alasan: %s: %.300s",
		 p->dprd_stage, old_day, stage, day, why, p->title);
	return dprd_changed(c, a, p, stage, summary, "governance.dprd_correct", N_("Tahap DPRD dikoreksi"));
}

/* The date of an act of a Perda (its enactment or promulgation): a real
 * date, not in the future (the tenant's today), not before floor (the
 * DPRD's joint approval, or the enactment), which why names. */
static int check_act_day(gov_action_t *a, const tenant_t *t, const char *floor, const char *why, char day[CAL_DATE_LEN])
{
	int32_t today, from;
	if (cal_format_date(a->stage_day, day) < 0)
		return refuse(a, ERR_INVALID, N_("tanggal harus berformat YYYY-MM-DD"));
	today = cal_local_day(a->now, t->tz_offset);
	if (a->stage_day > today)
		return refuse_day(a, today, NULL, N_("tanggal tidak boleh di masa depan: paling lambat hari ini, %s"));
	if (cal_parse_date(floor, &from) == 0 && a->stage_day < from)
		return refuse_day(a, from, NULL, why);
	return 0;
}

/* The enactment (penetapan) of a Perda by the head, after the DPRD's joint
 * approval, and its promulgation (pengundangan) in the Lembaran Daerah by
 * the Sekda, after the enactment: each a signed step of the chain, with its
 * number from its own per-tenant, per-year sequence (the year of the act's
 * date) and its date, both signed (the step's extra), and a row of
 * governance_perda that verification checks against the step. */
static int op_perda(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	int enact = a->op == GOV_OP_PERDA_ENACT;
	const char *kind = enact ? "penetapan" : "pengundangan", *note = nz(a->note);
	char pk_hex[65], floor[CAL_DATE_LEN] = "", day[CAL_DATE_LEN], regno[64] = "", number[160], extra[400],
		summary[600];
	int64_t seq = 0, idx = 0;
	tenant_t t;
	int year, rc;
	if (a->role != (enact ? ROLE_KEPALA_DAERAH : ROLE_SEKDA))
		return refuse(a, ERR_FORBIDDEN, N_("peran Anda tidak berwenang melakukan tindakan ini"));
	if (!p->needs_dprd)
		return refuse(a, ERR_CONFLICT, N_("usulan ini tidak memerlukan persetujuan DPRD"));
	if (strcmp(p->state, "disetujui") || strcmp(p->dprd_stage, "disetujui"))
		return refuse(a, ERR_CONFLICT, N_("Perda baru dapat ditetapkan setelah Raperda disetujui bersama DPRD"));
	if (enact && *p->perda_stage)
		return refuse(a, ERR_CONFLICT, N_("Perda sudah ditetapkan"));
	if (!enact && !*p->perda_stage)
		return refuse(a, ERR_CONFLICT, N_("Perda baru dapat diundangkan setelah ditetapkan Kepala Daerah"));
	if (!enact && strcmp(p->perda_stage, "ditetapkan"))
		return refuse(a, ERR_CONFLICT, N_("Perda sudah diundangkan"));
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if ((rc = check_flags(a)) < 0)
		return rc;
	if (strlen(note) > GOV_NOTE_MAX)
		return refuse(a, ERR_INVALID, N_("catatan terlalu panjang (maksimal 4.000 karakter)"));
	if ((rc = tenant_get(c, a->tenant, &t)) < 0)
		return rc;
	if (enact)
		rc = store_query_text(c, floor, sizeof(floor),
				      "SELECT stage_day FROM governance_dprd WHERE tenant = ? AND proposal_id = ? AND stage = ?",
				      "tit", a->tenant, p->id, "disetujui");
	else
		rc = store_query_text(c, floor, sizeof(floor),
				      "SELECT act_day FROM governance_perda WHERE tenant = ? AND proposal_id = ? AND act = ?",
				      "tit", a->tenant, p->id, "penetapan");
	if (rc < 0 && rc != ERR_NOT_FOUND)
		return rc;
	if ((rc = check_act_day(a, &t, floor,
				enact ? N_("tanggal penetapan tidak boleh sebelum %s, tanggal persetujuan bersama DPRD")
				      : N_("tanggal pengundangan tidak boleh sebelum %s, tanggal penetapan Perda"),
				day)) < 0)
		return rc;
	if (a->passphrase_failed)
		return refuse(a, ERR_FORBIDDEN, N_("frasa sandi kunci tanda tangan salah"));
	if ((rc = check_key(c, a, pk_hex)) < 0)
		return rc;

	*writing = 1;
	{
		int y;
		cal_civil_from_days(a->stage_day, &y, NULL, NULL);
		year = y;
	}
	if ((rc = regno_next(c, a->tenant, enact ? "PERDA" : "LD", year, &seq, regno, sizeof(regno))) < 0)
		return rc;
	if (enact)
		governance_perda_title(t.name, seq, year, number, sizeof(number));
	else
		governance_lembaran_title(t.name, seq, year, number, sizeof(number));
	snprintf(extra, sizeof(extra), "number=%s\nregno=%s\nday=%s", number, regno, day);
	if ((rc = append_step(c, a, p, kind, "", note, extra, pk_hex, &idx)) < 0)
		return rc;
	rc = store_exec(c, "INSERT INTO governance_perda (tenant, proposal_id, act, number, regno, seq, year, act_day, "
			   "step_idx, actor, actor_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"titttiit" "itti", a->tenant, p->id, kind, number, regno, seq, (int64_t)year, day, idx, a->actor,
			nz(a->actor_name), a->now);
	if (rc < 0)
		return rc;
	rc = store_exec(c, "UPDATE governance_proposals SET perda_stage = ?, updated_at = ?, version = version + 1 "
			   "WHERE tenant = ? AND id = ? AND version = ?", "titii", enact ? "ditetapkan" : "diundangkan",
			a->now, a->tenant, p->id, p->version);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	snprintf(a->ret_number, sizeof(a->ret_number), "%s", number);
	snprintf(summary, sizeof(summary), "%s %s (%s) pada %s (ditandatangani): %.300s", kind, number, regno, day, p->title);
	if ((rc = audit(c, a, p->id, enact ? "governance.perda_enact" : "governance.perda_promulgate", summary)) < 0)
		return rc;
	/* the Sekda's legal bureau promulgates it next; the OPD and the DPRD
	 * follow it to the end */
	if (enact)
		rc = notify_role(c, a, p->id, "sekda", NULL, N_("Perda telah ditetapkan dan menunggu pengundangan"), p->title);
	else
		rc = notify_role(c, a, p->id, "kepala_daerah", NULL, N_("Perda telah diundangkan"), p->title);
	if (rc == 0)
		rc = notify_role(c, a, p->id, "kepala_opd", p->unit,
				 enact ? N_("Perda telah ditetapkan dan menunggu pengundangan") : N_("Perda telah diundangkan"),
				 p->title);
	if (rc == 0)
		rc = notify_role(c, a, p->id, "dprd", NULL,
				 enact ? N_("Perda telah ditetapkan dan menunggu pengundangan") : N_("Perda telah diundangkan"),
				 p->title);
	return rc;
}

/* The kepala OPD declines a pokok pikiran of the DPRD that the OPD will
 * not take up (it stayed a draft for ever): a signed step "tolak_pokir"
 * with the reason as its note, the state tidak_ditindaklanjuti (final: no
 * edit, no attachment, no submission after it), and the DPRD member who
 * sent it told, the reason with the title (or every DPRD member when that
 * account is gone). Only while the pokok pikiran is a draft: once
 * submitted, the OPD has taken it up. */
static int op_decline(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing)
{
	const char *note = nz(a->note);
	char pk_hex[65], summary[900], why[REASON_EXCERPT], subject[4 * GOV_TITLE_MAX + 320];
	notify_target_t to = { 0, "dprd", NULL };
	user_info_t u;
	int rc;
	if (a->role != ROLE_KEPALA_OPD)
		return refuse(a, ERR_FORBIDDEN, N_("peran Anda tidak berwenang melakukan tindakan ini"));
	if ((rc = check_opd(a, p)) < 0)
		return rc;
	if (strcmp(p->origin, "pokir"))
		return refuse(a, ERR_CONFLICT, N_("hanya pokok pikiran DPRD yang dapat dinyatakan tidak ditindaklanjuti"));
	if (is_declined(p))
		return refuse(a, ERR_CONFLICT, N_("pokok pikiran ini sudah dinyatakan tidak ditindaklanjuti"));
	if (strcmp(p->state, "draf"))
		return refuse(a, ERR_CONFLICT, N_("pokok pikiran ini sudah ditindaklanjuti OPD (diajukan) dan tidak dapat "
						  "ditolak lagi"));
	if ((rc = check_version(a, p)) < 0)
		return rc;
	if ((rc = check_flags(a)) < 0)
		return rc;
	if ((rc = check_reason(a, note, N_("tuliskan alasan pokok pikiran ini tidak ditindaklanjuti"),
			       N_("catatan terlalu panjang (maksimal 4.000 karakter)"))) < 0)
		return rc;
	if (a->passphrase_failed)
		return refuse(a, ERR_FORBIDDEN, N_("frasa sandi kunci tanda tangan salah"));
	if ((rc = check_key(c, a, pk_hex)) < 0)
		return rc;
	*writing = 1;
	if ((rc = append_step(c, a, p, "tolak_pokir", "", note, "", pk_hex, NULL)) < 0)
		return rc;
	if ((rc = set_state(c, a, p, "tidak_ditindaklanjuti")) < 0)
		return rc;
	reason_excerpt(note, why); /* for the audit log and the notification */
	/* a signed step, audited as the others ("governance.step": a webhook
	 * receiver hears of it like of a submission) */
	snprintf(summary, sizeof(summary), "tolak_pokir (ditandatangani): %.300s, alasan: %s", p->title, why);
	if ((rc = audit(c, a, p->id, "governance.step", summary)) < 0)
		return rc;
	/* the member who sent it reads why in the notification itself */
	rc = user_get(c, a->tenant, p->created_by, &u);
	if (rc < 0 && rc != ERR_NOT_FOUND)
		return rc;
	if (rc == 0 && !u.disabled && !u.deleted_at && !strcmp(u.role, "dprd"))
		to = (notify_target_t){ u.id, NULL, NULL };
	snprintf(subject, sizeof(subject), "%s — %s", p->title, why);
	{
		char obj[48];
		snprintf(obj, sizeof(obj), "proposal:%" PRId64, p->id);
		return notify_add_about(c, a->tenant, &to, "governance", obj,
					N_("Pokok pikiran DPRD tidak ditindaklanjuti OPD"), subject, a->now);
	}
}

static const char *op_name(gov_op_t op)
{
	static const char *const names[] = { "", "create", "edit", "submit", "recommend", "return", "consider", "decide",
					     "dprd_stage", "pokir", "attach", "dprd_correct", "perda_enact",
					     "perda_promulgate", "pokir_decline" };
	return op >= GOV_OP_CREATE && op <= GOV_OP_POKIR_DECLINE ? names[op] : "?";
}

static int dispatch(store_conn_t *c, gov_action_t *a, int *writing)
{
	prop_t p;
	int rc;
	if (a->op == GOV_OP_CREATE)
		return op_create(c, a, writing);
	if (a->op == GOV_OP_POKIR)
		return op_pokir(c, a, writing);
	memset(&p, 0, sizeof(p));
	rc = prop_load(c, a->tenant, a->proposal_id, &p);
	if (rc == ERR_NOT_FOUND)
		return refuse(a, ERR_NOT_FOUND, N_("usulan tidak ditemukan"));
	if (rc < 0)
		return rc;
	a->ret_id = p.id;
	switch (a->op) {
	case GOV_OP_EDIT:
		return op_edit(c, a, &p, writing);
	case GOV_OP_SUBMIT:
	case GOV_OP_RECOMMEND:
	case GOV_OP_RETURN:
	case GOV_OP_CONSIDER:
	case GOV_OP_DECIDE:
		return op_signed(c, a, &p, writing);
	case GOV_OP_DPRD_STAGE:
		return op_dprd(c, a, &p, writing);
	case GOV_OP_DPRD_CORRECT:
		return op_dprd_correct(c, a, &p, writing);
	case GOV_OP_PERDA_ENACT:
	case GOV_OP_PERDA_PROMULGATE:
		return op_perda(c, a, &p, writing);
	case GOV_OP_ATTACH:
		return op_attach(c, a, &p, writing);
	case GOV_OP_POKIR_DECLINE:
		return op_decline(c, a, &p, writing);
	default:
		return refuse(a, ERR_INVALID, N_("tindakan tidak dikenal"));
	}
}

int governance_action_tx(store_conn_t *c, void *ud)
{
	gov_action_t *a = ud;
	int writing = 0, rc;
	a->ret_rc = 0;
	a->ret_msgid = NULL;
	a->ret_day[0] = '\0';
	a->ret_stage = NULL;
	a->ret_number[0] = a->ret_token[0] = '\0';
	if (!a->tenant || !a->actor)
		return ERR_INVALID;
	rc = dispatch(c, a, &writing);
	if (rc >= 0)
		return 0;
	if (!writing && (rc == ERR_FORBIDDEN || rc == ERR_CONFLICT || rc == ERR_INVALID || rc == ERR_NOT_FOUND) &&
	    a->ret_msgid) {
		char obj[48], why[240], summary[300];
		int arc;
		snprintf(obj, sizeof(obj), "proposal:%" PRId64, a->proposal_id);
		governance_refusal_text(a, NULL, NULL, why, sizeof(why));
		snprintf(summary, sizeof(summary), "ditolak: %s oleh %s: %s", op_name(a->op), role_name(a->role), why);
		arc = audit_append(c, a->tenant, a->now, a->actor, "governance.refused", obj, summary);
		if (arc < 0)
			return arc;
		a->ret_rc = rc;
		return GOV_REFUSED;
	}
	return rc;
}

int governance_apply(store_t *st, gov_action_t *a)
{
	int rc = store_tx(st, governance_action_tx, a);
	if (rc == GOV_REFUSED)
		return a->ret_rc;
	return rc;
}

/* Month names of dates in words (governance_day_words). */
static const char *const months[12] = {
	N_("Januari"), N_("Februari"), N_("Maret"), N_("April"), N_("Mei"), N_("Juni"),
	N_("Juli"), N_("Agustus"), N_("September"), N_("Oktober"), N_("November"), N_("Desember"),
};

void governance_day_words(int32_t day, gov_tr_fn tr, void *ud, char *out, size_t n)
{
	int y, m, d;
	if (day < CAL_DAY_MIN || day > CAL_DAY_MAX) {
		snprintf(out, n, "-");
		return;
	}
	cal_civil_from_days(day, &y, &m, &d);
	snprintf(out, n, "%d %s %d", d, tr ? tr(ud, months[m - 1]) : months[m - 1], y);
}

void governance_refusal_text(const gov_action_t *a, gov_tr_fn tr, void *ud, char *out, size_t n)
{
	const char *msg = a->ret_msgid ? a->ret_msgid : "";
	char when[48];
	int32_t d;
	if (!a->ret_day[0] || cal_parse_date(a->ret_day, &d) < 0) {
		snprintf(out, n, "%s", tr ? tr(ud, msg) : msg);
		return;
	}
	governance_day_words(d, tr, ud, when, sizeof(when));
	/* the msgids (and their translations) have one %s for the date, and
	 * a second for the stage when they name one */
	snprintf(out, n, tr ? tr(ud, msg) : msg, when,
		 a->ret_stage ? (tr ? tr(ud, a->ret_stage) : a->ret_stage) : "");
}

/* ------------------------------------------------------------------ reading */

static json_t *row_summary(store_stmt_t *s, int64_t now)
{
	/* columns: id, unit, kind, title, urgency, state, dprd_stage, due_at, updated_at, origin, needs_dprd, version */
	int64_t due = store_col_int64(s, 7);
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:I,s:s,s:b,s:I}", "id",
			 (json_int_t)store_col_int64(s, 0), "unit", store_col_text(s, 1), "kind", store_col_text(s, 2),
			 "title", store_col_text(s, 3), "urgency", store_col_text(s, 4), "urgency_label",
			 governance_urgency_label(store_col_text(s, 4)), "state", store_col_text(s, 5), "state_label",
			 governance_state_label(store_col_text(s, 5)), "dprd_stage", store_col_text(s, 6),
			 "dprd_stage_label", governance_dprd_stage_label(store_col_text(s, 6)), "due_at", (json_int_t)due,
			 "overdue", due > 0 && now > due, "updated_at", (json_int_t)store_col_int64(s, 8), "origin",
			 store_col_text(s, 9), "needs_dprd", (int)store_col_int64(s, 10), "version",
			 (json_int_t)store_col_int64(s, 11));
}

/* The summary columns, then the OPD's name (column 12), how many
 * corrections its DPRD stages had (column 13), where its Perda stands
 * (column 14), the date of the DPRD's joint approval (column 15, NULL
 * when none), and the latest Sekda's recommendation and Wakil's
 * consideration (columns 16 and 17, NULL when none). */
#define SUMMARY_COLS "SELECT id, unit, kind, title, urgency, state, dprd_stage, due_at, updated_at, origin, needs_dprd, version, " \
		     "(SELECT name FROM units u WHERE u.tenant = governance_proposals.tenant AND u.code = governance_proposals.unit), " \
		     "(SELECT COUNT(*) FROM governance_dprd_corrections k WHERE k.tenant = governance_proposals.tenant AND " \
		     "k.proposal_id = governance_proposals.id), perda_stage, " \
		     "(SELECT stage_day FROM governance_dprd g WHERE g.tenant = governance_proposals.tenant AND " \
		     "g.proposal_id = governance_proposals.id AND g.stage = 'disetujui'), " \
		     "(SELECT verdict FROM governance_steps st WHERE st.tenant = governance_proposals.tenant AND " \
		     "st.proposal_id = governance_proposals.id AND st.kind = 'saran' ORDER BY st.idx DESC LIMIT 1), " \
		     "(SELECT verdict FROM governance_steps st WHERE st.tenant = governance_proposals.tenant AND " \
		     "st.proposal_id = governance_proposals.id AND st.kind = 'pertimbangan' ORDER BY st.idx DESC LIMIT 1) " \
		     "FROM governance_proposals WHERE tenant = ? "

/* Where a Perda stands, on a proposal or a list item: perda_stage, its
 * label, and while it waits for the enactment the last day for it
 * (perda_due, GOV_PERDA_DAYS after the DPRD's joint approval on
 * approved) and whether that day has passed at today (perda_late; today 0:
 * unknown, false). */
static void perda_summary(json_t *o, const char *dprd_stage, const char *perda_stage, const char *approved,
			  int32_t today)
{
	char due[CAL_DATE_LEN] = "";
	int32_t d;
	json_object_set_new(o, "perda_stage", json_string(perda_stage));
	json_object_set_new(o, "perda_label", json_string(governance_perda_label(dprd_stage, perda_stage)));
	if (strcmp(dprd_stage, "disetujui") || *perda_stage)
		return;
	governance_perda_due(approved, due);
	if (!*due)
		return;
	json_object_set_new(o, "perda_due", json_string(due));
	json_object_set_new(o, "perda_late", json_boolean(today > 0 && cal_parse_date(due, &d) == 0 && today > d));
}

void governance_perda_late(json_t *o, int32_t today)
{
	const char *due = json_string_value(json_object_get(o, "perda_due"));
	int32_t d;
	if (due && cal_parse_date(due, &d) == 0)
		json_object_set_new(o, "perda_late", json_boolean(today > d));
}

/* What the Sekda recommended (sekda_advice) and the Wakil considered
 * (wakil_view) in the round the item is in: once the Sekda has advised
 * (waiting for the Wakil or the head, or decided); "" before it, or while
 * an earlier round's advice would be taken for this one's (a proposal
 * returned and sent again). */
static void advice_summary(json_t *o, const char *state, const char *sekda, const char *wakil)
{
	int advised = !strcmp(state, "pertimbangan") || !strcmp(state, "keputusan") || !strcmp(state, "disetujui") ||
		      !strcmp(state, "ditolak");
	int considered = advised && strcmp(state, "pertimbangan");
	json_object_set_new(o, "sekda_advice", json_string(advised ? sekda : ""));
	json_object_set_new(o, "wakil_view", json_string(considered ? wakil : ""));
}

int governance_inbox(store_conn_t *c, const char *tenant, role_t role, const char *unit, const char *username,
		     int64_t now, int all, int limit, int offset, json_t *arr)
{
	store_stmt_t *s;
	const char *where;
	const char *state = NULL;
	char sql[2048];
	int64_t lim = limit > 0 ? limit : 500, off = offset > 0 ? offset : 0;
	int32_t today = 0;
	tenant_t t;
	int rc;
	(void)username;
	if ((rc = tenant_get(c, tenant, &t)) < 0 && rc != ERR_NOT_FOUND)
		return rc;
	if (rc == 0)
		today = cal_local_day(now, t.tz_offset);
	switch (role) {
	/* the leadership reads a proposal once the OPD submitted it: a draft
	 * never submitted is the OPD's alone (governance_get), and so is a
	 * pokok pikiran the OPD declined (the DPRD's and the OPD's) */
	case ROLE_SEKDA:
		/* and the Perda enacted, waiting for its promulgation */
		where = all ? "AND state NOT IN ('draf', 'tidak_ditindaklanjuti') " : "AND (state = ? OR (state = 'disetujui' AND perda_stage = 'ditetapkan')) ";
		state = "diajukan";
		break;
	case ROLE_WAKIL:
		where = all ? "AND state NOT IN ('draf', 'tidak_ditindaklanjuti') " : "AND state = ? ";
		state = "pertimbangan";
		break;
	case ROLE_KEPALA_DAERAH:
		/* and the Raperda the DPRD approved, waiting for its enactment */
		where = all ? "AND state NOT IN ('draf', 'tidak_ditindaklanjuti') "
			    : "AND (state = ? OR (needs_dprd = 1 AND state = 'disetujui' AND dprd_stage = 'disetujui' "
			      "AND perda_stage = '')) ";
		state = "keputusan";
		break;
	case ROLE_PETUGAS:
	case ROLE_ADMIN_OPD:
	case ROLE_KEPALA_OPD:
		where = all ? "AND unit = ? " : "AND unit = ? AND state IN ('draf', 'dikembalikan') ";
		break;
	case ROLE_DPRD:
		/* waiting for a DPRD stage; pokok pikiran are drafts of the OPD
		 * concerned (only the OPD acts on them), so they are listed with
		 * all = 1 only */
		where = all ? "AND ((needs_dprd = 1 AND state = 'disetujui') OR origin = 'pokir') "
			    : "AND needs_dprd = 1 AND state = 'disetujui' AND dprd_stage NOT IN ('disetujui', 'ditolak') ";
		break;
	case ROLE_ADMIN:
		/* reads every proposal (governance_get) but acts on none */
		if (!all)
			return 0;
		where = "";
		break;
	default:
		return 0;
	}
	if ((size_t)snprintf(sql, sizeof(sql),
			     "%s%sORDER BY CASE WHEN due_at = 0 THEN 1 ELSE 0 END, due_at, id DESC LIMIT ? OFFSET ?",
			     SUMMARY_COLS, where) >= sizeof(sql))
		return ERR_INTERNAL;
	rc = store_prepare(c, sql, &s);
	if (rc < 0)
		return rc;
	/* one text after the tenant (the unit, or the state waited for), or
	 * none; then the page */
	if (role_needs_unit(role) || (state && !all))
		store_bindf(s, "ttii", tenant, role_needs_unit(role) ? (unit ? unit : "") : state, lim, off);
	else
		store_bindf(s, "tii", tenant, lim, off);
	while ((rc = store_step(s)) == STORE_ROW) {
		json_t *it = row_summary(s, now);
		json_object_set_new(it, "unit_name", json_string(nz(store_col_text(s, 12))));
		json_object_set_new(it, "dprd_corrections", json_integer(store_col_int64(s, 13)));
		perda_summary(it, nz(store_col_text(s, 6)), nz(store_col_text(s, 14)), nz(store_col_text(s, 15)), today);
		advice_summary(it, store_col_text(s, 5), nz(store_col_text(s, 16)), nz(store_col_text(s, 17)));
		json_array_append_new(arr, it);
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* The corrections of a proposal's DPRD stages, oldest first, each added to
 * the "corrections" of the stage it corrected in dprd (the one in the same
 * place of the order: a correction keeps it) and that stage marked
 * "corrected"; how many there are into *ret_n. */
static int dprd_corrections(store_conn_t *c, const char *tenant, int64_t id, json_t *dprd, int64_t *ret_n)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT seq, stage_before, day_before, stage_after, day_after, reason, actor, actor_name, "
				  "actor_role, created_at FROM governance_dprd_corrections WHERE tenant = ? AND proposal_id = ? "
				  "ORDER BY seq", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	*ret_n = 0;
	while ((rc = store_step(s)) == STORE_ROW) {
		json_t *st, *k = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "seq", (json_int_t)store_col_int64(s, 0),
					   "stage_before", store_col_text(s, 1), "day_before", store_col_text(s, 2),
					   "stage_after", store_col_text(s, 3), "day_after", store_col_text(s, 4), "reason",
					   store_col_text(s, 5), "actor", store_col_text(s, 6), "actor_name",
					   store_col_text(s, 7), "actor_role", store_col_text(s, 8), "at",
					   (json_int_t)store_col_int64(s, 9));
		size_t i;
		int placed = 0;
		(*ret_n)++;
		json_array_foreach(dprd, i, st)
			if (!placed && dprd_pos(json_string_value(json_object_get(st, "stage"))) ==
					       dprd_pos(store_col_text(s, 3))) {
				json_object_set_new(st, "corrected", json_true());
				json_array_append(json_object_get(st, "corrections"), k);
				placed = 1;
			}
		json_decref(k);
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int governance_get(store_conn_t *c, const char *tenant, int64_t id, role_t role, const char *unit, json_t **ret)
{
	store_stmt_t *s;
	json_t *j, *steps, *dprd, *att;
	int64_t ncorr = 0;
	int rc;
	rc = store_prepare(c, "SELECT p.id, p.unit, p.kind, p.title, p.urgency, p.state, p.dprd_stage, p.due_at, p.updated_at, "
			      "p.origin, p.needs_dprd, p.version, p.is_public, p.content_version, p.created_by, p.created_at, "
			      "v.background, v.analysis, v.options, v.proposed, v.content_hash, "
			      "(SELECT name FROM units u WHERE u.tenant = p.tenant AND u.code = p.unit), p.perda_stage, "
			      "(SELECT stage_day FROM governance_dprd g WHERE g.tenant = p.tenant AND g.proposal_id = p.id AND "
			      "g.stage = 'disetujui') "
			      "FROM governance_proposals p JOIN governance_versions v ON v.tenant = p.tenant AND "
			      "v.proposal_id = p.id AND v.version = p.content_version WHERE p.tenant = ? AND p.id = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	rc = store_step(s);
	if (rc != STORE_ROW) {
		store_finalize(s);
		return rc < 0 ? rc : ERR_NOT_FOUND;
	}
	/* who may read it: the OPD concerned, the leadership once the OPD
	 * submitted it (a draft, or a pokok pikiran declined as a draft, is
	 * the OPD's), the administrator, and DPRD
	 * members for pokok pikiran and for DPRD items once the head approved
	 * them for the DPRD (not the OPD's draft nor the executive's
	 * deliberation before) */
	if ((role_needs_unit(role) && (!unit || strcmp(unit, store_col_text(s, 1)))) ||
	    (role == ROLE_DPRD && strcmp(store_col_text(s, 9), "pokir") &&
	     (!store_col_int64(s, 10) || strcmp(store_col_text(s, 5), "disetujui"))) ||
	    ((role == ROLE_SEKDA || role == ROLE_WAKIL || role == ROLE_KEPALA_DAERAH) &&
	     (!strcmp(store_col_text(s, 5), "draf") || !strcmp(store_col_text(s, 5), "tidak_ditindaklanjuti"))) ||
	    (!role_needs_unit(role) && role != ROLE_DPRD && role != ROLE_SEKDA && role != ROLE_WAKIL &&
	     role != ROLE_KEPALA_DAERAH && role != ROLE_ADMIN)) {
		store_finalize(s);
		return ERR_FORBIDDEN;
	}
	j = row_summary(s, 0);
	json_object_set_new(j, "is_public", json_boolean(store_col_int64(s, 12)));
	json_object_set_new(j, "content_version", json_integer(store_col_int64(s, 13)));
	json_object_set_new(j, "created_by", json_string(store_col_text(s, 14)));
	json_object_set_new(j, "created_at", json_integer(store_col_int64(s, 15)));
	json_object_set_new(j, "background", json_string(store_col_text(s, 16)));
	json_object_set_new(j, "analysis", json_string(store_col_text(s, 17)));
	json_object_set_new(j, "options", json_string(store_col_text(s, 18)));
	json_object_set_new(j, "proposed", json_string(store_col_text(s, 19)));
	json_object_set_new(j, "content_hash", json_string(store_col_text(s, 20)));
	json_object_set_new(j, "unit_name", json_string(store_col_text(s, 21) ? store_col_text(s, 21) : ""));
	perda_summary(j, store_col_text(s, 6), nz(store_col_text(s, 22)), nz(store_col_text(s, 23)), 0);
	store_finalize(s);

	steps = json_array();
	json_object_set_new(j, "steps", steps);
	rc = store_prepare(c, "SELECT idx, kind, role, actor, actor_name, verdict, note, proposal_version, signed_at, "
			      "public_key, signature, step_hash FROM governance_steps WHERE tenant = ? AND proposal_id = ? "
			      "ORDER BY idx", &s);
	if (rc < 0)
		goto fail;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW)
		json_array_append_new(steps, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s}", "idx",
						       (json_int_t)store_col_int64(s, 0), "kind", store_col_text(s, 1),
						       "kind_label", governance_step_label(store_col_text(s, 1)), "role",
						       store_col_text(s, 2), "actor", store_col_text(s, 3), "actor_name",
						       store_col_text(s, 4), "verdict", store_col_text(s, 5), "verdict_label",
						       governance_step_verdict_label(store_col_text(s, 1), store_col_text(s, 5)),
						       "note",
						       store_col_text(s, 6), "proposal_version",
						       (json_int_t)store_col_int64(s, 7), "signed_at",
						       (json_int_t)store_col_int64(s, 8), "public_key", store_col_text(s, 9),
						       "signature", store_col_text(s, 10), "step_hash", store_col_text(s, 11)));
	store_finalize(s);
	if (rc < 0)
		goto fail;

	dprd = json_array();
	json_object_set_new(j, "dprd", dprd);
	/* in the order of the stages (each is recorded once, in order; two in
	 * the same second must not come out alphabetically) */
	rc = store_prepare(c, "SELECT stage, stage_day, note, actor FROM governance_dprd WHERE tenant = ? AND proposal_id = ? "
			      "ORDER BY CASE stage WHEN 'diajukan' THEN 0 WHEN 'pembahasan' THEN 1 ELSE 2 END, created_at", &s);
	if (rc < 0)
		goto fail;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW)
		json_array_append_new(dprd, json_pack("{s:s,s:s,s:s,s:s,s:b,s:[]}", "stage", store_col_text(s, 0), "day",
						      store_col_text(s, 1), "note", store_col_text(s, 2), "actor",
						      store_col_text(s, 3), "corrected", 0, "corrections"));
	store_finalize(s);
	if (rc < 0 || (rc = dprd_corrections(c, tenant, id, dprd, &ncorr)) < 0)
		goto fail;
	json_object_set_new(j, "dprd_corrections", json_integer(ncorr));

	att = json_array();
	json_object_set_new(j, "attachments", att);
	rc = store_prepare(c, "SELECT hash, name, mime, size FROM governance_attachments WHERE tenant = ? AND proposal_id = ? "
			      "ORDER BY created_at, name", &s);
	if (rc < 0)
		goto fail;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW)
		json_array_append_new(att, json_pack("{s:s,s:s,s:s,s:I}", "hash", store_col_text(s, 0), "name",
						     store_col_text(s, 1), "mime", store_col_text(s, 2), "size",
						     (json_int_t)store_col_int64(s, 3)));
	store_finalize(s);
	if (rc < 0)
		goto fail;

	rc = store_prepare(c, "SELECT token, verdict, number, regno, note, is_public, decided_at, decided_by, title "
			      "FROM governance_decisions WHERE tenant = ? AND proposal_id = ?", &s);
	if (rc < 0)
		goto fail;
	store_bindf(s, "ti", tenant, id);
	if ((rc = store_step(s)) == STORE_ROW)
		json_object_set_new(j, "decision",
				    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:I,s:s,s:s}", "token", store_col_text(s, 0),
					      "verdict", store_col_text(s, 1), "verdict_label",
					      governance_verdict_label(store_col_text(s, 1)), "number", store_col_text(s, 2),
					      "regno", store_col_text(s, 3), "note", store_col_text(s, 4), "is_public",
					      (int)store_col_int64(s, 5), "decided_at", (json_int_t)store_col_int64(s, 6),
					      "decided_by", store_col_text(s, 7), "title", store_col_text(s, 8)));
	store_finalize(s);
	if (rc < 0)
		goto fail;

	/* the Perda's enactment and promulgation, each as signed */
	rc = store_prepare(c, "SELECT act, number, regno, act_day, actor, actor_name, created_at, step_idx "
			      "FROM governance_perda WHERE tenant = ? AND proposal_id = ? ORDER BY step_idx", &s);
	if (rc < 0)
		goto fail;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW)
		json_object_set_new(j, strcmp(store_col_text(s, 0), "penetapan") ? "perda_promulgated" : "perda_enacted",
				    json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "number", store_col_text(s, 1), "regno",
					      store_col_text(s, 2), "day", store_col_text(s, 3), "actor", store_col_text(s, 4),
					      "actor_name", store_col_text(s, 5), "at", (json_int_t)store_col_int64(s, 6),
					      "step_idx", (json_int_t)store_col_int64(s, 7)));
	store_finalize(s);
	if (rc < 0)
		goto fail;
	*ret = j;
	return 0;
fail:
	json_decref(j);
	return rc;
}

int governance_pending_by_unit(store_conn_t *c, const char *tenant, int64_t now, json_t *arr)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT u.code, u.name, "
				  "(SELECT COUNT(*) FROM governance_proposals p WHERE p.tenant = u.tenant AND p.unit = u.code AND p.state = 'draf'), "
				  "(SELECT COUNT(*) FROM governance_proposals p WHERE p.tenant = u.tenant AND p.unit = u.code AND p.state = 'diajukan'), "
				  "(SELECT COUNT(*) FROM governance_proposals p WHERE p.tenant = u.tenant AND p.unit = u.code AND p.state = 'pertimbangan'), "
				  "(SELECT COUNT(*) FROM governance_proposals p WHERE p.tenant = u.tenant AND p.unit = u.code AND p.state = 'keputusan'), "
				  "(SELECT COUNT(*) FROM governance_proposals p WHERE p.tenant = u.tenant AND p.unit = u.code AND p.state = 'dikembalikan'), "
				  "(SELECT COUNT(*) FROM governance_proposals p WHERE p.tenant = u.tenant AND p.unit = u.code AND p.state IN ('diajukan', 'pertimbangan', 'keputusan', 'dikembalikan') AND p.due_at > 0 AND p.due_at < ?) "
				  "FROM units u WHERE u.tenant = ? ORDER BY u.code", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "it", now, tenant);
	while ((rc = store_step(s)) == STORE_ROW) {
		int64_t d = store_col_int64(s, 2), w1 = store_col_int64(s, 3), w2 = store_col_int64(s, 4),
			w3 = store_col_int64(s, 5), r = store_col_int64(s, 6);
		if (d + w1 + w2 + w3 + r == 0)
			continue;
		json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "unit", store_col_text(s, 0), "name",
						     store_col_text(s, 1), "draf", (json_int_t)d, "diajukan", (json_int_t)w1,
						     "pertimbangan", (json_int_t)w2, "keputusan", (json_int_t)w3,
						     "dikembalikan", (json_int_t)r, "total", (json_int_t)(w1 + w2 + w3 + r), "overdue", (json_int_t)store_col_int64(s, 7)));
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int governance_differences(store_conn_t *c, const char *tenant, json_t *arr)
{
	/* the last sekda recommendation and wakil consideration before the decision */
	store_stmt_t *s;
	int rc = store_prepare(c,
		"SELECT d.proposal_id, d.title, d.verdict, d.number, d.decided_at, p.unit, "
		"(SELECT st.verdict FROM governance_steps st WHERE st.tenant = d.tenant AND st.proposal_id = d.proposal_id "
		" AND st.kind = 'saran' ORDER BY st.idx DESC LIMIT 1), "
		"(SELECT st.note FROM governance_steps st WHERE st.tenant = d.tenant AND st.proposal_id = d.proposal_id "
		" AND st.kind = 'saran' ORDER BY st.idx DESC LIMIT 1), "
		"(SELECT st.verdict FROM governance_steps st WHERE st.tenant = d.tenant AND st.proposal_id = d.proposal_id "
		" AND st.kind = 'pertimbangan' ORDER BY st.idx DESC LIMIT 1), "
		"(SELECT st.note FROM governance_steps st WHERE st.tenant = d.tenant AND st.proposal_id = d.proposal_id "
		" AND st.kind = 'pertimbangan' ORDER BY st.idx DESC LIMIT 1), d.token "
		"FROM governance_decisions d JOIN governance_proposals p ON p.tenant = d.tenant AND p.id = d.proposal_id "
		"WHERE d.tenant = ? ORDER BY d.decided_at DESC LIMIT 500", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", tenant);
	while ((rc = store_step(s)) == STORE_ROW) {
		const char *dec = store_col_text(s, 2), *sek = store_col_text(s, 6), *wak = store_col_text(s, 8);
		int approve = !strcmp(dec, "setuju");
		/* "differs": advice against an approval, or advice for a rejection */
		int sek_diff = sek && (approve ? !strcmp(sek, "tidak_setuju") : strcmp(sek, "tidak_setuju") != 0);
		int wak_diff = wak && (approve ? !strcmp(wak, "tidak_setuju") : strcmp(wak, "tidak_setuju") != 0);
		if (!sek_diff && !wak_diff)
			continue;
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:s}", "id",
						     (json_int_t)store_col_int64(s, 0), "title", store_col_text(s, 1),
						     "decision", dec, "decision_label", governance_verdict_label(dec), "number",
						     store_col_text(s, 3), "decided_at", (json_int_t)store_col_int64(s, 4),
						     "unit", store_col_text(s, 5), "sekda", sek ? sek : "", "sekda_label",
						     governance_verdict_label(sek), "sekda_note", nz(store_col_text(s, 7)),
						     "wakil", wak ? wak : "", "wakil_label", governance_verdict_label(wak),
						     "wakil_note", nz(store_col_text(s, 9)), "sekda_differs", sek_diff,
						     "wakil_differs", wak_diff, "token", store_col_text(s, 10)));
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* One word of a register search as a LIKE pattern: lower case, LIKE's own
 * characters escaped (they match themselves), cut on a whole UTF-8
 * character (PostgreSQL refuses half of one). */
static void like_word(const char *w, size_t len, char *out, size_t outlen)
{
	size_t n = 0, i;
	out[n++] = '%';
	for (i = 0; i < len && n + 4 < outlen; i++) {
		char ch = w[i];
		if (ch == '%' || ch == '_' || ch == '\\')
			out[n++] = '\\';
		out[n++] = (char)((ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch);
	}
	if (i < len && ((unsigned char)w[i] & 0xC0) == 0x80) {
		while (n > 1 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 1)
			n--; /* the lead byte */
	}
	out[n++] = '%';
	out[n] = '\0';
}

#define REG_WORDS 6 /* words of a search that count; more are ignored */

/* Binds the register's tenant and, for each of the nw words, its pattern
 * to the four columns it is looked for in; returns the next parameter. */
static int reg_bind(store_stmt_t *s, const char *tenant, char pats[][200], int nw)
{
	store_bind_text(s, 1, tenant, -1);
	for (int i = 0; i < nw; i++)
		for (int k = 0; k < 6; k++)
			store_bind_text(s, 2 + 6 * i + k, pats[i], -1);
	return 2 + 6 * nw;
}

int governance_register(store_conn_t *c, const char *tenant, const char *q, int limit, int offset, json_t *arr,
			int64_t *ret_total)
{
	char pats[REG_WORDS][200];
	const char *p = q ? q : "";
	size_t first = json_array_size(arr), listed = 0;
	int nw = 0, rc, bi;
	store_stmt_t *s;
	sb_t where = SB_INIT, sql = SB_INIT;
	/* every word somewhere in the number, the title, the decided text or
	 * the OPD's name ("perda adminduk" finds the Raperda on adminduk) */
	while (*p && nw < REG_WORDS) {
		size_t len;
		while (*p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, " \t");
		if (!len)
			break;
		like_word(p, len, pats[nw], sizeof(pats[nw]));
		sb_adds(&where, " AND (LOWER(d.number) LIKE ? ESCAPE '\\' OR LOWER(v.title) LIKE ? ESCAPE '\\' "
				"OR LOWER(v.proposed) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(u.name, '')) LIKE ? ESCAPE '\\' "
				"OR LOWER(COALESCE(pe.number, '')) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(pu.number, '')) LIKE ? ESCAPE '\\')");
		nw++;
		p += len;
	}
#define REG_FROM                                                                                                       \
	"FROM governance_decisions d JOIN governance_proposals p ON p.tenant = d.tenant AND p.id = d.proposal_id "       \
	"JOIN governance_steps st ON st.tenant = d.tenant AND st.proposal_id = d.proposal_id AND st.idx = d.step_idx "   \
	"JOIN governance_versions v ON v.tenant = d.tenant AND v.proposal_id = d.proposal_id "                          \
	"AND v.version = st.proposal_version "                                                                           \
	"LEFT JOIN units u ON u.tenant = p.tenant AND u.code = p.unit "                                                  \
	"LEFT JOIN governance_perda pe ON pe.tenant = d.tenant AND pe.proposal_id = d.proposal_id AND pe.act = 'penetapan' " \
	"LEFT JOIN governance_perda pu ON pu.tenant = d.tenant AND pu.proposal_id = d.proposal_id "                     \
	"AND pu.act = 'pengundangan' "                                                                                   \
	"WHERE d.tenant = ? AND (d.is_public = 1 OR pu.proposal_id IS NOT NULL) AND d.verdict = 'setuju'"
	if (ret_total) {
		sb_addf(&sql, "SELECT COUNT(*) " REG_FROM "%s", where.buf ? where.buf : "");
		if (sql.err || where.err) {
			rc = ERR_NOMEM;
			goto out;
		}
		if ((rc = store_prepare(c, sql.buf, &s)) < 0)
			goto out;
		reg_bind(s, tenant, pats, nw);
		rc = store_step(s);
		*ret_total = rc == STORE_ROW ? store_col_int64(s, 0) : 0;
		store_finalize(s);
		if (rc < 0)
			goto out;
		sb_reset(&sql);
	}
	/* the title of the version the head signed, as the verification page
	 * shows it (the decision row's copy, d.title, is checked against it) */
	sb_addf(&sql, "SELECT d.proposal_id, d.token, d.number, v.title, d.decided_at, d.verdict, v.proposed, p.unit, u.name, "
		      "pe.number, pe.act_day, pu.number, pu.act_day " REG_FROM "%s ORDER BY d.decided_at DESC, d.seq DESC LIMIT ? OFFSET ?", where.buf ? where.buf : "");
#undef REG_FROM
	if (sql.err || where.err) {
		rc = ERR_NOMEM;
		goto out;
	}
	if ((rc = store_prepare(c, sql.buf, &s)) < 0)
		goto out;
	bi = reg_bind(s, tenant, pats, nw);
	store_bind_int64(s, bi, (int64_t)(limit > 0 ? limit : 100));
	store_bind_int64(s, bi + 1, (int64_t)(offset > 0 ? offset : 0));
	while ((rc = store_step(s)) == STORE_ROW) {
		json_t *it = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)store_col_int64(s, 0), "token",
				       store_col_text(s, 1), "number", store_col_text(s, 2), "title", store_col_text(s, 3),
				       "decided_at", (json_int_t)store_col_int64(s, 4), "verdict", store_col_text(s, 5),
				       "text", store_col_text(s, 6), "unit", store_col_text(s, 7), "unit_name",
				       nz(store_col_text(s, 8)));
		/* a Perda: its number and the Lembaran Daerah's once promulgated */
		if (store_col_text(s, 9))
			json_object_set_new(it, "perda", json_pack("{s:s,s:s}", "number", store_col_text(s, 9), "day",
								   store_col_text(s, 10)));
		if (store_col_text(s, 11))
			json_object_set_new(it, "lembaran", json_pack("{s:s,s:s}", "number", store_col_text(s, 11), "day",
								      store_col_text(s, 12)));
		json_array_append_new(arr, it);
		listed++;
	}
	store_finalize(s);
	/* each entry listed verified as its verification page verifies it
	 * (governance_verify: the chain, the signatures, the decision row
	 * against the signed step, no version after it), so that the register
	 * never passes off an entry changed behind sigap's back as valid */
	for (size_t i = first; rc >= 0 && i < first + listed; i++) {
		json_t *it = json_array_get(arr, i);
		gov_verify_report_t rep;
		if ((rc = governance_verify(c, tenant, json_integer_value(json_object_get(it, "id")), &rep)) < 0)
			break;
		json_object_set_new(it, "valid", json_boolean(rep.ok));
		if (!rep.ok)
			json_object_set_new(it, "problem", json_string(rep.msgid ? rep.msgid : ""));
	}
out:
	sb_release(&where);
	sb_release(&sql);
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------- what changed */

/* A version's content as stored, for the comparison. */
struct vcontent {
	char *f[9]; /* kind, title, background, analysis, options, proposed, urgency, needs_dprd, attachments */
};

static void vcontent_release(struct vcontent *v)
{
	for (int i = 0; i < 9; i++)
		free(v->f[i]);
}

static int vcontent_load(store_conn_t *c, const char *tenant, int64_t id, int64_t version, struct vcontent *v)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT kind, title, background, analysis, options, proposed, urgency, needs_dprd, "
				  "attachments FROM governance_versions WHERE tenant = ? AND proposal_id = ? AND version = ?", &s);
	memset(v, 0, sizeof(*v));
	if (rc < 0)
		return rc;
	store_bindf(s, "tii", tenant, id, version);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		rc = 0;
		for (int i = 0; i < 9; i++)
			if (!(v->f[i] = strdup(i == 7 ? (store_col_int64(s, 7) ? "1" : "0") : nz(store_col_text(s, i)))))
				rc = ERR_NOMEM;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	if (rc < 0)
		vcontent_release(v);
	return rc;
}

#define DIFF_LINES_MAX 400 /* lines per text compared line by line; beyond, the texts whole */

/* Splits s (modified: line ends become NULs) into at most max lines. A
 * browser sends a textarea's lines ended by CRLF, the API and older
 * versions perhaps by LF alone: the same line either way. */
static size_t split_lines(char *s, char **out, size_t max)
{
	size_t n = 0;
	while (n < max) {
		char *nl = strchr(s, '\n');
		out[n++] = s;
		if (nl && nl > s && nl[-1] == '\r')
			nl[-1] = '\0';
		else if (!nl && *s && s[strlen(s) - 1] == '\r')
			s[strlen(s) - 1] = '\0';
		if (!nl)
			return n;
		*nl = '\0';
		s = nl + 1;
	}
	return max + 1; /* too many */
}

/* The lines of a and b that differ, in order (a longest common
 * subsequence of lines), as {"del": true, "text"} and {"ins": true,
 * "text"}; a run of unchanged lines left out is one {"gap": true}. */
static int diff_lines(const char *a, const char *b, json_t *out)
{
	char *ca = strdup(a), *cb = strdup(b), *la[DIFF_LINES_MAX + 1], *lb[DIFF_LINES_MAX + 1];
	size_t na, nb, i, j;
	uint16_t *L = NULL;
	int rc = 0, gap = 0;
	if (!ca || !cb) {
		rc = ERR_NOMEM;
		goto out;
	}
	na = split_lines(ca, la, DIFF_LINES_MAX);
	nb = split_lines(cb, lb, DIFF_LINES_MAX);
	if (na > DIFF_LINES_MAX || nb > DIFF_LINES_MAX) {
		/* too long to compare line by line: the two texts whole */
		json_array_append_new(out, json_pack("{s:b,s:s}", "del", 1, "text", a));
		json_array_append_new(out, json_pack("{s:b,s:s}", "ins", 1, "text", b));
		goto out;
	}
	/* L[i][j]: length of the longest common subsequence of la[i..] and lb[j..] */
	if (!(L = calloc((na + 1) * (nb + 1), sizeof(*L)))) {
		rc = ERR_NOMEM;
		goto out;
	}
	for (i = na; i-- > 0;)
		for (j = nb; j-- > 0;)
			L[i * (nb + 1) + j] = !strcmp(la[i], lb[j]) ? (uint16_t)(L[(i + 1) * (nb + 1) + j + 1] + 1)
				: L[(i + 1) * (nb + 1) + j] >= L[i * (nb + 1) + j + 1] ? L[(i + 1) * (nb + 1) + j]
										: L[i * (nb + 1) + j + 1];
	for (i = 0, j = 0; i < na || j < nb;) {
		if (i < na && j < nb && !strcmp(la[i], lb[j])) {
			gap = 1, i++, j++;
			continue;
		}
		/* a blank line added or removed is no change a reader sees */
		/* a line replaced: the old one first, then the new */
		int add = j < nb && (i == na || L[i * (nb + 1) + j + 1] > L[(i + 1) * (nb + 1) + j]);
		const char *line = add ? lb[j++] : la[i++];
		if (!line[strspn(line, " \t\r")])
			continue;
		if (gap)
			json_array_append_new(out, json_pack("{s:b}", "gap", 1));
		gap = 0;
		json_array_append_new(out, json_pack("{s:b,s:s}", add ? "ins" : "del", 1, "text", line));
	}
	if (gap && json_array_size(out))
		json_array_append_new(out, json_pack("{s:b}", "gap", 1));
out:
	free(L);
	free(ca);
	free(cb);
	return rc;
}

/* The names of the attachments among hashes (comma-separated) that are
 * not among other, joined by ", ". */
static int attachments_added(store_conn_t *c, const char *tenant, int64_t id, const char *hashes, const char *other,
			     sb_t *out)
{
	const char *p = hashes;
	while (*p) {
		size_t len = strcspn(p, ",");
		char h[65];
		if (len == 64) {
			const char *q = other;
			int found = 0;
			memcpy(h, p, 64);
			h[64] = '\0';
			while (*q && !found) {
				size_t l2 = strcspn(q, ",");
				found = l2 == 64 && !memcmp(q, h, 64);
				q += l2 + (q[l2] == ',');
			}
			if (!found) {
				char name[256];
				int rc = store_query_text(c, name, sizeof(name), "SELECT name FROM governance_attachments "
						"WHERE tenant = ? AND proposal_id = ? AND hash = ?", "tit", tenant, id, h);
				if (rc < 0 && rc != ERR_NOT_FOUND)
					return rc;
				sb_addf(out, "%s%s", out->len ? ", " : "", rc == 0 ? name : h);
			}
		}
		p += len + (p[len] == ',');
	}
	return out->err ? ERR_NOMEM : 0;
}

int governance_changes(store_conn_t *c, const char *tenant, int64_t id, int64_t from, int64_t to, json_t **ret)
{
	static const char *const names[] = { "kind", "title", "background", "analysis", "options", "proposed", "urgency",
					     "needs_dprd", "attachments" };
	struct vcontent a, b;
	json_t *fields;
	int rc;
	if ((rc = vcontent_load(c, tenant, id, from, &a)) < 0)
		return rc;
	if ((rc = vcontent_load(c, tenant, id, to, &b)) < 0) {
		vcontent_release(&a);
		return rc;
	}
	fields = json_array();
	for (int i = 0; i < 9 && rc == 0; i++) {
		json_t *f;
		if (!strcmp(a.f[i], b.f[i]))
			continue;
		f = json_pack("{s:s}", "field", names[i]);
		if (i == 8) {
			sb_t added = SB_INIT, removed = SB_INIT;
			rc = attachments_added(c, tenant, id, b.f[i], a.f[i], &added);
			if (rc == 0)
				rc = attachments_added(c, tenant, id, a.f[i], b.f[i], &removed);
			json_object_set_new(f, "added", json_string(added.len ? added.buf : ""));
			json_object_set_new(f, "removed", json_string(removed.len ? removed.buf : ""));
			sb_release(&added);
			sb_release(&removed);
		} else if (i >= 2 && i <= 5) {
			json_t *lines = json_array();
			json_object_set_new(f, "lines", lines);
			rc = diff_lines(a.f[i], b.f[i], lines);
		} else {
			json_object_set_new(f, "before", json_string(a.f[i]));
			json_object_set_new(f, "after", json_string(b.f[i]));
		}
		json_array_append_new(fields, f);
	}
	vcontent_release(&a);
	vcontent_release(&b);
	if (rc < 0) {
		json_decref(fields);
		return rc;
	}
	*ret = json_pack("{s:I,s:I,s:o}", "from", (json_int_t)from, "to", (json_int_t)to, "fields", fields);
	return 0;
}

int governance_token_lookup(store_conn_t *c, const char *tenant, const char *token, int64_t *ret_id)
{
	if (!token || strlen(token) != 32 || strspn(token, "0123456789abcdef") != 32)
		return ERR_NOT_FOUND;
	return store_query_int64(c, ret_id, "SELECT proposal_id FROM governance_decisions WHERE tenant = ? AND token = ?", "tt",
				 tenant, token);
}

int governance_decided(store_conn_t *c, const char *tenant, int64_t id, json_t **ret)
{
	store_stmt_t *s;
	char th[GOV_HASH_HEX], nh[GOV_HASH_HEX];
	int rc = store_prepare(c, "SELECT s.idx, s.proposal_version, s.content_hash, s.note, s.verdict, s.signed_at, "
				  "s.actor_name, s.public_key, s.signature, s.step_hash, v.title, v.kind, v.proposed "
				  "FROM governance_steps s JOIN governance_versions v ON v.tenant = s.tenant AND "
				  "v.proposal_id = s.proposal_id AND v.version = s.proposal_version "
				  "WHERE s.tenant = ? AND s.proposal_id = ? AND s.kind = 'keputusan' AND s.verdict <> 'kembalikan' "
				  "ORDER BY s.idx LIMIT 1",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	rc = store_step(s);
	if (rc != STORE_ROW) {
		store_finalize(s);
		return rc < 0 ? rc : ERR_NOT_FOUND;
	}
	sha256_hex(nz(store_col_text(s, 12)), strlen(nz(store_col_text(s, 12))), th);
	sha256_hex(nz(store_col_text(s, 3)), strlen(nz(store_col_text(s, 3))), nh);
	*ret = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "idx",
			 (json_int_t)store_col_int64(s, 0), "version", (json_int_t)store_col_int64(s, 1), "content_hash",
			 nz(store_col_text(s, 2)), "title", nz(store_col_text(s, 10)), "kind", nz(store_col_text(s, 11)),
			 "text", nz(store_col_text(s, 12)), "note", nz(store_col_text(s, 3)), "verdict",
			 nz(store_col_text(s, 4)), "signed_at", (json_int_t)store_col_int64(s, 5), "actor_name",
			 nz(store_col_text(s, 6)), "public_key", nz(store_col_text(s, 7)), "signature",
			 nz(store_col_text(s, 8)), "step_hash", nz(store_col_text(s, 9)), "text_sha256", th, "note_sha256",
			 nh);
	store_finalize(s);
	return *ret ? 0 : ERR_NOMEM;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

int governance_same_text(const char *a, const char *b)
{
	while (is_blank(*a))
		a++;
	while (is_blank(*b))
		b++;
	for (;;) {
		int ga = 0, gb = 0;
		while (is_blank(*a))
			a++, ga = 1;
		while (is_blank(*b))
			b++, gb = 1;
		if (!*a || !*b)
			return !*a && !*b;
		/* a gap in one and none in the other, between two words */
		if (ga != gb)
			return 0;
		if (*a != *b)
			return 0;
		a++, b++;
	}
}

/* -------------------------------------------------------------- verification */

static int vfail(gov_verify_report_t *rep, int idx, const char *msgid, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int vfail(gov_verify_report_t *rep, int idx, const char *msgid, const char *fmt, ...)
{
	va_list ap;
	rep->ok = 0;
	rep->bad_step = idx;
	rep->msgid = msgid;
	va_start(ap, fmt);
	vsnprintf(rep->message, sizeof(rep->message), fmt, ap);
	va_end(ap);
	return 0;
}

/* Recomputes a stored version's content hash. 1 match, 0 mismatch, < 0 error. */
static int version_hash(store_conn_t *c, const char *tenant, int64_t id, int64_t version, char out[GOV_HASH_HEX])
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT kind, unit, title, background, analysis, options, proposed, urgency, needs_dprd, "
				  "attachments FROM governance_versions WHERE tenant = ? AND proposal_id = ? AND version = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tii", tenant, id, version);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		gov_content_t ct = { store_col_text(s, 0), store_col_text(s, 2), store_col_text(s, 3), store_col_text(s, 4),
				     store_col_text(s, 5), store_col_text(s, 6), store_col_text(s, 7),
				     (int)store_col_int64(s, 8), 0 };
		governance_content_hash(tenant, id, version, store_col_text(s, 1), &ct, store_col_text(s, 9), out);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	return rc;
}

typedef struct vstep {
	int64_t idx, version, signed_at;
	char *kind, *role, *actor, *verdict, *note, *content_hash, *prev_hash, *extra, *public_key, *signature, *step_hash;
} vstep_t;

static void vstep_free(vstep_t *v)
{
	free(v->kind), free(v->role), free(v->actor), free(v->verdict), free(v->note), free(v->content_hash);
	free(v->prev_hash), free(v->extra), free(v->public_key), free(v->signature), free(v->step_hash);
}

static char *dup_col(store_stmt_t *s, int col)
{
	const char *t = store_col_text(s, col);
	return strdup(t ? t : "");
}

#define RETIRED_BEFORE 1 /* retired_key(): the step was signed at or after the retirement */
#define RETIRED_FORGED 2 /* retired_key(): the retirement record does not verify */

#define RETIRE_DEPTH 8 /* approvers' own retirements followed at most this deep */

static int retired_key(store_conn_t *c, const char *tenant, const char *actor, const char *pk_hex, int64_t signed_at,
		       char *role, size_t rolelen, int depth);

/* 1 when pk_hex is the key approver held at time at: their current key
 * (made no later than at), or one of theirs retired after at whose own
 * retirement record verifies in turn (its approver held their key then, and
 * so on, at most RETIRE_DEPTH retirements deep: a row written behind sigap's
 * back cannot lend a made-up key to an approver); 0 if not. */
static int approver_held(store_conn_t *c, const char *tenant, const char *approver, const char *role, const char *pk_hex,
			 int64_t at, int depth)
{
	int64_t n = 0;
	char arole[32];
	int rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM governance_keys WHERE tenant = ? AND username = ? AND "
					  "role = ? AND public_key = ? AND created_at <= ?", "tttti", tenant, approver, role,
				   pk_hex, at);
	if (rc < 0 || n > 0)
		return rc < 0 ? rc : 1;
	rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM governance_retired_keys WHERE tenant = ? AND username = ? AND "
				      "role = ? AND public_key = ? AND created_at <= ? AND retired_at > ?", "ttttii", tenant,
			       approver, role, pk_hex, at, at);
	if (rc < 0 || n == 0)
		return rc < 0 ? rc : 0;
	if (depth >= RETIRE_DEPTH)
		return 0;
	rc = retired_key(c, tenant, approver, pk_hex, at, arole, sizeof(arole), depth + 1);
	if (rc < 0)
		return rc == ERR_NOT_FOUND ? 0 : rc;
	return rc == 0 && !strcmp(arole, role);
}

/* Whether pk_hex is a retired key of actor, valid for a step signed at
 * signed_at: ERR_NOT_FOUND (not retired: the caller checks governance_keys),
 * 0 (valid; its role into role), RETIRED_BEFORE, RETIRED_FORGED (the
 * approver's signature over the retirement does not verify, or the approver
 * could not approve it), or a store error. */
static int retired_key(store_conn_t *c, const char *tenant, const char *actor, const char *pk_hex, int64_t signed_at,
		       char *role, size_t rolelen, int depth)
{
	store_stmt_t *s;
	unsigned char apk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	size_t l1 = 0, l2 = 0;
	char approver[64], arole[32], akey[80], sigh[200];
	gov_retire_fields_t f;
	sb_t m = SB_INIT;
	int64_t retired, rid;
	int rc = store_prepare(c, "SELECT role, retired_at, request_id, approved_by, approver_role, approver_key, "
				  "signature FROM governance_retired_keys WHERE tenant = ? AND public_key = ? AND username = ?",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ttt", tenant, pk_hex, actor);
	rc = store_step(s);
	if (rc != STORE_ROW) {
		store_finalize(s);
		return rc < 0 ? rc : ERR_NOT_FOUND;
	}
	snprintf(role, rolelen, "%s", store_col_text(s, 0));
	retired = store_col_int64(s, 1);
	rid = store_col_int64(s, 2);
	snprintf(approver, sizeof(approver), "%s", store_col_text(s, 3));
	snprintf(arole, sizeof(arole), "%s", store_col_text(s, 4));
	snprintf(akey, sizeof(akey), "%s", store_col_text(s, 5));
	snprintf(sigh, sizeof(sigh), "%s", store_col_text(s, 6));
	store_finalize(s);
	if (signed_at > retired + GOV_RETIRE_SKEW)
		return RETIRED_BEFORE;
	if (strcmp(arole, governance_key_approver_role(role)) || !strcmp(approver, actor) ||
	    sodium_hex2bin(apk, sizeof(apk), akey, strlen(akey), NULL, &l1, NULL) < 0 || l1 != sizeof(apk) ||
	    sodium_hex2bin(sig, sizeof(sig), sigh, strlen(sigh), NULL, &l2, NULL) < 0 || l2 != sizeof(sig))
		return RETIRED_FORGED;
	f = (gov_retire_fields_t){ tenant, rid, actor, role, pk_hex, retired, approver, arole, akey };
	governance_retire_message(&f, &m);
	rc = !m.err && crypto_sign_verify_detached(sig, (const unsigned char *)m.buf, m.len, apk) == 0;
	sb_release(&m);
	if (!rc)
		return RETIRED_FORGED;
	rc = approver_held(c, tenant, approver, arole, akey, retired, depth);
	if (rc < 0)
		return rc;
	return rc ? 0 : RETIRED_FORGED;
}

/* Signatures already found good, remembered by their step's hash,
 * SHA-256(message || signature): the register verifies every entry it
 * lists (20 a page, 200 in the API), each of its four or more steps an
 * Ed25519 check, most of the page's time. The message holds the signer's
 * public key (field 10), so the hash binds the key, the signature and the
 * message together, and verify_one computes it anyway (the chain's link).
 * Only a good result is kept and only for those exact bytes, so a changed
 * message, signature or key misses and is checked in full; every other
 * check of verify_one (the chain, the content, the key's owner and role, a
 * retirement) runs each time. SIG_MEMO_SETS sets of SIG_MEMO_WAYS hashes
 * (512 KiB), a new one replacing its set's oldest: the table was
 * direct-mapped with 4,096 slots, and of the 800 signatures of the API's
 * 200 entries a page about one in ten met another in its slot, the two
 * evicting each other at every request, each an Ed25519 check again (half
 * of the request's time). With 4 ways, a set of 1,024 still overflowed now
 * and then (five of the 800 in one set, all five checked again each time). */
#define SIG_MEMO_SETS 4096
#define SIG_MEMO_WAYS 4

static struct {
	pthread_mutex_t mu;
	unsigned char slot[SIG_MEMO_SETS][SIG_MEMO_WAYS][crypto_hash_sha256_BYTES];
	unsigned char next[SIG_MEMO_SETS]; /* the way a new hash takes */
} sig_memo = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* Whether sig is pk's good signature of m (mlen bytes), whose step hash
 * is h (SHA-256 of m || sig). */
static int signature_good(const unsigned char *sig, const unsigned char *m, size_t mlen, const unsigned char *pk,
			  const unsigned char h[crypto_hash_sha256_BYTES])
{
	size_t k;
	int hit = 0;
	memcpy(&k, h, sizeof(k));
	k %= SIG_MEMO_SETS;
	pthread_mutex_lock(&sig_memo.mu);
	for (int w = 0; w < SIG_MEMO_WAYS && !hit; w++)
		hit = sodium_memcmp(sig_memo.slot[k][w], h, crypto_hash_sha256_BYTES) == 0;
	pthread_mutex_unlock(&sig_memo.mu);
	if (hit)
		return 1;
	if (crypto_sign_verify_detached(sig, m, mlen, pk) != 0)
		return 0;
	pthread_mutex_lock(&sig_memo.mu);
	memcpy(sig_memo.slot[k][sig_memo.next[k]], h, crypto_hash_sha256_BYTES);
	sig_memo.next[k] = (unsigned char)((sig_memo.next[k] + 1) % SIG_MEMO_WAYS);
	pthread_mutex_unlock(&sig_memo.mu);
	return 1;
}

/* The content hash of the version a step signed: the steps of a proposal
 * mostly sign the same version, read and hashed once per verification. */
struct vhash {
	int64_t version; /* 0: none yet */
	char hash[GOV_HASH_HEX];
};

static int verify_one(store_conn_t *c, const char *tenant, int64_t id, const vstep_t *v, int i, const char *prev,
		      struct vhash *vh, char out_hash[GOV_HASH_HEX], gov_verify_report_t *rep)
{
	char content[GOV_HASH_HEX], key[80], keyrole[32];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES], h[crypto_hash_sha256_BYTES];
	size_t l1 = 0, l2 = 0;
	gov_step_fields_t f = { tenant, id, v->version, v->content_hash, v->idx, v->kind, v->role, v->actor, v->public_key,
				v->verdict, v->note, v->extra, v->signed_at, v->prev_hash };
	sb_t m = SB_INIT;
	int rc, good;
	if (v->idx != i)
		return vfail(rep, i, N_("urutan langkah rusak"), "step %d: index %" PRId64 " out of order", i, v->idx);
	if (strcmp(v->prev_hash, prev))
		return vfail(rep, i, N_("rantai langkah terputus"), "step %d: does not link to the previous step", i);
	if (vh->version && vh->version == v->version) {
		memcpy(content, vh->hash, sizeof(content));
		rc = 0;
	} else if ((rc = version_hash(c, tenant, id, v->version, content)) == 0) {
		vh->version = v->version;
		memcpy(vh->hash, content, sizeof(content));
	}
	if (rc == ERR_NOT_FOUND)
		return vfail(rep, i, N_("versi usulan yang ditandatangani tidak ada"), "step %d: signed version missing", i);
	if (rc < 0)
		return rc;
	if (strcmp(content, v->content_hash))
		return vfail(rep, i, N_("isi usulan telah diubah setelah ditandatangani"),
			     "step %d: content of version %" PRId64 " does not match its hash", i, v->version);
	if (strcmp(v->role, step_role(v->kind)))
		return vfail(rep, i, N_("penanda tangan tidak memegang peran yang diperlukan"),
			     "step %d: '%s' must be signed by %s, not %s", i, v->kind, step_role(v->kind), v->role);
	/* a retired key first: it verifies only what it signed before its
	 * retirement, whatever governance_keys says. One query says whether it
	 * is retired and reads the signer's current key and its role (three
	 * look-ups per step, the register's main cost after the signatures) */
	{
		store_stmt_t *s;
		int retired = 0, current = 0;
		if ((rc = store_prepare(c, "SELECT (SELECT COUNT(*) FROM governance_retired_keys WHERE tenant = ? AND "
					   "public_key = ? AND username = ?), (SELECT public_key FROM governance_keys WHERE "
					   "tenant = ? AND username = ?), (SELECT role FROM governance_keys WHERE tenant = ? AND "
					   "username = ?)", &s)) < 0)
			return rc;
		store_bindf(s, "ttttttt", tenant, v->public_key, v->actor, tenant, v->actor, tenant, v->actor);
		if ((rc = store_step(s)) == STORE_ROW) {
			retired = store_col_int64(s, 0) != 0;
			current = store_col_text(s, 1) != NULL;
			snprintf(key, sizeof(key), "%s", nz(store_col_text(s, 1)));
			snprintf(keyrole, sizeof(keyrole), "%s", nz(store_col_text(s, 2)));
			rc = 0;
		} else if (rc == STORE_DONE) {
			rc = store_fail(ERR_DB, "the key look-up of step %d returned no row", i);
		}
		store_finalize(s);
		if (rc < 0)
			return rc;
		rc = retired ? retired_key(c, tenant, v->actor, v->public_key, v->signed_at, keyrole, sizeof(keyrole), 0)
			     : ERR_NOT_FOUND;
		if (rc == ERR_NOT_FOUND && (!current || strcmp(key, v->public_key)))
			return vfail(rep, i, N_("kunci penanda tangan bukan milik pejabat yang tercatat"),
				     "step %d: key is not the registered key of '%s'", i, v->actor);
	}
	if (rc == ERR_NOT_FOUND) {
		rc = 0; /* the current key, its role read above */
	} else if (rc == RETIRED_BEFORE) {
		return vfail(rep, i, N_("langkah ditandatangani dengan kunci yang sudah dipensiunkan"),
			     "step %d: signed with a key of '%s' retired before it was signed", i, v->actor);
	} else if (rc == RETIRED_FORGED) {
		return vfail(rep, i, N_("catatan pensiun kunci penanda tangan tidak sah"),
			     "step %d: the retirement record of the key of '%s' does not verify", i, v->actor);
	}
	if (rc < 0)
		return rc;
	if (strcmp(keyrole, v->role))
		return vfail(rep, i, N_("penanda tangan tidak memegang peran yang diperlukan"),
			     "step %d: key of '%s' belongs to role %s", i, v->actor, keyrole);
	if (sodium_hex2bin(pk, sizeof(pk), v->public_key, strlen(v->public_key), NULL, &l1, NULL) < 0 || l1 != sizeof(pk) ||
	    sodium_hex2bin(sig, sizeof(sig), v->signature, strlen(v->signature), NULL, &l2, NULL) < 0 || l2 != sizeof(sig))
		return vfail(rep, i, N_("tanda tangan rusak"), "step %d: malformed key or signature", i);
	/* the step hash (step_hash()): the message, then the signature */
	governance_step_message(&f, &m);
	sb_add(&m, sig, sizeof(sig));
	if (m.err) {
		sb_release(&m);
		return ERR_NOMEM;
	}
	crypto_hash_sha256(h, (const unsigned char *)m.buf, m.len);
	sodium_bin2hex(out_hash, GOV_HASH_HEX, h, sizeof(h));
	good = signature_good(sig, (const unsigned char *)m.buf, m.len - sizeof(sig), pk, h);
	sb_release(&m);
	if (!good)
		return vfail(rep, i, N_("tanda tangan tidak sah"), "step %d: signature does not verify", i);
	if (strcmp(out_hash, v->step_hash))
		return vfail(rep, i, N_("rantai langkah terputus"), "step %d: stored step hash does not match", i);
	return 1;
}

int governance_verify(store_conn_t *c, const char *tenant, int64_t id, gov_verify_report_t *rep)
{
	store_stmt_t *s;
	vstep_t *steps = NULL;
	size_t n = 0, cap = 0;
	char prev[GOV_HASH_HEX], h[GOV_HASH_HEX];
	struct vhash vh = { 0, "" };
	int rc, final_idx = -1, act_idx[2] = { -1, -1 }; /* the Perda's enactment and promulgation */
	memset(rep, 0, sizeof(*rep));
	rep->ok = 1;
	rep->bad_step = -1;
	rc = store_prepare(c, "SELECT idx, proposal_version, signed_at, kind, role, actor, verdict, note, content_hash, "
			      "prev_hash, extra, public_key, signature, step_hash FROM governance_steps "
			      "WHERE tenant = ? AND proposal_id = ? ORDER BY idx", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW) {
		vstep_t *v;
		if (n == cap) {
			vstep_t *nv = realloc(steps, (cap ? cap * 2 : 8) * sizeof(*nv));
			if (!nv) {
				rc = ERR_NOMEM;
				break;
			}
			steps = nv;
			cap = cap ? cap * 2 : 8;
		}
		v = &steps[n++];
		v->idx = store_col_int64(s, 0);
		v->version = store_col_int64(s, 1);
		v->signed_at = store_col_int64(s, 2);
		v->kind = dup_col(s, 3), v->role = dup_col(s, 4), v->actor = dup_col(s, 5), v->verdict = dup_col(s, 6);
		v->note = dup_col(s, 7), v->content_hash = dup_col(s, 8), v->prev_hash = dup_col(s, 9);
		v->extra = dup_col(s, 10), v->public_key = dup_col(s, 11), v->signature = dup_col(s, 12);
		v->step_hash = dup_col(s, 13);
		if (!v->kind || !v->role || !v->actor || !v->verdict || !v->note || !v->content_hash || !v->prev_hash ||
		    !v->extra || !v->public_key || !v->signature || !v->step_hash) {
			rc = ERR_NOMEM;
			break;
		}
	}
	store_finalize(s);
	if (rc < 0)
		goto out;
	snprintf(prev, sizeof(prev), "%s", ZERO_HASH);
	for (size_t i = 0; i < n; i++) {
		rc = verify_one(c, tenant, id, &steps[i], (int)i, prev, &vh, h, rep);
		if (rc <= 0)
			goto out;
		rep->steps++;
		snprintf(prev, sizeof(prev), "%s", h);
		if (!strcmp(steps[i].kind, "keputusan") && strcmp(steps[i].verdict, "kembalikan")) {
			if (final_idx >= 0) {
				vfail(rep, (int)i, N_("terdapat lebih dari satu keputusan akhir"), "step %zu: a second final decision", i);
				goto out0;
			}
			final_idx = (int)i;
		}
		/* a Perda is enacted once, after the head's approval, and
		 * promulgated once, after its enactment */
		for (int k = 0; k < 2; k++)
			if (!strcmp(steps[i].kind, k ? "pengundangan" : "penetapan")) {
				if (act_idx[k] >= 0 || (k ? act_idx[0] < 0 : final_idx < 0)) {
					vfail(rep, (int)i, N_("langkah Perda tidak berurutan"),
					      "step %zu: '%s' out of order or repeated", i, steps[i].kind);
					goto out0;
				}
				act_idx[k] = (int)i;
			}
	}
	/* the decision row must say exactly what the decision step signed */
	rc = store_prepare(c, "SELECT token, verdict, number, regno, is_public, step_idx, decided_by, decided_at, note, "
			      "title, (SELECT title FROM governance_versions v WHERE v.tenant = d.tenant AND "
			      "v.proposal_id = d.proposal_id AND v.version = ?) "
			      "FROM governance_decisions d WHERE tenant = ? AND proposal_id = ?", &s);
	if (rc < 0)
		goto out;
	store_bindf(s, "iti", final_idx >= 0 ? steps[final_idx].version : (int64_t)0, tenant, id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		char extra[400];
		int64_t sidx = store_col_int64(s, 5);
		snprintf(extra, sizeof(extra), "number=%s\nregno=%s\npublic=%d\ntoken=%s", store_col_text(s, 2),
			 store_col_text(s, 3), (int)store_col_int64(s, 4), store_col_text(s, 0));
		if (final_idx < 0 || sidx != final_idx)
			vfail(rep, (int)sidx, N_("catatan keputusan tidak sesuai dengan langkah yang ditandatangani"),
			      "decision row points at step %" PRId64 ", which is not the signed final decision", sidx);
		else if (strcmp(extra, steps[sidx].extra) || strcmp(store_col_text(s, 1), steps[sidx].verdict) ||
			 strcmp(store_col_text(s, 6), steps[sidx].actor) || store_col_int64(s, 7) != steps[sidx].signed_at ||
			 strcmp(store_col_text(s, 8), steps[sidx].note) || strcmp(nz(store_col_text(s, 9)), nz(store_col_text(s, 10))))
			vfail(rep, (int)sidx, N_("catatan keputusan telah diubah setelah ditandatangani"),
			      "decision row differs from the signed decision (step %" PRId64 ")", sidx);
		rc = 0;
	} else if (rc == STORE_DONE) {
		if (final_idx >= 0)
			vfail(rep, final_idx, N_("catatan keputusan hilang"), "the signed decision has no decision row");
		rc = 0;
	}
	store_finalize(s);
	if (rc < 0 || !rep->ok)
		goto out;
	/* what the verification page and the PDF show as decided is the
	 * version the head signed; no content may follow it (sigap refuses any
	 * edit after the decision), or the proposal's page would show text
	 * nobody signed under a valid decision */
	if (final_idx >= 0) {
		int64_t later = 0;
		rep->decided_version = steps[final_idx].version;
		rc = store_query_int64(c, &later,
				       "SELECT (SELECT COUNT(*) FROM governance_versions WHERE tenant = ? AND proposal_id = ? AND "
				       "version > ?) + (SELECT COUNT(*) FROM governance_proposals WHERE tenant = ? AND id = ? AND "
				       "content_version <> ?)",
				       "tiitii", tenant, id, rep->decided_version, tenant, id, rep->decided_version);
		if (rc < 0)
			goto out;
		if (later > 0) {
			vfail(rep, final_idx, N_("isi usulan diubah setelah keputusan ditandatangani"),
			      "content after version %" PRId64 ", which the final decision (step %d) signed",
			      rep->decided_version, final_idx);
			goto out0;
		}
	}
	/* the Perda's rows must say exactly what their steps signed, and a
	 * signed enactment or promulgation must have its row */
	rc = store_prepare(c, "SELECT act, number, regno, act_day, step_idx, actor, created_at FROM governance_perda "
			      "WHERE tenant = ? AND proposal_id = ?", &s);
	if (rc < 0)
		goto out;
	store_bindf(s, "ti", tenant, id);
	{
		int seen[2] = { 0, 0 };
		while ((rc = store_step(s)) == STORE_ROW && rep->ok) {
			int k = !strcmp(store_col_text(s, 0), "pengundangan");
			int64_t sidx = store_col_int64(s, 4);
			char extra[400];
			snprintf(extra, sizeof(extra), "number=%s\nregno=%s\nday=%s", store_col_text(s, 1), store_col_text(s, 2),
				 store_col_text(s, 3));
			if ((!k && strcmp(store_col_text(s, 0), "penetapan")) || sidx != act_idx[k] || seen[k]++)
				vfail(rep, (int)sidx, N_("catatan Perda tidak sesuai dengan langkah yang ditandatangani"),
				      "Perda row '%s' points at step %" PRId64 ", which is not its signed step",
				      store_col_text(s, 0), sidx);
			else if (strcmp(extra, steps[sidx].extra) || strcmp(store_col_text(s, 5), steps[sidx].actor) ||
				 store_col_int64(s, 6) != steps[sidx].signed_at)
				vfail(rep, (int)sidx, N_("catatan Perda telah diubah setelah ditandatangani"),
				      "Perda row differs from the signed step %" PRId64, sidx);
		}
		if (rc >= 0)
			rc = 0;
		for (int k = 0; rc == 0 && rep->ok && k < 2; k++)
			if (act_idx[k] >= 0 && !seen[k])
				vfail(rep, act_idx[k], N_("catatan Perda hilang"), "the signed step %d has no Perda row", act_idx[k]);
	}
	store_finalize(s);
	goto out;
out0:
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		vstep_free(&steps[i]);
	free(steps);
	return rc < 0 ? rc : 0;
}

/* --------------------------------------------------------------- deadlines */

struct sweep_item {
	char tenant[16], state[24], unit[32], title[4 * GOV_TITLE_MAX + 8];
	int64_t id, due, reminder;
};

struct sweep_ctx {
	int64_t now;
	int sent;
};

/* items (n of them, room for *cap) with room for one more: the same, or
 * moved with twice the room; NULL when out of memory (items unchanged). */
static void *grow(void *items, size_t n, size_t *cap, size_t size)
{
	void *ni;
	if (n < *cap)
		return items;
	if (!(ni = realloc(items, (*cap ? *cap * 2 : 16) * size)))
		return NULL;
	*cap = *cap ? *cap * 2 : 16;
	return ni;
}

static int sweep_tx(store_conn_t *c, void *ud)
{
	struct sweep_ctx *x = ud;
	struct sweep_item *items = NULL;
	size_t n = 0, cap = 0;
	store_stmt_t *s;
	int rc;
	x->sent = 0;
	/* due today (the due day began) and not yet reminded, or overdue and not yet told */
	rc = store_prepare(c, "SELECT tenant, id, state, unit, due_at, reminder, title FROM governance_proposals "
			      "WHERE state IN ('diajukan', 'pertimbangan', 'keputusan', 'dikembalikan') AND due_at > 0 "
			      "AND ((reminder = 0 AND due_at < ?) OR (reminder < 2 AND due_at < ?)) "
			      "AND tenant NOT IN " TENANT_SUSPENDED_SQL " ORDER BY tenant, id LIMIT 1000",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ii", x->now + 86400, x->now);
	while ((rc = store_step(s)) == STORE_ROW) {
		struct sweep_item *ni = grow(items, n, &cap, sizeof(*ni));
		if (!ni) {
			rc = ERR_NOMEM;
			break;
		}
		items = ni;
		snprintf(items[n].tenant, sizeof(items[n].tenant), "%s", store_col_text(s, 0));
		items[n].id = store_col_int64(s, 1);
		snprintf(items[n].state, sizeof(items[n].state), "%s", store_col_text(s, 2));
		snprintf(items[n].unit, sizeof(items[n].unit), "%s", store_col_text(s, 3));
		items[n].due = store_col_int64(s, 4);
		items[n].reminder = store_col_int64(s, 5);
		snprintf(items[n].title, sizeof(items[n].title), "%s", store_col_text(s, 6));
		n++;
	}
	store_finalize(s);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		struct sweep_item *it = &items[i];
		const char *role = "kepala_opd", *unit = NULL;
		int overdue = x->now > it->due;
		int64_t level = overdue ? 2 : 1;
		notify_target_t to;
		char obj[48];
		for (size_t k = 0; k < sizeof(WAIT_ROLE) / sizeof(WAIT_ROLE[0]); k++)
			if (!strcmp(it->state, WAIT_ROLE[k][0]))
				role = WAIT_ROLE[k][1];
		if (!strcmp(role, "kepala_opd"))
			unit = it->unit;
		to = (notify_target_t){ 0, role, unit };
		snprintf(obj, sizeof(obj), "proposal:%" PRId64, it->id);
		/* claimed first, only where this wait is still the one read and
		 * not yet told: a second instance sweeping at once (PostgreSQL
		 * reads committed rows) matches nothing and sends nothing */
		rc = store_exec(c, "UPDATE governance_proposals SET reminder = ? WHERE tenant = ? AND id = ? AND reminder < ? "
				   "AND due_at = ? AND state = ?", "itiiit", level, it->tenant, it->id, level, it->due, it->state);
		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		rc = notify_add_about(c, it->tenant, &to, overdue ? "governance.overdue" : "governance.due", obj,
				      overdue ? N_("Usulan melewati tenggat") : N_("Tenggat usulan jatuh hari ini"), it->title,
				      x->now);
		if (rc < 0)
			break;
		rc = 0;
		x->sent++;
	}
	free(items);
	return rc < 0 ? rc : 0;
}

/* A Perda waiting for its enactment or promulgation, as the sweep reads it. */
struct perda_item {
	char tenant[16], stage[16], approved[CAL_DATE_LEN], title[4 * GOV_TITLE_MAX + 8];
	int64_t id, reminder, enacted_at;
};

/* The reminders about a Perda (perda_reminder, migration 33), counted in
 * the tenant's days: to the head and the Sekda once GOV_PERDA_REMIND days
 * or fewer are left for the enactment (1) and once the last day has passed
 * (2; only this one when the sweep first sees it late), to the Sekda once
 * the enactment, signed GOV_PROMULGATE_REMIND days ago, still waits for its
 * promulgation (3). Each is claimed by raising perda_reminder only where it
 * is still lower and the Perda still where it was read, in the transaction
 * that queues its notifications: a second instance sweeping at once waits
 * for the first's row lock (PostgreSQL) or its turn (SQLite), then claims
 * nothing, so a reminder goes once. The proposal's version is left alone:
 * a reminder changes nothing an open form has seen. */
static int perda_sweep_tx(store_conn_t *c, void *ud)
{
	struct sweep_ctx *x = ud;
	struct perda_item *items = NULL;
	size_t n = 0, cap = 0;
	store_stmt_t *s;
	tenant_t t;
	char approved_by[CAL_DATE_LEN];
	int32_t latest = cal_local_day(x->now, 14 * 3600); /* no tenant's today is later */
	int rc;
	x->sent = 0;
	t.code[0] = '\0';
	/* only the Perdas that may be due somewhere: approved by the day that
	 * leaves GOV_PERDA_REMIND days in the easternmost time zone, enacted
	 * GOV_PROMULGATE_REMIND - 1 days ago; each is checked below in its
	 * tenant's days */
	cal_format_date(latest - (GOV_PERDA_DAYS - GOV_PERDA_REMIND), approved_by);
	rc = store_prepare(c, "SELECT p.tenant, p.id, p.title, p.perda_stage, p.perda_reminder, g.stage_day, "
			      "COALESCE(e.created_at, 0) FROM governance_proposals p "
			      "JOIN governance_dprd g ON g.tenant = p.tenant AND g.proposal_id = p.id AND g.stage = 'disetujui' "
			      "LEFT JOIN governance_perda e ON e.tenant = p.tenant AND e.proposal_id = p.id AND e.act = 'penetapan' "
			      "WHERE p.dprd_stage = 'disetujui' AND p.state = 'disetujui' AND p.tenant NOT IN " TENANT_SUSPENDED_SQL " AND "
			      "((p.perda_stage = '' AND p.perda_reminder < 2 AND g.stage_day <= ?) OR "
			      "(p.perda_stage = 'ditetapkan' AND p.perda_reminder < 3 AND e.created_at <= ?)) "
			      "ORDER BY p.tenant, p.id LIMIT 1000",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", approved_by, x->now - (int64_t)(GOV_PROMULGATE_REMIND - 1) * 86400);
	while ((rc = store_step(s)) == STORE_ROW) {
		struct perda_item *ni = grow(items, n, &cap, sizeof(*ni));
		if (!ni) {
			rc = ERR_NOMEM;
			break;
		}
		items = ni;
		snprintf(items[n].tenant, sizeof(items[n].tenant), "%s", store_col_text(s, 0));
		items[n].id = store_col_int64(s, 1);
		snprintf(items[n].title, sizeof(items[n].title), "%s", store_col_text(s, 2));
		snprintf(items[n].stage, sizeof(items[n].stage), "%s", store_col_text(s, 3));
		items[n].reminder = store_col_int64(s, 4);
		snprintf(items[n].approved, sizeof(items[n].approved), "%s", store_col_text(s, 5));
		items[n].enacted_at = store_col_int64(s, 6);
		n++;
	}
	store_finalize(s);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		struct perda_item *it = &items[i];
		int enact = !*it->stage;
		int64_t level = 0;
		int32_t today, d;
		const char *kind = "", *message = "";
		notify_target_t to[2] = { { 0, "kepala_daerah", NULL }, { 0, "sekda", NULL } };
		char obj[48];
		if (strcmp(t.code, it->tenant) && (rc = tenant_get(c, it->tenant, &t)) < 0) {
			t.code[0] = '\0';
			if (rc != ERR_NOT_FOUND)
				break;
			rc = 0;
			continue;
		}
		today = cal_local_day(x->now, t.tz_offset);
		if (enact && cal_parse_date(it->approved, &d) == 0) {
			d += GOV_PERDA_DAYS; /* the last day of the enactment */
			level = today > d ? 2 : today >= d - GOV_PERDA_REMIND ? 1 : 0;
			kind = level == 2 ? "governance.perda_overdue" : "governance.perda_due";
			message = level == 2 ? N_("Perda belum ditetapkan: batas 30 hari sejak persetujuan bersama DPRD telah lewat")
					     : N_("Perda menunggu penetapan: batas 30 hari sejak persetujuan bersama DPRD tinggal 7 "
						  "hari lagi atau kurang");
		} else if (!enact && today >= cal_local_day(it->enacted_at, t.tz_offset) + GOV_PROMULGATE_REMIND) {
			level = 3;
			kind = "governance.perda_promulgate_due";
			message = N_("Perda yang ditetapkan 7 hari lalu atau lebih belum diundangkan");
		}
		if (level <= it->reminder)
			continue;
		rc = store_exec(c, "UPDATE governance_proposals SET perda_reminder = ? WHERE tenant = ? AND id = ? AND "
				   "perda_reminder < ? AND dprd_stage = 'disetujui' AND perda_stage = ?",
				"itiit", level, it->tenant, it->id, level, it->stage);
		if (rc < 0)
			break;
		if (rc == 0) { /* another instance sent it, or the Perda moved on */
			rc = 0;
			continue;
		}
		snprintf(obj, sizeof(obj), "proposal:%" PRId64, it->id);
		/* the enactment's to the head, who signs it, and the Sekda, who
		 * prepares it; the promulgation's to the Sekda alone */
		rc = notify_add_many(c, it->tenant, enact ? to : &to[1], enact ? 2 : 1, kind, obj, message, it->title,
				     x->now);
		if (rc < 0)
			break;
		rc = 0;
		x->sent += enact ? 2 : 1;
	}
	free(items);
	return rc < 0 ? rc : 0;
}

int governance_deadline_sweep(store_t *st, int64_t now)
{
	struct sweep_ctx x = { now, 0 };
	int rc = store_tx(st, sweep_tx, &x), sent;
	if (rc < 0)
		return rc;
	sent = x.sent;
	rc = store_tx(st, perda_sweep_tx, &x);
	return rc < 0 ? rc : sent + x.sent;
}
