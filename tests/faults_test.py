"""Process-level faults, through the real binary: sink's output going nowhere (a full disk,
a read-only or unwritable place for `sink fmt`), steps that close their output early,
flood it or die of a signal, and facts whose output is no value (a NUL byte, megabytes,
escape sequences). Each must end in a clear message, and nothing may be lost: `sink fmt`
leaves a file either as it was or formatted, never half written, and no temporary file.

A full disk is made two ways: /dev/full (ENOSPC on every write) for standard output, and
a file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored: EFBIG) for the file `sink fmt`
writes. Places sink may not write are made with modes, and when this runs as root (who
ignores modes) by running sink as `nobody` through setpriv.

usage: faults_test.py SINK SOURCE_ROOT [NAME-SUBSTRING...]
Prints `ok NAME` or `not ok NAME: why` per test, then `N passed, N failed`.
"""
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys

from harness import Fail, Registry, Result, check

SINK, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
ONLY = sys.argv[3:]
HANG = 120  # seconds: an upper bound against hangs, never a performance threshold
test = Registry()
AS_ROOT = os.geteuid() == 0

UNFORMATTED = 'step   "a"{run "echo a"}\nfact   x="1"\nstep "b" { run "echo {{x}}" }\n'


class Case:
    def __init__(self, folder):
        self.dir = folder
        os.chmod(folder, 0o755)
        # A copy of sink that any user may run (the build folder may not be reachable).
        self.sink_path = os.path.join(folder, "sink")
        shutil.copy(SINK, self.sink_path)
        os.chmod(self.sink_path, 0o755)
        self.work = os.path.join(folder, "work")
        os.mkdir(self.work)

    def path(self, name):
        return os.path.join(self.work, name)

    def write(self, name, text, mode=0o644):
        with open(self.path(name), "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(self.path(name), mode)
        return self.path(name)

    def read(self, name):
        with open(self.path(name), encoding="utf-8", errors="replace") as f:
            return f.read()

    def sink(self, *args, stdin=None, stdout=None, as_other_user=False, file_size_limit=None, cwd=None):
        env = {"PATH": "/usr/bin:/bin", "HOME": self.dir, "NO_COLOR": "1", "LANG": "C.UTF-8"}
        argv = [self.sink_path, *args]
        if as_other_user:
            argv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *argv]

        def limits():
            if file_size_limit is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # stays ignored through exec
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

        try:
            p = subprocess.run(argv, cwd=cwd or self.work, env=env, stdin=stdin or subprocess.DEVNULL,
                               stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, timeout=HANG,
                               preexec_fn=limits, start_new_session=True)
        except subprocess.TimeoutExpired:
            raise Fail(f"`sink {' '.join(args)}` did not end within {HANG} s")
        out = p.stdout.decode("utf-8", "replace") if p.stdout is not None else ""
        r = Result(p.returncode, out, p.stderr.decode("utf-8", "replace"))
        check(r.code >= 0, f"`sink {' '.join(args)}` died of signal {-r.code}", r)
        return r

    def leftovers(self):
        """Files in the work folder that sink's writing left behind (its temporary files)."""
        return [n for n in os.listdir(self.work) if "sink-fmt" in n]

    def cleanup(self):
        for d, _, _ in os.walk(self.dir):
            os.chmod(d, 0o755)


def unreadable_by_others_is_enforced():
    return AS_ROOT or os.geteuid() != 0


# --------------------------------------------------------------------------- sink fmt


@test("fmt: a full disk (a file-size limit) while writing leaves the file as it was, no temporary file")
def _(c):
    c.write("Sinkfile", UNFORMATTED)
    r = c.sink("fmt", "Sinkfile", file_size_limit=40)
    check(r.code == 1, "exit status is not 1", r)
    check("error[E004]" in r.err and "cannot write `Sinkfile`" in r.err, "no E004 naming the file", r)
    check(re.search(r"File too large|No space left", r.err), "the system's reason is not given", r)
    check("the file is unchanged" in r.err, "the message does not say the file is unchanged", r)
    check(c.read("Sinkfile") == UNFORMATTED, "the file changed", r)
    check(c.leftovers() == [], f"temporary files left: {c.leftovers()}", r)
    # The same file formats once the disk has room again.
    r = c.sink("fmt", "Sinkfile")
    check(r.code == 0 and c.read("Sinkfile") != UNFORMATTED, "formatting failed afterwards", r)


@test("fmt: standard output on a full disk (/dev/full) is E006, exit 1, not a silent success")
def _(c):
    c.write("Sinkfile", UNFORMATTED)
    with open(c.path("Sinkfile"), "rb") as src, open("/dev/full", "wb") as full:
        r = c.sink("fmt", "-", stdin=src, stdout=full)
    check(r.code == 1, "exit status is not 1", r)
    check("error[E006]: cannot write to standard output: No space left on device" in r.err, "no E006 with the reason", r)
    check(r.err.count("E006") == 1, "E006 reported more than once", r)


@test("plan, check and facts: standard output on a full disk is E006, exit 1")
def _(c):
    c.write("Sinkfile", 'fact x = sh "echo 1"\nstep "s" { run "echo {{x}}" }\n')
    for args in (["check"], ["plan", "--platform", "ubuntu"], ["facts", "--platform", "ubuntu"]):
        with open("/dev/full", "wb") as full:
            r = c.sink(*args, stdout=full)
        check(r.code == 1, f"`sink {' '.join(args)}`: exit status is not 1", r)
        check("error[E006]" in r.err and "No space left on device" in r.err, f"`sink {' '.join(args)}`: no E006", r)


@test("fmt: a folder sink may not write in is E004, the file unchanged, no temporary file")
def _(c):
    c.write("Sinkfile", UNFORMATTED, mode=0o666)  # the file itself may be written by anyone
    os.chmod(c.work, 0o555)
    r = c.sink("fmt", "Sinkfile", as_other_user=AS_ROOT)
    os.chmod(c.work, 0o755)
    check(r.code == 1, "exit status is not 1", r)
    check("error[E004]" in r.err and "Permission denied" in r.err, "no E004 with the reason", r)
    check("folder" in r.err, "the hint does not point at the folder", r)
    check(c.read("Sinkfile") == UNFORMATTED, "the file changed", r)
    check(c.leftovers() == [], f"temporary files left: {c.leftovers()}", r)


@test("fmt: a read-only file is not replaced (E004), even in a folder sink may write in")
def _(c):
    c.write("Sinkfile", UNFORMATTED, mode=0o444)
    if AS_ROOT:
        os.chown(c.work, 65534, 65534)  # nobody's folder, root's read-only file
    r = c.sink("fmt", "Sinkfile", as_other_user=AS_ROOT)
    check(r.code == 1, "exit status is not 1", r)
    check("error[E004]" in r.err and "read-only" in r.err, "no E004 saying the file is read-only", r)
    check(c.read("Sinkfile") == UNFORMATTED, "the file changed", r)
    check(stat.S_IMODE(os.stat(c.path("Sinkfile")).st_mode) == 0o444, "the file's mode changed", r)
    check(c.leftovers() == [], f"temporary files left: {c.leftovers()}", r)
    r = c.sink("fmt", "--check", "Sinkfile", as_other_user=AS_ROOT)
    check(r.code == 1 and r.out == "Sinkfile:1: not formatted\n", "fmt --check of a read-only file does not name it", r)


@test("fmt: a file sink may not read is E001, exit 1, and the other files are still formatted")
def _(c):
    c.write("secret.sink", UNFORMATTED, mode=0o000)
    c.write("other.sink", UNFORMATTED, mode=0o666)
    if AS_ROOT:
        os.chown(c.work, 65534, 65534)  # nobody may write the folder, but not read secret.sink
        os.chown(c.path("other.sink"), 65534, 65534)
    r = c.sink("fmt", "secret.sink", "other.sink", as_other_user=AS_ROOT)
    check(r.code == 1, "exit status is not 1", r)
    check("error[E001]" in r.err and "secret.sink" in r.err, "no E001 naming the file", r)
    check(c.read("other.sink") != UNFORMATTED, "the readable file was not formatted", r)


def big_unformatted(steps=60000):
    return "".join(f'step   "s{i}"{{run "echo {i}"}}\n' for i in range(steps))


def start_sink(c, *args):
    env = {"PATH": "/usr/bin:/bin", "HOME": c.dir, "NO_COLOR": "1", "LANG": "C.UTF-8"}
    return subprocess.Popen([c.sink_path, *args], cwd=c.work, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def stop_when(p, ready, tries=200000):
    """SIGSTOPs `p` as soon as `ready()` holds; False if `p` ended first."""
    for _ in range(tries):
        if ready():
            os.kill(p.pid, signal.SIGSTOP)
            os.waitpid(p.pid, os.WUNTRACED)  # stopped now, not only sent the signal
            return True
        if p.poll() is not None:
            return False
    return False


def finish(p):
    if p.poll() is None:  # not caught in time, sink may have ended already
        os.kill(p.pid, signal.SIGCONT)
    out, err = p.communicate(timeout=HANG)
    return Result(p.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


@test("fmt data loss: an edit made between the read and the rename is kept, and sink says so")
def _(c):
    text = big_unformatted()
    c.write("Sinkfile", text)
    for _ in range(5):  # sink must be caught after its read, before its rename
        c.write("Sinkfile", text)
        p = start_sink(c, "fmt", "Sinkfile")
        caught = stop_when(p, lambda: c.leftovers() != [])
        if caught and c.read("Sinkfile") == text:
            break
        finish(p)
    else:
        raise Fail("could not stop sink between its read and its rename")
    with open(c.path("Sinkfile"), "a") as f:
        f.write("# an edit\n")
    r = finish(p)
    check(r.code == 1 and "error[E004]" in r.err and "changed while sink was formatting it" in r.err,
          "no E004 saying the file changed", r)
    check(c.read("Sinkfile") == text + "# an edit\n", "the edit was lost", r)
    check(c.leftovers() == [], f"temporary files left: {c.leftovers()}", r)


@test("fmt data loss: SIGINT or SIGTERM during the write removes the temporary file, the file unchanged")
def _(c):
    text = big_unformatted()
    for sig in (signal.SIGINT, signal.SIGTERM):
        for _ in range(5):
            c.write("Sinkfile", text)
            p = start_sink(c, "fmt", "Sinkfile")
            if stop_when(p, lambda: c.leftovers() != []) and c.read("Sinkfile") == text:
                break
            finish(p)
        else:
            raise Fail("could not stop sink while it writes")
        os.kill(p.pid, sig)
        r = finish(p)
        check(r.code == -sig, f"sink did not end by {sig.name}", r)
        check(c.read("Sinkfile") == text, "the file changed", r)
        check(c.leftovers() == [], f"temporary files left: {c.leftovers()}", r)


@test("fmt data loss: mode bits (setuid, setgid), owner and extended attributes are kept")
def _(c):
    path = c.write("Sinkfile", UNFORMATTED)
    if AS_ROOT:
        os.chown(path, 65534, 65534)  # before chmod: chown clears setuid and setgid
    os.chmod(path, 0o6755)
    os.setxattr(path, "user.sink-test", b"kept")
    r = c.sink("fmt", "Sinkfile")
    check(r.code == 0 and c.read("Sinkfile") != UNFORMATTED, "fmt failed", r)
    st = os.stat(path)
    check(stat.S_IMODE(st.st_mode) == 0o6755, f"mode is {oct(stat.S_IMODE(st.st_mode))}, not 0o6755", r)
    if AS_ROOT:
        check((st.st_uid, st.st_gid) == (65534, 65534), "the owner changed", r)
    check(os.getxattr(path, "user.sink-test") == b"kept", "the extended attribute was dropped", r)
    check(c.leftovers() == [], f"temporary files left: {c.leftovers()}", r)


@test("fmt data loss: a file of another owner that this user may write is refused (E004): its owner would change")
def _(c):
    if not AS_ROOT:
        return  # needs a file of another user
    c.write("Sinkfile", UNFORMATTED, mode=0o666)
    os.chown(c.work, 65534, 65534)
    r = c.sink("fmt", "Sinkfile", as_other_user=True)
    check(r.code == 1 and "error[E004]" in r.err and "owner" in r.err, "no E004 about the owner", r)
    check(c.read("Sinkfile") == UNFORMATTED, "the file changed", r)
    check(os.stat(c.path("Sinkfile")).st_uid == 0, "the owner changed", r)
    check(c.leftovers() == [], f"temporary files left: {c.leftovers()}", r)


@test("fmt data loss: a file with hard links is refused (E004), the links kept")
def _(c):
    path = c.write("Sinkfile", UNFORMATTED)
    os.link(path, c.path("other.sink"))
    r = c.sink("fmt", "Sinkfile")
    check(r.code == 1 and "error[E004]" in r.err and "2 hard links" in r.err, "no E004 naming the hard links", r)
    check("hint:" in r.err and "sink fmt - <" in r.err, "the hint does not say how to format it", r)
    check(c.read("Sinkfile") == UNFORMATTED, "the file changed", r)
    check(os.stat(path).st_ino == os.stat(c.path("other.sink")).st_ino, "the link was split", r)


@test("fmt data loss: `fmt .` neither follows symlinks out of the tree nor rewrites their targets")
def _(c):
    outside = os.path.join(c.dir, "outside")
    os.mkdir(outside)
    with open(os.path.join(outside, "x.sink"), "w") as f:
        f.write(UNFORMATTED)
    os.symlink(os.path.join(outside, "x.sink"), c.path("link.sink"))
    os.symlink(outside, c.path("linked-folder"))
    c.write("Sinkfile", UNFORMATTED)
    r = c.sink("fmt", ".")
    check(r.code == 0 and c.read("Sinkfile") != UNFORMATTED, "the tree's own file was not formatted", r)
    check(open(os.path.join(outside, "x.sink")).read() == UNFORMATTED, "a file outside the tree was rewritten", r)
    check(os.path.islink(c.path("link.sink")), "the symlink was replaced", r)
    check("outside" not in r.out and "link" not in r.out, "sink reports a symlinked file", r)


@test("fmt: a FIFO is refused at once (E001), not waited on")
def _(c):
    os.mkfifo(c.path("pipe.sink"))
    r = c.sink("fmt", "pipe.sink")
    check(r.code == 1 and "error[E001]" in r.err and "FIFO" in r.err, "no E001 naming the FIFO", r)


@test("fmt: `yes | sink fmt -` stops at the 64 MiB limit (E108), bounded memory")
def _(c):
    yes = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    try:
        r = c.sink("fmt", "-", stdin=yes.stdout)
    finally:
        yes.kill()
        yes.wait()
    check(r.code == 1 and "error[E108]" in r.err, "no E108", r)


# --------------------------------------------------------------------------- steps


@test("apply: a step that closes its stdout early is waited for; the next step runs")
def _(c):
    c.write("Sinkfile", '''
step "closes" { run "exec >&- 2>&-; sleep 0.3; touch closed.done" }
step "next" { run "touch next.done" }
'''.lstrip())
    r = c.sink("apply")
    check(r.code == 0, "apply failed", r)
    check(os.path.exists(c.path("closed.done")), "sink did not wait for the step to end", r)
    check(os.path.exists(c.path("next.done")), "the next step did not run", r)


@test("apply: a step writing 64 MB as fast as it can is passed through whole")
def _(c):
    c.write("Sinkfile", '''
step "flood" { run "head -c 67108864 /dev/zero | tr '\\\\0' z; echo" }
step "next" { run "echo next-ran" }
'''.lstrip())
    with open(c.path("out"), "wb") as out:
        r = c.sink("apply", stdout=out)
    data = open(c.path("out"), "rb").read()
    check(r.code == 0, "apply failed", r)
    check(data.count(b"z") == 64 << 20, f"{data.count(b'z')} bytes of the step's output arrived, not {64 << 20}", r)
    check(b"next-ran" in data, "the next step did not run", r)


@test("apply: a step killed by SIGSEGV fails the run and names the signal")
def _(c):
    c.write("Sinkfile", 'step "crash" { run "kill -SEGV $$" }\nstep "after" { run "touch after.done" }\n')
    r = c.sink("apply")
    check(r.code == 1, "exit status is not 1", r)
    check(re.search(r"signal 11|SIGSEGV", r.err), "the signal is not named", r)
    check(not os.path.exists(c.path("after.done")), "the next step ran", r)


# --------------------------------------------------------------------------- facts


@test("facts: output with a NUL byte is no value: E402, shown escaped, no step runs")
def _(c):
    c.write("Sinkfile", '''
fact v = sh "printf 'a\\\\0b'"
step "s" { run "touch ran; echo {{v}}" }
'''.lstrip())
    r = c.sink("apply")
    check(r.code == 1, "exit status is not 1", r)
    check("error[E402]" in r.err and "NUL byte" in r.err and '"a\\x00b"' in r.err, "no E402 showing the NUL escaped", r)
    check(not os.path.exists(c.path("ran")), "the step ran", r)


@test("facts: megabytes of output are no value: E402 with the length, the text cut, no step runs")
def _(c):
    c.write("Sinkfile", '''
fact v = sh "head -c 50000000 /dev/zero | tr '\\\\0' y"
step "s" { run "touch ran; echo {{v}}" }
'''.lstrip())
    r = c.sink("apply")
    check(r.code == 1, "exit status is not 1", r)
    check("error[E402]" in r.err and "more than the 100000 a value may hold" in r.err, "no E402 giving the limit", r)
    check(len(r.err) < 4000, f"sink printed {len(r.err)} bytes of errors for one fact", r)
    check(not os.path.exists(c.path("ran")), "the step ran", r)


@test("facts: escape sequences in a fact's output reach the terminal escaped, not raw")
def _(c):
    c.write("Sinkfile", '''
fact n: int = sh "printf '\\\\033[2J\\\\033]0;owned\\\\007'"
step "s" { run "echo {{n}}" }
'''.lstrip())
    r = c.sink("apply")
    check(r.code == 1, "exit status is not 1", r)
    check("\x1b" not in r.err and "\x07" not in r.err, "a raw escape sequence was printed", r)
    check("\\x1B[2J" in r.err, "the escaped text is not shown", r)


def main():
    if AS_ROOT and not shutil.which("setpriv"):
        print("not ok setup: running as root needs setpriv (util-linux) to act as another user\n0 passed, 1 failed")
        sys.exit(1)
    test.run(ONLY, Case, "sink-faults-")


if __name__ == "__main__":
    main()
