/*
 * deadline.h: a deadline as the officials read it, in working days of the
 * tenant's calendar and in the page's language. The complaint queue and
 * page, and the proposals' inbox, say how far a deadline is with it; the
 * application pages word their SLA the same way (services/web.c).
 */
#ifndef SIGAP_HTTP_DEADLINE_H
#define SIGAP_HTTP_DEADLINE_H

#include <stdint.h>

#include "core/calendar.h"
#include "http/http.h"

/* How far deadline due (unix seconds, the end of its day) is at now, in
 * working days of cal in the request's tenant's time zone: "3 hari kerja
 * tersisa", "1 hari kerja tersisa", "batas waktunya hari ini", "terlambat
 * 2 hari kerja", or "terlambat" past a deadline that fell just before a
 * weekend or holiday (no working day late yet), translated for r. "" when
 * due <= 0 or cal is NULL. Never NULL; the text lives in r's arena (or is
 * a catalogue's). */
const char *http_deadline_words(req_t *r, const calendar_t *cal, int64_t due, int64_t now);

#endif
