/*
 * privacy.c: a citizen's complaints as their personal data (see
 * complaints.h, "personal data", and docs/privacy.md): the part of the
 * personal-data export that lists the complaints filed from the account,
 * and what deleting the account does to them. A complaint is public
 * content the Pemda answered in public and others may follow (merged
 * duplicates, the public list, Open311 clients), so it stays; what goes is
 * who filed it: it is then as a report filed anonymously would be.
 */
#include "complaints/complaints.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/err.h"
#include "platform/platform.h"
#include "core/banned.h"

#define EXPORT_PAGE 100
#define EXPORT_EVENTS 1000

struct export {
	store_conn_t *c;
	const char *tenant, *username, *lang;
	int tz;
	json_t *arr;
	int n, rc;
};

static json_t *instant(int64_t t, int tz)
{
	char buf[CAL_INSTANT_LEN];
	if (!t)
		return json_null();
	cal_format_instant(t, tz, buf);
	return json_string(buf);
}

/* What someone else wrote (an official's answer or note) is read with the
 * personal data in it masked, as the reporter's own page shows it. */
static json_t *masked(const char *s)
{
	char *m = strdup(s ? s : "");
	json_t *j;
	if (!m)
		return NULL;
	complaints_mask_personal(m);
	j = json_string(m);
	free(m);
	return j;
}

struct history {
	struct export *x;
	json_t *arr;
};

static int add_event(void *ud, const complaints_event_t *e)
{
	struct history *h = ud;
	int mine = *e->actor && !strcmp(e->actor, h->x->username);
	char note[CPL_MAX_TEXT * 4 + 1];
	/* the reporter's own words as written; anyone else's as the public
	 * history shows them (personal data masked) */
	if (mine)
		snprintf(note, sizeof(note), "%s", e->note);
	else
		complaints_public_note(e, note, sizeof(note));
	json_array_append_new(h->arr, json_pack("{s:o,s:s,s:s,s:s,s:s,s:b}", "at", instant(e->ts, h->x->tz), "action",
						e->action, "status", e->status, "status_label",
						mail_translate(h->x->lang, complaints_status_label(e->status)), "note",
						note, "by_you", mine));
	return 0;
}

static int add_complaint(void *ud, const complaint_t *cp)
{
	struct export *x = ud;
	struct history h = { x, json_array() };
	json_t *o, *photos = json_array();
	char url[160];
	int rc;
	x->n++;
	rc = complaints_events(x->c, x->tenant, cp->id, 0, 0, 1, EXPORT_EVENTS, add_event, &h);
	if (rc < 0) {
		json_decref(h.arr);
		json_decref(photos);
		return x->rc = rc;
	}
	/* spam is out of sight, its photos too, even for the reporter */
	for (int i = 0; i < cp->nphotos && strcmp(cp->status, "arsip"); i++) {
		snprintf(url, sizeof(url), "/t/%s/pengaduan/%" PRId64 "/foto/%d", x->tenant, cp->id, i);
		json_array_append_new(photos, json_pack("{s:i,s:s}", "index", i, "url", url));
	}
	snprintf(url, sizeof(url), "/t/%s/pengaduan/%" PRId64, x->tenant, cp->id);
	o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,"
		      "s:i,s:b,s:o,s:o}",
		      "id", (json_int_t)cp->id, "number", cp->number, "url", url, "kind", cp->kind, "title", cp->title,
		      "description", cp->description, "category", cp->category, "category_name", cp->category_name,
		      "unit", cp->unit, "unit_name", cp->unit_name, "status", cp->status, "status_label",
		      mail_translate(x->lang, complaints_status_label(cp->status)), "identity", cp->identity,
		      "reporter_name", cp->reporter_name, "email", cp->reporter_email, "phone", cp->reporter_phone,
		      "kelurahan", cp->kelurahan,
		      "kelurahan_name", cp->kelurahan_name, "address", cp->address, "location",
		      cp->has_location ? json_pack("{s:f,s:f}", "lat", cp->lat, "lon", cp->lon) : json_null(),
		      "created_at", instant(cp->created_at, x->tz), "updated_at", instant(cp->updated_at, x->tz),
		      "answer", cp->answer[0] ? masked(cp->answer) : json_null(), "answered_at",
		      instant(cp->answered_at, x->tz), "rating", cp->rating, "reopened", cp->reopened != 0, "photos",
		      photos, "history", h.arr);
	if (!o)
		return x->rc = ERR_NOMEM;
	json_array_append_new(x->arr, o);
	return 0;
}

int complaints_user_export(store_conn_t *c, const char *tenant, int64_t user_id, const char *username, int tz,
			   const char *lang, json_t **ret)
{
	struct export x = { c, tenant, username ? username : "", lang, tz, json_array(), 0, 0 };
	complaints_filter_t f = { 0 };
	int rc;
	*ret = NULL;
	if (user_id <= 0) {
		json_decref(x.arr);
		return store_fail(ERR_INVALID, "no user");
	}
	f.tenant = tenant;
	f.reporter_user_id = user_id;
	f.include_hidden = 1; /* merged and archived ones were filed too */
	f.limit = EXPORT_PAGE;
	/* a page at a time, until a page is short: the reporter's own reports,
	 * however many */
	for (;;) {
		x.n = 0;
		rc = complaints_list(c, &f, add_complaint, &x);
		if (rc == 0)
			rc = x.rc;
		if (rc < 0 || x.n < EXPORT_PAGE)
			break;
		f.offset += EXPORT_PAGE;
	}
	if (rc < 0) {
		json_decref(x.arr);
		return rc;
	}
	*ret = x.arr;
	return 0;
}

int complaints_user_forget_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *username,
			      int64_t *ret_n)
{
	char subject[48];
	int rc;
	*ret_n = 0;
	if (user_id <= 0 || !username || !*username)
		return store_fail(ERR_INVALID, "no user");
	/* an open reporter's own entries in the histories name the account:
	 * blank, as a confidential or anonymous reporter's are from the start */
	rc = store_exec(c, "UPDATE complaints_events SET actor = '' WHERE tenant = ? AND actor = ? AND complaint_id IN "
			   "(SELECT id FROM complaints WHERE tenant = ? AND reporter_user_id = ?)",
			"ttti", tenant, username, tenant, user_id);
	if (rc < 0)
		return rc;
	/* anonymous: no account, name, e-mail address or phone number (no
	 * answer goes out by e-mail or notification any more), and no
	 * reporter code (nobody acts as its reporter any more). The report, its photos, its answer and
	 * its history stay public; its version stays, so that an official's
	 * form open on it still goes in */
	rc = store_exec(c, "UPDATE complaints SET identity = 'anonim', reporter_user_id = 0, reporter_name = '', "
			   "reporter_email = '', reporter_phone = '', reporter_key_hash = NULL "
			   "WHERE tenant = ? AND reporter_user_id = ?",
			"ti", tenant, user_id);
	if (rc < 0)
		return rc;
	*ret_n = rc;
	/* the complaints the account followed: who followed is the account's */
	rc = store_exec(c, "DELETE FROM complaints_follows WHERE tenant = ? AND user_id = ?", "ti", tenant, user_id);
	if (rc < 0)
		return rc;
	snprintf(subject, sizeof(subject), "user:%" PRId64, user_id);
	rc = store_exec(c, "DELETE FROM complaints_rate WHERE tenant = ? AND subject = ?", "tt", tenant, subject);
	if (rc < 0)
		return rc;
	/* cached renderings (the Open311 answers) are read afresh; the
	 * caller touches again once the commit is on disk */
	complaints_touch();
	return 0;
}
