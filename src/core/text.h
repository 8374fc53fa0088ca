/*
 * text.h: what every module accepts as text typed by a person. One rule for
 * all: a name, a title, a description, a comment or a reason is valid UTF-8
 * (no overlong forms, no surrogates, nothing above U+10FFFF) with no control
 * character (C0 except tab and line breaks in multi-line fields, DEL, C1)
 * and no Unicode noncharacter (U+FDD0..U+FDEF, U+xFFFE and U+xFFFF of every
 * plane). Control characters are invisible and noncharacters are not
 * allowed in XML, so either, once published, would break a page, a PDF or
 * the Open311 XML answer for everybody.
 */
#ifndef SIGAP_TEXT_H
#define SIGAP_TEXT_H

#include <stddef.h>

/* 1 when s is clean text by the rule above (multiline: tab, LF and CR
 * allowed); 0 otherwise. NULL and "" are clean. */
int text_clean(const char *s, int multiline);

/* The number of characters (code points) of valid UTF-8 s; NULL is 0. */
size_t text_chars(const char *s);

/* Masks personal data in free text, in place, keeping its length: e-mail
 * addresses (all of the local part but its first character), 16-digit
 * NIK-like numbers (all but the first 4 and last 4 digits) and Indonesian
 * mobile numbers 08.../+62 8... (all but the first 4 and last 2 digits),
 * also when typed in groups separated by a space, '-' or '.'. Dates and
 * other numbers stay. Returns 1 when something was masked. NULL: 0. */
int text_mask_personal(char *s);

#endif
