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
import time

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


def expect_tree(name, files, status=1, message=None, absent=None, args=None, located=True, seconds=30):
    """Like expect, in a folder `project/` laid out by `files` (path: bytes, or
    ("symlink", target), or "fifo"), next to a file `outside/creds` that holds a token;
    `absent` must not be in stderr."""
    global passed, failed
    with tempfile.TemporaryDirectory() as top:
        os.mkdir(os.path.join(top, "outside"))
        for name in ("creds", "creds.sink"):
            with open(os.path.join(top, "outside", name), "w") as f:
                f.write("https://user:ghp_TOKEN1234@github.com\n")
        d = os.path.join(top, "project")
        os.mkdir(d)
        for path, what in files.items():
            full = os.path.join(d, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            if what == "fifo":
                os.mkfifo(full)
            elif isinstance(what, tuple):
                os.symlink(what[1], full)
            else:
                with open(full, "wb") as f:
                    f.write(what)
        started = time.monotonic()
        code, out, err = run(d, args or ["check"])
        problems = []
        if code is None or code < 0:
            problems.append(f"crashed or hung: {err or code}")
        elif code != status:
            problems.append(f"exit {code}, expected {status}")
        elif time.monotonic() - started > seconds:
            problems.append(f"took {time.monotonic() - started:.1f} s")
        if code == 1 and located and not re.search(r"--> [^\n]*:\d+:\d+\n", err):
            problems.append("no file:line:col in the error")
        if code == 1 and "hint:" not in err:
            problems.append("no hint")
        if message and not re.search(message, err):
            problems.append(f"stderr lacks /{message}/")
        if absent and absent in out + err:
            problems.append(f"output shows {absent!r}")
        if problems:
            failed += 1
            print(f"not ok {name}: {'; '.join(problems)}\n  stderr: {err[:600]!r}")
        else:
            passed += 1


def modules():
    """Modules: only regular `.sink` files inside the root file's project; bounded reads;
    deep chains and cycles through symlinks end in a located error."""
    use = lambda p: b'use "' + p.encode() + b'"\nstep "s" { run "true" }\n'
    token = "ghp_TOKEN1234"
    expect_tree("module outside the project (../)", {"Sinkfile": use("../outside/creds.sink")},
                message=r"E250[\s\S]*Sinkfile:1:5[\s\S]*hint:.*inside", absent=token)
    expect_tree("module that is not a .sink file", {"Sinkfile": use("../outside/creds")},
                message=r"E250[\s\S]*does not name a `\.sink` file", absent=token)
    expect_tree("module through a symlink out of the project", {"Sinkfile": use("./creds.sink"),
                "creds.sink": ("symlink", "../outside/creds")},
                message=r"E250[\s\S]*outside [\s\S]*through a symlink", absent=token)
    expect_tree("module symlink to /dev/zero", {"Sinkfile": use("./zero.sink"), "zero.sink": ("symlink", "/dev/zero")},
                message=r"E250", seconds=10)
    expect_tree("module that is a FIFO", {"Sinkfile": use("./pipe.sink"), "pipe.sink": "fifo"},
                message=r"E250[\s\S]*FIFO, not a regular file", seconds=10)
    expect_tree("module in the git repository above the root file", {".git/HEAD": b"ref: x\n",
                "app/Sinkfile": use("../common.sink"), "common.sink": b'fact c = "1"\n'},
                status=0, args=["check", "app/Sinkfile"])
    expect_tree("module above the root file, no git repository", {"app/Sinkfile": use("../common.sink"),
                "common.sink": b'fact c = "1"\n'}, args=["check", "app/Sinkfile"], message=r"E250[\s\S]*outside")
    expect_tree("module cycle through a symlink to .", {"Sinkfile": use("./a.sink"), "a.sink": use("./loop/a.sink"),
                "loop": ("symlink", ".")}, message=r"E251[\s\S]*import cycle: a\.sink -> a\.sink\n")
    chain = {"Sinkfile": use("./m1.sink")}
    chain.update({f"m{i}.sink": b'use "./m%d.sink"\n' % (i + 1) for i in range(1, 10000)})
    chain["m10000.sink"] = b'fact last = "1"\n'
    for command in (["check"], ["plan", "--platform", "ubuntu"]):
        expect_tree(f"a chain of 10000 modules ({command[0]})", chain, args=command,
                    message=r"E254[\s\S]*more than 100 levels[\s\S]*m100\.sink:1:5")
    deep = {"Sinkfile": use("./m1.sink")}
    deep.update({f"m{i}.sink": b'use "./m%d.sink"\n' % (i + 1) for i in range(1, 100)})
    deep["m100.sink"] = b'fact last = "1"\n'
    expect_tree("a chain of 100 modules works", deep, status=0)
    expect_tree("module larger than 64 MiB", {"Sinkfile": use("./big.sink"), "big.sink": b"#" * ((64 << 20) + 1)},
                message=r"E108[\s\S]*big\.sink:1:1")
    expect_tree("root file /dev/zero: bounded read", {}, args=["check", "/dev/zero"], message=r"E108")
    expect_tree("--vars /dev/zero: bounded read", {"Sinkfile": b'ask a "A?"\nstep "s" { run "echo {{a}}" }\n'},
                args=["plan", "--vars", "/dev/zero"], located=False, message=r"E410[\s\S]*larger than 64 MiB")


def habits():
    """Shell habits in conditions and lists: a located error that names the Sinkfile's word."""
    facts = b'fact a: bool = sh "x"\nfact b: bool = sh "y"\nfact node: version = sh "node --version"\n'
    step = lambda cond: facts + b'step "s" {\n  when ' + cond + b'\n  run "true"\n}\n'
    expect("&& in a condition", step(b"a && b"), message=r"E111\].*write `and`\n  --> Sinkfile:5:10\n")
    expect("|| in a condition", step(b"(a || b)"), message=r"E111\].*write `or`\n  --> Sinkfile:5:11\n")
    expect("! in a condition", step(b"a and !b"), message=r"E111\].*write `not`\n  --> Sinkfile:5:14\n")
    expect("= in a condition", step(b'os = "linux"'), message=r"E111\].*write `==`\n  --> Sinkfile:5:11\n")
    expect("an unquoted version", step(b"node >= 20.1"), message=r"E111\].*in quotes\n  --> Sinkfile:5:16\n[\s\S]*\"20.1\"")
    expect("a command as a condition", step(b"command -v brew"),
           message=r'E111\].*cannot run a command\n  --> Sinkfile:5:16\n[\s\S]*skip if sh "command -v brew"')
    expect("[ ] as a condition", step(b"[ -f x ]"), message=r"E111\].*shell's test[\s\S]*Sinkfile:5:8\n")
    expect("a quoted command as a condition", step(b'"command -v git"'),
           message=r'E231\][\s\S]*Sinkfile:5:8\n[\s\S]*did you mean `when sh "command -v git"`')
    expect("!= still works", step(b'os != "linux" and not a'), status=0)
    expect("choices without commas", b'ask s "Shell?" choices "zsh" "bash"\nstep "s" { run "echo {{s}}" }\n',
           message=r"E104\].*`,` between two choices[\s\S]*Sinkfile:1:30[\s\S]*separated by commas")


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
    expect("a value as the argument of sudo's last option", b'step "s" { run "sudo -u {{user}}" }\n', status=0)
    expect("100000 nested parentheses", b'step "s" { when ' + b"(" * 100000 + b'true run "x" }', message="nesting too deep")
    expect("100000 nested platform blocks", b"platform linux {\n" * 100000, message="nesting too deep")
    expect("100000 nots", b'step "s" { when ' + b"not " * 100000 + b'true run "x" }', message="nesting too deep")
    steps = b"".join(b'step "s%d" { run "x" }\n' % i for i in range(100001))
    expect("100001 steps in one file", steps, message=r"Sinkfile:100001:1[\s\S]*too many steps|too many steps[\s\S]*Sinkfile:100001:1")
    # A repeated field is found by one look-up, not a search of the fields before it (regression:
    # 300000 unknown fields, then 300000 repeated ones, took minutes).
    fields = b"  foo\n" * 300000 + b'  dir "x"\n' * 300000
    expect("a step of 600000 fields", b'step "s" {\n' + fields + b'  run "x"\n}\n', message=r"`dir` appears twice")
    facts = b"".join(b'fact f%d = "x"\n' % i for i in range(100001))
    expect("100001 facts in one file", facts, message=r"too many facts and questions")
    chain = b'fact f0 = "x"\n' + b"".join(b'fact f%d = "{{f%d}}"\n' % (i, i - 1) for i in range(1, 100000))
    expect("a chain of 100000 facts", chain + b'step "s" { run "echo {{f99999}}" }\n', message=r"Sinkfile:101:6[\s\S]*chain|chain of 101 values")
    expect("unterminated string names its line", b'step "s" {\n  run "echo\n}\n', message=r"line 2, column 7")
    expect("unterminated block names its line", b'\n\nstep "s" {\n  run "x"\n', message=r"line 3, column 10")
    expect("unterminated block string", b'step "s" {\n  run """\n  x\n', message=r"line 2, column 7")
    expect("missing file", None, args=["check", "missing.sink"], located=False, message=r"cannot read `missing.sink`")
    expect("directory as FILE", None, args=["check", "."], located=False, message=r"is a directory")
    modules()
    habits()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
