/*
 * verify.c: the verification of a proposal's signed chain (each step's
 * content, link, key, role and Ed25519 signature, a retired key's
 * retirement record, the decision and Perda rows against their steps), and
 * what the public verification page reads: the proposal of a decision's
 * token, what the head's final decision signed, and whether a copy's text
 * is the same.
 */
#include "governance/internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>

#include "core/banned.h"

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
	/* the step hash (gov_step_hash()): the message, then the signature */
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
			/* a row whose act was never signed (act_idx -1) points at no
			 * step, whatever its step_idx says (-1 too: read as an index
			 * it crashed the verifier) */
			if ((!k && strcmp(store_col_text(s, 0), "penetapan")) || act_idx[k] < 0 || sidx != act_idx[k] ||
			    seen[k]++)
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
