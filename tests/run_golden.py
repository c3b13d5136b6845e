#!/usr/bin/env python3
"""Golden end-to-end tests: each folder under tests/cases/ is run through the real binary.

A case folder holds the files the command reads (usually a Sinkfile), an optional `args`
file (the command line after `sink`, split like a shell would; default `check`), and
`expected`: the exit status, stdout and stderr the command must produce exactly:

    status: 1
    --- stdout
    ...
    --- stderr
    ...

The command runs in the case folder with NO_COLOR=1 and HOME set to the folder.
usage: run_golden.py SINK CASES_DIR [--update] [NAME...]
"""
import os
import shlex
import subprocess
import sys


def render(status, out, err):
    return f"status: {status}\n--- stdout\n{out}--- stderr\n{err}"


def run_case(sink, folder):
    args_file = os.path.join(folder, "args")
    args = ["check"]
    if os.path.exists(args_file):
        with open(args_file, encoding="utf-8") as f:
            args = shlex.split(f.read())
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1", "HOME": folder, "LANG": "C.UTF-8"}
    stdin_file = os.path.join(folder, "stdin")
    stdin = open(stdin_file, "rb") if os.path.exists(stdin_file) else subprocess.DEVNULL
    try:
        proc = subprocess.run([sink] + args, cwd=folder, env=env, stdin=stdin, capture_output=True, timeout=60)
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()
    if proc.returncode < 0:
        return None, f"killed by signal {-proc.returncode}"
    return render(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")), None


def main():
    argv = sys.argv[1:]
    update = "--update" in argv
    argv = [a for a in argv if a != "--update"]
    sink, cases_dir, only = os.path.abspath(argv[0]), argv[1], set(argv[2:])
    names = sorted(n for n in os.listdir(cases_dir) if os.path.isdir(os.path.join(cases_dir, n)))
    passed = failed = 0
    for name in names:
        if only and name not in only:
            continue
        folder = os.path.abspath(os.path.join(cases_dir, name))
        actual, crash = run_case(sink, folder)
        expected_file = os.path.join(folder, "expected")
        if crash:
            failed += 1
            print(f"not ok {name}: {crash}")
            continue
        if update:
            with open(expected_file, "w", encoding="utf-8") as f:
                f.write(actual)
        try:
            with open(expected_file, encoding="utf-8") as f:
                expected = f.read()
        except FileNotFoundError:
            expected = None
        if actual == expected:
            passed += 1
            print(f"ok {name}")
        else:
            failed += 1
            print(f"not ok {name}")
            if expected is None:
                print("  no `expected` file; run with --update to create it")
            else:
                import difflib
                for line in difflib.unified_diff(expected.splitlines(), actual.splitlines(), "expected", "actual", lineterm=""):
                    print("  " + line)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
