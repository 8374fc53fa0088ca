/*
 * demo.c: governance demo data for Kota Mataram (52.71): signing keys for the
 * demo kepala_opd, sekda, wakil and kepala_daerah (passphrase
 * sigap-demo-2026, for a local demo only) and five proposals of DISDUKCAPIL
 * in different states, made through the real flow so that every signature
 * verifies. Idempotent: keys and proposals that exist are left alone.
 */
#include "governance/governance.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/err.h"
#include "core/banned.h"

#define DEMO_TENANT "52.71"
#define DEMO_PASS "sigap-demo-2026"
#define DEMO_UNIT "DISDUKCAPIL"

typedef struct demo_signer {
	const char *username;
	role_t role;
	char name[128];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
} demo_signer_t;

static int load_signer(store_t *st, demo_signer_t *d, int64_t now)
{
	store_conn_t *c = store_reader(st);
	const char *msgid = NULL;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	rc = store_query_text(c, d->name, sizeof(d->name), "SELECT full_name FROM users WHERE tenant = ? AND username = ?",
			      "tt", DEMO_TENANT, d->username);
	if (rc < 0)
		return rc;
	rc = governance_key_exists(c, DEMO_TENANT, d->username, NULL);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		rc = governance_key_create(st, DEMO_TENANT, d->username, d->name, d->role, DEMO_PASS, now, &msgid);
		if (rc < 0 && rc != ERR_EXISTS)
			return rc;
	}
	/* a key made earlier with another passphrase cannot sign the demo */
	return governance_key_unseal(c, DEMO_TENANT, d->username, DEMO_PASS, d->sk);
}

static int act(store_t *st, demo_signer_t *who, gov_op_t op, int64_t id, const char *verdict, const char *note,
	       int is_public, int64_t now)
{
	gov_action_t a = { 0 };
	int rc;
	a.op = op;
	a.tenant = DEMO_TENANT;
	a.now = now;
	a.actor = who->username;
	a.actor_name = who->name;
	a.role = who->role;
	a.actor_unit = who->role == ROLE_KEPALA_OPD ? DEMO_UNIT : "";
	a.proposal_id = id;
	a.verdict = verdict;
	a.note = note;
	a.is_public = is_public;
	a.sk = who->sk;
	rc = governance_apply(st, &a);
	if (rc < 0)
		fprintf(stderr, "sigap: governance demo step failed: %s (%s)\n", a.ret_msgid ? a.ret_msgid : "",
			store_errmsg());
	return rc;
}

static int create(store_t *st, demo_signer_t *opd, const gov_content_t *ct, int64_t now, int64_t *ret_id)
{
	gov_action_t a = { 0 };
	int rc;
	a.op = GOV_OP_CREATE;
	a.tenant = DEMO_TENANT;
	a.now = now;
	a.actor = opd->username;
	a.actor_name = opd->name;
	a.role = opd->role;
	a.actor_unit = DEMO_UNIT;
	a.content = *ct;
	rc = governance_apply(st, &a);
	*ret_id = a.ret_id;
	return rc;
}

int governance_demo_load(store_t *st)
{
	demo_signer_t s[4] = {
		{ "kepala_opd", ROLE_KEPALA_OPD, "", { 0 } },
		{ "sekda", ROLE_SEKDA, "", { 0 } },
		{ "wakil", ROLE_WAKIL, "", { 0 } },
		{ "kepala_daerah", ROLE_KEPALA_DAERAH, "", { 0 } },
	};
	demo_signer_t *opd = &s[0], *sekda = &s[1], *wakil = &s[2], *kd = &s[3];
	int64_t now = (int64_t)time(NULL), id = 0, n = 0;
	store_conn_t *c;
	int rc = 0;
	for (int i = 0; i < 4 && rc == 0; i++)
		rc = load_signer(st, &s[i], now - 20 * 86400);
	if (rc < 0)
		goto out;
	if (!(c = store_reader(st))) {
		rc = ERR_UNAVAILABLE;
		goto out;
	}
	rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM governance_proposals WHERE tenant = ? AND created_by = ?", "tt",
			       DEMO_TENANT, "kepala_opd");
	if (rc < 0 || n > 0)
		goto out;

	{
		/* 1: a Raperda, approved by the head against the wakil's view, now at the DPRD */
		gov_content_t ct = {
			"rancangan", "Rancangan Peraturan Daerah tentang Penyelenggaraan Administrasi Kependudukan",
			"Peraturan daerah yang berlaku belum menyesuaikan dengan Undang-Undang Nomor 24 Tahun 2013 dan layanan "
			"adminduk daring.",
			"Penyesuaian diperlukan untuk dasar hukum layanan daring dan penghapusan denda keterlambatan.",
			"1. Mengubah perda yang ada.\n2. Mengganti dengan perda baru.",
			"Mengajukan Raperda Penyelenggaraan Administrasi Kependudukan kepada DPRD Kota Mataram.",
			"biasa", 1, 1
		};
		gov_action_t a = { 0 };
		if ((rc = create(st, opd, &ct, now - 30 * 86400, &id)) < 0 ||
		    (rc = act(st, opd, GOV_OP_SUBMIT, id, NULL, "", 0, now - 30 * 86400 + 3600)) < 0 ||
		    (rc = act(st, sekda, GOV_OP_RECOMMEND, id, "setuju", "Dasar hukum sudah lengkap.", 0, now - 28 * 86400)) < 0 ||
		    (rc = act(st, wakil, GOV_OP_CONSIDER, id, "tidak_setuju",
			      "Sebaiknya menunggu evaluasi layanan daring satu tahun lagi.", 0, now - 26 * 86400)) < 0 ||
		    (rc = act(st, kd, GOV_OP_DECIDE, id, "setuju", "Ajukan ke DPRD pada masa sidang ini.", 1,
			      now - 25 * 86400)) < 0)
			goto out;
		a.op = GOV_OP_DPRD_STAGE;
		a.tenant = DEMO_TENANT;
		a.now = now - 20 * 86400;
		a.actor = sekda->username;
		a.actor_name = sekda->name;
		a.role = ROLE_SEKDA;
		a.proposal_id = id;
		a.verdict = "diajukan";
		a.note = "Surat pengantar Wali Kota kepada Ketua DPRD.";
		a.stage_day = cal_local_day(now - 20 * 86400, 8 * 3600);
		if ((rc = governance_apply(st, &a)) < 0)
			goto out;
	}
	{
		/* 2: decided, approved and public */
		gov_content_t ct = {
			"telaahan", "Perpanjangan jam layanan Disdukcapil di Mal Pelayanan Publik",
			"Antrean layanan KTP-el dan Kartu Keluarga di Mal Pelayanan Publik Kota Mataram melebihi 150 orang per hari; "
			"banyak warga pekerja hanya dapat datang setelah pukul 15.00.",
			"Data antrean tiga bulan terakhir menunjukkan puncak kunjungan pukul 15.00-17.00. Penambahan satu sif "
			"petugas dapat ditanggung dari anggaran lembur yang ada.",
			"1. Tetap pukul 08.00-15.00.\n2. Diperpanjang sampai pukul 18.00 pada Senin-Kamis.\n3. Dibuka juga hari Sabtu.",
			"Memperpanjang jam layanan Disdukcapil di Mal Pelayanan Publik sampai pukul 18.00 pada Senin-Kamis.",
			"segera", 0, 1
		};
		if ((rc = create(st, opd, &ct, now - 9 * 86400, &id)) < 0 ||
		    (rc = act(st, opd, GOV_OP_SUBMIT, id, NULL, "", 0, now - 9 * 86400 + 3600)) < 0 ||
		    (rc = act(st, sekda, GOV_OP_RECOMMEND, id, "setuju", "Sejalan dengan target IKM Kota Mataram.", 0,
			      now - 8 * 86400)) < 0 ||
		    (rc = act(st, wakil, GOV_OP_CONSIDER, id, "setuju_catatan",
			      "Setuju; pastikan petugas sif sore mendapat tunjangan yang sesuai.", 0, now - 7 * 86400)) < 0 ||
		    (rc = act(st, kd, GOV_OP_DECIDE, id, "setuju", "Laksanakan mulai bulan depan.", 1, now - 6 * 86400)) < 0)
			goto out;
	}
	{
		/* 3: waiting for the wakil; the Sekda disagreed */
		gov_content_t ct = {
			"usulan", "Layanan adminduk keliling ke kelurahan",
			"Warga lanjut usia dan penyandang disabilitas sulit datang ke kantor Disdukcapil.",
			"Satu mobil layanan dapat menjangkau 50 kelurahan dalam tiga bulan.",
			"1. Mobil layanan keliling.\n2. Jemput bola berdasarkan permintaan kelurahan.",
			"Menyelenggarakan layanan adminduk keliling terjadwal ke seluruh kelurahan.",
			"biasa", 0, 1
		};
		if ((rc = create(st, opd, &ct, now - 4 * 86400, &id)) < 0 ||
		    (rc = act(st, opd, GOV_OP_SUBMIT, id, NULL, "", 0, now - 4 * 86400 + 3600)) < 0 ||
		    (rc = act(st, sekda, GOV_OP_RECOMMEND, id, "tidak_setuju",
			      "Anggaran kendaraan belum tersedia tahun ini; gunakan pola jemput bola.", 0, now - 3 * 86400)) < 0)
			goto out;
	}
	{
		/* 4: waiting for the Sekda, very urgent */
		gov_content_t ct = {
			"usulan", "Penghapusan biaya legalisir dokumen kependudukan",
			"Masih ada keluhan warga tentang pungutan legalisir dokumen kependudukan.",
			"Legalisir dokumen kependudukan tidak dipungut biaya menurut peraturan; perlu penegasan.",
			"1. Surat edaran.\n2. Peraturan Wali Kota.",
			"Menerbitkan surat edaran bahwa legalisir dokumen kependudukan tidak dipungut biaya.",
			"sangat_segera", 0, 1
		};
		if ((rc = create(st, opd, &ct, now - 86400, &id)) < 0 ||
		    (rc = act(st, opd, GOV_OP_SUBMIT, id, NULL, "", 0, now - 86400 + 3600)) < 0)
			goto out;
	}
	{
		/* 5: returned by the Sekda for revision */
		gov_content_t ct = {
			"telaahan", "Penambahan petugas perekaman KTP-el",
			"Alat perekaman KTP-el bertambah dua unit.",
			"",
			"",
			"Menambah empat petugas perekaman.",
			"biasa", 0, 0
		};
		if ((rc = create(st, opd, &ct, now - 5 * 86400, &id)) < 0 ||
		    (rc = act(st, opd, GOV_OP_SUBMIT, id, NULL, "", 0, now - 5 * 86400 + 3600)) < 0 ||
		    (rc = act(st, sekda, GOV_OP_RETURN, id, NULL,
			      "Lengkapi analisis beban kerja dan sumber anggaran.", 0, now - 2 * 86400)) < 0)
			goto out;
	}
out:
	for (int i = 0; i < 4; i++)
		sodium_memzero(s[i].sk, sizeof(s[i].sk));
	return rc < 0 ? rc : 0;
}
