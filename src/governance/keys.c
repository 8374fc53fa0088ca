/*
 * keys.c: the officials' signing keys: made (the key pair sealed under a
 * key derived from the passphrase with argon2id), stored, found, and
 * opened to sign. A key is replaced only through replace.c once retired.
 */
#include "governance/internal.h"

#include "core/banned.h"

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
