/*
 * demo.c: the demo data: Kota Mataram (52.71) and Provinsi Nusa Tenggara
 * Barat (52), with real OPD names and one demo user per role. Names of
 * people are invented. The demo password is printed by `make run`; it is for
 * a local demo only.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/err.h"
#include "tenants/tenants.h"
#include "core/banned.h"

#define DEMO_PASSWORD "sigap-demo-2026"

static const struct {
	const char *tenant, *code, *name, *kind;
} demo_units[] = {
	{ "52.71", "SETDA", "Sekretariat Daerah Kota Mataram", "sekretariat" },
	{ "52.71", "DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "dinas" },
	{ "52.71", "DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "dinas" },
	{ "52.71", "DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "dinas" },
	{ "52.71", "DLH", "Dinas Lingkungan Hidup", "dinas" },
	{ "52.71", "DISHUB", "Dinas Perhubungan", "dinas" },
	{ "52.71", "DINKES", "Dinas Kesehatan", "dinas" },
	{ "52.71", "DIKBUD", "Dinas Pendidikan", "dinas" },
	{ "52.71", "DINSOS", "Dinas Sosial", "dinas" },
	{ "52.71", "DISPERKIM", "Dinas Perumahan dan Kawasan Permukiman", "dinas" },
	{ "52.71", "SATPOLPP", "Satuan Polisi Pamong Praja", "satuan" },
	{ "52.71", "DISKOMINFO", "Dinas Komunikasi dan Informatika", "dinas" },
	{ "52.71", "BAPENDA", "Badan Pendapatan Daerah", "badan" },
	{ "52.71", "BPBD", "Badan Penanggulangan Bencana Daerah", "badan" },
	{ "52.71", "INSPEKTORAT", "Inspektorat", "inspektorat" },
	{ "52", "SETDA", "Sekretariat Daerah Provinsi NTB", "sekretariat" },
	{ "52", "DIKBUD", "Dinas Pendidikan dan Kebudayaan", "dinas" },
	{ "52", "DINKES", "Dinas Kesehatan", "dinas" },
	{ "52", "DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "dinas" },
	{ "52", "DLHK", "Dinas Lingkungan Hidup dan Kehutanan", "dinas" },
	{ "52", "DISHUB", "Dinas Perhubungan", "dinas" },
	{ "52", "DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "dinas" },
	{ "52", "BAPENDA", "Badan Pendapatan Daerah", "badan" },
	{ "52", "DISKOMINFOTIK", "Dinas Komunikasi, Informatika dan Statistik", "dinas" },
	{ "52", "BPBD", "Badan Penanggulangan Bencana Daerah", "badan" },
};

static const struct {
	const char *role, *name_5271, *name_52, *unit;
} demo_users[] = {
	{ "warga", "Baiq Nurul Aini", "Lalu Muhammad Fikri", NULL },
	{ "petugas", "Lalu Ahmad Zaini", "Ni Made Sriani", "DISDUKCAPIL" },
	{ "admin_opd", "Siti Rohmah", "I Gusti Ngurah Putra", "DISDUKCAPIL" },
	{ "kepala_opd", "H. Zulkifli Amin", "Baiq Hartini", "DISDUKCAPIL" },
	{ "koordinator", "Dewi Anggraini", "Rizal Fahmi", NULL },
	{ "sekda", "Lalu Sukri Hamzah", "H. Muhammad Nasir", NULL },
	{ "wakil", "Hj. Nurhayati Saleh", "I Made Suardana", NULL },
	{ "kepala_daerah", "H. Ahmad Rosyidi", "H. Lalu Wirajaya", NULL },
	{ "dprd", "Abdul Malik", "Baiq Suryani", NULL },
	{ "admin", "Admin Sigap Mataram", "Admin Sigap NTB", NULL },
};

int demo_load(store_t *st, int print_accounts)
{
	static const char *tenants[] = { "52.71", "52" };
	int rc;
	for (size_t i = 0; i < 2; i++) {
		rc = tenant_add(st, tenants[i], "demo");
		if (rc < 0 && rc != ERR_EXISTS) {
			fprintf(stderr, "sigap: demo tenant %s: %s\n", tenants[i], store_errmsg());
			return rc;
		}
	}
	for (size_t i = 0; i < sizeof(demo_units) / sizeof(demo_units[0]); i++) {
		rc = unit_add(st, demo_units[i].tenant, demo_units[i].code, demo_units[i].name, demo_units[i].kind, "demo");
		if (rc < 0 && rc != ERR_EXISTS) {
			fprintf(stderr, "sigap: demo OPD %s: %s\n", demo_units[i].code, store_errmsg());
			return rc;
		}
	}
	for (size_t t = 0; t < 2; t++) {
		for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++) {
			const char *msgid = NULL;
			const char *unit = demo_users[i].unit;
			user_new_t u = {
				.tenant = tenants[t],
				.username = demo_users[i].role,
				.full_name = t == 0 ? demo_users[i].name_5271 : demo_users[i].name_52,
				.role = demo_users[i].role,
				/* the province has no DISDUKCAPIL: its OPD users sit in DIKBUD */
				.unit = unit ? (t == 0 ? unit : "DIKBUD") : NULL,
				.password = DEMO_PASSWORD,
			};
			rc = user_add(st, &u, "demo", NULL, &msgid);
			if (rc < 0 && rc != ERR_EXISTS) {
				fprintf(stderr, "sigap: demo user %s: %s\n", u.username, store_errmsg());
				return rc;
			}
		}
	}
	if (print_accounts)
		demo_print_accounts();
	return 0;
}

void demo_print_accounts(void)
{
	printf("Demo accounts (password for all: %s)\n", DEMO_PASSWORD);
	printf("  Kota Mataram:            http://127.0.0.1:8080/t/52.71/masuk\n");
	printf("  Provinsi NTB:            http://127.0.0.1:8080/t/52/masuk\n");
	printf("  %-15s %-26s %s\n", "username", "Kota Mataram (52.71)", "Provinsi NTB (52)");
	for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++)
		printf("  %-15s %-26s %s\n", demo_users[i].role, demo_users[i].name_5271, demo_users[i].name_52);
}
