#!/usr/bin/env python3
"""Bad input through the real binary: every malformed file gets a located error and exit 1,
never a crash, a hang or exit 0; a BOM and CRLF simply work.

usage: bad_input.py SINK SOURCE_ROOT
"""
import os
import random
import re
import subprocess
import sys
import tempfile

SINK, ROOT = os.path.abspath(sys.argv[1]), sys.argv[2]
LOCATED = re.compile(r"--> [^\n]*Sinkfile:\d+:\d+\n")
passed = failed = 0


def run(folder, args):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1", "HOME": folder}
    try:
        p = subprocess.run([SINK] + args, cwd=folder, env=env, capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        return None, "", "timed out after 30 s"
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def expect(name, content, status=1, located=True, message=None, args=None):
    """Writes `content` as the Sinkfile of a fresh folder, checks it, asserts the outcome."""
    global passed, failed
    with tempfile.TemporaryDirectory() as d:
        if content is not None:
            with open(os.path.join(d, "Sinkfile"), "wb") as f:
                f.write(content)
        code, out, err = run(d, args or ["check"])
        problems = []
        if code is None or code < 0:
            problems.append(f"crashed or hung: {err or code}")
        elif code != status:
            problems.append(f"exit {code}, expected {status}")
        if code == 1 and located and not LOCATED.search(err):
            problems.append("no file:line:col in the error")
        if code == 1 and "hint:" not in err:
            problems.append("no hint")
        if message and not re.search(message, err):
            problems.append(f"stderr lacks /{message}/")
        if problems:
            failed += 1
            print(f"not ok {name}: {'; '.join(problems)}\n  stderr: {err[:400]!r}")
        else:
            passed += 1


def main():
    rng = random.Random(2026)
    # Every prefix of a small example, and a sample of the larger ones' prefixes.
    hello = open(os.path.join(ROOT, "examples/hello/Sinkfile"), "rb").read()
    for n in range(0, len(hello) + 1):
        prefix = hello[:n]
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "Sinkfile"), "wb") as f:
                f.write(prefix)
            code, _, err = run(d, ["check"])
        global passed, failed
        if code in (0, 1) and (code == 0 or LOCATED.search(err)):
            passed += 1
        else:
            failed += 1
            print(f"not ok truncated hello at byte {n}: exit {code}: {err[:300]!r}")

    expect("binary garbage", bytes(rng.randrange(256) for _ in range(4096)))
    expect("NUL byte", b'step "s" {\n  run "a\x00b"\n}\n', message=r"Sinkfile:2:9\n[\s\S]*NUL|NUL[\s\S]*Sinkfile:2:9")
    expect("invalid UTF-8", b'fact a = "caf\xe9"\n', message=r"invalid UTF-8")
    expect("lone continuation byte", b"\x80", message=r"invalid UTF-8")
    expect("BOM and CRLF work", b'\xef\xbb\xbf# c\r\nstep "s" {\r\n  run "true"\r\n}\r\n', status=0)
    expect("10 MB single line, valid", b'step "s" { run "' + b"a" * (10 << 20) + b'" }', status=0)
    expect("10 MB single line, garbage", b"x" * (10 << 20))
    expect("100000 nested parentheses", b'step "s" { when ' + b"(" * 100000 + b'true run "x" }', message="nesting too deep")
    expect("100000 nested platform blocks", b"platform linux {\n" * 100000, message="nesting too deep")
    expect("100000 nots", b'step "s" { when ' + b"not " * 100000 + b'true run "x" }', message="nesting too deep")
    steps = b"".join(b'step "s%d" { run "x" }\n' % i for i in range(100001))
    expect("100001 steps in one file", steps, message=r"Sinkfile:100001:1[\s\S]*too many steps|too many steps[\s\S]*Sinkfile:100001:1")
    facts = b"".join(b'fact f%d = "x"\n' % i for i in range(100001))
    expect("100001 facts in one file", facts, message=r"too many facts and questions")
    chain = b'fact f0 = "x"\n' + b"".join(b'fact f%d = "{{f%d}}"\n' % (i, i - 1) for i in range(1, 100000))
    expect("a chain of 100000 facts", chain + b'step "s" { run "echo {{f99999}}" }\n', message=r"Sinkfile:101:6[\s\S]*chain|chain of 101 values")
    expect("unterminated string names its line", b'step "s" {\n  run "echo\n}\n', message=r"line 2, column 7")
    expect("unterminated block names its line", b'\n\nstep "s" {\n  run "x"\n', message=r"line 3, column 10")
    expect("unterminated block string", b'step "s" {\n  run """\n  x\n', message=r"line 2, column 7")
    expect("missing file", None, args=["check", "missing.sink"], located=False, message=r"cannot read `missing.sink`")
    expect("directory as FILE", None, args=["check", "."], located=False, message=r"is a directory")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
