#!/usr/bin/env bash
# Static analysis of src/ with cppcheck (Debian 12: cppcheck 2.10), the checks
# "warning" and "portability"; any finding fails the run (docs/testing.md).
# A false positive is silenced on its line, with the reason:
#   /* cppcheck-suppress ID ; why it cannot happen */
# (nik.c's is silenced here: cppcheck 2.10 takes &tmp of an uninitialised
# variable for a read of it). jansson's foreach macros come from
# scripts/cppcheck-jansson.cfg. About half a minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cppcheck -j2 -q --error-exitcode=1 --enable=warning,portability --inline-suppr --std=c11 -I src \
	--library=scripts/cppcheck-jansson.cfg --suppress=uninitvar:src/tenants/nik.c "$@" src
