/*
 * invite.c: officials added from a CSV file and invited to choose their
 * password. See invite.h for the guarantees.
 */
#include "auth/invite.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/text.h"
#include "platform/platform.h"
#include "core/banned.h"

/* a password hash no password matches (not argon2's format): an invited
 * user signs in only after choosing one through the link */
#define NO_PASSWORD "!invited"

enum { COL_USERNAME, COL_NAME, COL_ROLE, COL_UNIT, COL_EMAIL, COL_PHONE, NCOLS };

static const struct {
	const char *name;
	int col;
} headers[] = {
	{ "username", COL_USERNAME }, { "nama_pengguna", COL_USERNAME }, { "nama", COL_NAME },
	{ "nama_lengkap", COL_NAME },	{ "full_name", COL_NAME },	  { "name", COL_NAME },
	{ "peran", COL_ROLE },		{ "role", COL_ROLE },		  { "opd", COL_UNIT },
	{ "unit", COL_UNIT },		{ "email", COL_EMAIL },		  { "e-mail", COL_EMAIL },
	{ "hp", COL_PHONE },		{ "telepon", COL_PHONE },	  { "phone", COL_PHONE },
	{ "no_hp", COL_PHONE },
};

static const char *const col_names[NCOLS] = { "username", "nama", "peran", "opd", "email", "hp" };

static void add_error(user_import_t *imp, int line, int col, const char *msgid, const char *value)
{
	user_import_error_t *e;
	size_t n;
	if (imp->nerr >= IMPORT_MAX_ERRORS) {
		imp->more_errors++;
		return;
	}
	e = &imp->errs[imp->nerr++];
	e->line = line;
	snprintf(e->column, sizeof(e->column), "%s", col >= 0 ? col_names[col] : "");
	e->msgid = msgid;
	snprintf(e->value, sizeof(e->value), "%s", value ? value : "");
	/* a cut value must not end inside a UTF-8 sequence */
	n = strlen(e->value);
	if (value && strlen(value) > n) {
		while (n && ((unsigned char)e->value[n - 1] & 0xC0) == 0x80)
			n--;
		if (n && (unsigned char)e->value[n - 1] >= 0xC0)
			n--;
		e->value[n] = '\0';
	}
}

/* the header line's separator: the one of ',' and ';' that occurs more
 * often outside quotes (a header without either has one column) */
static char guess_sep(const char *p, const char *end)
{
	int commas = 0, semis = 0, q = 0;
	for (; p < end && *p != '\n'; p++) {
		if (*p == '"')
			q = !q;
		else if (!q && *p == ',')
			commas++;
		else if (!q && *p == ';')
			semis++;
	}
	return semis > commas ? ';' : ',';
}

/* a field without the spaces a spreadsheet user typed around it */
static void trimmed(const csv_field_t *f, char *out, size_t cap, int *over)
{
	const char *p = f->ptr, *e = f->ptr + f->len;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*over = (size_t)(e - p) >= cap;
	snprintf(out, cap, "%.*s", (int)(*over ? cap - 1 : (size_t)(e - p)), p);
}

static int blank_record(const csv_field_t *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < f[i].len; j++)
			if (f[i].ptr[j] != ' ' && f[i].ptr[j] != '\t')
				return 0;
	return 1;
}

/* the reader's own error ("line N: ..."), by its line */
static void csv_failed(user_import_t *imp, const csv_reader_t *rd)
{
	int line = 0;
	sscanf(csv_error(rd), "line %d", &line);
	add_error(imp, line, -1, N_("baris ini tidak dapat dibaca sebagai CSV (periksa tanda kutip dan jumlah kolom)"),
		  csv_error(rd));
}

/* ------------------------------------------------------------ parse */

static void check_row(user_import_t *imp, user_import_row_t *row)
{
	user_new_t u = { .tenant = imp->tenant, .username = row->username, .full_name = row->full_name,
			 .role = row->role, .unit = row->unit };
	const char *msgid = NULL, *fld = NULL;
	char phone[24];
	if (user_check_fields(&u, &msgid, &fld) < 0) {
		int col = !strcmp(fld, "username") ? COL_USERNAME
			  : !strcmp(fld, "full_name") ? COL_NAME
			  : !strcmp(fld, "role")      ? COL_ROLE
						      : COL_UNIT;
		const char *v = col == COL_USERNAME ? row->username
				: col == COL_NAME   ? row->full_name
				: col == COL_ROLE   ? row->role
						    : row->unit;
		add_error(imp, row->line, col, msgid, v);
	}
	if (row->full_name[0] && !auth_full_name_ok(row->full_name))
		add_error(imp, row->line, COL_NAME, N_("nama lengkap wajib diisi: 2 sampai 120 karakter, tanpa karakter khusus"),
			  row->full_name);
	if (row->email[0] && !mail_valid_address(row->email))
		add_error(imp, row->line, COL_EMAIL, N_("alamat e-mail tidak valid"), row->email);
	/* sigap's one phone rule (an Indonesian number, as on the account
	 * page and the complaint form), then its one stored form */
	if (row->phone[0]) {
		if (auth_phone_check(row->phone, &msgid) < 0 || !auth_phone_normalize(row->phone, phone))
			add_error(imp, row->line, COL_PHONE,
				  msgid ? msgid : N_("nomor HP tidak sah: awali dengan 08 atau +62, 10 sampai 13 angka"),
				  row->phone);
		else
			snprintf(row->phone, sizeof(row->phone), "%s", phone);
	}
	/* a username twice in the file */
	for (user_import_row_t *o = imp->rows; o < row; o++)
		if (!strcmp(o->username, row->username) && row->username[0]) {
			add_error(imp, row->line, COL_USERNAME, N_("nama pengguna ini sudah ada di baris lain berkas ini"),
				  row->username);
			break;
		}
}

int user_import_parse(const char *csv, size_t len, user_import_t *imp)
{
	csv_options_t opt = { .max_fields = 16, .max_field_len = 1024 };
	csv_reader_t rd;
	const csv_field_t *f;
	size_t nf;
	int map[16], ncol = 0, have[NCOLS] = { 0 }, cap = 0, rc, over;
	char cell[1024], *text;
	imp->n = imp->nerr = imp->more_errors = 0;
	imp->rows = NULL;
	if (len > IMPORT_MAX_BYTES) {
		add_error(imp, 0, -1, N_("berkas terlalu besar (paling besar 512 KB)"), NULL);
		return ERR_INVALID;
	}
	/* text by sigap's one rule (a spreadsheet saved as something else,
	 * or in a legacy code page, is not) */
	if (!(text = malloc(len + 1)))
		return ERR_NOMEM;
	memcpy(text, csv, len);
	text[len] = '\0';
	if (memchr(csv, '\0', len) || !text_clean(text, 1)) {
		free(text);
		add_error(imp, 0, -1, N_("berkas bukan teks UTF-8; simpan dari spreadsheet sebagai CSV UTF-8"), NULL);
		return ERR_INVALID;
	}
	free(text);
	opt.sep = guess_sep(len >= 3 && !memcmp(csv, "\xEF\xBB\xBF", 3) ? csv + 3 : csv, csv + len);
	csv_reader_init_mem(&rd, csv, len, &opt);
	/* the header */
	while ((rc = csv_next(&rd, &f, &nf)) == 1 && blank_record(f, nf))
		;
	if (rc < 0) {
		csv_failed(imp, &rd);
		csv_reader_release(&rd);
		return ERR_INVALID;
	}
	if (rc == 0) {
		csv_reader_release(&rd);
		add_error(imp, 0, -1, N_("berkas kosong: baris pertama harus judul kolom, lalu satu baris per pengguna"), NULL);
		return ERR_INVALID;
	}
	for (size_t i = 0; i < nf; i++) {
		int known = -1;
		trimmed(&f[i], cell, sizeof(cell), &over);
		for (char *q = cell; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		for (size_t h = 0; h < sizeof(headers) / sizeof(headers[0]); h++)
			if (!strcmp(cell, headers[h].name))
				known = headers[h].col;
		if (known < 0 && cell[0])
			add_error(imp, (int)csv_line(&rd), -1,
				  N_("kolom tidak dikenal (yang dikenal: username, nama, peran, opd, email, hp)"), cell);
		else if (known >= 0 && have[known]++)
			add_error(imp, (int)csv_line(&rd), known, N_("kolom ini muncul dua kali"), cell);
		map[ncol++] = known;
	}
	for (int k = COL_USERNAME; k <= COL_ROLE; k++)
		if (!have[k])
			add_error(imp, (int)csv_line(&rd), k, N_("kolom wajib tidak ada di judul"), col_names[k]);
	if (imp->nerr) {
		csv_reader_release(&rd);
		return ERR_INVALID;
	}
	/* the rows */
	while ((rc = csv_next(&rd, &f, &nf)) == 1) {
		user_import_row_t *row;
		int line = (int)csv_line(&rd);
		if (blank_record(f, nf))
			continue;
		if (imp->n >= IMPORT_MAX_ROWS) {
			add_error(imp, line, -1, N_("terlalu banyak baris (paling banyak 1.000 pengguna per berkas)"), NULL);
			break;
		}
		if (imp->n == cap) {
			void *nr = realloc(imp->rows, (size_t)(cap ? cap * 2 : 64) * sizeof(*imp->rows));
			if (!nr) {
				csv_reader_release(&rd);
				return ERR_NOMEM;
			}
			imp->rows = nr;
			cap = cap ? cap * 2 : 64;
		}
		row = &imp->rows[imp->n++];
		memset(row, 0, sizeof(*row));
		row->line = line;
		for (size_t i = 0; i < nf; i++) {
			char *dst = NULL;
			size_t dcap = 0;
			if (i >= (size_t)ncol) {
				trimmed(&f[i], cell, sizeof(cell), &over);
				if (cell[0]) {
					add_error(imp, line, -1, N_("baris ini punya lebih banyak kolom daripada judulnya"), cell);
					break;
				}
				continue;
			}
			switch (map[i]) {
			case COL_USERNAME: dst = row->username, dcap = sizeof(row->username); break;
			case COL_NAME: dst = row->full_name, dcap = sizeof(row->full_name); break;
			case COL_ROLE: dst = row->role, dcap = sizeof(row->role); break;
			case COL_UNIT: dst = row->unit, dcap = sizeof(row->unit); break;
			case COL_EMAIL: dst = row->email, dcap = sizeof(row->email); break;
			case COL_PHONE: dst = row->phone, dcap = sizeof(row->phone); break;
			default: break;
			}
			if (!dst)
				continue;
			trimmed(&f[i], dst, dcap, &over);
			if (over) {
				trimmed(&f[i], cell, sizeof(cell), &over);
				add_error(imp, line, map[i], N_("isian terlalu panjang"), cell);
				dst[0] = '\0';
			}
		}
		/* what a spreadsheet user types: "Petugas", "dlh", "X@Y.ID" */
		for (char *q = row->username; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		for (char *q = row->role; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		for (char *q = row->unit; *q; q++)
			*q = (char)toupper((unsigned char)*q);
		for (char *q = row->email; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		check_row(imp, row);
	}
	if (rc < 0)
		csv_failed(imp, &rd);
	csv_reader_release(&rd);
	if (!imp->n && !imp->nerr)
		add_error(imp, 0, -1, N_("berkas kosong: baris pertama harus judul kolom, lalu satu baris per pengguna"), NULL);
	return imp->nerr ? ERR_INVALID : 0;
}

/* ------------------------------------------------------------ the tenant's data */

static int check_against(store_conn_t *c, user_import_t *imp, int *taken)
{
	for (int i = 0; i < imp->n; i++) {
		user_import_row_t *row = &imp->rows[i];
		int64_t n = 0;
		int rc;
		if (row->unit[0]) {
			if ((rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM units WHERE tenant = ? AND code = ?", "tt",
						    imp->tenant, row->unit)) < 0)
				return rc;
			if (!n)
				add_error(imp, row->line, COL_UNIT, N_("OPD dengan kode ini tidak ada di Pemda ini"), row->unit);
		}
		if ((rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM users WHERE tenant = ? AND username = ?", "tt",
					    imp->tenant, row->username)) < 0)
			return rc;
		if (n) {
			add_error(imp, row->line, COL_USERNAME, N_("nama pengguna sudah dipakai"), row->username);
			(*taken)++;
		}
	}
	return 0;
}

/* ERR_EXISTS when every error is a username taken (a conflict with the
 * tenant's data, 409), else ERR_INVALID */
static int verdict(user_import_t *imp, int taken)
{
	user_import_error_t tmp[IMPORT_MAX_ERRORS];
	int idx[IMPORT_MAX_ERRORS];
	if (!imp->nerr)
		return 0;
	/* in the order of the file: a stable sort by line (qsort is not
	 * stable, so ties keep their place through the index) */
	for (int i = 0; i < imp->nerr; i++)
		idx[i] = i;
	for (int i = 1; i < imp->nerr; i++)
		for (int j = i; j > 0 && imp->errs[idx[j - 1]].line > imp->errs[idx[j]].line; j--) {
			int t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	for (int i = 0; i < imp->nerr; i++)
		tmp[i] = imp->errs[idx[i]];
	memcpy(imp->errs, tmp, (size_t)imp->nerr * sizeof(tmp[0]));
	return taken && taken == imp->nerr + imp->more_errors ? ERR_EXISTS : ERR_INVALID;
}

int user_import_check(store_conn_t *c, user_import_t *imp)
{
	int taken = 0, rc = check_against(c, imp, &taken);
	if (rc < 0)
		return rc;
	return verdict(imp, taken);
}

void user_import_tokens(user_import_t *imp)
{
	for (int i = 0; i < imp->n; i++) {
		auth_random_token(imp->rows[i].token);
		auth_sha256_hex(imp->rows[i].token, 64, imp->rows[i].token_hash);
	}
}

static const char *import_lang(const user_import_t *imp)
{
	return !strcmp(imp->lang, "en") ? "en" : "id";
}

/* the invitation in the language the administrator chose (imp->lang) */
static int mail_link(store_conn_t *c, const user_import_t *imp, user_import_row_t *row)
{
	const char *lang = import_lang(imp);
	char subject[300], dear[600], made[800], open_link[300], after[800], body[3000];
	int rc;
	snprintf(subject, sizeof(subject), mail_translate(lang, N_("Akun sigap %s untuk Anda: %s")), imp->tenant_name,
		 row->username);
	snprintf(dear, sizeof(dear), mail_translate(lang, N_("Yth. %s,")), row->full_name);
	snprintf(made, sizeof(made),
		 mail_translate(lang, N_("Administrator sigap %s membuatkan akun untuk Anda dengan nama pengguna \"%s\".")),
		 imp->tenant_name, row->username);
	snprintf(open_link, sizeof(open_link), "%s",
		 mail_translate(lang, N_("Untuk memilih kata sandi Anda, buka tautan ini dalam tujuh hari (hanya bisa "
					 "dipakai sekali):")));
	snprintf(after, sizeof(after),
		 mail_translate(lang, N_("Sesudah itu, masuk di %s/t/%s/masuk. Bila akun ini bukan untuk Anda, abaikan pesan "
					 "ini dan beri tahu administrator.")),
		 imp->link_base, imp->tenant);
	snprintf(body, sizeof(body), "%s\n\n%s\n\n%s\n\n%s/t/%s/lupa-sandi/%s\n\n%s", dear, made, open_link,
		 imp->link_base, imp->tenant, row->token, after);
	rc = mail_enqueue_secret(c, imp->tenant, row->email, lang, subject, body, row->token, imp->now);
	sodium_memzero(body, sizeof(body));
	return rc;
}

int user_import_tx(store_conn_t *c, void *ud)
{
	user_import_t *imp = ud;
	int taken = 0, rc;
	imp->nerr = imp->more_errors = 0;
	/* the tenant may have changed since the page's check */
	if ((rc = check_against(c, imp, &taken)) < 0)
		return rc;
	if ((rc = verdict(imp, taken)) < 0)
		return rc;
	for (int i = 0; i < imp->n; i++) {
		user_import_row_t *row = &imp->rows[i];
		char summary[160];
		int64_t id = 0;
		row->mailed = 0;
		rc = store_query_int64(c, &id,
				       "INSERT INTO users (tenant, username, full_name, role, unit, email, phone, "
				       "password_hash, lang, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
				       "RETURNING id",
				       "tttttttttii", imp->tenant, row->username, row->full_name, row->role,
				       row->unit[0] ? row->unit : NULL, row->email[0] ? row->email : NULL,
				       row->phone[0] ? row->phone : NULL, NO_PASSWORD, imp->lang[0] ? import_lang(imp) : NULL,
				       imp->now, imp->now);
		if (rc == ERR_EXISTS) {
			add_error(imp, row->line, COL_USERNAME, N_("nama pengguna sudah dipakai"), row->username);
			return ERR_EXISTS;
		}
		if (rc < 0)
			return rc;
		rc = store_exec(c,
				"INSERT INTO password_resets (tenant, token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
				"ttiii", imp->tenant, row->token_hash, id, imp->now, imp->now + INVITE_TTL);
		if (rc < 0)
			return rc;
		if (imp->mail && row->email[0]) {
			if ((rc = mail_link(c, imp, row)) < 0)
				return rc;
			row->mailed = 1;
		}
		snprintf(summary, sizeof(summary), "role=%s unit=%s; imported, invited by %s", row->role, row->unit,
			 row->mailed ? "e-mail" : "link");
		if ((rc = audit_append(c, imp->tenant, imp->now, imp->actor, "user.add", row->username, summary)) < 0)
			return rc;
	}
	return 0;
}

void user_import_free(user_import_t *imp)
{
	if (imp->rows) {
		sodium_memzero(imp->rows, (size_t)imp->n * sizeof(*imp->rows));
		free(imp->rows);
	}
	imp->rows = NULL;
	imp->n = 0;
}
