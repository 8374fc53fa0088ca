/*
 * admin_keys.c: the tenant's API keys for its administrator:
 * /t/{tenant}/admin/kunci-api lists them (name, public prefix, role, OPD,
 * created, revoked; never the secret, which the database does not hold) with
 * a form to create one; the answer to that form is the only page that ever
 * shows the whole key. /t/{tenant}/admin/kunci-api/{prefix}/cabut asks for
 * confirmation, then revokes the key.
 *
 * Creating and revoking go through auth_apikey_create() and
 * auth_apikey_revoke() (auth.c), which wait for their commit; an event loop
 * must never wait, so they run on a compute thread (http_offload). The form
 * is checked here first so that every refusal has an Indonesian message.
 */
#include "web/pages.h"
#include "web/admin.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/users.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/text.h"
#include "core/banned.h"

#define KEY_NAME_MAX 100
#define Q_REVOKE N_("Cabut kunci API ini? Aplikasi yang memakainya langsung tidak dapat masuk, dan pencabutan tidak dapat dibatalkan.")

static const char *const notices[] = {
	"cabut", N_("kunci API dicabut; aplikasi yang memakainya tidak dapat masuk lagi"),
	NULL, NULL,
};

struct rows {
	req_t *r;
	json_t *arr;
};

static int add_row(void *ud, const apikey_info_t *k)
{
	struct rows *x = ud;
	role_t rl = ROLE_NONE;
	char created[32], revoked[32] = "";
	role_parse(k->role, &rl);
	admin_when(x->r, k->created_at, created);
	if (k->revoked_at)
		admin_when(x->r, k->revoked_at, revoked);
	{
		char rate[48];
		if (k->rate_limit < 0)
			snprintf(rate, sizeof(rate), "%s", req_t_(x->r, N_("bawaan")));
		else if (k->rate_limit == 0)
			snprintf(rate, sizeof(rate), "%s", req_t_(x->r, N_("tanpa batas")));
		else
			snprintf(rate, sizeof(rate), "%ld", k->rate_limit);
		json_array_append_new(x->arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "prefix", k->prefix, "name",
							k->name, "role", req_t_(x->r, role_label(rl)), "unit", k->unit,
							"created", created, "revoked", revoked, "rate", rate));
	}
	return 0;
}

typedef struct key_typed {
	const char *name, *role, *unit, *rate;
} key_typed_t;

static int keys_page(req_t *r, int status, const char *error, const key_typed_t *typed)
{
	struct rows x = { r, json_array() };
	json_t *ctx, *units;
	int rc = apikey_list(store_reader(r->app->store), r->tenant->code, add_row, &x);
	if (rc < 0) {
		json_decref(x.arr);
		return rc;
	}
	if (!(units = admin_unit_options(r, typed ? typed->unit : NULL, &rc))) {
		json_decref(x.arr);
		return rc;
	}
	ctx = admin_ctx(r, N_("Kunci API"), "keys");
	json_object_set_new(ctx, "has_keys", json_boolean(json_array_size(x.arr) > 0));
	json_object_set_new(ctx, "keys", x.arr);
	/* least privilege: a citizen's key unless another role is chosen */
	json_object_set_new(ctx, "roles", admin_role_options(r, typed && typed->role ? typed->role : "warga"));
	json_object_set_new(ctx, "units", units);
	if (typed)
		json_object_set_new(ctx, "form", json_pack("{s:s,s:s}", "name", typed->name ? typed->name : "", "rate",
							   typed->rate ? typed->rate : ""));
	admin_message(r, ctx, error, notices);
	http_page(r, status, "admin_keys", ctx);
	return 0;
}

int h_admin_keys(req_t *r)
{
	return keys_page(r, 200, NULL, NULL);
}

typedef struct key_op {
	store_t *st;
	char tenant[16], actor[72];
	const char *name, *role, *unit; /* arena */
	const char *rate_typed;         /* as typed, for the form again */
	long rate;                      /* complaints per minute: -1 the default, 0 none */
	char prefix[16];
	char key[AUTH_APIKEY_LEN];      /* the whole key, wiped once shown */
	const char *msgid;
} key_op_t;

/* On a compute thread: auth_apikey_create() waits for its commit. */
static int key_create_work(void *ud)
{
	key_op_t *op = ud;
	return auth_apikey_create_limited(op->st, op->tenant, op->name, op->role, op->unit, op->rate, op->actor, op->key,
					  op->prefix);
}

static int key_created(req_t *r, int rc, void *ud)
{
	key_op_t *op = ud;
	key_typed_t typed = { op->name, op->role, op->unit, op->rate_typed };
	json_t *ctx;
	role_t rl = ROLE_NONE;
	if (rc == ERR_NOT_FOUND && !op->msgid)
		op->msgid = N_("OPD tidak dikenal");
	if (rc == ERR_INVALID || rc == ERR_NOT_FOUND) {
		sodium_memzero(op->key, sizeof(op->key));
		return keys_page(r, 400, req_t_(r, op->msgid ? op->msgid : N_("data kunci API tidak valid")), &typed);
	}
	if (rc < 0) {
		sodium_memzero(op->key, sizeof(op->key));
		return rc;
	}
	role_parse(op->role, &rl);
	ctx = admin_ctx(r, N_("Kunci API dibuat"), "keys");
	json_object_set_new(ctx, "created", json_pack("{s:s,s:s,s:s,s:s,s:s}", "key", op->key, "prefix", op->prefix,
						      "name", op->name, "role", req_t_(r, role_label(rl)), "unit",
						      op->unit ? op->unit : ""));
	sodium_memzero(op->key, sizeof(op->key));
	/* the answer to the POST (201), not a redirect: the key is in no address and no
	 * page that can be fetched again (and this one is no-store) */
	http_page(r, 201, "admin_key_created", ctx);
	return 0;
}

int h_admin_key_create(req_t *r)
{
	key_op_t *op = arena_zalloc(&r->arena, sizeof(*op));
	const char *role = req_form(r, "role"), *unit = req_form(r, "unit");
	role_t rl;
	if (!op)
		return ERR_NOMEM;
	op->st = r->app->store;
	snprintf(op->tenant, sizeof(op->tenant), "%s", r->tenant->code);
	snprintf(op->actor, sizeof(op->actor), "%s", r->who.username);
	op->name = admin_form_trim(r, "name");
	op->role = role && *role ? role : "warga";
	op->unit = unit && *unit ? unit : NULL;
	if (!op->name)
		op->name = "";
	/* the key's own limit on complaints per minute: empty for the server's
	 * default (complaint-limit-apikey), 0 for none */
	op->rate_typed = admin_form_trim(r, "rate");
	op->rate = -1;
	if (op->rate_typed && *op->rate_typed) {
		char *end = NULL;
		long v = strspn(op->rate_typed, "0123456789") == strlen(op->rate_typed) && strlen(op->rate_typed) <= 7
				 ? strtol(op->rate_typed, &end, 10)
				 : -1;
		if (v < 0 || v > 1000000)
			op->msgid = N_("batas laporan per menit adalah angka 0 sampai 1000000, atau kosong untuk batas bawaan");
		else
			op->rate = v;
	}
	if (op->msgid)
		;
	else if (!*op->name || strlen(op->name) > KEY_NAME_MAX || !text_clean(op->name, 0))
		op->msgid = N_("nama kunci wajib diisi (maksimal 100 karakter), misalnya nama aplikasinya");
	else if (role_parse(op->role, &rl) < 0)
		op->msgid = N_("peran tidak dikenal");
	else if (role_needs_unit(rl) && !op->unit)
		op->msgid = N_("peran ini harus terikat pada satu OPD");
	else if (!role_needs_unit(rl) && op->unit)
		op->msgid = N_("peran ini tidak terikat pada OPD");
	else if (op->unit && strlen(op->unit) > 31)
		op->msgid = N_("OPD tidak dikenal");
	if (op->msgid)
		return key_created(r, ERR_INVALID, op);
	return http_offload(r, key_create_work, op, key_created);
}

/* ---------------------------------------------------------------- revoke */

/* The key of the {prefix} in the address: 12 hex digits of this tenant's;
 * 0, or an answer was sent (404) and *done set. */
static int key_of_request(req_t *r, apikey_info_t *k, int *done)
{
	const char *p = req_param(r, "prefix");
	int rc;
	*done = 0;
	if (!p || strlen(p) != 12 || strspn(p, "0123456789abcdef") != 12)
		rc = ERR_NOT_FOUND;
	else
		rc = apikey_get(store_reader(r->app->store), r->tenant->code, p, k);
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, N_("kunci API tidak ditemukan"));
		*done = 1;
		return 0;
	}
	return rc;
}

int h_admin_key_revoke_form(req_t *r)
{
	apikey_info_t k;
	json_t *ctx;
	role_t rl = ROLE_NONE;
	char action[128], back[96];
	int done, rc = key_of_request(r, &k, &done);
	if (rc < 0 || done)
		return rc;
	if (k.revoked_at)
		return keys_page(r, 409, req_t_(r, N_("kunci API ini sudah dicabut")), NULL);
	role_parse(k.role, &rl);
	snprintf(action, sizeof(action), "/t/%s/admin/kunci-api/%s/cabut", r->tenant->code, k.prefix);
	snprintf(back, sizeof(back), "/t/%s/admin/kunci-api", r->tenant->code);
	ctx = admin_ctx(r, N_("Cabut kunci API"), "keys");
	json_object_set_new(ctx, "confirm",
			    json_pack("{s:s,s:s,s:s,s:s}", "action", action, "back", back, "question",
				      req_t_(r, Q_REVOKE),
				      "button", req_t_(r, N_("Ya, cabut kunci ini"))));
	json_object_set_new(ctx, "facts", json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s}]",
						    "label", req_t_(r, N_("Nama")), "value", k.name,
						    "label", req_t_(r, N_("Prefiks")), "value", k.prefix,
						    "label", req_t_(r, N_("Peran")), "value", req_t_(r, role_label(rl)),
						    "label", req_t_(r, N_("OPD")), "value", *k.unit ? k.unit : "—"));
	http_page(r, 200, "admin_confirm", ctx);
	return 0;
}

typedef struct revoke_op {
	store_t *st;
	char tenant[16], actor[72], prefix[16];
} revoke_op_t;

static int key_revoke_work(void *ud)
{
	revoke_op_t *op = ud;
	return auth_apikey_revoke(op->st, op->tenant, op->prefix, op->actor);
}

static int key_revoked(req_t *r, int rc, void *ud)
{
	(void)ud;
	/* revoked meanwhile by someone else */
	if (rc == ERR_NOT_FOUND)
		return keys_page(r, 409, req_t_(r, N_("kunci API ini sudah dicabut")), NULL);
	if (rc < 0)
		return rc;
	admin_redirect(r, "/admin/kunci-api", "cabut");
	return 0;
}

int h_admin_key_revoke(req_t *r)
{
	apikey_info_t k;
	revoke_op_t *op;
	int done, rc = key_of_request(r, &k, &done);
	if (rc < 0 || done)
		return rc;
	if (k.revoked_at)
		return keys_page(r, 409, req_t_(r, N_("kunci API ini sudah dicabut")), NULL);
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	op->st = r->app->store;
	snprintf(op->tenant, sizeof(op->tenant), "%s", r->tenant->code);
	snprintf(op->actor, sizeof(op->actor), "%s", r->who.username);
	snprintf(op->prefix, sizeof(op->prefix), "%s", k.prefix);
	return http_offload(r, key_revoke_work, op, key_revoked);
}
