#!/usr/bin/env python3
"""Prints the files to embed in the binary (templates/*.html, static/*, po/*.po),
one per line, relative to the repository root. Meson runs it at configure time;
after adding a file, run `meson setup --reconfigure build` (make does it)."""
import glob
import os

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
files = []
for pattern in ('templates/*.html', 'static/*', 'po/*.po'):
    files += sorted(glob.glob(os.path.join(root, pattern)))
print('\n'.join(os.path.relpath(f, root) for f in files))
