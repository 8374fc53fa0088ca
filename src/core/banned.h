/*
 * banned.h: functions that are easy to misuse are compile errors in sigap.
 * Include it last in every .c file of src/. Use sb_* (sb.h), snprintf and
 * strtol/strtoll with end-pointer checks instead.
 */
#ifndef SIGAP_BANNED_H
#define SIGAP_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_sigap

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)

#endif
