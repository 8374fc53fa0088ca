/*
 * register.h (web): citizens' self-registration pages (register.c).
 */
#ifndef SIGAP_WEB_REGISTER_H
#define SIGAP_WEB_REGISTER_H

#include "http/http.h"

int h_register_form(req_t *r); /* GET  /t/{tenant}/daftar */
int h_register(req_t *r);      /* POST /t/{tenant}/daftar */

#endif
