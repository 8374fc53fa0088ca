/*
 * nik_fuzz.c: libFuzzer target for tenants/nik. Feeds arbitrary bytes to
 * nik_validate() (with and without a region callback, with a "today" taken
 * from the input) and formats the resulting message, checking that the
 * return value and the reason agree and that an accepted NIK decodes to
 * sane fields. Build: meson -Dfuzz=true with clang, or by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc src/core/sb.c \
 *     src/core/calendar.c src/tenants/nik.c tests/fuzz/nik_fuzz.c -o /tmp/nik_fuzz
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/err.h"
#include "core/sb.h"
#include "tenants/nik.h"

/* Regions exist when their digit sum is even: deterministic, both answers common. */
static int fake_region(void *ud, const char *kode)
{
	int sum = 0;
	(void)ud;
	for (const char *p = kode; *p; p++)
		if (*p >= '0' && *p <= '9')
			sum += *p - '0';
	return sum % 2 == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int32_t today = cal_days_from_civil(2025, 6, 15);
	nik_info_t info;
	int reason = -1, r;
	sb_t sb = SB_INIT;

	if (size >= 2) {
		/* first two bytes move "today" by up to +-90 years */
		today += (int32_t)((data[0] << 8 | data[1]) % 65536) - 32768;
		data += 2;
		size -= 2;
	}
	for (int pass = 0; pass < 2; pass++) {
		r = nik_validate((const char *)data, size, today, pass ? fake_region : NULL, NULL, &info,
				 &reason);
		if (reason < 0 || reason >= NIK_REASON_COUNT)
			abort();
		if (r == 0) {
			if (reason != NIK_OK && reason != NIK_NOTE_KECAMATAN_UNKNOWN)
				abort();
			if (strlen(info.nik) != NIK_LEN || info.birth_day >= today || info.serial <= 0)
				abort();
		} else if (r != ERR_INVALID || reason == NIK_OK ||
			   reason == NIK_NOTE_KECAMATAN_UNKNOWN) {
			abort();
		}
		if (nik_reason_format(reason, &info, NULL, &sb) != 0)
			abort();
		sb_reset(&sb);
		/* the input as a (translated) template must be safe as well */
		if (size < 256) {
			char tmpl[256];
			memcpy(tmpl, data, size);
			tmpl[size] = '\0';
			nik_reason_format_msg(tmpl, reason, &info, &sb);
			sb_reset(&sb);
		}
	}
	sb_release(&sb);
	return 0;
}
