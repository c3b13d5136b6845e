#!/usr/bin/env python3
"""Docs that cannot drift from the product.

1. Every ```sink example in docs/*.md and README.md is a whole Sinkfile that
   `sink check` accepts without errors, unless a comment in it names codes (`# E201`,
   `# W301 ...`): then check reports each of those codes (and exits 1 when one is an
   error). A ```sink example whose first line is `# module: NAME.sink` is written next to
   the example that follows it instead of being checked alone (a module and its user).
2. Every diagnostic code used in src/ appears in the table of docs/diagnostics.md, and
   every code in that table is used in src/ (src/diag/codes.hpp, the table of codes, is
   left out: tests/unit/codes_test.cpp compares it with the docs).
3. Each example of that table that is a Sinkfile (it starts with a declaration keyword)
   of a code that `sink check` reports (E1xx, E2xx, W3xx) makes `sink check` report it.

usage: docs_test.py SINK SOURCE_ROOT
"""
import os
import re
import subprocess
import sys
import tempfile

SINK, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
CODE = re.compile(r"\b([EW]\d{3})\b")
passed = failed = 0


def report(ok, name, why=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"not ok {name}: {why}")


def examples():
    """(file, line, text) of each ```sink block."""
    files = sorted(os.path.join(ROOT, "docs", f) for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md"))
    for path in files + [os.path.join(ROOT, "README.md")]:
        lines = open(path, encoding="utf-8").read().split("\n")
        i = 0
        while i < len(lines):
            if lines[i].strip() == "```sink":
                start, body = i + 1, []
                i += 1
                while i < len(lines) and lines[i].strip() != "```":
                    body.append(lines[i])
                    i += 1
                yield os.path.relpath(path, ROOT), start + 1, "\n".join(body) + "\n"
            i += 1


def expected_codes(text):
    """The codes named in the example's comments (text after a `#` outside quotes)."""
    codes = []
    for line in text.split("\n"):
        quote, comment = None, None
        for j, c in enumerate(line):
            if quote:
                if c == quote:
                    quote = None
            elif c in "\"'":
                quote = c
            elif c == "#":
                comment = line[j:]
                break
        if comment:
            codes += [c for c in CODE.findall(comment) if c not in codes]
    return codes


def check_examples():
    modules = {}
    for where, line, text in examples():
        name = f"{where}:{line}"
        first = text.split("\n", 1)[0]
        m = re.match(r"#\s*module:\s*(\S+)", first)
        if m:
            modules[m.group(1)] = text
            continue
        p = run_check(text, modules)
        modules = {}
        want = expected_codes(text)
        got = set(re.findall(r"^(?:error|warning)\[([EW]\d{3})\]", p.stderr, re.M))
        if p.returncode < 0 or p.returncode > 1:
            report(False, name, f"sink check exited {p.returncode}: {p.stderr[:300]}")
        elif not want:
            report(p.returncode == 0, name, f"the example names no code, but check fails:\n{p.stderr[:600]}")
        else:
            missing = [c for c in want if c not in got]
            errors = any(c.startswith("E") for c in want)
            unexpected = sorted(c for c in got if c.startswith("E") and c not in want)
            ok = not missing and not unexpected and (p.returncode == 1) == errors
            report(ok, name, f"named {want}, check reported {sorted(got)} (exit {p.returncode}):\n{p.stderr[:600]}")


def run_check(text, files=None):
    with tempfile.TemporaryDirectory() as d:
        for path, body in (files or {}).items():
            os.makedirs(os.path.dirname(os.path.join(d, path)), exist_ok=True)
            with open(os.path.join(d, path), "w", encoding="utf-8") as f:
                f.write(body)
        with open(os.path.join(d, "Sinkfile"), "w", encoding="utf-8") as f:
            f.write(text)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1", "HOME": d}
        return subprocess.run([SINK, "check"], cwd=d, env=env, capture_output=True, text=True, timeout=30)


def check_table_examples():
    table = open(os.path.join(ROOT, "docs", "diagnostics.md"), encoding="utf-8").read()
    rows = re.findall(r"^\| ([EW][123]\d\d) \| (?:error|warning) \| .* \| `([^`]+)` \|$", table, re.M)
    tried = 0
    for code, example in rows:
        if not re.match(r"(use|fact|ask|env|step|platform|helper)\b", example):
            continue
        tried += 1
        p = run_check(example.replace("\\|", "|") + "\n")
        got = re.findall(r"^(?:error|warning)\[([EW]\d{3})\]", p.stderr, re.M)
        report(code in got, f"diagnostics.md example of {code}", f"`{example}` gives {got}:\n{p.stderr[:400]}")
    report(tried > 40, "diagnostics.md table examples found", f"only {tried}: is the pattern still right?")


def check_codes():
    in_source = set()
    for top, _, names in os.walk(os.path.join(ROOT, "src")):
        for n in names:
            if n.endswith((".cpp", ".hpp")) and os.path.join(top, n) != os.path.join(ROOT, "src", "diag", "codes.hpp"):
                in_source |= set(CODE.findall(open(os.path.join(top, n), encoding="utf-8").read()))
    table = set(re.findall(r"^\| ([EW]\d{3}) \|", open(os.path.join(ROOT, "docs", "diagnostics.md"), encoding="utf-8").read(), re.M))
    for code in sorted(in_source - table):
        report(False, f"code {code}", "in src/ but not in the table of docs/diagnostics.md")
    for code in sorted(table - in_source):
        report(False, f"code {code}", "in docs/diagnostics.md but nowhere in src/")
    report(len(in_source) > 40, "codes found in src/", f"only {len(in_source)}: is the pattern still right?")
    report(in_source == table, "codes of src/ and docs/diagnostics.md are the same")


check_examples()
check_table_examples()
check_codes()
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
