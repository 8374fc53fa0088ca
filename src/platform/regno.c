/*
 * regno.c: human-readable registration numbers (see platform.h). The
 * counter lives in the sequences table keyed by (tenant, kind, year); the
 * increment is one UPDATE ... RETURNING inside the caller's transaction.
 */
#include "platform/platform.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/banned.h"

static int valid_kind(const char *k)
{
	size_t n = k ? strlen(k) : 0;
	if (n < 2 || n > 8)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)k[i]))
			return 0;
	return 1;
}

int regno_next(store_conn_t *c, const char *tenant, const char *kind, int year, int64_t *ret_seq,
	       char *ret_number, size_t numlen)
{
	int64_t seq = 0;
	char key[96];
	int rc;
	if (!valid_kind(kind) || year < 2000 || year > 9999 || !tenant || !*tenant)
		return store_fail(ERR_INVALID, "bad registration number kind '%s' or year %d", kind ? kind : "", year);
	/* taken before in this transaction: its UPDATE locked the row, so the
	 * next value is known; the increment need not be waited for */
	snprintf(key, sizeof(key), "seq|%s|%s|%d", tenant, kind, year);
	if (store_memo_get(key, &seq, NULL, 0)) {
		seq++;
		rc = store_exec_nowait(c, "UPDATE sequences SET value = value + 1 WHERE tenant = ? AND kind = ? AND year = ?",
				       "ttd", tenant, kind, year);
		if (rc < 0)
			return rc;
		goto out;
	}
	/* the counter row is created by the year's first number only (one
	 * statement less on every other: a round trip on PostgreSQL) */
	rc = store_query_int64(c, &seq, "UPDATE sequences SET value = value + 1 WHERE tenant = ? AND kind = ? AND year = ? "
					"RETURNING value", "ttd", tenant, kind, year);
	if (rc == ERR_NOT_FOUND) {
		rc = store_exec(c, "INSERT INTO sequences (tenant, kind, year, value) VALUES (?, ?, ?, 0) "
				   "ON CONFLICT (tenant, kind, year) DO NOTHING", "ttd", tenant, kind, year);
		if (rc < 0)
			return rc;
		rc = store_query_int64(c, &seq, "UPDATE sequences SET value = value + 1 WHERE tenant = ? AND kind = ? AND year = ? "
						"RETURNING value", "ttd", tenant, kind, year);
	}
	if (rc < 0)
		return rc;
out:
	store_memo_put(key, seq, NULL);
	if (ret_seq)
		*ret_seq = seq;
	if (ret_number)
		snprintf(ret_number, numlen, "%s/%s/%d/%06" PRId64, tenant, kind, year, seq);
	return 0;
}

int regno_normalize(const char *in, char *out, size_t outlen)
{
	char buf[128], *part[4];
	size_t n = 0;
	int k = 1;
	char *end;
	long year;
	long long seq;
	if (!outlen)
		return ERR_INVALID;
	for (const char *p = in ? in : ""; *p && n + 1 < sizeof(buf); p++)
		if (!isspace((unsigned char)*p))
			buf[n++] = (char)toupper((unsigned char)*p);
	buf[n] = '\0';
	snprintf(out, outlen, "%s", buf);
	part[0] = buf;
	for (char *p = buf; *p; p++)
		if (*p == '/') {
			if (k == 4)
				return ERR_INVALID;
			*p = '\0';
			part[k++] = p + 1;
		}
	/* tenant: a kode wilayah; kind: as regno_next takes; year: 4 digits;
	 * serial: 1 to 12 digits, not 0 */
	if (k != 4 || !isdigit((unsigned char)part[0][0]) || strspn(part[0], "0123456789.") != strlen(part[0]) ||
	    !valid_kind(part[1]) || strlen(part[2]) != 4 || strspn(part[2], "0123456789") != 4 || !*part[3] ||
	    strlen(part[3]) > 12 || strspn(part[3], "0123456789") != strlen(part[3]))
		return ERR_INVALID;
	year = strtol(part[2], &end, 10);
	seq = strtoll(part[3], &end, 10);
	if (year < 2000 || seq <= 0)
		return ERR_INVALID;
	if ((size_t)snprintf(out, outlen, "%s/%s/%ld/%06lld", part[0], part[1], year, seq) >= outlen)
		return ERR_INVALID;
	return 0;
}

int regno_parse(const char *number, char *tenant, size_t tlen, char *kind, size_t klen, int *ret_year,
		int64_t *ret_seq)
{
	const char *a, *b, *c;
	char *end;
	long y;
	long long seq;
	if (!number || !(a = strchr(number, '/')) || !(b = strchr(a + 1, '/')) || !(c = strchr(b + 1, '/')))
		return ERR_INVALID;
	if ((size_t)(a - number) >= tlen || (size_t)(b - a - 1) >= klen || a == number)
		return ERR_INVALID;
	snprintf(tenant, tlen, "%.*s", (int)(a - number), number);
	snprintf(kind, klen, "%.*s", (int)(b - a - 1), a + 1);
	if (!valid_kind(kind))
		return ERR_INVALID;
	errno = 0;
	y = strtol(b + 1, &end, 10);
	if (errno || end != c || y < 2000 || y > 9999)
		return ERR_INVALID;
	seq = strtoll(c + 1, &end, 10);
	if (errno || *end || end == c + 1 || seq <= 0 || strlen(c + 1) < 6)
		return ERR_INVALID;
	*ret_year = (int)y;
	*ret_seq = seq;
	return 0;
}
