#!/usr/bin/env python3
"""Checks that po/en.po (with the po/en-MODULE.po fragments) translates every msgid that sigap uses.

msgids are collected from templates/*.html ({{_ text}}) and from src/**/*.c
(N_("..."), req_t_(r, "..."), http_error(r, CODE, "...")). Indonesian is the
source language, so a msgid is the Indonesian text itself.

The names of the national holidays and cuti bersama in data/holidays/*.tsv are msgids too (the
pages translate a national day's name); their msgstr must be the file's name_en.

Each msgstr must have its msgid's printf conversions (%s, %d, %.*s, %%...) in the same order:
a translation is used as the format wherever its msgid is, with the same arguments (sigap's
catalogue parser refuses one that does not, src/web/i18n.c).

  scripts/po-check.py            exit 1 and list what is missing, empty or mismatched
  scripts/po-check.py --update   append missing msgids to po/en.po (empty msgstr)
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# a msgid is one string literal or several adjacent ones (as C joins them)
LIT = r'((?:"(?:[^"\\]|\\.)*"\s*)+)'
C_PATTERNS = [
    re.compile(r'\bN_\(\s*' + LIT + r'\)'),
    re.compile(r'\breq_t_\(\s*\w+\s*,\s*' + LIT + r'\)'),
    re.compile(r'\bhttp_error\(\s*\w+\s*,\s*\w+\s*,\s*' + LIT + r'\)'),
]
PIECE = re.compile(r'"((?:[^"\\]|\\.)*)"')


def joined(lits):
    return ''.join(PIECE.findall(lits))
TMPL = re.compile(r'\{\{_\s+(.*?)\s*\}\}', re.S)


def c_unescape(s):
    return bytes(s, 'utf-8').decode('unicode_escape').encode('latin-1').decode('utf-8')


def used():
    ids = {}
    for f in sorted(glob.glob(os.path.join(ROOT, 'src', '**', '*.c'), recursive=True)):
        text = open(f, encoding='utf-8').read()
        for pat in C_PATTERNS:
            for m in pat.finditer(text):
                ids.setdefault(c_unescape(joined(m.group(1))), os.path.relpath(f, ROOT))
    for f in sorted(glob.glob(os.path.join(ROOT, 'templates', '*.html'))):
        for m in TMPL.finditer(open(f, encoding='utf-8').read()):
            ids.setdefault(m.group(1), os.path.relpath(f, ROOT))
    for name_id in holiday_names():
        ids.setdefault(name_id, 'data/holidays')
    return ids


def holiday_names():
    """{name_id: name_en} of the national holiday lists (data/holidays/*.tsv, with a header line)."""
    names = {}
    for f in sorted(glob.glob(os.path.join(ROOT, 'data', 'holidays', '*.tsv'))):
        rows = [line.rstrip('\n').split('\t') for line in open(f, encoding='utf-8')]
        head = rows[0]
        for row in rows[1:]:
            if len(row) == len(head):
                rec = dict(zip(head, row))
                names.setdefault(rec['name_id'], rec['name_en'])
    return names


CONV = re.compile(r"%[0-9$\-+ #'.*]*[hljztLq]*.?", re.S)


def conversions(s):
    return CONV.findall(s)


def po_entries(path):
    entries, cur, key = {}, {}, None
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('msgid '):
            if 'msgid' in cur:
                entries[cur['msgid']] = cur.get('msgstr', '')
            cur, key = {'msgid': eval(line[6:])}, 'msgid'
        elif line.startswith('msgstr '):
            cur['msgstr'], key = eval(line[7:]), 'msgstr'
        elif line.startswith('"') and key:
            cur[key] += eval(line)
    if 'msgid' in cur:
        entries[cur['msgid']] = cur.get('msgstr', '')
    return entries


def po_quote(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'


def main():
    po = os.path.join(ROOT, 'po', 'en.po')
    ids, have, where, dups = used(), {}, {}, []
    for f in sorted(glob.glob(os.path.join(ROOT, 'po', 'en*.po'))):
        for k, v in po_entries(f).items():
            if k and k in where:
                dups.append((k, where[k], os.path.basename(f)))
            where[k] = os.path.basename(f)
            have[k] = v
    missing = [m for m in ids if m not in have]
    mismatched = [(k, v) for k, v in have.items() if k and v and conversions(k) != conversions(v)]
    empty = [m for m in ids if m in have and not have[m]]
    # a holiday's English name is the list's own (a new year's file brings its names)
    holidays = [(k, v, have[k]) for k, v in holiday_names().items() if have.get(k) and have[k] != v]
    if '--update' in sys.argv:
        with open(po, 'a', encoding='utf-8') as fh:
            for m in missing:
                fh.write('\n#: %s\nmsgid %s\nmsgstr ""\n' % (ids[m], po_quote(m)))
        print('added %d msgids to po/en.po' % len(missing))
        return 0
    for m, a, b in dups:
        print('defined twice: %r in %s and %s (keep one; the catalogue refuses duplicates)' % (m, a, b))
    for m in missing:
        print('missing in po/en.po: %r (%s)' % (m, ids[m]))
    for m in empty:
        print('untranslated in po/en.po: %r (%s)' % (m, ids[m]))
    for k, v, got in holidays:
        print('holiday %r: msgstr %r, data/holidays says %r' % (k, got, v))
    for k, v in mismatched:
        print('conversions differ in %s: msgid %r has %s, msgstr %r has %s'
              % (where[k], k, ' '.join(conversions(k)) or 'none', v, ' '.join(conversions(v)) or 'none'))
    print('%d msgids used, %d missing, %d untranslated, %d with other conversions'
          % (len(ids), len(missing), len(empty), len(mismatched)))
    return 1 if missing or empty or dups or mismatched or holidays else 0


if __name__ == '__main__':
    sys.exit(main())
