/*
 * docs_test.c: unit tests of src/docs: QR matrices and SVG, and PDF documents
 * (a valid PDF header and trailer, page breaks on long content, non-Latin
 * text, bad arguments reported by doc_render()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "docs/docs.h"
#include "core/banned.h"

static void test_qr_matrix(void **state)
{
	int w;
	unsigned char *bits;
	(void)state;
	assert_int_equal(qr_matrix("https://sigap.example/v/abc", &w, &bits), 0);
	assert_true(w >= 21 && (w - 17) % 4 == 0);
	/* finder pattern: top-left 7x7 has a dark border and a light ring */
	for (int i = 0; i < 7; i++) {
		assert_int_equal(bits[i], 1);
		assert_int_equal(bits[i * w], 1);
	}
	assert_int_equal(bits[1 * w + 1], 0);
	assert_int_equal(bits[3 * w + 3], 1);
	free(bits);
	assert_int_equal(qr_matrix("", &w, &bits), ERR_INVALID);
	assert_null(bits);
	assert_int_equal(qr_matrix(NULL, &w, &bits), ERR_INVALID);
}

static void test_qr_svg(void **state)
{
	sb_t sb = SB_INIT;
	(void)state;
	assert_int_equal(qr_svg("<script>alert(1)</script>", &sb), 0);
	assert_true(!strncmp(sb.buf, "<svg ", 5));
	assert_non_null(strstr(sb.buf, "</svg>"));
	assert_null(strstr(sb.buf, "script")); /* the payload never appears */
	sb_release(&sb);
	assert_int_equal(qr_svg("", &sb), ERR_INVALID);
	{
		char *big = malloc(5000);
		memset(big, 'a', 4999);
		big[4999] = '\0';
		assert_int_equal(qr_svg(big, &sb), ERR_INVALID);
		free(big);
	}
	sb_release(&sb);
}

static void test_pdf(void **state)
{
	doc_t *d;
	sb_t out = SB_INIT;
	(void)state;
	assert_int_equal(doc_new("", &d), ERR_INVALID);
	assert_null(d);
	assert_int_equal(doc_new("Tanda Terima Permohonan", &d), 0);
	doc_header_line(d, "PEMERINTAH KOTA MATARAM");
	doc_header_line(d, "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL");
	doc_subtitle(d, "Nomor 52.71/PMH/2026/000001");
	doc_row(d, "Layanan", "Penerbitan KTP-el — baru");
	doc_row(d, "Pemohon", NULL);
	doc_row(d, "Keterangan yang sangat panjang sekali", "Nilai yang juga panjang sekali sehingga harus dibungkus ke beberapa baris agar muat dalam kolom kanan tabel ini, lalu masih ada lagi.");
	doc_heading(d, "Catatan");
	doc_para(d, "Ça marche: é ü ñ ß. 漢字 tidak didukung.\nBaris kedua.");
	doc_qr(d, "https://sigap.example/v/0123456789abcdef", "Pindai untuk memeriksa keaslian");
	doc_footer(d, "Dicetak oleh sigap");
	for (int i = 0; i < 80; i++)
		doc_para(d, "Paragraf pengisi untuk menguji pemisahan halaman otomatis pada dokumen yang panjang.");
	assert_int_equal(doc_render(d, &out), 0);
	assert_true(out.len > 1000);
	assert_memory_equal(out.buf, "%PDF-", 5);
	assert_non_null(memmem(out.buf, out.len, "%%EOF", 5));
	/* more than one page */
	assert_non_null(memmem(out.buf, out.len, "/Count 3", 8));
	doc_free(d);
	sb_release(&out);
	doc_free(NULL);
}

static void test_pdf_bad_qr(void **state)
{
	doc_t *d;
	sb_t out = SB_INIT;
	(void)state;
	assert_int_equal(doc_new("X", &d), 0);
	doc_qr(d, "", NULL);
	assert_int_equal(doc_render(d, &out), ERR_INVALID);
	assert_int_equal(out.len, 0);
	doc_free(d);
	sb_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qr_matrix),
		cmocka_unit_test(test_qr_svg),
		cmocka_unit_test(test_pdf),
		cmocka_unit_test(test_pdf_bad_qr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
