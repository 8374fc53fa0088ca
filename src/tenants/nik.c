/*
 * nik.c: NIK validation (see nik.h). Pure parsing plus a region callback;
 * the order of the checks is the order of enum nik_reason, so a NIK with
 * several faults always reports the same, first one.
 */
#include "tenants/nik.h"

#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/banned.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int two(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* Asks fn whether kode exists: 1 yes, 0 no, negative error. */
static int region_exists(nik_region_fn fn, void *ud, const char *kode)
{
	int r = fn(ud, kode);
	if (r < 0)
		return r;
	return r ? 1 : 0;
}

static int finish(int reason, int *ret_reason)
{
	if (ret_reason)
		*ret_reason = reason;
	return reason == NIK_OK || reason == NIK_NOTE_KECAMATAN_UNKNOWN ? 0 : ERR_INVALID;
}

int nik_validate(const char *nik, size_t len, int32_t today_day, nik_region_fn fn, void *ud,
		 nik_info_t *ret_info, int *ret_reason)
{
	nik_info_t tmp, *in = ret_info ? ret_info : &tmp;
	const char *p;
	int r, dd, mm, yy, y, kec_known = 1;

	memset(in, 0, sizeof(*in));
	in->birth_day = INT32_MIN;
	if (ret_reason)
		*ret_reason = NIK_OK;
	if (!nik)
		len = 0;
	while (len && is_space(nik[0])) {
		nik++;
		len--;
	}
	while (len && is_space(nik[len - 1]))
		len--;
	in->trimmed_len = len;
	if (len != NIK_LEN)
		return finish(NIK_ERR_LENGTH, ret_reason);
	for (size_t i = 0; i < NIK_LEN; i++) {
		if (nik[i] < '0' || nik[i] > '9') {
			in->bad_pos = i + 1;
			return finish(NIK_ERR_DIGITS, ret_reason);
		}
	}
	p = nik;
	memcpy(in->nik, p, NIK_LEN);
	snprintf(in->province, sizeof(in->province), "%.2s", p);
	snprintf(in->kabkota, sizeof(in->kabkota), "%.2s.%.2s", p, p + 2);
	snprintf(in->kecamatan, sizeof(in->kecamatan), "%.2s.%.2s.%.2s", p, p + 2, p + 4);
	memcpy(in->ddmmyy, p + 6, 6);
	in->serial = two(p + 12) * 100 + two(p + 14);

	if (fn) {
		r = region_exists(fn, ud, in->province);
		if (r < 0)
			return r;
		if (!r)
			return finish(NIK_ERR_PROVINCE, ret_reason);
		r = region_exists(fn, ud, in->kabkota);
		if (r < 0)
			return r;
		if (!r)
			return finish(NIK_ERR_KABKOTA, ret_reason);
		r = region_exists(fn, ud, in->kecamatan);
		if (r < 0)
			return r;
		kec_known = r;
	}

	dd = two(p + 6);
	mm = two(p + 8);
	yy = two(p + 10);
	if (dd > 40) {
		in->female = true;
		dd -= 40;
	}
	/* 20YY if that is a real date not after today, else 19YY. */
	y = 2000 + yy;
	if (!cal_valid_civil(y, mm, dd) || cal_days_from_civil(y, mm, dd) > today_day)
		y = 1900 + yy;
	if (!cal_valid_civil(y, mm, dd)) {
		/* Only 29 Feb of YY = 00 is valid in one century and not the other,
		 * and it fell in the future branch above. */
		if (cal_valid_civil(2000 + yy, mm, dd)) {
			in->birth_day = cal_days_from_civil(2000 + yy, mm, dd);
			return finish(NIK_ERR_FUTURE, ret_reason);
		}
		return finish(NIK_ERR_DATE, ret_reason);
	}
	in->birth_day = cal_days_from_civil(y, mm, dd);
	if (in->birth_day >= today_day)
		return finish(NIK_ERR_FUTURE, ret_reason);
	if (in->serial == 0)
		return finish(NIK_ERR_SERIAL, ret_reason);
	return finish(kec_known ? NIK_OK : NIK_NOTE_KECAMATAN_UNKNOWN, ret_reason);
}

static const char *const messages[NIK_REASON_COUNT] = {
	[NIK_OK] = N_("NIK valid"),
	[NIK_ERR_LENGTH] = N_("NIK harus 16 digit"),
	[NIK_ERR_DIGITS] = N_("NIK hanya boleh berisi angka; karakter ke-%s bukan angka"),
	[NIK_ERR_PROVINCE] = N_("kode provinsi '%s' pada NIK tidak dikenal"),
	[NIK_ERR_KABKOTA] = N_("kode kabupaten/kota '%s' pada NIK tidak dikenal"),
	[NIK_ERR_DATE] = N_("tanggal lahir '%s' pada NIK bukan tanggal yang valid"),
	[NIK_ERR_FUTURE] = N_("tanggal lahir '%s' pada NIK belum lewat"),
	[NIK_ERR_SERIAL] = N_("nomor urut pada NIK tidak boleh 0000"),
	[NIK_NOTE_KECAMATAN_UNKNOWN] =
		N_("kode kecamatan '%s' pada NIK tidak ada dalam daftar wilayah terbaru; NIK tetap diterima"),
};

const char *nik_reason_message(int reason)
{
	if (reason < 0 || reason >= NIK_REASON_COUNT)
		return N_("NIK tidak valid");
	return messages[reason];
}

/* The value that goes into the "%s" of reason's message. */
static void reason_value(int reason, const nik_info_t *info, char *buf, size_t n)
{
	buf[0] = '\0';
	if (!info)
		return;
	switch (reason) {
	case NIK_ERR_LENGTH:
		snprintf(buf, n, "%zu", info->trimmed_len);
		break;
	case NIK_ERR_DIGITS:
		snprintf(buf, n, "%zu", info->bad_pos);
		break;
	case NIK_ERR_PROVINCE:
		snprintf(buf, n, "%s", info->province);
		break;
	case NIK_ERR_KABKOTA:
		snprintf(buf, n, "%s", info->kabkota);
		break;
	case NIK_ERR_DATE:
		snprintf(buf, n, "%s", info->ddmmyy);
		break;
	case NIK_ERR_FUTURE:
		if (cal_format_date(info->birth_day, buf) != 0)
			snprintf(buf, n, "%s", info->ddmmyy);
		break;
	case NIK_NOTE_KECAMATAN_UNKNOWN:
		snprintf(buf, n, "%s", info->kecamatan);
		break;
	default:
		break;
	}
}

int nik_reason_format_msg(const char *msg, int reason, const nik_info_t *info, sb_t *out)
{
	char val[32];
	bool done = false;
	if (!out)
		return ERR_INVALID;
	if (!msg)
		msg = nik_reason_message(reason);
	reason_value(reason, info, val, sizeof(val));
	for (const char *s = msg; *s; s++) {
		if (s[0] == '%' && s[1] == '%') {
			sb_addch(out, '%');
			s++;
		} else if (s[0] == '%' && s[1] == 's' && !done) {
			sb_adds(out, val);
			done = true;
			s++;
		} else {
			sb_addch(out, *s);
		}
	}
	return out->err ? ERR_NOMEM : 0;
}

int nik_reason_format(int reason, const nik_info_t *info, const char *nik, sb_t *out)
{
	(void)nik;
	return nik_reason_format_msg(NULL, reason, info, out);
}
