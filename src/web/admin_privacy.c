/*
 * admin_privacy.c: the contact a Pemda's privacy notice (/t/{tenant}/privasi,
 * web/account.c) gives for questions and requests about personal data, set
 * by its administrator at /t/{tenant}/admin/privasi. UU 27/2022 asks a
 * public body for a data-protection officer (pejabat pelindungan data
 * pribadi) whom people can reach; who that is differs from Pemda to Pemda,
 * so it is data, not text of the program. The form carries the digest of
 * the contact it showed: two administrators editing at once get a 409, not
 * each other's text undone unseen.
 */
#include "web/pages.h"
#include "web/admin.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/sb.h"
#include "core/text.h"
#include "tenants/tenants.h"
#include "core/banned.h"

static const char *const notices[] = {
	"disimpan", N_("kontak disimpan; pemberitahuan privasi sudah menampilkannya"),
	"sama", N_("tidak ada yang berubah"),
	NULL, NULL,
};

static void digest(const char *s, char out[65])
{
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(d, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(out, 65, d, sizeof(d));
}

/* typed: what was sent, shown again after a refusal (NULL: the stored one) */
static int privacy_page(req_t *r, int status, const char *error, const char *typed)
{
	char contact[TENANT_CONTACT_MAX + 8] = "", sum[65];
	store_conn_t *c = store_reader(r->app->store);
	json_t *ctx;
	int rc = c ? tenant_privacy_contact(c, r->tenant->code, contact, sizeof(contact)) : ERR_UNAVAILABLE;
	if (rc < 0)
		return rc;
	digest(contact, sum);
	ctx = admin_ctx(r, N_("Kontak pelindungan data pribadi"), "privacy");
	json_object_set_new(ctx, "contact", json_string(typed && text_clean(typed, 1) ? typed : contact));
	json_object_set_new(ctx, "old_sum", json_string(sum));
	admin_message(r, ctx, error, notices);
	http_page(r, status, "admin_privacy", ctx);
	return 0;
}

int h_admin_privacy(req_t *r)
{
	return privacy_page(r, 200, NULL, NULL);
}

struct contact_op {
	char tenant[16], actor[72], old_sum[65];
	const char *contact; /* in the arena */
	int unchanged;
};

static int contact_tx(store_conn_t *c, void *ud)
{
	struct contact_op *op = ud;
	int rc = tenant_privacy_contact_set_tx(c, op->tenant, op->contact, op->old_sum, op->actor, (int64_t)time(NULL));
	op->unchanged = rc == 1;
	return rc < 0 ? rc : 0;
}

static int contact_saved(req_t *r, int rc, void *ud)
{
	struct contact_op *op = ud;
	if (rc == ERR_CONFLICT)
		return privacy_page(r, 409,
				    req_t_(r, N_("kontak ini baru saja diubah oleh administrator lain; periksa isinya sekarang lalu simpan lagi")),
				    NULL);
	if (rc < 0)
		return rc;
	admin_redirect(r, "/admin/privasi", op->unchanged ? "sama" : "disimpan");
	return 0;
}

int h_admin_privacy_save(req_t *r)
{
	const char *in = admin_form_trim(r, "contact"), *old = req_form(r, "old");
	struct contact_op *op;
	sb_t b = SB_INIT;
	if (!in)
		in = "";
	if (!text_clean(in, 1) || strlen(in) > TENANT_CONTACT_MAX)
		return privacy_page(r, 400, req_t_(r, N_("kontak paling banyak 600 karakter teks biasa")),
				    text_clean(in, 1) ? in : NULL);
	if (!old || strlen(old) != 64)
		return privacy_page(r, 400, req_t_(r, N_("formulir tidak lengkap; muat ulang halaman lalu coba lagi")), in);
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	/* a form sends its line breaks as CR LF: kept as LF */
	for (const char *p = in; *p; p++)
		if (*p != '\r')
			sb_addch(&b, *p);
	op->contact = b.err ? NULL : arena_strndup(&r->arena, b.buf ? b.buf : "", b.len);
	sb_release(&b);
	if (!op->contact)
		return ERR_NOMEM;
	snprintf(op->tenant, sizeof(op->tenant), "%s", r->tenant->code);
	snprintf(op->actor, sizeof(op->actor), "%s", r->who.username);
	snprintf(op->old_sum, sizeof(op->old_sum), "%s", old);
	return http_write(r, contact_tx, op, contact_saved);
}
