/*
 * nls.h: marks a string literal as a msgid for the message catalogues
 * without translating it where it stands (gettext's N_ convention). The
 * string is translated later, in the request's language, by req_t_() or by
 * a template's {{_ ...}}. scripts/po-check.py collects every N_("..."),
 * req_t_(r, "...") and http_error(r, code, "...") literal and every
 * {{_ ...}} of templates/, and fails when po/en.po lacks one of them.
 */
#ifndef SIGAP_NLS_H
#define SIGAP_NLS_H

#define N_(s) (s)

#endif
