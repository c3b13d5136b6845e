#!/usr/bin/env python3
"""End-to-end tests of `sink plan`, `sink apply` and `sink facts` through the real binary.

Every test writes a Sinkfile (and whatever else it needs) into a fresh temporary folder,
runs sink there with its own HOME, PATH=/usr/bin:/bin and NO_COLOR=1, and asserts what
happened on disk and what sink printed. Commands prove ordering and overlap with
timestamps they write themselves (`date +%s.%N`); the only time limits are generous upper
bounds against hangs.

usage: e2e_run.py SINK SOURCE_ROOT [NAME-SUBSTRING...]
Prints `ok NAME` or `not ok NAME: why` per test, then `N passed, N failed`.
"""
import fcntl
import json
import os
import pty
import re
import select
import shlex
import signal
import struct
import subprocess
import sys
import termios
import time

from harness import Fail, Registry, Result, check, other_processes

SINK, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
ONLY = sys.argv[3:]
HANG = 60  # seconds: an upper bound against hangs, never a performance threshold
test = Registry()


class Case:
    """A fresh folder: the Sinkfile goes in `dir`, HOME is `dir/home`."""

    def __init__(self, folder):
        self.dir = folder
        self.home = os.path.join(folder, "home")
        os.mkdir(self.home)
        self.procs = []  # Popen objects to reap at the end

    def env(self, extra=None):
        env = {"PATH": "/usr/bin:/bin", "HOME": self.home, "NO_COLOR": "1", "LANG": "C.UTF-8"}
        env.update(extra or {})
        return env

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text, mode="w"):
        full = self.path(name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, mode, encoding="utf-8") as f:
            f.write(text)
        return full

    def sinkfile(self, text, name="Sinkfile"):
        return self.write(name, text.lstrip("\n"))

    def exists(self, name):
        return os.path.exists(self.path(name))

    def read(self, name, binary=False):
        with open(self.path(name), "rb") as f:
            data = f.read()
        return data if binary else data.decode("utf-8", "replace")

    def lines(self, name):
        return self.read(name).splitlines() if self.exists(name) else []

    def sink(self, *args, env=None, cwd=None, timeout=HANG, sh=None):
        """Runs sink; with `sh` ("bash", "dash"), that shell is /bin/sh for it (a private mount)."""
        argv = [SINK, *args]
        if sh:
            argv = ["unshare", "-m", "/bin/dash", "-c", f'mount --bind /bin/{sh} /bin/sh && exec "$@"', "sh", *argv]
        try:
            p = subprocess.run(argv, cwd=cwd or self.dir, env=self.env(env), stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=timeout, start_new_session=True)
        except subprocess.TimeoutExpired as e:
            raise Fail(f"`sink {' '.join(args)}` did not end within {timeout} s; stderr: {e.stderr!r}")
        r = Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))
        check(r.code >= 0, f"`sink {' '.join(args)}` died of signal {-r.code}", r)
        return r

    def start(self, *args, env=None):
        """Starts sink in its own session; output goes to files (no pipe can hold it)."""
        out = open(self.path("sink.stdout"), "wb")
        err = open(self.path("sink.stderr"), "wb")
        p = subprocess.Popen([SINK, *args], cwd=self.dir, env=self.env(env), stdin=subprocess.DEVNULL, stdout=out,
                             stderr=err, start_new_session=True)
        out.close()
        err.close()
        self.procs.append(p)
        return p

    def finish(self, p, timeout=HANG):
        try:
            code = p.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Fail(f"sink did not end within {timeout} s")
        return Result(code, self.read("sink.stdout"), self.read("sink.stderr"))

    def wait_for_file(self, name, timeout=HANG):
        deadline = time.monotonic() + timeout
        while not self.exists(name):
            if time.monotonic() > deadline:
                raise Fail(f"{name} never appeared")
            for p in self.procs:
                if p.poll() is not None:
                    raise Fail(f"sink ended (exit {p.returncode}) before {name} appeared; stderr: "
                               f"{self.read('sink.stderr')[-1500:]!r}")
            time.sleep(0.02)

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def processes_with(marker, but_sink=False):
    """Processes (other than this one) whose command line contains `marker`; with
    `but_sink`, not sink itself (its own arguments are the user's), nor a copy of it that
    has been forked but has not yet run its command."""
    needle = marker.encode()
    return [pid for pid, cmdline in other_processes()
            if needle in cmdline and not (but_sink and cmdline.split(b"\0")[0] == SINK.encode())]


def unique(tag):
    return f"{tag}{os.getpid()}x{time.monotonic_ns()}"


def line_of(text, needle):
    return text[: text.index(needle)].count("\n") + 1


def stamp(case, name):
    return float(case.read(name).split()[0])


# --------------------------------------------------------------------------- laziness

@test("laziness: facts of a darwin block never run on linux; a fact only a needed fact needs runs; an unused fact never runs")
def _(c):
    c.sinkfile('''
fact mac_only = sh "touch mac_only.ran; echo m"
fact base = sh "touch base.ran; echo b"
fact derived = sh "touch derived.ran; echo {{base}}-d"
fact unused = sh "touch unused.ran; echo u"
platform darwin {
  step "Mac" { run "echo {{mac_only}} > mac.out" }
}
step "Linux" { run "printf '%s' {{derived}} > linux.out" }
''')
    for command in ("plan", "facts", "apply"):
        r = c.sink(command)
        check(r.code == 0, f"`sink {command}` failed", r)
        check(not c.exists("mac_only.ran"), f"`sink {command}` ran the fact of the darwin block on linux", r)
        check(not c.exists("unused.ran"), f"`sink {command}` ran a fact nothing uses", r)
        check(c.exists("base.ran"), f"`sink {command}` did not run `base`, which the needed `derived` needs", r)
        check(c.exists("derived.ran"), f"`sink {command}` did not run `derived`", r)
        os.remove(c.path("base.ran"))
        os.remove(c.path("derived.ran"))
    check(c.read("linux.out") == "b-d", f"linux.out is {c.read('linux.out')!r}")
    check(not c.exists("mac.out"), "the darwin step ran on linux")


@test("laziness: a fact needed only by a step of another platform is not gathered; a plan for another platform runs nothing here")
def _(c):
    c.sinkfile('''
fact deb = sh "touch deb.ran; echo d"
fact fed = sh "touch fed.ran; echo f"
platform debian { step "Deb" { run "echo {{deb}}" } }
platform fedora { step "Fed" { run "echo {{fed}}" } }
''')
    for sh in ("dash", "bash"):
        r = c.sink("plan", "--platform", "fedora/arm64", sh=sh)
        check(r.code == 0, "plan --platform fedora failed", r)
        check(not c.exists("fed.ran") and not c.exists("deb.ran"), "a plan for another platform ran a fact here", r)
        check(re.search(r"other platform\s+Deb", r.out) and
              re.search(r"unknown\s+Fed: rests on `fed`, which is unknown for another platform", r.out) and
              "unknown here (pin them in --facts): fed\n" in r.out, "verdicts wrong", r)
    c.write("pins.toml", 'fed = "f"\n')
    r = c.sink("plan", "--platform", "fedora", "--facts", "pins.toml", "--format", "json")
    doc = json.loads(r.out)
    check(r.code == 0 and doc["pinned"] == ["fed"] and doc["unknown"] == [] and doc["steps"][1]["verdict"] == "run",
          "a pinned fact", r)
    check(not c.exists("fed.ran") and not c.exists("deb.ran"), "a plan for another platform ran a fact here", r)


@test("plan --platform for another machine runs no skip if sh / when sh check here; [checks] in --facts pins them by step name")
def _(c):
    c.sinkfile('''
step "Brew" { skip if sh "touch skip.ran; command -v brew" run "true" }
step "Hook" { when sh "touch when.ran" run "true" }
step "Plain" { run "true" }
''')
    other = "darwin/arm64"
    r = c.sink("plan", "--platform", other)
    check(r.code == 0 and not c.exists("skip.ran") and not c.exists("when.ran"), "a check ran here for another platform", r)
    check(re.search(r'unknown\s+Brew: rests on skip if sh `touch skip.ran; command -v brew`, which does not run here '
                    r'for another platform \(pin "Brew" under \[checks\] in --facts\)', r.out) and
          re.search(r"unknown\s+Hook: rests on when sh", r.out) and re.search(r"will run\s+Plain", r.out), "verdicts", r)
    check(c.sink("plan", "--platform", other, "--detailed-exitcode").code == 2, "--detailed-exitcode with unknown steps")
    c.write("pins.toml", '[checks]\nBrew = true\nHook = false\n')
    r = c.sink("plan", "--platform", other, "--facts", "pins.toml")
    check(r.code == 0 and re.search(r"already done\s+Brew: skip if sh `[^`]*` is pinned true", r.out) and
          re.search(r"not applicable\s+Hook: when sh `touch when.ran` is pinned false", r.out), "pinned checks", r)
    check('pinned by --facts: check "Brew" = true, check "Hook" = false' in r.out, "pinned values not listed", r)
    check(not c.exists("skip.ran") and not c.exists("when.ran"), "a pinned check ran", r)
    c.write("pins.toml", '[checks]\nBrw = true\n')
    r = c.sink("plan", "--platform", other, "--facts", "pins.toml")
    check(r.code == 2 and '[checks] "Brw" is not a step of Sinkfile' in r.err and "did you mean `Brew`?" in r.err, "unknown step", r)
    c.write("pins.toml", '[checks]\nBrew = "yes"\n')
    r = c.sink("plan", "--platform", other, "--facts", "pins.toml")
    check(r.code == 1 and "pins.toml:2:" in r.err and "is not true or false" in r.err, "a check that is not a boolean", r)
    r = c.sink("plan")  # this machine: the checks run
    check(r.code == 0 and c.exists("skip.ran") and c.exists("when.ran"), "on this machine the checks did not run", r)


# --------------------------------------------------------------------------- parallelism

@test("parallel: 4 independent facts overlap (every start precedes every end)")
def _(c):
    facts = "".join(
        f'fact f{i} = sh "date +%s.%N > start{i}; sleep 1; date +%s.%N > end{i}; echo {i}"\n' for i in range(1, 5))
    steps = "".join(f'step "use {i}" {{ run "echo {{{{f{i}}}}} >> used" }}\n' for i in range(1, 5))
    c.sinkfile(facts + steps)
    r = c.sink("apply")
    check(r.code == 0, "apply failed", r)
    starts = [stamp(c, f"start{i}") for i in range(1, 5)]
    ends = [stamp(c, f"end{i}") for i in range(1, 5)]
    check(max(starts) < min(ends), f"facts did not overlap: starts {starts}, ends {ends}")
    check(c.lines("used") == ["1", "2", "3", "4"], f"steps saw {c.lines('used')}")


@test("parallel: a fact that depends on another starts after it ends")
def _(c):
    c.sinkfile('''
fact a = sh "date +%s.%N > a.start; sleep 1; date +%s.%N > a.end; echo A"
fact b = sh "date +%s.%N > b.start; echo {{a}}B"
fact other = sh "date +%s.%N > other.start; echo O"
step "use" { run "printf '%s %s' {{b}} {{other}} > b.out" }
''')
    r = c.sink("apply")
    check(r.code == 0, "apply failed", r)
    check(stamp(c, "b.start") >= stamp(c, "a.end"), "b started before a ended")
    check(stamp(c, "other.start") < stamp(c, "a.end"), "an independent fact waited for `a`")
    check(c.read("b.out") == "AB O", f"b.out is {c.read('b.out')!r}")


@test("parallel: a fact used by many steps, conditions, env, checks and other facts runs once")
def _(c):
    c.sinkfile('''
fact c = sh "echo run >> c.count; echo yes"
fact c2 = sh "echo {{c}}-{{c}}"
fact c3 = "{{c}}/{{c2}}"
step "1" { when c == "yes" run "printf '%s\\n' {{c}} >> uses" }
step "2" { skip if sh "test {{c}} = no" run "printf '%s\\n' {{c}} >> uses" }
step "3" { env C = "{{c}}" run "printf '%s\\n' {{c2}} >> uses" }
step "4" { dir "{{home}}" run "printf '%s\\n' {{c3}} >> ../uses" error "no {{c}}" }
''')
    for command in ("plan", "facts", "apply"):
        if c.exists("c.count"):
            os.remove(c.path("c.count"))
        r = c.sink(command)
        check(r.code == 0, f"`sink {command}` failed", r)
        check(c.lines("c.count") == ["run"], f"`sink {command}` ran fact c {len(c.lines('c.count'))} times", r)
    check(c.lines("uses") == ["yes", "yes", "yes-yes", "yes/yes-yes"], f"uses: {c.lines('uses')}")


# --------------------------------------------------------------------------- types

@test("types: bool from exit status, int numeric, version parsed and compared component-wise")
def _(c):
    c.sinkfile('''
fact yes: bool = sh "true"
fact no: bool = sh "echo true; exit 3"
fact n: int = sh "echo ' 42 '"
fact node: version = sh "echo v20.11.1"
fact py: version = sh "echo Python 3.12.1"
fact twenty: version = sh "echo 20.0.0"
step "values" { run "printf '%s|%s|%s|%s|%s' {{yes}} {{no}} {{n}} {{node}} {{py}} > values.out" }
step "bool" { when yes and not no run "touch bool.ok" }
step "int" { when n > 9 and n < 100 and n == 42 run "touch int.ok" }
step "py newer" { when py > "3.9" and py >= "3.12" and py < "3.12.2" run "touch py_gt.ok" }
step "py older" { when py < "3.9" run "touch py_lt.bad" }
step "node" { when node > "20.9" and node >= "20" and node == "20.11.1" and node < "20.11.10" run "touch node.ok" }
step "missing parts are 0" { when twenty == "20" and twenty >= 20 run "touch twenty.ok" }
''')
    r = c.sink("apply")
    check(r.code == 0, "apply failed", r)
    check(c.read("values.out") == "true|false|42|20.11.1|3.12.1", f"values: {c.read('values.out')!r}")
    for ok in ("bool.ok", "int.ok", "py_gt.ok", "node.ok", "twenty.ok"):
        check(c.exists(ok), f"{ok} missing: its `when` was not true", r)
    check(not c.exists("py_lt.bad"), "3.12.1 < 3.9 was true (compared as text?)", r)
    check(re.search(r"not applicable", r.err), "the false `when` was not reported as not applicable", r)


@test("types: an int fact printing `abc` stops apply before any step, naming the fact and the text")
def _(c):
    c.sinkfile('''
fact n: int = sh "echo abc"
step "first" { run "touch first.ran" }
step "second" { run "touch second.ran; echo {{n}}" }
''')
    r = c.sink("apply")
    check(r.code == 1, "exit status is not 1", r)
    check(not c.exists("first.ran") and not c.exists("second.ran"), "a step ran", r)
    check("`n`" in r.err and "abc" in r.err, "the error does not name the fact and the text", r)
    check("error[E402]" in r.err and "Sinkfile:1:6" in r.err, "the error is E402 at the fact (regression)", r)


@test("types: a version fact printing no digit stops apply before any step, naming the fact and the text")
def _(c):
    c.sinkfile('''
fact v: version = sh "echo not-installed"
step "first" { run "touch first.ran" }
step "second" { when v >= "1" run "touch second.ran" }
''')
    r = c.sink("apply")
    check(r.code == 1, "exit status is not 1", r)
    check(not c.exists("first.ran"), "a step ran", r)
    check("`v`" in r.err and "not-installed" in r.err, "the error does not name the fact and the text", r)


# --------------------------------------------------------------------------- required / default

@test("required: a failing required fact stops apply before any step, naming fact, command, status and stderr")
def _(c):
    c.sinkfile('''
fact r = sh "echo broken-thing >&2; exit 7" required
step "first" { run "touch first.ran" }
step "second" { run "touch second.ran; echo {{r}}" }
''')
    r = c.sink("apply")
    check(r.code == 1, "exit status is not 1", r)
    check(not c.exists("first.ran") and not c.exists("second.ran"), "a step ran", r)
    for part in ("`r`", "echo broken-thing >&2; exit 7", "7", "broken-thing"):
        check(part in r.err, f"the error lacks {part!r}", r)
    check("Sinkfile:1:" in r.err, "the error is not located at the fact", r)


@test("required: an unset required env fact stops apply before any step")
def _(c):
    c.sinkfile('''
fact key = env "SINK_TEST_UNSET_KEY" required
step "first" { run "touch first.ran" }
step "second" { run "echo {{key}}" }
''')
    r = c.sink("apply")
    check(r.code == 1 and not c.exists("first.ran"), "the run was not stopped before the first step", r)
    check("`key`" in r.err and "SINK_TEST_UNSET_KEY" in r.err, "the error does not name the fact and variable", r)


@test("default: stands in for a failed command and an unset variable")
def _(c):
    c.sinkfile('''
fact d = sh "echo nope >&2; exit 1" default "fallback"
fact di: int = sh "exit 1" default 5
fact dv: version = sh "exit 1" default "1.2"
fact de = env "SINK_TEST_UNSET_VAR" default "dflt"
step "use" { run "printf '%s|%s|%s|%s' {{d}} {{di}} {{dv}} {{de}} > d.out" }
''')
    r = c.sink("apply")
    check(r.code == 0, "apply failed", r)
    check(c.read("d.out") == "fallback|5|1.2|dflt", f"d.out: {c.read('d.out')!r}")


@test("no required/default: a step needing a failed fact fails naming it; a failed bool is simply false")
def _(c):
    text = '''
fact s = sh "echo no-luck >&2; exit 4"
fact bf: bool = sh "echo yes; exit 3"
step "first" { run "touch first.ran" }
step "bool" { when not bf run "printf '%s' {{bf}} > bf.out" }
step "needs s" {
  run "touch needs.ran; echo {{s}}"
}
step "after" { run "touch after.ran" }
'''
    c.sinkfile(text)
    r = c.sink("apply")
    check(r.code == 1, "exit status is not 1", r)
    check(c.exists("first.ran"), "the first step (which does not need `s`) did not run", r)
    check(c.exists("bf.out") and c.read("bf.out") == "false", "the failed bool fact was not simply false", r)
    check(not c.exists("needs.ran"), "the step that needs `s` ran its command", r)
    check(not c.exists("after.ran"), "the step after the failure ran", r)
    check("needs s" in r.err and "`s`" in r.err, "the failure does not name the step and the fact", r)
    check("4" in r.err or "no-luck" in r.err, "the failure does not say why the fact failed", r)
    line = line_of(text.lstrip(), 'step "needs s"')
    check(f"Sinkfile:{line}" in r.err, "the failure is not located", r)


# --------------------------------------------------------------------------- questions

QUESTIONS = '''
ask name "Your name?"
ask colour "Colour?" choices "red", "green"
step "first" { run "touch first.ran" }
step "show" { run "printf '%s|%s' {{name}} {{colour}} > answers.out" }
'''


@test("questions: --set answers")
def _(c):
    c.sinkfile(QUESTIONS)
    r = c.sink("apply", "--set", "name=Ann Lee", "--set", "colour=green")
    check(r.code == 0, "apply failed", r)
    check(c.read("answers.out") == "Ann Lee|green", f"answers: {c.read('answers.out')!r}")


@test("questions: --vars FILE.toml answers, --set wins over --vars (either order)")
def _(c):
    c.sinkfile(QUESTIONS)
    c.write("answers.toml", 'name = "Bob"\ncolour = "red"\n')
    r = c.sink("apply", "--vars", "answers.toml")
    check(r.code == 0 and c.read("answers.out") == "Bob|red", "--vars was not used", r)
    for args in (["--set", "name=Ann", "--vars", "answers.toml"], ["--vars", "answers.toml", "--set", "name=Ann"]):
        r = c.sink("apply", *args)
        check(r.code == 0, f"apply {args} failed", r)
        check(c.read("answers.out") == "Ann|red", f"with {args}: {c.read('answers.out')!r}")


@test("questions: the default is used with no terminal")
def _(c):
    c.sinkfile('''
ask name "Your name?" default "Zed"
ask colour "Colour?" choices "red", "green" default "green"
step "show" { run "printf '%s|%s' {{name}} {{colour}} > answers.out" }
''')
    r = c.sink("apply")
    check(r.code == 0, "apply failed", r)
    check(c.read("answers.out") == "Zed|green", f"answers: {c.read('answers.out')!r}")


@test("modules: a module's facts, checks and steps run in the root Sinkfile's folder, not the module's nor the working one")
def _(c):
    c.write("lib/tools.sink", 'fact where = sh "pwd"\nstep "From the module" {\n  skip if sh "pwd > check.pwd; false"\n'
            '  run "pwd > step.pwd; echo {{where}} > fact.pwd"\n}\n')
    c.sinkfile('use "./lib/tools.sink"\n')
    r = c.sink("apply", cwd=c.home)  # from a folder below: sink finds ../Sinkfile
    check(r.code == 0, "apply failed", r)
    for name in ("check.pwd", "step.pwd", "fact.pwd"):
        check(c.read(name).strip() == os.path.realpath(c.dir), f"{name} is {c.read(name)!r}", r)
    check(not c.exists("lib/step.pwd"), "the step ran in the module's folder", r)


@test("questions: no terminal and no answer stops before any step, naming the question and --set")
def _(c):
    c.sinkfile(QUESTIONS)
    r = c.sink("apply", "--set", "colour=red")
    check(r.code == 1, "exit status is not 1", r)
    check(not c.exists("first.ran"), "a step ran", r)
    check("name" in r.err and "--set" in r.err, "the error does not name the question and --set", r)
    check("error[E403]" in r.err, "the error is E403", r)
    check(r.err.count("--set name=VALUE") == 1, "the message and the hint both say how to answer", r)


@test("questions: a bad --vars TOML file is a located error FILE:LINE:COL, exit 1")
def _(c):
    c.sinkfile(QUESTIONS)
    c.write("bad.toml", 'name = "Bob"\ncolour = \n')
    r = c.sink("apply", "--vars", "bad.toml")
    check(r.code == 1, "exit status is not 1", r)
    check(re.search(r"bad\.toml:2:\d+", r.err), "the error is not located at bad.toml:2:COL", r)
    check(not c.exists("first.ran"), "a step ran", r)


@test("questions: --set of an unknown question or an invalid choice is a usage error (exit 2)")
def _(c):
    c.sinkfile(QUESTIONS)
    for args, what in ((["--set", "nmae=x", "--set", "colour=red"], "nmae"),
                       (["--set", "name=x", "--set", "colour=blue"], "blue")):
        for command in ("apply", "plan"):
            r = c.sink(command, *args)
            check(r.code == 2, f"`sink {command} {' '.join(args)}`: exit status is not 2", r)
            check(what in r.err, f"the error does not mention {what!r}", r)
            check(not c.exists("first.ran"), "a step ran", r)
    c.write("v.toml", 'colour = "blue"\nname = "x"\n')
    r = c.sink("apply", "--vars", "v.toml")
    check(r.code == 2 and "blue" in r.err, "an invalid choice in --vars was not a usage error", r)


@test("questions: a shared --vars file: keys that are not questions are warnings (a near one with did-you-mean)")
def _(c):
    c.sinkfile(QUESTIONS)
    c.write("shared.toml", 'colour = "red"\nnmae = "typo"\nname = "Ann"\nother_repo_token = "t"\n')
    for command in ("apply", "plan"):
        r = c.sink(command, "--vars", "shared.toml")
        check(r.code == 0, f"{command} with a shared answers file failed", r)
        check(re.search(r"warning\[W410\]: `nmae` in the --vars file is not a question of Sinkfile; it is ignored\n"
                        r"  --> shared\.toml:2:1\n  = hint: did you mean `name`\?", r.err),
              f"{command}: no located warning with a suggestion for nmae", r)
        check('"typo"' not in r.err and '"t"' not in r.err, f"{command}: a line of the answers file was quoted", r)
        check("`other_repo_token` in the --vars file" in r.err and r.err.count("W410") == 2, f"{command}: warnings", r)
    check(c.exists("first.ran"), "apply did not run")


@test("--vars and --facts naming a folder or an unreadable file: an error that says why (exit 1)")
def _(c):
    c.sinkfile(QUESTIONS)
    os.mkdir(c.path("answers"))
    c.write("locked.toml", 'name = "x"\n')
    os.chmod(c.path("locked.toml"), 0)
    for flag, command in (("--vars", "apply"), ("--facts", "plan"), ("--facts", "facts")):
        r = c.sink(command, flag, "answers")
        check(r.code == 1 and f"cannot read the {flag} file `answers`: it is a directory" in r.err, f"{command} {flag} DIR", r)
        r = c.sink(command, flag, "gone.toml")
        check(r.code == 1 and f"cannot read the {flag} file `gone.toml`: no such file" in r.err, f"{command} {flag} missing", r)
    if os.geteuid() == 0:  # root reads anything: drop to nobody for the unreadable file
        os.chmod(c.dir, 0o755)
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", SINK, "apply", "--vars",
                            "locked.toml"], cwd=c.dir, env=c.env(), capture_output=True, text=True, stdin=subprocess.DEVNULL)
        r = Result(r.returncode, r.stdout, r.stderr)
    else:
        r = c.sink("apply", "--vars", "locked.toml")
    check(r.code == 1 and "cannot read the --vars file `locked.toml`: Permission denied" in r.err, "unreadable", r)
    check(not c.exists("first.ran"), "a step ran")


class Terminal:
    """sink on a pseudo-terminal of its own (it is the session leader, the terminal is its
    controlling terminal)."""

    def __init__(self, case, *args, env=None, term="dumb"):
        environment = case.env(env)
        environment["TERM"] = term
        pid, fd = pty.fork()
        if pid == 0:  # the child
            try:
                os.chdir(case.dir)
                os.execve(SINK, [SINK, *args], environment)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.buf, self.pos, self.eof, self.status = b"", 0, False, None

    def _read(self, timeout):
        if self.eof:
            time.sleep(min(timeout, 0.05))
            return
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if data:
            self.buf += data
        else:
            self.eof = True

    def expect(self, pattern, timeout=HANG):
        regex = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.buf, self.pos)
            if m:
                self.pos = m.end()
                return m
            if self.eof or self.poll() is not None and not select.select([self.fd], [], [], 0)[0]:
                raise Fail(f"the terminal never showed /{pattern}/; it shows {self.buf.decode('utf-8', 'replace')!r}")
            if time.monotonic() > deadline:
                raise Fail(f"the terminal did not show /{pattern}/ in {timeout} s; "
                           f"it shows {self.buf.decode('utf-8', 'replace')!r}")
            self._read(0.1)

    def send(self, data):
        os.write(self.fd, data.encode() if isinstance(data, str) else data)

    def wait_echo_off(self, timeout=HANG):
        deadline = time.monotonic() + timeout
        while termios.tcgetattr(self.fd)[3] & termios.ECHO:
            if time.monotonic() > deadline:
                raise Fail("sink never turned off the terminal's echo for a secret")
            self._read(0.02)

    def poll(self):
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status

    def wait(self, timeout=HANG):
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise Fail(f"sink did not end within {timeout} s; the terminal shows "
                           f"{self.buf.decode('utf-8', 'replace')[-1500:]!r}")
            self._read(0.05)
        for _ in range(20):  # what is left in the terminal
            if self.eof or not select.select([self.fd], [], [], 0.05)[0]:
                break
            self._read(0)
        return self.status

    def text(self):
        return self.buf.decode("utf-8", "replace")

    def close(self):
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@test("questions on a terminal: default shown and taken, invalid choice asked again, secret not echoed")
def _(c):
    c.sinkfile('''
ask name "Your name?" default "Zed"
ask shell "Which shell?" choices "zsh", "bash" default "zsh"
ask token "Token?" secret
step "show" { run "printf '%s|%s|%s' {{name}} {{shell}} {{token}} > answers.out" }
''')
    secret = unique("TYPED-SECRET-")
    t = Terminal(c, "apply")
    try:
        t.expect(r"Your name\? \[Zed\]: ")
        t.send("\n")
        t.expect(r"Which shell\? \(zsh/bash\) \[zsh\]: ")
        t.send("fish\n")
        t.expect(r"not one of the choices")
        t.expect(r"Which shell\?[^\n]*: ")
        t.send("bash\n")
        t.expect(r"Token\?[^\n]*: ")
        t.wait_echo_off()
        t.send(secret + "\n")
        code = t.wait()
        check(code == 0, f"apply exited {code}; terminal: {t.text()!r}")
        check(c.read("answers.out") == f"Zed|bash|{secret}", f"answers: {c.read('answers.out')!r}")
        check(secret not in t.text(), f"the secret was echoed: {t.text()!r}")
        check(termios.tcgetattr(t.fd)[3] & termios.ECHO, "sink left the terminal's echo off")
    finally:
        t.close()


@test("questions on a terminal: an answer is needed when there is no default; --set skips the prompt")
def _(c):
    c.sinkfile('''
ask name "Your name?"
ask city "City?"
step "show" { run "printf '%s|%s' {{name}} {{city}} > answers.out" }
''')
    t = Terminal(c, "apply", "--set", "city=Oslo")
    try:
        t.expect(r"Your name\?: ")
        t.send("\n")
        t.expect(r"an answer is needed")
        t.expect(r"Your name\?: ")
        t.send("Ann\n")
        code = t.wait()
        check(code == 0, f"apply exited {code}; terminal: {t.text()!r}")
        check("City?" not in t.text(), "a question answered with --set was asked")
        check(c.read("answers.out") == "Ann|Oslo", f"answers: {c.read('answers.out')!r}")
    finally:
        t.close()


NEEDED_QUESTIONS = '''
ask name "Your name?"
ask city "City?" default "Oslo"
fact greeting = "hello {{name}}"
step "undo" { when sh "test -f undo" run "rm -f marker undo" }
step "greet" { skip if sh "test -f marker" run "echo {{greeting}} > greeting.out" }
step "city" { run "echo {{city}} > city.out" }
'''


@test("questions only when needed: a re-run whose steps are done asks nothing and needs no answer (no terminal)")
def _(c):
    c.sinkfile(NEEDED_QUESTIONS)
    c.write("marker", "")
    for sh in ("dash", "bash"):
        r = c.sink("apply", sh=sh)
        check(r.code == 0 and "E403" not in r.err and c.read("city.out") == "Oslo\n", f"a done step's question stopped apply ({sh})", r)
        check(re.search(r"\[2/3\] greet\s*\n\s*already done", r.err), f"greet is not already done ({sh})", r)
    os.remove(c.path("marker"))
    r = c.sink("apply")
    check(r.code == 1 and "error[E403]: question `name` has no answer" in r.err and "[1/3]" not in r.err,
          "a question a step that will run needs did not stop apply before the first step", r)
    c.write("marker", "")
    c.write("undo", "")  # step 1 removes the marker: greet looked done, and must run after all
    r = c.sink("apply")
    check(r.code == 1 and re.search(r"\[2/3\] greet\s*\n\s*failed: needs `greeting`", r.err), "greet did not fail", r)
    check("--set name=VALUE" in r.err, "the failure does not name the question and how to answer it", r)
    check(not c.exists("city.out") or c.read("city.out") == "Oslo\n", "city ran after a failure")
    r = c.sink("plan")
    check(re.search(r"blocked\s+greet: needs `greeting`", r.out), "plan: greet is not blocked", r)


@test("questions only when needed, on a terminal: asked up front only for steps that will run; late when a step must run after all")
def _(c):
    c.sinkfile(NEEDED_QUESTIONS)
    c.write("marker", "")
    t = Terminal(c, "apply")
    try:
        t.expect(r"City\? \[Oslo\]: ")
        t.send("Bergen\n")
        code = t.wait()
        check(code == 0, f"apply exited {code}; terminal: {t.text()!r}")
        check("Your name?" not in t.text(), f"a question only a done step needs was asked: {t.text()!r}")
        check(c.read("city.out") == "Bergen\n", "city's answer")
    finally:
        t.close()
    c.write("undo", "")
    t = Terminal(c, "apply")
    try:
        t.expect(r"City\? \[Oslo\]: ")
        check("Your name?" not in t.text(), f"name was asked up front: {t.text()!r}")
        t.send("\n")
        t.expect(r"\[2/3\] greet[^\n]*\n")
        t.expect(r"Your name\?: ")
        t.send("Ann\n")
        code = t.wait()
        check(code == 0, f"apply exited {code}; terminal: {t.text()!r}")
        check(c.read("greeting.out") == "hello Ann\n" and c.read("city.out") == "Oslo\n", "answers")
        check(t.text().index("City?") < t.text().index("[1/3]"), "city was not asked before the first step")
    finally:
        t.close()
    check(not c.exists("marker"), "step 1 did not remove the marker")
    t = Terminal(c, "apply")
    try:
        t.expect(r"Your name\?: ")
        t.send("Bo\n")
        t.expect(r"City\? \[Oslo\]: ")
        t.send("\n")
        t.expect(r"\[1/3\]")
        check(t.wait() == 0 and c.read("greeting.out") == "hello Bo\n", f"terminal: {t.text()!r}")
    finally:
        t.close()


def prompt_then_signal(c, send_interrupt, status):
    c.sinkfile('''
ask name "Your name?"
step "s" { run "touch ran; echo {{name}}" }
''')
    t = Terminal(c, "apply")
    try:
        t.expect(r"Your name\?: ")
        send_interrupt(t)
        try:
            code = t.wait(15)
        except Fail as e:
            raise Fail(f"sink went on waiting for an answer: {e}")
    finally:
        t.close()
    check(code == status, f"exit {code}, expected {status}; terminal: {t.text()!r}")
    check(not c.exists("ran"), "the step ran")


@test("questions on a terminal: Ctrl-C at a prompt stops sink (130) before any step")
def _(c):
    prompt_then_signal(c, lambda t: t.send(b"\x03"), 130)


@test("questions on a terminal: SIGTERM while a question waits stops sink (143) before any step")
def _(c):
    prompt_then_signal(c, lambda t: os.kill(t.pid, signal.SIGTERM), 143)


@test("questions on a terminal: Ctrl-\\ or Ctrl-Z at a secret prompt neither kill nor stop sink with echo off")
def _(c):
    c.sinkfile('ask tok "Token?" secret\nstep "s" { run "touch ran; test -n {{tok}}" }\n')
    t = Terminal(c, "apply")
    try:
        t.expect(r"Token\?: ")
        t.wait_echo_off()
        t.send(b"\x1c")  # Ctrl-\: SIGQUIT would end sink with the terminal's echo off
        t.send(b"\x1a")  # Ctrl-Z: SIGTSTP would stop it so
        time.sleep(0.5)
        check(t.poll() is None, f"sink ended ({t.poll()}) on Ctrl-\\ or Ctrl-Z at a secret prompt")
        t.send(b"\x03")
        code = t.wait(15)
        check(code == 130, f"Ctrl-C: exit {code}, expected 130")
        check(termios.tcgetattr(t.fd)[3] & termios.ECHO, "the terminal was left with echo off")
    finally:
        t.close()
    check(not c.exists("ran"), "the step ran")


# --------------------------------------------------------------------------- steps: skip, when, order, failure, output, modules

@test("skip if sh true: already done, the step does not run")
def _(c):
    c.sinkfile('''
step "done" { skip if sh "true" run "touch ran" }
step "not done" { skip if sh "false" run "touch ran2" }
''')
    r = c.sink("apply")
    check(r.code == 0, "apply failed", r)
    check(not c.exists("ran"), "a step whose `skip if` succeeded ran", r)
    check(c.exists("ran2"), "a step whose `skip if` failed did not run", r)
    check(re.search(r"already done", r.err), "no `already done` in the progress", r)


@test("skip if sees what an earlier step did")
def _(c):
    c.sinkfile('''
step "make it" { run "touch made" }
step "check it" { skip if sh "test -f made" run "touch second.ran" }
''')
    r = c.sink("apply")
    check(r.code == 0, "apply failed", r)
    check(c.exists("made") and not c.exists("second.ran"), "the second step did not see the file of the first", r)
    check(re.search(r"\[2/2\] check it\s*\n\s*already done", r.err), "step 2 was not reported as already done", r)


@test("when false: not applicable, not run")
def _(c):
    c.sinkfile('''
fact f: bool = sh "false"
step "never" { when f run "touch never.ran" }
step "always" { when not f run "touch always.ran" }
''')
    r = c.sink("apply")
    check(r.code == 0, "apply failed", r)
    check(not c.exists("never.ran") and c.exists("always.ran"), "`when` was not obeyed", r)
    check(re.search(r"\[1/2\] never\s*\n\s*not applicable", r.err), "not reported as not applicable", r)


@test("when sh: checked right before its step (sees what an earlier step did); exit 0 applies; dash and bash")
def _(c):
    c.sinkfile('''
step "install tool" { skip if sh "test -x bin/tool" run "mkdir -p bin && printf '#!/bin/sh\\n' > bin/tool && chmod +x bin/tool" }
step "configure tool" { when sh "test -x bin/tool" run 'echo "${BASH_VERSION:-dash}" > configured' }
step "absent" { when sh "test -e nowhere" skip if sh "touch skip-check.ran" run "touch absent.ran" }
''')
    for sh in ("dash", "bash"):
        for f in ("bin/tool", "configured"):
            if c.exists(f):
                os.remove(c.path(f))
        r = c.sink("plan", sh=sh)
        check(r.code == 0 and re.search(r"will run\s+install tool", r.out), f"plan under {sh}", r)
        check(re.search(r"not applicable\s+configure tool: when sh `test -x bin/tool` failed \(exit 1\)", r.out),
              f"plan under {sh}: configure tool is not `not applicable`", r)
        r = c.sink("apply", sh=sh)
        check(r.code == 0 and c.exists("configured"), f"under {sh}, the tool installed by step 1 was not seen", r)
        check(re.search(r"\[2/3\] configure tool\s*\n\s*done in", r.err), f"under {sh}: step 2 not run", r)
        check(re.search(r"\[3/3\] absent\s*\n\s*not applicable: when sh `test -e nowhere` failed", r.err),
              f"under {sh}: step 3 not reported", r)
        check(not c.exists("absent.ran") and not c.exists("skip-check.ran"), f"under {sh}: a step or check ran", r)
        check(c.read("configured").startswith("dash" if sh == "dash" else "5."), f"not run by {sh}")
        r = c.sink("apply", sh=sh)
        check(r.code == 0 and re.search(r"\[1/3\] install tool\s*\n\s*already done", r.err), f"second apply under {sh}", r)
    c.sinkfile('''
step "twice" { when sh "true" when true run "true" }
step "empty" { when sh "" run "true" }
''')
    r = c.sink("check")
    check(r.code == 1 and "`when` appears twice in this step" in r.err and "`when sh` has an empty command" in r.err,
          "when sh with when, and an empty one, are check errors", r)
    c.sinkfile('step "missing" { when sh run "true" }')
    r = c.sink("check")
    check(r.code == 1 and "Sinkfile:1:26" in r.err and "expected a string in quotes" in r.err, "when sh without a command", r)


@test("feedback while facts are gathered: a plain line per slow fact without a terminal; a live line, cleared, on one")
def _(c):
    c.sinkfile('''
fact slow = sh "sleep 2.4; echo s"
fact quick = sh "echo q"
step "s" { run "echo {{slow}} {{quick}} > out" }
''')
    r = c.sink("apply")
    check(r.code == 0 and r.err.count("sink: fact `slow` is still running after 2.") == 1, "no plain line for slow", r)
    check("quick" not in r.err and "\x1b" not in r.err, "a quick fact was named, or a terminal code was written", r)
    t = Terminal(c, "plan", term="xterm")
    try:
        code = t.wait()
        text = t.text()
        check(code == 0, f"plan exited {code}: {text!r}")
        lines = re.findall(r"\r\x1b\[Ksink: gathering facts: slow \((\d+\.\d+)s\)", text)
        check(len(lines) >= 5 and float(lines[0]) >= 0.5 and float(lines[-1]) > 1.5, f"live lines: {lines}")
        check(re.search(r"\(\d\.\d+s\)\r\x1b\[KSinkfile on ", text),
              f"the live line was not cleared before the plan: {text[-300:]!r}")
    finally:
        t.close()


@test("exit statuses: plan exits 1 exactly when apply (same values, no terminal) would stop or fail; --detailed-exitcode 0/2")
def _(c):
    cases = [  # (Sinkfile, plan, plan --detailed-exitcode, apply)
        ('step "s" { skip if sh "true" run "true" }', 0, 0, 0),
        ('step "s" { run "true" }', 0, 2, 0),
        ('fact n: int = sh "echo many"\nstep "s" { when n > 1 run "true" }', 1, 1, 1),     # a value of the wrong type
        ('fact f = sh "false"\nstep "s" { run "echo {{f}}" }', 1, 1, 1),                   # blocked: a failed fact
        ('ask q "Q?"\nstep "s" { run "echo {{q}}" }', 1, 1, 1),                            # blocked: no answer
        ('ask q "Q?"\nstep "s" { skip if sh "true" run "echo {{q}}" }', 0, 0, 0),          # done: needs no answer
        ('fact k = env "SINK_SURELY_UNSET" required\nstep "s" { run "echo {{k}}" }', 1, 1, 1),
    ]
    for text, plan, detailed, apply in cases:
        c.sinkfile(text)
        for sh in ("dash", "bash"):
            got = (c.sink("plan", sh=sh).code, c.sink("plan", "--detailed-exitcode", sh=sh).code, c.sink("apply", sh=sh).code)
            check(got == (plan, detailed, apply), f"{text!r} under {sh}: (plan, detailed, apply) = {got}, "
                                                  f"expected {(plan, detailed, apply)}")
    c.sinkfile(cases[4][0])
    r = c.sink("plan")
    check("apply would fail at a blocked step" in r.err, "plan does not say why it exits 1", r)
    check(c.sink("plan", "--set", "q=x").code == 0 and c.sink("apply", "--set", "q=x").code == 0, "answered")


@test("--only, --skip (names or globs) and --from choose steps; left-out steps' facts and questions are not gathered or asked")
def _(c):
    c.sinkfile('''
fact b_fact = sh "touch b-fact.ran; echo b"
ask name "Your name?"
step "Install a" { run "touch a.ran" }
step "Install b" { run "touch b.ran {{b_fact}}" }
step "Configure" { run "touch configure.ran {{name}}" }
''')
    r = c.sink("apply", "--only", "Install a")
    check(r.code == 0 and c.exists("a.ran") and not c.exists("b.ran") and not c.exists("configure.ran"), "--only", r)
    check(not c.exists("b-fact.ran"), "a fact only a left-out step needs was gathered", r)
    check("1 step; 2 left out by --only/--skip/--from" in r.err and "[1/1] Install a" in r.err, "apply's header", r)
    os.remove(c.path("a.ran"))
    r = c.sink("apply", "--skip", "Install *", "--set", "name=ann")
    check(r.code == 0 and c.exists("configure.ran") and not c.exists("a.ran") and not c.exists("b-fact.ran"), "--skip glob", r)
    r = c.sink("apply", "--from", "Install b", "--skip", "Configure")
    check(r.code == 0 and c.exists("b.ran") and c.exists("b-fact.ran") and not c.exists("a.ran"), "--from and --skip", r)
    check("E403" not in r.err, "a question only a left-out step needs stopped the run", r)
    r = c.sink("plan", "--only", "Configure", "--only", "Install a", "--set", "name=ann")
    check(r.code == 0 and re.search(r"will run\s+Install a\n\s+will run\s+Configure\n2 steps: .*; 1 left out", r.out),
          "plan --only twice", r)
    r = c.sink("plan", "--from", "Configure", "--format", "json", "--set", "name=ann")
    check(r.code == 0 and json.loads(r.out)["summary"]["not_chosen"] == 2, "plan --from in JSON", r)
    for command in ("apply", "plan"):
        for flag, name, hint in (("--only", "Instal a", 'did you mean "Install a"?'), ("--skip", "Nothing*", "sink plan"),
                                 ("--from", "configure", 'did you mean "Configure"?')):
            r = c.sink(command, flag, name)
            check(r.code == 2 and f'{flag} "{name}": no step is named so' in r.err and hint in r.err,
                  f"{command} {flag} {name}: not a usage error with a suggestion", r)
    check(not c.exists("a.ran"), "a step ran after a usage error")


@test("steps run in file order, with progress i/n and a summary")
def _(c):
    c.sinkfile('''
step "one" { run "echo 1 >> order" }
platform linux {
  step "two" { run "echo 2 >> order" }
}
step "three" { run "echo 3 >> order" }
platform darwin { step "mac" { run "echo mac >> order" } }
step "four" { run "echo 4 >> order" }
''')
    r = c.sink("apply")
    check(r.code == 0, "apply failed", r)
    check(c.lines("order") == ["1", "2", "3", "4"], f"order: {c.lines('order')}")
    check(re.search(r"\[1/4\] one[\s\S]*\[2/4\] two[\s\S]*\[3/4\] three[\s\S]*\[4/4\] four", r.err), "no progress", r)
    check(re.search(r"done in \d", r.err), "no elapsed time", r)
    check(re.search(r"4 ran", r.err), "no summary", r)


@test("the first failure stops the run: exit 1, names step, exit status, interpolated error and Sinkfile:LINE")
def _(c):
    text = '''
fact thing = sh "echo widget"
step "one" { run "touch one.ran" }

step "two" {
  run "touch two.ran; exit 3"
  error "could not make {{thing}}"
}
step "three" { run "touch three.ran" }
'''
    c.sinkfile(text)
    r = c.sink("apply")
    check(r.code == 1, "exit status is not 1", r)
    check(c.exists("one.ran") and c.exists("two.ran"), "the steps before the failure did not run", r)
    check(not c.exists("three.ran"), "the step after the failure ran", r)
    check("two" in r.err, "the failing step is not named", r)
    check(re.search(r"exit status 3|status 3|exit 3", r.err), "the exit status is not shown", r)
    check("could not make widget" in r.err, "the interpolated error message is not shown", r)
    line = line_of(text.lstrip(), 'step "two"')
    check(re.search(rf"Sinkfile:{line}\b", r.err), f"Sinkfile:{line} is not shown", r)


@test("a multi-line run stops at its first failing command")
def _(c):
    c.sinkfile('''
step "lines" {
  run """
    touch a.ran
    false
    touch b.ran
  """
}
''')
    r = c.sink("apply")
    check(r.code == 1, "exit status is not 1", r)
    check(c.exists("a.ran") and not c.exists("b.ran"), "the run went on after `false`", r)


@test("a step killed by a signal fails the run: exit 1, the signal named")
def _(c):
    c.sinkfile('''
step "killed" { run "kill -9 $$" }
step "after" { run "touch after.ran" }
''')
    r = c.sink("apply")
    check(r.code == 1, "exit status is not 1", r)
    check(re.search(r"signal 9|SIGKILL", r.err), "the signal is not named", r)
    check(not c.exists("after.ran"), "the next step ran", r)


@test("step output streams live (seen while the step still runs)")
def _(c):
    c.sinkfile('''
step "talk" {
  run """
    echo live-line-from-step
    i=0
    while [ ! -f go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
    test -f go
  """
}
''')
    p = subprocess.Popen([SINK, "apply"], cwd=c.dir, env=c.env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    c.procs.append(p)
    seen, deadline = b"", time.monotonic() + HANG
    while b"live-line-from-step" not in seen and time.monotonic() < deadline and p.poll() is None:
        if select.select([p.stdout], [], [], 0.1)[0]:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
    ended_first = p.poll() is not None
    c.write("go", "")
    code = p.wait(HANG)
    p.stdout.close()
    check(b"live-line-from-step" in seen and not ended_first, f"the step's output was not seen while it ran: {seen!r}")
    check(code == 0, f"apply exited {code}")


@test("modules: a used module's steps run first; its facts and helpers serve the file")
def _(c):
    c.write("mods/base.sink", """
fact base_fact = sh "echo from-module"
helper shout '''
  printf '%s!' "$1" >> order
'''
step "module step" { run "echo module >> order" }
""")
    c.sinkfile('''
use "./mods/base.sink"
use "std/retry"
step "file step" { run "echo file >> order; shout {{base_fact}}; retry --attempts 2 -- true" }
''')
    r = c.sink("apply")
    check(r.code == 0, "apply failed", r)
    check(c.read("order") == "module\nfile\nfrom-module!", f"order: {c.read('order')!r}", r)


@test("examples/hello applies on this machine, and plans as done afterwards")
def _(c):
    demo = c.path("demo")
    hello = os.path.join(ROOT, "examples/hello/Sinkfile")
    env = {"SINK_DEMO_DIR": demo, "USER": "tester", "SHELL": "/bin/sh"}
    r = c.sink("apply", hello, env=env)
    check(r.code == 0, "apply failed", r)
    note = c.read("demo/note.txt")
    check(note.startswith("Hello, tester\n") and "shell: sh, cpus: " in note and "distro: " in note, f"note: {note!r}")
    r = c.sink("plan", hello, env=env)
    check(r.code == 0 and re.search(r"already done\s+Make the demo folder", r.out), "plan after apply is wrong", r)


# --------------------------------------------------------------------------- env / dir

@test("env: top level, platform block and step; the innermost wins")
def _(c):
    c.sinkfile('''
env A = "top"
env B = "top"
env C = "top"
platform linux {
  env B = "plat"
  env C = "plat"
  step "inner" {
    env C = "step"
    run "printf '%s %s %s' \\"$A\\" \\"$B\\" \\"$C\\" > inner.out"
  }
}
step "outer" { run "printf '%s %s %s' \\"$A\\" \\"$B\\" \\"$C\\" > outer.out" }
step "step only" {
  env A = "mine {{user}}"
  run "printf '%s %s' \\"$A\\" \\"$HOME\\" > step.out"
}
''')
    r = c.sink("apply", env={"A": "from-sink-env", "USER": "tester"})
    check(r.code == 0, "apply failed", r)
    check(c.read("inner.out") == "top plat step", f"inner: {c.read('inner.out')!r}")
    check(c.read("outer.out") == "top top top", f"outer: {c.read('outer.out')!r}")
    check(c.read("step.out") == f"mine tester {c.home}", f"step: {c.read('step.out')!r}")


@test("dir: relative to the Sinkfile's folder, which is also the default")
def _(c):
    c.sinkfile('''
step "in sub" { dir "sub" run "pwd -P > where.txt" }
step "default" { run "pwd -P > default.txt" }
step "absolute" { dir "{{home}}" run "pwd -P > home.txt" }
''', name="proj/Sinkfile")
    os.makedirs(c.path("proj/sub"))
    os.makedirs(c.path("elsewhere"))
    real = os.path.realpath(c.path("proj"))
    r = c.sink("apply", "../proj/Sinkfile", cwd=c.path("elsewhere"))
    check(r.code == 0, "apply failed", r)
    check(c.read("proj/sub/where.txt").strip() == os.path.join(real, "sub"), "dir was not relative to the Sinkfile", r)
    check(c.read("proj/default.txt").strip() == real, "the default folder is not the Sinkfile's", r)
    check(c.read("home/home.txt").strip() == os.path.realpath(c.home), "an absolute dir was not used", r)
    check(not os.listdir(c.path("elsewhere")), "something was written in the working folder")
    os.remove(c.path("proj/default.txt"))
    r = c.sink("apply", cwd=c.path("proj/sub"))  # finds ../Sinkfile
    check(r.code == 0, "apply from a subfolder failed", r)
    check(c.read("proj/default.txt").strip() == real, "from a subfolder, the default folder is not the Sinkfile's", r)


# --------------------------------------------------------------------------- injection

PAYLOADS = [
    "$(touch PWNED)",
    "`touch PWNED`",
    ";touch PWNED",
    "; touch PWNED #",
    "&& touch PWNED",
    "| touch PWNED",
    "> PWNED",
    "'",
    "it's",
    "'; touch PWNED; '",
    '"',
    '"; touch PWNED; "',
    "\"$(touch PWNED)\"",
    "'$(touch PWNED)'",
    "line1\ntouch PWNED\nline3",
    "trailing newline\n",
    "*",
    "-n",
    "--help",
    "-e \\n",
    "{{x}}",
    "{{ raw x }}",
    "\\",
    "back\\slash\\",
    "$HOME ${PATH} $0 $1 $@",
    "%s %d %n",
    "  spaced  out  ",
    "\ttab\t",
    "#not a comment",
    "EOF\ntouch PWNED\nEOF",
    "ünïcødé ☃",
    "",
]

INJECTION = '''
ask x "x?"
fact e = env "PAYLOAD"
fact fx = sh "printf '%s' {{x}} > fact_x.out; printf '%s' \\"{{e}}\\" > fact_e.out; echo ok"
fact built = "<{{x}}>"
env TOP = "{{x}}"
step "outside" { run "printf '%s' {{x}} > out_x; printf '%s' {{e}} > out_e" }
step "double" { run "printf '%s' \\"{{x}}\\" > dq_x; printf '%s' \\"{{e}}\\" > dq_e" }
step "glued" { run "printf '%s' pre{{x}}post > glued_x; printf '%s' \\"pre'{{e}}'post\\" > glued_e" }
step "built" { run "printf '%s' {{built}} > built_x" }
step "env" {
  env V = "{{x}}"
  env W = "pre {{e}} post"
  run "printf '%s' \\"$V\\" > env_x; printf '%s' \\"$W\\" > env_e; printf '%s' \\"$TOP\\" > top_x"
}
step "skip if" {
  skip if sh "printf '%s' {{x}} > skip_x; printf '%s' \\"{{e}}\\" > skip_e; test {{x}} = {{e}} && false"
  run "printf '%s' {{fx}} > fx.out"
}
step "substitution" { run "printf '%s' \\"$(printf '%s' {{x}})\\" > subst_x; t=`printf '%s' {{e}}`; printf '%s' \\"$t\\" > tick_e" }
step "heredoc" {
  run """
    cat > here_x <<EOF
    {{x}}
    EOF
  """
}
'''


def injection_test(i, payload):
    @test(f"injection: payload {i} {payload!r} arrives byte for byte and runs nothing")
    def _(c):
        c.sinkfile(INJECTION)
        r = c.sink("apply", "--set", "x=" + payload, env={"PAYLOAD": payload})
        check(r.code == 0, "apply failed", r)
        pwned = [os.path.join(d, f) for d, _, fs in os.walk(c.dir) for f in fs if "PWNED" in f]
        check(not pwned, f"the payload ran as shell code: {pwned}", r)
        p = payload.encode()
        expected = {
            "fact_x.out": p, "fact_e.out": p,
            "out_x": p, "out_e": p, "dq_x": p, "dq_e": p,
            "glued_x": b"pre" + p + b"post", "glued_e": b"pre'" + p + b"'post",
            "built_x": b"<" + p + b">", "env_x": p, "env_e": b"pre " + p + b" post", "top_x": p,
            "skip_x": p, "skip_e": p, "fx.out": b"ok",
            "subst_x": p.rstrip(b"\n"), "tick_e": p.rstrip(b"\n"), "here_x": p + b"\n",
        }
        wrong = []
        for name, want in expected.items():
            got = c.read(name, binary=True) if c.exists(name) else None
            if got != want:
                wrong.append(f"{name}: {got!r} (expected {want!r})")
        check(not wrong, "values changed on the way:\n  " + "\n  ".join(wrong), r)


for _i, _p in enumerate(PAYLOADS):
    injection_test(_i, _p)


def context_test(title, run, expected):
    """One more place in a command where a value may stand: every payload, given with
    --set, must arrive as `expected(payload)` in the file `got`, and run nothing."""

    @test(f"injection: {title}")
    def _(c):
        c.sinkfile('ask x "x?"\nstep "s" {\n  run """\n' + run + '\n  """\n}\n')
        wrong = []
        for payload in PAYLOADS + ["a b*"]:
            if c.exists("got"):
                os.remove(c.path("got"))
            r = c.sink("apply", "--set", "x=" + payload)
            check(r.code == 0, f"apply with {payload!r} failed", r)
            pwned = [os.path.join(d, f) for d, _, fs in os.walk(c.dir) for f in fs if "PWNED" in f]
            check(not pwned, f"the payload {payload!r} ran as shell code: {pwned}", r)
            got = c.read("got", binary=True) if c.exists("got") else None
            if got != expected(payload.encode()):
                wrong.append(f"{payload!r} arrived as {got!r}")
        check(not wrong, f"{len(wrong)} of {len(PAYLOADS) + 1} values changed on the way, e.g.:\n  " +
              "\n  ".join(wrong[:6]))


context_test("inside backticks, in double quotes (t=`printf '%s' \"{{x}}\"`)",
             """    t=`printf '%s' "{{x}}"`; printf '%s' "$t" > got""", lambda p: p.rstrip(b"\n"))
context_test("inside double-quoted backticks (\"`printf '%s' {{x}}`\")",
             """    t="`printf '%s' {{x}}`"; printf '%s' "$t" > got""", lambda p: p.rstrip(b"\n"))


@test("injection: where a value would be pasted into quoted text or code, the check refuses (E267)")
def _(c):
    # Inside '...' the value's text would be pasted into the quoted text; in the string of
    # `sh -c` or `eval` it would become code for the inner shell. sink refuses both before
    # running anything.
    for run in (r"printf '%s' '{{x}}' > got", r"sh -c 'echo {{x}} > got'", r'sh -c \"echo {{x}} > got\"',
                r'eval \"echo {{x}} > got\"', r"t=`printf '%s' '{{x}}'`; echo \"$t\" > got",
                r"printf '%s' \"$(printf '%s' '{{x}}')\" > got"):
        c.sinkfile('ask x "x?"\nstep "s" { run "' + run + '" }\n')
        r = c.sink("apply", "--set", "x=$(touch PWNED)")
        check(r.code == 1 and "E267" in r.err, f"`{run}` should be refused with E267", r)
        check(not c.exists("got") and not c.exists("PWNED"), "nothing may run", r)
    c.sinkfile('ask x "x?"\nstep "s" { run "sh -c \'printf %s \\"$1\\" > got\' sh {{x}}" }\n')
    r = c.sink("apply", "--set", "x=$(touch PWNED)")
    check(r.code == 0 and c.read("got") == "$(touch PWNED)", "the safe form (an argument) works", r)


@test("injection: a value in a here-document with a quoted delimiter (<<'EOF') is a check error")
def _(c):
    # Nothing expands there, so the value could not arrive: sink refuses the place (E266)
    # before running anything, instead of writing ${SINK_x} into the file.
    c.sinkfile('ask x "x?"\nstep "s" {\n  run """\n    cat > got <<\'EOF\'\n    {{x}}\n    EOF\n  """\n}\n')
    r = c.sink("apply", "--set", "x=$(touch PWNED)")
    check(r.code == 1, "apply should stop on the check error", r)
    check("E266" in r.err and "Sinkfile:5:5" in r.err, "E266 located at the interpolation", r)
    check(not c.exists("got") and not c.exists("PWNED"), "nothing may run", r)


context_test("in a here-document with <<- and tabs",
             """    cat > got <<-EOF\n    \t{{x}}\n    \tEOF""", lambda p: p + b"\n")
context_test("in a parameter expansion default (${UNSET:-{{x}}}), quoted and not",
             """    printf '%s' "${UNSET:-{{x}}}" > got""", lambda p: p)
context_test("in a case pattern and word",
             """    case {{x}} in {{x}}) printf '%s' {{x}} > got;; *) printf 'no match' > got;; esac""", lambda p: p)



# --------------------------------------------------------------------------- secrets in sink's own messages

@test("secrets in sink's own messages: a --vars TOML error never quotes the file")
def _(c):
    c.sinkfile('ask tok "Token?" secret\nstep "s" { run "test -n {{tok}}" }\n')
    for text in ('tok = "ghp_S3CRETVALUE\n', 'tok = "ghp_S3CRETVALUE" x\n', 'tok = ["ghp_S3CRETVALUE"]\n',
                 "tok = 'ghp_S3CRETVALUE\n"):
        c.write("v.toml", text)
        for cmd in (["apply", "--vars", "v.toml"], ["plan", "--vars", "v.toml"], ["check", "--ci", "--vars", "v.toml"]):
            r = c.sink(*cmd)
            check(r.code != 0 and re.search(r"E41[12]", r.err), f"{cmd} on {text!r}: no E411/E412", r)
            check("S3CRET" not in r.both, f"{cmd} quoted the --vars file: {text!r}", r)
            check("v.toml:1:" in r.err, f"{cmd}: the error does not say where", r)


@test("secrets in sink's own messages: a failed fact's stderr is masked before it is cut or trimmed, longest secret first")
def _(c):
    c.sinkfile("""
ask outer "?" secret
ask inner "?" secret
fact f = sh "printf '%s\\\\n%s\\\\n' {{outer}} {{inner}} >&2; printf 'pad\\\\n' >&2; exit 3" required
step "s" { run "touch ran; echo {{f}}" }
""")
    c.write("v.toml", 'outer = "  xxabcxx-multi\\nline-secret  "\ninner = "abc"\n')
    r = c.sink("apply", "--vars", "v.toml")
    check(r.code == 1 and "E401" in r.err and not c.exists("ran"), "the required fact should stop apply", r)
    for part in ("xxabcxx", "multi", "line-secret", "abc"):
        check(part not in r.both, f"{part!r} of a secret was printed", r)
    check("more bytes" in r.err, "the cut stderr does not say how much was left out", r)


@test("secrets in sink's own messages: {{env.X}} of a variable a secret env fact reads is secret, even when that fact is not needed")
def _(c):
    c.sinkfile('platform darwin {\n  fact token = env "GH_TOKEN" secret\n  step "mac" { run "echo {{token}}" }\n}\n'
               'step "s" { run "echo hi" error "failed with {{env.GH_TOKEN}}" }\n')
    r = c.sink("check")
    check(r.code == 1 and "E261" in r.err, "{{env.GH_TOKEN}} in an error message should be refused (E261)", r)
    c.sinkfile('platform darwin {\n  fact token = env "GH_TOKEN" secret\n  step "mac" { run "echo {{token}}" }\n}\n'
               'fact who = sh "echo {{env.GH_TOKEN}} >&2; exit 4" required\nstep "s" { run "echo {{who}}" }\n')
    r = c.sink("apply", env={"GH_TOKEN": "ghp_envs3cret"})
    check(r.code == 1 and "exited with status 4" in r.err, "the fact should fail", r)
    check("ghp_envs3cret" not in r.both, "the variable's value was printed", r)
    r = c.sink("facts", "--format", "json", env={"GH_TOKEN": "ghp_envs3cret"})
    check("ghp_envs3cret" not in r.both, "facts printed the variable's value", r)


@test("secrets in sink's own messages: a secret bool leaves every other true alone; --set of a secret warns")
def _(c):
    c.sinkfile('fact admin: bool = sh "true" secret\nfact f = sh "echo true is true >&2; exit 2" required\n'
               'step "s" { when admin run "echo {{f}}" }\n')
    r = c.sink("apply")
    check(r.code == 1 and "true is true" in r.err, "a secret bool masked the word true", r)
    r = c.sink("facts")
    check("admin" in r.out and "••••••" in r.out, "the secret bool's own value is masked", r)
    c.sinkfile('ask tok "Token?" secret\nstep "s" { run "test -n {{tok}}" }\n')
    r = c.sink("apply", "--set", "tok=abc123")
    check(r.code == 0 and "W411" in r.err and "--set tok" in r.err and "--vars" in r.err and "abc123" not in r.err,
          "--set of a secret should warn and point to --vars", r)


# --------------------------------------------------------------------------- output hygiene

@test("output hygiene: control characters from names, fact values, error text and stderr never reach the terminal raw")
def _(c):
    c.sinkfile("""
fact title = sh "printf 'x\\\\033]0;pwned\\\\007y\\\\033[2J'"
fact bad = sh "printf 'e\\\\033[31mred\\\\007' >&2; exit 5"
step "s" { run "echo {{bad}}" }
step "t" { run "false" error "failed: {{title}}" }
""")
    for cmd in (["facts"], ["plan"], ["apply"]):
        r = c.sink(*cmd)
        raw = [ch for ch in "\x1b\x07\x9b" if ch in r.both]
        check(not raw, f"{cmd} printed raw control characters {raw!r}", r)
    r = c.sink("facts")
    check("\\x1B]0;pwned\\x07" in r.out, "the value is shown escaped", r)
    check("e\\x1B[31mred\\x07" in r.out, "the failing fact's stderr is shown escaped", r)


@test("output hygiene: a failing fact's long one-line stderr is cut, saying how much was left out")
def _(c):
    c.sinkfile('fact big = sh "head -c 16000000 /dev/zero | tr \'\\\\0\' x >&2; exit 1" required\nstep "s" { run "echo {{big}}" }\n')
    r = c.sink("apply")
    check(r.code == 1 and len(r.err) < 5000, f"{len(r.err)} bytes of stderr", r)
    check(re.search(r"more bytes\)", r.err), "no note of what was left out", r)


@test("output hygiene: non-UTF-8 fact output keeps --format json valid")
def _(c):
    c.sinkfile('fact v = sh "printf \'a\\\\377\\\\033b\\\\300\'"\nfact w = sh "printf \'\\\\377\' >&2; exit 1"\n'
               'step "s" { run "echo {{v}} {{w}}" }\n')
    for cmd in (["facts", "--format", "json"], ["plan", "--format", "json"]):
        p = subprocess.run([SINK, *cmd], cwd=c.dir, env=c.env(), capture_output=True, timeout=HANG)
        try:
            data = json.loads(p.stdout.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise Fail(f"{cmd}: not valid JSON ({e}): {p.stdout[:300]!r}")
        check(data is not None, f"{cmd}: empty")


# --------------------------------------------------------------------------- limits

@test("limits: an answer over 100,000 bytes stops apply before its first step")
def _(c):
    c.sinkfile('ask big "?"\nstep "first" { run "touch first" }\nstep "second" { run "printf %s {{big}} | wc -c" }\n')
    c.write("v.toml", 'big = "' + "x" * 100_001 + '"\n')
    r = c.sink("apply", "--vars", "v.toml")
    check(r.code == 1 and not c.exists("first"), "step 1 ran although step 2's answer is over the limit", r)
    check("bytes" in r.err, "the limit is not said", r)


@test("limits: check --ci checks --set and --vars as apply does")
def _(c):
    c.sinkfile('ask name "?"\nstep "s" { run "echo {{name}}" }\n')
    r = c.sink("check", "--ci", "--set", "nmae=x", "--set", "name=y")
    check(r.code != 0 and "E414" in r.err and "did you mean `name`" in r.err, "an unknown --set must be an error", r)
    r = c.sink("apply", "--set", "nmae=x", "--set", "name=y")
    check(r.code != 0 and "not a question" in r.err, "apply refuses it", r)
    c.sinkfile('ask shell "?" choices "zsh", "bash"\nask tok "?" secret\nstep "s" { run "echo {{shell}} {{tok}}" }\n')
    c.write("v.toml", 'shel = "zsh"\n')
    r = c.sink("check", "--ci", "--set", "shell=fish", "--set", "tok=abc", "--vars", "v.toml")
    check(r.code == 1 and "E415" in r.err and "W411" in r.err and "W410" in r.err,
          "check --ci checks the answers as apply does: a choice (E415), a secret on the command line (W411), "
          "a --vars name that is no question (W410)", r)


@test("limits: 500 facts are gathered a bounded number at a time, without running out of files")
def _(c):
    facts = "".join(f'fact f{i} = sh "echo {i}"\n' for i in range(500))
    c.sinkfile(facts + 'step "s" { run "echo ' + " ".join(f"{{{{f{i}}}}}" for i in range(500)) + ' > got" }\n')
    r = c.sink("apply")
    check(r.code == 0, "500 facts failed", r)
    check(c.read("got").split() == [str(i) for i in range(500)], "values lost", r)


@test("limits: a run over 128 KiB, or values past ARG_MAX, fail before any step with a clear error")
def _(c):
    c.sinkfile('step "first" { run "touch first" }\nstep "big" {\n  run """\n' + "    : " + "x" * 140_000 + '\n  """\n}\n')
    r = c.sink("apply")
    check(r.code == 1 and not c.exists("first") and "cannot start" in r.err and "Sinkfile:2" in r.err,
          "a 140 kB run should stop apply before step 1", r)
    facts = "".join(f'fact v{i} = sh "head -c 90000 /dev/zero | tr \'\\\\0\' y"\n' for i in range(40))
    c.sinkfile(facts + 'step "first" { run "touch first" }\nstep "many" { run ": ' +
               " ".join(f"{{{{v{i}}}}}" for i in range(40)) + '" }\n')
    r = c.sink("apply")
    check(r.code == 1 and not c.exists("first") and "ARG_MAX" in r.err, "3.6 MB of values should stop apply before step 1", r)


@test("limits: whole numbers out of range, version parts over 18 digits, and a version against a negative int")
def _(c):
    c.sinkfile('fact n: int = sh "echo 9223372036854775808"\nstep "s" { run "echo {{n}}" }\n')
    r = c.sink("apply")
    check(r.code == 1 and "out of range" in r.err, "9223372036854775808 should be out of range", r)
    c.sinkfile('fact v: version = sh "echo 1.1234567890123456789"\nstep "s" { run "echo {{v}}" }\n')
    r = c.sink("apply")
    check(r.code == 1 and "more than 18 digits" in r.err, "a 19-digit version part should be refused, not cut", r)
    c.sinkfile('fact v: version = sh "echo 1.0"\nstep "s" { when v > -5 run "touch yes" }\n'
               'step "t" { when v < -5 run "touch no" }\n')
    r = c.sink("apply")
    check(r.code == 0 and c.exists("yes") and not c.exists("no"), 'a version 1.0 is above -5', r)


# --------------------------------------------------------------------------- nested shells

NESTED_CODE = [  # every form of code another shell or interpreter runs; {{x}} inside it would be code
    r'sh -c \"echo {{x}}\"', r'sh -xc \"echo {{x}}\"', r'sh -euc \"echo {{x}}\"', r'bash -ic \"echo {{x}}\"',
    r'sh -c -- \"echo {{x}}\"', r'su root --command \"echo {{x}}\"', r'trap \"echo {{x}}\" EXIT', r'eval echo {{x}}',
    r'env VAR=1 sh -c \"echo {{x}}\"', r'timeout 5 sh -c \"echo {{x}}\"', r'nohup sh -c \"echo {{x}}\"',
    r'echo | xargs sh -c \"echo {{x}}\"', r'find . -maxdepth 0 -exec sh -c \"echo {{x}}\" \\;', r'sudo sh -c \"echo {{x}}\"',
    r'sh \\\n  -c \"echo {{x}}\"', r'sh <<EOF\necho {{x}}\nEOF', r'awk \"BEGIN { print {{x}} }\"', r'sed \"s/a/{{x}}/\"',
]


@test("nested shells: {{x}} in code another shell runs is refused in every form, and the hint's \"$SINK_x\" works")
def _(c):
    for run in NESTED_CODE:
        c.sinkfile('ask x "x?"\nstep "s" { run "' + run + ' > got" }\n')
        r = c.sink("apply", "--set", "x=$(touch PWNED)")
        check(r.code == 1 and "E267" in r.err and '"$SINK_x"' in r.err, f"`{run}` should be refused with E267", r)
        check(not c.exists("got") and not c.exists("PWNED"), f"`{run}`: nothing may run", r)
        r = c.sink("check", "--ci", "--set", "x=1")
        check(r.code == 1 and "E267" in r.err, f"`{run}`: check refuses it too", r)
    # What the hint says: the value is already in the environment, and the inner shell reads it.
    c.sinkfile('ask x "x?"\nstep "s" {\n  run """\n    sh -xc \'printf %s "$SINK_x" > got\'\n'
               '    trap \'printf %s "$SINK_x" > got_trap\' EXIT\n  """\n}\n')
    for payload in PAYLOADS:
        r = c.sink("apply", "--set", "x=" + payload)
        check(r.code == 0 and c.read("got", binary=True) == payload.encode() and
              c.read("got_trap", binary=True) == payload.encode(), f"{payload!r} did not arrive", r)
        check(not c.exists("PWNED"), f"{payload!r} ran", r)


# --------------------------------------------------------------------------- arithmetic

def shells_as_sh():
    """(name, prefix): how to run sink with /bin/sh as it is, and with bash bound over
    /bin/sh in a private mount namespace (as root only)."""
    yield "sh", []
    if os.geteuid() == 0 and os.path.exists("/usr/bin/unshare"):
        yield "bash as /bin/sh", ["unshare", "-m", "sh", "-c", 'mount --bind /bin/bash /bin/sh && exec "$@"', "sh"]


def sink_as(c, prefix, *args):
    p = subprocess.run([*prefix, SINK, *args], cwd=c.dir, env=c.env(), stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=HANG)
    return Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


@test("arithmetic: an int value works in every arithmetic context, under dash and with bash as /bin/sh")
def _(c):
    for shell, prefix in shells_as_sh():
        bash = shell != "sh" or os.path.realpath("/bin/sh").endswith("bash")
        for value, want in (("7", "14 -4 8 6"), ("-5", "-10 8 -4 6"), ("0", "0 3 1 6")):
            contexts = ['echo "$(({{n}} * 2)) $((3-{{n}})) $(( {{n}} + 1 ))" > got', 'echo $((6)) >> got']
            if bash:  # bash's own: (( )), let, [[ ]], ${s:offset}, a[i]
                contexts[1] = ('(( {{n}} < 100 )) && let "m = {{n}} - {{n}} + 2" && [[ {{n}} -lt 100 ]] && '
                               'a[{{n}}+10]=3 && s=123456 && echo $((m + ${a[{{n}}+10]} + ${#s} - 5)) >> got')
            c.sinkfile('fact n: int = sh "echo ' + value + '"\nstep "s" {\n  run """\n    ' +
                       "\n    ".join(contexts) + '\n  """\n}\n')
            r = sink_as(c, prefix, "apply")
            check(r.code == 0, f"{shell}: {value} failed", r)
            check(c.read("got").split() == want.split(), f"{shell}: {value}: got {c.read('got')!r}", r)


@test("arithmetic: a value that is not an int never reaches arithmetic: E269, or the fact fails before any step")
def _(c):
    for shell, prefix in shells_as_sh():
        for name in ("got", "first"):
            if c.exists(name):
                os.remove(c.path(name))
        for run in ("echo $(({{x}} * 2)) > got", "[[ {{x}} -gt 2 ]] && echo y > got", "let y={{x}}", "echo ${s:{{x}}}"):
            c.sinkfile('ask x "x?"\nstep "s" { run "' + run + '" }\n')
            r = sink_as(c, prefix, "apply", "--set", "x=a[$(touch PWNED)]")
            check(r.code == 1 and "E269" in r.err, f"{shell}: `{run}` should be refused with E269", r)
            check(not c.exists("PWNED") and not c.exists("got"), f"{shell}: nothing may run", r)
        # An int fact whose command prints code: not a whole number, so no step runs.
        c.sinkfile('fact n: int = sh "printf %s \'a[$(touch PWNED)]\'"\nstep "first" { run "touch first" }\n'
                   'step "s" { run "echo $(({{n}} * 2)) > got" }\n')
        r = sink_as(c, prefix, "apply")
        check(r.code != 0 and not c.exists("first") and not c.exists("PWNED"), f"{shell}: the bad int ran", r)
        # An answer becomes an int through a fact, checked before any step.
        c.sinkfile('ask x "x?"\nfact n: int = "{{x}}"\nstep "first" { run "touch first" }\n'
                   'step "s" { run "echo $(({{n}} * 2)) > got" }\n')
        r = sink_as(c, prefix, "apply", "--set", "x=a[$(touch PWNED)]")
        check(r.code != 0 and not c.exists("first") and not c.exists("PWNED"), f"{shell}: the bad answer ran", r)
        r = sink_as(c, prefix, "apply", "--set", "x=21")
        check(r.code == 0 and c.read("got").strip() == "42", f"{shell}: 21 * 2", r)


@test("apply on a terminal shows a long step's elapsed time in the title, then restores it")
def _(c):
    c.sinkfile('step "slow" {\n  run "sleep 4.5"\n}\n')
    t = Terminal(c, "apply", term="xterm")
    t.expect(r"\x1b\[22;2t")  # the title is saved first
    t.expect(r"\x1b\]2;sink \[1/1\] slow \(3s\)\x07")
    t.expect(r"\x1b\]2;sink \[1/1\] slow \(4s\)\x07")
    t.wait()
    check(t.status == 0, f"apply exited {t.status}", None)
    check(b"\x1b[23;2t" in t.buf, "the title was not restored", None)
    quick = Terminal(c, "apply", term="dumb")
    quick.wait()
    check(b"\x1b]2;" not in quick.buf, "no title with TERM=dumb", None)

# --------------------------------------------------------------------------- secrets

SECRETS = '''
ask tok "Token?" secret
fact api = env "API_KEY" secret
fact bearer = "Bearer {{api}}"
fact tok_len: int = sh "printf '%s' {{tok}} | wc -c"
fact slow_check: bool = sh "sleep 1; test {{tok}} = {{api}}"
step "scan" {
  skip if sh "test {{tok}} = nope"
  env TOKEN = "{{tok}}"
  env KEY = "{{bearer}}"
  run """
    sleep 30 >/dev/null 2>&1 &
    holder=$!
    sleep 0.3
    grep -lF -f "$PATTERNS" /proc/[0-9]*/cmdline 2>/dev/null | grep -vx "/proc/$PPID/cmdline" > cmdline.hits || true
    grep -lF -f "$PATTERNS" /proc/$holder/environ > environ.hits 2>/dev/null || true
    kill $holder
    printf '%s|%s|%s|%s' {{tok}} {{api}} {{bearer}} {{tok_len}} > got
    sleep 1
  """
}
step "compare" { when tok != "nope" and not slow_check run "touch compare.ran" }
step "never" { when tok == "nope" or api == "nope" run "true" }
step "fail" {
  run "exit 5"
  error "the step with the token failed"
}
'''


@test("secrets: never in any process's argument list (scanned while a step runs and throughout)")
def _(c):
    tok, api = unique("TOKSECRET"), unique("APISECRET")
    c.sinkfile(SECRETS)
    patterns = c.write("home/patterns", f"{tok}\n{api}\n")
    p = c.start("apply", "--set", f"tok={tok}", env={"API_KEY": api, "PATTERNS": patterns})
    seen = []
    while p.poll() is None:  # scan every process from outside too, for as long as sink runs
        for secret in (tok, api):
            seen += processes_with(secret, but_sink=True)
        time.sleep(0.05)
    r = c.finish(p)
    check(r.code == 1, "apply did not end with the failing step's exit status 1", r)
    check(c.read("got") == f"{tok}|{api}|Bearer {api}|{len(tok)}", f"got: {c.read('got')!r}", r)
    check(c.exists("environ.hits") and c.read("environ.hits").strip(), "the scan does not work: the secret was not "
          "found in the environment of the process that holds it", r)
    check(c.read("cmdline.hits") == "", f"secrets in argument lists: {c.read('cmdline.hits')!r}", r)
    check(not seen, f"processes {sorted(set(seen))} had a secret in their argument list", r)


@test("secrets: never in the output of apply (progress, failure), plan and facts (text and json)")
def _(c):
    tok, api = unique("TOKSECRET"), unique("APISECRET")
    c.sinkfile(SECRETS)
    patterns = c.write("home/patterns", f"{tok}\n{api}\n")
    env = {"API_KEY": api, "PATTERNS": patterns}
    runs = {
        "apply": c.sink("apply", "--set", f"tok={tok}", env=env),
        "plan": c.sink("plan", "--set", f"tok={tok}", env=env),
        "plan --format json": c.sink("plan", "--format", "json", "--set", f"tok={tok}", env=env),
        "facts": c.sink("facts", env=env),
        "facts --format json": c.sink("facts", "--format", "json", env=env),
    }
    check(runs["apply"].code == 1 and "the step with the token failed" in runs["apply"].err,
          "apply did not fail at the last step", runs["apply"])
    for what, r in runs.items():
        check(tok not in r.both and api not in r.both, f"`sink {what}` printed a secret", r)
    facts = {f["name"]: f for f in json.loads(runs["facts --format json"].out)}
    for name in ("api", "bearer"):
        check(facts[name]["secret"] is True, f"fact {name} is not marked secret", runs["facts --format json"])
        check(facts[name]["value"] not in (api, f"Bearer {api}"), f"fact {name} is not masked")


@test("secrets: never in sink's own errors (bad choice, bad value, failing command, blocked step)")
def _(c):
    tok, api = unique("TOKSECRET"), unique("APISECRET")
    c.sinkfile('''
ask tok "Token?" secret choices "a", "b"
step "use" { run "echo {{tok}} > /dev/null" }
''')
    r = c.sink("apply", "--set", f"tok={tok}")
    check(r.code == 2, "an invalid choice was not a usage error", r)
    check(tok not in r.both, "the invalid secret choice was printed", r)
    c.sinkfile('''
ask tok "Token?" secret
fact api = env "API_KEY" secret
fact n: int = sh "printf '%s' {{tok}}"
step "use" { run "echo {{n}}" }
''')
    r = c.sink("apply", "--set", f"tok={tok}", env={"API_KEY": api})
    check(r.code == 1, "a secret that is not an int did not stop the run", r)
    check(tok not in r.both, "the secret text of a value of the wrong type was printed", r)
    c.sinkfile('''
ask tok "Token?" secret
fact api = env "API_KEY" secret
fact f = sh "exit 3; echo {{tok}} {{api}}"
fact g = sh "exit 4; echo {{api}}" required
step "use" { run "echo {{f}}" }
step "use g" { run "echo {{g}}" }
''')
    for args in (["apply"], ["plan"], ["plan", "--format", "json"]):
        r = c.sink(*args, "--set", f"tok={tok}", env={"API_KEY": api})
        check(r.code == 1, f"`sink {' '.join(args)}` did not stop on the required fact", r)
        check(tok not in r.both and api not in r.both, f"`sink {' '.join(args)}` printed a secret in an error", r)
    r = c.sink("facts", "--format", "json", env={"API_KEY": api})
    check(api not in r.both, "`sink facts` printed a secret of a failed command", r)
    # A failed fact without `required`: the step that needs it is blocked, and says why.
    c.sinkfile('''
fact api = env "API_KEY" secret
fact f = sh "exit 3; echo {{api}}"
step "use" { run "echo {{f}}" error "the step failed" }
''')
    r = c.sink("apply", env={"API_KEY": api})
    check(r.code == 1 and "`f`" in r.err, "the blocked step did not fail naming the fact", r)
    check(api not in r.both, "the blocked step's failure printed a secret", r)


@test("secrets: a failing fact's stderr that repeats a secret is masked in sink's errors")
def _(c):
    api = unique("APISECRET")
    c.sinkfile('''
fact api = env "API_KEY" secret
fact login = sh "echo \\"cannot log in with key {{api}}\\" >&2; exit 1" required
fact probe = sh "echo \\"curl: (6) Could not resolve host: user:{{api}}@example.invalid\\" >&2; exit 6"
step "use" { run "echo {{login}} {{probe}}" }
''')
    runs = {
        "apply": c.sink("apply", env={"API_KEY": api}),
        "plan": c.sink("plan", env={"API_KEY": api}),
        "facts": c.sink("facts", env={"API_KEY": api}),
        "facts --format json": c.sink("facts", "--format", "json", env={"API_KEY": api}),
    }
    check(runs["apply"].code == 1 and "`login`" in runs["apply"].err, "the required fact did not stop apply",
          runs["apply"])
    for what, r in runs.items():
        check(api not in r.both, f"`sink {what}` printed the secret that a fact's command wrote on stderr", r)


# --------------------------------------------------------------------------- signals

CHILD = '''trap '' TERM INT HUP
sh ./grandchild.sh "$1-grandchild" &
while :; do sleep 1; done
'''
GRANDCHILD = '''trap '' TERM INT HUP
touch grandchild.ready
while :; do sleep 1; done
'''


def stubborn_step(c, marker, trap_in_step):
    c.write("child.sh", CHILD)
    c.write("grandchild.sh", GRANDCHILD)
    trap = "trap '' TERM INT HUP; " if trap_in_step else ""
    c.sinkfile(f'''
step "stubborn" {{ run "{trap}sh ./child.sh {marker}-child & wait" }}
step "after" {{ run "touch after.ran" }}
''')


def ctrl_c_on_terminal(c, marker, env=None):
    """Runs `sink apply` on a pty, sends Ctrl-C once the stubborn step's grandchild is up,
    and returns the exit status, what the terminal showed and the processes left behind."""
    t = Terminal(c, "apply", env=env)
    try:
        deadline = time.monotonic() + HANG
        while not c.exists("grandchild.ready"):
            check(time.monotonic() < deadline and t.poll() is None, f"the step did not start: {t.text()!r}")
            t._read(0.02)
        t.send(b"\x03")
        code = t.wait()
    finally:
        left = gone(marker)
        t.close()
    return code, t.text(), left


def gone(marker, timeout=15):
    """Waits (up to `timeout` s) until no process has `marker` in its command line; returns
    those left, and kills them (they are this test's)."""
    deadline = time.monotonic() + timeout
    while True:
        left = processes_with(marker)
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return left


def signal_test(sig, status, trap_in_step):
    name = signal.Signals(sig).name

    @test(f"signals: {name} stops a step whose child and grandchild ignore TERM and INT: exit {status}, "
          f"nothing left")
    def _(c):
        marker = unique(f"SINKSIG{name}")
        stubborn_step(c, marker, trap_in_step)
        p = c.start("apply")
        try:
            c.wait_for_file("grandchild.ready")
            check(len(processes_with(marker)) >= 2, "the child and grandchild are not running (scan broken?)")
            os.kill(p.pid, sig)
            r = c.finish(p)
        finally:
            left = gone(marker)
        check(r.code == status, f"exit status {r.code}, expected {status}", r)
        check(not left, f"processes left behind: {left}", r)
        check(not c.exists("after.ran"), "the next step ran after the interrupt", r)


signal_test(signal.SIGINT, 130, False)
signal_test(signal.SIGTERM, 143, True)


@test("signals: SIGINT while a fact command never ends stops sink (130), no step runs, nothing left")
def _(c):
    marker = unique("SINKFACT")
    c.sinkfile(f'''
fact slow = sh "touch fact.ready; while :; do sleep 1; done # {marker}"
fact quick = sh "echo q"
step "after" {{ run "touch after.ran; echo {{{{slow}}}} {{{{quick}}}}" }}
''')
    for command, sig, status in (("apply", signal.SIGINT, 130), ("plan", signal.SIGINT, 130),
                                 ("facts", signal.SIGTERM, 143)):
        if c.exists("fact.ready"):
            os.remove(c.path("fact.ready"))
        p = c.start(command)
        try:
            c.wait_for_file("fact.ready")
            os.kill(p.pid, sig)
            r = c.finish(p)
        finally:
            left = gone(marker)
            c.procs.clear()
        check(r.code == status, f"`sink {command}` after {signal.Signals(sig).name}: exit {r.code}, expected {status}",
              r)
        check(not left, f"`sink {command}`: processes left behind: {left}", r)
        check(not c.exists("after.ran"), "a step ran", r)


@test("signals: Ctrl-C on a terminal stops the step's whole group (exit 130, nothing left)")
def _(c):
    marker = unique("SINKTTY")
    stubborn_step(c, marker, False)
    code, text, left = ctrl_c_on_terminal(c, marker)
    check(code == 130, f"exit {code}, expected 130; terminal: {text!r}")
    check(not left, f"processes left behind: {left}")
    check(not c.exists("after.ran"), "the next step ran after Ctrl-C")


# --------------------------------------------------------------------------- secret in step output

MASK = "••••••"

# A step given the secret (its first half written, a pause, then the rest: split across
# two writes), and one given none. TOK is read by a secret env fact.
STEP_OUTPUT = '''
fact tok = env "TOK" secret
step "sees" {
  env HALF = "{{tok}}"
  run """
    set -x
    : {{tok}}
    set +x
    printf '%.8s' "$HALF"; sleep 0.3; printf '%s\\\\n' "${HALF#????????}"
    echo "on stderr $HALF" >&2
    if [ -t 1 ] && [ -t 2 ]; then echo "a terminal"; fi
    if [ -t 1 ]; then stty size; fi
    readlink /proc/self/fd/3 3>&1 > sees.stdout
  """
}
step "sees none" { run "readlink /proc/self/fd/3 3>&1 > plain.stdout; echo plain" }
'''


@test("secret in step output: set -x and a secret split across writes show the mask, stdout and stderr apart "
      "(no terminal; dash and bash as /bin/sh)")
def _(c):
    tok = unique("STEPSECRET")
    c.sinkfile(STEP_OUTPUT)
    for shell, prefix in shells_as_sh():
        p = subprocess.run([*prefix, SINK, "apply"], cwd=c.dir, env=c.env({"TOK": tok}), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=HANG)
        r = Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))
        check(r.code == 0, f"{shell}: apply failed", r)
        check(tok not in r.both and tok[:8] not in r.both, f"{shell}: the secret was printed", r)
        check(f"{MASK}\n" in r.out and "on stderr" not in r.out, f"{shell}: stdout is not the masked split secret", r)
        check(f"on stderr {MASK}" in r.err and re.search(r"\+ : " + MASK, r.err), f"{shell}: stderr not masked", r)
        check("a terminal" not in r.out and "plain" in r.out, f"{shell}: stdout is wrong", r)


@test("secret in step output: on a terminal it is masked, the step still sees a terminal of its size, and "
      "/dev/tty still answers (sudo's prompt)")
def _(c):
    tok = unique("STEPSECRET")
    c.sinkfile(STEP_OUTPUT.replace("readlink /proc/self/fd/3 3>&1 > sees.stdout",
                                   "printf 'Password: ' > /dev/tty; read answer < /dev/tty; echo got $answer"))
    t = Terminal(c, "apply", env={"TOK": tok})
    try:
        fcntl.ioctl(t.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
        t.expect("Password: ")
        t.send("hunter2\n")
        code = t.wait()
    finally:
        t.close()
    text = t.text()
    check(code == 0, f"apply exited {code}: {text!r}")
    check(tok not in text and tok[:8] not in text, f"the secret was printed: {text!r}")
    check(f"{MASK}\r\n" in text and f"on stderr {MASK}" in text, f"not masked: {text!r}")
    check("a terminal" in text and "33 101" in text and "got hunter2" in text, f"not a terminal: {text!r}")


@test("secret in step output: a step given no secret is not filtered (its stdout is sink's own)")
def _(c):
    c.sinkfile(STEP_OUTPUT)
    p = c.start("apply", env={"TOK": unique("STEPSECRET")})
    r = c.finish(p)
    check(r.code == 0, "apply failed", r)
    check(c.read("plain.stdout").strip() == c.path("sink.stdout"), f"unfiltered: {c.read('plain.stdout')!r}", r)
    check(c.read("sees.stdout").startswith("pipe:"), f"filtered: {c.read('sees.stdout')!r}", r)


@test("secret in step output: a background process holding the output does not hold sink (pipes and terminal)")
def _(c):
    marker = unique("SINKHOLD")
    c.sinkfile(f'fact tok = env "TOK" secret\nstep "daemon" {{ run "echo {{{{tok}}}}; sh -c \'while :; do sleep 1; done\' {marker} &" }}\n')
    try:
        r = c.sink("apply", env={"TOK": unique("STEPSECRET")}, timeout=30)
        check(r.code == 0 and MASK in r.out, "apply without a terminal", r)
        t = Terminal(c, "apply", env={"TOK": unique("STEPSECRET")})
        try:
            code = t.wait(30)
        finally:
            t.close()
        check(code == 0 and MASK in t.text(), f"apply on a terminal: {code} {t.text()!r}")
    finally:
        gone(marker, timeout=0)


@test("secret in step output: SIGINT, or Ctrl-C on a terminal, during a filtered step leaves no process (130)")
def _(c):
    marker = unique("SINKMASKSIG")
    stubborn_step(c, marker, False)
    c.sinkfile(c.read("Sinkfile").replace('step "stubborn" { run "', 'fact tok = env "TOK" secret\n'
                                          'step "stubborn" { run "echo {{tok}}; '))
    env = {"TOK": unique("STEPSECRET")}
    p = c.start("apply", env=env)
    try:
        c.wait_for_file("grandchild.ready")
        os.kill(p.pid, signal.SIGINT)
        r = c.finish(p)
    finally:
        left = gone(marker)
    check(r.code == 130 and MASK in r.out, f"exit status {r.code}, expected 130", r)
    check(not left, f"processes left behind: {left}", r)
    os.remove(c.path("grandchild.ready"))
    code, text, left = ctrl_c_on_terminal(c, marker, env)
    check(code == 130 and MASK in text, f"exit {code}, expected 130; terminal: {text!r}")
    check(not left, f"processes left behind: {left}")


# --------------------------------------------------------------------------- plan / facts

PLAN = '''
fact has_tool: bool = sh "touch has_tool.ran"
fact mem: int = sh "touch mem.ran; echo 64"
step "Install" { run "touch install.ran" }
step "Tool" { skip if has_tool run "touch tool.ran" }
step "Configure" { skip if sh "test -f configured" run "touch configure.ran" }
step "Memory" { when mem >= 8 run "touch memory.ran" }
platform linux { step "Linux only" { run "touch linux.ran" } }
platform darwin { step "Mac only" { run "touch mac.ran" } }
'''


def nothing_ran(c, r):
    ran = [f for f in os.listdir(c.dir) if f.endswith(".ran")]
    check(not ran, f"plan ran commands: {ran}", r)


@test("plan: would run / already done / not applicable / other platform, with --platform and --facts")
def _(c):
    c.sinkfile(PLAN)
    c.write("pins.toml", "has_tool = true\nmem = 4\n[checks]\nConfigure = true\n")
    c.write("configured", "")
    r = c.sink("plan", "--platform", "darwin", "--facts", "pins.toml")
    check(r.code == 0, "plan failed", r)
    nothing_ran(c, r)
    for verdict, step in (("will run", "Install"), ("already done", "Tool"), ("already done", "Configure"),
                          ("not applicable", "Memory"), ("other platform", "Linux only"), ("will run", "Mac only")):
        check(re.search(rf"^\s*{verdict}\s+{step}\b", r.out, re.M), f"`{step}` is not shown as {verdict}", r)
    check(re.search(r"Memory.*mem = 4", r.out), "the not-applicable reason does not show the value", r)
    check(re.search(r"Linux only.*platform linux", r.out), "the other-platform reason does not name the block", r)
    check(re.search(r"6 steps: 2 will run, 2 already done, 1 not applicable, 1 on another platform", r.out),
          "the summary is wrong", r)
    r = c.sink("plan", "--platform", "darwin", "--facts", "pins.toml", "--detailed-exitcode")
    check(r.code == 2, "--detailed-exitcode is not 2 when steps would run", r)
    nothing_ran(c, r)


@test("plan: --format json parses and has the verdicts")
def _(c):
    c.sinkfile(PLAN)
    c.write("pins.toml", "has_tool = true\nmem = 4\n[checks]\nConfigure = true\n")
    c.write("configured", "")
    r = c.sink("plan", "--platform", "darwin", "--facts", "pins.toml", "--format", "json")
    check(r.code == 0, "plan failed", r)
    try:
        doc = json.loads(r.out)
    except ValueError as e:
        raise Fail(f"not JSON: {e}: {r.out!r}")
    verdicts = {s["name"]: s["verdict"] for s in doc["steps"]}
    want = {"Install": "run", "Tool": "done", "Configure": "done", "Memory": "n/a",
            "Linux only": "other platform", "Mac only": "run"}
    check(verdicts == want, f"verdicts {verdicts}, expected {want}")
    check(doc["platform"]["os"] == "darwin", f"platform: {doc['platform']}")
    check(doc["summary"] == {"run": 2, "done": 2, "not_applicable": 1, "other_platform": 1, "blocked": 0, "unknown": 0, "not_chosen": 0},
          f"summary: {doc['summary']}")
    nothing_ran(c, r)


@test("plan: detects this machine; --detailed-exitcode is 0 when nothing would run, 2 otherwise")
def _(c):
    c.sinkfile('''
fact f: bool = sh "false"
step "done" { skip if sh "true" run "touch a.ran" }
step "n/a" { when f run "touch b.ran" }
platform darwin { step "mac" { run "touch c.ran" } }
''')
    r = c.sink("plan", "--detailed-exitcode")
    check(r.code == 0, "--detailed-exitcode is not 0 when nothing would run", r)
    check("(linux" in r.out, "the plan does not name this machine's OS", r)
    nothing_ran(c, r)
    c.sinkfile('step "x" { run "touch x.ran" }\n')
    r = c.sink("plan", "--detailed-exitcode")
    check(r.code == 2, "--detailed-exitcode is not 2 when a step would run", r)
    r = c.sink("plan")
    check(r.code == 0, "plan without --detailed-exitcode is not 0", r)
    nothing_ran(c, r)


FACTS = '''
fact greeting = sh "echo hello"
fact count: int = sh "echo 7"
fact token = env "TOKEN_X" secret
fact broken = sh "echo kaputt >&2; exit 3"
fact flag: bool = sh "exit 1"
fact fallback = sh "exit 2" default "plan-b"
step "use" { run "echo {{greeting}} {{count}} {{token}} {{broken}} {{flag}} {{fallback}}" }
'''


@test("facts: text shows values, masks secrets, marks failed facts")
def _(c):
    secret = unique("FACTSECRET")
    c.sinkfile(FACTS)
    r = c.sink("facts", env={"TOKEN_X": secret})
    check(r.code in (0, 1), "facts failed oddly", r)
    check(secret not in r.both, "the secret was shown", r)
    for name, value in (("greeting", "hello"), ("count", "7"), ("flag", "false"), ("fallback", "plan-b")):
        check(re.search(rf"^\s*{name}\s.*\b{value}\b", r.out, re.M), f"`{name}` is not shown as {value}", r)
    check(re.search(r"^\s*token\s", r.out, re.M), "the secret fact is not listed", r)
    check(re.search(r"^\s*broken\s.*(failed|no value).*3", r.out, re.M), "the failed fact is not marked", r)
    check(re.search(r"^\s*fallback\s.*default", r.out, re.M), "the default is not marked", r)


@test("facts: --format json parses, masks secrets, marks failed facts")
def _(c):
    secret = unique("FACTSECRET")
    c.sinkfile(FACTS)
    r = c.sink("facts", "--format", "json", env={"TOKEN_X": secret})
    check(secret not in r.both, "the secret was shown", r)
    try:
        facts = {f["name"]: f for f in json.loads(r.out)}
    except ValueError as e:
        raise Fail(f"not JSON: {e}: {r.out!r}")
    check(set(facts) == {"greeting", "count", "token", "broken", "flag", "fallback"}, f"facts: {sorted(facts)}")
    check(facts["greeting"]["value"] == "hello" and facts["greeting"]["ok"] is True, f"{facts['greeting']}")
    check(facts["count"]["value"] == "7" and facts["count"]["type"] == "int", f"{facts['count']}")
    check(facts["token"]["secret"] is True and facts["token"]["value"] != secret, f"{facts['token']}")
    check(facts["broken"]["ok"] is False and facts["broken"]["value"] is None and "3" in facts["broken"]["problem"],
          f"{facts['broken']}")
    check(facts["fallback"]["value"] == "plan-b", f"{facts['fallback']}")
    check(facts["flag"]["value"] == "false", f"{facts['flag']}")


@test("facts: a fact built from an answer can be shown with --set, as its hint says")
def _(c):
    c.sinkfile('''
ask who "Who?"
fact greeting = sh "echo hello-{{who}}"
step "use" { run "echo {{greeting}}" }
''')
    r = c.sink("facts")
    hint = "--set" in r.both
    r2 = c.sink("facts", "--set", "who=ann")
    check(not hint or r2.code == 0, "`sink facts` tells to answer with --set, but rejects --set", r2)
    check(r2.code != 0 or "hello-ann" in r2.out, "--set did not reach the fact", r2)


@test("facts: --facts pins a value without running its command")
def _(c):
    c.sinkfile('''
fact mem: int = sh "touch mem.ran; echo 64"
step "use" { when mem > 8 run "true" }
''')
    c.write("pins.toml", "mem = 4\n")
    r = c.sink("facts", "--facts", "pins.toml", "--format", "json")
    check(r.code == 0, "facts failed", r)
    check(json.loads(r.out)[0]["value"] == "4", "the pinned value is not shown", r)
    check(not c.exists("mem.ran"), "a pinned fact's command ran", r)
    r = c.sink("facts", "--facts", c.write("typo.toml", "mme = 4\n"))
    check(r.code == 2 and "mme" in r.err, "--facts with an unknown name is not a usage error", r)
    r = c.sink("plan", "--platform", "darwn")
    check(r.code == 2 and "darwin" in r.err, "--platform with an unknown name is not a usage error naming darwin", r)
    check(not c.exists("mem.ran"), "a command ran after a usage error", r)


# --------------------------------------------------------------------------- check first

@test("apply, plan and facts run `sink check` first: a check error runs nothing, exit 1")
def _(c):
    c.sinkfile('''
fact f = sh "touch fact.ran; echo x"
step "one" { run "touch one.ran; echo {{f}} {{nope}}" }
''')
    for command in ("apply", "plan", "facts"):
        r = c.sink(command)
        check(r.code == 1, f"`sink {command}`: exit status is not 1", r)
        check(not c.exists("one.ran") and not c.exists("fact.ran"), f"`sink {command}` ran something", r)
        check(re.search(r"Sinkfile:2:\d+", r.err) and "nope" in r.err, "the check error is not shown", r)


@test("apply: the summary counts every step on another platform, also those after a failed step")
def _(c):
    c.sinkfile('platform openbsd { step "w1" { run "true" } }\nstep "fail" { run "false" }\n'
               'platform openbsd { step "w2" { run "true" } }\n')
    r = c.sink("apply")
    check(r.code == 1 and "2 not on this platform, 1 failed" in r.err, "the steps on other platforms are not all counted", r)


@test("apply: a type error in a condition is a check error, nothing runs")
def _(c):
    c.sinkfile('''
fact count: int = sh "touch fact.ran; echo 3"
step "zero" { run "touch zero.ran" }
step "one" { when count == "three" run "touch one.ran" }
''')
    r = c.sink("apply")
    check(r.code == 1, "exit status is not 1", r)
    check(not any(c.exists(f) for f in ("fact.ran", "zero.ran", "one.ran")), "something ran", r)


# --------------------------------------------------------------------------- processes left behind

def sink_pid_in(session):
    """The pid of sink in the session `session` (a pipeline started with its own session)."""
    for pid, cmdline in other_processes():
        if cmdline.split(b"\0")[0] == SINK.encode():
            try:
                if os.getsid(pid) == session:
                    return pid
            except OSError:
                pass
    return None


def apply_through_tail(c, signal_to_sink=None, ready="lingers.ready"):
    """Runs `sink apply | tail -n 5` (tail ends only when every writer of the pipe has
    gone); once `ready` exists, sends `signal_to_sink` to sink alone. Returns sink's exit
    status (as the pipeline's, through `set -o pipefail`-free PIPESTATUS-less sh: written
    to a file) and what tail printed."""
    script = f'{shlex.quote(SINK)} apply 2>&1; echo $? > sink.status'
    p = subprocess.Popen(["sh", "-c", f"({script}) | tail -n 5"], cwd=c.dir, env=c.env(), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    c.procs.append(p)
    if signal_to_sink is not None:
        c.wait_for_file(ready)
        pid = None
        deadline = time.monotonic() + HANG
        while pid is None and time.monotonic() < deadline:
            pid = sink_pid_in(p.pid)
        check(pid is not None, "sink is not running")
        os.kill(pid, signal_to_sink)
    try:
        out, _ = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        raise Fail("`sink apply | tail` was held open after sink ended (a process of the step holds the pipe)")
    status = int(c.read("sink.status").strip() or -1) if c.exists("sink.status") else None
    return status, out.decode("utf-8", "replace")


LINGER = "sh -c 'touch lingers.ready; while :; do sleep 0.1; done' {marker}"

ESCAPES = {
    "GNU timeout (a process group of its own)": "timeout 1000 " + LINGER,
    "a `set -m` job": "set -m; " + LINGER + " & wait",
    "a setsid child (a session of its own)": "setsid " + LINGER + " & wait",
    "an orphan (its parent gone, a session of its own)": "(setsid " + LINGER + " &); sleep 1000",
    "std's with_timeout": "with_timeout 1000 -- " + LINGER,
}


def escape_test(route, command):
    for sig, status in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        @test(f"processes left behind: {signal.Signals(sig).name} stops {route}; `sink apply | tail` ends, nothing left")
        def _(c, sig=sig, status=status):
            marker = unique("SINKESC")
            c.sinkfile(f'use "std/timeout"\nstep "s" {{ run "{command.format(marker=marker)}" }}\n'
                       f'step "after" {{ run "touch after.ran" }}\n')
            try:
                code, out = apply_through_tail(c, sig)
            finally:
                left = gone(marker, timeout=1)
            check(code == status, f"sink's exit status {code}, expected {status}; output: {out!r}")
            check(not left, f"processes left behind: {left}")
            check(not c.exists("after.ran"), "the next step ran after the interrupt")


for _route, _command in ESCAPES.items():
    escape_test(_route, _command)


@test("processes left behind: a failing step's background processes are stopped; `sink apply | tail` ends")
def _(c):
    marker = unique("SINKFAILED")
    c.sinkfile(f'step "s" {{ run "setsid {LINGER.format(marker=marker)} & sleep 0.5; exit 3" }}\n')
    try:
        code, out = apply_through_tail(c)
    finally:
        left = gone(marker, timeout=1)
    check(code == 1, f"exit {code}, expected 1; output: {out!r}")
    check(not left, f"processes left behind: {left}")


@test("processes left behind: a daemon that a step which succeeded started on purpose is left alone")
def _(c):
    marker = unique("SINKDAEMON")
    c.sinkfile(f'''
step "start" {{ run "setsid {LINGER.format(marker=marker)} >/dev/null 2>&1 < /dev/null &" }}
step "check" {{ skip if sh "test -f nothing.here" run "touch after.ran" }}
''')
    r = c.sink("apply")
    try:
        alive = processes_with(marker)
    finally:
        gone(marker, timeout=0)
    check(r.code == 0, "apply failed", r)
    check(c.exists("after.ran"), "the second step did not run", r)
    check(alive, "the daemon started by a step that succeeded was stopped", r)


@test("processes left behind: `sink plan` and `sink facts` leave no fact's background process")
def _(c):
    marker = unique("SINKPLANBG")
    c.sinkfile(f'''
fact bg = sh "setsid {LINGER.format(marker=marker)} >/dev/null 2>&1 < /dev/null & echo 1"
fact group = sh "{LINGER.format(marker=marker)} >/dev/null 2>&1 < /dev/null & echo 2"
step "s" {{ run "echo {{{{bg}}}} {{{{group}}}}" }}
''')
    for command in ("plan", "facts"):
        try:
            r = c.sink(command)
            left = processes_with(marker)
        finally:
            gone(marker, timeout=0)
        check(r.code == 0, f"`sink {command}` failed", r)
        check(not left, f"`sink {command}`: processes left behind: {left}", r)


@test("processes left behind: stderr closed while sink writes a prompt: no SIGPIPE death, the fact stopped")
def _(c):
    marker = unique("SINKPIPE")
    c.sinkfile(f'''
fact slow = sh "{LINGER.format(marker=marker)} >/dev/null 2>&1 & sleep 2; echo 1"
ask name "Name?"
step "s" {{ run "echo {{{{slow}}}} {{{{name}}}}" }}
''')
    master, slave = pty.openpty()
    rd, wr = os.pipe()
    os.close(rd)  # sink's stderr (where prompts go) is a pipe nobody reads
    p = subprocess.Popen([SINK, "apply"], cwd=c.dir, env=c.env(), stdin=slave, stdout=slave, stderr=wr,
                         start_new_session=True)
    os.close(slave)
    os.close(wr)
    c.procs.append(p)
    try:
        c.wait_for_file("lingers.ready")
        code = p.wait(timeout=30)
    finally:
        left = gone(marker, timeout=2)
        os.close(master)
    check(code >= 0, f"sink died of signal {-code}")
    check(not left, f"processes left behind: {left}")


# --------------------------------------------------------------------------- main

def main():
    if not os.path.exists(SINK):
        print(f"not ok setup: {SINK} does not exist\n0 passed, 1 failed")
        sys.exit(1)
    test.run(ONLY, Case, "sink-e2e-")


if __name__ == "__main__":
    main()

