/*
 * intake.c: new complaints. The checks (complaints_validate), the reads done
 * before the write (complaints_prepare: title, routing, deadlines, the
 * duplicate search by grid cell and word signature), the write itself
 * (complaints_create_tx), and the reporter code. See docs/complaints.md.
 */
#include "complaints/complaints.h"
#include "complaints/internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/auth.h"
#include "core/err.h"
#include "core/nls.h"
#include "performance/performance.h"
#include "tenants/tenants.h"
#include "core/banned.h"

/* ------------------------------------------------------------ similarity */

#define SIM_MAX_WORDS CPL_MAX_WORDS

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The distinct words of s (3+ bytes, ASCII lower-cased; bytes >= 0x80 are
 * word characters) as sorted 32-bit hashes. Returns how many. */
static size_t word_set(const char *s, uint32_t *out, size_t max)
{
	size_t n = 0, k = 0;
	while (s && *s && n < max) {
		uint32_t h = 2166136261u;
		size_t len = 0;
		while (*s && !isalnum((unsigned char)*s) && !((unsigned char)*s & 0x80))
			s++;
		while (*s && (isalnum((unsigned char)*s) || ((unsigned char)*s & 0x80))) {
			h = (h ^ (unsigned char)tolower((unsigned char)*s)) * 16777619u;
			len++;
			s++;
		}
		if (len >= 3)
			out[n++] = h;
	}
	/* cppcheck-suppress uninitvar ; out[0..n) were written above */
	qsort(out, n, sizeof(*out), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (!k || out[k - 1] != out[i])
			out[k++] = out[i];
	return k;
}

static double jaccard(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t i = 0, j = 0, common = 0;
	if (!na || !nb)
		return 0;
	while (i < na && j < nb) {
		if (a[i] == b[j]) {
			common++;
			i++;
			j++;
		} else if (a[i] < b[j]) {
			i++;
		} else {
			j++;
		}
	}
	return (double)common / (double)(na + nb - common);
}

double complaints_text_similarity(const char *a, const char *b)
{
	uint32_t wa[SIM_MAX_WORDS], wb[SIM_MAX_WORDS];
	size_t na = word_set(a, wa, SIM_MAX_WORDS), nb = word_set(b, wb, SIM_MAX_WORDS);
	return jaccard(wa, na, wb, nb);
}

double complaints_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	const double r = 6371000.0, d2r = M_PI / 180.0;
	double dlat = (lat2 - lat1) * d2r, dlon = (lon2 - lon1) * d2r;
	double h = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * d2r) * cos(lat2 * d2r) * sin(dlon / 2) * sin(dlon / 2);
	if (h > 1)
		h = 1;
	return 2 * r * asin(sqrt(h));
}

/* ------------------------------------------------------------ intake */

static const char *const kinds[] = { "pengaduan", "aspirasi", "informasi" };
static const char *const identities[] = { "terbuka", "anonim", "rahasia" };

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

static int valid_hash(const char *h)
{
	if (!h || strlen(h) != FILES_HASH_LEN)
		return 0;
	for (; *h; h++)
		if (!isxdigit((unsigned char)*h) || isupper((unsigned char)*h))
			return 0;
	return 1;
}

/* complaints_validate, also handing over the citizen's category as read
 * (ret_cat->code[0] is '\0' when there is none). */
static int validate(store_conn_t *c, const complaint_new_t *in, const char **ret_msgid, complaints_category_t *ret_cat,
		    const char **ret_field)
{
	long n;
	int rc;
	const char *unused;
	ret_cat->code[0] = '\0';
	*ret_msgid = NULL;
	if (!ret_field)
		ret_field = &unused;
	*ret_field = NULL;
	/* m: the message; f: the web form's field it is about (NULL: none) */
#define BAD(f, m)                  \
	do {                       \
		*ret_field = (f);  \
		*ret_msgid = (m);  \
		return ERR_INVALID; \
	} while (0)
	if (!in_list(in->kind, kinds, 3))
		BAD(NULL, N_("jenis laporan harus pengaduan, aspirasi atau informasi"));
	if (empty(in->description) || blank(in->description))
		BAD("description", N_("isi laporan wajib diisi"));
	n = utf8_chars(in->description);
	if (n < 0 || has_ctl(in->description, 1))
		BAD("description", N_("isi laporan berisi karakter yang tidak sah"));
	if (n > CPL_MAX_DESCRIPTION)
		BAD("description", N_("isi laporan terlalu panjang (paling banyak 4000 karakter)"));
	if (!empty(in->title)) {
		n = utf8_chars(in->title);
		if (n < 0 || has_ctl(in->title, 0))
			BAD("title", N_("judul berisi karakter yang tidak sah"));
		if (n > CPL_MAX_TITLE)
			BAD("title", N_("judul terlalu panjang (paling banyak 200 karakter)"));
	}
	if (!empty(in->address)) {
		n = utf8_chars(in->address);
		if (n < 0 || has_ctl(in->address, 0))
			BAD("address", N_("alamat berisi karakter yang tidak sah"));
		if (n > CPL_MAX_ADDRESS)
			BAD("address", N_("alamat terlalu panjang (paling banyak 300 karakter)"));
	}
	if (!in_list(in->identity, identities, 3))
		BAD(NULL, N_("identitas harus terbuka, anonim atau rahasia"));
	if (strcmp(in->identity, "anonim") && in->user_id <= 0 && empty(in->reporter_name))
		BAD("name", N_("nama pelapor wajib diisi, atau pilih anonim"));
	if (!empty(in->reporter_name) && (utf8_chars(in->reporter_name) < 0 || utf8_chars(in->reporter_name) > 120 ||
					  has_ctl(in->reporter_name, 0)))
		BAD("name", N_("nama pelapor tidak sah (paling banyak 120 karakter)"));
	/* someone must be able to reach the reporter with them: an e-mail
	 * address, an Indonesian phone number, nothing else ("abc"); each
	 * field is checked on its own, and says what is wrong with it */
	if (!empty(in->reporter_email)) {
		const char *m;
		if (complaints_email_check(in->reporter_email, &m) < 0)
			BAD("email", m);
	}
	if (!empty(in->reporter_phone)) {
		const char *m;
		if (complaints_phone_check(in->reporter_phone, &m) < 0)
			BAD("phone", m);
	}
	if (in->has_location) {
		if (!isfinite(in->lat) || !isfinite(in->lon) || in->lat < -90 || in->lat > 90 || in->lon < -180 ||
		    in->lon > 180)
			BAD("lat", N_("lokasi tidak sah: lintang -90 sampai 90, bujur -180 sampai 180"));
		if (in->lat < -11.5 || in->lat > 6.5 || in->lon < 94.0 || in->lon > 141.5)
			BAD("lat", N_("lokasi berada di luar wilayah Indonesia"));
	}
	if (!empty(in->kelurahan)) {
		int level;
		size_t tl = strlen(in->tenant);
		if (region_code_level(in->kelurahan, &level) < 0 || level != 4 || strncmp(in->kelurahan, in->tenant, tl) ||
		    in->kelurahan[tl] != '.')
			BAD("kelurahan", N_("kelurahan/desa tidak berada di wilayah Pemda ini"));
		rc = region_exists(c, in->kelurahan);
		if (rc < 0)
			return rc;
		if (!rc)
			BAD("kelurahan", N_("kelurahan/desa tidak dikenal"));
	}
	/* an address of spaces only is no location */
	if (!strcmp(in->kind, "pengaduan") && !in->has_location && empty(in->kelurahan) && blank(in->address))
		BAD("location", N_("lokasi wajib diisi: titik peta, kelurahan atau alamat"));
	if (!empty(in->category) && in->category_row && !strcmp(in->category_row->code, in->category)) {
		*ret_cat = *in->category_row; /* read already by the caller: one statement less */
	} else if (!empty(in->category)) {
		rc = complaints_category_get(c, in->tenant, in->category, ret_cat);
		if (rc == ERR_NOT_FOUND)
			BAD("category", N_("kategori tidak dikenal"));
		if (rc < 0)
			return rc;
	}
	if (in->nphotos > CPL_MAX_PHOTOS)
		BAD("photo1", N_("paling banyak 3 foto"));
	for (size_t i = 0; i < in->nphotos; i++)
		if (!valid_hash(in->photo_hash[i]) || empty(in->photo_mime[i]))
			BAD("photo1", N_("foto tidak sah"));
	if (empty(in->source) || empty(in->actor))
		BAD(NULL, N_("sumber laporan tidak dikenal"));
#undef BAD
	return 0;
}

int complaints_validate(store_conn_t *c, const complaint_new_t *in, const char **ret_msgid)
{
	complaints_category_t cat;
	return validate(c, in, ret_msgid, &cat, NULL);
}

/* A title from the description's first line: up to 80 characters, cut at a
 * character boundary. */
static void make_title(const char *desc, char *out, size_t outlen)
{
	size_t i = 0, chars = 0, o = 0;
	while (desc[i] && isspace((unsigned char)desc[i]))
		i++;
	while (desc[i] && desc[i] != '\n' && desc[i] != '\r' && o + 5 < outlen) {
		if (((unsigned char)desc[i] & 0xC0) != 0x80) {
			if (chars == 80)
				break;
			chars++;
		}
		out[o++] = desc[i++];
	}
	while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80) {
		/* do not end inside a multi-byte character */
		size_t k = o;
		while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
			k--;
		if (k == 0)
			break;
		{
			unsigned char lead = (unsigned char)out[k - 1];
			size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
			if (o - (k - 1) == need)
				break;
			o = k - 1;
		}
	}
	out[o] = '\0';
	if (desc[i] && desc[i] != '\n' && desc[i] != '\r' && o + 4 < outlen)
		snprintf(out + o, outlen - o, "...");
}

/* The word signature kept with each complaint (column words): its sorted
 * distinct word hashes as 8 hex digits each, so that the duplicate search
 * compares numbers instead of tokenising every candidate's text again. */
static void words_encode(const uint32_t *w, size_t n, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n && o + 9 <= outlen; i++)
		for (int sh = 28; sh >= 0; sh -= 4)
			out[o++] = hex[(w[i] >> sh) & 15];
	out[o] = '\0';
}

/* -1 when s is not a signature (then the text is tokenised instead). */
static long words_decode(const char *s, uint32_t *out, size_t max)
{
	size_t n = 0;
	if (!s)
		return -1;
	while (*s && n < max) {
		uint32_t v = 0;
		for (int k = 0; k < 8; k++, s++) {
			int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
			if (d < 0)
				return -1;
			v = v << 4 | (uint32_t)d;
		}
		if (n && out[n - 1] >= v)
			return -1; /* not sorted and distinct */
		out[n++] = v;
	}
	return *s ? -1 : (long)n;
}

/* The signature of a complaint's title and description: the smallest
 * CPL_SIG_WORDS of its distinct word hashes, sorted. Returns how many. */
static size_t signature(const char *title, const char *description, uint32_t out[CPL_SIG_WORDS])
{
	char text[CPL_MAX_DESCRIPTION * 4 + CPL_MAX_TITLE * 4 + 4];
	uint32_t all[CPL_MAX_WORDS];
	size_t n;
	snprintf(text, sizeof(text), "%s %s", title ? title : "", description ? description : "");
	n = word_set(text, all, CPL_MAX_WORDS);
	if (n > CPL_SIG_WORDS)
		n = CPL_SIG_WORDS;
	memcpy(out, all, n * sizeof(*out));
	return n;
}

/* The signature of a complaint stored before migration 7 (words NULL). */
static int old_signature(store_conn_t *c, const char *tenant, int64_t id, uint32_t *out)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT title, description FROM complaints WHERE tenant = ? AND id = ?", &s);
	size_t n = 0;
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	if ((rc = store_step(s)) == STORE_ROW)
		n = signature(store_col_text(s, 0), store_col_text(s, 1), out);
	store_finalize(s);
	return rc < 0 ? rc : (int)n;
}

/* Jaccard similarity of two signatures (each the smallest CPL_SIG_WORDS
 * word hashes of its text). Exact when neither text had more distinct words;
 * otherwise the bottom-k estimate: of the k smallest hashes of the union,
 * the share found in both. */
static double sig_similarity(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t i = 0, j = 0, seen = 0, common = 0;
	if (na < CPL_SIG_WORDS && nb < CPL_SIG_WORDS)
		return jaccard(a, na, b, nb);
	while (seen < CPL_SIG_WORDS && (i < na || j < nb)) {
		if (i < na && j < nb && a[i] == b[j]) {
			common++;
			i++;
			j++;
		} else if (j >= nb || (i < na && a[i] < b[j])) {
			i++;
		} else {
			j++;
		}
		seen++;
	}
	return seen ? (double)common / (double)seen : 0;
}

/* Keeps the best max suggestions in p->dups. */
static void dup_offer(complaint_prep_t *p, int max, int64_t id, double score, int dist)
{
	int slot = p->ndups;
	if (p->ndups >= max) {
		slot = 0;
		for (int k = 1; k < p->ndups; k++)
			if (p->dups[k].score_milli < p->dups[slot].score_milli)
				slot = k;
		if (p->dups[slot].score_milli >= (int)lround(score * 1000))
			return;
	} else {
		p->ndups++;
	}
	p->dups[slot].id = id;
	p->dups[slot].score_milli = (int)lround(score * 1000);
	p->dups[slot].distance_m = dist;
}

/* The grid cell of a point (column cell): squares of CPL_CELL_E6 millionths
 * of a degree (about 555 m), numbered latitude row * 100000 + longitude
 * column. Floor division, so that cells south of the equator are squares
 * too. Migration 7 computes the same in SQL for older rows. */
#define CPL_CELL_E6 5000
#define CPL_DUP_CANDIDATES 100
#define CPL_DUP_MAX_CELLS 25

static int64_t floor_div(int64_t a, int64_t b)
{
	return (a - (((a % b) + b) % b)) / b;
}

int64_t complaints_cell(double lat, double lon)
{
	return floor_div(llround(lat * 1e6), CPL_CELL_E6) * 100000 + floor_div(llround(lon * 1e6), CPL_CELL_E6);
}

/* Scores one candidate row (id, words, lat_e6, lon_e6): 1 when it was within
 * the radius (it counts towards the candidates looked at), 0 when not. */
static int dup_consider(store_conn_t *c, const complaint_new_t *in, const complaints_settings_t *set,
			complaint_prep_t *p, store_stmt_t *s)
{
	uint32_t other[CPL_SIG_WORDS];
	int dist = -1;
	long nother;
	double score;
	if (in->has_location) {
		double d = complaints_distance_m(in->lat, in->lon, (double)store_col_int64(s, 2) / 1e6,
						 (double)store_col_int64(s, 3) / 1e6);
		if (d > set->dup_radius_m)
			return 0;
		dist = (int)lround(d);
	}
	nother = words_decode(store_col_text(s, 1), other, CPL_SIG_WORDS);
	if (nother < 0) /* a complaint from before signatures were kept */
		nother = old_signature(c, in->tenant, store_col_int64(s, 0), other);
	if (nother >= 0) {
		score = sig_similarity(p->words, p->nwords, other, (size_t)nother);
		if (score >= 0.2)
			dup_offer(p, CPL_MAX_DUPS, store_col_int64(s, 0), score, dist);
	}
	return 1;
}

/* Duplicate suggestions: of the CPL_DUP_CANDIDATES most recent complaints of
 * the same category within the radius (or the same kelurahan, without
 * coordinates) and the time window, those whose words are similar (Jaccard
 * 0.2 and above), best CPL_MAX_DUPS kept.
 *
 * With coordinates the search reads the grid cells that the radius touches,
 * each on the index complaints_dup_cell newest first, and merges them by
 * time: it reads at most CPL_DUP_CANDIDATES rows per cell, however many
 * complaints the tenant has. A radius touching more than CPL_DUP_MAX_CELLS
 * cells (over about 1 km) scans the category by time instead. */
#define DUP_ANY "status <> 'arsip' AND status <> 'digabung'"
#define DUP_OPEN "status IN ('baru', 'tunda', 'disposisi')"
#define DUP_CELL_SQL(ST)                                                        \
	"SELECT id, words, lat_e6, lon_e6, created_at FROM complaints "         \
	"WHERE tenant = ? AND category = ? AND cell = ? AND created_at >= ? "   \
	"AND lat_e6 BETWEEN ? AND ? AND lon_e6 BETWEEN ? AND ? AND " ST " "      \
	"ORDER BY created_at DESC, id DESC LIMIT 100"
#define DUP_WIDE_SQL(ST)                                                        \
	"SELECT id, words, lat_e6, lon_e6, created_at FROM complaints "         \
	"WHERE tenant = ? AND category = ? AND created_at >= ? "                \
	"AND lat_e6 BETWEEN ? AND ? AND lon_e6 BETWEEN ? AND ? AND has_location = 1 " \
	"AND " ST " ORDER BY created_at DESC LIMIT 1000"
#define DUP_KEL_SQL(ST)                                                         \
	"SELECT id, words, 0, 0, created_at FROM complaints "                   \
	"WHERE tenant = ? AND category = ? AND created_at >= ? AND kelurahan = ? " \
	"AND " ST " ORDER BY created_at DESC LIMIT 100"

/* open_only: only complaints still open (baru, tunda, disposisi), for the
 * intake form's "Laporan serupa yang sudah ada" (complaints_similar_open) */
static int find_duplicates(store_conn_t *c, const complaint_new_t *in, const complaints_settings_t *set,
			   complaint_prep_t *p, int open_only)
{
	store_stmt_t *cur[CPL_DUP_MAX_CELLS];
	int64_t head_ts[CPL_DUP_MAX_CELLS], head_id[CPL_DUP_MAX_CELLS];
	int ncur = 0, rc = 0, looked = 0;
	int64_t since = in->now - (int64_t)set->dup_window_days * 86400;
	p->ndups = 0;
	p->dup_seen_id = -1;
	if (!p->category[0] || set->dup_window_days <= 0 || (!in->has_location && empty(in->kelurahan)))
		return 0;
	/* what this search cannot see (filed at the same moment, or in the same
	 * group commit) complaints_dup_sweep() compares later */
	if (!open_only &&
	    (rc = store_query_int64(c, &p->dup_seen_id, "SELECT COALESCE(MAX(id), 0) FROM complaints", "")) < 0)
		return rc;
	if (in->has_location) {
		int64_t dlat = (int64_t)(set->dup_radius_m / 111000.0 * 1e6) + 1;
		int64_t dlon = (int64_t)(set->dup_radius_m / (111000.0 * cos(in->lat * M_PI / 180.0)) * 1e6) + 1;
		int64_t lat = llround(in->lat * 1e6), lon = llround(in->lon * 1e6);
		int64_t r0 = floor_div(lat - dlat, CPL_CELL_E6), r1 = floor_div(lat + dlat, CPL_CELL_E6);
		int64_t c0 = floor_div(lon - dlon, CPL_CELL_E6), c1 = floor_div(lon + dlon, CPL_CELL_E6);
		if ((r1 - r0 + 1) * (c1 - c0 + 1) <= CPL_DUP_MAX_CELLS) {
			for (int64_t row = r0; row <= r1 && rc >= 0; row++)
				for (int64_t col = c0; col <= c1 && rc >= 0; col++) {
					store_stmt_t *s;
					rc = store_prepare(c, open_only ? DUP_CELL_SQL(DUP_OPEN) : DUP_CELL_SQL(DUP_ANY), &s);
					if (rc < 0)
						break;
					store_bindf(s, "ttiiiiii", in->tenant, p->category, row * 100000 + col, since,
						    lat - dlat, lat + dlat, lon - dlon, lon + dlon);
					cur[ncur++] = s;
				}
		} else {
			/* a wide radius: newest first through the category */
			rc = store_prepare(c, open_only ? DUP_WIDE_SQL(DUP_OPEN) : DUP_WIDE_SQL(DUP_ANY), &cur[0]);
			if (rc == 0) {
				store_bindf(cur[0], "ttiiiii", in->tenant, p->category, since, lat - dlat, lat + dlat,
					    lon - dlon, lon + dlon);
				ncur = 1;
			}
		}
	} else if (!empty(in->kelurahan)) {
		rc = store_prepare(c, open_only ? DUP_KEL_SQL(DUP_OPEN) : DUP_KEL_SQL(DUP_ANY), &cur[0]);
		if (rc == 0) {
			store_bindf(cur[0], "ttit", in->tenant, p->category, since, in->kelurahan);
			ncur = 1;
		}
	}
	/* the first row of each cursor, then a merge by (created_at, id) newest first */
	for (int i = 0; i < ncur && rc >= 0; i++) {
		int st = store_step(cur[i]);
		if (st < 0)
			rc = st;
		head_ts[i] = st == STORE_ROW ? store_col_int64(cur[i], 4) : INT64_MIN;
		head_id[i] = st == STORE_ROW ? store_col_int64(cur[i], 0) : 0;
	}
	while (rc >= 0 && looked < CPL_DUP_CANDIDATES) {
		int best = -1, st;
		for (int i = 0; i < ncur; i++)
			if (head_ts[i] != INT64_MIN &&
			    (best < 0 || head_ts[i] > head_ts[best] || (head_ts[i] == head_ts[best] && head_id[i] > head_id[best])))
				best = i;
		if (best < 0)
			break;
		looked += dup_consider(c, in, set, p, cur[best]);
		st = store_step(cur[best]);
		if (st < 0)
			rc = st;
		head_ts[best] = st == STORE_ROW ? store_col_int64(cur[best], 4) : INT64_MIN;
		head_id[best] = st == STORE_ROW ? store_col_int64(cur[best], 0) : 0;
	}
	for (int i = 0; i < ncur; i++)
		store_finalize(cur[i]);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------- late duplicates */

/* Complaints filed at the same moment cannot see each other at intake: each
 * searched a snapshot taken before the other was committed. The sweep finds,
 * for each complaint filed since its last run, those between dup_seen_id and
 * its own id (exactly the ones its search could not see), scores them as the
 * intake would, and adds the suggestions. Progress is kept in sequences
 * ('*', 'DUPSEEN', 0): the last complaint id swept. */

#define DUP_SWEEP_BATCH 256

typedef struct dup_row {
	int64_t id, seen, lat_e6, lon_e6; /* seen: dup_seen_id, -1 for NULL */
	int has_location;
	char tenant[16], category[32], kelurahan[24];
	char words[CPL_SIG_WORDS * 8 + 1];
} dup_row_t;

typedef struct dup_link {
	char tenant[16];
	int64_t complaint_id, candidate_id;
	int score_milli, distance_m;
} dup_link_t;

typedef struct dup_sweep {
	dup_row_t rows[DUP_SWEEP_BATCH];
	int nrows;
	dup_link_t links[DUP_SWEEP_BATCH * CPL_MAX_DUPS];
	int nlinks;
	int64_t mark;  /* the last id swept so far */
	int added;     /* suggestions added over the whole sweep */
	char set_tenant[16];          /* whose settings set holds ("" = none yet) */
	complaints_settings_t set;
} dup_sweep_t;

static int dup_sweep_tx(store_conn_t *c, void *ud)
{
	dup_sweep_t *x = ud;
	int rc;
	for (int i = 0; i < x->nlinks; i++) {
		dup_link_t *l = &x->links[i];
		rc = store_exec(c,
				"INSERT INTO complaints_duplicates (tenant, complaint_id, candidate_id, score_milli, distance_m) "
				"VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
				"tiiii", l->tenant, l->complaint_id, l->candidate_id, (int64_t)l->score_milli,
				(int64_t)l->distance_m);
		if (rc < 0)
			return rc;
	}
	/* only forward: another instance may have swept further already */
	rc = store_exec(c, "UPDATE sequences SET value = ? WHERE tenant = '*' AND kind = 'DUPSEEN' AND year = 0 AND value < ?",
			"ii", x->mark, x->mark);
	if (rc == 0)
		rc = store_exec(c, "INSERT INTO sequences (tenant, kind, year, value) VALUES ('*', 'DUPSEEN', 0, ?) "
				   "ON CONFLICT DO NOTHING", "i", x->mark);
	return rc < 0 ? rc : 0;
}

/* Reads the next batch of complaints after x->mark into x->rows, stopping
 * at the first one filed less than DUP_SWEEP_LAG seconds before now: on
 * PostgreSQL ids are taken before commit, so a complaint with a smaller id
 * may still be committing; it gets a few seconds. *ret_more: the batch is
 * full (more may follow at once). */
#define DUP_SWEEP_LAG 5
static int dup_sweep_read(store_conn_t *c, dup_sweep_t *x, int64_t now, int *ret_more)
{
	store_stmt_t *s;
	int rc = store_prepare(c,
			       "SELECT id, dup_seen_id, tenant, category, has_location, lat_e6, lon_e6, kelurahan, words, "
			       "created_at FROM complaints WHERE id > ? ORDER BY id LIMIT 256",
			       &s);
	x->nrows = 0;
	*ret_more = 0;
	if (rc < 0)
		return rc;
	store_bindf(s, "i", x->mark);
	while ((rc = store_step(s)) == STORE_ROW && x->nrows < DUP_SWEEP_BATCH) {
		dup_row_t *r = &x->rows[x->nrows];
		if (store_col_int64(s, 9) > now - DUP_SWEEP_LAG)
			break; /* too recent: next time */
		x->nrows++;
		r->id = store_col_int64(s, 0);
		r->seen = store_col_is_null(s, 1) ? -1 : store_col_int64(s, 1);
		copy(r->tenant, sizeof(r->tenant), store_col_text(s, 2));
		copy(r->category, sizeof(r->category), store_col_text(s, 3));
		r->has_location = (int)store_col_int64(s, 4);
		r->lat_e6 = store_col_int64(s, 5);
		r->lon_e6 = store_col_int64(s, 6);
		copy(r->kelurahan, sizeof(r->kelurahan), store_col_text(s, 7));
		copy(r->words, sizeof(r->words), store_col_text(s, 8));
	}
	*ret_more = x->nrows == DUP_SWEEP_BATCH;
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

static int by_score_desc(const void *a, const void *b)
{
	int x = ((const struct complaint_dup *)a)->score_milli, y = ((const struct complaint_dup *)b)->score_milli;
	return (x < y) - (x > y);
}

/* The complaints filed between a complaint's search and its own commit: the
 * newest DUP_SWEEP_GAP of them (the gap is as wide as the complaints filed
 * at the same moment, a few dozen under heavy load). The LIMIT also keeps
 * SQLite from merging this into the outer query, so it reads the id range on
 * the primary key. */
#define DUP_SWEEP_GAP "1000"
#define DUP_GAP_SQL                                                                           \
	"SELECT id, tenant, category, status, has_location, kelurahan, words, lat_e6, lon_e6 " \
	"FROM complaints WHERE id > ? AND id < ? ORDER BY id DESC LIMIT " DUP_SWEEP_GAP

/* The suggestions for one complaint among those its intake could not see. */
static int dup_sweep_one(store_conn_t *c, const dup_row_t *r, dup_sweep_t *x)
{
	complaint_new_t in;
	complaint_prep_t *p;
	store_stmt_t *s;
	int64_t have = 0;
	long n;
	int rc = 0;
	if (strcmp(x->set_tenant, r->tenant)) {
		if ((rc = complaints_settings_get(c, r->tenant, &x->set)) < 0)
			return rc;
		copy(x->set_tenant, sizeof(x->set_tenant), r->tenant);
	}
	if (!(p = calloc(1, sizeof(*p))))
		return ERR_NOMEM;
	memset(&in, 0, sizeof(in));
	in.tenant = r->tenant;
	in.has_location = r->has_location;
	in.lat = (double)r->lat_e6 / 1e6;
	in.lon = (double)r->lon_e6 / 1e6;
	if ((n = words_decode(r->words, p->words, CPL_SIG_WORDS)) < 0) {
		free(p);
		return 0; /* nothing to compare with */
	}
	p->nwords = (size_t)n;
	/* The complaints between dup_seen_id and its own id, read by the
	 * primary key first (at most DUP_SWEEP_GAP of them, the newest), then
	 * those of its tenant and category: a filter on tenant and category
	 * first would let the planner walk the whole category on an index
	 * (complaints_dup_cell) and sort it, for every complaint swept — with
	 * 130,000 complaints that was most of the server's CPU under load. */
	rc = store_prepare(c,
			   r->has_location
				   ? "SELECT id, words, lat_e6, lon_e6 FROM (" DUP_GAP_SQL ") AS g WHERE tenant = ? AND category = ? "
				     "AND status <> 'arsip' AND status <> 'digabung' AND has_location = 1 "
				     "ORDER BY id DESC LIMIT 100"
				   : "SELECT id, words, lat_e6, lon_e6 FROM (" DUP_GAP_SQL ") AS g WHERE tenant = ? AND category = ? "
				     "AND status <> 'arsip' AND status <> 'digabung' AND kelurahan = ? "
				     "ORDER BY id DESC LIMIT 100",
			   &s);
	if (rc < 0) {
		free(p);
		return rc;
	}
	if (r->has_location)
		store_bindf(s, "iitt", r->seen, r->id, r->tenant, r->category);
	else
		store_bindf(s, "iittt", r->seen, r->id, r->tenant, r->category, r->kelurahan);
	while ((rc = store_step(s)) == STORE_ROW)
		dup_consider(c, &in, &x->set, p, s);
	store_finalize(s);
	/* at most CPL_MAX_DUPS suggestions in all: the best of the new ones */
	if (rc >= 0 && p->ndups > 0)
		rc = store_query_int64(c, &have, "SELECT COUNT(*) FROM complaints_duplicates WHERE tenant = ? AND complaint_id = ?",
				       "ti", r->tenant, r->id);
	if (have >= CPL_MAX_DUPS)
		p->ndups = 0;
	qsort(p->dups, (size_t)p->ndups, sizeof(p->dups[0]), by_score_desc);
	if (p->ndups > CPL_MAX_DUPS - (int)have)
		p->ndups = CPL_MAX_DUPS - (int)have;
	for (int i = 0; rc >= 0 && i < p->ndups; i++) {
		dup_link_t *l = &x->links[x->nlinks++];
		copy(l->tenant, sizeof(l->tenant), r->tenant);
		l->complaint_id = r->id;
		l->candidate_id = p->dups[i].id;
		l->score_milli = p->dups[i].score_milli;
		l->distance_m = p->dups[i].distance_m;
	}
	free(p);
	return rc < 0 ? rc : 0;
}

int complaints_dup_sweep_count(store_t *st, int64_t now, int *ret_added)
{
	store_conn_t *c = store_reader(st);
	dup_sweep_t *x;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	if (!(x = calloc(1, sizeof(*x))))
		return ERR_NOMEM;
	rc = store_query_int64(c, &x->mark, "SELECT value FROM sequences WHERE tenant = '*' AND kind = 'DUPSEEN' AND year = 0",
			       "");
	if (rc == ERR_NOT_FOUND)
		rc = 0;
	while (rc >= 0) {
		int more = 0;
		int64_t stored = x->mark;
		x->nlinks = 0;
		if ((rc = store_read_begin(c)) < 0)
			break;
		rc = dup_sweep_read(c, x, now, &more);
		for (int i = 0; rc >= 0 && i < x->nrows; i++) {
			const dup_row_t *r = &x->rows[i];
			/* only complaints whose intake search missed some others */
			if (r->seen >= 0 && r->seen < r->id - 1 && r->category[0])
				rc = dup_sweep_one(c, r, x);
		}
		store_read_end(c);
		if (rc < 0)
			break;
		if (x->nrows)
			x->mark = x->rows[x->nrows - 1].id;
		/* a write only for suggestions, and to keep the progress at the end
		 * (a first sweep over old complaints reads them all, writes once) */
		if ((x->nlinks || (!more && x->mark != stored)) && (rc = store_tx(st, dup_sweep_tx, x)) < 0)
			break;
		x->added += x->nlinks;
		if (!more)
			break;
	}
	if (ret_added)
		*ret_added = x->added;
	if (x->added)
		complaints_touch();
	free(x);
	return rc < 0 ? rc : 0;
}

int complaints_dup_sweep(store_t *st, int64_t now)
{
	return complaints_dup_sweep_count(st, now, NULL);
}

/* ------------------------------------------------------------ reporter key */

static const char key_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* Crockford */

static void key_new(char out[CPL_KEY_SIZE])
{
	for (int i = 0; i < 20; i++)
		out[i] = key_alphabet[randombytes_uniform(32)];
	out[20] = '\0';
}

/* The 20 characters of a key as typed: case, dashes and spaces ignored,
 * O read as 0 and I, L as 1. -1 when it is not a key. */
static int key_normalize(const char *in, char out[21])
{
	size_t n = 0;
	for (; in && *in; in++) {
		int ch = toupper((unsigned char)*in);
		if (ch == '-' || ch == ' ')
			continue;
		if (ch == 'O')
			ch = '0';
		else if (ch == 'I' || ch == 'L')
			ch = '1';
		if (n >= 20 || !strchr(key_alphabet, ch) || !ch)
			return -1;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	return n == 20 ? 0 : -1;
}

void complaints_key_format(const char *key, char out[CPL_KEY_SIZE])
{
	char k[21];
	if (key_normalize(key, k) < 0) {
		out[0] = '\0';
		return;
	}
	snprintf(out, CPL_KEY_SIZE, "%.4s-%.4s-%.4s-%.4s-%.4s", k, k + 4, k + 8, k + 12, k + 16);
}

int complaints_reporter_key_ok(store_conn_t *c, const char *tenant, int64_t id, const char *key)
{
	char k[21], hash[65], stored[72] = "";
	int rc;
	if (key_normalize(key, k) < 0)
		return 0;
	rc = store_query_text(c, stored, sizeof(stored), "SELECT reporter_key_hash FROM complaints WHERE tenant = ? AND id = ?",
			      "ti", tenant, id);
	if (rc == ERR_NOT_FOUND)
		return 0;
	if (rc < 0)
		return rc;
	if (strlen(stored) != 64)
		return 0; /* filed before keys existed */
	auth_sha256_hex(k, 20, hash);
	return auth_token_equal(hash, stored);
}

/* complaints_prepare's reads, on whatever connection c is (the writer's,
 * when complaints_create_tx is given no prep). */
static int prepare_reads(store_conn_t *c, const complaint_new_t *in, complaint_prep_t *p, const char **ret_msgid)
{
	complaints_settings_t set;
	complaints_category_t cat, given, proposed;
	tenant_t t;
	calendar_t *cal = NULL;
	char text[CPL_MAX_DESCRIPTION * 4 + CPL_MAX_TITLE * 4 + 4];
	const char *category = in->category && *in->category ? in->category : "";
	int routed, rc, sla, have_cat = 0;
	const char *msg = NULL;

	memset(p, 0, offsetof(complaint_prep_t, words));
	p->ndups = 0;
	p->error_field = NULL;
	if (!ret_msgid)
		ret_msgid = &msg;
	if ((rc = validate(c, in, ret_msgid, &given, &p->error_field)) < 0)
		return rc;
	if (in->tenant_row && !strcmp(in->tenant_row->code, in->tenant))
		t = *in->tenant_row; /* read already by the caller: one statement less */
	else if ((rc = tenant_get(c, in->tenant, &t)) < 0)
		return rc;
	if ((rc = complaints_settings_get(c, in->tenant, &set)) < 0)
		return rc;
	if (!empty(in->title) && !blank(in->title)) {
		/* without the spaces around it */
		const char *t0 = in->title;
		size_t tl;
		while (isspace((unsigned char)*t0))
			t0++;
		tl = strlen(t0);
		while (tl && isspace((unsigned char)t0[tl - 1]))
			tl--;
		snprintf(p->title, sizeof(p->title), "%.*s", (int)tl, t0);
	} else {
		/* none, or only spaces: the description's first line */
		make_title(in->description, p->title, sizeof(p->title));
	}

	/* the routing hook: a confident proposal that agrees with the citizen's
	 * choice (or fills in a missing one) skips the coordinator */
	snprintf(text, sizeof(text), "%s\n%s", p->title, in->description);
	p->route_confidence = -1;
	routed = complaints_route(in->tenant, text, p->route_category, sizeof(p->route_category), &p->route_confidence,
				  p->route_explanation, sizeof(p->route_explanation)) == 0;
	proposed.code[0] = '\0';
	if (routed && given.code[0] && !strcmp(given.code, p->route_category)) {
		proposed = given; /* read already */
	} else if (routed && (rc = complaints_category_get(c, in->tenant, p->route_category, &proposed)) < 0) {
		/* the model knows a label the tenant does not; a category that
		 * cannot be read is an error, not a reason to skip routing */
		if (rc != ERR_NOT_FOUND)
			return rc;
		routed = 0;
		proposed.code[0] = '\0';
	}
	if (!routed) {
		p->route_confidence = -1;
		p->route_category[0] = p->route_explanation[0] = '\0';
	}
	if (routed && set.auto_route && p->route_confidence >= set.route_threshold &&
	    (!*category || !strcmp(category, p->route_category))) {
		category = p->route_category;
		p->auto_routed = 1;
	}
	copy(p->category, sizeof(p->category), category);
	if (*category) {
		/* read above (the citizen's, or the proposal) unless neither is it */
		if (given.code[0] && !strcmp(given.code, category))
			cat = given;
		else if (proposed.code[0] && !strcmp(proposed.code, category))
			cat = proposed;
		else if ((rc = complaints_category_get(c, in->tenant, category, &cat)) < 0)
			return rc;
		have_cat = 1;
	}
	copy(p->sla_class, sizeof(p->sla_class), have_cat ? cat.sla_class : "sederhana");
	sla = complaints_sla_days(&set, in->kind, p->sla_class);
	if (sla < 0)
		sla = set.sla_simple;

	if ((rc = tenant_calendar(c, in->tenant, &cal)) < 0)
		return rc;
	rc = complaints_verify_deadlines(cal, t.tz_offset, in->now, set.verify_days, sla, &p->verify_due, &p->expected);
	if (rc == 0 && p->auto_routed)
		rc = complaints_due(cal, t.tz_offset, in->now, sla, &p->answer_due);
	calendar_free(cal);
	if (rc < 0) {
		*ret_msgid = N_("waktu laporan di luar jangkauan kalender");
		return ERR_INVALID;
	}
	if (p->answer_due)
		p->expected = p->answer_due;
	p->today = cal_local_day(in->now, t.tz_offset);
	cal_civil_from_days(p->today, &p->year, NULL, NULL);
	p->due_day = cal_local_day(p->expected, t.tz_offset);
	if (p->due_day < p->today)
		p->due_day = p->today;

	key_new(p->reporter_key);
	p->nwords = signature(p->title, in->description, p->words);
	return find_duplicates(c, in, &set, p, 0);
}

int complaints_prepare(store_conn_t *c, const complaint_new_t *in, complaint_prep_t *p, const char **ret_msgid)
{
	int rc = store_read_begin(c);
	if (rc < 0)
		return rc;
	rc = prepare_reads(c, in, p, ret_msgid);
	store_read_end(c);
	return rc;
}

/* Who filed it, as the events name them: nobody for an anonymous or
 * confidential report. */
static const char *reporter_actor(const complaint_new_t *in)
{
	return in->identity && strcmp(in->identity, "terbuka") ? "" : in->actor ? in->actor : "";
}

/* The intake's duplicate suggestions, in one statement. */
static int insert_duplicates(store_conn_t *c, const char *tenant, int64_t id, const struct complaint_dup *d, int n)
{
	store_stmt_t *s;
	int rc;
	if (n > CPL_MAX_DUPS)
		return store_fail(ERR_INVALID, "duplicates: %d suggestions", n);
	if ((rc = store_prepare_rows(c,
				     "INSERT INTO complaints_duplicates (tenant, complaint_id, candidate_id, score_milli, "
				     "distance_m)",
				     5, n, &s)) < 0)
		return rc;
	for (int i = 0; i < n && rc >= 0; i++) {
		int b = i * 5;
		if ((rc = store_bind_text(s, b + 1, tenant, -1)) < 0 || (rc = store_bind_int64(s, b + 2, id)) < 0 ||
		    (rc = store_bind_int64(s, b + 3, d[i].id)) < 0 ||
		    (rc = store_bind_int64(s, b + 4, d[i].score_milli)) < 0)
			break;
		rc = store_bind_int64(s, b + 5, d[i].distance_m);
	}
	if (rc < 0) {
		store_finalize(s);
		return rc;
	}
	return store_send(s);
}

int complaints_create_tx(store_conn_t *c, const complaint_new_t *in, const complaint_prep_t *prep,
			 complaint_created_t *ret, const char **ret_msgid)
{
	complaints_category_t cat;
	complaint_prep_t *own = NULL;
	const complaint_prep_t *p = prep;
	char sum[160], words[CPL_SIG_WORDS * 8 + 1], key_hash[65], phone[24] = "";
	const char *status;
	int rc;
	int64_t id = 0, seq;
	const char *msg = NULL;
	store_stmt_t *s;

	memset(ret, 0, sizeof(*ret));
	if (!ret_msgid)
		ret_msgid = &msg;
	if (!p) {
		if (!(own = malloc(sizeof(*own))))
			return ERR_NOMEM;
		if ((rc = prepare_reads(c, in, own, ret_msgid)) < 0) {
			free(own);
			return rc;
		}
		p = own;
	}
	status = p->auto_routed ? "disposisi" : "baru";
	/* the category as it is now (its OPD may have changed since prepare);
	 * read once per transaction (a change to a category clears the memo) */
	if (p->category[0]) {
		char key[96];
		snprintf(key, sizeof(key), "cat|%s|%s", in->tenant, p->category);
		if (!store_memo_get(key, NULL, cat.unit, sizeof(cat.unit))) {
			if ((rc = complaints_category_get(c, in->tenant, p->category, &cat)) < 0) {
				if (rc == ERR_NOT_FOUND) {
					*ret_msgid = N_("kategori baru saja berubah; kirim ulang laporan");
					rc = ERR_CONFLICT;
				}
				goto out;
			}
			store_memo_put(key, 0, cat.unit);
		}
	}
	if ((rc = regno_next(c, in->tenant, "ADU", p->year, &seq, ret->number, sizeof(ret->number))) < 0)
		goto out;

	words_encode(p->words, p->nwords, words, sizeof(words));
	/* the phone number as digits with its leading +, as accounts keep
	 * theirs: "0812-3456 7890" is stored as "081234567890" */
	if (!empty(in->reporter_phone) && !auth_phone_normalize(in->reporter_phone, phone))
		phone[0] = '\0';
	rc = store_prepare(c,
			   "INSERT INTO complaints (tenant, number, kind, title, description, category, unit, sla_class, "
			   "status, identity, reporter_user_id, reporter_name, reporter_email, reporter_phone, has_location, lat_e6, "
			   "lon_e6, kelurahan, address, source, route_category, route_confidence_milli, route_explanation, "
			   "verify_due, answer_due, expected_at, created_at, updated_at, words, cell, reporter_key_hash, "
			   "dup_seen_id, reporter_lang, photos_public) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
			   /* its photos wait for the coordinator's look (CPL_PHOTOS_WAITING) */
			   "-1) "
			   "RETURNING id",
			   &s);
	if (rc < 0)
		goto out;
	auth_sha256_hex(p->reporter_key, strlen(p->reporter_key), key_hash);
	store_bindf(s, "ttttttttttitttdiittttitiiiiititit", in->tenant, ret->number, in->kind, p->title, in->description,
		    p->category, p->auto_routed ? cat.unit : "", p->sla_class, status, in->identity, in->user_id,
		    in->reporter_name ? in->reporter_name : "", in->reporter_email ? in->reporter_email : "", phone,
		    in->has_location, (int64_t)(in->has_location ? llround(in->lat * 1e6) : 0),
		    (int64_t)(in->has_location ? llround(in->lon * 1e6) : 0), in->kelurahan ? in->kelurahan : "",
		    in->address && !blank(in->address) ? in->address : "", in->source, p->route_category,
		    (int64_t)(p->route_confidence >= 0 ? llround(p->route_confidence * 1000) : -1), p->route_explanation,
		    p->verify_due, p->answer_due, p->expected, in->now, in->now, words,
		    in->has_location ? complaints_cell(in->lat, in->lon) : (int64_t)0, key_hash, p->dup_seen_id,
		    in->lang && !strcmp(in->lang, "en") ? "en" : "id");
	if (!in->has_location)
		store_bind_null(s, 30); /* no cell */
	if (p->dup_seen_id < 0 || p->ndups >= CPL_MAX_DUPS)
		store_bind_null(s, 32); /* no search ran, or it found enough: nothing for the sweep */
	rc = store_step(s);
	if (rc == STORE_ROW)
		id = store_col_int64(s, 0);
	store_finalize(s);
	if (rc < 0)
		goto out;
	if (id <= 0) {
		rc = ERR_DB;
		goto out;
	}
	for (size_t i = 0; i < in->nphotos; i++) {
		rc = store_exec_nowait(c, "INSERT INTO complaints_photos (tenant, complaint_id, idx, hash, mime) VALUES (?, ?, ?, ?, ?)",
				"tiitt", in->tenant, id, (int64_t)i, in->photo_hash[i], in->photo_mime[i]);
		if (rc < 0)
			goto out;
	}
	if (p->auto_routed) {
		/* filed, and routed at once: both events and both notices in one
		 * statement each */
		char note[200], obj[48];
		const char *unit = cat.unit[0] ? cat.unit : NULL;
		notify_target_t to[2] = { { 0, "petugas", unit }, { 0, "admin_opd", unit } };
		snprintf(note, sizeof(note), "rute otomatis ke %s (keyakinan %.2f)", cat.unit, p->route_confidence);
		snprintf(obj, sizeof(obj), "complaint:%" PRId64, id);
		rc = store_exec_nowait(c,
				       "INSERT INTO complaints_events (tenant, complaint_id, ts, actor, actor_role, action, "
				       "status, note, public) VALUES (?, ?, ?, ?, '', 'lapor', 'baru', '', 1), "
				       "(?, ?, ?, 'sistem', '', 'verifikasi', 'disposisi', ?, 1)",
				       "tiittiit", in->tenant, id, in->now, reporter_actor(in), in->tenant, id, in->now, note);
		if (rc < 0)
			goto out;
		if ((rc = notify_add_many(c, in->tenant, to, 2, "complaint.new", obj,
					  N_("Pengaduan baru didisposisikan ke OPD Anda"), ret->number, in->now)) < 0)
			goto out;
		copy(ret->unit, sizeof(ret->unit), cat.unit);
	} else if ((rc = add_event(c, in->tenant, id, in->now, reporter_actor(in), "", "lapor", "baru", "", 1)) < 0 ||
		   (rc = notify(c, in->tenant, 0, "koordinator", NULL, "complaint.new", id, ret->number,
				N_("Pengaduan baru menunggu verifikasi"), in->now)) < 0) {
		goto out;
	}
	if (p->ndups > 0 && (rc = insert_duplicates(c, in->tenant, id, p->dups, p->ndups)) < 0)
		goto out;
	ret->duplicates = p->ndups;
	snprintf(sum, sizeof(sum), "%s %s %s%s%s", ret->number, in->kind, status, p->category[0] ? " " : "",
		 p->category);
	if ((rc = audit(c, in->tenant, in->now, in->actor, "complaints.create", id, sum)) < 0)
		goto out;
	{
		char kec[16];
		perf_item_t it = { .tenant = in->tenant, .kind = PERF_COMPLAINT, .item_id = ret->number,
				   .unit = p->auto_routed ? cat.unit : PERF_UNROUTED, .service = p->category,
				   .kecamatan = kec, .received_day = p->today, .due_day = p->due_day,
				   .finished_day = -1, .working_days = -1 };
		kec_of(in->kelurahan, kec);
		/* new in this transaction (its number was just taken); auto-routing
		 * sent it to an OPD at once, a verdict nothing changes later */
		if ((rc = perf_record_new(c, &it, p->auto_routed ? 1 : -1)) < 0)
			goto out;
	}
	ret->id = id;
	copy(ret->status, sizeof(ret->status), status);
	copy(ret->reporter_key, sizeof(ret->reporter_key), p->reporter_key);
	ret->expected = p->expected;
	complaints_touch();
	rc = 0;
out:
	free(own);
	return rc;
}

struct create_ctx {
	const complaint_new_t *in;
	const complaint_prep_t *prep;
	complaint_created_t *ret;
	const char **msgid;
};

static int create_fn(store_conn_t *c, void *ud)
{
	struct create_ctx *x = ud;
	return complaints_create_tx(c, x->in, x->prep, x->ret, x->msgid);
}

int complaints_create(store_t *st, const complaint_new_t *in, complaint_created_t *ret, const char **ret_msgid)
{
	const char *msg = NULL;
	struct create_ctx x = { in, NULL, ret, ret_msgid ? ret_msgid : &msg };
	complaint_prep_t *p = malloc(sizeof(*p));
	store_conn_t *r;
	int rc;
	if (!p)
		return ERR_NOMEM;
	/* the reads first, on this thread's reader; the writer only writes */
	if (!(r = store_reader(st))) {
		free(p);
		return ERR_UNAVAILABLE;
	}
	rc = complaints_prepare(r, in, p, x.msgid);
	if (rc == 0) {
		x.prep = p;
		rc = store_tx(st, create_fn, &x);
	}
	free(p);
	complaints_touch();
	return rc;
}


/* ------------------------------------------------- similar open complaints */

static int cmp_dup(const void *a, const void *b)
{
	const struct complaint_dup *x = a, *y = b;
	if (x->score_milli != y->score_milli)
		return x->score_milli > y->score_milli ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

int complaints_similar_open(store_conn_t *c, const complaints_similar_query_t *q, int64_t ret_ids[CPL_MAX_DUPS],
			    int *ret_n, const char **ret_msgid)
{
	complaint_new_t in;
	complaints_settings_t set;
	complaints_category_t cat;
	complaint_prep_t *p;
	int rc, level;
	long n;
	*ret_n = 0;
	*ret_msgid = NULL;
	memset(&in, 0, sizeof(in));
#define BAD(m)                     \
	do {                       \
		*ret_msgid = (m);  \
		return ERR_INVALID; \
	} while (0)
	if (empty(q->category))
		BAD(N_("pilih kategori terlebih dahulu"));
	if (strlen(q->category) >= sizeof(cat.code))
		BAD(N_("kategori tidak dikenal"));
	if (!q->has_location && empty(q->kelurahan))
		BAD(N_("pilih kelurahan/desa atau titik lokasi terlebih dahulu"));
	n = q->text ? utf8_chars(q->text) : 0;
	if (n < 0 || (q->text && has_ctl(q->text, 1)))
		BAD(N_("isi laporan berisi karakter yang tidak sah"));
	if (n > CPL_MAX_DESCRIPTION + CPL_MAX_TITLE + 1)
		BAD(N_("isi laporan terlalu panjang (paling banyak 4000 karakter)"));
	if (q->has_location &&
	    (!isfinite(q->lat) || !isfinite(q->lon) || q->lat < -11.5 || q->lat > 6.5 || q->lon < 94.0 || q->lon > 141.5))
		BAD(N_("lokasi berada di luar wilayah Indonesia"));
	if (!q->has_location) {
		size_t tl = strlen(q->tenant);
		if (region_code_level(q->kelurahan, &level) < 0 || level != 4 || strncmp(q->kelurahan, q->tenant, tl) ||
		    q->kelurahan[tl] != '.')
			BAD(N_("kelurahan/desa tidak berada di wilayah Pemda ini"));
	}
#undef BAD
	rc = complaints_category_get(c, q->tenant, q->category, &cat);
	if (rc == ERR_NOT_FOUND) {
		*ret_msgid = N_("kategori tidak dikenal");
		return ERR_INVALID;
	}
	if (rc < 0)
		return rc;
	if ((rc = complaints_settings_get(c, q->tenant, &set)) < 0)
		return rc;
	if (!(p = calloc(1, sizeof(*p))))
		return ERR_NOMEM;
	in.tenant = q->tenant;
	in.has_location = q->has_location;
	in.lat = q->lat;
	in.lon = q->lon;
	in.kelurahan = q->has_location ? NULL : q->kelurahan;
	in.now = q->now;
	copy(p->category, sizeof(p->category), cat.code);
	p->nwords = signature(q->text ? q->text : "", "", p->words);
	if (p->nwords)
		rc = find_duplicates(c, &in, &set, p, 1);
	if (rc == 0) {
		qsort(p->dups, (size_t)p->ndups, sizeof(p->dups[0]), cmp_dup);
		for (int i = 0; i < p->ndups; i++)
			ret_ids[i] = p->dups[i].id;
		*ret_n = p->ndups;
	}
	free(p);
	return rc;
}
