/*
 * changes.c: what changed between two content versions of a proposal (the
 * differences report after a return): the fields that differ, the lines of
 * a text removed and added, the attachments added and removed.
 */
#include "governance/internal.h"

#include <stdlib.h>

#include "core/banned.h"

/* A version's content as stored, for the comparison. */
struct vcontent {
	char *f[9]; /* kind, title, background, analysis, options, proposed, urgency, needs_dprd, attachments */
};

static void vcontent_release(struct vcontent *v)
{
	for (int i = 0; i < 9; i++)
		free(v->f[i]);
}

static int vcontent_load(store_conn_t *c, const char *tenant, int64_t id, int64_t version, struct vcontent *v)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT kind, title, background, analysis, options, proposed, urgency, needs_dprd, "
				  "attachments FROM governance_versions WHERE tenant = ? AND proposal_id = ? AND version = ?", &s);
	memset(v, 0, sizeof(*v));
	if (rc < 0)
		return rc;
	store_bindf(s, "tii", tenant, id, version);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		rc = 0;
		for (int i = 0; i < 9; i++)
			if (!(v->f[i] = strdup(i == 7 ? (store_col_int64(s, 7) ? "1" : "0") : nz(store_col_text(s, i)))))
				rc = ERR_NOMEM;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	if (rc < 0)
		vcontent_release(v);
	return rc;
}

#define DIFF_LINES_MAX 400 /* lines per text compared line by line; beyond, the texts whole */

/* Splits s (modified: line ends become NULs) into at most max lines. A
 * browser sends a textarea's lines ended by CRLF, the API and older
 * versions perhaps by LF alone: the same line either way. */
static size_t split_lines(char *s, char **out, size_t max)
{
	size_t n = 0;
	while (n < max) {
		char *nl = strchr(s, '\n');
		out[n++] = s;
		if (nl && nl > s && nl[-1] == '\r')
			nl[-1] = '\0';
		else if (!nl && *s && s[strlen(s) - 1] == '\r')
			s[strlen(s) - 1] = '\0';
		if (!nl)
			return n;
		*nl = '\0';
		s = nl + 1;
	}
	return max + 1; /* too many */
}

/* The lines of a and b that differ, in order (a longest common
 * subsequence of lines), as {"del": true, "text"} and {"ins": true,
 * "text"}; a run of unchanged lines left out is one {"gap": true}. */
static int diff_lines(const char *a, const char *b, json_t *out)
{
	char *ca = strdup(a), *cb = strdup(b), *la[DIFF_LINES_MAX + 1], *lb[DIFF_LINES_MAX + 1];
	size_t na, nb, i, j;
	uint16_t *L = NULL;
	int rc = 0, gap = 0;
	if (!ca || !cb) {
		rc = ERR_NOMEM;
		goto out;
	}
	na = split_lines(ca, la, DIFF_LINES_MAX);
	nb = split_lines(cb, lb, DIFF_LINES_MAX);
	if (na > DIFF_LINES_MAX || nb > DIFF_LINES_MAX) {
		/* too long to compare line by line: the two texts whole */
		json_array_append_new(out, json_pack("{s:b,s:s}", "del", 1, "text", a));
		json_array_append_new(out, json_pack("{s:b,s:s}", "ins", 1, "text", b));
		goto out;
	}
	/* L[i][j]: length of the longest common subsequence of la[i..] and lb[j..] */
	if (!(L = calloc((na + 1) * (nb + 1), sizeof(*L)))) {
		rc = ERR_NOMEM;
		goto out;
	}
	for (i = na; i-- > 0;)
		for (j = nb; j-- > 0;)
			L[i * (nb + 1) + j] = !strcmp(la[i], lb[j]) ? (uint16_t)(L[(i + 1) * (nb + 1) + j + 1] + 1)
				: L[(i + 1) * (nb + 1) + j] >= L[i * (nb + 1) + j + 1] ? L[(i + 1) * (nb + 1) + j]
										: L[i * (nb + 1) + j + 1];
	for (i = 0, j = 0; i < na || j < nb;) {
		if (i < na && j < nb && !strcmp(la[i], lb[j])) {
			gap = 1, i++, j++;
			continue;
		}
		/* a blank line added or removed is no change a reader sees */
		/* a line replaced: the old one first, then the new */
		int add = j < nb && (i == na || L[i * (nb + 1) + j + 1] > L[(i + 1) * (nb + 1) + j]);
		const char *line = add ? lb[j++] : la[i++];
		if (!line[strspn(line, " \t\r")])
			continue;
		if (gap)
			json_array_append_new(out, json_pack("{s:b}", "gap", 1));
		gap = 0;
		json_array_append_new(out, json_pack("{s:b,s:s}", add ? "ins" : "del", 1, "text", line));
	}
	if (gap && json_array_size(out))
		json_array_append_new(out, json_pack("{s:b}", "gap", 1));
out:
	free(L);
	free(ca);
	free(cb);
	return rc;
}

/* The names of the attachments among hashes (comma-separated) that are
 * not among other, joined by ", ". */
static int attachments_added(store_conn_t *c, const char *tenant, int64_t id, const char *hashes, const char *other,
			     sb_t *out)
{
	const char *p = hashes;
	while (*p) {
		size_t len = strcspn(p, ",");
		char h[65];
		if (len == 64) {
			const char *q = other;
			int found = 0;
			memcpy(h, p, 64);
			h[64] = '\0';
			while (*q && !found) {
				size_t l2 = strcspn(q, ",");
				found = l2 == 64 && !memcmp(q, h, 64);
				q += l2 + (q[l2] == ',');
			}
			if (!found) {
				char name[256];
				int rc = store_query_text(c, name, sizeof(name), "SELECT name FROM governance_attachments "
						"WHERE tenant = ? AND proposal_id = ? AND hash = ?", "tit", tenant, id, h);
				if (rc < 0 && rc != ERR_NOT_FOUND)
					return rc;
				sb_addf(out, "%s%s", out->len ? ", " : "", rc == 0 ? name : h);
			}
		}
		p += len + (p[len] == ',');
	}
	return out->err ? ERR_NOMEM : 0;
}

int governance_changes(store_conn_t *c, const char *tenant, int64_t id, int64_t from, int64_t to, json_t **ret)
{
	static const char *const names[] = { "kind", "title", "background", "analysis", "options", "proposed", "urgency",
					     "needs_dprd", "attachments" };
	struct vcontent a, b;
	json_t *fields;
	int rc;
	if ((rc = vcontent_load(c, tenant, id, from, &a)) < 0)
		return rc;
	if ((rc = vcontent_load(c, tenant, id, to, &b)) < 0) {
		vcontent_release(&a);
		return rc;
	}
	fields = json_array();
	for (int i = 0; i < 9 && rc == 0; i++) {
		json_t *f;
		if (!strcmp(a.f[i], b.f[i]))
			continue;
		f = json_pack("{s:s}", "field", names[i]);
		if (i == 8) {
			sb_t added = SB_INIT, removed = SB_INIT;
			rc = attachments_added(c, tenant, id, b.f[i], a.f[i], &added);
			if (rc == 0)
				rc = attachments_added(c, tenant, id, a.f[i], b.f[i], &removed);
			json_object_set_new(f, "added", json_string(added.len ? added.buf : ""));
			json_object_set_new(f, "removed", json_string(removed.len ? removed.buf : ""));
			sb_release(&added);
			sb_release(&removed);
		} else if (i >= 2 && i <= 5) {
			json_t *lines = json_array();
			json_object_set_new(f, "lines", lines);
			rc = diff_lines(a.f[i], b.f[i], lines);
		} else {
			json_object_set_new(f, "before", json_string(a.f[i]));
			json_object_set_new(f, "after", json_string(b.f[i]));
		}
		json_array_append_new(fields, f);
	}
	vcontent_release(&a);
	vcontent_release(&b);
	if (rc < 0) {
		json_decref(fields);
		return rc;
	}
	*ret = json_pack("{s:I,s:I,s:o}", "from", (json_int_t)from, "to", (json_int_t)to, "fields", fields);
	return 0;
}
