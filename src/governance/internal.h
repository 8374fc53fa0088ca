/*
 * internal.h: what the governance module's domain files share (governance.c,
 * keys.c, actions.c, dprd.c, read.c, changes.c, verify.c, deadline.c). Not
 * part of the module's interface (governance.h).
 */
#ifndef SIGAP_GOVERNANCE_INTERNAL_H
#define SIGAP_GOVERNANCE_INTERNAL_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/err.h"
#include "core/nls.h"
#include "governance/governance.h"
#include "platform/platform.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* Whom a proposal waits for in each state of the leaders' steps. */
static const char *const WAIT_ROLE[][2] = {
	{ "diajukan", "sekda" }, { "pertimbangan", "wakil" }, { "keputusan", "kepala_daerah" },
};

/* A proposal as an action reads it (prop_load in actions.c). */
typedef struct prop {
	int64_t id, version, content_version, needs_dprd, is_public;
	char unit[32], kind[24], urgency[24], state[24], dprd_stage[24], origin[16], created_by[64], perda_stage[24];
	char title[4 * GOV_TITLE_MAX + 8];
} prop_t;

static inline int one_of(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

static inline const char *nz(const char *s)
{
	return s ? s : "";
}

static inline void sha256_hex(const void *data, size_t len, char out[GOV_HASH_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, GOV_HASH_HEX, h, sizeof(h));
}

static inline int refuse(gov_action_t *a, int code, const char *msgid)
{
	a->ret_msgid = msgid;
	return code;
}

/* A yes/no field the adapter could not read (a->bad_flag): refused once
 * the role and state checks passed, so that who may not act gets their
 * 403, not the form's rules (as a date that is no date, GOV_NO_DAY). */
static inline int check_flags(gov_action_t *a)
{
	return a->bad_flag ? refuse(a, ERR_INVALID, a->bad_flag) : 0;
}

static inline int check_opd(gov_action_t *a, const prop_t *p)
{
	if (!role_needs_unit(a->role))
		return refuse(a, ERR_FORBIDDEN, N_("peran Anda tidak berwenang melakukan tindakan ini"));
	if (!a->actor_unit || strcmp(a->actor_unit, p->unit))
		return refuse(a, ERR_FORBIDDEN, N_("usulan ini milik OPD lain"));
	return 0;
}

static inline int check_version(gov_action_t *a, const prop_t *p)
{
	if (a->expected_version && a->expected_version != p->version)
		return refuse(a, ERR_CONFLICT, N_("data telah diubah orang lain; periksa data terbaru lalu kirim lagi"));
	return 0;
}

/* A pokok pikiran the kepala OPD declined: final, its content unchanged. */
static inline int is_declined(const prop_t *p)
{
	return !strcmp(p->state, "tidak_ditindaklanjuti");
}

/* A notification about proposal id to a role, with its title as the
 * subject: "usulan menunggu tindakan Anda" five times over on a Sekda's
 * dashboard did not say which proposals. */
static inline int notify_role(store_conn_t *c, gov_action_t *a, int64_t id, const char *role, const char *unit,
		       const char *message, const char *title)
{
	notify_target_t to = { 0, role, unit };
	char obj[48];
	snprintf(obj, sizeof(obj), "proposal:%" PRId64, id);
	return notify_add_about(c, a->tenant, &to, "governance", obj, message, title, a->now);
}

static inline int audit(store_conn_t *c, gov_action_t *a, int64_t id, const char *action, const char *summary)
{
	char obj[48];
	snprintf(obj, sizeof(obj), "proposal:%" PRId64, id);
	return audit_append(c, a->tenant, a->now, a->actor, action, obj, summary);
}

/* Where a DPRD stage comes in the order: 0 diajukan, 1 pembahasan, 2 the
 * outcome (disetujui or ditolak); -1 for anything else. */
static inline int dprd_pos(const char *stage)
{
	if (!stage)
		return -1;
	if (!strcmp(stage, "diajukan"))
		return 0;
	if (!strcmp(stage, "pembahasan"))
		return 1;
	return !strcmp(stage, "disetujui") || !strcmp(stage, "ditolak") ? 2 : -1;
}

/* governance.c: step_hash = SHA-256(message || signature bytes), as hex;
 * ERR_INVALID for a malformed signature. */
int gov_step_hash(const gov_step_fields_t *f, const char *sig_hex, char out[GOV_HASH_HEX]);

/* actions.c, used by dprd.c too: the checks of a proposal's content
 * (refused with a->ret_msgid), a new content version, a new state (its
 * deadline reset), the signing key checked before anything is written, and
 * a signed step appended (everything has been checked; extra may be ""). */
int gov_check_content(gov_action_t *a, const gov_content_t *ct);
int gov_insert_version(store_conn_t *c, gov_action_t *a, int64_t id, int64_t version, const char *unit,
		       const gov_content_t *ct);
int gov_set_state(store_conn_t *c, gov_action_t *a, prop_t *p, const char *state);
int gov_check_key(store_conn_t *c, gov_action_t *a, char pk_hex[65]);
int gov_append_step(store_conn_t *c, gov_action_t *a, prop_t *p, const char *kind, const char *verdict,
		    const char *note, const char *extra, const char *pk_hex, int64_t *ret_idx);

/* dprd.c, called by governance_action_tx (actions.c) in its transaction: a
 * pokok pikiran sent, a DPRD stage recorded or corrected, a Perda enacted
 * or promulgated, a pokok pikiran declined. Each sets *writing = 1 before
 * its first write. */
int gov_op_pokir(store_conn_t *c, gov_action_t *a, int *writing);
int gov_op_dprd(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing);
int gov_op_dprd_correct(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing);
int gov_op_perda(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing);
int gov_op_decline(store_conn_t *c, gov_action_t *a, prop_t *p, int *writing);

#endif
