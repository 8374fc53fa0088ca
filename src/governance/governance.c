/*
 * governance.c: what the rest of the module builds on: the labels of
 * states, steps, verdicts, urgencies and DPRD stages, the canonical form of
 * what is signed (a content version's hash, a step's message and hash, a
 * key's retirement), the numbers of decisions and Perdas, and dates and
 * refusals in words. The rest of the module:
 * keys.c (signing keys), actions.c (proposals and their signed steps),
 * dprd.c (pokok pikiran, DPRD stages, the Perda), read.c (inboxes, a
 * proposal, the register), changes.c (what changed between versions),
 * verify.c (the chain's verification), deadline.c (reminders), replace.c
 * (replacing a lost key); see governance.h for the flow and
 * docs/governance.md for the byte layout of what is signed.
 */
#include "governance/internal.h"

#include "core/calendar.h"
#include "core/banned.h"

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
int gov_step_hash(const gov_step_fields_t *f, const char *sig_hex, char out[GOV_HASH_HEX])
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

/* ---------------------------------------------------------------- in words */

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
