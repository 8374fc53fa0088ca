/* text.c: the text rule of text.h. */
#include "core/text.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "core/banned.h"

/* Decodes one UTF-8 sequence at p into *cp: its length, or 0 when it is not
 * valid (truncated, overlong, a surrogate, above U+10FFFF). */
static size_t next_cp(const unsigned char *p, uint32_t *cp)
{
	uint32_t c = p[0], min;
	size_t n;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0)
		n = 2, c &= 0x1F, min = 0x80;
	else if ((c & 0xF0) == 0xE0)
		n = 3, c &= 0x0F, min = 0x800;
	else if ((c & 0xF8) == 0xF0)
		n = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0; /* also stops at the NUL of a truncated sequence */
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

int text_clean(const char *s, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	while (p && *p) {
		uint32_t c;
		size_t n = next_cp(p, &c);
		if (!n)
			return 0;
		if (c < 0x20 && !(multiline && (c == '\t' || c == '\n' || c == '\r')))
			return 0;
		if ((c >= 0x7F && c <= 0x9F) || (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE)
			return 0;
		p += n;
	}
	return 1;
}

size_t text_chars(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* ---------------------------------------------------------------- personal data in free text */

static int is_email_local(unsigned char ch)
{
	return isalnum(ch) || (ch && strchr("._%+-", ch));
}

static int is_email_domain(unsigned char ch)
{
	return isalnum(ch) || ch == '.' || ch == '-';
}

/* E-mail addresses: all of the local part but its first character. */
static int mask_emails(char *s)
{
	int masked = 0;
	for (char *at = strchr(s, '@'); at; at = strchr(at + 1, '@')) {
		char *l = at, *d = at + 1, *dot = NULL;
		int letters = 1;
		while (l > s && is_email_local((unsigned char)l[-1]))
			l--;
		if (l == at)
			continue;
		while (is_email_domain((unsigned char)*d))
			d++;
		while (d > at + 1 && (d[-1] == '.' || d[-1] == '-'))
			d--; /* the full stop ending a sentence */
		for (char *p = at + 1; p < d; p++)
			if (*p == '.')
				dot = p;
		if (!dot || dot == at + 1)
			continue;
		for (char *p = dot + 1; p < d; p++)
			if (!isalpha((unsigned char)*p))
				letters = 0; /* a numeric or odd last label: not an address */
		if (!letters || d - dot - 1 < 2)
			continue;
		if (at - l == 1)
			*l = '*';
		else
			for (char *p = l + 1; p < at; p++)
				*p = '*';
		masked = 1;
	}
	return masked;
}

#define MASK_GROUPS 8

/* Digits of groups [a, b] (separated by one space, '-' or '.'), as a
 * string in d; returns how many (at most 20, else 21). */
static size_t group_digits(char *const *start, char *const *end, int a, int b, char d[24])
{
	size_t n = 0;
	for (int g = a; g <= b; g++)
		for (char *p = start[g]; p < end[g]; p++) {
			if (n == 21)
				return n;
			d[n++] = *p;
		}
	d[n] = '\0';
	return n;
}

/* 1: NIK-like, 2: phone, 0: neither. first_len: digits of the first group. */
static int number_kind(const char *d, size_t n, size_t first_len, int plus)
{
	if (n == 16 && !plus)
		return 1;
	/* 08xx... (the first group holds at least "08x": "08.06.2026" is a date) */
	if (!plus && d[0] == '0' && d[1] == '8' && first_len >= 3 && n >= 10 && n <= 13)
		return 2;
	if (d[0] == '6' && d[1] == '2' && d[2] == '8' && n >= 11 && n <= 14)
		return 2;
	return 0;
}

/* NIK-like numbers and phone numbers. */
static int mask_numbers(char *s)
{
	int masked = 0;
	char *p = s;
	while (*p) {
		char *start[MASK_GROUPS], *end[MASK_GROUPS], d[24];
		int ng = 0, plus, best = -1, kind = 0;
		if (!isdigit((unsigned char)*p) || (p > s && isdigit((unsigned char)p[-1]))) {
			p++;
			continue;
		}
		plus = p > s && p[-1] == '+';
		/* the groups of this number */
		for (char *q = p; ng < MASK_GROUPS;) {
			start[ng] = q;
			while (isdigit((unsigned char)*q))
				q++;
			end[ng++] = q;
			if ((*q == ' ' || *q == '-' || *q == '.') && isdigit((unsigned char)q[1]))
				q++;
			else
				break;
		}
		/* from the first group that starts a match, the longest match */
		for (int a = 0; a < ng && best < 0; a++) {
			int pl = a == 0 && plus;
			for (int b = ng - 1; b >= a; b--) {
				size_t n = group_digits(start, end, a, b, d);
				if (n >= 10 && n <= 16 && (kind = number_kind(d, n, (size_t)(end[a] - start[a]), pl))) {
					size_t k = 0, keep_end = kind == 1 ? 4 : 2;
					for (int g = a; g <= b; g++)
						for (char *x = start[g]; x < end[g]; x++, k++)
							if (k >= 4 && k < n - keep_end)
								*x = '*';
					masked = 1;
					best = b;
					break;
				}
			}
		}
		p = best >= 0 ? end[best] : end[ng - 1];
	}
	return masked;
}

int text_mask_personal(char *s)
{
	int a, b;
	if (!s)
		return 0;
	a = mask_emails(s);
	b = mask_numbers(s);
	return a || b;
}

