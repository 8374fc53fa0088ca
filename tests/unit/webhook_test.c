/*
 * webhook_test.c: tests of platform/webhook.h without a network: the
 * signature against vectors computed independently (Python's hmac, as in
 * docs/webhooks.md), the event's JSON (its fields and nothing else, the
 * time in the tenant's zone, the link only with a public URL), the
 * classifier of addresses (IPv4 and IPv6, IPv4 inside IPv6), the allowlist
 * of events, and the URL check's refusals that need no lookup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "platform/webhook.h"
#include "core/banned.h"

static void test_signature(void **state)
{
	char sig[72];
	const char *body = "{\"events\":[]}";
	(void)state;
	/* python3 -c 'import hmac,hashlib; print(hmac.new(b"whsec_0123456789abcdef",
	 *   b"1764496800.{\"events\":[]}", hashlib.sha256).hexdigest())' */
	webhook_sign("whsec_0123456789abcdef", 1764496800, body, strlen(body), sig);
	assert_string_equal(sig, "sha256=c21dcc49f91952659ffddc3cfe31ab9e2f43de671223641293fd901402099d12");
	/* RFC 4231's key and text, with a timestamp of 0 in front */
	body = "what do ya want for nothing?";
	webhook_sign("Jefe", 0, body, strlen(body), sig);
	assert_string_equal(sig, "sha256=37f471929915ccd2cbbe79feb84ffcff4f2bb25e15fc41c2506687331ae179cc");
	/* only len bytes of the body count */
	webhook_sign("Jefe", 0, "what do ya want for nothing?XYZ", strlen(body), sig);
	assert_string_equal(sig, "sha256=37f471929915ccd2cbbe79feb84ffcff4f2bb25e15fc41c2506687331ae179cc");
}

static void test_secret(void **state)
{
	char a[WEBHOOK_SECRET_LEN], b[WEBHOOK_SECRET_LEN];
	(void)state;
	webhook_secret_new(a);
	webhook_secret_new(b);
	assert_int_equal(strlen(a), WEBHOOK_SECRET_LEN - 1);
	assert_memory_equal(a, "whsec_", 6);
	assert_int_equal(strspn(a + 6, "0123456789abcdef"), 64);
	assert_string_not_equal(a, b);
}

static char *event_text(const char *action, const char *object, int tz)
{
	webhook_event_t ev = { "52.71", 1234, 1796004000, action, object };
	json_t *j = webhook_event_json(&ev, tz);
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

static void test_payload(void **state)
{
	webhook_config_t cfg = { 0, 0, "https://sigap.mataramkota.go.id/" };
	char *s;
	(void)state;
	webhook_configure(NULL);
	s = event_text("complaints.jawab", "complaint:42", 8 * 3600);
	assert_string_equal(s, "{\"id\":\"52.71-1234\",\"tenant\":\"52.71\",\"seq\":1234,\"time\":\"2026-11-30T10:00:00+08:00\","
			       "\"event\":\"complaints.jawab\",\"object\":\"complaint:42\"}");
	free(s);
	/* with a public URL, the object's public page (no double slash) */
	webhook_configure(&cfg);
	s = event_text("complaints.jawab", "complaint:42", 8 * 3600);
	assert_string_equal(s, "{\"id\":\"52.71-1234\",\"tenant\":\"52.71\",\"seq\":1234,\"time\":\"2026-11-30T10:00:00+08:00\","
			       "\"event\":\"complaints.jawab\",\"object\":\"complaint:42\","
			       "\"url\":\"https://sigap.mataramkota.go.id/t/52.71/pengaduan/42\"}");
	free(s);
	s = event_text("services.apply", "application:7", 7 * 3600);
	assert_non_null(strstr(s, "\"time\":\"2026-11-30T09:00:00+07:00\""));
	assert_non_null(strstr(s, "\"url\":\"https://sigap.mataramkota.go.id/t/52.71/permohonan/7\""));
	free(s);
	s = event_text("governance.decide", "proposal:3", 9 * 3600 + 1800);
	assert_non_null(strstr(s, "\"time\":\"2026-11-30T11:30:00+09:30\""));
	assert_non_null(strstr(s, "/t/52.71/usulan/3\""));
	free(s);
	/* a zone west of UTC */
	s = event_text("governance.decide", "proposal:3", -5 * 3600);
	assert_non_null(strstr(s, "\"time\":\"2026-11-29T21:00:00-05:00\""));
	free(s);
	webhook_configure(NULL);
}

static void test_allowlist(void **state)
{
	(void)state;
	assert_int_equal(webhook_event_group("complaints.create", "complaint:1"), WEBHOOK_COMPLAINTS);
	assert_int_equal(webhook_event_group("complaints.jawab", "complaint:42"), WEBHOOK_COMPLAINTS);
	assert_int_equal(webhook_event_group("complaints.escalate", "complaint:42"), WEBHOOK_COMPLAINTS);
	assert_int_equal(webhook_event_group("complaints.sembunyikan_foto", "complaint:42"), WEBHOOK_COMPLAINTS);
	assert_int_equal(webhook_event_group("complaints.tampilkan_foto", "complaint:42"), WEBHOOK_COMPLAINTS);
	assert_int_equal(webhook_event_group("services.apply", "application:9"), WEBHOOK_SERVICES);
	assert_int_equal(webhook_event_group("services.advance", "application:9"), WEBHOOK_SERVICES);
	assert_int_equal(webhook_event_group("governance.decide", "proposal:5"), WEBHOOK_GOVERNANCE);
	assert_int_equal(webhook_event_group("governance.dprd", "proposal:5"), WEBHOOK_GOVERNANCE);
	/* never: accounts, keys, the tenant, settings, refusals, webhooks */
	assert_int_equal(webhook_event_group("auth.login", "petugas"), 0);
	assert_int_equal(webhook_event_group("user.add", "warga2"), 0);
	assert_int_equal(webhook_event_group("apikey.create", "abcdef012345"), 0);
	assert_int_equal(webhook_event_group("tenant.suspend", "52.71"), 0);
	assert_int_equal(webhook_event_group("holiday.add", "2026-12-01"), 0);
	assert_int_equal(webhook_event_group("region.import", "*"), 0);
	assert_int_equal(webhook_event_group("governance.key_create", "kepala_opd"), 0);
	assert_int_equal(webhook_event_group("governance.refused", "proposal:5"), 0);
	assert_int_equal(webhook_event_group("complaints.settings", "complaints_settings"), 0);
	assert_int_equal(webhook_event_group("complaints.category", "pju"), 0);
	assert_int_equal(webhook_event_group("services.create", "service:sktm"), 0);
	assert_int_equal(webhook_event_group("services.note", "application:9"), 0);
	assert_int_equal(webhook_event_group("webhook.create", "webhook:1"), 0);
	/* an allowed action on another kind of object, or no numeric id */
	assert_int_equal(webhook_event_group("complaints.create", "application:1"), 0);
	assert_int_equal(webhook_event_group("complaints.create", "complaint:"), 0);
	assert_int_equal(webhook_event_group("complaints.create", "complaint:1x"), 0);
	assert_int_equal(webhook_event_group("complaints.createX", "complaint:1"), 0);
	assert_int_equal(webhook_event_group(NULL, "complaint:1"), 0);
	assert_string_equal(webhook_group_name(WEBHOOK_SERVICES), "layanan");
	assert_null(webhook_group_name(3));
}

static void test_addresses(void **state)
{
	static const char *const public_ones[] = {
		"8.8.8.8", "93.184.216.34", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
		"192.169.0.1", "169.253.255.255", "11.0.0.1", "2606:4700:4700::1111", "2a00:1450:4001:82a::200e",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
	};
	static const char *const private_ones[] = {
		"127.0.0.1", "127.255.255.254", "0.0.0.0", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
		"192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.255", "192.0.2.1", "198.18.0.1",
		"198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
		"192.0.0.8", "::", "::1", "fc00::1", "fd12:3456:789a::1", "fe80::1", "febf::1", "fec0::1", "ff02::1",
		"2001:db8::1", "2001:0:4136:e378::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254",
		"64:ff9b::a00:1", "2002:c0a8:101::1", "::127.0.0.1", "100::1",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(public_ones) / sizeof(public_ones[0]); i++) {
		if (webhook_ip_public(public_ones[i]) != 1) {
			print_error("%s should be public\n", public_ones[i]);
			fail();
		}
	}
	for (size_t i = 0; i < sizeof(private_ones) / sizeof(private_ones[0]); i++) {
		if (webhook_ip_public(private_ones[i]) != 0) {
			print_error("%s should not be public\n", private_ones[i]);
			fail();
		}
	}
	assert_int_equal(webhook_ip_public("3fff:ffff::1"), 1); /* still in 2000::/3, global unicast */
	assert_int_equal(webhook_ip_public("4000::1"), 0); /* not global unicast */
	assert_int_equal(webhook_ip_public("sigap.example"), -1);
	assert_int_equal(webhook_ip_public("1.2.3"), -1);
	assert_int_equal(webhook_addr_public(12345, (const unsigned char *)"\x08\x08\x08\x08"), 0);
}

static void check_refused(const char *url, const char *msgid_part)
{
	webhook_target_t t;
	const char *msgid = NULL;
	int rc = webhook_url_check(url, &t, &msgid);
	if (rc != ERR_INVALID || !msgid || !strstr(msgid, msgid_part)) {
		print_error("%s: rc %d, msgid %s\n", url, rc, msgid ? msgid : "(none)");
		fail();
	}
}

static void test_url_check(void **state)
{
	webhook_config_t cfg = { 0, 0, "" };
	webhook_target_t t;
	const char *msgid = NULL;
	char longer[600];
	(void)state;
	webhook_configure(&cfg);
	check_refused("", "wajib diisi");
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memcpy(longer, "https://", 8);
	check_refused(longer, "wajib diisi");
	check_refused("https://contoh.go.id/a b", "spasi");
	check_refused("bukan url", "spasi");
	check_refused("contoh.go.id/webhook", "tidak valid");
	check_refused("http://93.184.216.34/hook", "harus diawali https://");
	check_refused("ftp://93.184.216.34/hook", "harus diawali https://");
	check_refused("https://user:pw@93.184.216.34/hook", "nama pengguna");
	check_refused("https://a-rather-long-user-name@93.184.216.34/hook", "nama pengguna");
	check_refused("https://:sandi-yang-panjang@93.184.216.34/hook", "nama pengguna");
	check_refused("https://[fe80::1%25eth0]/hook", "tidak valid");
	check_refused("https://127.0.0.1/hook", "jaringan internal");
	check_refused("https://[::1]:8443/hook", "jaringan internal");
	check_refused("https://169.254.169.254/latest/meta-data", "jaringan internal");
	check_refused("https://[::ffff:10.0.0.1]/hook", "jaringan internal");
	check_refused("https://localhost/hook", "jaringan internal");
	/* a public literal passes without a lookup, its port the scheme's */
	assert_int_equal(webhook_url_check("https://93.184.216.34/hook?x=1", &t, &msgid), 0);
	assert_string_equal(t.host, "93.184.216.34");
	assert_string_equal(t.addr, "93.184.216.34");
	assert_int_equal(t.port, 443);
	assert_int_equal(webhook_url_check("https://[2606:4700:4700::1111]:8443/x", &t, &msgid), 0);
	assert_string_equal(t.host, "2606:4700:4700::1111");
	assert_int_equal(t.port, 8443);
	/* with the server's settings: http:// and a private address */
	cfg.allow_http = 1;
	cfg.allow_private = 1;
	webhook_configure(&cfg);
	assert_int_equal(webhook_url_check("http://127.0.0.1:8099/sink", &t, &msgid), 0);
	assert_string_equal(t.addr, "127.0.0.1");
	assert_int_equal(t.port, 8099);
	check_refused("ftp://127.0.0.1/hook", "https:// atau http://");
	webhook_configure(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature), cmocka_unit_test(test_secret),    cmocka_unit_test(test_payload),
		cmocka_unit_test(test_allowlist), cmocka_unit_test(test_addresses), cmocka_unit_test(test_url_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
