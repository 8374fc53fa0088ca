/*
 * invite.h: a Pemda's officials added in one go from a CSV file, each
 * invited to choose their own password.
 *
 * A new Pemda has dozens of OPDs and hundreds of officials; its
 * administrator has a spreadsheet of them, not an afternoon for a form per
 * person, and should not have to invent and hand out hundreds of passwords.
 *
 * Guarantees:
 *  - All or nothing: a file with any bad row adds nobody; every bad row is
 *    reported (up to IMPORT_MAX_ERRORS) with its line and its column, so one
 *    round of corrections suffices.
 *  - The file is what a spreadsheet writes, read by core/csv.h: UTF-8 (a BOM
 *    is skipped), comma- or semicolon-separated (Excel in an Indonesian
 *    locale writes ';'; the header line decides), fields quoted with "..."
 *    and "" inside, CRLF or LF, blank lines ignored. The header names the columns in any order:
 *    username, nama, peran (required), opd, email, hp (optional; English
 *    names too: full_name, role, unit, phone).
 *  - Each row passes the rules of adding one user (user_check_fields):
 *    username pattern, name, a known role, an OPD for the OPD roles and none
 *    for the others; the OPD must exist in the tenant; an e-mail must be an
 *    address and a phone an Indonesian number by the rule of the account
 *    page and the complaint form (auth_phone_check); a username must be new
 *    both in the tenant and in the file.
 *  - Nobody gets a password from the administrator: each new account has
 *    none that can sign in, and a one-time link (password_resets, valid
 *    INVITE_TTL) to choose one. When the server sends e-mail and the row has
 *    an address, the link goes there, queued in the same transaction;
 *    otherwise it is returned once (the page shows it to the administrator,
 *    to hand over) and only its SHA-256 is stored.
 *  - The invitations are in one language, the administrator's choice
 *    (imp->lang, the form's default the server's `lang`): a new official has
 *    no language of their own yet. It becomes the accounts' users.lang, the
 *    language of their e-mails until they choose another on the site.
 *  - One transaction: the users, their links, their e-mails and an audit
 *    entry each ("user.add", summary "... invited"). A username taken
 *    meanwhile fails the whole import (ERR_EXISTS, with its line).
 */
#ifndef SIGAP_INVITE_H
#define SIGAP_INVITE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define IMPORT_MAX_ROWS 1000
#define IMPORT_MAX_BYTES (512 * 1024)
#define IMPORT_MAX_ERRORS 50
#define INVITE_TTL (7 * 24 * 3600)

typedef struct user_import_row {
	int line; /* in the file, 1 = the header */
	char username[72], full_name[128 * 4], role[24], unit[32], email[256], phone[24];
	char token[65], token_hash[65];
	int mailed; /* the link went by e-mail (after the commit) */
} user_import_row_t;

typedef struct user_import_error {
	int line;            /* 0: the file as a whole */
	char column[24];     /* "" when not one column's */
	const char *msgid;   /* Indonesian, to translate */
	char value[80];      /* what was there (cut), or "" */
} user_import_error_t;

typedef struct user_import {
	char tenant[16], tenant_name[160], actor[72], link_base[256];
	int64_t now;
	int mail; /* e-mail the links to rows with an address */
	char lang[4]; /* the invitations' language, "id" or "en" (the administrator's
		       * choice; also the new accounts' users.lang); "" = none chosen
		       * (the CLI, which mails nothing): users.lang stays NULL */
	user_import_row_t *rows; /* malloc'd */
	int n;
	user_import_error_t errs[IMPORT_MAX_ERRORS];
	int nerr, more_errors; /* errors beyond IMPORT_MAX_ERRORS, counted */
} user_import_t;

/* Reads csv[0..len) into imp->rows and checks each row on its own (no
 * database). 0 when every row is good; ERR_INVALID with imp->errs otherwise
 * (also for an empty file, a missing or unknown column, over
 * IMPORT_MAX_ROWS rows or IMPORT_MAX_BYTES); ERR_NOMEM. imp's tenant,
 * actor, now, mail, lang and link_base are the caller's to fill first. */
int user_import_parse(const char *csv, size_t len, user_import_t *imp);
/* The checks against the tenant's data (OPDs exist, usernames free), on a
 * reader, for the rows read (also after user_import_parse() refused some,
 * so that one answer names every problem); imp->errs then in the order of
 * the file. 0; ERR_EXISTS when every error is a username taken (a conflict,
 * 409), ERR_INVALID for any other; a store error. */
int user_import_check(store_conn_t *c, user_import_t *imp);
/* Draws each row's link token (before the transaction, so that a retried
 * transaction stores the same ones). */
void user_import_tokens(user_import_t *imp);
/* The store_tx_fn (ud = imp): checks again, adds every user with their
 * link, queues the e-mails, audits. ERR_INVALID / ERR_EXISTS with
 * imp->errs when the tenant changed since the check. */
int user_import_tx(store_conn_t *c, void *ud);
/* Frees imp->rows and wipes the tokens. */
void user_import_free(user_import_t *imp);

#endif
