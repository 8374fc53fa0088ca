/*
 * routes.c: the static route table. One line per route: method, path
 * pattern, handler, the permission the router enforces, and flags. The first
 * pattern that matches wins, so specific routes come before general ones.
 */
#include "web/pages.h"
#include "web/admin.h"
#include "web/twofa.h"
#include "web/register.h"
#include "web/recover.h"
#include "web/account.h"

#include "auth/auth.h"
#include "services/services.h"
#include "governance/governance.h"
#include "complaints/complaints.h"
#include "platform/platform.h"
#include "platform/webhook.h"
#include "core/banned.h"

#define T ROUTE_TENANT
#define A ROUTE_API
#define OPEN ROUTE_OPEN_READ /* public read: Access-Control-Allow-Origin: * (http.h) */

static const route_t foundation_routes[] = {
	{ "GET", "/healthz", h_healthz, PERM_PUBLIC, A },
	{ "GET", "/readyz", h_readyz, PERM_PUBLIC, A },
	{ "GET", "/static/{file}", h_static, PERM_PUBLIC, 0 },
	{ "GET", "/bahasa/{lang}", h_lang, PERM_PUBLIC, 0 },
	{ "GET", "/", h_portal, PERM_PUBLIC, 0 },

	{ "GET", "/t/{tenant}", h_tenant_home, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/", h_tenant_home, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/masuk", h_login_form, PERM_PUBLIC, T },
	{ "POST", "/t/{tenant}/masuk", h_login, PERM_PUBLIC, T },
	{ "POST", "/t/{tenant}/keluar", h_logout, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/daftar", h_register_form, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/lupa-sandi", h_recover_form, PERM_PUBLIC, T },
	{ "POST", "/t/{tenant}/lupa-sandi", h_recover, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/lupa-sandi/{token}", h_recover_link, PERM_PUBLIC, T },
	{ "POST", "/t/{tenant}/lupa-sandi/{token}", h_recover_set, PERM_PUBLIC, T },
	{ "POST", "/t/{tenant}/daftar", h_register, PERM_PUBLIC, T },
	/* two-step sign-in: public routes, the handlers check the session (a
	 * half-made one is anonymous to the router) */
	{ "GET", "/t/{tenant}/masuk/kode", h_2fa_code_form, PERM_PUBLIC, T },
	{ "POST", "/t/{tenant}/masuk/kode", h_2fa_code, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/akun/dua-langkah", h_2fa_page, PERM_PUBLIC, T },
	{ "POST", "/t/{tenant}/akun/dua-langkah", h_2fa_post, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/dasbor", h_dashboard, PERM_DASHBOARD, T },
	{ "POST", "/t/{tenant}/dasbor/dibaca", h_dashboard_seen, PERM_DASHBOARD, T },
	/* one's own account and personal data (web/account.c, docs/privacy.md) */
	{ "GET", "/t/{tenant}/akun", h_account, PERM_LOGIN, T },
	{ "POST", "/t/{tenant}/akun", h_account_save, PERM_LOGIN, T },
	{ "GET", "/t/{tenant}/akun/data.json", h_account_export, PERM_LOGIN, T },
	{ "GET", "/t/{tenant}/akun/hapus", h_account_delete_form, PERM_ACCOUNT_DELETE, T },
	{ "POST", "/t/{tenant}/akun/hapus", h_account_delete, PERM_ACCOUNT_DELETE, T },
	{ "GET", "/t/{tenant}/akun/dihapus", h_account_deleted, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/privasi", h_privacy, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/akun/sandi", h_password_form, PERM_LOGIN, T },
	{ "POST", "/t/{tenant}/akun/sandi", h_password, PERM_LOGIN, T },
	{ "GET", "/t/{tenant}/admin/pengguna", h_admin_users, PERM_USERS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/pengguna", h_admin_user_add, PERM_USERS_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/impor-pengguna", h_admin_import_form, PERM_USERS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/impor-pengguna", h_admin_import, PERM_USERS_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/audit", h_admin_audit, PERM_AUDIT_VIEW, T },
	/* the tenant administrator's pages (web/admin*.c) */
	{ "GET", "/t/{tenant}/admin", h_admin_home, PERM_USERS_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/pengguna/{username}", h_admin_user_form, PERM_USERS_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/pengguna/{username}/status", h_admin_user_status_form, PERM_USERS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/pengguna/{username}/status", h_admin_user_status, PERM_USERS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/pengguna/{username}/peran", h_admin_user_role, PERM_USERS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/pengguna/{username}/sandi", h_admin_user_password, PERM_USERS_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/pengguna/{username}/dua-langkah", h_admin_user_2fa_form, PERM_USERS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/pengguna/{username}/dua-langkah", h_admin_user_2fa_reset, PERM_USERS_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/opd", h_admin_units, PERM_UNITS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/opd", h_admin_unit_add, PERM_UNITS_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/opd/{code}", h_admin_unit_form, PERM_UNITS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/opd/{code}", h_admin_unit_save, PERM_UNITS_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/kunci-api", h_admin_keys, PERM_APIKEYS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/kunci-api", h_admin_key_create, PERM_APIKEYS_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/kunci-api/{prefix}/cabut", h_admin_key_revoke_form, PERM_APIKEYS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/kunci-api/{prefix}/cabut", h_admin_key_revoke, PERM_APIKEYS_MANAGE, T },
	/* webhooks: who may make API keys may send events out (web/admin_webhooks.c) */
	{ "GET", "/t/{tenant}/admin/webhook", h_admin_webhooks, PERM_APIKEYS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/webhook", h_admin_webhook_create, PERM_APIKEYS_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/webhook/{id}/hapus", h_admin_webhook_remove_form, PERM_APIKEYS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/webhook/{id}/hapus", h_admin_webhook_remove, PERM_APIKEYS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/webhook/{id}/uji", h_admin_webhook_test, PERM_APIKEYS_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/privasi", h_admin_privacy, PERM_USERS_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/privasi", h_admin_privacy_save, PERM_USERS_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/hari-libur", h_admin_holidays, PERM_CALENDAR_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/hari-libur", h_admin_holiday_add, PERM_CALENDAR_MANAGE, T },
	{ "GET", "/t/{tenant}/admin/hari-libur/{date}/hapus", h_admin_holiday_remove_form, PERM_CALENDAR_MANAGE, T },
	{ "POST", "/t/{tenant}/admin/hari-libur/{date}/hapus", h_admin_holiday_remove, PERM_CALENDAR_MANAGE, T },

	{ "GET", "/api/v1/tenants", api_tenants, PERM_PUBLIC, A | OPEN },
	{ "GET", "/api/v1/regions", api_regions, PERM_PUBLIC, A | OPEN },
	{ "GET", "/api/v1/regions/{code}", api_region, PERM_PUBLIC, A | OPEN },
	{ "POST", "/api/v1/nik/validate", api_nik_validate, PERM_PUBLIC, A | ROUTE_NO_CSRF },
	{ "GET", "/api/v1/t/{tenant}/calendar/add", api_calendar_add, PERM_PUBLIC, A | T | OPEN },
	{ "GET", "/api/v1/t/{tenant}/calendar/between", api_calendar_between, PERM_PUBLIC, A | T | OPEN },
	{ "GET", "/api/v1/t/{tenant}/me", api_me, PERM_LOGIN, A | T },
};

static const route_table_t foundation = ROUTE_TABLE(foundation_routes);

/* Tried in this order: the first matching pattern wins. */
const route_table_t *const app_route_tables[] = {
	&foundation, &routes_services, &routes_complaints, &routes_governance, &routes_performance,
};
const size_t app_route_tables_count = sizeof(app_route_tables) / sizeof(app_route_tables[0]);

/* Periodic jobs (see http.h). */
const app_job_t app_jobs[] = {
	{ "services.sla_sweep", services_sla_sweep },
	{ "governance.deadline_sweep", governance_deadline_sweep },
	{ "complaints.sla_sweep", complaints_sla_sweep },
	{ "complaints.dup_sweep", complaints_dup_sweep },
	{ "complaints.rate_prune", complaints_limit_prune },
	{ "complaints.follow_prune", complaints_follow_prune },
	{ "once.prune", once_prune },
	{ "mail.digest", mail_digest_job },
	{ "mail.send", mail_job, NULL, OUTBOX_SIGNAL_MAIL },
	{ "mail.prune", mail_prune, "message(s) pruned" },
	{ "webhook.send", webhook_job, "batch(es) delivered", OUTBOX_SIGNAL_WEBHOOK },
	{ "files.gc", files_gc_job, "file(s) removed" },
	{ NULL, NULL },
};
