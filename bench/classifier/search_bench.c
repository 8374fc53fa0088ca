/*
 * search_bench.c: service search latency on a synthetic catalogue of 500
 * services (50 realistic base services x 10 variants: online, keliling,
 * per-kecamatan desks, for WNA, ...). Prints build time and per-query
 * latency (mean, p99, max, microseconds) as one JSON object, and checks that
 * "bikin ktp hilang" puts a KTP-el replacement service first.
 * Built and run by bench/classifier/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ai/search.h"

static const char *base[][3] = {
	{"Penggantian KTP-el Hilang atau Rusak", "Cetak ulang KTP elektronik karena hilang atau rusak, dengan surat kehilangan dari kepolisian.", "ktp hilang rusak"},
	{"Penerbitan KTP-el Baru", "Perekaman biometrik dan pencetakan KTP elektronik untuk penduduk berusia 17 tahun.", "ktp rekam"},
	{"Penerbitan Kartu Keluarga", "Pembuatan KK baru atau perubahan anggota keluarga.", "kk keluarga"},
	{"Akta Kelahiran", "Penerbitan akta kelahiran bayi dan anak.", "akta lahir bayi"},
	{"Akta Kematian", "Pencatatan kematian dan penerbitan akta kematian.", "meninggal"},
	{"Akta Perkawinan Non Muslim", "Pencatatan perkawinan bagi penduduk non muslim.", "nikah kawin"},
	{"Akta Perceraian", "Pencatatan perceraian berdasarkan putusan pengadilan.", "cerai"},
	{"Surat Keterangan Pindah", "Pindah datang dan pindah keluar antar daerah.", "pindah domisili"},
	{"Kartu Identitas Anak", "Penerbitan KIA untuk anak di bawah 17 tahun.", "kia anak"},
	{"Legalisasi Dokumen Kependudukan", "Legalisir fotokopi KK, akta dan dokumen kependudukan lain.", "legalisir"},
	{"Nomor Induk Berusaha (NIB)", "Pendaftaran NIB melalui OSS untuk usaha mikro dan kecil.", "izin usaha warung toko umkm"},
	{"Persetujuan Bangunan Gedung (PBG)", "Pengganti IMB untuk mendirikan atau mengubah bangunan.", "imb bangunan rumah"},
	{"Sertifikat Laik Fungsi", "SLF untuk bangunan gedung yang sudah selesai dibangun.", "slf gedung"},
	{"Izin Reklame", "Izin pemasangan papan reklame, baliho, spanduk dan videotron.", "reklame baliho"},
	{"Izin Praktik Dokter", "Surat izin praktik bagi dokter dan dokter gigi.", "sip dokter"},
	{"Izin Praktik Bidan", "Surat izin praktik bidan mandiri.", "sipb bidan"},
	{"Izin Apotek", "Izin usaha apotek dan toko obat.", "apotek obat"},
	{"Sertifikat Laik Higiene Sanitasi", "Untuk usaha jasa boga, rumah makan dan depot air minum.", "katering rumah makan depot"},
	{"Izin Operasional PAUD", "Izin pendirian dan operasional satuan PAUD.", "paud tk"},
	{"Tanda Daftar Usaha Pariwisata", "Pendaftaran usaha pariwisata: hotel, homestay, restoran.", "hotel homestay wisata"},
	{"Pembayaran PBB-P2", "Pembayaran pajak bumi dan bangunan perdesaan dan perkotaan.", "pbb sppt pajak"},
	{"Validasi BPHTB", "Validasi bea perolehan hak atas tanah dan bangunan untuk jual beli.", "bphtb jual beli tanah"},
	{"Pendaftaran Wajib Pajak Restoran", "Pendaftaran NPWPD untuk usaha restoran dan kafe.", "pajak restoran npwpd"},
	{"Keberatan Pajak Daerah", "Pengajuan keberatan atas ketetapan pajak daerah.", "keberatan pajak"},
	{"Sambungan Baru Air Minum", "Permohonan sambungan baru PDAM untuk rumah tangga.", "pdam air bersih"},
	{"Pengaduan Air Tidak Mengalir", "Laporan gangguan distribusi air bersih.", "pdam air mati"},
	{"Pengangkutan Sampah Rumah Tangga", "Pendaftaran layanan angkut sampah dan iuran kebersihan.", "sampah iuran"},
	{"Penyedotan Lumpur Tinja", "Layanan sedot tinja terjadwal.", "tinja septic"},
	{"Pemangkasan Pohon", "Permohonan pemangkasan atau penebangan pohon di fasilitas umum.", "pohon tumbang"},
	{"Perbaikan Lampu Penerangan Jalan", "Laporan PJU mati atau rusak.", "pju lampu jalan"},
	{"Izin Penggunaan Jalan untuk Acara", "Izin keramaian dan penutupan jalan sementara.", "keramaian acara tutup jalan"},
	{"Uji KIR Kendaraan", "Pengujian berkala kendaraan bermotor angkutan.", "kir uji kendaraan"},
	{"Izin Trayek Angkutan", "Izin trayek angkutan kota.", "trayek angkot"},
	{"Kartu Parkir Berlangganan", "Pendaftaran parkir berlangganan tahunan.", "parkir langganan"},
	{"Pendaftaran PPDB SD", "Penerimaan peserta didik baru jenjang SD.", "ppdb sekolah sd"},
	{"Pendaftaran PPDB SMP", "Penerimaan peserta didik baru jenjang SMP.", "ppdb sekolah smp"},
	{"Legalisir Ijazah", "Legalisasi ijazah dan surat keterangan pengganti ijazah.", "ijazah legalisir"},
	{"Beasiswa Siswa Kurang Mampu", "Bantuan pendidikan bagi siswa dari keluarga tidak mampu.", "beasiswa"},
	{"Pendaftaran BPJS PBI", "Pendaftaran jaminan kesehatan penerima bantuan iuran daerah.", "bpjs kis jkn"},
	{"Surat Keterangan Sehat", "Pemeriksaan kesehatan di puskesmas.", "sehat puskesmas"},
	{"Imunisasi Anak", "Jadwal imunisasi dasar di puskesmas dan posyandu.", "imunisasi vaksin posyandu"},
	{"Fogging Demam Berdarah", "Permohonan pengasapan untuk kasus DBD.", "dbd nyamuk fogging"},
	{"Pendaftaran DTKS", "Usulan warga miskin ke Data Terpadu Kesejahteraan Sosial.", "dtks miskin bansos"},
	{"Surat Keterangan Tidak Mampu", "SKTM dari kelurahan untuk keringanan biaya.", "sktm miskin"},
	{"Bantuan Korban Bencana", "Bantuan logistik dan stimulan rumah rusak akibat bencana.", "bencana banjir gempa"},
	{"Rekomendasi Pemadam Kebakaran", "Pemeriksaan proteksi kebakaran bangunan.", "damkar kebakaran"},
	{"Penertiban PKL", "Laporan pedagang kaki lima di trotoar.", "pkl trotoar satpol"},
	{"Perbaikan Jalan Lingkungan", "Usulan perbaikan jalan rusak dan berlubang.", "jalan rusak lubang"},
	{"Normalisasi Saluran Drainase", "Pengerukan saluran tersumbat dan penanganan genangan.", "got selokan banjir"},
	{"Pengaduan Pelayanan Publik", "Saluran pengaduan umum pelayanan pemerintah kota.", "lapor aduan"},
};

static const char *variant[] = {
	"", " (Online)", " Layanan Keliling", " di Kecamatan Ampenan", " di Kecamatan Cakranegara",
	" di Kecamatan Sekarbela", " di Kecamatan Selaparang", " di Kecamatan Sandubaya",
	" untuk WNA", " di Mall Pelayanan Publik",
};

static const char *queries[] = {
	"bikin ktp hilang", "izin buka warung", "urus akte lahir anak", "imb rumah",
	"kartu keluarga baru", "ayah meninggal akta", "pindah domisili ke mataram",
	"bayar pbb", "pasang baliho", "air pdam mati", "sampah tidak diangkut",
	"lampu jalan mati", "daftar sekolah smp", "bpjs gratis warga miskin",
	"sktm untuk berobat", "jalan berlubang", "izin praktik bidan",
	"sertifikat laik fungsi gedung", "imunisasi bayi", "ktp", "pe", "perpanjang izin apotek",
	"ganti e-ktp rusak di cakranegara", "parkir langganan tahunan",
};

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(void)
{
	enum { NB = sizeof(base) / sizeof(base[0]), NV = sizeof(variant) / sizeof(variant[0]) };
	static search_doc_t docs[NB * NV];
	static char ids[NB * NV][16], titles[NB * NV][160];
	for (int b = 0; b < NB; b++)
		for (int v = 0; v < NV; v++) {
			int i = b * NV + v;
			snprintf(ids[i], sizeof(ids[i]), "svc-%03d-%d", b, v);
			snprintf(titles[i], sizeof(titles[i]), "%s%s", base[b][0], variant[v]);
			docs[i] = (search_doc_t){ids[i], titles[i], base[b][1], base[b][2]};
		}
	size_t nd = NB * NV;
	char err[128];
	search_index_t *ix;
	double t0 = now_us();
	if (search_build(docs, nd, &ix, err, sizeof(err)) != 0) {
		fprintf(stderr, "build failed: %s\n", err);
		return 1;
	}
	double build_ms = (now_us() - t0) / 1e3;
	enum { NQ = sizeof(queries) / sizeof(queries[0]), REPS = 200 };
	static double lat[NQ * REPS];
	size_t nl = 0;
	search_hit_t hits[10];
	size_t n;
	for (int r = 0; r < REPS; r++)
		for (int q = 0; q < NQ; q++) {
			double s = now_us();
			search_query(ix, queries[q], strlen(queries[q]), hits, 10, &n);
			lat[nl++] = now_us() - s;
		}
	qsort(lat, nl, sizeof(double), cmp_double);
	double sum = 0;
	for (size_t i = 0; i < nl; i++)
		sum += lat[i];
	search_query(ix, "bikin ktp hilang", 16, hits, 10, &n);
	int ok = n > 0 && strncmp(hits[0].id, "svc-000-", 8) == 0;
	printf("{\"services\":%zu,\"terms\":%zu,\"build_ms\":%.2f,\"queries\":%zu,\"mean_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"ktp_hilang_first\":\"%s\",\"ok\":%s}\n",
	       nd, search_nterms(ix), build_ms, nl, sum / (double)nl, lat[nl * 99 / 100], lat[nl - 1],
	       n ? hits[0].id : "", ok ? "true" : "false");
	for (int q = 0; q < 6; q++) {
		search_query(ix, queries[q], strlen(queries[q]), hits, 3, &n);
		fprintf(stderr, "  %-22s ->", queries[q]);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %s (%.2f)", titles[hits[i].doc], hits[i].score);
		fputc('\n', stderr);
	}
	search_free(ix);
	return ok ? 0 : 1;
}
