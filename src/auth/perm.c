/*
 * perm.c: roles and the one permission table (role x permission). The router
 * checks every route's permission here; nothing else grants access.
 */
#include "auth/auth.h"

#include <string.h>

#include "core/err.h"
#include "core/nls.h"
#include "core/banned.h"

static const struct {
	const char *name, *label;
} roles[ROLE_COUNT] = {
	[ROLE_NONE] = { "", N_("Tamu") },
	[ROLE_WARGA] = { "warga", N_("Warga") },
	[ROLE_PETUGAS] = { "petugas", N_("Petugas OPD") },
	[ROLE_ADMIN_OPD] = { "admin_opd", N_("Admin OPD") },
	[ROLE_KEPALA_OPD] = { "kepala_opd", N_("Kepala OPD") },
	[ROLE_KOORDINATOR] = { "koordinator", N_("Admin Koordinator Pengaduan") },
	[ROLE_SEKDA] = { "sekda", N_("Sekretaris Daerah") },
	[ROLE_WAKIL] = { "wakil", N_("Wakil Kepala Daerah") },
	[ROLE_KEPALA_DAERAH] = { "kepala_daerah", N_("Kepala Daerah") },
	[ROLE_DPRD] = { "dprd", N_("Anggota DPRD") },
	[ROLE_ADMIN] = { "admin", N_("Administrator") },
};

const char *role_name(role_t r)
{
	return r > ROLE_NONE && r < ROLE_COUNT ? roles[r].name : "";
}

const char *role_label(role_t r)
{
	return r >= ROLE_NONE && r < ROLE_COUNT ? roles[r].label : roles[ROLE_NONE].label;
}

int role_parse(const char *name, role_t *ret)
{
	for (int r = ROLE_WARGA; r < ROLE_COUNT; r++)
		if (name && !strcmp(name, roles[r].name)) {
			*ret = (role_t)r;
			return 0;
		}
	return ERR_INVALID;
}

int role_needs_unit(role_t r)
{
	return r == ROLE_PETUGAS || r == ROLE_ADMIN_OPD || r == ROLE_KEPALA_OPD;
}

#define W (1u << ROLE_WARGA)
#define PT (1u << ROLE_PETUGAS)
#define AO (1u << ROLE_ADMIN_OPD)
#define KO (1u << ROLE_KEPALA_OPD)
#define KR (1u << ROLE_KOORDINATOR)
#define SE (1u << ROLE_SEKDA)
#define WA (1u << ROLE_WAKIL)
#define KD (1u << ROLE_KEPALA_DAERAH)
#define DP (1u << ROLE_DPRD)
#define AD (1u << ROLE_ADMIN)
#define ALL (W | PT | AO | KO | KR | SE | WA | KD | DP | AD)

/* Which roles hold each permission. PERM_PUBLIC needs no login at all. */
static const struct {
	const char *name;
	unsigned roles;
} perms[PERM_COUNT] = {
	[PERM_PUBLIC] = { "public", 0 },
	[PERM_LOGIN] = { "login", ALL },
	[PERM_DASHBOARD] = { "dashboard", ALL },
	[PERM_USERS_MANAGE] = { "users.manage", AD },
	[PERM_UNITS_MANAGE] = { "units.manage", AD },
	[PERM_APIKEYS_MANAGE] = { "apikeys.manage", AD },
	[PERM_AUDIT_VIEW] = { "audit.view", AD | SE | KD },
	[PERM_CALENDAR_MANAGE] = { "calendar.manage", AD },
	[PERM_API_READ] = { "api.read", ALL },
	/* OPD heads and admins see their own OPD only: the handler narrows it */
	[PERM_PERF_VIEW] = { "performance.view", SE | WA | KD | AD | KR | DP | KO | AO },
	[PERM_SERVICES_CATALOG] = { "services.catalog", AD },
	[PERM_COMPLAINTS_CONFIGURE] = { "complaints.configure", AD | KR },
	/* an official's account is the Pemda's: its administrator disables it */
	[PERM_ACCOUNT_DELETE] = { "account.delete", W },
};

int perm_allowed(role_t r, int perm)
{
	if (perm < 0 || perm >= PERM_COUNT)
		return 0;
	if (perm == PERM_PUBLIC)
		return 1;
	if (r <= ROLE_NONE || r >= ROLE_COUNT)
		return 0;
	return (perms[perm].roles >> r) & 1u;
}

const char *perm_name(int perm)
{
	return perm >= 0 && perm < PERM_COUNT ? perms[perm].name : "?";
}
