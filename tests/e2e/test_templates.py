"""
test_templates.py: checks on the HTML templates that no server run shows.

A form field's pattern="..." is compiled by browsers as a regular expression
with the 'v' flag (HTML's rule since 2023; Chromium does it). In that mode a
character class may not hold an unescaped - ( ) [ ] { } / | outside a range,
so "[a-z0-9._-]" is a syntax error: the browser logs it and drops the check
altogether. A browser journey found one; this test finds every other.

Runs under tests/e2e/run.py (each test takes the env) and standalone:
    python3 tests/e2e/test_templates.py
"""
import glob
import os
import re
import sys

from harness import backends

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PATTERN_RE = re.compile(r'\spattern="([^"]*)"')
RESERVED = set("()[]{}/-|")
DOUBLE = ("&&", "!!", "##", "$$", "%%", "**", "++", ",,", "..", "::", ";;", "<<", "==", ">>", "??", "@@",
          "^^", "``", "~~")


def v_mode_problems(pattern):
    """Why pattern would not compile with the 'v' flag (a list; empty if fine).
    Checks character classes only, which is where the 'v' flag differs for
    the patterns a form uses."""
    problems = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch != "[":
            i += 1
            continue
        # a class: tokens are (literal?, text)
        j = i + 1
        if j < n and pattern[j] == "^":
            j += 1
        tokens = []
        while j < n and pattern[j] != "]":
            if pattern[j] == "\\" and j + 1 < n:
                tokens.append(("lit", pattern[j:j + 2]))
                j += 2
            else:
                tokens.append(("raw", pattern[j]))
                j += 1
        if j >= n:
            problems.append("unclosed character class at %d" % i)
            break
        body = "".join(t for _, t in tokens)
        for d in DOUBLE:
            if d in body:
                problems.append("reserved double punctuator %r in [%s]" % (d, body))
        for k, (kind, text) in enumerate(tokens):
            if kind != "raw" or text not in RESERVED:
                continue
            if text == "-" and 0 < k < len(tokens) - 1 and \
                    tokens[k - 1][1] not in RESERVED and tokens[k + 1][1] not in RESERVED:
                continue        # a range, a-z
            problems.append("unescaped %r in [%s]" % (text, body))
        i = j + 1
    return problems


def all_patterns():
    found = []
    for path in sorted(glob.glob(os.path.join(REPO, "templates", "*.html"))):
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                for m in PATTERN_RE.finditer(line):
                    found.append((os.path.relpath(path, REPO), lineno, m.group(1)))
    return found


@backends("sqlite")      # files only: once is enough
def test_checker_itself(env=None):
    assert v_mode_problems("[a-z0-9._-]{3,64}") == ["unescaped '-' in [a-z0-9._-]"]
    assert v_mode_problems("[a-z0-9-]{2,40}")
    assert v_mode_problems("[(]x")
    assert v_mode_problems("[a..z]")
    assert v_mode_problems(r"[a-z0-9._\-]{3,64}") == []
    assert v_mode_problems("[0-9]{4}-[0-9]{2}") == []      # a - outside a class is fine
    assert v_mode_problems("[^a-z]") == []


@backends("sqlite")
def test_form_patterns_compile_in_v_mode(env=None):
    patterns = all_patterns()
    assert patterns, "no pattern attribute found under templates/: is the regular expression still right?"
    bad = ["%s:%d pattern=%r: %s" % (path, lineno, p, "; ".join(v_mode_problems(p)))
           for path, lineno, p in patterns if v_mode_problems(p)]
    assert not bad, "patterns a browser drops (escape the character with a backslash):\n" + "\n".join(bad)


if __name__ == "__main__":
    test_checker_itself()
    test_form_patterns_compile_in_v_mode()
    print("ok: %d pattern attributes" % len(all_patterns()))
    sys.exit(0)
