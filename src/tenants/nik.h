/*
 * nik.h: validation of the NIK (Nomor Induk Kependudukan), the 16-digit
 * Indonesian national identity number that citizens type into applications
 * and complaints:
 *
 *     PP KK CC DDMMYY SSSS
 *     |  |  |  |      serial number (0001..9999)
 *     |  |  |  birth date; women have 40 added to the day (DD 41..71)
 *     |  |  kecamatan (district) code
 *     |  kabupaten/kota code
 *     province code
 *
 * The region codes are the Kemendagri kode wilayah ("52", "52.71",
 * "52.71.01"). Whether a code exists is asked through a callback, so this
 * module needs no database and can be tested with a tiny fake table. The
 * rules, including the century choice for the two-digit year, are written
 * down in docs/calendar.md.
 *
 * A syntactically valid NIK can still belong to nobody: this is a plausibility
 * check that catches typos, not an identity check against Dukcapil.
 */
#ifndef SIGAP_NIK_H
#define SIGAP_NIK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sb.h"

/* Digits in a NIK. */
#define NIK_LEN 16

/*
 * Reasons (the *ret_reason of nik_validate). NIK_OK and
 * NIK_NOTE_KECAMATAN_UNKNOWN come with a 0 return (the NIK is accepted);
 * the NIK_ERR_* come with ERR_INVALID. Checks run in enum order and the
 * first failure is reported.
 */
enum nik_reason {
	NIK_OK = 0,
	NIK_ERR_LENGTH,             /* not 16 characters after trimming */
	NIK_ERR_DIGITS,             /* 16 characters, but not all ASCII digits */
	NIK_ERR_PROVINCE,           /* province code not in the region list */
	NIK_ERR_KABKOTA,            /* kabupaten/kota code not in that province */
	NIK_ERR_DATE,               /* DDMMYY (day minus 40 for women) is no real date */
	NIK_ERR_FUTURE,             /* birth date is today or later */
	NIK_ERR_SERIAL,             /* serial 0000 */
	NIK_NOTE_KECAMATAN_UNKNOWN, /* accepted; kecamatan code not in the current list */
};
#define NIK_REASON_COUNT 9

/*
 * Region lookup: return 1 if kode exists, 0 if not, or a negative ERR_*
 * (e.g. ERR_DB) if the lookup itself failed. kode is NUL-terminated and is
 * "PP", "PP.KK" or "PP.KK.CC".
 */
typedef int (*nik_region_fn)(void *ud, const char *kode);

/* What a NIK says. Filled as far as validation got (see nik_validate). */
typedef struct nik_info {
	char nik[NIK_LEN + 1];  /* the 16 digits, trimmed; "" if length or digits failed */
	char province[3];       /* "52" */
	char kabkota[6];        /* "52.71" */
	char kecamatan[9];      /* "52.71.01" */
	char ddmmyy[7];         /* the raw birth-date digits, "410295" */
	bool female;            /* day field was 41..71 */
	int32_t birth_day;      /* days since 1970-01-01 (core/calendar.h); valid when the
				   reason is NIK_OK, NIK_ERR_FUTURE, NIK_ERR_SERIAL or the note */
	int serial;             /* 0..9999 */
	size_t trimmed_len;     /* length after trimming whitespace */
	size_t bad_pos;         /* for NIK_ERR_DIGITS: 1-based position of the first non-digit */
} nik_info_t;

/*
 * Validates nik[0..len) (need not be NUL-terminated; may contain any bytes).
 * Leading and trailing ASCII whitespace is trimmed; nothing else is
 * forgiven (no dots, dashes or inner spaces).
 *
 * today_day is today's date as a day number (use the tenant's local day,
 * cal_local_day()). The two-digit year YY means 20YY if that date is not
 * after today, else 19YY. The birth date must be before today.
 *
 * fn may be NULL: then the region checks are skipped (format and date only).
 *
 * Returns 0 if the NIK is acceptable (*ret_reason NIK_OK or
 * NIK_NOTE_KECAMATAN_UNKNOWN), ERR_INVALID if not (*ret_reason says why), or
 * the callback's negative code if a lookup failed (*ret_reason NIK_OK then
 * means nothing). ret_info and ret_reason may be NULL. Never crashes on any
 * input.
 */
int nik_validate(const char *nik, size_t len, int32_t today_day, nik_region_fn fn, void *ud,
		 nik_info_t *ret_info, int *ret_reason);

/*
 * The message of a reason in Indonesian: a stable msgid for the English
 * catalogue, lower-case, possibly with one "%s" where the offending value
 * goes (e.g. "kode provinsi '%s' pada NIK tidak dikenal"). Never NULL; an
 * unknown reason gives a generic message.
 */
const char *nik_reason_message(int reason);

/*
 * Appends the message of reason to out with "%s" replaced by the offending
 * value from info (the province, "52.99", the DDMMYY digits, the date as
 * YYYY-MM-DD, the position of the bad character ...). nik is not needed
 * (info carries everything) and may be NULL; it is kept for callers that
 * have no info. With msg_or_null non-NULL, that (translated) template is
 * used instead of nik_reason_message(reason); only the first "%s" is
 * substituted and "%%" becomes "%" - it is never passed to printf.
 * Returns 0, or ERR_NOMEM if out's sticky error is set.
 */
int nik_reason_format(int reason, const nik_info_t *info, const char *nik, sb_t *out);
int nik_reason_format_msg(const char *msg_or_null, int reason, const nik_info_t *info, sb_t *out);

#endif
