#!/usr/bin/env python3
"""Audits Swift sources for SQL built from values: every string literal that reads as SQL
(an upper-case keyword) and interpolates (\\(...)) or is glued to a quote for concatenation is
listed, and any not in the allowlist (.ci/sql-audit-allow: path|expression|why it is safe) is
a failure. Values must reach SQL as bound parameters (?, $1). Usage: sql-audit.py ROOT [DIR...]
(default DIR: Sources). Exit 1 on any unlisted interpolation."""
import os, re, sys

root = sys.argv[1]
dirs = sys.argv[2:] or ["Sources"]
KW = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|LISTEN|NOTIFY|WHERE|VALUES|"
                r"ORDER BY|GROUP BY|LIMIT|FROM|JOIN|LIKE|ILIKE|SET|BEGIN|COMMIT|ON CONFLICT)\b")
LITERAL = re.compile(r'"""(.*?)"""|"((?:[^"\\\n]|\\.)*)"', re.S)
allow = set()
allow_file = os.path.join(root, ".ci", "sql-audit-allow")
if os.path.exists(allow_file):
    for line in open(allow_file, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            path, expr, _ = line.rstrip("\n").split("|", 2)
            allow.add((path, expr))

def interpolations(s):
    for m in re.finditer(r"\\\(", s):
        i, depth = m.end(), 1
        while i < len(s) and depth:
            depth += {"(": 1, ")": -1}.get(s[i], 0)
            i += 1
        yield s[m.end():i - 1]

found, bad = 0, []
for d in dirs:
    for dp, _, files in os.walk(os.path.join(root, d)):
        for f in sorted(files):
            if not f.endswith(".swift"):
                continue
            path = os.path.join(dp, f)
            rel = os.path.relpath(path, root)
            text = open(path, encoding="utf-8").read()
            for m in LITERAL.finditer(text):
                s = m.group(1) if m.group(1) is not None else m.group(2)
                if not KW.search(s):
                    continue
                line = text.count("\n", 0, m.start()) + 1
                exprs = list(interpolations(s))
                # 'value' glued on with +: a literal that opens or closes a SQL string.
                after = text[m.end():m.end() + 3].lstrip()
                before = text[max(0, m.start() - 3):m.start()].rstrip()
                if (s.rstrip().endswith("'") and after.startswith("+")) or (s.lstrip().startswith("'") and before.endswith("+")):
                    exprs.append("<concatenated into a quoted SQL string>")
                for e in exprs:
                    found += 1
                    if (rel, e) not in allow:
                        bad.append(f"{rel}:{line}: \\({e}) in SQL: {s.strip()[:80]!r}")
print(f"    {found} interpolations in SQL text, {found - len(bad)} allowlisted (identifiers, never values), {len(bad)} not")
for b in bad:
    print("    " + b)
sys.exit(1 if bad else 0)
