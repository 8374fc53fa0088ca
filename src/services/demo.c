/*
 * demo.c: the demo catalogue of Kota Mataram (52.71): about twenty public
 * services that a kota really offers, each with a standar pelayanan written
 * for the demo after the pattern of published Permenpan-RB 15/2014 service
 * standards (persyaratan, prosedur, jangka waktu, biaya, produk, pengaduan,
 * dasar hukum), a form and a workflow. Loading is idempotent: services that
 * already exist are left alone. The OPDs must exist (cli/demo.c adds them).
 */
#include "services/services.h"

#include <stdio.h>
#include <time.h>

#include "core/err.h"
#include "core/banned.h"

#define TENANT "52.71"

#define PENGADUAN_DUKCAPIL                                                                                         \
	"Pengaduan, saran dan masukan disampaikan melalui menu Pengaduan di sigap, langsung di loket pengaduan Dinas " \
	"Kependudukan dan Pencatatan Sipil Kota Mataram, atau SP4N-LAPOR!. Pengaduan ditanggapi paling lama 5 hari kerja."
#define PENGADUAN_DPMPTSP                                                                                          \
	"Pengaduan disampaikan melalui menu Pengaduan di sigap, meja pengaduan Mal Pelayanan Publik Kota Mataram, "      \
	"atau SP4N-LAPOR!. Setiap pengaduan diberi nomor dan ditanggapi paling lama 5 hari kerja."
#define PENGADUAN_UMUM                                                                                             \
	"Pengaduan disampaikan melalui menu Pengaduan di sigap atau SP4N-LAPOR!, dan ditanggapi paling lama 5 hari kerja."

#define DASAR_ADMINDUK                                                                                             \
	"Undang-Undang Nomor 23 Tahun 2006 tentang Administrasi Kependudukan sebagaimana diubah dengan Undang-Undang " \
	"Nomor 24 Tahun 2013\nPeraturan Presiden Nomor 96 Tahun 2018 tentang Persyaratan dan Tata Cara Pendaftaran "  \
	"Penduduk dan Pencatatan Sipil\nPermendagri Nomor 108 Tahun 2019"
#define DASAR_PBG                                                                                                  \
	"Undang-Undang Nomor 28 Tahun 2002 tentang Bangunan Gedung\nPeraturan Pemerintah Nomor 16 Tahun 2021\n"       \
	"Peraturan Daerah Kota Mataram tentang Retribusi Persetujuan Bangunan Gedung"
#define DASAR_OSS                                                                                                  \
	"Peraturan Pemerintah Nomor 5 Tahun 2021 tentang Penyelenggaraan Perizinan Berusaha Berbasis Risiko\n"        \
	"Peraturan Wali Kota Mataram tentang Pendelegasian Kewenangan Perizinan kepada DPMPTSP"

#define STEPS_DUKCAPIL "Verifikasi berkas | petugas\nPerekaman dan pencetakan | petugas\nPersetujuan Kepala Dinas | kepala_opd\n"
#define STEPS_IZIN "Verifikasi berkas | petugas\nPemeriksaan teknis | petugas\nPersetujuan Kepala Dinas | kepala_opd\n"
#define STEPS_SIMPLE "Verifikasi berkas | petugas\nPenerbitan | petugas\n"

#define F_NAMA "nama | text | Nama lengkap | wajib | Sesuai kartu keluarga\n"
#define F_NIK "nik_pemohon | nik | NIK pemohon | wajib | 16 angka pada KTP-el\n"
#define F_ALAMAT "alamat | text | Alamat | wajib | Jalan, RT/RW, kelurahan\n"
#define F_KK "kk | file | Kartu keluarga | wajib | PDF, JPEG atau PNG, maksimal 5 MB\n"
#define F_KTP "ktp | file | KTP-el pemohon | wajib | PDF, JPEG atau PNG, maksimal 5 MB\n"

static const services_def_t demo[] = {
	{ "ktp-el", "DISDUKCAPIL", "Penerbitan KTP-el", "Kependudukan",
	  "Penerbitan Kartu Tanda Penduduk elektronik untuk penduduk yang berusia 17 tahun, sudah kawin, atau "
	  "mengganti KTP-el yang rusak atau hilang.",
	  "Telah berusia 17 tahun, sudah kawin atau pernah kawin\nFotokopi kartu keluarga\nSurat keterangan hilang "
	  "dari kepolisian (jika hilang)\nKTP-el yang rusak (jika rusak)",
	  "Pemohon mengisi formulir dan mengunggah berkas di sigap\nPetugas memverifikasi berkas\nPemohon datang untuk "
	  "perekaman biometrik bila belum pernah\nKTP-el dicetak dan disetujui\nKTP-el diambil di loket atau dikirim",
	  3, 0, "Kartu Tanda Penduduk elektronik (KTP-el)", PENGADUAN_DUKCAPIL, DASAR_ADMINDUK,
	  F_NAMA F_NIK "alasan | choice | Alasan permohonan | wajib | | Baru; Rusak; Hilang; Perubahan data\n" F_KK
	  "surat_hilang | file | Surat keterangan hilang | opsional | Hanya jika KTP-el hilang\n",
	  STEPS_DUKCAPIL },
	{ "kartu-keluarga", "DISDUKCAPIL", "Penerbitan Kartu Keluarga", "Kependudukan",
	  "Penerbitan kartu keluarga baru, perubahan susunan anggota keluarga, atau penggantian yang rusak atau hilang.",
	  "Buku nikah atau akta perkawinan\nKartu keluarga lama (untuk perubahan)\nSurat keterangan pindah (bila "
	  "pindah datang)",
	  "Pemohon mengajukan di sigap\nPetugas memverifikasi\nKartu keluarga dicetak dan ditandatangani secara "
	  "elektronik\nPemohon mengunduh atau mengambil",
	  1, 0, "Kartu Keluarga", PENGADUAN_DUKCAPIL, DASAR_ADMINDUK,
	  F_NAMA F_NIK "jenis | choice | Jenis permohonan | wajib | | KK baru; Tambah anggota; Kurang anggota; Rusak atau hilang\n"
	  "buku_nikah | file | Buku nikah / akta perkawinan | wajib\n",
	  STEPS_SIMPLE },
	{ "akta-kelahiran", "DISDUKCAPIL", "Penerbitan Akta Kelahiran", "Pencatatan Sipil",
	  "Pencatatan kelahiran dan penerbitan kutipan akta kelahiran bagi penduduk Kota Mataram.",
	  "Surat keterangan kelahiran dari rumah sakit, puskesmas atau bidan\nKartu keluarga orang tua\nBuku nikah "
	  "orang tua\nKTP-el dua orang saksi",
	  "Orang tua mengajukan di sigap\nPetugas memverifikasi berkas\nAkta dicetak dan disetujui\nAkta diambil atau "
	  "dikirim",
	  3, 0, "Kutipan Akta Kelahiran", PENGADUAN_DUKCAPIL, DASAR_ADMINDUK,
	  F_NIK "nama_bayi | text | Nama bayi | wajib | Sesuai surat keterangan lahir\n"
	  "tanggal_lahir | date | Tanggal lahir bayi | wajib | YYYY-MM-DD | lampau\n"
	  "tempat_lahir | text | Tempat lahir | wajib\n"
	  "jenis_kelamin | choice | Jenis kelamin | wajib | | Laki-laki; Perempuan\n"
	  "anak_ke | number | Anak ke | opsional\n"
	  "surat_lahir | file | Surat keterangan kelahiran | wajib\n" F_KK,
	  STEPS_DUKCAPIL },
	{ "akta-kematian", "DISDUKCAPIL", "Penerbitan Akta Kematian", "Pencatatan Sipil",
	  "Pencatatan kematian penduduk dan penerbitan kutipan akta kematian.",
	  "Surat keterangan kematian dari rumah sakit atau kelurahan\nKartu keluarga almarhum\nKTP-el pelapor",
	  "Pelapor mengajukan di sigap\nPetugas memverifikasi\nAkta diterbitkan", 3, 0, "Kutipan Akta Kematian",
	  PENGADUAN_DUKCAPIL, DASAR_ADMINDUK,
	  F_NIK "nama_almarhum | text | Nama almarhum | wajib\n"
	  "tanggal_meninggal | date | Tanggal meninggal | wajib | | lampau\n"
	  "surat_kematian | file | Surat keterangan kematian | wajib\n" F_KK,
	  STEPS_SIMPLE },
	{ "akta-perkawinan", "DISDUKCAPIL", "Pencatatan Perkawinan (non-Muslim)", "Pencatatan Sipil",
	  "Pencatatan perkawinan bagi penduduk yang beragama selain Islam dan penerbitan kutipan akta perkawinan.",
	  "Surat keterangan perkawinan dari pemuka agama\nKTP-el dan kartu keluarga kedua mempelai\nPas foto "
	  "berdampingan\nKTP-el dua orang saksi",
	  "Mempelai mengajukan di sigap\nVerifikasi berkas\nPencatatan dan penerbitan akta", 3, 0,
	  "Kutipan Akta Perkawinan", PENGADUAN_DUKCAPIL, DASAR_ADMINDUK,
	  F_NIK "nama_pasangan | text | Nama pasangan | wajib\n"
	  "tanggal_kawin | date | Tanggal perkawinan | wajib | | lampau\n"
	  "surat_pemuka_agama | file | Surat keterangan perkawinan | wajib\n",
	  STEPS_DUKCAPIL },
	{ "pindah-datang", "DISDUKCAPIL", "Surat Pindah Datang", "Kependudukan",
	  "Pendaftaran penduduk yang pindah ke Kota Mataram dari kabupaten/kota lain, dengan penerbitan kartu keluarga "
	  "dan KTP-el baru.",
	  "Surat keterangan pindah warga negara Indonesia (SKPWNI) dari daerah asal\nKTP-el dan kartu keluarga lama",
	  "Pemohon mengajukan di sigap\nVerifikasi SKPWNI\nPenerbitan kartu keluarga dan KTP-el baru", 1, 0,
	  "Kartu keluarga dan KTP-el dengan alamat baru", PENGADUAN_DUKCAPIL, DASAR_ADMINDUK,
	  F_NAMA F_NIK "alamat_tujuan | text | Alamat tujuan di Kota Mataram | wajib\n"
	  "jumlah_anggota | number | Jumlah anggota keluarga yang pindah | wajib\n"
	  "skpwni | file | SKPWNI dari daerah asal | wajib\n",
	  STEPS_SIMPLE },
	{ "pindah-keluar", "DISDUKCAPIL", "Surat Pindah Keluar", "Kependudukan",
	  "Penerbitan surat keterangan pindah bagi penduduk yang pindah ke luar Kota Mataram.",
	  "KTP-el dan kartu keluarga\nAlamat tujuan lengkap", "Pemohon mengajukan di sigap\nVerifikasi\nPenerbitan SKPWNI",
	  1, 0, "Surat Keterangan Pindah WNI (SKPWNI)", PENGADUAN_DUKCAPIL, DASAR_ADMINDUK,
	  F_NAMA F_NIK "alamat_tujuan | text | Alamat tujuan | wajib | Lengkap dengan kabupaten/kota dan provinsi\n" F_KK,
	  STEPS_SIMPLE },
	{ "kia", "DISDUKCAPIL", "Kartu Identitas Anak (KIA)", "Kependudukan",
	  "Penerbitan Kartu Identitas Anak untuk anak berusia di bawah 17 tahun.",
	  "Kutipan akta kelahiran anak\nKartu keluarga\nPas foto anak (untuk usia 5 tahun ke atas)",
	  "Orang tua mengajukan di sigap\nVerifikasi\nPencetakan KIA", 3, 0, "Kartu Identitas Anak", PENGADUAN_DUKCAPIL,
	  "Permendagri Nomor 2 Tahun 2016 tentang Kartu Identitas Anak",
	  F_NIK "nama_anak | text | Nama anak | wajib\nakta_anak | file | Akta kelahiran anak | wajib\n" F_KK,
	  STEPS_SIMPLE },
	{ "pbg", "DPMPTSP", "Persetujuan Bangunan Gedung (PBG)", "Perizinan",
	  "Persetujuan untuk membangun baru, mengubah, memperluas, mengurangi atau merawat bangunan gedung sesuai "
	  "standar teknis.",
	  "Data pemohon dan bukti hak atas tanah\nGambar arsitektur, struktur dan utilitas\nKeterangan rencana kota "
	  "(KRK)\nPerhitungan struktur untuk bangunan lebih dari dua lantai",
	  "Pemohon mengajukan di sigap\nVerifikasi kelengkapan\nKonsultasi dan pemeriksaan teknis oleh tim profesi ahli "
	  "di DPUPR\nPenetapan nilai retribusi\nPenerbitan PBG",
	  28, 0, "Persetujuan Bangunan Gedung dan lampirannya", PENGADUAN_DPMPTSP, DASAR_PBG,
	  F_NAMA F_NIK "lokasi | text | Lokasi bangunan | wajib\n"
	  "fungsi | choice | Fungsi bangunan | wajib | | Hunian; Usaha; Sosial budaya; Keagamaan; Campuran\n"
	  "luas | number | Luas bangunan (m2) | wajib\njumlah_lantai | number | Jumlah lantai | wajib\n"
	  "sertifikat | file | Bukti hak atas tanah | wajib\ngambar | file | Gambar rencana | wajib\n",
	  "Verifikasi berkas | petugas\nPemeriksaan teknis | petugas | DPUPR\nPenetapan retribusi | petugas | DPMPTSP\n"
	  "Persetujuan Kepala Dinas | kepala_opd\n" },
	{ "slf", "DPMPTSP", "Sertifikat Laik Fungsi (SLF)", "Perizinan",
	  "Sertifikat yang menyatakan bangunan gedung laik fungsi sebelum dimanfaatkan.",
	  "PBG\nLaporan pemeriksaan kelaikan fungsi oleh pengkaji teknis\nGambar terbangun (as built drawing)",
	  "Pemohon mengajukan di sigap\nVerifikasi\nPemeriksaan lapangan oleh DPUPR\nPenerbitan SLF", 10, 0,
	  "Sertifikat Laik Fungsi", PENGADUAN_DPMPTSP, DASAR_PBG,
	  F_NAMA F_NIK "nomor_pbg | text | Nomor PBG | wajib\nlokasi | text | Lokasi bangunan | wajib\n"
	  "laporan | file | Laporan kelaikan fungsi | wajib\n",
	  "Verifikasi berkas | petugas\nPemeriksaan lapangan | petugas | DPUPR\nPersetujuan | kepala_opd | DPMPTSP\n" },
	{ "izin-reklame", "DPMPTSP", "Izin Penyelenggaraan Reklame", "Perizinan",
	  "Izin untuk memasang reklame tetap (papan, billboard, neon box) di wilayah Kota Mataram.",
	  "KTP-el pemohon\nDesain dan ukuran reklame\nFoto lokasi\nSurat persetujuan pemilik lahan",
	  "Pemohon mengajukan di sigap\nVerifikasi\nPeninjauan lokasi\nPenetapan pajak reklame oleh BAPENDA\nPenerbitan izin",
	  5, 0, "Izin penyelenggaraan reklame", PENGADUAN_DPMPTSP,
	  "Peraturan Daerah Kota Mataram tentang Penyelenggaraan Reklame\nPeraturan Daerah Kota Mataram tentang Pajak Daerah",
	  F_NAMA F_NIK "lokasi | text | Lokasi reklame | wajib\n"
	  "jenis | choice | Jenis reklame | wajib | | Papan / billboard; Neon box; Baliho; Spanduk\n"
	  "ukuran | number | Luas bidang reklame (m2) | wajib\ndesain | file | Desain reklame | wajib\n",
	  STEPS_IZIN },
	{ "sip-tenaga-kesehatan", "DPMPTSP", "Surat Izin Praktik Tenaga Kesehatan", "Kesehatan",
	  "Surat izin praktik bagi dokter, dokter gigi, bidan, perawat dan tenaga kesehatan lain di Kota Mataram.",
	  "Surat tanda registrasi (STR) yang masih berlaku\nSurat keterangan dari fasilitas pelayanan kesehatan\n"
	  "Rekomendasi organisasi profesi\nPas foto",
	  "Pemohon mengajukan di sigap\nVerifikasi\nRekomendasi Dinas Kesehatan\nPenerbitan SIP", 5, 0,
	  "Surat Izin Praktik (SIP)", PENGADUAN_DPMPTSP,
	  "Undang-Undang Nomor 17 Tahun 2023 tentang Kesehatan\nPeraturan Menteri Kesehatan tentang perizinan tenaga kesehatan",
	  F_NAMA F_NIK "profesi | choice | Profesi | wajib | | Dokter; Dokter gigi; Bidan; Perawat; Apoteker; Lainnya\n"
	  "nomor_str | text | Nomor STR | wajib\nfasyankes | text | Tempat praktik | wajib\nstr | file | STR | wajib\n",
	  "Verifikasi berkas | petugas\nRekomendasi | petugas | DINKES\nPenerbitan | kepala_opd | DPMPTSP\n" },
	{ "nib-umk", "DPMPTSP", "Pendampingan NIB Usaha Mikro dan Kecil", "Perizinan",
	  "Pendampingan penerbitan Nomor Induk Berusaha melalui OSS bagi pelaku usaha mikro dan kecil.",
	  "KTP-el pemilik usaha\nAlamat dan jenis kegiatan usaha", "Pemohon mengajukan di sigap\nPetugas mendampingi "
	  "pendaftaran OSS\nNIB terbit", 1, 0, "Nomor Induk Berusaha", PENGADUAN_DPMPTSP, DASAR_OSS,
	  F_NAMA F_NIK "nama_usaha | text | Nama usaha | wajib\nkegiatan | text | Kegiatan usaha | wajib\n", STEPS_SIMPLE },
	{ "izin-usaha-toko", "DPMPTSP", "Izin Usaha Toko Swalayan", "Perizinan",
	  "Izin usaha untuk toko swalayan dan pusat perbelanjaan.",
	  "NIB\nKajian sosial ekonomi\nRencana kemitraan dengan UMKM", "Pengajuan\nVerifikasi\nPeninjauan\nPenerbitan", 10, 0,
	  "Izin usaha toko swalayan", PENGADUAN_DPMPTSP, DASAR_OSS,
	  F_NAMA F_NIK "nama_usaha | text | Nama usaha | wajib\nnib | text | NIB | wajib\nkajian | file | Kajian sosial ekonomi | wajib\n",
	  STEPS_IZIN },
	{ "persetujuan-lingkungan", "DLH", "Persetujuan Lingkungan (UKL-UPL)", "Lingkungan",
	  "Pemeriksaan dokumen UKL-UPL dan penerbitan persetujuan lingkungan untuk usaha dan kegiatan.",
	  "NIB\nDokumen UKL-UPL\nPersetujuan kesesuaian kegiatan pemanfaatan ruang",
	  "Pengajuan\nPemeriksaan dokumen\nPenerbitan rekomendasi", 14, 0, "Persetujuan Lingkungan", PENGADUAN_UMUM,
	  "Peraturan Pemerintah Nomor 22 Tahun 2021 tentang Penyelenggaraan Perlindungan dan Pengelolaan Lingkungan Hidup",
	  F_NAMA F_NIK "kegiatan | text | Nama kegiatan | wajib\ndokumen | file | Dokumen UKL-UPL | wajib\n", STEPS_IZIN },
	{ "uji-kir", "DISHUB", "Pengujian Kendaraan Bermotor (KIR)", "Perhubungan",
	  "Pengujian berkala kendaraan angkutan barang dan penumpang.",
	  "STNK\nBuku uji lama\nKTP-el pemilik", "Pendaftaran di sigap\nPembayaran retribusi\nPengujian fisik\nPenerbitan "
	  "kartu uji", 1, 87000, "Kartu uji dan tanda uji berkala",
	  PENGADUAN_UMUM, "Undang-Undang Nomor 22 Tahun 2009 tentang Lalu Lintas dan Angkutan Jalan",
	  F_NAMA F_NIK "nomor_polisi | text | Nomor polisi | wajib\nstnk | file | STNK | wajib\n", STEPS_SIMPLE },
	{ "sktm", "DINSOS", "Surat Keterangan Tidak Mampu", "Sosial",
	  "Rekomendasi keterangan tidak mampu untuk keperluan jaminan kesehatan atau pendidikan.",
	  "KTP-el dan kartu keluarga\nSurat pengantar kelurahan", "Pengajuan\nVerifikasi data DTKS\nPenerbitan", 2, 0,
	  "Surat keterangan tidak mampu", PENGADUAN_UMUM, "Undang-Undang Nomor 13 Tahun 2011 tentang Penanganan Fakir Miskin",
	  F_NAMA F_NIK F_ALAMAT "keperluan | choice | Keperluan | wajib | | Kesehatan; Pendidikan; Lainnya\n"
	  "pengantar | file | Surat pengantar kelurahan | wajib\n",
	  STEPS_SIMPLE },
	{ "izin-penelitian", "SETDA", "Rekomendasi Izin Penelitian", "Umum",
	  "Rekomendasi bagi mahasiswa dan peneliti yang melakukan penelitian di lingkungan Pemerintah Kota Mataram.",
	  "Surat pengantar perguruan tinggi atau lembaga\nProposal penelitian\nKTP-el peneliti",
	  "Pengajuan\nVerifikasi\nPenerbitan rekomendasi", 3, 0, "Surat rekomendasi penelitian", PENGADUAN_UMUM,
	  "Permendagri Nomor 3 Tahun 2018 tentang Penerbitan Surat Keterangan Penelitian",
	  F_NAMA F_NIK "judul | text | Judul penelitian | wajib\nlokasi | text | Lokasi penelitian | wajib\n"
	  "proposal | file | Proposal | wajib\n",
	  STEPS_SIMPLE },
	{ "pbb-mutasi", "BAPENDA", "Mutasi / Balik Nama SPPT PBB-P2", "Pajak Daerah",
	  "Perubahan nama wajib pajak pada SPPT Pajak Bumi dan Bangunan karena jual beli, hibah atau waris.",
	  "SPPT tahun terakhir\nBukti pelunasan PBB\nAkta jual beli, hibah atau surat waris\nKTP-el wajib pajak baru",
	  "Pengajuan\nVerifikasi\nPenelitian lapangan bila perlu\nPenerbitan SPPT baru", 10, 0, "SPPT PBB-P2 atas nama baru",
	  PENGADUAN_UMUM, "Undang-Undang Nomor 1 Tahun 2022 tentang Hubungan Keuangan antara Pemerintah Pusat dan Pemerintahan Daerah",
	  F_NAMA F_NIK "nop | text | Nomor objek pajak (NOP) | wajib\nakta | file | Akta peralihan hak | wajib\n", STEPS_IZIN },
	{ "izin-keramaian-damkar", "BPBD", "Rekomendasi Keselamatan Kebakaran", "Keselamatan",
	  "Pemeriksaan sarana proteksi kebakaran dan rekomendasi keselamatan kebakaran untuk bangunan gedung.",
	  "PBG\nGambar instalasi proteksi kebakaran\nDaftar alat pemadam api", "Pengajuan\nPemeriksaan lapangan\nPenerbitan "
	  "rekomendasi", 7, 0, "Rekomendasi keselamatan kebakaran", PENGADUAN_UMUM,
	  "Peraturan Menteri Dalam Negeri Nomor 16 Tahun 2009 tentang Standar Kualifikasi Aparatur Pemadam Kebakaran",
	  F_NAMA F_NIK "lokasi | text | Lokasi bangunan | wajib\ngambar | file | Gambar instalasi | wajib\n", STEPS_IZIN },
};

struct demo_one {
	const services_def_t *d;
	int64_t now;
	const char *msg;
	int line;
};

static int demo_tx(store_conn_t *c, void *ud)
{
	struct demo_one *o = ud;
	return services_create(c, TENANT, o->d, "demo", o->now, NULL, &o->msg, &o->line);
}

int services_demo_load(store_t *st)
{
	int64_t now = (int64_t)time(NULL);
	int rc = 0;
	for (size_t i = 0; i < sizeof(demo) / sizeof(demo[0]); i++) {
		store_conn_t *c = store_reader(st);
		struct demo_one o = { &demo[i], now, NULL, 0 };
		json_t *j = NULL;
		if (!c)
			return ERR_UNAVAILABLE;
		if (services_get(c, TENANT, demo[i].code, 0, &j) == 0) {
			json_decref(j);
			continue;
		}
		rc = store_tx(st, demo_tx, &o);
		if (rc < 0) {
			fprintf(stderr, "sigap: demo service %s: %s (line %d) %s\n", demo[i].code, o.msg ? o.msg : "",
				o.line, store_errmsg());
			return rc;
		}
	}
	return 0;
}
