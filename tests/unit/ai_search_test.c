/*
 * ai_search_test.c: service search (src/ai/search.h): synonym analysis,
 * ranking on a small Kota Mataram catalogue, typing prefixes, empty and
 * hostile queries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ai/search.h"
#include "core/err.h"

static const search_doc_t catalogue[] = {
	{"ktp-baru", "Penerbitan KTP-el Baru", "Perekaman dan pencetakan kartu tanda penduduk elektronik untuk penduduk yang berusia 17 tahun atau sudah menikah.", "ktp el rekam 17 tahun"},
	{"ktp-ganti", "Penggantian KTP-el Hilang atau Rusak", "Pencetakan ulang KTP elektronik karena hilang, rusak, atau perubahan data. Lampirkan surat keterangan kehilangan dari kepolisian.", "ktp hilang rusak cetak ulang"},
	{"kk", "Penerbitan Kartu Keluarga", "Pembuatan kartu keluarga baru, perubahan susunan anggota keluarga, atau penggantian KK yang hilang.", "kk keluarga anggota"},
	{"akta-lahir", "Akta Kelahiran", "Penerbitan akta kelahiran untuk bayi yang baru lahir dan anak yang belum memiliki akta.", "akta lahir bayi anak"},
	{"akta-mati", "Akta Kematian", "Pencatatan kematian penduduk dan penerbitan akta kematian.", "meninggal kematian"},
	{"pindah", "Surat Keterangan Pindah", "Layanan pindah datang dan pindah keluar antar kabupaten/kota.", "pindah domisili"},
	{"nib", "Perizinan Berusaha (NIB) untuk Usaha Mikro dan Kecil", "Pendaftaran Nomor Induk Berusaha melalui OSS untuk warung, toko, dan usaha rumahan.", "izin usaha umkm oss"},
	{"pbg", "Persetujuan Bangunan Gedung (PBG)", "Pengganti IMB untuk membangun, mengubah atau merawat bangunan gedung.", "imb bangunan rumah"},
	{"reklame", "Izin Penyelenggaraan Reklame", "Izin pemasangan papan reklame, baliho dan spanduk.", "reklame baliho"},
	{"pbb", "Pembayaran Pajak Bumi dan Bangunan", "Pembayaran dan pengecekan tagihan PBB-P2.", "pbb sppt pajak"},
	{"sktm", "Surat Keterangan Tidak Mampu", "Surat dari kelurahan untuk keringanan biaya berobat dan sekolah.", "miskin keringanan"},
	{"air", "Pemasangan Sambungan Baru Air Minum", "Permohonan sambungan baru PDAM untuk rumah tangga.", "pdam air bersih"},
};
#define NCAT (sizeof(catalogue) / sizeof(catalogue[0]))

static search_index_t *ix;

static int setup(void **state)
{
	(void)state;
	char err[128];
	return search_build(catalogue, NCAT, &ix, err, sizeof(err));
}

static int teardown(void **state)
{
	(void)state;
	search_free(ix);
	return 0;
}

static const char *first(const char *q)
{
	search_hit_t hits[5];
	size_t n;
	assert_int_equal(search_query(ix, q, strlen(q), hits, 5, &n), 0);
	return n ? hits[0].id : "(none)";
}

static void test_analyze(void **state)
{
	(void)state;
	char *s;
	assert_int_equal(search_analyze("Bikin E-KTP", 11, &s), 0);
	assert_string_equal(s, "buat ktp");
	free(s);
	assert_int_equal(search_analyze("urus kartu tanda penduduk yg hilang", 35, &s), 0);
	assert_string_equal(s, "buat ktp ganti");
	free(s);
	assert_int_equal(search_analyze("ijin buka warung", 16, &s), 0);
	assert_string_equal(s, "izin buka usaha");
	free(s);
	assert_int_equal(search_analyze("akte kelahiran", 14, &s), 0);
	assert_string_equal(s, "akta lahir");
	free(s);
	assert_int_equal(search_analyze("", 0, &s), 0);
	assert_string_equal(s, "");
	free(s);
}

static void test_ranking(void **state)
{
	(void)state;
	assert_int_equal(search_ndocs(ix), NCAT);
	assert_true(search_nterms(ix) > 30);
	assert_string_equal(first("bikin ktp hilang"), "ktp-ganti");
	assert_string_equal(first("kartu tanduk penduduk hilang"), "ktp-ganti");
	assert_string_equal(first("KTP saya rusak"), "ktp-ganti");
	assert_string_equal(first("buat e-ktp baru umur 17"), "ktp-baru");
	assert_string_equal(first("izin buka warung"), "nib");
	assert_string_equal(first("ijin usaha toko kelontong"), "nib");
	assert_string_equal(first("urus akte lahir anak"), "akta-lahir");
	assert_string_equal(first("imb rumah"), "pbg");
	assert_string_equal(first("bikin kartu keluarga"), "kk");
	assert_string_equal(first("ayah meninggal"), "akta-mati");
	assert_string_equal(first("pasang baliho"), "reklame");
	assert_string_equal(first("bayar pajak bumi dan bangunan"), "pbb");
	assert_string_equal(first("air pdam rumah baru"), "air");
	/* scores are positive and descending */
	search_hit_t hits[12];
	size_t n;
	assert_int_equal(search_query(ix, "ktp", 3, hits, 12, &n), 0);
	assert_true(n >= 2);
	for (size_t i = 0; i < n; i++) {
		assert_true(hits[i].score > 0);
		assert_string_equal(hits[i].id, catalogue[hits[i].doc].id);
		if (i)
			assert_true(hits[i].score <= hits[i - 1].score);
	}
	/* k limits the hits */
	assert_int_equal(search_query(ix, "ktp", 3, hits, 1, &n), 0);
	assert_int_equal(n, 1);
}

static void test_prefix_while_typing(void **state)
{
	(void)state;
	assert_string_equal(first("akta kemat"), "akta-mati");
	assert_string_equal(first("domis"), "pindah");
	/* a finished unknown word does not prefix-match */
	assert_string_equal(first("domis "), "(none)");
}

static void test_bad_queries(void **state)
{
	(void)state;
	search_hit_t hits[5];
	size_t n;
	assert_int_equal(search_query(ix, "", 0, hits, 5, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(search_query(ix, "yang di dan", 11, hits, 5, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(search_query(ix, "xyzzy", 5, hits, 5, &n), 0);
	assert_int_equal(n, 0);
	unsigned char bin[1024];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 37 + 11);
	assert_int_equal(search_query(ix, (const char *)bin, sizeof(bin), hits, 5, &n), 0);
	size_t big = 2u << 20;
	char *huge = malloc(big);
	for (size_t i = 0; i < big; i++)
		huge[i] = "ktp hilang "[i % 11];
	assert_int_equal(search_query(ix, huge, big, hits, 5, &n), 0);
	assert_string_equal(hits[0].id, "ktp-ganti");
	free(huge);
	assert_int_equal(search_query(NULL, "ktp", 3, hits, 5, &n), ERR_INVALID);
	assert_int_equal(search_query(ix, "ktp", 3, NULL, 5, &n), ERR_INVALID);
	assert_int_equal(search_query(ix, "ktp", 3, hits, 0, &n), 0);
	assert_int_equal(n, 0);
	/* building: empty catalogue, missing id */
	search_index_t *e;
	char err[128];
	assert_int_equal(search_build(NULL, 0, &e, err, sizeof(err)), 0);
	assert_int_equal(search_query(e, "ktp", 3, hits, 5, &n), 0);
	assert_int_equal(n, 0);
	search_free(e);
	search_doc_t noid = {NULL, "x", NULL, NULL};
	assert_int_equal(search_build(&noid, 1, &e, err, sizeof(err)), ERR_INVALID);
	assert_null(e);
	search_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_analyze),
		cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_prefix_while_typing),
		cmocka_unit_test(test_bad_queries),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
