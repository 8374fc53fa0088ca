/*
 * platform_test.c: registration numbers (format, parsing, uniqueness and no
 * gaps under concurrent writers, rollback gives the number back), the file
 * store (type by content, size limit, dedupe, durable read-back),
 * notifications, and e-mail (addresses, the message format, queueing with a
 * user's notification, retries when the server cannot be reached), and
 * submission keys (a key is bound to its door, tenant and binding, keeps
 * nothing readable, decides between copies filed at once, is forgotten
 * after its window). Runs on
 * SQLite, and on PostgreSQL when SIGAP_TEST_PG is set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "platform/platform.h"
#include "testutil.h"
#include "core/banned.h"

typedef struct regno_ud {
	const char *tenant, *kind;
	int year;
	int64_t seq;
	char number[64];
	int fail_after; /* roll back after taking the number */
} regno_ud_t;

static int take_number(store_conn_t *c, void *ud)
{
	regno_ud_t *r = ud;
	int rc = regno_next(c, r->tenant, r->kind, r->year, &r->seq, r->number, sizeof(r->number));
	if (rc < 0)
		return rc;
	return r->fail_after ? ERR_INVALID : 0;
}

static void test_regno_format_and_parse(void **state)
{
	test_store_t ts;
	regno_ud_t r = { "52.71", "ADU", 2026, 0, "", 0 };
	char tenant[16], kind[16];
	int year;
	int64_t seq;
	(void)state;
	test_store_open(&ts);
	assert_int_equal(store_tx(ts.st, take_number, &r), 0);
	assert_string_equal(r.number, "52.71/ADU/2026/000001");
	assert_int_equal(store_tx(ts.st, take_number, &r), 0);
	assert_string_equal(r.number, "52.71/ADU/2026/000002");
	/* another kind, year and tenant count on their own */
	r.kind = "PMH";
	assert_int_equal(store_tx(ts.st, take_number, &r), 0);
	assert_string_equal(r.number, "52.71/PMH/2026/000001");
	r.year = 2027;
	assert_int_equal(store_tx(ts.st, take_number, &r), 0);
	assert_string_equal(r.number, "52.71/PMH/2027/000001");
	r.tenant = "52";
	assert_int_equal(store_tx(ts.st, take_number, &r), 0);
	assert_string_equal(r.number, "52/PMH/2027/000001");
	/* a rolled-back transaction gives its number back */
	r.fail_after = 1;
	assert_int_equal(store_tx(ts.st, take_number, &r), ERR_INVALID);
	r.fail_after = 0;
	assert_int_equal(store_tx(ts.st, take_number, &r), 0);
	assert_string_equal(r.number, "52/PMH/2027/000002");
	/* bad kinds */
	r.kind = "adu";
	assert_int_equal(store_tx(ts.st, take_number, &r), ERR_INVALID);
	r.kind = "A";
	assert_int_equal(store_tx(ts.st, take_number, &r), ERR_INVALID);
	/* parsing */
	assert_int_equal(regno_parse("52.71/ADU/2026/000123", tenant, sizeof(tenant), kind, sizeof(kind), &year, &seq), 0);
	assert_string_equal(tenant, "52.71");
	assert_string_equal(kind, "ADU");
	assert_int_equal(year, 2026);
	assert_int_equal(seq, 123);
	assert_int_equal(regno_parse("52.71/ADU/2026/12", tenant, sizeof(tenant), kind, sizeof(kind), &year, &seq), ERR_INVALID);
	assert_int_equal(regno_parse("52.71/ADU/26/000001", tenant, sizeof(tenant), kind, sizeof(kind), &year, &seq), ERR_INVALID);
	assert_int_equal(regno_parse("52.71/adu/2026/000001", tenant, sizeof(tenant), kind, sizeof(kind), &year, &seq), ERR_INVALID);
	assert_int_equal(regno_parse("ADU/2026/000001", tenant, sizeof(tenant), kind, sizeof(kind), &year, &seq), ERR_INVALID);
	assert_int_equal(regno_parse("", tenant, sizeof(tenant), kind, sizeof(kind), &year, &seq), ERR_INVALID);
	test_store_close(&ts);
}

#define THREADS 8
#define PER_THREAD 50

typedef struct worker {
	store_t *st;
	int64_t seqs[PER_THREAD];
} worker_t;

static void *grab(void *arg)
{
	worker_t *w = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		regno_ud_t r = { "52.71", "ADU", 2026, 0, "", 0 };
		if (store_tx(w->st, take_number, &r) == 0)
			w->seqs[i] = r.seq;
	}
	return NULL;
}

static void test_regno_concurrent_unique(void **state)
{
	test_store_t ts;
	worker_t w[THREADS];
	pthread_t t[THREADS];
	static char seen[THREADS * PER_THREAD + 1];
	(void)state;
	test_store_open(&ts);
	/* a second store on the same database: like a second sigap instance */
	{
		store_t *other;
		assert_int_equal(store_open(ts.url, NULL, &other), 0);
		for (int i = 0; i < THREADS; i++) {
			memset(&w[i], 0, sizeof(w[i]));
			w[i].st = i % 2 ? other : ts.st;
			pthread_create(&t[i], NULL, grab, &w[i]);
		}
		for (int i = 0; i < THREADS; i++)
			pthread_join(t[i], NULL);
		store_close(other);
	}
	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < THREADS; i++)
		for (int j = 0; j < PER_THREAD; j++) {
			int64_t s = w[i].seqs[j];
			assert_true(s >= 1 && s <= THREADS * PER_THREAD);
			assert_int_equal(seen[s], 0); /* never handed out twice */
			seen[s] = 1;
		}
	/* no gaps: exactly 1..N */
	for (int s = 1; s <= THREADS * PER_THREAD; s++)
		assert_int_equal(seen[s], 1);
	test_store_close(&ts);
}

static const unsigned char png_1x1[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
	0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
	0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
	0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

static void test_files(void **state)
{
	char dir[256], hash[FILES_HASH_LEN + 1], hash2[FILES_HASH_LEN + 1], mime[64], path[600];
	static const char pdf[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
	static const char script[] = "#!/bin/sh\nrm -rf /\n";
	files_policy_t tiny = { files_policy_images.types, 10 };
	sb_t out = SB_INIT;
	struct stat sbuf;
	(void)state;
	test_mkdtemp(dir, sizeof(dir));
	assert_int_equal(files_put(dir, png_1x1, sizeof(png_1x1), &files_policy_images, hash, mime, sizeof(mime)), 0);
	assert_string_equal(mime, "image/png");
	assert_int_equal(strlen(hash), 64);
	snprintf(path, sizeof(path), "%s/%.2s/%s", dir, hash, hash);
	assert_int_equal(stat(path, &sbuf), 0);
	assert_int_equal(sbuf.st_size, sizeof(png_1x1));
	/* the owner's only, whatever the umask: KTP and KK scans */
	assert_int_equal(sbuf.st_mode & 07777, 0600);
	snprintf(path, sizeof(path), "%s/%.2s", dir, hash);
	assert_int_equal(stat(path, &sbuf), 0);
	assert_int_equal(sbuf.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/%.2s/%s", dir, hash, hash);
	/* same content: same hash, no second copy */
	assert_int_equal(files_put(dir, png_1x1, sizeof(png_1x1), &files_policy_images, hash2, mime, sizeof(mime)), 0);
	assert_string_equal(hash, hash2);
	assert_int_equal(files_get(dir, hash, &out), 0);
	assert_int_equal(out.len, sizeof(png_1x1));
	assert_memory_equal(out.buf, png_1x1, sizeof(png_1x1));
	sb_release(&out);
	/* the type comes from the bytes: a PDF is a document, not an image */
	assert_int_equal(files_put(dir, pdf, sizeof(pdf) - 1, &files_policy_images, hash, mime, sizeof(mime)), ERR_UNSUPPORTED);
	assert_string_equal(mime, "application/pdf");
	assert_int_equal(files_put(dir, pdf, sizeof(pdf) - 1, &files_policy_documents, hash, mime, sizeof(mime)), 0);
	assert_int_equal(files_put(dir, script, sizeof(script) - 1, &files_policy_documents, hash, mime, sizeof(mime)), ERR_UNSUPPORTED);
	/* size limit and empty files */
	assert_int_equal(files_put(dir, png_1x1, sizeof(png_1x1), &tiny, hash, mime, sizeof(mime)), ERR_TOO_LARGE);
	assert_int_equal(files_put(dir, png_1x1, 0, &files_policy_images, hash, mime, sizeof(mime)), ERR_INVALID);
	/* bad or unknown hashes */
	assert_int_equal(files_get(dir, "../../etc/passwd", &out), ERR_INVALID);
	assert_int_equal(files_get(dir, "0000000000000000000000000000000000000000000000000000000000000000", &out), ERR_NOT_FOUND);
	sb_release(&out);
	/* cleanup: two levels */
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

typedef struct notify_ud {
	notify_target_t to;
	int64_t now;
} notify_ud_t;

static int add_notification(store_conn_t *c, void *ud)
{
	notify_ud_t *n = ud;
	return notify_add(c, "52.71", &n->to, "sla.overdue", "application:1", "permohonan terlambat", n->now);
}

struct seen_ud {
	int n, unseen;
	int64_t newest;
};

static int note_cb(void *ud, const notify_item_t *it)
{
	struct seen_ud *s = ud;
	s->n++;
	s->unseen += !it->seen;
	if (it->id > s->newest)
		s->newest = it->id;
	return 0;
}

static int mark_seen_fn(store_conn_t *c, void *ud)
{
	return notify_mark_seen_tx(c, "52.71", 7, *(int64_t *)ud);
}

static void test_notify(void **state)
{
	test_store_t ts;
	notify_ud_t a = { { 0, "kepala_opd", "DISDUKCAPIL" }, 1000 }, b = { { 42, NULL, NULL }, 1001 },
		    c = { { 0, "sekda", NULL }, 1002 }, bad = { { 0, NULL, NULL }, 1 };
	int64_t n = -1;
	(void)state;
	test_store_open(&ts);
	assert_int_equal(store_tx(ts.st, add_notification, &a), 0);
	assert_int_equal(store_tx(ts.st, add_notification, &b), 0);
	assert_int_equal(store_tx(ts.st, add_notification, &c), 0);
	assert_int_equal(store_tx(ts.st, add_notification, &bad), ERR_INVALID);
	/* the kepala OPD of DISDUKCAPIL sees the OPD's one */
	assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 7, "kepala_opd", "DISDUKCAPIL", &n), 0);
	assert_int_equal(n, 1);
	/* the kepala OPD of another OPD does not */
	assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 8, "kepala_opd", "DLH", &n), 0);
	assert_int_equal(n, 0);
	/* user 42 sees their own; the sekda sees the one to all sekda */
	assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 42, "warga", "", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 9, "sekda", "", &n), 0);
	assert_int_equal(n, 1);
	/* other tenants see nothing */
	assert_int_equal(notify_unread(store_reader(ts.st), "52", 42, "sekda", "", &n), 0);
	assert_int_equal(n, 0);
	/* a principal without an account (an API key, user id 0) owns none:
	 * "user_id = 0" marks every notification to a role */
	assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 0, "warga", "", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(notify_list(store_reader(ts.st), "52.71", 0, "warga", "", 1500, 86400, 10, NULL, NULL), 0);
	/* but one of a role reads that role's, like a user of it */
	assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 0, "sekda", "", &n), 0);
	assert_int_equal(n, 1);

	/* the list, newest first; seen is per user */
	{
		struct seen_ud su = { 0, 0, 0 };
		assert_int_equal(notify_list(store_reader(ts.st), "52.71", 7, "kepala_opd", "DISDUKCAPIL", 1500, 86400, 10,
					     note_cb, &su), 1);
		assert_int_equal(su.unseen, 1);
		assert_int_equal(store_tx(ts.st, mark_seen_fn, &su.newest), 0);
		su.n = su.unseen = 0;
		assert_int_equal(notify_list(store_reader(ts.st), "52.71", 7, "kepala_opd", "DISDUKCAPIL", 1500, 86400, 10,
					     note_cb, &su), 1);
		assert_int_equal(su.unseen, 0);
		assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 7, "kepala_opd", "DISDUKCAPIL", &n), 0);
		assert_int_equal(n, 0);
		/* another holder of the role has not seen it */
		assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 17, "kepala_opd", "DISDUKCAPIL", &n), 0);
		assert_int_equal(n, 1);
		/* never moves back */
		su.newest = 0;
		assert_int_equal(store_tx(ts.st, mark_seen_fn, &su.newest), 0);
		assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 7, "kepala_opd", "DISDUKCAPIL", &n), 0);
		assert_int_equal(n, 0);
		/* too old for the list */
		assert_int_equal(notify_list(store_reader(ts.st), "52.71", 7, "kepala_opd", "DISDUKCAPIL", 1000 + 86401,
					     86400, 10, NULL, NULL), 0);
	}
	{
		char path[64];
		assert_int_equal(notify_object_path("52.71", "proposal:3", path, sizeof(path)), 1);
		assert_string_equal(path, "/t/52.71/usulan/3");
		assert_int_equal(notify_object_path("52.71", "proposal:3x", path, sizeof(path)), 0);
		assert_string_equal(path, "");
		/* a signing key's replacement: the key page, where it is cancelled or approved */
		assert_int_equal(notify_object_path("52.71", "keyreq:12", path, sizeof(path)), 1);
		assert_string_equal(path, "/t/52.71/kunci-tanda-tangan");
		assert_int_equal(notify_object_path("52.71", "keyreq:", path, sizeof(path)), 0);
	}
	test_store_close(&ts);
}

/* Several recipients of one message, their rows written by one statement:
 * each sees it as one written alone; a bad target or count refuses all. */
static int add_many_fn(store_conn_t *c, void *ud)
{
	size_t n = *(size_t *)ud;
	notify_target_t to[NOTIFY_MAX_TARGETS + 1] = {
		{ 0, "petugas", "DLH" }, { 0, "admin_opd", "DLH" }, { 42, NULL, NULL }, { 0, "sekda", NULL },
	};
	for (size_t i = 4; i <= NOTIFY_MAX_TARGETS; i++)
		to[i] = (notify_target_t){ 0, "wakil", NULL };
	if (n == 99) { /* the third without a user or a role */
		to[2].user_id = 0;
		n = 3;
	}
	return notify_add_many(c, "52.71", to, n, "complaint.new", "complaint:5", "Pengaduan baru", NULL, 3000);
}

static void test_notify_many(void **state)
{
	test_store_t ts;
	size_t four = 4, zero = 0, over = NOTIFY_MAX_TARGETS + 1, badrow = 99;
	int64_t n = -1, rows = -1;
	(void)state;
	test_store_open(&ts);
	assert_int_equal(store_tx(ts.st, add_many_fn, &zero), ERR_INVALID);
	assert_int_equal(store_tx(ts.st, add_many_fn, &over), ERR_INVALID);
	assert_int_equal(store_tx(ts.st, add_many_fn, &badrow), ERR_INVALID);
	assert_int_equal(store_query_int64(store_reader(ts.st), &rows, "SELECT COUNT(*) FROM notifications", ""), 0);
	assert_int_equal(rows, 0);
	assert_int_equal(store_tx(ts.st, add_many_fn, &four), 0);
	assert_int_equal(store_query_int64(store_reader(ts.st), &rows, "SELECT COUNT(*) FROM notifications", ""), 0);
	assert_int_equal(rows, 4);
	assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 7, "petugas", "DLH", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 8, "admin_opd", "DLH", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 9, "petugas", "DISDUKCAPIL", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 42, "warga", "", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(notify_unread(store_reader(ts.st), "52.71", 10, "sekda", "", &n), 0);
	assert_int_equal(n, 1);
	/* every column of every row as given */
	assert_int_equal(store_query_int64(store_reader(ts.st), &rows,
					   "SELECT COUNT(*) FROM notifications WHERE tenant = '52.71' AND kind = 'complaint.new' "
					   "AND object = 'complaint:5' AND message = 'Pengaduan baru' AND created_at = 3000",
					   ""),
			 0);
	assert_int_equal(rows, 4);
	test_store_close(&ts);
}

/* ---- e-mail */

static int enqueue_fn(store_conn_t *c, void *ud)
{
	const char **a = ud;
	return mail_enqueue(c, "52.71", a[0], NULL, a[1], a[2], 5000);
}

static int notify_user_fn(store_conn_t *c, void *ud)
{
	notify_target_t to = { *(int64_t *)ud, NULL, NULL };
	return notify_add(c, "52.71", &to, "complaint.answered", "complaint:7", "Pengaduan Anda telah dijawab", 6000);
}

static int notify_about_fn(store_conn_t *c, void *ud)
{
	notify_target_t to = { *(int64_t *)ud, NULL, NULL };
	return notify_add_about(c, "52.71", &to, "services.rejected", "application:9", "Permohonan ditolak",
				"52.71/PMH/2026/000009", 9000);
}

static int note_subject_fn(void *ud, const notify_item_t *it)
{
	snprintf(ud, 200, "%s|%s|%s", it->object, it->message, it->subject);
	return 1;
}

static void test_mail(void **state)
{
	test_store_t ts;
	const char *ok[] = { "warga@example.id", "a.b-c+d@sub.domain.go.id", "x@y.co" };
	const char *bad[] = { "", "warga", "@example.id", "warga@", "warga@example", "a@b@c.id", "a b@c.id",
			      "warga@example.id\r\nBcc: x@y.id", "<warga@example.id>", "warga@.id", "warga@example.",
			      "wärga@example.id" };
	const char *good_mail[] = { "warga@example.id", "Laporan\r\nBcc: x@y.id dijawab", "Isi jawaban" };
	const char *bad_mail[] = { "bukan-alamat", "S", "B" };
	sb_t m = SB_INIT;
	char link[256], *p, dec[256], subj[256];
	size_t dl = 0;
	int64_t n = -1, user = 0;
	int sent = -1, failed = -1;
	mail_config_t mc = { "smtp://127.0.0.1:1", "", "", "layanan@mataramkota.go.id", "https://sigap.example.id/" };
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(mail_valid_address(ok[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(mail_valid_address(bad[i]));
	assert_false(mail_valid_address(NULL));

	/* the message: headers, subject as a UTF-8 encoded word, body base64 */
	assert_int_equal(mail_format("layanan@mataramkota.go.id", "warga@example.id", "Pengaduan Anda — dijawab",
				     "Jawaban: jalan sudah ditambal.\n", 12, 1780000000, &m), 0);
	assert_non_null(strstr(m.buf, "From: sigap <layanan@mataramkota.go.id>\r\n"));
	assert_non_null(strstr(m.buf, "To: <warga@example.id>\r\n"));
	assert_non_null(strstr(m.buf, "Date: Thu, 28 May 2026 20:26:40 +0000\r\n"));
	assert_non_null(strstr(m.buf, "Message-ID: <sigap.12.1780000000@mataramkota.go.id>\r\n"));
	assert_non_null(strstr(m.buf, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n"));
	p = strstr(m.buf, "Subject: =?UTF-8?B?");
	assert_non_null(p);
	p += 19;
	assert_int_equal(sodium_base642bin((unsigned char *)subj, sizeof(subj) - 1, p, strcspn(p, "?"), NULL, &dl, NULL,
					   sodium_base64_VARIANT_ORIGINAL), 0);
	subj[dl] = '\0';
	assert_string_equal(subj, "Pengaduan Anda — dijawab");
	p = strstr(m.buf, "\r\n\r\n") + 4;
	assert_int_equal(sodium_base642bin((unsigned char *)dec, sizeof(dec) - 1, p, strlen(p), "\r\n", &dl, NULL,
					   sodium_base64_VARIANT_ORIGINAL), 0);
	dec[dl] = '\0';
	assert_string_equal(dec, "Jawaban: jalan sudah ditambal.\n");
	sb_release(&m);

	test_store_open(&ts);
	assert_int_equal(test_sql(&ts,
		"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) VALUES "
		"('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0)"), 0);
	/* without a server nothing is queued from notifications */
	mail_configure(NULL);
	assert_int_equal(test_sql(&ts, "INSERT INTO users (tenant, username, full_name, role, email, password_hash, "
				      "created_at, updated_at) VALUES ('52.71', 'budi', 'Budi', 'warga', 'budi@example.id', "
				      "'x', 0, 0)"), 0);
	assert_int_equal(store_query_int64(store_reader(ts.st), &user, "SELECT id FROM users WHERE username = 'budi'", ""), 0);
	assert_int_equal(store_tx(ts.st, notify_user_fn, &user), 0);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n, "SELECT COUNT(*) FROM mail_outbox", ""), 0);
	assert_int_equal(n, 0);

	mail_configure(&mc);
	assert_true(mail_configured());
	/* links to an object's public page, only for the known kinds */
	assert_int_equal(mail_object_link("52.71", "complaint:42", link, sizeof(link)), 1);
	assert_string_equal(link, "https://sigap.example.id/t/52.71/pengaduan/42");
	assert_int_equal(mail_object_link("52.71", "application:7", link, sizeof(link)), 1);
	assert_string_equal(link, "https://sigap.example.id/t/52.71/permohonan/7");
	assert_int_equal(mail_object_link("52.71", "service:KTP", link, sizeof(link)), 0);
	assert_int_equal(mail_object_link("52.71", "complaint:4x", link, sizeof(link)), 0);
	assert_string_equal(link, "");
	/* a bad address is refused, and its transaction with it */
	assert_int_equal(store_tx(ts.st, enqueue_fn, bad_mail), ERR_INVALID);
	/* a notification to a user with an address becomes an e-mail, link included */
	assert_int_equal(store_tx(ts.st, notify_user_fn, &user), 0);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n,
					   "SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'budi@example.id' "
					   "AND subject = 'Pengaduan Anda telah dijawab' AND body LIKE "
					   "'%https://sigap.example.id/t/52.71/pengaduan/7%'", ""), 0);
	assert_int_equal(n, 1);
	/* a header cannot be smuggled in through the subject */
	assert_int_equal(store_tx(ts.st, enqueue_fn, good_mail), 0);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n,
					   "SELECT COUNT(*) FROM mail_outbox WHERE subject = 'Laporan  Bcc: x@y.id dijawab'", ""), 0);
	assert_int_equal(n, 1);
	/* with sigap's signature, in Indonesian without a language (no translator here) */
	assert_int_equal(store_query_int64(store_reader(ts.st), &n,
					   "SELECT COUNT(*) FROM mail_outbox WHERE subject = 'Laporan  Bcc: x@y.id dijawab' "
					   "AND body LIKE '%\n-- \nsigap: pesan otomatis, tidak perlu dibalas.\n'", ""), 0);
	assert_int_equal(n, 1);
	/* a disabled user gets none */
	assert_int_equal(test_sql(&ts, "UPDATE users SET disabled = 1 WHERE username = 'budi'"), 0);
	assert_int_equal(store_tx(ts.st, notify_user_fn, &user), 0);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n, "SELECT COUNT(*) FROM mail_outbox", ""), 0);
	assert_int_equal(n, 2);

	/* the server cannot be reached: both stay queued, tried again in a minute */
	assert_int_equal(mail_send_due(ts.st, 7000, &sent, &failed), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(failed, 2);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n,
					   "SELECT COUNT(*) FROM mail_outbox WHERE attempts = 1 AND next_at = 7060 AND "
					   "sent_at IS NULL AND failed_at IS NULL AND lease_until = 0 AND last_error <> ''", ""), 0);
	assert_int_equal(n, 2);
	/* not due yet: nothing tried */
	assert_int_equal(mail_send_due(ts.st, 7030, &sent, &failed), 0);
	assert_int_equal(failed, 0);
	/* after 8 attempts in all, given up */
	assert_int_equal(test_sql(&ts, "UPDATE mail_outbox SET attempts = 7, next_at = 0"), 0);
	assert_int_equal(mail_send_due(ts.st, 8000, &sent, &failed), 0);
	assert_int_equal(failed, 2);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n,
					   "SELECT COUNT(*) FROM mail_outbox WHERE failed_at = 8000 AND attempts = 8", ""), 0);
	assert_int_equal(n, 2);
	assert_int_equal(mail_send_due(ts.st, 100000, &sent, &failed), 0);
	assert_int_equal(failed, 0);
	/* a notification with a subject: the message stays whole (a msgid),
	 * the subject follows it on the dashboard's item and in the e-mail */
	assert_int_equal(test_sql(&ts, "UPDATE users SET disabled = 0 WHERE username = 'budi'"), 0);
	assert_int_equal(store_tx(ts.st, notify_about_fn, &user), 0);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n,
					   "SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'budi@example.id' "
					   "AND subject = 'Permohonan ditolak: 52.71/PMH/2026/000009' AND body LIKE "
					   "'Permohonan ditolak: 52.71/PMH/2026/000009\n\nhttps://sigap.example.id/t/52.71/permohonan/9%'",
					   ""), 0);
	assert_int_equal(n, 1);
	{
		char got[200] = "";
		assert_int_equal(notify_list(store_reader(ts.st), "52.71", user, "warga", NULL, 9000, 100, 10,
					     note_subject_fn, got), 1);
		assert_string_equal(got, "application:9|Permohonan ditolak|52.71/PMH/2026/000009");
	}
	mail_configure(NULL);
	assert_false(mail_configured());
	test_store_close(&ts);
}

/* ---- the officials' daily digest */

typedef struct role_note {
	const char *role, *unit, *object, *message;
	int64_t now;
} role_note_t;

static int role_note_fn(store_conn_t *c, void *ud)
{
	role_note_t *n = ud;
	notify_target_t to = { 0, n->role, n->unit };
	return notify_add(c, "52.71", &to, "complaint.new", n->object, n->message, n->now);
}

static int64_t outbox_count(test_store_t *ts, const char *where)
{
	char sql[400];
	int64_t n = -1;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM mail_outbox WHERE %s", where);
	assert_int_equal(store_query_int64(store_reader(ts->st), &n, sql, ""), 0);
	return n;
}

/* the catalogue's English for what the digest translates here */
static const char *digest_tr(const char *lang, const char *msgid)
{
	if (!strcmp(lang, "en") && !strcmp(msgid, "Petugas OPD"))
		return "Agency officer";
	return msgid;
}

static void test_digest(void **state)
{
	test_store_t ts;
	/* 2026-12-01 00:00 UTC = 08:00 WITA; the tenant is 8 hours east of UTC */
	const int64_t day0 = 1796083200, h = 3600;
	mail_config_t mc = { "smtp://127.0.0.1:1", "", "", "layanan@mataramkota.go.id", "https://sigap.example.id", 7 };
	char body[4000] = "";
	(void)state;
	test_store_open(&ts);
	assert_int_equal(test_sql(&ts,
		"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) VALUES "
		"('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0);"
		"INSERT INTO units (tenant, code, name, created_at) VALUES ('52.71', 'DLH', 'Dinas LH', 0), "
		"('52.71', 'DISHUB', 'Dinas Perhubungan', 0);"
		"INSERT INTO users (tenant, username, full_name, role, unit, email, lang, password_hash, created_at, "
		"updated_at) VALUES "
		"('52.71', 'ani', 'Ani', 'petugas', 'DLH', 'ani@mataramkota.go.id', 'id', 'x', 0, 0),"
		"('52.71', 'bob', 'Bob', 'petugas', 'DISHUB', 'bob@mataramkota.go.id', 'en', 'x', 0, 0),"
		"('52.71', 'cici', 'Cici', 'petugas', 'DLH', NULL, 'id', 'x', 0, 0),"
		"('52.71', 'dedi', 'Dedi', 'warga', NULL, 'dedi@example.id', 'id', 'x', 0, 0),"
		"('52.71', 'eka', 'Eka', 'sekda', NULL, 'eka@mataramkota.go.id', 'id', 'x', 0, 0),"
		"('52.71', 'fajar', 'Fajar', 'petugas', 'DLH', 'fajar@mataramkota.go.id', 'id', 'x', 0, 1)"), 0);
	assert_int_equal(test_sql(&ts, "UPDATE users SET disabled = 1 WHERE username = 'fajar'"), 0);

	/* off without e-mail, and with the hour -1 */
	mail_configure(NULL);
	assert_int_equal(mail_digest_job(ts.st, day0), 0);
	mc.digest_hour = -1;
	mail_configure(&mc);
	assert_int_equal(mail_digest_job(ts.st, day0), 0);
	mc.digest_hour = 7;
	mail_configure(&mc);
	mail_set_translator(digest_tr);

	/* nothing addressed to anyone yet: no message, but the day counts as done */
	assert_int_equal(mail_digest_job(ts.st, day0 - 2 * h), 0); /* 06:00 local: too early, nothing claimed */
	assert_int_equal(outbox_count(&ts, "1 = 1"), 0);

	role_note_t dlh1 = { "petugas", "DLH", "complaint:11", "Pengaduan baru: sampah menumpuk", day0 - 3 * h },
		    dlh2 = { "petugas", "DLH", "complaint:12", "Pengaduan baru: saluran tersumbat", day0 - 2 * h },
		    hub = { "petugas", "DISHUB", "complaint:13", "Pengaduan baru: parkir liar", day0 - 2 * h },
		    all = { "sekda", NULL, "proposal:4", "Usulan menunggu rekomendasi", day0 - h },
		    old = { "petugas", "DLH", "complaint:2", "Pengaduan lama", day0 - 9 * 86400 };
	assert_int_equal(store_tx(ts.st, role_note_fn, &old), 0);
	assert_int_equal(store_tx(ts.st, role_note_fn, &dlh1), 0);
	assert_int_equal(store_tx(ts.st, role_note_fn, &dlh2), 0);
	assert_int_equal(store_tx(ts.st, role_note_fn, &hub), 0);
	assert_int_equal(store_tx(ts.st, role_note_fn, &all), 0);
	/* one seen on the dashboard already: not reported */
	assert_int_equal(test_sql(&ts, "INSERT INTO notify_seen (tenant, user_id, seen_id) SELECT '52.71', u.id, n.id "
				      "FROM users u, notifications n WHERE u.username = 'bob' AND n.object = 'complaint:13'"), 0);

	/* 08:00 local: ani (DLH) and eka (sekda) get one each; bob's was read;
	 * cici has no address, dedi is a citizen, fajar is disabled */
	assert_int_equal(mail_digest_job(ts.st, day0), 2);
	assert_int_equal(outbox_count(&ts, "1 = 1"), 2);
	assert_int_equal(outbox_count(&ts, "recipient = 'ani@mataramkota.go.id' AND "
					   "subject = 'sigap: 2 pemberitahuan baru untuk jabatan Anda'"), 1);
	assert_int_equal(outbox_count(&ts, "recipient = 'eka@mataramkota.go.id'"), 1);
	assert_int_equal(store_query_text(store_reader(ts.st), body, sizeof(body),
					  "SELECT body FROM mail_outbox WHERE recipient = 'ani@mataramkota.go.id'", ""), 0);
	/* newest first, with links; the week-old one and other OPDs' left out */
	/* the role and the OPD by the names the pages use, not their codes */
	assert_non_null(strstr(body, "Pemberitahuan untuk Ani (Petugas OPD, Dinas LH), 01-12-2026:"));
	assert_true(strstr(body, "saluran tersumbat") < strstr(body, "sampah menumpuk"));
	assert_non_null(strstr(body, "https://sigap.example.id/t/52.71/pengaduan/12"));
	assert_null(strstr(body, "Pengaduan lama"));
	assert_null(strstr(body, "parkir"));
	assert_non_null(strstr(body, "Dasbor: https://sigap.example.id/t/52.71/dasbor"));

	/* the same day again (the next minute): nothing due, nothing sent */
	assert_int_equal(mail_digest_job(ts.st, day0 + h), 0);
	assert_int_equal(outbox_count(&ts, "1 = 1"), 2);

	/* two instances listing the same due officials at the same moment: each
	 * official's digest goes out once (the claim in digest_tx) */
	{
		mail_digest_user_t a[8], b[8];
		int na, nb, sent = 0;
		role_note_t n = { "sekda", NULL, "proposal:5", "Usulan kedua", day0 + 86400 + h };
		assert_int_equal(store_tx(ts.st, role_note_fn, &n), 0);
		na = mail_digest_due(ts.st, day0 + 86400 + 2 * h, a, 8);
		nb = mail_digest_due(ts.st, day0 + 86400 + 2 * h, b, 8);
		assert_int_equal(na, 3); /* ani, bob, eka */
		assert_int_equal(nb, na);
		for (int i = 0; i < na; i++)
			sent += mail_digest_send(ts.st, &a[i], day0 + 86400 + 2 * h);
		for (int i = 0; i < nb; i++)
			assert_int_equal(mail_digest_send(ts.st, &b[i], day0 + 86400 + 2 * h), 0);
		assert_int_equal(sent, 1); /* eka's; nothing new for ani and bob */
		assert_int_equal(outbox_count(&ts, "recipient = 'eka@mataramkota.go.id'"), 2);
		/* back to where the rest of the test expects it: day 2 not yet done */
		assert_int_equal(test_sql(&ts, "DELETE FROM mail_outbox WHERE body LIKE '%Usulan kedua%';"
					      "UPDATE mail_digest SET day = day - 1;"
					      "INSERT INTO notify_seen (tenant, user_id, seen_id) SELECT '52.71', u.id, n.id "
					      "FROM users u, notifications n WHERE u.username = 'eka' AND n.object = 'proposal:5'"), 0);
	}

	/* the next day: only what is new since; bob's new one in English */
	role_note_t dlh3 = { "petugas", "DLH", "complaint:14", "Pengaduan baru: pohon tumbang", day0 + 5 * h },
		    hub2 = { "petugas", "DISHUB", "complaint:15", "Pengaduan baru: lampu lalu lintas mati", day0 + 6 * h };
	assert_int_equal(store_tx(ts.st, role_note_fn, &dlh3), 0);
	assert_int_equal(store_tx(ts.st, role_note_fn, &hub2), 0);
	assert_int_equal(mail_digest_job(ts.st, day0 + 86400 - 2 * h), 0); /* 06:00 local of day 2: not yet */
	assert_int_equal(mail_digest_job(ts.st, day0 + 86400), 2);
	assert_int_equal(outbox_count(&ts, "recipient = 'ani@mataramkota.go.id' AND body LIKE '%pohon tumbang%' "
					   "AND body NOT LIKE '%sampah%'"), 1);
	assert_int_equal(outbox_count(&ts, "recipient = 'bob@mataramkota.go.id' AND "
					   "subject = 'sigap: 1 new notification for your role' AND "
					   "body LIKE 'Notifications for Bob (Agency officer, Dinas Perhubungan), 2026-12-02:%'"), 1);
	assert_int_equal(outbox_count(&ts, "recipient = 'eka@mataramkota.go.id'"), 1);

	/* more than fit in one message: the rest are counted */
	for (int i = 0; i < 33; i++) {
		role_note_t n = { "sekda", NULL, "proposal:9", "Usulan menunggu", day0 + 86400 + h };
		assert_int_equal(store_tx(ts.st, role_note_fn, &n), 0);
	}
	assert_int_equal(mail_digest_job(ts.st, day0 + 2 * 86400), 1);
	assert_int_equal(outbox_count(&ts, "recipient = 'eka@mataramkota.go.id' AND "
					   "subject = 'sigap: 33 pemberitahuan baru untuk jabatan Anda' AND "
					   "body LIKE '%dan 3 lainnya.%'"), 1);
	mail_set_translator(NULL);
	mail_configure(NULL);
	test_store_close(&ts);
}

/* The digest lists by the time each notification is dated, newest first,
 * as the dashboard does; between equal times the later written first. The
 * ids follow the order of writing: one written later but dated earlier (an
 * import's, another instance's clock) came out of order when it listed by
 * id. */
static void test_digest_by_time(void **state)
{
	test_store_t ts;
	const int64_t day0 = 1796083200, h = 3600; /* 2026-12-01 08:00 WITA */
	mail_config_t mc = { "smtp://127.0.0.1:1", "", "", "layanan@mataramkota.go.id", "https://sigap.example.id", 7 };
	char body[4000] = "";
	const char *at[4];
	/* written in this order (ids 1..4), dated otherwise */
	role_note_t notes[] = {
		{ "petugas", "DLH", "complaint:21", "Pengaduan A: bertanggal paling baru", day0 - 1 * h },
		{ "petugas", "DLH", "complaint:22", "Pengaduan B: bertanggal paling lama", day0 - 5 * h },
		{ "petugas", "DLH", "complaint:23", "Pengaduan C: ditulis sebelum D", day0 - 3 * h },
		{ "petugas", "DLH", "complaint:24", "Pengaduan D: ditulis sesudah C", day0 - 3 * h },
	};
	(void)state;
	test_store_open(&ts);
	assert_int_equal(test_sql(&ts,
		"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) VALUES "
		"('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0);"
		"INSERT INTO units (tenant, code, name, created_at) VALUES ('52.71', 'DLH', 'Dinas LH', 0);"
		"INSERT INTO users (tenant, username, full_name, role, unit, email, lang, password_hash, created_at, "
		"updated_at) VALUES ('52.71', 'ani', 'Ani', 'petugas', 'DLH', 'ani@mataramkota.go.id', 'id', 'x', 0, 0)"), 0);
	mail_configure(&mc);
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		assert_int_equal(store_tx(ts.st, role_note_fn, &notes[i]), 0);
	assert_int_equal(mail_digest_job(ts.st, day0), 1);
	assert_int_equal(store_query_text(store_reader(ts.st), body, sizeof(body),
					  "SELECT body FROM mail_outbox WHERE recipient = 'ani@mataramkota.go.id'", ""), 0);
	at[0] = strstr(body, "Pengaduan A");
	at[1] = strstr(body, "Pengaduan D");
	at[2] = strstr(body, "Pengaduan C");
	at[3] = strstr(body, "Pengaduan B");
	for (int i = 0; i < 4; i++)
		assert_non_null(at[i]);
	/* A (newest), then D and C (the same second: D written later), then B */
	assert_true(at[0] < at[1] && at[1] < at[2] && at[2] < at[3]);
	mail_configure(NULL);
	test_store_close(&ts);
}

/* ---- submission keys (once.c) ---- */

struct once_ud {
	store_t *st;
	const once_t *o;
	const char *data;
	int64_t now;
	int rc;
};

/* What a filing does: a registration number first (the row every filing
 * of the tenant locks), then its key, last. */
static int once_file(store_conn_t *c, void *ud)
{
	struct once_ud *x = ud;
	regno_ud_t r = { "52.71", "ADU", 2026, 0, "", 0 };
	int rc = take_number(c, &r);
	if (rc < 0)
		return rc;
	return once_record_tx(c, x->o, r.seq, x->data, x->now);
}

static void *once_worker(void *arg)
{
	struct once_ud *x = arg;
	x->rc = store_tx(x->st, once_file, x);
	return NULL;
}

static void test_once(void **state)
{
	test_store_t ts;
	once_t a, b, c;
	once_found_t f;
	char key[ONCE_KEY_NEW_LEN + 1], text[400] = "";
	int64_t now = 1780000000, n = 0;
	(void)state;
	/* keys */
	once_key_new(key);
	assert_int_equal(strlen(key), 32);
	assert_true(once_key_ok(key));
	assert_true(once_key_ok("klien-A_1234567890"));
	assert_false(once_key_ok("pendek"));
	assert_false(once_key_ok("0123456789abcdef/"));
	assert_false(once_key_ok("0123456789abcdef 0123456789abcdef"));
	assert_false(once_key_ok(NULL));
	/* the row's id is the same for the same four parts, another for any
	 * other door, tenant, binding or key */
	assert_int_equal(once_init(&a, "complaint", "52.71", "u:7", key), 0);
	assert_int_equal(once_init(&b, "complaint", "52.71", "u:7", key), 0);
	assert_string_equal(a.id, b.id);
	assert_int_equal(strlen(a.id), 64);
	assert_null(strstr(a.id, key));
	{
		const char *other[][4] = { { "open311", "52.71", "u:7", key }, { "complaint", "52", "u:7", key },
					   { "complaint", "52.71", "u:8", key }, { "complaint", "52.71", "u:7", "x0123456789abcdef" },
					   /* the parts' borders count: "u:7" + key is not "u:" + "7" + key */
					   { "complaint", "52.71", "u:", "7" } };
		for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
			assert_int_equal(once_init(&c, other[i][0], other[i][1], other[i][2], other[i][3]), 0);
			assert_string_not_equal(c.id, a.id);
		}
	}
	assert_int_equal(once_init(&c, "complaint", "52.71", "u:7", ""), ERR_INVALID);
	assert_int_equal(once_init(&c, "", "52.71", "u:7", key), ERR_INVALID);
	/* the fingerprint: the same fields in another order are the same */
	once_fp_add(&a, "title", "Lampu", 5);
	once_fp_add(&a, "description", "Padam", 5);
	once_fp_add(&a, "title", "Lampu", 5);
	once_fp_add(&b, "description", "Padam", 5);
	once_fp_add(&b, "title", "Lampu", 5);
	once_fp_add(&b, "title", "Lampu", 5);

	test_store_open(&ts);
	/* recorded with what the door keeps, sealed; found again */
	{
		struct once_ud x = { ts.st, &a, "ABCDEFGHJKMNPQRSTVWX 1780086399 52.71/ADU/2026/000001", now, 0 };
		assert_int_equal(store_tx(ts.st, once_file, &x), 0);
	}
	assert_int_equal(once_find(store_reader(ts.st), &b, &f), 0);
	assert_true(f.same);
	assert_int_equal(f.ref_id, 1);
	assert_string_equal(f.data, "ABCDEFGHJKMNPQRSTVWX 1780086399 52.71/ADU/2026/000001");
	/* nothing readable in the row: neither the key nor what was kept */
	assert_int_equal(store_query_text(store_reader(ts.st), text, sizeof(text),
					  "SELECT id || ' ' || fingerprint || ' ' || sealed FROM submission_keys", ""),
			 0);
	assert_null(strstr(text, key));
	assert_null(strstr(text, "ABCDEFGH"));
	assert_null(strstr(text, "52.71/ADU"));
	/* one field changed: found, not the same request */
	assert_int_equal(once_init(&c, "complaint", "52.71", "u:7", key), 0);
	once_fp_add(&c, "title", "Lampu", 5);
	once_fp_add(&c, "description", "Padam!", 6);
	once_fp_add(&c, "title", "Lampu", 5);
	assert_int_equal(once_find(store_reader(ts.st), &c, &f), 0);
	assert_false(f.same);
	/* a door that compares nothing takes it for the same */
	assert_int_equal(once_init(&c, "complaint", "52.71", "u:7", key), 0);
	assert_int_equal(once_find(store_reader(ts.st), &c, &f), 0);
	assert_true(f.same);
	/* another binding, tenant or door: never used */
	assert_int_equal(once_init(&c, "complaint", "52.71", "u:8", key), 0);
	assert_int_equal(once_find(store_reader(ts.st), &c, &f), ERR_NOT_FOUND);
	assert_int_equal(once_init(&c, "complaint", "52", "u:7", key), 0);
	assert_int_equal(once_find(store_reader(ts.st), &c, &f), ERR_NOT_FOUND);
	/* sent again: the key is taken, and the filing rolls back whole (its
	 * number included) */
	{
		struct once_ud x = { ts.st, &b, "", now, 0 };
		assert_int_equal(store_tx(ts.st, once_file, &x), ERR_EXISTS);
		assert_int_equal(store_query_int64(store_reader(ts.st), &n, "SELECT value FROM sequences", ""), 0);
		assert_int_equal(n, 1);
	}
	/* the same new key from four writers at once, two of them another
	 * "instance" on the same database: one files, the others find it
	 * taken; one number handed out */
	{
		store_t *other;
		once_t k;
		struct once_ud x[4];
		pthread_t t[4];
		int ok = 0, taken = 0;
		once_key_new(key);
		assert_int_equal(once_init(&k, "open311", "52.71", "sgp_test", key), 0);
		assert_int_equal(store_open(ts.url, NULL, &other), 0);
		for (int i = 0; i < 4; i++) {
			x[i] = (struct once_ud){ i % 2 ? other : ts.st, &k, "K 0 N", now, 0 };
			pthread_create(&t[i], NULL, once_worker, &x[i]);
		}
		for (int i = 0; i < 4; i++) {
			pthread_join(t[i], NULL);
			ok += x[i].rc == 0;
			taken += x[i].rc == ERR_EXISTS;
		}
		store_close(other);
		assert_int_equal(ok, 1);
		assert_int_equal(taken, 3);
		assert_int_equal(store_query_int64(store_reader(ts.st), &n, "SELECT value FROM sequences", ""), 0);
		assert_int_equal(n, 2);
		assert_int_equal(once_find(store_reader(ts.st), &k, &f), 0);
		assert_int_equal(f.ref_id, 2);
	}
	/* forgotten after the window, by the periodic job */
	assert_int_equal(once_prune(ts.st, now + ONCE_WINDOW - 1), 0);
	assert_int_equal(once_find(store_reader(ts.st), &b, &f), 0);
	assert_int_equal(once_prune(ts.st, now + ONCE_WINDOW + 1), 0);
	assert_int_equal(once_find(store_reader(ts.st), &b, &f), ERR_NOT_FOUND);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n, "SELECT COUNT(*) FROM submission_keys", ""), 0);
	assert_int_equal(n, 0);
	test_store_close(&ts);
}

/* The outbox forgets a message MAIL_KEEP_DAYS after it was sent or given
 * up, by the periodic job's clock (its now); never one still waiting or
 * being retried, however old; a long history in batches. */
static void test_mail_prune(void **state)
{
	test_store_t ts;
	const int64_t day = 86400, now = 1780000000, keep = (int64_t)MAIL_KEEP_DAYS * day;
	int64_t n = -1;
	char sql[1024];
	(void)state;
	test_store_open(&ts);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO mail_outbox (tenant, recipient, subject, body, created_at, next_at, attempts, lease_until, "
		 "sent_at, failed_at) VALUES "
		 "('52.71', 'lama@contoh.id', 'terkirim lama', 'x', %" PRId64 ", 0, 1, 0, %" PRId64 ", NULL), "
		 "('52.71', 'baru@contoh.id', 'terkirim baru', 'x', %" PRId64 ", 0, 1, 0, %" PRId64 ", NULL), "
		 "('52.71', 'gagal@contoh.id', 'menyerah lama', 'x', %" PRId64 ", 0, 8, 0, NULL, %" PRId64 "), "
		 "('52.71', 'gagal2@contoh.id', 'menyerah baru', 'x', %" PRId64 ", 0, 8, 0, NULL, %" PRId64 "), "
		 "('52.71', 'ulang@contoh.id', 'dicoba lagi', 'x', %" PRId64 ", %" PRId64 ", 5, 0, NULL, NULL), "
		 "('52.71', 'kirim@contoh.id', 'sedang dikirim', 'x', %" PRId64 ", 0, 0, %" PRId64 ", NULL, NULL)",
		 now - keep - 2 * day, now - keep - 1, now - keep, now - keep + 60, now - keep - 9 * day, now - keep - 1,
		 now - keep, now - keep + 60, now - 400 * day, now + 60, now - 400 * day, now + 300);
	assert_int_equal(test_sql(&ts, sql), 0);
	/* a second before: nothing */
	assert_int_equal(mail_prune_run(ts.st, now - 2, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(outbox_count(&ts, "1 = 1"), 6);
	assert_int_equal(mail_prune_run(ts.st, now, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(outbox_count(&ts, "recipient IN ('lama@contoh.id', 'gagal@contoh.id')"), 0);
	assert_int_equal(outbox_count(&ts, "1 = 1"), 4);
	/* a year on: the finished ones went, the waiting ones stay */
	assert_int_equal(mail_prune(ts.st, now + 365 * day), 0);
	assert_int_equal(outbox_count(&ts, "1 = 1"), 2);
	assert_int_equal(outbox_count(&ts, "sent_at IS NULL AND failed_at IS NULL"), 2);
	/* a long history, in batches, in one run */
	assert_int_equal(test_sql(&ts, "INSERT INTO mail_outbox (tenant, recipient, subject, body, created_at, next_at, "
				       "sent_at) WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 2500) "
				       "SELECT '52.71', 'banyak@contoh.id', 's', 'b', 1000, 0, 1000 + i FROM k"),
			 0);
	assert_int_equal(mail_prune_run(ts.st, now, &n), 0);
	assert_int_equal(n, 2500);
	assert_int_equal(outbox_count(&ts, "1 = 1"), 2);
	test_store_close(&ts);
}

/* A message carrying a one-time link (mail_enqueue_secret): the stored
 * body holds the token between marks while it waits and is retried; once
 * given up (or sent: tests/e2e/test_recover.py) the token is gone from the
 * row, the rest kept. Marks typed into an ordinary body are spaces. */
static int enqueue_secret_fn(store_conn_t *c, void *ud)
{
	const char **a = ud;
	return mail_enqueue_secret(c, "52.71", a[0], NULL, a[1], a[2], a[3], 5000);
}

static void outbox_body(test_store_t *ts, const char *to, char *buf, size_t len)
{
	assert_int_equal(store_query_text(store_reader(ts->st), buf, len, "SELECT body FROM mail_outbox WHERE recipient = ?",
					  "t", to),
			 0);
}

static void test_mail_secret(void **state)
{
	test_store_t ts;
	const char *tok = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
	char body[600], got[800], want[800];
	const char *reset[4] = { "ani@contoh.id", "Atur ulang kata sandi", body, tok };
	const char *plain[3] = { "budi@contoh.id", "Biasa", "A\x02" "B\x03" "C" };
	const char *nolink[4] = { "cici@contoh.id", "Tanpa tautan", "Tidak ada tautan di sini.", tok };
	const char *empty[4] = { "dedi@contoh.id", "Kosong", "x", "" };
	int sent = -1, failed = -1;
	mail_config_t mc = { "smtp://127.0.0.1:1", "", "", "layanan@mataramkota.go.id", "https://sigap.example.id" };
	(void)state;
	snprintf(body, sizeof(body), "Buka tautan ini dalam satu jam:\n\nhttps://sigap.example.id/t/52.71/lupa-sandi/%s\n\n"
				     "(English: open the link.)", tok);
	test_store_open(&ts);
	assert_int_equal(test_sql(&ts,
		"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) VALUES "
		"('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0)"), 0);
	mail_configure(&mc);
	assert_int_equal(store_tx(ts.st, enqueue_secret_fn, reset), 0);
	assert_int_equal(store_tx(ts.st, enqueue_fn, plain), 0);
	assert_int_equal(store_tx(ts.st, enqueue_secret_fn, nolink), 0);
	assert_int_equal(store_tx(ts.st, enqueue_secret_fn, empty), ERR_INVALID);
	/* waiting: the token is there, marked, to be sent */
	outbox_body(&ts, "ani@contoh.id", got, sizeof(got));
	snprintf(want, sizeof(want), "/lupa-sandi/\x02%s\x03\n\n(English", tok);
	assert_non_null(strstr(got, want));
	outbox_body(&ts, "budi@contoh.id", got, sizeof(got));
	assert_string_equal(got, "A B C\n\n-- \nsigap: pesan otomatis, tidak perlu dibalas.\n");
	outbox_body(&ts, "cici@contoh.id", got, sizeof(got));
	assert_null(strchr(got, '\x02'));
	/* the server cannot be reached: retried later, the link kept for it */
	assert_int_equal(mail_send_due(ts.st, 7000, &sent, &failed), 0);
	assert_int_equal(failed, 3);
	outbox_body(&ts, "ani@contoh.id", got, sizeof(got));
	assert_non_null(strstr(got, tok));
	/* given up: the row keeps the address, subject, times and error, not the token */
	assert_int_equal(test_sql(&ts, "UPDATE mail_outbox SET attempts = 7, next_at = 0"), 0);
	assert_int_equal(mail_send_due(ts.st, 8000, &sent, &failed), 0);
	assert_int_equal(failed, 3);
	outbox_body(&ts, "ani@contoh.id", got, sizeof(got));
	assert_null(strstr(got, tok));
	assert_null(strchr(got, '\x02'));
	assert_null(strchr(got, '\x03'));
	snprintf(want, sizeof(want), "Buka tautan ini dalam satu jam:\n\nhttps://sigap.example.id/t/52.71/lupa-sandi/"
				     MAIL_SECRET_REMOVED "\n\n(English: open the link.)\n\n-- \n"
				     "sigap: pesan otomatis, tidak perlu dibalas.\n");
	assert_string_equal(got, want);
	assert_int_equal(outbox_count(&ts, "recipient = 'ani@contoh.id' AND subject = 'Atur ulang kata sandi' AND "
					   "created_at = 5000 AND failed_at = 8000 AND attempts = 8 AND last_error <> ''"),
			 1);
	/* the others as they were */
	outbox_body(&ts, "budi@contoh.id", got, sizeof(got));
	assert_string_equal(got, "A B C\n\n-- \nsigap: pesan otomatis, tidak perlu dibalas.\n");
	outbox_body(&ts, "cici@contoh.id", got, sizeof(got));
	assert_non_null(strstr(got, "Tidak ada tautan di sini."));
	mail_configure(NULL);
	test_store_close(&ts);
}

/* A waiting row whose body holds no text once its marks are taken out
 * (empty, or an empty secret alone: sigap's own messages always end with
 * a signature, but a row restored or written by hand may not) fails or is
 * given up like any other, without freeing the string builder's static
 * empty buffer (found by gcc -fanalyzer and scan-build). */
static int empty_bodies_fn(store_conn_t *c, void *ud)
{
	int rc = store_exec(c, "INSERT INTO mail_outbox (tenant, recipient, subject, body, created_at, next_at) VALUES "
			       "('52.71', 'kosong@contoh.id', 'Kosong', '', 5000, 5000), "
			       "('52.71', 'rahasia@contoh.id', 'Rahasia kosong', ?, 5000, 5000)",
			    "t", "\x02\x03");
	(void)ud;
	return rc < 0 ? rc : 0;
}

static void test_mail_empty_body(void **state)
{
	test_store_t ts;
	char got[200];
	int sent = -1, failed = -1;
	mail_config_t mc = { "smtp://127.0.0.1:1", "", "", "layanan@mataramkota.go.id", "https://sigap.example.id" };
	(void)state;
	test_store_open(&ts);
	mail_configure(&mc);
	assert_int_equal(store_tx(ts.st, empty_bodies_fn, NULL), 0);
	assert_int_equal(mail_send_due(ts.st, 7000, &sent, &failed), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(failed, 2);
	assert_int_equal(outbox_count(&ts, "attempts = 1 AND next_at = 7060 AND last_error <> ''"), 2);
	/* given up: the empty secret's marks go with it */
	assert_int_equal(test_sql(&ts, "UPDATE mail_outbox SET attempts = 7, next_at = 0"), 0);
	assert_int_equal(mail_send_due(ts.st, 8000, &sent, &failed), 0);
	assert_int_equal(failed, 2);
	assert_int_equal(outbox_count(&ts, "failed_at = 8000 AND attempts = 8"), 2);
	outbox_body(&ts, "rahasia@contoh.id", got, sizeof(got));
	assert_string_equal(got, MAIL_SECRET_REMOVED);
	outbox_body(&ts, "kosong@contoh.id", got, sizeof(got));
	assert_string_equal(got, "");
	mail_configure(NULL);
	test_store_close(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regno_format_and_parse),
		cmocka_unit_test(test_regno_concurrent_unique),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_notify_many),
		cmocka_unit_test(test_mail),
		cmocka_unit_test(test_mail_secret),
		cmocka_unit_test(test_mail_empty_body),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_digest_by_time),
		cmocka_unit_test(test_once),
		cmocka_unit_test(test_mail_prune),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
