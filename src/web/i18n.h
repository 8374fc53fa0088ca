/*
 * i18n.h: message catalogues (GNU gettext .po files) and language choice.
 *
 * Bahasa Indonesia is sigap's source language: the msgids in templates and
 * code ARE the Indonesian strings, and po/<lang>.po translates them (po/en.po
 * to English). A catalogue is parsed once at start-up into a hash table and
 * then only read, so any number of threads may call i18n_get() on it.
 *
 * Supported .po syntax: msgid/msgstr pairs; strings continued over several
 * "..." lines; the escapes \n \t \r \" \\ \a \b \f \v and octal \ooo;
 * comments (# ..., including #~ obsolete entries, which are ignored);
 * msgctxt (parsed, then ignored: the first entry of a msgid wins); the header
 * entry (msgid ""), which is not stored; "#, fuzzy" entries, which are
 * skipped; and plural entries (msgid_plural with msgstr[0..n]), of which
 * msgstr[0] is kept. Entries with an empty msgstr are not stored.
 */
#ifndef SIGAP_WEB_I18N_H
#define SIGAP_WEB_I18N_H

#include <stddef.h>

typedef struct i18n_catalog i18n_catalog_t;

/*
 * Parses len bytes of .po text (need not be NUL-terminated) into a new
 * catalogue in *ret, which the caller frees with i18n_catalog_free().
 *
 * Returns 0, ERR_INVALID on a syntax error (then "line N: message" is
 * written to err, which may be NULL when errlen is 0), or ERR_NOMEM. On
 * failure *ret is NULL. Duplicate msgids without msgctxt are an error, as
 * with msgfmt.
 */
int i18n_catalog_parse(const char *buf, size_t len, i18n_catalog_t **ret, char *err,
		       size_t errlen);

/* Frees c and all its strings. Accepts NULL. */
void i18n_catalog_free(i18n_catalog_t *c);

/*
 * Returns the translation of msgid, or msgid itself when c is NULL or has no
 * (non-empty) translation for it. Never NULL: a NULL msgid gives "". The
 * returned string belongs to c (or is msgid) and lives as long as it does.
 * O(1): one hash and usually one string compare.
 */
const char *i18n_get(const i18n_catalog_t *c, const char *msgid);

/* Number of stored translations (header, fuzzy and untranslated entries excluded). */
size_t i18n_count(const i18n_catalog_t *c);

/*
 * Picks the best of the n language codes in available (e.g. {"id", "en"})
 * for an HTTP Accept-Language header value.
 *
 * Ranges are weighed by their q-value (default 1, q=0 means "not this one");
 * the highest q wins, then an exact match beats a prefix match, then the
 * earlier range in the header wins. Matching ignores case, and a range
 * matches a code when either is a prefix of the other up to a '-':
 * "en-US" matches "en", and "en" matches "en-GB". The wildcard "*" matches
 * nothing here, so it yields def. Malformed ranges are skipped.
 *
 * Returns one of the available pointers, or def when accept_language is NULL,
 * empty, garbage or matches nothing.
 */
const char *i18n_negotiate(const char *accept_language, const char *const *available,
			   size_t n, const char *def);

#endif
