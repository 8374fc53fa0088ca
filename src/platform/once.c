/*
 * once.c: a form sent twice is stored once (see platform.h, "submission
 * keys", and docs/complaints.md). A submission key names one filling-in of
 * a form, or one Open311 request that carries an Idempotency-Key. The
 * request that creates something records the key in submission_keys in the
 * same transaction; the primary key (tenant, id) lets only one of two
 * requests with the same key commit, and the other one, or any later one,
 * finds the row and answers as the first did.
 *
 * Nothing of the key itself is stored: from the door, the tenant, the
 * binding (who may use the key) and the key, one BLAKE2b master key is
 * derived, and from it three subkeys: the row's id, the key that seals
 * what the door keeps to answer again (a reporter code is a secret), and
 * the key of the request's fingerprint (so that a fingerprint tells nobody
 * what was typed, an anonymous reporter's name included). Whoever reads
 * the database learns which complaint was filed with some key, not by whom,
 * and cannot unseal or test a guess without the key.
 */
#include "platform/platform.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/err.h"
#include "core/banned.h"

/* The subkeys of a master key (crypto_kdf, context of 8 bytes). */
#define ONCE_KDF_CTX "sigaponc"
enum { SUB_ID = 1, SUB_SEAL = 2, SUB_FP = 3 };

void once_key_new(char out[ONCE_KEY_NEW_LEN + 1])
{
	unsigned char rnd[16];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(out, ONCE_KEY_NEW_LEN + 1, rnd, sizeof(rnd));
}

int once_key_ok(const char *s)
{
	size_t n = 0;
	if (!s)
		return 0;
	for (; s[n]; n++) {
		char ch = s[n];
		if (n >= ONCE_KEY_MAX ||
		    !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '_'))
			return 0;
	}
	return n >= ONCE_KEY_MIN;
}

int once_init(once_t *o, const char *door, const char *tenant, const char *binding, const char *key)
{
	crypto_generichash_state h;
	unsigned char master[crypto_kdf_KEYBYTES], id[32];
	const char *parts[4] = { door, tenant, binding, key };
	memset(o, 0, sizeof(*o));
	if (!door || !*door || !tenant || !*tenant || !binding || !key || !*key || strlen(tenant) >= sizeof(o->tenant))
		return ERR_INVALID;
	snprintf(o->tenant, sizeof(o->tenant), "%s", tenant);
	/* each part with its terminating NUL: no two different lists of
	 * parts give the same input (none holds a NUL) */
	crypto_generichash_init(&h, NULL, 0, sizeof(master));
	for (int i = 0; i < 4; i++)
		crypto_generichash_update(&h, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
	crypto_generichash_final(&h, master, sizeof(master));
	crypto_kdf_derive_from_key(id, sizeof(id), SUB_ID, ONCE_KDF_CTX, master);
	crypto_kdf_derive_from_key(o->seal, sizeof(o->seal), SUB_SEAL, ONCE_KDF_CTX, master);
	crypto_kdf_derive_from_key(o->fp_key, sizeof(o->fp_key), SUB_FP, ONCE_KDF_CTX, master);
	sodium_bin2hex(o->id, sizeof(o->id), id, sizeof(id));
	sodium_memzero(master, sizeof(master));
	return 0;
}

/* The fingerprint is a keyed hash of each field, added up lane by lane
 * (mod 2^64): the same fields in any order give the same sum, since a
 * client may send them in another order when it tries again. Two equal
 * fields do not cancel out, as they would with XOR. Each field costs three
 * SipHash-2-4 calls (libsodium's siphashx24, 128 bits): a field's hash
 * is that of its name's and its value's hashes and lengths, so that no
 * name and value run into each other and nothing is copied. Keyed with the
 * fingerprint subkey, the sum says nothing to whoever lacks the key; the
 * stored fingerprint (fp_hex) is keyed again. */
void once_fp_add(once_t *o, const char *name, const void *value, size_t len)
{
	unsigned char hn[crypto_shorthash_siphashx24_BYTES], hv[crypto_shorthash_siphashx24_BYTES];
	unsigned char in[2 * crypto_shorthash_siphashx24_BYTES + 16], d[crypto_shorthash_siphashx24_BYTES];
	uint64_t nl = name ? strlen(name) : 0, vl = len;
	crypto_shorthash_siphashx24(hn, (const unsigned char *)(name ? name : ""), nl, o->fp_key);
	crypto_shorthash_siphashx24(hv, value ? value : (const void *)"", vl, o->fp_key + crypto_shorthash_siphashx24_KEYBYTES);
	memcpy(in, hn, sizeof(hn));
	memcpy(in + sizeof(hn), hv, sizeof(hv));
	for (int i = 0; i < 8; i++) {
		in[2 * sizeof(hn) + i] = (unsigned char)(nl >> (8 * i));
		in[2 * sizeof(hn) + 8 + i] = (unsigned char)(vl >> (8 * i));
	}
	crypto_shorthash_siphashx24(d, in, sizeof(in), o->fp_key);
	for (int lane = 0; lane < 2; lane++) {
		uint64_t v = 0;
		for (int i = 7; i >= 0; i--)
			v = v << 8 | d[lane * 8 + i];
		o->fp_sum[lane] += v;
	}
	o->fp_n++;
}

/* The fingerprint as hex, "" when no field was added (the door does not
 * compare requests). */
static void fp_hex(const once_t *o, char out[65])
{
	unsigned char in[24], d[32];
	if (!o->fp_n) {
		out[0] = '\0';
		return;
	}
	for (int lane = 0; lane < 2; lane++)
		for (int i = 0; i < 8; i++)
			in[lane * 8 + i] = (unsigned char)(o->fp_sum[lane] >> (8 * i));
	for (int i = 0; i < 8; i++)
		in[16 + i] = (unsigned char)((uint64_t)o->fp_n >> (8 * i));
	crypto_generichash(d, sizeof(d), in, sizeof(in), o->fp_key, sizeof(o->fp_key));
	sodium_bin2hex(out, 65, d, sizeof(d));
}

/* data sealed under the key's seal subkey: hex of nonce and box. */
#define SEALED_MAX (2 * (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + ONCE_DATA_MAX) + 1)

static int seal(const once_t *o, const char *data, char out[SEALED_MAX])
{
	unsigned char buf[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + ONCE_DATA_MAX];
	size_t n = data ? strlen(data) : 0;
	if (!n) {
		out[0] = '\0';
		return 0;
	}
	if (n > ONCE_DATA_MAX)
		return store_fail(ERR_INVALID, "submission key: %zu bytes to keep, at most %d", n, ONCE_DATA_MAX);
	randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, (const unsigned char *)data, n, buf, o->seal);
	sodium_bin2hex(out, SEALED_MAX, buf, crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n);
	return 0;
}

static int unseal(const once_t *o, const char *hex, char out[ONCE_DATA_MAX + 1])
{
	unsigned char buf[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + ONCE_DATA_MAX];
	size_t n = 0, hl = hex ? strlen(hex) : 0;
	out[0] = '\0';
	if (!hl)
		return 0;
	if (hl > 2 * sizeof(buf) || sodium_hex2bin(buf, sizeof(buf), hex, hl, NULL, &n, NULL) != 0 ||
	    n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES ||
	    crypto_secretbox_open_easy((unsigned char *)out, buf + crypto_secretbox_NONCEBYTES,
				       n - crypto_secretbox_NONCEBYTES, buf, o->seal) != 0)
		return store_fail(ERR_DB, "submission key: the kept answer does not open");
	out[n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES] = '\0';
	return 0;
}

int once_find(store_conn_t *c, const once_t *o, once_found_t *ret)
{
	store_stmt_t *s;
	char fp[65];
	int rc;
	memset(ret, 0, sizeof(*ret));
	if (!c)
		return ERR_UNAVAILABLE;
	rc = store_prepare(c, "SELECT ref_id, fingerprint, sealed FROM submission_keys WHERE tenant = ? AND id = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", o->tenant, o->id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		const char *stored = store_col_text(s, 1);
		ret->ref_id = store_col_int64(s, 0);
		fp_hex(o, fp);
		/* a door that did not compare (no fingerprint on either side)
		 * takes the request for the same one */
		ret->same = !stored || !*stored || !fp[0] ||
			    (strlen(stored) == 64 && sodium_memcmp(stored, fp, 64) == 0);
		rc = unseal(o, store_col_text(s, 2), ret->data);
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	return rc;
}

int once_record_tx(store_conn_t *c, const once_t *o, int64_t ref_id, const char *data, int64_t now)
{
	char fp[65], sealed[SEALED_MAX];
	int rc = seal(o, data, sealed);
	if (rc < 0)
		return rc;
	fp_hex(o, fp);
	/* a plain INSERT: a key already recorded (a copy of this request that
	 * committed first, here or on another instance) fails it with
	 * ERR_EXISTS, the caller's transaction rolls back with everything it
	 * made, and the caller answers with what once_find() gives then. Not
	 * waited for: on PostgreSQL its failure comes back as the
	 * transaction's error. */
	return store_exec_nowait(c, "INSERT INTO submission_keys (tenant, id, ref_id, fingerprint, sealed, created_at) "
				    "VALUES (?, ?, ?, ?, ?, ?)",
				 "ttitti", o->tenant, o->id, ref_id, fp, sealed, now);
}

static int prune_tx(store_conn_t *c, void *ud)
{
	const int64_t *before = ud;
	int rc = store_exec(c, "DELETE FROM submission_keys WHERE created_at < ?", "i", *before);
	return rc < 0 ? rc : 0;
}

int once_prune(store_t *st, int64_t now)
{
	store_conn_t *c = store_reader(st);
	int64_t before = now - ONCE_WINDOW, any = 0;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	/* a read first, on the index by time: most runs find nothing to
	 * forget and need no write */
	rc = store_query_int64(c, &any, "SELECT created_at FROM submission_keys WHERE created_at < ? LIMIT 1", "i", before);
	if (rc == ERR_NOT_FOUND)
		return 0;
	if (rc < 0)
		return rc;
	return store_tx(st, prune_tx, &before);
}
