/*
 * demo.c: demo data of the complaints module for Kota Mataram (52.71): the
 * complaint categories with their owning OPDs (the labels of the demo
 * classifier in src/ai/, trained from data/demo/complaints_52.71.tsv), and
 * a handful of complaints in different states so the public list, the
 * coordinator queue and the OPD queue are not empty. Idempotent: categories
 * are upserted, the complaints added only when the tenant has none.
 * Settings stay at their defaults (no row).
 */
#include "complaints/complaints.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "tenants/tenants.h"
#include "core/banned.h"

#define DEMO_TENANT "52.71"

static const complaints_category_t demo_categories[] = {
	{ "jalan", "Jalan rusak", "DPUPR", "lapangan" },
	{ "drainase", "Drainase dan genangan", "DPUPR", "lapangan" },
	{ "air", "Air bersih", "DPUPR", "koordinasi" },
	{ "sampah", "Sampah", "DLH", "sederhana" },
	{ "lingkungan", "Pencemaran lingkungan", "DLH", "lapangan" },
	{ "pju", "Penerangan jalan umum", "DISPERKIM", "sederhana" },
	{ "parkir", "Parkir", "DISHUB", "sederhana" },
	{ "lalulintas", "Lalu lintas", "DISHUB", "koordinasi" },
	{ "adminduk", "Administrasi kependudukan", "DISDUKCAPIL", "sederhana" },
	{ "perizinan", "Perizinan", "DPMPTSP", "sederhana" },
	{ "kesehatan", "Layanan kesehatan", "DINKES", "koordinasi" },
	{ "pendidikan", "Pendidikan", "DIKBUD", "koordinasi" },
	{ "sosial", "Bantuan sosial", "DINSOS", "koordinasi" },
	{ "ketertiban", "Ketertiban umum", "SATPOLPP", "sederhana" },
	{ "pajak", "Pajak daerah", "BAPENDA", "sederhana" },
	{ "bencana", "Bencana", "BPBD", "koordinasi" },
};

static int categories_fn(store_conn_t *c, void *ud)
{
	const char *msgid = NULL;
	int64_t now = *(const int64_t *)ud;
	for (size_t i = 0; i < sizeof(demo_categories) / sizeof(demo_categories[0]); i++) {
		int rc = unit_exists(c, DEMO_TENANT, demo_categories[i].unit);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue; /* an OPD missing from this database: skip its category */
		{
			/* idempotent: a category that exists is left as it is (and not audited again) */
			int64_t have = 0;
			rc = store_query_int64(c, &have, "SELECT COUNT(*) FROM complaints_categories WHERE tenant = ? AND code = ?",
					       "tt", DEMO_TENANT, demo_categories[i].code);
			if (rc < 0)
				return rc;
			if (have)
				continue;
		}
		rc = complaints_category_put_tx(c, DEMO_TENANT, &demo_categories[i], "demo", now, &msgid);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const struct {
	const char *kind, *category, *title, *description, *kelurahan, *address, *identity;
	double lat, lon;
	int age_days;
	const char *then; /* "", "verifikasi", "jawab", "nilai" */
	const char *answer;
} demo_complaints[] = {
	{ "pengaduan", "jalan", "Jalan berlubang di Jl. Pejanggik",
	  "Aspal di Jalan Pejanggik depan kantor bank mengelupas, lubangnya makin lebar tiap hujan. Sudah ada pengendara motor yang jatuh.",
	  "52.71.02.1011", "Jl. Pejanggik, depan kantor bank", "terbuka", -8.5837, 116.1165, 2, "", NULL },
	{ "pengaduan", "sampah", "Sampah menumpuk di TPS Kekalik",
	  "Sampah di TPS dekat pasar Kekalik sudah tiga hari tidak diangkut, baunya sampai ke rumah warga.",
	  "", "TPS Pasar Kekalik", "anonim", -8.5921, 116.0893, 5, "verifikasi", NULL },
	{ "pengaduan", "adminduk", "KTP elektronik belum jadi",
	  "Saya merekam KTP-el dua bulan lalu di kantor kecamatan tetapi sampai sekarang belum bisa dicetak. Mohon informasi.",
	  "", "Kantor Camat Ampenan", "terbuka", 0, 0, 4, "verifikasi", NULL },
	{ "informasi", "adminduk", "Syarat pindah domisili",
	  "Apa saja syarat mengurus surat pindah domisili dari Kota Mataram ke Lombok Barat?", "", "", "terbuka", 0, 0, 9,
	  "jawab", "Syaratnya KTP-el, KK, dan surat pengantar RT/RW. Ajukan di loket Disdukcapil atau lewat layanan daring." },
	{ "pengaduan", "pju", "Lampu jalan mati di Jl. Udayana",
	  "Tiga lampu penerangan jalan di Jl. Udayana dekat taman mati sejak seminggu, jalan jadi gelap dan rawan.",
	  "", "Jl. Udayana", "rahasia", -8.5744, 116.0985, 14, "nilai",
	  "Lampu sudah diganti oleh tim DISPERKIM pada hari Senin. Terima kasih atas laporannya." },
};

static int warga_id(store_t *st, int64_t *ret)
{
	store_conn_t *c = store_reader(st);
	if (!c)
		return ERR_UNAVAILABLE;
	return store_query_int64(c, ret, "SELECT id FROM users WHERE tenant = ? AND username = 'warga'", "t",
				 DEMO_TENANT);
}

int complaints_demo_load(store_t *st)
{
	int64_t now = (int64_t)time(NULL), have = 0, warga = 0;
	store_conn_t *c;
	int rc = store_tx(st, categories_fn, &now);
	if (rc < 0)
		return rc;
	if (!(c = store_reader(st)))
		return ERR_UNAVAILABLE;
	rc = store_query_int64(c, &have, "SELECT COUNT(*) FROM complaints WHERE tenant = ?", "t", DEMO_TENANT);
	if (rc < 0)
		return rc;
	if (have > 0)
		return 0;
	if (warga_id(st, &warga) < 0)
		warga = 0;
	for (size_t i = 0; i < sizeof(demo_complaints) / sizeof(demo_complaints[0]); i++) {
		complaint_new_t in;
		complaint_created_t out;
		const char *msgid = NULL;
		int64_t t0 = now - (int64_t)demo_complaints[i].age_days * 86400;
		memset(&in, 0, sizeof(in));
		in.tenant = DEMO_TENANT;
		in.kind = demo_complaints[i].kind;
		in.category = demo_complaints[i].category;
		in.title = demo_complaints[i].title;
		in.description = demo_complaints[i].description;
		in.kelurahan = demo_complaints[i].kelurahan;
		in.address = demo_complaints[i].address;
		in.identity = demo_complaints[i].identity;
		in.has_location = demo_complaints[i].lat != 0;
		in.lat = demo_complaints[i].lat;
		in.lon = demo_complaints[i].lon;
		in.user_id = strcmp(in.identity, "anonim") ? warga : 0;
		in.reporter_name = in.user_id ? "Baiq Nurul Aini" : "";
		in.source = "web";
		in.actor = in.user_id ? "warga" : "anonim";
		in.now = t0;
		rc = complaints_create(st, &in, &out, &msgid);
		if (rc < 0)
			return rc;
		if (!*demo_complaints[i].then)
			continue;
		if (!strcmp(out.status, "baru")) {
			complaint_action_t a;
			memset(&a, 0, sizeof(a));
			a.tenant = DEMO_TENANT;
			a.id = out.id;
			a.action = "verifikasi";
			a.actor = "koordinator";
			a.role = ROLE_KOORDINATOR;
			a.unit = "";
			a.now = t0 + 3600;
			if ((rc = complaints_act(st, &a, &msgid)) < 0)
				return rc;
		}
		if (demo_complaints[i].answer) {
			complaint_action_t a;
			memset(&a, 0, sizeof(a));
			a.tenant = DEMO_TENANT;
			a.id = out.id;
			a.action = "jawab";
			a.actor = "demo";
			a.role = ROLE_KOORDINATOR;
			a.unit = "";
			a.text = demo_complaints[i].answer;
			a.now = t0 + 2 * 86400;
			if ((rc = complaints_act(st, &a, &msgid)) < 0)
				return rc;
			if (!strcmp(demo_complaints[i].then, "nilai") && in.user_id) {
				a.action = "nilai";
				a.actor = "warga";
				a.role = ROLE_WARGA;
				a.user_id = warga;
				a.rating = 5;
				a.text = "Cepat ditangani, terima kasih.";
				a.now = t0 + 3 * 86400;
				if ((rc = complaints_act(st, &a, &msgid)) < 0)
					return rc;
			}
		}
	}
	return 0;
}
