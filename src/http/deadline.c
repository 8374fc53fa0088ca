/*
 * deadline.c: a deadline in working days, in words (deadline.h). The
 * msgids are the application page's, so that every module says it alike.
 */
#include "http/deadline.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/nls.h"
#include "tenants/tenants.h"
#include "core/banned.h"

const char *http_deadline_words(req_t *r, const calendar_t *cal, int64_t due, int64_t now)
{
	int tz = r->tenant ? r->tenant->tz_offset : 0;
	int32_t today = cal_local_day(now, tz), day = cal_local_day(due, tz);
	const char *fmt;
	char num[16], *out;
	size_t len;
	int n;
	if (due <= 0 || !cal)
		return "";
	if (now <= due) {
		n = calendar_working_days_between(cal, today, day);
		if (n <= 0)
			return req_t_(r, N_("batas waktunya hari ini"));
		fmt = n == 1 ? N_("1 hari kerja tersisa") : N_("%s hari kerja tersisa");
	} else {
		n = calendar_working_days_between(cal, day, today);
		if (n <= 0)
			return req_t_(r, N_("terlambat"));
		fmt = n == 1 ? N_("terlambat 1 hari kerja") : N_("terlambat %s hari kerja");
	}
	fmt = req_t_(r, fmt);
	if (n == 1)
		return fmt;
	snprintf(num, sizeof(num), "%d", n);
	len = strlen(fmt) + sizeof(num);
	if (!(out = arena_alloc(&r->arena, len)))
		return "";
	snprintf(out, len, fmt, num);
	return out;
}
