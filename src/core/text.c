/* text.c: the text rule of text.h. */
#include "core/text.h"

#include <stdint.h>

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
