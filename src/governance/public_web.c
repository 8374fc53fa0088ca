/*
 * public_web.c: the governance module's public pages: the register of
 * decisions and Perdas (JDIH), each entry verified, the verification page
 * of a decision's token (what was signed, by whom, whether it still
 * verifies) with its QR code, the comparison of a copy's text with what was
 * signed, and the decision PDF.
 */
#include "governance/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/calendar.h"
#include "core/err.h"
#include "core/nls.h"
#include "docs/docs.h"
#include "governance/governance.h"
#include "platform/platform.h"
#include "core/banned.h"

#define REG_PAGE 20	   /* decisions per page of the register */
#define REG_EXCERPT 280	   /* bytes of a decided text shown in the register */
#define REG_QUERY_MAX 200  /* longest search */

static json_t *register_page_url(req_t *r, const char *q, int page)
{
	sb_t u = SB_INIT;
	json_t *j;
	sb_addf(&u, "/t/%s/jdih", r->tenant->code);
	if (*q) {
		sb_adds(&u, "?q=");
		sb_add_urlenc(&u, q, strlen(q));
	}
	if (page > 1)
		sb_addf(&u, "%shal=%d", *q ? "&" : "?", page);
	j = json_string(u.err ? "" : u.buf);
	sb_release(&u);
	return j;
}

/* The start of a long decided text, cut after a whole word (and never
 * inside a UTF-8 character), with "…"; the whole is on its verification
 * page. A decision may run to 20,000 characters, and the register showed
 * each in full, one under another, on a phone. */
static void clip_text(json_t *it)
{
	const char *t = json_string_value(json_object_get(it, "text"));
	size_t n, cut;
	char *buf;
	if (!t || (n = strlen(t)) <= REG_EXCERPT)
		return;
	cut = REG_EXCERPT;
	while (cut > 0 && ((unsigned char)t[cut] & 0xC0) == 0x80)
		cut--;
	for (size_t k = cut; k > REG_EXCERPT / 2; k--)
		if (t[k] == ' ' || t[k] == '\n') {
			cut = k;
			break;
		}
	if (!(buf = malloc(cut + 4)))
		return;
	memcpy(buf, t, cut);
	memcpy(buf + cut, "\xe2\x80\xa6", 4); /* … and the NUL */
	json_object_set_new(it, "text", json_string(buf));
	json_object_set_new(it, "clipped", json_true());
	free(buf);
}

/* The register's search words and page from the query (page_key: "hal" on
 * the page, "page" in the API); answers 400 and returns -1 for bad ones. */
int gov_register_query(req_t *r, const char *page_key, const char **ret_q, int *ret_page)
{
	const char *q = req_query(r, "q");
	if (!q)
		q = "";
	while (*q == ' ')
		q++;
	if (strlen(q) > REG_QUERY_MAX) {
		http_error(r, ERR_INVALID, N_("kata pencarian terlalu panjang (maksimal 200 karakter)"));
		return -1;
	}
	if (http_parse_page(req_query(r, page_key), ret_page) < 0) {
		http_error(r, ERR_INVALID, N_("nomor halaman tidak sah"));
		return -1;
	}
	*ret_q = q;
	return 0;
}

void gov_register_translate(req_t *r, json_t *arr)
{
	size_t i;
	json_t *it;
	json_array_foreach(arr, i, it) {
		const char *problem = json_string_value(json_object_get(it, "problem"));
		if (problem)
			json_object_set_new(it, "problem", json_string(req_t_(r, problem)));
	}
}

/* GET /t/{t}/jdih?q=&hal=: the public register, REG_PAGE decisions a page,
 * newest first, searchable by number, title, text and OPD. It listed the
 * newest 200 with no way to find an older one or to go further. */
int h_gov_register(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	const char *q;
	json_t *arr, *ctx;
	int64_t total = 0;
	int rc, page, more;
	if (gov_register_query(r, "hal", &q, &page) < 0)
		return 0;
	if (!c)
		return ERR_UNAVAILABLE;
	arr = json_array();
	/* one snapshot for the count, the page and each entry's verification:
	 * what is listed and checked is one state, and SQLite takes its read
	 * lock once instead of once per statement (a tenth of the time) */
	if ((rc = store_read_begin(c)) == 0) {
		rc = governance_register(c, r->tenant->code, q, REG_PAGE + 1, (page - 1) * REG_PAGE, arr, &total);
		store_read_end(c);
	}
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	more = json_array_size(arr) > REG_PAGE;
	if (more)
		json_array_remove(arr, REG_PAGE);
	gov_decorate_items(r, arr);
	gov_register_translate(r, arr);
	{
		size_t i;
		json_t *it;
		json_array_foreach(arr, i, it)
			clip_text(it);
	}
	ctx = json_pack("{s:s,s:o,s:s,s:I,s:b}", "title", req_t_(r, "Produk hukum daerah"), "items", arr, "q", q, "total",
			(json_int_t)total, "searched", *q != '\0');
	if (page > 1 || more)
		json_object_set_new(ctx, "paging", json_pack("{s:i,s:o,s:o}", "page", page, "prev_url",
							     page > 1 ? register_page_url(r, q, page - 1) : json_null(),
							     "next_url", more ? register_page_url(r, q, page + 1) : json_null()));
	http_page(r, 200, "governance_register", ctx);
	return 0;
}

/* 1 when the visitor may read the proposal itself (signed in to this
 * Pemda with a role and OPD that governance_get() lets through). */
static int may_read(req_t *r, store_conn_t *c, int64_t id)
{
	json_t *p = NULL;
	if (r->who.kind == AUTH_NONE || governance_get(c, r->tenant->code, id, r->who.role, r->who.unit, &p) < 0)
		return 0;
	json_decref(p);
	return 1;
}

/* What the verification page and its JSON show. *ret_id receives the
 * proposal. What was decided (the title, the decided text, the head's note)
 * comes from the head's signed step and the content version it signed
 * (governance_decided), never from the proposal's current row, so that what
 * the page shows is what the signatures cover. The text and the note are
 * shown when the decision is published in the JDIH, or to a reader who may
 * read the proposal; otherwise only their SHA-256 (and a form to compare a
 * copy, h_gov_compare), "text_hidden". */
int gov_verification(req_t *r, const char *token, json_t **ret, int64_t *ret_id)
{
	store_conn_t *c = store_reader(r->app->store);
	gov_verify_report_t rep;
	json_t *p = NULL, *out, *signers, *st, *dec, *got = NULL;
	int64_t id = 0;
	size_t i;
	int rc, shown;
	if (!c)
		return ERR_UNAVAILABLE;
	rc = governance_token_lookup(c, r->tenant->code, token, &id);
	if (rc < 0)
		return rc;
	if ((rc = governance_get(c, r->tenant->code, id, ROLE_ADMIN, NULL, &p)) < 0)
		return rc;
	if ((rc = governance_verify(c, r->tenant->code, id, &rep)) < 0 ||
	    ((rc = governance_decided(c, r->tenant->code, id, &got)) < 0 && rc != ERR_NOT_FOUND)) {
		json_decref(p);
		return rc;
	}
	dec = json_object_get(p, "decision");
	signers = json_array();
	json_array_foreach(json_object_get(p, "steps"), i, st) {
		char when[48];
		fmt_time(r, json_integer_value(json_object_get(st, "signed_at")), when, sizeof(when));
		json_array_append_new(signers, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "idx",
							 json_integer_value(json_object_get(st, "idx")), "step",
							 json_string_value(json_object_get(st, "kind")), "step_label",
							 req_t_(r, json_string_value(json_object_get(st, "kind_label"))), "role",
							 json_string_value(json_object_get(st, "role")), "name",
							 json_string_value(json_object_get(st, "actor_name")), "verdict",
							 json_string_value(json_object_get(st, "verdict")), "verdict_label",
							 req_t_(r, json_string_value(json_object_get(st, "verdict_label"))),
							 "signed_at", when, "proposal_version",
							 json_integer_value(json_object_get(st, "proposal_version")), "public_key",
							 json_string_value(json_object_get(st, "public_key")), "signature",
							 json_string_value(json_object_get(st, "signature")), "step_hash",
							 json_string_value(json_object_get(st, "step_hash"))));
	}
	shown = json_is_true(json_object_get(dec, "is_public")) || may_read(r, c, id);
	{
		char when[48];
		fmt_time(r, json_integer_value(json_object_get(dec, "decided_at")), when, sizeof(when));
		out = json_pack("{s:b,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:i,s:s,s:b}", "valid", rep.ok, "problem",
				rep.ok ? "" : req_t_(r, rep.msgid ? rep.msgid : ""), "number",
				json_string_value(json_object_get(dec, "number")), "verdict",
				json_string_value(json_object_get(dec, "verdict")), "verdict_label",
				req_t_(r, governance_verdict_label(json_string_value(json_object_get(dec, "verdict")))), "title",
				got ? json_string_value(json_object_get(got, "title"))
				    : json_string_value(json_object_get(dec, "title")),
				"decided_at", when, "unit", json_string_value(json_object_get(p, "unit_name")), "signers",
				signers, "steps_checked", rep.steps, "token", token, "published",
				json_is_true(json_object_get(dec, "is_public")));
		/* the decided text and the head's note as signed; their digests
		 * and what the signatures cover, for whoever checks them */
		if (got) {
			if (shown) {
				json_object_set(out, "text", json_object_get(got, "text"));
				json_object_set(out, "note", json_object_get(got, "note"));
			} else {
				json_object_set_new(out, "text_hidden", json_true());
			}
			json_object_set_new(out, "signed",
					    json_pack("{s:O,s:O,s:O,s:O,s:O,s:b}", "version", json_object_get(got, "version"),
						      "content_hash", json_object_get(got, "content_hash"), "text_sha256",
						      json_object_get(got, "text_sha256"), "note_sha256",
						      json_object_get(got, "note_sha256"), "step_hash",
						      json_object_get(got, "step_hash"), "has_note",
						      *json_string_value(json_object_get(got, "note")) != '\0'));
		}
		/* whether this visitor may download the PDF, which carries the text */
		json_object_set_new(out, "pdf", json_boolean(shown));
		/* what came of it, as a citizen says it: approved or rejected
		 * ("Keputusan: Setuju" read "Decision: Agree" in English) */
		json_object_set_new(out, "outcome_label", json_string(req_t_(r, outcome_label(
									 json_string_value(json_object_get(dec, "verdict"))))));
		/* a Perda: its number and the Lembaran Daerah's, as signed */
		if (json_object_get(p, "perda_enacted"))
			json_object_set(out, "perda", json_object_get(p, "perda_enacted"));
		if (json_object_get(p, "perda_promulgated"))
			json_object_set(out, "lembaran", json_object_get(p, "perda_promulgated"));
	}
	json_decref(got);
	json_decref(p);
	*ret = out;
	*ret_id = id;
	return 0;
}

/* The verification page of v (gov_verification's, stolen) with its QR
 * code, status as given. */
static void verify_page(req_t *r, int status, const char *token, json_t *v)
{
	sb_t svg = SB_INIT, url = SB_INIT;
	json_object_set_new(v, "found", json_true());
	gov_verify_url(r, token, &url);
	if (qr_svg(url.buf, &svg) == 0)
		json_object_set_new(v, "qr", json_stringn(svg.buf, svg.len));
	json_object_set_new(v, "url", json_string(url.buf));
	sb_release(&svg);
	sb_release(&url);
	json_object_set(v, "decision_title", json_object_get(v, "title"));
	json_object_set_new(v, "title", json_string(req_t_(r, "Verifikasi keputusan")));
	http_page(r, status, "governance_verify", v);
}

/* A code no decision has: say plainly that no decision has it and what to
 * do, not a bare "not found" (a citizen who scanned a forged or mistyped
 * code). */
static void verify_unknown(req_t *r)
{
	http_page(r, 404, "governance_verify", json_pack("{s:s,s:b}", "title", req_t_(r, "Verifikasi keputusan"), "found", 0));
}

/* gov_verification() for a page: 1 with *v and *id set, 0 when an unknown
 * code was answered with its page, or an error. */
static int page_verification(req_t *r, const char *token, json_t **v, int64_t *id)
{
	int rc = gov_verification(r, token, v, id);
	if (rc == ERR_NOT_FOUND) {
		verify_unknown(r);
		return 0;
	}
	return rc < 0 ? rc : 1;
}

int h_gov_verify(req_t *r)
{
	json_t *v = NULL;
	int64_t id;
	const char *token = req_param(r, "token");
	int rc = page_verification(r, token, &v, &id);
	if (rc <= 0)
		return rc;
	verify_page(r, 200, token, v);
	return 0;
}

/* 1 when s is nothing but white space (or empty). */
static int blank(const char *s)
{
	return s[strspn(s, " \t\r\n\f\v")] == '\0';
}

/* POST /t/{t}/verifikasi/{token}: compares the text (and the note) of the
 * document a visitor holds with what the head signed, white space aside
 * (governance_same_text), for a decision whose text is not published: the
 * page shows only their SHA-256. The answer is the page with "same" or
 * "differs" for each, and what was typed kept. Nothing is stored. */
int h_gov_compare(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	json_t *v = NULL, *got = NULL, *cmp;
	int64_t id;
	const char *token = req_param(r, "token");
	const char *text = req_form(r, "text"), *note = req_form(r, "note");
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	if ((rc = page_verification(r, token, &v, &id)) <= 0)
		return rc;
	/* the answer holds what the visitor typed from their copy: kept nowhere */
	r->personal = 1;
	text = text ? text : "";
	note = note ? note : "";
	cmp = json_pack("{s:s,s:s}", "text", text, "note", note);
	json_object_set_new(v, "compare", cmp);
	if (strlen(text) > 4 * GOV_TEXT_MAX || strlen(note) > 4 * GOV_NOTE_MAX) {
		json_object_set_new(v, "compare_error", json_string(req_t_(r, "teks terlalu panjang untuk dibandingkan")));
		verify_page(r, 400, token, v);
		return 0;
	}
	if (blank(text) && blank(note)) {
		json_object_set_new(v, "compare_error",
				    json_string(req_t_(r, "salin atau ketik isi keputusan dari dokumen Anda untuk dibandingkan")));
		verify_page(r, 400, token, v);
		return 0;
	}
	rc = governance_decided(c, r->tenant->code, id, &got);
	if (rc == ERR_NOT_FOUND) {
		/* the signed decision is gone: the page says the signature is not valid */
		json_object_set_new(v, "compare_error", json_string(req_t_(r, "keputusan yang ditandatangani tidak ditemukan")));
		verify_page(r, 409, token, v);
		return 0;
	}
	if (rc < 0) {
		json_decref(v);
		return rc;
	}
	if (!blank(text)) {
		int same = governance_same_text(text, json_string_value(json_object_get(got, "text")));
		json_object_set_new(cmp, "text_same", json_boolean(same));
		json_object_set_new(cmp, "text_differs", json_boolean(!same));
	}
	if (!blank(note)) {
		int same = governance_same_text(note, json_string_value(json_object_get(got, "note")));
		json_object_set_new(cmp, "note_same", json_boolean(same));
		json_object_set_new(cmp, "note_differs", json_boolean(!same));
	}
	json_object_set_new(cmp, "done", json_true());
	json_decref(got);
	verify_page(r, 200, token, v);
	return 0;
}

int h_gov_pdf(req_t *r)
{
	json_t *v = NULL, *st;
	int64_t id;
	const char *token = req_param(r, "token");
	doc_t *d = NULL;
	sb_t pdf = SB_INIT, url = SB_INIT, head = SB_INIT;
	size_t i;
	int published, rc = page_verification(r, token, &v, &id);
	if (rc <= 0)
		return rc;
	if (!json_is_true(json_object_get(v, "pdf"))) {
		/* the PDF carries the decided text, which a decision not
		 * published in the JDIH shows only to those who may read it */
		json_object_set_new(v, "pdf_refused", json_true());
		verify_page(r, 403, token, v);
		return 0;
	}
	{
		const char *num = json_string_value(json_object_get(v, "number"));
		rc = doc_new(num && *num ? num : "Keputusan", &d);
	}
	if (rc < 0) {
		json_decref(v);
		return rc;
	}
	sb_addf(&head, "PEMERINTAH %s", r->tenant->name);
	for (char *p = head.buf; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	/* The PDF is the Pemda's document, in Indonesian whatever language the
	 * visitor reads: gov_verification's labels are in the reader's, so an
	 * English browser got "Keputusan: Agree" and "Submitted by the Head of
	 * Agency" between Indonesian headings. The labels come from the codes. */
	doc_header_line(d, head.buf);
	doc_subtitle(d, json_string_value(json_object_get(v, "title")));
	doc_row(d, "Keputusan", outcome_label(json_string_value(json_object_get(v, "verdict"))));
	doc_row(d, "Tanggal", json_string_value(json_object_get(v, "decided_at")));
	doc_row(d, "OPD pengusul", json_string_value(json_object_get(v, "unit")));
	/* what the head decided and wrote, as signed (governance_decided) */
	{
		const char *text = json_string_value(json_object_get(v, "text"));
		const char *note = json_string_value(json_object_get(v, "note"));
		doc_heading(d, "Isi keputusan");
		doc_para(d, text && *text ? text : "(tidak ada rumusan keputusan)");
		if (note && *note) {
			doc_heading(d, "Catatan Kepala Daerah");
			doc_para(d, note);
		}
	}
	/* a Perda: its number and the Lembaran Daerah's, with their dates, as
	 * signed by the head and the Sekda */
	if (json_object_get(v, "perda")) {
		static const char *const acts[2][3] = {
			{ "perda", "Peraturan Daerah", "Tanggal penetapan" },
			{ "lembaran", "Lembaran Daerah", "Tanggal pengundangan" },
		};
		doc_heading(d, "Penetapan dan pengundangan Perda");
		for (int k = 0; k < 2; k++) {
			json_t *act = json_object_get(v, acts[k][0]);
			char when[48] = "-";
			int32_t day;
			if (!act) {
				doc_row(d, acts[k][1], "belum diundangkan");
				continue;
			}
			if (cal_parse_date(json_string_value(json_object_get(act, "day")), &day) == 0)
				governance_day_words(day, NULL, NULL, when, sizeof(when));
			doc_row(d, acts[k][1], json_string_value(json_object_get(act, "number")));
			doc_row(d, acts[k][2], when);
		}
	}
	doc_heading(d, "Rangkaian tanda tangan elektronik");
	json_array_foreach(json_object_get(v, "signers"), i, st) {
		sb_t line = SB_INIT;
		const char *verdict = governance_step_verdict_label(json_string_value(json_object_get(st, "step")),
								    json_string_value(json_object_get(st, "verdict")));
		sb_addf(&line, "%s, %s%s%s", json_string_value(json_object_get(st, "name")),
			json_string_value(json_object_get(st, "signed_at")), *verdict ? " - " : "", verdict);
		doc_row(d, governance_step_label(json_string_value(json_object_get(st, "step"))), line.buf);
		sb_release(&line);
	}
	gov_verify_url(r, token, &url);
	doc_qr(d, url.buf, "Pindai untuk memeriksa keaslian keputusan ini");
	doc_footer(d, "Ditandatangani secara elektronik (Ed25519) melalui sigap");
	rc = doc_render(d, &pdf);
	doc_free(d);
	published = json_is_true(json_object_get(v, "published"));
	json_decref(v);
	sb_release(&url);
	sb_release(&head);
	if (rc < 0) {
		sb_release(&pdf);
		return rc;
	}
	/* an unpublished decision's text, for those who may read it: kept by no cache */
	if (!published)
		http_add_header(r, "cache-control", "no-store");
	http_add_header(r, "content-disposition", "inline; filename=\"keputusan.pdf\"");
	http_send(r, 200, "application/pdf", pdf.buf, pdf.len);
	sb_release(&pdf);
	return 0;
}
