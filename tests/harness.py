"""What the Python test scripts share: a failure, a check that shows a command's output,
and the result of running one."""

import os
import shutil
import sys
import tempfile
import traceback


def other_processes(with_state=False):
    """(pid, command line) of every process but this one, read from /proc; with
    `with_state`, (pid, command line, state letter). A process that ends while it is read
    is left out."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
            if not with_state:
                yield int(entry), cmdline
                continue
            with open(f"/proc/{entry}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        yield int(entry), cmdline, state


class Fail(Exception):
    pass


class Result:
    def __init__(self, code, out, err, seconds=0.0):
        self.code, self.out, self.err, self.seconds = code, out, err, seconds

    @property
    def both(self):
        return self.out + self.err


def check(cond, why, result=None):
    """Fails with `why`, and with the exit status and the end of stdout and stderr of
    `result` when there is one."""
    if not cond:
        if result is not None:
            why += f"\n  exit {result.code}\n  stdout: {result.out[-1500:]!r}\n  stderr: {result.err[-1500:]!r}"
        raise Fail(why)


class Tally:
    """Counts results, prints `ok NAME` / `not ok NAME` lines and the closing
    `N passed, N failed` line."""

    def __init__(self, detail_lines=40):
        self.passed = self.failed = 0
        self.detail_lines = detail_lines

    def report(self, ok, name, detail=""):
        if ok:
            self.passed += 1
            print(f"ok {name}")
            return
        self.failed += 1
        print(f"not ok {name}")
        for line in str(detail).rstrip("\n").splitlines()[: self.detail_lines]:
            print("  " + line)

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0

    def run(self, name, fn, case):
        """Runs one test on `case`, reports it (a failure with its reason, or the traceback
        of an unexpected error) and cleans the case up."""
        try:
            fn(case)
        except Fail as e:
            self.failed += 1
            print(f"not ok {name}: {e}", flush=True)
        except Exception:
            self.failed += 1
            print(f"not ok {name}: {traceback.format_exc()}", flush=True)
        else:
            self.passed += 1
            print(f"ok {name}", flush=True)
        finally:
            case.cleanup()


class Registry:
    """The tests of a script, in order: `@tests("name")` above a function registers it."""

    def __init__(self):
        self.entries = []

    def __call__(self, name):
        def register(fn):
            self.entries.append((name, fn))
            return fn

        return register

    def run(self, only, make_case, prefix):
        """Runs every test whose name contains one of `only` (all when empty), each on
        `make_case(folder)` in a fresh temporary folder; exits with the tally's status."""
        sys.stdout.reconfigure(errors="backslashreplace")
        tally = Tally()
        for name, fn in self.entries:
            if only and not any(o in name for o in only):
                continue
            folder = tempfile.mkdtemp(prefix=prefix)
            try:
                tally.run(name, fn, make_case(folder))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        sys.exit(tally.finish())
