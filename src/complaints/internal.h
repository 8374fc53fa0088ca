/*
 * internal.h: helpers shared by the complaints module's domain files
 * (complaints.c: settings, categories, state machine, reading, actions,
 * escalation; intake.c: new complaints, duplicates, the reporter code). Not
 * part of the module's interface (complaints.h).
 */
#ifndef SIGAP_COMPLAINTS_INTERNAL_H
#define SIGAP_COMPLAINTS_INTERNAL_H

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "complaints/complaints.h"
#include "core/text.h"
#include "http/parse.h"
#include "platform/platform.h"

/* The performance feed's unit of a complaint no OPD has yet. */
#define PERF_UNROUTED "-"

static inline void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static inline int empty(const char *s)
{
	return !s || !*s;
}

/* Characters in valid UTF-8 s, or -1 if s is not valid UTF-8. */
static inline long utf8_chars(const char *s)
{
	size_t len = strlen(s);
	long n = 0;
	if (!utf8_valid(s, len))
		return -1;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Has the text any non-space character? */
static inline int blank(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* Does the text hold a control character (C0 or DEL; with allow_newline,
 * tab and line breaks are fine) or a Unicode noncharacter (U+FDD0..U+FDEF,
 * and U+FFFE/U+FFFF of every plane)? Noncharacters are not allowed in XML,
 * so one of them in a published text would break the Open311 XML answers
 * for every client. Also C1 controls and invalid UTF-8. */
static inline int has_ctl(const char *s, int allow_newline)
{
	return !text_clean(s, allow_newline); /* the one rule of core/text.h */
}

static inline int add_event(store_conn_t *c, const char *tenant, int64_t id, int64_t now, const char *actor,
		     const char *role, const char *action, const char *status, const char *note, int pub)
{
	int rc = store_exec_nowait(c,
			    "INSERT INTO complaints_events (tenant, complaint_id, ts, actor, actor_role, action, status, "
			    "note, public) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    "tiitttttd", tenant, id, now, actor ? actor : "", role ? role : "", action, status,
			    note ? note : "", pub);
	return rc < 0 ? rc : 0;
}

static inline void kec_of(const char *kel, char out[16])
{
	int dots = 0;
	size_t i;
	out[0] = '\0';
	for (i = 0; kel && kel[i] && i < 15; i++)
		if (kel[i] == '.' && ++dots == 3)
			break;
	if (dots == 3) {
		memcpy(out, kel, i);
		out[i] = '\0';
	}
}

static inline int audit(store_conn_t *c, const char *tenant, int64_t now, const char *actor, const char *action,
		 int64_t id, const char *summary)
{
	char obj[48];
	snprintf(obj, sizeof(obj), "complaint:%" PRId64, id);
	return audit_append(c, tenant, now, actor ? actor : "", action, obj, summary ? summary : "");
}

/* A notification about complaint id, whose tracking number follows the
 * message (a msgid) wherever it is shown. */
static inline int notify(store_conn_t *c, const char *tenant, int64_t user_id, const char *role, const char *unit,
		  const char *kind, int64_t id, const char *number, const char *message, int64_t now)
{
	notify_target_t to = { user_id, role, unit && *unit ? unit : NULL };
	char obj[48];
	snprintf(obj, sizeof(obj), "complaint:%" PRId64, id);
	return notify_add_about(c, tenant, &to, kind, obj, message, number, now);
}

/* An e-mail about complaint id: its subject ("what: number"), the link to
 * its public page, and the body's start (what, the number, the text) in
 * body, what translated into lang. The caller adds the rest and queues it. */
#define CPL_MAIL_SUBJECT 240
#define CPL_MAIL_LINK 400
void complaints_mail_head(sb_t *body, char subject[CPL_MAIL_SUBJECT], char link[CPL_MAIL_LINK], const char *tenant,
			 int64_t id, const char *lang, const char *number, const char *what, const char *text);

/* follow.c, inside complaints_act_tx's transaction: the followers of id
 * told (what: a msgid; text masked for them; the notification and link
 * about obj_id, obj_number); the follows of id moved to into (merged:
 * not for into's reporter nor those following it already) or dropped. */
int complaints_follow_tell_tx(store_conn_t *c, const char *tenant, int64_t id, int64_t obj_id, const char *obj_number,
			      const char *what, const char *text, int64_t now);
int complaints_follow_move_tx(store_conn_t *c, const char *tenant, int64_t id, int64_t into);
int complaints_follow_drop_tx(store_conn_t *c, const char *tenant, int64_t id);

/* The deadline of whoever must act now (0: nobody), as item lists show it,
 * and the work queue's order by it: items with one first, earliest first;
 * then the rest, newest first; within a deadline, newest first.
 * CPL_DUE_KEY is that order's first key, which the indexes of migration 23
 * hold (complaints_tenant_due, complaints_unit_due): their expression must
 * stay this text, or the queue sorts all open items again. */
#define CPL_DUE_SQL                                                                                 \
	"CASE WHEN status IN ('baru', 'tunda') AND verify_due > 0 THEN verify_due "                   \
	"WHEN status IN ('baru', 'tunda') THEN expected_at WHEN status = 'disposisi' THEN answer_due " \
	"ELSE 0 END"
#define CPL_DUE_KEY "(CASE WHEN (" CPL_DUE_SQL ") > 0 THEN (" CPL_DUE_SQL ") ELSE 9223372036854775807 END)"
#define CPL_DUE_ORDER CPL_DUE_KEY ", created_at DESC, id DESC"

#endif
