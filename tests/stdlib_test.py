#!/usr/bin/env python3
"""Behaviour tests of the standard library's helpers (stdlib/*.sink).

The helpers are taken from sink itself: `sink apply` on a Sinkfile that uses every
module runs a step that writes $SINKHELPERS (the shell functions sink defines in every
step) to a file. Each helper test then runs a short script under both `dash -c` and
`bash -c`, with `set -e` as in a step, the helpers defined by `eval "$SINKHELPERS"`, in
a fresh folder with its own HOME and TMPDIR, and a PATH of fakes first, then a copy of
the system's folders without any package manager or service manager (so that the fakes
decide: brew, apt-get, dnf, pacman, apk, systemctl, launchctl). Fakes record what they
are asked to do:

- `sleep` records its argument and advances a fake clock that `date +%s` reads, so
  backoff and waiting are checked exactly and fast;
- `systemctl` and `launchctl` keep the state of units in files (enabled, active,
  loaded, running); `uname` says Darwin when asked to, `id -u` says what it is told;
- the package managers keep a list of installed packages; `sudo` records and runs.

std/timeout is tested with real time and real processes: the process group of the
command is found through /proc, and grandchildren are looked for by a marker in their
command line. Some tests run real `sink apply` and `sink facts` on Sinkfiles that use the
modules.

usage: stdlib_test.py SINK SOURCE_ROOT [NAME-SUBSTRING...]
Prints `ok NAME` or `not ok NAME: why` per test, then `N passed, N failed`.
"""
import json
import os
import plistlib
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from harness import Fail, Result, Tally, check, other_processes

SINK, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
ONLY = sys.argv[3:]
HANG = 60  # seconds: an upper bound against hangs, never a performance threshold
SHELLS = ("dash", "bash")
MODULES = ("retry", "wait", "timeout", "service", "pkg", "file")
TESTS = []  # (name, function, per_shell)
# Every tool a helper may be tempted to find on the machine instead of a fake.
HIDDEN = {"apt", "apt-get", "dpkg", "dpkg-query", "dnf", "yum", "rpm", "pacman", "apk", "brew", "systemctl",
          "launchctl", "journalctl", "loginctl", "sudo"}


def test(name, per_shell=True):
    def register(fn):
        TESTS.append((name, fn, per_shell))
        return fn

    return register


# --------------------------------------------------------------------------- the machine

def system_bin(folder, without=()):
    """A folder of links to every program of the system's folders but HIDDEN and `without`."""
    os.makedirs(folder)
    for d in ("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"):
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            if name in HIDDEN or name in without or any(name.startswith(w + "5") for w in without):
                continue
            link = os.path.join(folder, name)
            if not os.path.lexists(link):
                os.symlink(os.path.join(d, name), link)
    return folder


WORK = tempfile.mkdtemp(prefix="sink-stdlib-")
SYSBIN = system_bin(os.path.join(WORK, "sysbin"))
SYSBIN_NO_PERL = system_bin(os.path.join(WORK, "sysbin-no-perl"), without=("perl",))
SYSBIN_NO_GROUP = system_bin(os.path.join(WORK, "sysbin-no-group"), without=("perl", "setsid"))
HELPERS = None  # the text of $SINKHELPERS, from sink itself


FAKES = {
    # Records its argument and advances the fake clock instead of sleeping.
    "sleep": r'''#!/bin/sh
echo "$1" >> "$FAKE_STATE/sleeps"
c=$(cat "$FAKE_STATE/clock" 2>/dev/null || echo 0)
awk -v c="$c" -v d="$1" 'BEGIN { printf "%.3f\n", c + d }' > "$FAKE_STATE/clock"
''',
    "date": r'''#!/bin/sh
if [ "${1-}" = +%s ]; then
  c=$(cat "$FAKE_STATE/clock" 2>/dev/null || echo 0)
  echo "${c%.*}"
else
  exec /bin/date "$@"
fi
''',
    # flaky CODE N [TEXT]: fails with CODE the first N times, then succeeds; counts calls.
    # Each call takes FAKE_COST seconds of fake time.
    "flaky": r'''#!/bin/sh
n=$(cat "$FAKE_STATE/calls" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$FAKE_STATE/calls"
if [ -n "${FAKE_COST-}" ]; then
  c=$(cat "$FAKE_STATE/clock" 2>/dev/null || echo 0)
  awk -v c="$c" -v d="$FAKE_COST" 'BEGIN { printf "%.3f\n", c + d }' > "$FAKE_STATE/clock"
fi
if [ -n "${3-}" ]; then echo "$3 $n" >&2; fi
if [ "$n" -gt "$2" ]; then exit 0; fi
exit "$1"
''',
    "uname": r'''#!/bin/sh
case ${1-} in
  -s | '') echo "${FAKE_UNAME:-Linux}" ;;
  *) exec /bin/uname "$@" ;;
esac
''',
    "id": r'''#!/bin/sh
if [ "${1-}" = -u ]; then echo "${FAKE_UID:-1000}"; exit 0; fi
exec /usr/bin/id "$@"
''',
    "systemctl": r'''#!/bin/sh
printf '%s\n' "systemctl $*" >> "$FAKE_LOG"
[ "${1-}" = --user ] || { echo "fake systemctl: only --user is expected" >&2; exit 1; }
shift
cmd=$1
shift
unit=
for a in "$@"; do case $a in -*) ;; *) unit=$a ;; esac; done
s=$FAKE_STATE
file=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/$unit
case $cmd in
  show-environment) echo "HOME=$HOME" ;;
  daemon-reload | reset-failed) ;;
  is-enabled) [ -e "$s/$unit.enabled" ] ;;
  is-active) [ -e "$s/$unit.active" ] ;;
  enable) [ -f "$file" ] || { echo "Unit $unit not found." >&2; exit 5; }; touch "$s/$unit.enabled" ;;
  disable) rm -f "$s/$unit.enabled"; case " $* " in *" --now "*) rm -f "$s/$unit.active" ;; esac ;;
  start | restart) [ -f "$file" ] || { echo "Unit $unit not found." >&2; exit 5; }; touch "$s/$unit.active" ;;
  stop) rm -f "$s/$unit.active" ;;
  *) echo "fake systemctl: unexpected $cmd" >&2; exit 1 ;;
esac
''',
    "journalctl": r'''#!/bin/sh
printf '%s\n' "journalctl $*" >> "$FAKE_LOG"
echo "a line of the journal"
''',
    "launchctl": r'''#!/bin/sh
printf '%s\n' "launchctl $*" >> "$FAKE_LOG"
s=$FAKE_STATE
label=${2##*/}
case $1 in
  print)
    [ -e "$s/$label.loaded" ] || { echo "Could not find service \"$label\" in domain" >&2; exit 113; }
    echo "$2 = {"
    if [ -e "$s/$label.running" ]; then echo "	state = running"; else echo "	state = not running"; fi
    echo "}"
    ;;
  bootstrap)
    [ "$2" = "gui/${FAKE_UID:-1000}" ] || { echo "fake launchctl: domain $2" >&2; exit 1; }
    label=$(basename "$3" .plist)
    [ -f "$3" ] || exit 5
    [ ! -e "$s/$label.loaded" ] || { echo "Bootstrap failed: 5: Input/output error" >&2; exit 5; }
    touch "$s/$label.loaded" "$s/$label.running"
    ;;
  bootout) [ -e "$s/$label.loaded" ] || exit 3; rm -f "$s/$label.loaded" "$s/$label.running" ;;
  enable) ;;
  kickstart) [ -e "$s/$label.loaded" ] || exit 113; touch "$s/$label.running" ;;
  *) echo "fake launchctl: unexpected $1" >&2; exit 1 ;;
esac
''',
    # One fake for every package manager (and sudo), by the name it is called with.
    "pkgfake": r'''#!/bin/sh
me=${0##*/}
printf '%s\n' "$me $*" >> "$FAKE_LOG"
st=$FAKE_STATE
has() { grep -qx -- "$1" "$st/$2" 2>/dev/null; }
add() { for a in "$@"; do case $a in -*) ;; *) [ -n "${FAKE_BROKEN-}" ] || echo "$a" >> "$st/$where"; esac; done; }
last() { for a in "$@"; do :; done; echo "$a"; }
where=pkgs
case $me in
  sudo) exec "$@" ;;
  dpkg-query)
    n=$(last "$@")
    case $n in -f=*)  # every package: status and what it provides ("NAME PROVIDES" lines in provides)
      while read -r p what; do printf 'install ok installed\t%s\n' "$what"; done < "$st/provides" 2>/dev/null
      printf 'install ok installed\t\nunknown ok not-installed\tghost\n'; exit 0 ;;
    esac
    if has "$n" pkgs; then echo 'install ok installed'
    elif has "$n" removed; then echo 'deinstall ok config-files'
    else echo "dpkg-query: no packages found matching $n" >&2; exit 1; fi
    ;;
  apt-get)
    echo "  DEBIAN_FRONTEND=${DEBIAN_FRONTEND-}" >> "$FAKE_LOG"
    [ -z "${FAKE_FAIL-}" ] || exit 100
    if [ "$1" = install ]; then shift; add "$@"; fi
    ;;
  rpm) has "$2" pkgs || { echo "package $2 is not installed"; exit 1; } ;;
  dnf) [ -z "${FAKE_FAIL-}" ] || exit 1; shift; add "$@" ;;
  pacman) case $1 in -Q) has "$2" pkgs || exit 1 ;; -S) shift; add "$@" ;; esac ;;
  apk) case $1 in info) has "$3" pkgs || exit 1 ;; add) shift; add "$@" ;; esac ;;
  brew)
    case " $* " in *" --cask "*) where=casks ;; esac
    case $1 in list) has "$(last "$@")" "$where" || exit 1 ;; install) shift; add "$@" ;; esac
    ;;
esac
''',
}


class Case:
    """A fresh folder: HOME is `home`, TMPDIR is `tmp`, fakes go in `fake`, state in `state`."""

    def __init__(self, folder, shell=None):
        self.dir = folder
        self.shell = shell
        self.home = self.mk("home")
        self.tmp = self.mk("tmp")
        self.fake_dir = self.mk("fake")
        self.state = self.mk("state")
        self.log = os.path.join(self.state, "log")
        self.sysbin = SYSBIN
        self.extra_env = {}
        self.procs = []

    def mk(self, name):
        p = os.path.join(self.dir, name)
        os.makedirs(p, exist_ok=True)
        return p

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text, mode=0o644):
        full = self.path(name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(full, mode)
        return full

    def read(self, name):
        with open(self.path(name), encoding="utf-8", errors="replace") as f:
            return f.read()

    def exists(self, name):
        return os.path.lexists(self.path(name))

    def fake(self, *names):
        for name in names:
            target = os.path.join(self.fake_dir, name)
            if name in FAKES:
                with open(target, "w") as f:
                    f.write(FAKES[name])
                os.chmod(target, 0o755)
            else:  # a package manager or sudo
                src = os.path.join(self.fake_dir, "pkgfake")
                if not os.path.exists(src):
                    self.fake("pkgfake")
                os.symlink(src, target)

    def logged(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [line.rstrip("\n") for line in f]

    def clear_log(self):
        if os.path.exists(self.log):
            os.remove(self.log)

    def sleeps(self):
        p = os.path.join(self.state, "sleeps")
        if not os.path.exists(p):
            return []
        with open(p) as f:
            return [float(x) for x in f.read().split()]

    def calls(self):
        p = os.path.join(self.state, "calls")
        return int(open(p).read()) if os.path.exists(p) else 0

    def env(self, extra=None):
        env = {"PATH": f"{self.fake_dir}:{self.sysbin}", "HOME": self.home, "TMPDIR": self.tmp, "LANG": "C.UTF-8",
               "NO_COLOR": "1", "FAKE_STATE": self.state, "FAKE_LOG": self.log, "SINKHELPERS": HELPERS}
        env.update(self.extra_env)
        env.update(extra or {})
        return env

    def sh(self, script, env=None, stdin=None, timeout=HANG, shell=None, errexit=True):
        """Runs `script` with the helpers, as a step does (`set -e`), under this case's shell."""
        shell = shell or self.shell
        full = ("set -e; " if errexit else "") + 'eval "$SINKHELPERS"\n' + script
        t0 = time.monotonic()
        try:
            p = subprocess.run([shell, "-c", full], cwd=self.dir, env=self.env(env), capture_output=True,
                               input=stdin.encode() if stdin is not None else None,
                               stdin=None if stdin is not None else subprocess.DEVNULL, timeout=timeout,
                               start_new_session=True)
        except subprocess.TimeoutExpired as e:
            raise Fail(f"the script did not end within {timeout} s: {script!r}; stderr: {e.stderr!r}")
        return Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"),
                      time.monotonic() - t0)

    def start_sh(self, script, env=None):
        """Starts a script in a process group of its own, as sink starts a step."""
        out = open(self.path("bg.stdout"), "wb")
        err = open(self.path("bg.stderr"), "wb")
        p = subprocess.Popen([self.shell, "-c", 'eval "$SINKHELPERS"\n' + script], cwd=self.dir, env=self.env(env),
                             stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        out.close()
        err.close()
        self.procs.append(p)
        return p

    def sink(self, *args, env=None, timeout=HANG):
        e = self.env(env)
        del e["SINKHELPERS"]
        try:
            p = subprocess.run([SINK, *args], cwd=self.dir, env=e, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=timeout, start_new_session=True)
        except subprocess.TimeoutExpired as ex:
            raise Fail(f"`sink {' '.join(args)}` did not end within {timeout} s; stderr: {ex.stderr!r}")
        return Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))

    def start_sink(self, *args, env=None):
        e = self.env(env)
        del e["SINKHELPERS"]
        out = open(self.path("sink.stdout"), "wb")
        err = open(self.path("sink.stderr"), "wb")
        p = subprocess.Popen([SINK, *args], cwd=self.dir, env=e, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                             start_new_session=True)
        out.close()
        err.close()
        self.procs.append(p)
        return p

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
                p.wait()


def live_processes_with(marker):
    """Processes, zombies aside, whose command line holds `marker` as one argument."""
    needle = marker.encode()
    return [pid for pid, cmdline, state in other_processes(with_state=True)
            if needle in cmdline.split(b"\0") and state != b"Z"]


def wait_until(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise Fail(f"{what} within {timeout} s")
        time.sleep(0.02)


def marker():
    """A number of seconds for `sleep` that no other process on the machine sleeps."""
    return str(random.randint(10 ** 8, 10 ** 9 - 1))


def usage_error(r, name):
    check(r.code == 2, f"{name}: a usage error does not return 2", r)
    check("usage:" in r.err, f"{name}: a usage error does not print the usage", r)


# --------------------------------------------------------------------------- helpers from sink

def load_helpers():
    """$SINKHELPERS as sink defines it for a step of a Sinkfile that uses every module."""
    global HELPERS
    with tempfile.TemporaryDirectory(prefix="sink-stdlib-helpers-") as d:
        with open(os.path.join(d, "Sinkfile"), "w") as f:
            for m in MODULES:
                f.write(f'use "std/{m}"\n')
            f.write('step "dump" { run \'printf "%s" "$SINKHELPERS" > helpers.sh\' }\n')
        p = subprocess.run([SINK, "apply"], cwd=d, capture_output=True, stdin=subprocess.DEVNULL, timeout=HANG,
                           env={"PATH": "/usr/bin:/bin", "HOME": d, "NO_COLOR": "1"})
        if p.returncode != 0:
            raise Fail(f"sink apply could not dump the helpers: {p.stderr.decode()!r}")
        with open(os.path.join(d, "helpers.sh")) as f:
            HELPERS = f.read()


def helper_names():
    return re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)\(\) \{$", HELPERS, re.M)


@test("every module's helpers reach a step, and parse under dash and bash", per_shell=False)
def _(c):
    names = set(helper_names())
    for h in ("retry", "wait_for", "with_timeout", "service_install", "service_start", "service_stop",
              "service_remove", "service_installed", "service_running", "service_logs", "service_manager",
              "pkg_manager", "pkg_installed", "pkg_install", "line_in_file", "symlink", "ensure_dir", "write_file"):
        check(h in names, f"helper {h} is not defined in a step; defined: {sorted(names)}")
    for shell in SHELLS:
        p = subprocess.run([shell, "-n"], input=HELPERS.encode(), capture_output=True)
        check(p.returncode == 0, f"{shell} -n rejects the helpers: {p.stderr.decode()!r}")


@test("every helper prints its usage and returns 2 on a usage error")
def _(c):
    calls = {
        "retry": ["retry", "retry --attempts", "retry --bogus -- true", "retry --attempts 0 -- true",
                  "retry --attempts 1x -- true", "retry --delay x -- true", "retry --delay 1.2.3 -- true",
                  "retry --max-delay -1 -- true", "retry --on 6,,7 -- true", "retry --on x -- true"],
        "wait_for": ["wait_for", "wait_for --timeout", "wait_for --timeout 1.5 -- true", "wait_for --timeout x -- true",
                     "wait_for --interval 0 -- true", "wait_for --interval 0.00 -- true", "wait_for --interval .5 -- true",
                     "wait_for --bogus -- true"],
        "with_timeout": ["with_timeout", "with_timeout 5", "with_timeout 5 --", "with_timeout x -- true",
                         "with_timeout --grace -- 5 true", "with_timeout --grace x 5 true", "with_timeout --bogus 5 true",
                         "with_timeout 1.2.3 true"],
        "service_install": ["service_install", "service_install api", "service_install api --",
                            "service_install 'a b' -- /bin/true", "service_install -- -api /bin/true",
                            "service_install --env 1X=2 api -- /bin/true", "service_install --env X api -- /bin/true",
                            "service_install --restart sometimes api -- /bin/true", "service_install --bogus api true",
                            "service_install --dir", "service_install api -- /bin/echo 'two\nlines'"],
        "service_start": ["service_start", "service_start a b", "service_start ../x"],
        "service_stop": ["service_stop", "service_stop a b", "service_stop 'a b'"],
        "service_remove": ["service_remove", "service_remove a b", "service_remove a/b"],
        "service_installed": ["service_installed", "service_installed a b", "service_installed ''"],
        "service_running": ["service_running", "service_running a b", "service_running -x"],
        "service_logs": ["service_logs", "service_logs a x", "service_logs a 5 6"],
        "service_manager": ["service_manager x"],
        "pkg_manager": ["pkg_manager x"],
        "pkg_installed": ["pkg_installed", "pkg_installed --cask", "pkg_installed 'a b'", "pkg_installed -- -x"],
        "pkg_install": ["pkg_install", "pkg_install --cask", "pkg_install 'a;b'", "pkg_install ''"],
        "line_in_file": ["line_in_file", "line_in_file f", "line_in_file --match", "line_in_file f a b",
                         "line_in_file '' a", "line_in_file f 'two\nlines'"],
        "symlink": ["symlink", "symlink a", "symlink a b c", "symlink '' b", "symlink --backup a"],
        "ensure_dir": ["ensure_dir", "ensure_dir --mode", "ensure_dir --mode 700", "ensure_dir a ''"],
        "write_file": ["write_file", "write_file a b", "write_file --mode", "write_file ''"],
    }
    public = {n for n in helper_names() if not n.startswith("_")}
    check(public == set(calls), f"helpers without a usage test, or tests of no helper: {sorted(public ^ set(calls))}")
    c.fake("systemctl")
    for name, scripts in calls.items():
        for script in scripts:
            r = c.sh(script, stdin="")
            usage_error(r, script)


# --------------------------------------------------------------------------- std/retry

@test("retry: a command that succeeds runs once, quietly, and nothing sleeps")
def _(c):
    c.fake("sleep", "flaky")
    r = c.sh("retry -- flaky 7 0; echo after")
    check(r.code == 0 and r.out == "after\n", "retry of a good command", r)
    check(c.calls() == 1 and c.sleeps() == [] and r.err == "", "ran more than once, slept or spoke", r)


@test("retry: counts attempts and gives up after --attempts with the last exit status")
def _(c):
    c.fake("sleep", "flaky")
    r = c.sh("retry --attempts 4 -- flaky 7 100")
    check(r.code == 7, "the last exit status is not returned", r)
    check(c.calls() == 4, f"{c.calls()} attempts, not 4", r)
    check(len(c.sleeps()) == 3, f"slept {c.sleeps()}, not 3 times", r)
    for k in (1, 2, 3):
        check(f"retry: flaky exited 7 (attempt {k} of 4): trying again in " in r.err,
              f"attempt {k} is not explained", r)
    check("retry: flaky failed 4 times (last exit status 7): giving up" in r.err, "no giving up", r)


@test("retry: stops retrying once the command succeeds, and set -e lets the step go on")
def _(c):
    c.fake("sleep", "flaky")
    r = c.sh("retry --attempts 5 -- flaky 56 2; echo after")
    check(r.code == 0 and r.out == "after\n", "the step did not go on", r)
    check(c.calls() == 3 and len(c.sleeps()) == 2, f"{c.calls()} calls, sleeps {c.sleeps()}", r)


@test("retry: the default is 3 attempts")
def _(c):
    c.fake("sleep", "flaky")
    r = c.sh("retry flaky 1 100")
    check(r.code == 1 and c.calls() == 3, f"{c.calls()} attempts", r)


@test("retry: exponential backoff with jitter stays within [D/2, D], D = min(max, delay * 2^(k-1))")
def _(c):
    c.fake("sleep", "flaky")
    runs = []
    for _ in range(2):
        os.remove(os.path.join(c.state, "calls")) if os.path.exists(os.path.join(c.state, "calls")) else None
        if os.path.exists(os.path.join(c.state, "sleeps")):
            os.remove(os.path.join(c.state, "sleeps"))
        r = c.sh("retry --attempts 9 --delay 1 --max-delay 10 -- flaky 6 100")
        check(r.code == 6, "did not fail", r)
        s = c.sleeps()
        check(len(s) == 8, f"slept {s}", r)
        for k, x in enumerate(s, start=1):
            d = min(10, 2 ** (k - 1))
            check(d / 2 - 1e-9 <= x <= d + 1e-9, f"sleep {k} is {x}, not within [{d / 2}, {d}]: {s}", r)
            check(f"trying again in {x:g}s" in r.err or f"trying again in {x:.2f}s" in r.err,
                  f"the wait {x} is not said", r)
        runs.append(s)
    check(runs[0] != runs[1], f"two runs slept exactly the same: no jitter? {runs}")


@test("retry: fractional delays, and --delay 0 never sleeps")
def _(c):
    c.fake("sleep", "flaky")
    r = c.sh("retry --attempts 4 --delay 0.5 --max-delay 1 -- flaky 1 100")
    s = c.sleeps()
    check(r.code == 1 and len(s) == 3, f"slept {s}", r)
    for x, d in zip(s, (0.5, 1, 1)):
        check(d / 2 - 1e-9 <= x <= d + 1e-9, f"sleep {x} not within [{d / 2}, {d}]", r)
    os.remove(os.path.join(c.state, "sleeps"))
    r = c.sh("retry --attempts 3 --delay 0 -- flaky 1 100")
    check(r.code == 1 and c.sleeps() == [], f"--delay 0 slept {c.sleeps()}", r)
    check("trying again in 0s" in r.err, "the wait is not said", r)


@test("retry: --on retries only the exit statuses given")
def _(c):
    c.fake("sleep", "flaky")
    r = c.sh("retry --attempts 5 --on 6,7,28 -- flaky 22 100")
    check(r.code == 22 and c.calls() == 1 and c.sleeps() == [], "a status not listed was retried", r)
    check("exited 22, which is not one of 6,7,28: not retrying" in r.err, "the reason is not said", r)
    os.remove(os.path.join(c.state, "calls"))
    r = c.sh("retry --attempts 5 --on 6,7,28 -- flaky 28 2")
    check(r.code == 0 and c.calls() == 3, "a listed status was not retried", r)


@test("retry: --on curl is curl's transient errors 6, 7, 28, 35, 52, 56")
def _(c):
    c.fake("sleep", "flaky")
    for code in (6, 7, 28, 35, 52, 56):
        if os.path.exists(os.path.join(c.state, "calls")):
            os.remove(os.path.join(c.state, "calls"))
        r = c.sh(f"retry --on curl -- flaky {code} 1")
        check(r.code == 0 and c.calls() == 2, f"curl's {code} was not retried", r)
    for code in (22, 3, 1):
        os.remove(os.path.join(c.state, "calls"))
        r = c.sh(f"retry --on curl -- flaky {code} 1")
        check(r.code == code and c.calls() == 1, f"curl's {code} was retried", r)


@test("retry: never after Ctrl-C (130), a usage error (2), 126, 127 or SIGTERM (143), whatever --on says")
def _(c):
    c.fake("sleep", "flaky")
    for code, why in ((130, "interrupted"), (2, "usage error"), (126, "cannot run"), (127, "cannot run"),
                      (143, "terminated")):
        for on in ("", f"--on {code},1 "):
            if os.path.exists(os.path.join(c.state, "calls")):
                os.remove(os.path.join(c.state, "calls"))
            r = c.sh(f"retry --attempts 5 {on}-- flaky {code} 100")
            check(r.code == code and c.calls() == 1 and c.sleeps() == [], f"{code} was retried ({on!r})", r)
            check(why in r.err and "not retrying" in r.err, f"why {code} is not retried is not said", r)
    r = c.sh("retry --attempts 5 -- no-such-command-here")
    check(r.code == 127 and "not retrying" in r.err, "a missing command was retried", r)


@test("retry: runs a helper, and its arguments stay as they are")
def _(c):
    c.fake("sleep")
    r = c.sh("""retry -- line_in_file "$HOME/a b.txt" 'x  $y "z"'; cat "$HOME/a b.txt" """)
    check(r.code == 0 and r.out == 'x  $y "z"\n', "arguments changed", r)


# --------------------------------------------------------------------------- std/wait

@test("wait_for: a command that succeeds at once: no sleep, no output")
def _(c):
    c.fake("sleep", "date", "flaky")
    r = c.sh("wait_for -- flaky 1 0; echo after")
    check(r.code == 0 and r.out == "after\n" and r.err == "", "wait_for of a ready command", r)
    check(c.sleeps() == [] and c.calls() == 1, "slept or ran twice", r)


@test("wait_for: polls every --interval until the command succeeds")
def _(c):
    c.fake("sleep", "date", "flaky")
    r = c.sh("wait_for --interval 2 --timeout 60 -- flaky 1 3; echo ready")
    check(r.code == 0 and r.out == "ready\n", "did not wait", r)
    check(c.calls() == 4 and c.sleeps() == [2, 2, 2], f"{c.calls()} calls, sleeps {c.sleeps()}", r)
    check(os.listdir(c.tmp) == [], f"left files in TMPDIR: {os.listdir(c.tmp)}", r)


@test("secrets printed by the standard library: retry, wait_for and with_timeout never echo their arguments")
def _(c):
    token = "Bearer-s3cr3t-token"
    for cmd in (f"retry --attempts 2 --delay 0 -- sh -c 'exit 7' {token}", f"wait_for --timeout 0 -- sh -c 'exit 3' {token}",
                f"with_timeout 0.3 -- sh -c 'sleep 5' {token}", f"retry -- sh -c 'exit 2' {token}"):
        r = c.sh(cmd, errexit=False)
        check(r.code != 0 and r.err, f"`{cmd}` should fail and say so", r)
        check(token not in r.both, f"`{cmd}` printed its arguments", r)


@test("wait_for: times out with 124, progress every 10 s, and the command's last stderr")
def _(c):
    c.fake("sleep", "date", "flaky")
    r = c.sh("wait_for --timeout 25 --interval 5 -- flaky 3 100 'not yet, try'", errexit=False)
    check(r.code == 124, "the exit status is not 124", r)
    check(c.calls() == 6 and sum(c.sleeps()) == 25, f"{c.calls()} calls, sleeps {c.sleeps()}", r)
    lines = r.err.splitlines()
    check("still waiting for flaky: 10s" in lines, "no progress at 10 s", r)
    check("still waiting for flaky: 20s" in lines, "no progress at 20 s", r)
    check(sum("still waiting" in x for x in lines) == 2, "progress more often than every 10 s", r)
    check("wait_for: flaky did not succeed within 25s (last exit status 3)" in lines,
          "the timeout is not said", r)
    check("  not yet, try 6" in lines, "the command's last stderr is not shown", r)
    check(os.listdir(c.tmp) == [], f"left files in TMPDIR: {os.listdir(c.tmp)}", r)


@test("wait_for: under set -e a timeout stops the step with 124")
def _(c):
    c.fake("sleep", "date", "flaky")
    r = c.sh("wait_for --timeout 3 -- flaky 1 100; echo not-here")
    check(r.code == 124 and "not-here" not in r.out, "the step went on", r)


@test("wait_for: the last sleep ends at the deadline; the time a command takes counts")
def _(c):
    c.fake("sleep", "date", "flaky")
    r = c.sh("wait_for --timeout 7 --interval 5 -- flaky 1 100", errexit=False)
    check(r.code == 124 and c.sleeps() == [5, 2] and c.calls() == 3, f"sleeps {c.sleeps()}, {c.calls()} calls", r)
    os.remove(os.path.join(c.state, "sleeps"))
    os.remove(os.path.join(c.state, "calls"))
    os.remove(os.path.join(c.state, "clock"))
    r = c.sh("wait_for --timeout 10 --interval 1 -- flaky 1 100", env={"FAKE_COST": "4"}, errexit=False)
    check(r.code == 124 and c.calls() == 3, f"{c.calls()} calls of 4 s each in 10 s", r)


@test("wait_for: --timeout 0 tries once; the default interval is 1 s")
def _(c):
    c.fake("sleep", "date", "flaky")
    r = c.sh("wait_for --timeout 0 -- flaky 1 100", errexit=False)
    check(r.code == 124 and c.calls() == 1 and c.sleeps() == [], "not once", r)
    os.remove(os.path.join(c.state, "calls"))
    r = c.sh("wait_for -- flaky 1 2")
    check(r.code == 0 and c.sleeps() == [1, 1], f"sleeps {c.sleeps()}", r)


@test("wait_for: stops at once when the command is interrupted (130)")
def _(c):
    c.fake("sleep", "date", "flaky")
    r = c.sh("wait_for --timeout 60 -- flaky 130 100", errexit=False)
    check(r.code == 130 and c.calls() == 1 and "interrupted" in r.err, "went on waiting", r)


@test("wait_for: the command reads /dev/null, and its output is hidden")
def _(c):
    r = c.sh("""wait_for --timeout 5 -- sh -c 'echo noise; echo noise >&2; if read x; then exit 1; fi'""",
             stdin="a line\n")
    check(r.code == 0 and "noise" not in r.out + r.err, "stdin reached the command, or its output showed", r)


@test("wait_for: real time: --timeout 2 --interval 0.2 gives up after one to two seconds (whole clock seconds)")
def _(c):
    r = c.sh("wait_for --timeout 2 --interval 0.2 -- false", errexit=False)
    check(r.code == 124, "not 124", r)
    check(0.9 < r.seconds < 6, f"took {r.seconds:.2f} s", r)


# --------------------------------------------------------------------------- std/timeout

@test("with_timeout: a command that ends in time: its exit status, at once")
def _(c):
    r = c.sh("with_timeout 10 -- sh -c 'echo out; echo err >&2; exit 3'", errexit=False)
    check(r.code == 3 and r.out == "out\n" and r.err == "err\n", "status or output changed", r)
    check(r.seconds < 5, f"took {r.seconds:.2f} s", r)
    r = c.sh("with_timeout 10 true; with_timeout 5 -- printf '%s|' 'a b' '$c'")
    check(r.code == 0 and r.out == "a b|$c|", "arguments changed", r)


@test("with_timeout: on expiry, SIGTERM to the whole group and 124; grandchildren are gone")
def _(c):
    m = marker()
    r = c.sh(f"with_timeout 0.5 -- sh -c 'sleep {m} & (sleep {m}) & sleep {m}'; echo not-here")
    check(r.code == 124 and "not-here" not in r.out, "not 124, or the step went on", r)
    check("with_timeout: sh did not finish" in r.err and "did not finish within 0.5s" in r.err, "expiry not said", r)
    check(r.seconds < 4, f"took {r.seconds:.2f} s: SIGTERM did not stop it", r)
    wait_until(lambda: not live_processes_with(m), 2, "grandchildren still alive")


@test("with_timeout: what ignores SIGTERM gets SIGKILL after --grace")
def _(c):
    m = marker()
    r = c.sh(f"""with_timeout --grace 0.5 0.5 -- sh -c 'trap "" TERM; sleep {m} & sleep {m}'""", errexit=False)
    check(r.code == 124, "not 124", r)
    check("still running 0.5s after SIGTERM: killing it" in r.err, "SIGKILL not said", r)
    check(0.9 < r.seconds < 5, f"took {r.seconds:.2f} s", r)
    wait_until(lambda: not live_processes_with(m), 2, "processes that ignore SIGTERM still alive")


@test("with_timeout: a grandchild that outlives its parent after SIGTERM is killed too")
def _(c):
    m = marker()
    # The command itself ends on SIGTERM at once; its child ignores SIGTERM.
    r = c.sh(f"""with_timeout --grace 0.5 0.3 -- sh -c '(trap "" TERM; sleep {m}) & sleep {m}'""", errexit=False)
    check(r.code == 124, "not 124", r)
    wait_until(lambda: not live_processes_with(m), 2, "the grandchild that ignores SIGTERM is alive")


@test("with_timeout: the command runs in a process group of its own, stdin passes through")
def _(c):
    r = c.sh("echo \"$$ $(ps -o pgid= -p $$)\"; with_timeout 5 -- sh -c 'ps -o pgid= -p $$; cat'", stdin="piped\n")
    lines = r.out.split()
    check(r.code == 0 and len(lines) == 4, "unexpected output", r)
    check(lines[2] != lines[1], f"the command is in the caller's group {lines[1]}", r)
    check(lines[3] == "piped", "stdin did not reach the command", r)


@test("with_timeout: runs helpers (with_timeout -- retry -- ...)")
def _(c):
    c.fake("flaky")
    r = c.sh("with_timeout 20 -- retry --delay 0 -- flaky 7 1")
    check(r.code == 0 and c.calls() == 2, "the helper did not run", r)


@test("with_timeout: a command killed by a signal returns 128+N, not 124")
def _(c):
    r = c.sh("with_timeout 10 -- sh -c 'kill -TERM $$'", errexit=False)
    check(r.code == 143, "not 143", r)


@test("with_timeout: leaves the caller's traps, variables and set -e alone")
def _(c):
    r = c.sh("trap 'echo bye' EXIT; x=1; with_timeout 5 true; echo \"x=$x\"; with_timeout 0.2 sleep 5; echo no")
    check(r.code == 124 and r.out == "x=1\nbye\n", "traps, variables or set -e changed", r)


@test("with_timeout: SIGTERM, SIGINT or SIGHUP to the step stops the command's group too")
def _(c):
    for sig, code in ((signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)):
        m = marker()
        p = c.start_sh(f"""with_timeout 60 -- sh -c 'trap "" TERM INT HUP; sleep {m} & sleep {m}'; echo not-here""")
        wait_until(lambda: len(live_processes_with(m)) == 2, 10, "the command did not start")
        t0 = time.monotonic()
        os.killpg(p.pid, sig)
        try:
            status = p.wait(HANG)
        except subprocess.TimeoutExpired:
            raise Fail(f"did not end after {sig.name}")
        took = time.monotonic() - t0
        check(status in (code, -sig), f"{sig.name}: the step ended with {status}, not {code}")
        check(took < 3, f"{sig.name}: took {took:.2f} s, more than sink's grace of 3 s")
        wait_until(lambda: not live_processes_with(m), 2, f"{sig.name}: processes of the command are left")
        check("not-here" not in open(c.path("bg.stdout")).read(), "the step went on")


@test("with_timeout: with setsid when there is no perl")
def _(c):
    c.sysbin = SYSBIN_NO_PERL
    m = marker()
    r = c.sh(f"""with_timeout --grace 0.3 0.3 -- sh -c 'trap "" TERM; sleep {m} & sleep {m}'""", errexit=False)
    check(r.code == 124, "not 124", r)
    wait_until(lambda: not live_processes_with(m), 2, "processes left")
    r = c.sh("echo hi | with_timeout 5 -- cat; with_timeout 5 -- retry -- true")
    check(r.code == 0 and r.out == "hi\n", "stdin or helpers", r)


@test("with_timeout: neither perl nor setsid: 125 and why")
def _(c):
    c.sysbin = SYSBIN_NO_GROUP
    r = c.sh("with_timeout 5 -- true", errexit=False)
    check(r.code == 125 and "neither perl nor setsid" in r.err, "not 125", r)


# --------------------------------------------------------------------------- std/service: systemd

API = "com.example.api"


def unit_path(c, name=API):
    return os.path.join(c.home, ".config", "systemd", "user", name + ".service")


@test("service_manager: systemd with a user instance, launchd on macOS, else 1")
def _(c):
    r = c.sh("service_manager || echo none")
    check(r.out == "none\n", "no manager is not none", r)
    c.fake("systemctl")
    r = c.sh("service_manager")
    check(r.code == 0 and r.out == "systemd\n", "not systemd", r)
    c.fake("launchctl", "uname")
    r = c.sh("service_manager", env={"FAKE_UNAME": "Darwin"})
    check(r.code == 0 and r.out == "launchd\n", "not launchd", r)


@test("service_install (systemd): the unit, its commands, logs in the journal")
def _(c):
    c.fake("systemctl")
    c.write("bin/api", "#!/bin/sh\n", 0o755)
    r = c.sh(f"service_install --description 'The API' --env PORT=8080 --env 'GREETING=hi there' "
             f"--dir work {API} -- bin/api --port 8080")
    check(r.code == 0, "failed", r)
    expected = f"""# Written by sink (std/service: service_install {API}); it is rewritten on each install.
[Unit]
Description=The API

[Service]
ExecStart={c.dir}/bin/api --port 8080
WorkingDirectory={c.dir}/work
Environment="PORT=8080"
Environment="GREETING=hi there"
Restart=on-failure
RestartSec=2

[Install]
WantedBy=default.target
"""
    with open(unit_path(c)) as f:
        got = f.read()
    check(got == expected, f"the unit is\n{got}\nnot\n{expected}")
    check(oct(os.stat(unit_path(c)).st_mode & 0o777) == "0o644", "the unit is not 644")
    check(c.logged() == ["systemctl --user show-environment", "systemctl --user daemon-reload",
                         f"systemctl --user is-enabled --quiet {API}.service",
                         f"systemctl --user enable --quiet {API}.service",
                         f"systemctl --user restart {API}.service"], f"commands: {c.logged()}", r)
    check(f"logs: journalctl --user -u {API}" in r.err, "where the logs are is not said", r)
    check([f for f in os.listdir(os.path.dirname(unit_path(c)))] == [API + ".service"], "a temporary file is left")


@test("service_install (systemd): idempotent; a changed unit is reloaded and restarted; a stopped one started")
def _(c):
    c.fake("systemctl")
    install = f"service_install {API} -- /bin/sleep 1000"
    c.sh(install)
    mtime = os.stat(unit_path(c)).st_mtime_ns
    c.clear_log()
    r = c.sh(install)
    check(r.code == 0 and "is installed and running" in r.err, "second install", r)
    check(c.logged() == ["systemctl --user show-environment", f"systemctl --user is-enabled --quiet {API}.service",
                         f"systemctl --user is-active --quiet {API}.service"], f"second install ran {c.logged()}", r)
    check(os.stat(unit_path(c)).st_mtime_ns == mtime, "the unit was rewritten")
    c.clear_log()
    r = c.sh(f"service_install {API} -- /bin/sleep 2000")
    check("systemctl --user daemon-reload" in c.logged() and f"systemctl --user restart {API}.service" in c.logged(),
          f"a changed unit: {c.logged()}", r)
    check("ExecStart=/bin/sleep 2000\n" in open(unit_path(c)).read(), "the unit did not change")
    os.remove(os.path.join(c.state, API + ".service.active"))
    c.clear_log()
    r = c.sh(f"service_install {API} -- /bin/sleep 2000")
    check(c.logged()[-1] == f"systemctl --user start {API}.service" and "started" in r.err,
          f"a stopped service: {c.logged()}", r)


@test("service_install (systemd): arguments are data: quotes, spaces, $, %, backslashes")
def _(c):
    c.fake("systemctl")
    r = c.sh(r"""service_install --restart always --description '100% api' --env 'A=x"y\z %h $HOME' """ +
             API + r""" -- /bin/echo 'a b' '$HOME' '50%' 'say "hi"' 'back\slash' '' plain-arg""")
    check(r.code == 0, "failed", r)
    text = open(unit_path(c)).read()
    check(r'''ExecStart=/bin/echo "a b" "$$HOME" "50%%" "say \"hi\"" "back\\slash" "" plain-arg''' + "\n" in text,
          f"ExecStart: {text}")
    check("Description=100%% api\n" in text, f"Description: {text}")
    check(r'''Environment="A=x\"y\\z %%h $HOME"''' + "\n" in text, f"Environment: {text}")
    check("Restart=always\n" in text, f"Restart: {text}")
    r = c.sh(f"service_install --restart never {API} -- /bin/true")
    check("Restart=no\n" in open(unit_path(c)).read(), "never is not Restart=no")


@test("service_install: the program must exist; there must be a service manager")
def _(c):
    c.fake("systemctl")
    r = c.sh(f"service_install {API} -- no-such-program", errexit=False)
    check(r.code == 1 and "not a program on PATH" in r.err, "a missing program", r)
    r = c.sh(f"service_install {API} -- ./missing", errexit=False)
    check(r.code == 1 and "not an executable file" in r.err, "a missing file", r)
    os.remove(os.path.join(c.fake_dir, "systemctl"))
    r = c.sh(f"service_install {API} -- /bin/true", errexit=False)
    check(r.code == 1 and "no service manager" in r.err, "no manager", r)


@test("service_stop, service_start, service_remove (systemd); service_installed and service_running")
def _(c):
    c.fake("systemctl", "journalctl")
    status = "service_installed " + API + " && echo installed || echo absent; service_running " + API + \
             " && echo running || echo stopped"
    check(c.sh(status).out == "absent\nstopped\n", "before install")
    c.sh(f"service_install {API} -- /bin/sleep 1000")
    check(c.sh(status).out == "installed\nrunning\n", "after install")
    c.clear_log()
    r = c.sh(f"service_stop {API}")
    check(r.code == 0 and f"systemctl --user stop {API}.service" in c.logged(), "stop", r)
    check(c.sh(status).out == "installed\nstopped\n", "after stop")
    c.clear_log()
    r = c.sh(f"service_stop {API}")
    check(r.code == 0 and f"systemctl --user stop {API}.service" not in c.logged(), "a second stop", r)
    r = c.sh(f"service_start {API}")
    check(r.code == 0 and c.sh(status).out == "installed\nrunning\n", "start", r)
    r = c.sh(f"service_logs {API} 20")
    check(r.code == 0 and f"journalctl --user -u {API}.service -n 20 --no-pager" in c.logged(), "logs", r)
    c.clear_log()
    r = c.sh(f"service_remove {API}")
    check(r.code == 0 and not os.path.exists(unit_path(c)), "remove", r)
    check(f"systemctl --user disable --now --quiet {API}.service" in c.logged() and
          "systemctl --user daemon-reload" in c.logged(), f"remove ran {c.logged()}", r)
    check(c.sh(status).out == "absent\nstopped\n", "after remove")
    r = c.sh(f"service_remove {API}")
    check(r.code == 0 and r.err == "", "a second remove", r)
    r = c.sh(f"service_start {API}", errexit=False)
    check(r.code == 1 and "not installed" in r.err, "start of a removed service", r)


# --------------------------------------------------------------------------- std/service: launchd

def plist_path(c, name=API):
    return os.path.join(c.home, "Library", "LaunchAgents", name + ".plist")


DARWIN = {"FAKE_UNAME": "Darwin", "FAKE_UID": "501"}


@test("service_install (launchd): the plist, its commands, logs in ~/Library/Logs")
def _(c):
    c.fake("launchctl", "uname", "id")
    c.extra_env = DARWIN
    r = c.sh(f"service_install --env PORT=8080 --dir /srv {API} -- /bin/sleep 1000")
    check(r.code == 0, "failed", r)
    log = os.path.join(c.home, "Library", "Logs", API + ".log")
    expected = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by sink (std/service: service_install); it is rewritten on each install. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>{API}</string>
  <key>ProgramArguments</key>
  <array>
    <string>/bin/sleep</string>
    <string>1000</string>
  </array>
  <key>WorkingDirectory</key>
  <string>/srv</string>
  <key>EnvironmentVariables</key>
  <dict>
    <key>PORT</key>
    <string>8080</string>
  </dict>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>StandardOutPath</key>
  <string>{log}</string>
  <key>StandardErrorPath</key>
  <string>{log}</string>
</dict>
</plist>
"""
    got = open(plist_path(c)).read()
    check(got == expected, f"the plist is\n{got}\nnot\n{expected}")
    check(os.path.isdir(os.path.dirname(log)), "~/Library/Logs is missing")
    check(c.logged() == [f"launchctl print gui/501/{API}", f"launchctl enable gui/501/{API}",
                         f"launchctl bootstrap gui/501 {plist_path(c)}"], f"commands: {c.logged()}", r)
    check(f"logs: {log}" in r.err, "where the logs are is not said", r)


@test("service_install (launchd): idempotent; a changed plist is booted out and in; a stopped one kickstarted")
def _(c):
    c.fake("launchctl", "uname", "id")
    c.extra_env = DARWIN
    c.sh(f"service_install {API} -- /bin/sleep 1000")
    c.clear_log()
    r = c.sh(f"service_install {API} -- /bin/sleep 1000")
    check(r.code == 0 and "is installed and running" in r.err, "second install", r)
    check(all(x.startswith("launchctl print") for x in c.logged()), f"second install ran {c.logged()}", r)
    c.clear_log()
    r = c.sh(f"service_install --restart always {API} -- /bin/sleep 1000")
    check(c.logged()[1:] == [f"launchctl bootout gui/501/{API}", f"launchctl enable gui/501/{API}",
                             f"launchctl bootstrap gui/501 {plist_path(c)}"], f"changed: {c.logged()}", r)
    check("<key>KeepAlive</key>\n  <true/>" in open(plist_path(c)).read(), "always is not KeepAlive true")
    os.remove(os.path.join(c.state, API + ".running"))
    c.clear_log()
    r = c.sh(f"service_install --restart always {API} -- /bin/sleep 1000")
    check(c.logged()[-1] == f"launchctl kickstart gui/501/{API}", f"stopped: {c.logged()}", r)


@test("service_install (launchd): XML special characters are escaped; the plist parses")
def _(c):
    c.fake("launchctl", "uname", "id")
    c.extra_env = DARWIN
    args = ["a&b", "<tag>", 'say "hi"', "50% $HOME", "", "x y"]
    quoted = " ".join("'" + a + "'" for a in args)
    r = c.sh(f"service_install --restart never --env 'Q=1<2&3' {API} -- /bin/echo {quoted}")
    check(r.code == 0, "failed", r)
    with open(plist_path(c), "rb") as f:
        p = plistlib.load(f)
    check(p["ProgramArguments"] == ["/bin/echo", *args], f"ProgramArguments: {p['ProgramArguments']}")
    check(p["EnvironmentVariables"] == {"Q": "1<2&3"}, f"EnvironmentVariables: {p['EnvironmentVariables']}")
    check(p["Label"] == API and p["RunAtLoad"] is True and p["KeepAlive"] is False, f"plist: {p}")


@test("service_stop, service_start, service_remove (launchd); service_installed and service_running")
def _(c):
    c.fake("launchctl", "uname", "id")
    c.extra_env = DARWIN
    status = f"service_installed {API} && echo installed || echo absent; " \
             f"service_running {API} && echo running || echo stopped"
    check(c.sh(status).out == "absent\nstopped\n", "before install")
    c.sh(f"service_install {API} -- /bin/sleep 1000")
    check(c.sh(status).out == "installed\nrunning\n", "after install")
    r = c.sh(f"service_stop {API}")
    check(r.code == 0 and f"launchctl bootout gui/501/{API}" in c.logged(), "stop", r)
    check(c.sh(status).out == "installed\nstopped\n", "after stop")
    c.clear_log()
    r = c.sh(f"service_start {API}")
    check(r.code == 0 and c.logged()[-1] == f"launchctl bootstrap gui/501 {plist_path(c)}", f"start {c.logged()}", r)
    check(c.sh(status).out == "installed\nrunning\n", "after start")
    with open(os.path.join(c.home, "Library", "Logs", API + ".log"), "w") as f:
        f.write("".join(f"line {i}\n" for i in range(100)))
    r = c.sh(f"service_logs {API} 2")
    check(r.out == "line 98\nline 99\n", "logs", r)
    r = c.sh(f"service_remove {API}")
    check(r.code == 0 and not os.path.exists(plist_path(c)), "remove", r)
    check(c.sh(status).out == "absent\nstopped\n", "after remove")
    r = c.sh(f"service_remove {API}")
    check(r.code == 0 and r.err == "", "a second remove", r)


# --------------------------------------------------------------------------- std/pkg

def installed(c, where="pkgs"):
    p = os.path.join(c.state, where)
    return open(p).read().split() if os.path.exists(p) else []


def set_installed(c, names, where="pkgs"):
    with open(os.path.join(c.state, where), "w") as f:
        f.write("".join(n + "\n" for n in names))


@test("pkg_manager: the system's manager first; brew alone on macOS; 1 when there is none")
def _(c):
    r = c.sh("pkg_manager || echo none")
    check(r.out == "none\n", "no manager is not none", r)
    for tool, name in (("apk", "apk"), ("pacman", "pacman"), ("dnf", "dnf"), ("apt-get", "apt")):
        c.fake(tool)
        r = c.sh("pkg_manager")
        check(r.code == 0 and r.out == name + "\n", f"with {tool}", r)
    c.fake("brew", "uname")
    r = c.sh("pkg_manager")
    check(r.out == "apt\n", "brew on Linux comes before apt", r)
    r = c.sh("pkg_manager", env={"FAKE_UNAME": "Darwin"})
    check(r.out == "brew\n", "not brew on macOS", r)


@test("pkg_installed: per manager, quietly")
def _(c):
    for tool, query in (("apt-get", "dpkg-query"), ("dnf", "rpm"), ("pacman", None), ("apk", None), ("brew", None)):
        for f in os.listdir(c.fake_dir):
            os.remove(os.path.join(c.fake_dir, f))
        c.fake(tool, *([query] if query else []))
        set_installed(c, ["jq", "git"])
        r = c.sh("pkg_installed jq git && echo yes; pkg_installed jq nope || echo no")
        check(r.code == 0 and r.out == "yes\nno\n" and r.err == "", f"{tool}", r)
    set_installed(c, ["firefox"], "casks")
    r = c.sh("pkg_installed --cask firefox && echo yes; pkg_installed firefox || echo no")
    check(r.out == "yes\nno\n", "brew casks", r)


@test("pkg_installed (apt): a removed package with its config left is not installed")
def _(c):
    c.fake("apt-get", "dpkg-query")
    set_installed(c, ["vim"], "removed")
    r = c.sh("pkg_installed vim || echo no")
    check(r.out == "no\n", "removed counts as installed", r)


@test("pkg_installed/pkg_install (apt): a package that an installed one provides is installed (nodejs provides npm)")
def _(c):
    c.fake("apt-get", "dpkg-query", "sudo", "id")
    set_installed(c, ["nodejs"])
    with open(os.path.join(c.state, "provides"), "w") as f:
        f.write("nodejs npm (= 9.2.0), nodejs-dev\nlibfoo foo-dev\n")
    r = c.sh("pkg_installed npm && pkg_installed nodejs-dev npm nodejs && echo yes")
    check(r.code == 0 and r.out == "yes\n", "npm, provided by nodejs, is not installed", r)
    r = c.sh("pkg_installed np || echo no; pkg_installed ghost || echo no; pkg_installed 9.2.0 || echo no")
    check(r.out == "no\nno\nno\n", "a prefix, a package provided by one not installed, or a version counted", r)
    r = c.sh("pkg_install npm")
    check(r.code == 0 and "already installed" in r.err, "pkg_install npm with nodejs installed", r)
    check(not any(x.startswith("apt-get") for x in c.logged()), f"apt-get ran: {c.logged()}", r)
    r = c.sh("pkg_install npm yarn")
    check(r.code == 0 and "installing yarn with apt" in r.err and installed(c) == ["nodejs", "yarn"],
          "only yarn is missing", r)


@test("pkg_install (apt): only what is missing, with sudo when not root; then nothing (idempotent)")
def _(c):
    c.fake("apt-get", "dpkg-query", "sudo", "id")
    set_installed(c, ["git"])
    r = c.sh("pkg_install git jq ripgrep")
    check(r.code == 0 and "pkg_install: installing jq ripgrep with apt" in r.err, "first install", r)
    log = [x for x in c.logged() if not x.startswith("dpkg-query")]
    check(log == ["sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq", "apt-get update -qq",
                  "  DEBIAN_FRONTEND=noninteractive",
                  "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq ripgrep",
                  "apt-get install -y -qq jq ripgrep", "  DEBIAN_FRONTEND=noninteractive"], f"commands: {log}", r)
    check(sorted(installed(c)) == ["git", "jq", "ripgrep"], f"installed: {installed(c)}")
    c.clear_log()
    r = c.sh("pkg_install git jq ripgrep")
    check(r.code == 0 and "already installed" in r.err, "second install", r)
    check(all(x.startswith("dpkg-query") for x in c.logged()), f"second install ran {c.logged()}", r)
    c.clear_log()
    r = c.sh("pkg_install fd-find", env={"FAKE_UID": "0"})
    check(r.code == 0 and not any(x.startswith("sudo") for x in c.logged()), f"root used sudo: {c.logged()}", r)


@test("pkg_install: dnf, pacman, apk; brew without sudo and with --cask")
def _(c):
    cases = (("dnf", "rpm", "sudo dnf install -y jq"), ("pacman", None, "sudo pacman -S --noconfirm --needed jq"),
             ("apk", None, "sudo apk add --update-cache jq"), ("brew", None, "brew install jq"))
    for tool, query, command in cases:
        for f in os.listdir(c.fake_dir):
            os.remove(os.path.join(c.fake_dir, f))
        set_installed(c, [])
        c.clear_log()
        c.fake(tool, "sudo", "id", *([query] if query else []))
        r = c.sh("pkg_install jq && pkg_install jq")
        check(r.code == 0 and installed(c) == ["jq"], f"{tool}", r)
        check(command in c.logged() and sum(x.startswith(f"{tool} install") or x.startswith(f"{tool} add") or
                                            x.startswith(f"{tool} -S") for x in c.logged()) == 1,
              f"{tool} ran {c.logged()}", r)
    r = c.sh("pkg_install --cask firefox && pkg_install --cask firefox")
    check(r.code == 0 and installed(c, "casks") == ["firefox"] and "brew install --cask firefox" in c.logged(),
          f"casks: {c.logged()}", r)
    for f in os.listdir(c.fake_dir):
        os.remove(os.path.join(c.fake_dir, f))
    c.fake("apt-get", "dpkg-query")
    r = c.sh("pkg_install --cask firefox", errexit=False)
    check(r.code == 2 and "--cask is for brew" in r.err, "--cask with apt", r)


@test("pkg_install: failures: the manager fails, a package stays missing, no sudo, no manager")
def _(c):
    c.fake("apt-get", "dpkg-query", "sudo", "id")
    r = c.sh("pkg_install jq", env={"FAKE_FAIL": "1"}, errexit=False)
    check(r.code == 100, "the manager's failure is not returned", r)
    r = c.sh("pkg_install jq", env={"FAKE_BROKEN": "1"}, errexit=False)
    check(r.code == 1 and "jq is still not installed" in r.err, "a package that did not install", r)
    os.remove(os.path.join(c.fake_dir, "sudo"))
    r = c.sh("pkg_install jq", errexit=False)
    check(r.code == 1 and "sudo is not here" in r.err, "no sudo", r)
    for f in os.listdir(c.fake_dir):
        os.remove(os.path.join(c.fake_dir, f))
    r = c.sh("pkg_install jq", errexit=False)
    check(r.code == 1 and "no package manager" in r.err, "no manager", r)
    r = c.sh("pkg_installed jq", errexit=False)
    check(r.code == 1, "no manager", r)


# --------------------------------------------------------------------------- std/file

@test("line_in_file: adds once, creates the file and its folder, ends a last line without newline")
def _(c):
    r = c.sh('line_in_file "$HOME/.config/app/rc" "export A=1"; line_in_file "$HOME/.config/app/rc" "export A=1"')
    check(r.code == 0 and c.read("home/.config/app/rc") == "export A=1\n", "not once", r)
    check(r.err.count("added") == 1, "said more than once", r)
    c.write("home/.profile", "first\nno newline")
    r = c.sh('line_in_file "$HOME/.profile" "a.*b [x]"; line_in_file "$HOME/.profile" "a.*b [x]"')
    check(c.read("home/.profile") == "first\nno newline\na.*b [x]\n", repr(c.read("home/.profile")), r)
    check(os.listdir(c.tmp) == [], "temporary files left")


@test("line_in_file --match: replaces the first matching line, keeps mode and symbolic link; idempotent")
def _(c):
    c.write("dotfiles/zshrc", "# zsh\nexport EDITOR=nano\nexport EDITOR=ed\n", 0o600)
    os.symlink(c.path("dotfiles/zshrc"), c.path("home/.zshrc"))
    script = "line_in_file --match '^export EDITOR=' \"$HOME/.zshrc\" 'export EDITOR=vim'"
    r = c.sh(script + "; " + script)
    check(r.code == 0 and c.read("dotfiles/zshrc") == "# zsh\nexport EDITOR=vim\nexport EDITOR=ed\n",
          repr(c.read("dotfiles/zshrc")), r)
    check(r.err.count("replaced") == 1, "changed twice", r)
    check(os.path.islink(c.path("home/.zshrc")), "the symbolic link was replaced by a file")
    check(os.stat(c.path("dotfiles/zshrc")).st_mode & 0o777 == 0o600, "the mode changed")
    # LINE already present (even if it does not match): nothing; no match: added at the end.
    r = c.sh("line_in_file --match '^nothing' \"$HOME/.zshrc\" 'export EDITOR=vim'; "
             "line_in_file --match '^alias ll=' \"$HOME/.zshrc\" 'alias ll=\"ls -l\"'; "
             "line_in_file --match '^alias ll=' \"$HOME/.zshrc\" 'alias ll=\"ls -l\"'")
    check(c.read("dotfiles/zshrc") == '# zsh\nexport EDITOR=vim\nexport EDITOR=ed\nalias ll="ls -l"\n',
          repr(c.read("dotfiles/zshrc")), r)
    check(os.listdir(c.tmp) == [], "temporary files left")


@test("line_in_file: a folder in the way is an error")
def _(c):
    c.mk("home/dir")
    r = c.sh('line_in_file "$HOME/dir" x', errexit=False)
    check(r.code == 1 and "is a folder" in r.err, "no error", r)


@test("symlink: creates, repairs, leaves a right link alone, refuses a file unless --backup")
def _(c):
    c.write("dotfiles/vimrc", "set nu\n")
    target = c.path("dotfiles/vimrc")
    r = c.sh(f"symlink '{target}' \"$HOME/.config/vim/vimrc\"; symlink '{target}' \"$HOME/.config/vim/vimrc\"")
    check(r.code == 0 and os.readlink(c.path("home/.config/vim/vimrc")) == target, "not linked", r)
    check(r.err.count("->") == 1, "said twice", r)
    os.remove(c.path("home/.config/vim/vimrc"))
    os.symlink("/elsewhere", c.path("home/.config/vim/vimrc"))
    r = c.sh(f"symlink '{target}' \"$HOME/.config/vim/vimrc\"")
    check(os.readlink(c.path("home/.config/vim/vimrc")) == target, "a wrong link was not repaired", r)
    c.write("home/.vimrc", "mine\n")
    r = c.sh(f"symlink '{target}' \"$HOME/.vimrc\"", errexit=False)
    check(r.code == 1 and "not a symbolic link" in r.err and c.read("home/.vimrc") == "mine\n", "a file", r)
    r = c.sh(f"symlink --backup '{target}' \"$HOME/.vimrc\"; symlink --backup '{target}' \"$HOME/.vimrc\"")
    check(r.code == 0 and os.readlink(c.path("home/.vimrc")) == target and c.read("home/.vimrc.bak") == "mine\n",
          "--backup", r)
    os.remove(c.path("home/.vimrc"))
    c.write("home/.vimrc", "again\n")
    r = c.sh(f"symlink --backup '{target}' \"$HOME/.vimrc\"", errexit=False)
    check(r.code == 1 and c.read("home/.vimrc.bak") == "mine\n", "a backup was overwritten", r)
    r = c.sh("symlink ../relative \"$HOME/rel\"")
    check(os.readlink(c.path("home/rel")) == "../relative", "the target is not written as given", r)


@test("ensure_dir: creates with parents, once; --mode sets the mode every time")
def _(c):
    r = c.sh('ensure_dir --mode 700 "$HOME/.ssh" "$HOME/a/b/c"; ensure_dir "$HOME/.ssh"')
    check(r.code == 0 and os.path.isdir(c.path("home/a/b/c")), "not created", r)
    check(os.stat(c.path("home/.ssh")).st_mode & 0o777 == 0o700, "mode not set")
    check(r.err.count("created") == 2, "said more than created", r)
    os.chmod(c.path("home/.ssh"), 0o755)
    r = c.sh('ensure_dir --mode 700 "$HOME/.ssh"')
    check(r.err == "" and os.stat(c.path("home/.ssh")).st_mode & 0o777 == 0o700, "mode not restored", r)
    c.write("home/file", "")
    r = c.sh('ensure_dir "$HOME/file"', errexit=False)
    check(r.code != 0, "a file in the way", r)


@test("write_file: writes when different, not otherwise; keeps the mode; --mode")
def _(c):
    r = c.sh('write_file "$HOME/.config/app.toml" <<EOF\nport = 8080\nEOF\n')
    check(r.code == 0 and c.read("home/.config/app.toml") == "port = 8080\n" and "wrote" in r.err, "write", r)
    os.chmod(c.path("home/.config/app.toml"), 0o640)
    mtime = os.stat(c.path("home/.config/app.toml")).st_mtime_ns
    r = c.sh('printf "port = 8080\\n" | write_file "$HOME/.config/app.toml"')
    check(r.err == "" and os.stat(c.path("home/.config/app.toml")).st_mtime_ns == mtime, "rewritten", r)
    r = c.sh('printf "port = 9090\\n" | write_file "$HOME/.config/app.toml"')
    check(c.read("home/.config/app.toml") == "port = 9090\n", "not updated", r)
    check(os.stat(c.path("home/.config/app.toml")).st_mode & 0o777 == 0o640, "the mode changed")
    r = c.sh('printf "secret" | write_file --mode 600 "$HOME/token"')
    check(os.stat(c.path("home/token")).st_mode & 0o777 == 0o600 and c.read("home/token") == "secret", "--mode", r)
    check(os.listdir(c.tmp) == [], "temporary files left")


# --------------------------------------------------------------------------- through sink

@test("sink apply: steps use retry, wait_for and std/file; a second apply changes nothing",
      per_shell=False)
def _(c):
    c.fake("sleep", "date", "flaky")
    c.write("Sinkfile", '''use "std/retry"
use "std/wait"
use "std/timeout"
use "std/file"

step "Flaky download" {
  run "retry --attempts 5 --on 6,7 -- flaky 7 2"
}
step "Wait" {
  run "wait_for --timeout 30 -- test -f {{home}}/ready"
}
step "Line" {
  skip if sh "grep -qx 'export A=1' {{home}}/.profile"
  run "line_in_file {{home}}/.profile 'export A=1' && touch {{home}}/ready"
}
''')
    c.write("home/ready", "")
    r = c.sink("apply")
    check(r.code == 0, "apply failed", r)
    check(c.calls() == 3 and len(c.sleeps()) == 2, f"{c.calls()} calls, sleeps {c.sleeps()}", r)
    check("retry: flaky exited 7 (attempt 1 of 5)" in r.err, "retry said nothing", r)
    r = c.sink("apply")
    check(r.code == 0 and c.read("home/.profile") == "export A=1\n", "second apply", r)
    check("1 already done" in r.err, "the line step was not already done", r)


@test("sink apply: with_timeout expiry fails the step with 124 and sink says so", per_shell=False)
def _(c):
    m = marker()
    c.write("Sinkfile", f'''use "std/timeout"
step "Hangs" {{
  run "with_timeout 0.5 -- sh -c 'sleep {m} & sleep {m}'"
  error "the download hung"
}}
step "Never" {{ run "touch never" }}
''')
    r = c.sink("apply")
    check(r.code == 1 and "124" in r.err and "the download hung" in r.err, "the step did not fail with 124", r)
    check(not c.exists("never"), "the next step ran")
    wait_until(lambda: not live_processes_with(m), 2, "processes left")


@test("sink apply: SIGTERM to sink while with_timeout runs leaves no process of the command", per_shell=False)
def _(c):
    m = marker()
    c.write("Sinkfile", f"""use "std/timeout"
step "Long" {{
  run '''
    with_timeout 60 -- sh -c 'trap "" TERM INT; sleep {m} & sleep {m}'
  '''
}}
""")
    p = c.start_sink("apply")
    wait_until(lambda: len(live_processes_with(m)) == 2, 20, "the command did not start")
    p.send_signal(signal.SIGTERM)
    try:
        status = p.wait(HANG)
    except subprocess.TimeoutExpired:
        raise Fail("sink did not end")
    check(status == 143, f"sink exited {status}, not 143")
    wait_until(lambda: not live_processes_with(m), 3, "processes of the command are left")


@test("sink facts: pkg_manager, pkg_* and service_manager, and facts made with the helpers", per_shell=False)
def _(c):
    c.fake("apt-get", "dpkg-query", "systemctl")
    set_installed(c, ["git"])
    c.write("Sinkfile", '''use "std/pkg"
use "std/service"

fact git_installed: bool = sh "pkg_installed git"
fact jq_installed: bool = sh "pkg_installed jq"
fact api_running: bool = sh "service_running com.example.api"

step "Show" {
  when pkg_manager == "apt" and pkg_apt and not pkg_brew and not pkg_dnf and not pkg_pacman and not pkg_apk
  run "echo {{service_manager}} {{git_installed}} {{jq_installed}} {{api_running}}"
}
''')
    r = c.sink("facts", "--format", "json")
    check(r.code == 0, "facts failed", r)
    facts = {f["name"]: f.get("value") for f in json.loads(r.out)}
    want = {"pkg_manager": "apt", "pkg_apt": "true", "pkg_brew": "false", "service_manager": "systemd",
            "git_installed": "true", "jq_installed": "false", "api_running": "false"}
    for k, v in want.items():
        check(facts.get(k) == v, f"fact {k} is {facts.get(k)!r}, not {v!r}: {facts}", r)
    r = c.sink("apply")
    check(r.code == 0 and "systemd true false false" in r.out + r.err, "apply", r)
    for f in os.listdir(c.fake_dir):
        os.remove(os.path.join(c.fake_dir, f))
    r = c.sink("facts", "--format", "json")
    facts = {f["name"]: f.get("value") for f in json.loads(r.out)}
    check(facts.get("pkg_manager") == "none" and facts.get("service_manager") == "none", f"without managers: {facts}")


@test("sink apply: service_install in a step, twice, with a fake systemctl: the second does nothing",
      per_shell=False)
def _(c):
    c.fake("systemctl")
    c.write("Sinkfile", '''use "std/service"
fact api_running: bool = sh "service_running com.example.api"
step "API" {
  skip if api_running
  run "service_install --env HOME={{home}} com.example.api -- /bin/sleep 1000"
}
''')
    r = c.sink("apply")
    check(r.code == 0 and os.path.exists(unit_path(c)), "install", r)
    c.clear_log()
    r = c.sink("apply")
    check(r.code == 0 and "1 already done" in r.err, "second apply", r)
    check(not any("restart" in x or "enable" in x for x in c.logged()), f"second apply ran {c.logged()}", r)


@test("docs/stdlib.md names every module, helper and fact", per_shell=False)
def _(c):
    with open(os.path.join(ROOT, "docs", "stdlib.md")) as f:
        doc = f.read()
    for m in MODULES:
        check(f"std/{m}" in doc, f"std/{m} is not in docs/stdlib.md")
    for h in helper_names():
        if not h.startswith("_"):
            check(f"`{h}" in doc, f"helper {h} is not in docs/stdlib.md")
    for m in MODULES:
        with open(os.path.join(ROOT, "stdlib", m + ".sink")) as f:
            for name in re.findall(r"^fact ([a-z_0-9]+)", f.read(), re.M):
                check(f"`{name}`" in doc, f"fact {name} is not in docs/stdlib.md")


# --------------------------------------------------------------------------- main

def main():
    sys.stdout.reconfigure(errors="backslashreplace")
    tally = Tally()
    try:
        if not os.path.exists(SINK):
            raise Fail(f"{SINK} does not exist")
        for shell in SHELLS:
            if not shutil.which(shell):
                raise Fail(f"{shell} is not installed (tools/install-deps installs it)")
        load_helpers()
    except Fail as e:
        print(f"not ok setup: {e}\n0 passed, 1 failed")
        shutil.rmtree(WORK, ignore_errors=True)
        sys.exit(1)
    for name, fn, per_shell in TESTS:
        for shell in SHELLS if per_shell else (None,):
            full = f"{name} [{shell}]" if shell else name
            if ONLY and not any(o in full for o in ONLY):
                continue
            with tempfile.TemporaryDirectory(prefix="sink-stdlib-") as folder:
                tally.run(full, fn, Case(folder, shell or "dash"))
    shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(tally.finish())


if __name__ == "__main__":
    main()
