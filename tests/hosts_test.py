#!/usr/bin/env python3
"""`sink plan|apply|facts --host` through the real binary, against throwaway sshd
instances on 127.0.0.1 (sshd_fixture.py): three hosts that differ by `SetEnv HOST_ROLE`,
one unreachable destination, and the exported script under Ansible.

Every test writes a Sinkfile into a fresh folder and runs sink there with the fixture's
ssh config (SINK_SSH_COMMAND="ssh -F CONFIG": real host-key checking). The hosts' HOME
folders are emptied before each test. Time limits are upper bounds against hangs only.

usage: hosts_test.py SINK SOURCE_ROOT [NAME-SUBSTRING...]
"""
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time

from harness import Fail, Registry, Result, check, other_processes
from sshd_fixture import SshHosts

SINK, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
ONLY = sys.argv[3:]
HANG = 60
ROLES = {"web": "web", "db": "db", "cache": "cache"}
HOSTS = None  # the one SshHosts of the run
test = Registry()


class Case:
    def __init__(self, folder):
        self.dir = folder
        for alias in ROLES:  # every test starts with empty hosts
            home = HOSTS.home(alias)
            shutil.rmtree(home, ignore_errors=True)
            os.makedirs(home)

    def path(self, name):
        return os.path.join(self.dir, name)

    def sinkfile(self, text):
        with open(self.path("Sinkfile"), "w") as f:
            f.write(text.lstrip("\n"))

    def read(self, alias, name):
        with open(os.path.join(HOSTS.home(alias), name), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def exists(self, alias, name):
        return os.path.exists(os.path.join(HOSTS.home(alias), name))

    def sink(self, *args, env=None, timeout=HANG):
        try:
            p = subprocess.run([SINK, *args], cwd=self.dir, env=HOSTS.env(env), stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=timeout, start_new_session=True)
        except subprocess.TimeoutExpired as e:
            raise Fail(f"`sink {' '.join(args)}` did not end within {timeout} s; stderr: {e.stderr!r}")
        return Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))

    def cleanup(self):
        pass


def hosts(*aliases):
    return [a for alias in aliases for a in ("--host", alias)]


def left_behind(timeout=10):
    """Session processes (remote side) still alive after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while HOSTS.session_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    return HOSTS.session_processes()


def table_row(text, first):
    for line in text.splitlines():
        cells = line.split()
        if cells and cells[0] == first and cells[1:2] != ["|"]:
            return cells
    raise Fail(f"no table row for {first!r} in {text!r}")


THREE = '''
fact role = env "HOST_ROLE"
step "shell" { run "echo ${BASH_VERSION:+bash} > shell" }
step "hello" { run "printf '%s' {{role}} > hello; echo said hello as {{role}}" }
step "web only" { when role == "web" run "touch web.only" }
step "done already" { skip if sh "true" run "touch never" }
'''


@test("apply on three hosts: each runs its own steps, every line prefixed and aligned, a table at the end")
def _(c):
    c.sinkfile(THREE)
    r = c.sink("apply", *hosts("web", "db", "cache"))
    check(r.code == 0, "exit status is not 0", r)
    check(c.read("cache", "shell") == "bash\n" and c.read("web", "shell") == "\n", "cache's sh is not bash", r)
    for alias in ROLES:
        check(c.read(alias, "hello") == alias, f"{alias}: the step did not run there with its own facts", r)
        check(not c.exists(alias, "never"), f"{alias}: an already-done step ran", r)
    check(c.exists("web", "web.only") and not c.exists("db", "web.only"), "`when` was not decided per host", r)
    for alias in ROLES:
        check(f"{alias:<5} | said hello as {alias}\n" in r.out, f"{alias}: the step's output is not prefixed", r)
        check(re.search(rf"^{alias:<5} \| \[2/4\] hello$", r.err, re.M), f"{alias}: progress is not prefixed", r)
    body = [l for l in r.out.splitlines() + r.err.splitlines() if l and not re.match(r"(web|db|cache)\s+(\||\d)", l)]
    check(body and body[0].split() == ["host", "ran", "already", "done", "not", "applicable", "failed", "time", "status"],
          f"a line that belongs to no host and is not the table header: {body[:3]}", r)
    check(table_row(r.out, "web")[1:5] == ["3", "1", "0", "0"], "web's counts are wrong", r)
    check(table_row(r.out, "db")[1:5] == ["2", "1", "1", "0"], "db's counts are wrong", r)
    check(table_row(r.out, "cache")[-1] == "ok", "cache is not ok", r)


@test("an unreachable host is reported as such; the others go on; exit 1")
def _(c):
    c.sinkfile(THREE)
    r = c.sink("apply", *hosts("gone", "web"))
    check(r.code == 1, "exit status is not 1", r)
    check(c.read("web", "hello") == "web", "the reachable host did not run", r)
    check(table_row(r.out, "gone")[-1] == "unreachable", "the table does not say unreachable", r)
    check(table_row(r.out, "web")[-1] == "ok", "web is not ok", r)
    check(re.search(r"^gone \| ssh: connect to host 127\.0\.0\.1 port \d+: Connection refused", r.err, re.M),
          "ssh's reason is not shown, prefixed", r)
    r = c.sink("plan", *hosts("web", "gone"))
    check(r.code == 1 and table_row(r.out, "(host)")[1:] == ["ok", "unreachable"], "plan: not reported", r)


@test("a failed step fails that host only; its error is shown; exit 1")
def _(c):
    c.sinkfile('''
fact role = env "HOST_ROLE"
step "may fail" { run "test {{role}} != db" error "no good on {{role}}" }
step "after" { run "touch after" }
''')
    r = c.sink("apply", *hosts("web", "db"))
    check(r.code == 1, "exit status is not 1", r)
    check(c.exists("web", "after") and not c.exists("db", "after"), "the failure did not stop db alone", r)
    check(table_row(r.out, "db")[4:] [:1] == ["1"] and table_row(r.out, "db")[-1] == "failed", "db not failed", r)
    check(re.search(r"^db +\| +error: no good on db$", r.err, re.M), "the step's error message is not shown", r)


@test("secret in step output: --host apply masks the secret answers sink sent in every host's lines")
def _(c):
    secret = f"S3cr3t-{os.getpid()}-{time.monotonic_ns()}"
    c.sinkfile('''
ask token "API token?" secret
step "loud" { run "echo token is {{token}}; set -x; : {{token}}" }
''')
    r = c.sink("apply", "--set", f"token={secret}", *hosts("web", "db"))
    check(r.code == 0, "exit status is not 0", r)
    check(secret not in r.both, "the secret was printed", r)
    for alias in ("web", "db"):
        check(re.search(rf"^{alias} +\| token is ••••••$", r.out, re.M), f"{alias}: the masked line is not shown", r)


@test("plan --host: a steps x hosts table; --format json: a section per host")
def _(c):
    c.sinkfile(THREE)
    r = c.sink("plan", *hosts("web", "db"))
    check(r.code == 0, "exit status is not 0", r)
    check(table_row(r.out, "step") == ["step", "web", "db"], "the header is not step, hosts", r)
    check(re.search(r"^web only\s+run\s+n/a$", r.out, re.M), "the verdicts differ from the hosts'", r)
    check(re.search(r"^done already\s+done\s+done$", r.out, re.M), "done is not shown", r)
    check(not c.exists("web", "hello"), "plan ran a step", r)
    check("| " not in r.err, "plan showed the hosts' own output although they were fine", r)
    r = c.sink("plan", *hosts("web", "db"), "--format", "json")
    import json
    data = json.loads(r.out)
    by_host = {h["host"]: {s["name"]: s["verdict"] for s in h["steps"]} for h in data["hosts"]}
    check(by_host == {"web": {"shell": "run", "hello": "run", "web only": "run", "done already": "done"},
                      "db": {"shell": "run", "hello": "run", "web only": "n/a", "done already": "done"}},
          f"json: {by_host}", r)


@test("facts --host: a facts x hosts table")
def _(c):
    c.sinkfile('''
fact role = env "HOST_ROLE"
fact where = env "HOME"
fact token = sh "echo S3cr3tFact" secret
step "s" { run "echo {{role}} {{where}} {{token}}" }
''')
    r = c.sink("facts", *hosts("web", "db", "cache"))
    check(r.code == 0, "exit status is not 0", r)
    check(table_row(r.out, "token") == ["token"] + ["••••••"] * 3, "the secret fact is not masked", r)
    r2 = c.sink("facts", *hosts("web"), "--format", "json")
    check("S3cr3tFact" not in r.both + r2.both, "a secret fact's value was printed", r2)
    check(table_row(r.out, "role") == ["role", "web", "db", "cache"], "roles are not side by side", r)
    check(table_row(r.out, "where") == ["where"] + [HOSTS.home(a) for a in ("web", "db", "cache")], "homes wrong", r)


@test("--hosts FILE with comments; --jobs 1 runs one host at a time, the default all at once")
def _(c):
    stamps = c.path("stamps")
    c.sinkfile(f'''
fact role = env "HOST_ROLE"
step "slow" {{ run "echo {{{{role}}}} start $(date +%s.%N) >> {stamps}; sleep 0.5; echo {{{{role}}}} end $(date +%s.%N) >> {stamps}" }}
''')
    with open(c.path("hosts.txt"), "w") as f:
        f.write("# the fleet\nweb\n\n  db   # the database\ncache\n")

    def spans():
        with open(stamps) as f:
            rows = [line.split() for line in f]
        os.remove(stamps)
        got = {}
        for who, what, when in rows:
            got.setdefault(who, {})[what] = float(when)
        return sorted((v["start"], v["end"]) for v in got.values())

    r = c.sink("apply", "--hosts", "hosts.txt", "--jobs", "1")
    check(r.code == 0, "apply --jobs 1 failed", r)
    s = spans()
    check(len(s) == 3 and all(a[1] <= b[0] for a, b in zip(s, s[1:])), f"--jobs 1: sessions overlapped: {s}", r)
    r = c.sink("apply", "--hosts", "hosts.txt")
    check(r.code == 0, "apply failed", r)
    s = spans()
    check(len(s) == 3 and max(a for a, _ in s) < min(b for _, b in s), f"default jobs: not in parallel: {s}", r)


@test("usage errors: bad --jobs, a destination that looks like an option, --platform with --host, no file")
def _(c):
    c.sinkfile(THREE)
    for args, what in ((["--host", "web", "--jobs", "0"], "--jobs"), (["--host", "web", "--jobs", "x"], "--jobs"),
                       (["--host", "-oProxyCommand=touch PWNED"], "not a destination"),
                       (["--host", "web", "--platform", "darwin"], "--platform"),
                       (["--hosts", "missing.txt"], "missing.txt")):
        r = c.sink("plan", *args)
        check(r.code == 2 and what in r.err, f"`sink plan {' '.join(args)}` is not a usage error naming {what}", r)
    check(not any("PWNED" in f for _, _, fs in os.walk(c.dir) for f in fs), "an option ran")


PAYLOADS = ["$(touch PWNED)", "`touch PWNED`", "'; touch PWNED; '", '"; touch PWNED; "', "line1\ntouch PWNED\n",
            "\\ back\\slash", "\ttab\tsink:end\t0", "it's", "ünïcødé ☃ %s %n", "-oProxyCommand=touch PWNED"]


@test("injection: answers and step names with shell code cross ssh byte for byte and run nothing")
def _(c):
    lines = [f'ask a{i} "a{i}?"' for i in range(len(PAYLOADS))]
    lines += [f'step "s{i}" {{ run "printf \'%s\' {{{{a{i}}}}} > out{i}" }}' for i in range(len(PAYLOADS))]
    c.sinkfile("\n".join(lines) + "\n")
    sets = [a for i, p in enumerate(PAYLOADS) for a in ("--set", f"a{i}={p}")]
    r = c.sink("apply", *hosts("web", "db"), *sets)
    check(r.code == 0, "apply failed", r)
    for alias in ("web", "db"):
        for i, p in enumerate(PAYLOADS):
            check(c.read(alias, f"out{i}") == p, f"{alias}: payload {p!r} arrived as {c.read(alias, f'out{i}')!r}", r)
    pwned = [os.path.join(d, f) for top in (c.dir, HOSTS.dir, "/root" if os.geteuid() == 0 else c.dir)
             for d, _, fs in os.walk(top) for f in fs if f == "PWNED"]
    check(not pwned, f"a payload ran: {pwned}", r)
    r = c.sink("apply", "--host", "web;touch${IFS}PWNED`touch${IFS}PWNED`$(touch${IFS}PWNED)", *sets)
    check(r.code == 1 and table_row(r.out, "web;touch${IFS}PWNED`touch${IFS}PWNED`$(touch${IFS}PWNED)")[-1] == "unreachable",
          "a destination with shell code was not taken as one name", r)
    check(not os.path.exists(c.path("PWNED")), "the destination ran as shell code", r)


@test("without a terminal: a default built from facts is each host's; a question without one stops before ssh")
def _(c):
    c.sinkfile('''
fact role = env "HOST_ROLE"
ask who "Who?" default "{{role}}"
step "s" { run "printf '%s' {{who}} > who" }
''')
    r = c.sink("apply", *hosts("web", "db"))
    check(r.code == 0 and c.read("web", "who") == "web" and c.read("db", "who") == "db", "defaults not per host", r)
    c.sinkfile('''
ask who "Who?"
step "s" { run "printf '%s' {{who}} > who2" }
''')
    r = c.sink("apply", *hosts("web", "gone"))
    check(r.code == 1 and "E403" in r.err and "question `who`" in r.err, "no E403 for the unanswered question", r)
    check("gone" not in r.err and not c.exists("web", "who2"), "a host was contacted", r)
    c.sinkfile('''
ask mac "For macs?"
platform darwin { step "mac only" { run "echo {{mac}}" } }
step "s" { run "touch who3" }
''')
    r = c.sink("apply", *hosts("web"))
    check(r.code == 1 and "question `mac`" in r.err and not c.exists("web", "who3"),
          "a question of another platform's step was not asked up front (a host may be that platform)", r)
    r = c.sink("apply", *hosts("web"), "--set", "mac=yes")
    check(r.code == 0 and c.exists("web", "who3"), "apply with the answer failed", r)


def sink_on_terminal(c, *args):
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.chdir(c.dir)
            env = HOSTS.env({"TERM": "dumb"})
            del env["NO_COLOR"]
            os.execve(SINK, [SINK, *args], env)
        finally:
            os._exit(127)
    return pid, fd


def read_until(fd, buf, pattern, timeout=HANG):
    deadline = time.monotonic() + timeout
    while not re.search(pattern, buf):
        if time.monotonic() > deadline:
            raise Fail(f"the terminal never showed {pattern!r}: {buf!r}")
        if select.select([fd], [], [], 0.1)[0]:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                raise Fail(f"the terminal closed before {pattern!r}: {buf!r}")
            buf += data
    return buf


@test("a secret asked once on the terminal reaches every host, in no argument list and no file")
def _(c):
    secret = f"S3cr3t-{os.getpid()}-{time.monotonic_ns()}"
    c.sinkfile('''
ask token "API token?" secret
step "use it" { run "printf '%s' {{token}} | sha256sum > token.sum; sleep 1; printf '%s' \\"$SINK_token\\" | wc -c > token.len" }
''')
    pid, fd = sink_on_terminal(c, "apply", "--color", "always", *hosts("web", "db", "cache"))
    buf = read_until(fd, b"", rb"API token\?")
    time.sleep(0.2)
    os.write(fd, secret.encode() + b"\n")
    needle = secret.encode()
    seen, status = [], None
    deadline = time.monotonic() + HANG
    while status is None and time.monotonic() < deadline:
        seen += [cmd for _, cmd in other_processes() if needle in cmd]
        if select.select([fd], [], [], 0.02)[0]:
            try:
                buf += os.read(fd, 65536)
            except OSError:
                pass
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(st)
    os.close(fd)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise Fail(f"sink did not end: {buf!r}")
    r = Result(status, buf.decode("utf-8", "replace"), "")
    check(status == 0, "apply failed", r)
    check(not seen, f"the secret was in an argument list: {seen[:2]}", r)
    check(needle not in buf, "the secret was printed", r)
    check(r.out.count("API token?") == 1, "the question was asked more than once", r)
    check("\x1b[" in r.out and re.search(r"\x1b\[[0-9;]*mweb  \x1b\[0m \| ", r.out), "the host names are not coloured", r)
    import hashlib
    want = hashlib.sha256(needle).hexdigest()
    for alias in ROLES:
        check(c.read(alias, "token.sum").split()[0] == want, f"{alias}: the step did not get the secret", r)
    files = []
    for top in (c.dir, HOSTS.dir, "/tmp"):
        for d, _, fs in os.walk(top):
            for f in fs:
                try:
                    with open(os.path.join(d, f), "rb") as h:
                        if needle in h.read(1 << 20):
                            files.append(os.path.join(d, f))
                except OSError:
                    pass
    check(not files, f"the secret is in files: {files}", r)


@test("Ctrl-C ends every session and every remote step: exit 130, nothing left on either side")
def _(c):
    c.sinkfile('''
step "long" { run "touch started; sleep 1000" }
step "after" { run "touch after" }
''')
    p = subprocess.Popen([SINK, "apply", *hosts("web", "db", "cache")], cwd=c.dir, env=HOSTS.env(),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        deadline = time.monotonic() + HANG
        while not all(c.exists(a, "started") for a in ROLES):
            check(time.monotonic() < deadline and p.poll() is None, "the steps never started")
            time.sleep(0.05)
        while len([1 for _, cmd in other_processes() if cmd.startswith(b"sleep\x001000")]) < 3:
            check(time.monotonic() < deadline, "the remote steps are not running (scan broken?)")
            time.sleep(0.05)
        os.kill(p.pid, signal.SIGINT)
        out, err = p.communicate(timeout=HANG)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    r = Result(p.returncode, out.decode(), err.decode())
    check(r.code == 130, "exit status is not 130", r)
    left = left_behind()
    check(not left, f"remote processes left: {left}", r)
    check(not [pid for pid, cmd in other_processes() if cmd.startswith(b"sleep\x001000")], "a sleep was left", r)
    check(not any(c.exists(a, "after") for a in ROLES), "a step after the interrupt ran", r)
    check(table_row(r.out, "web")[-1] == "interrupted", "the table does not say interrupted", r)


@test("a remote step that reads stdin gets end-of-file at once")
def _(c):
    c.sinkfile('step "reads" { run "cat > got; echo read done" }\n')
    r = c.sink("apply", *hosts("web"), timeout=20)
    check(r.code == 0 and "web | read done" in r.out, "the step did not end", r)
    check(c.read("web", "got") == "", "the step read something", r)


@test("Ansible: `ansible all -m script -a setup.sh` runs an exported script on the test hosts")
def _(c):
    if not shutil.which("ansible"):
        raise Fail("ansible is missing: install ansible-core (tools/install-deps)")
    c.sinkfile(THREE)
    r = c.sink("export", "-o", "setup.sh")
    check(r.code == 0, "export failed", r)
    with open(c.path("inventory.ini"), "w") as f:
        for alias in ("web", "db"):
            f.write(f"{alias} ansible_host=127.0.0.1 ansible_port={HOSTS.ports[alias]} "
                    f"ansible_ssh_common_args='-F {HOSTS.path('ssh_config')}' ansible_ssh_transfer_method=piped\n")
    env = HOSTS.env({"ANSIBLE_HOST_KEY_CHECKING": "True", "ANSIBLE_LOCAL_TEMP": c.path("ansible-tmp"),
                     "ANSIBLE_REMOTE_TMP": "~/.ansible/tmp", "ANSIBLE_NOCOLOR": "1",
                     "ANSIBLE_SSH_ARGS": "-o ControlMaster=no"})  # no master left running
    try:
        p = subprocess.run(["ansible", "all", "-i", "inventory.ini", "-m", "script", "-a", "setup.sh"], cwd=c.dir,
                           env=env, capture_output=True, timeout=180, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise Fail("ansible did not end within 180 s")
    r = Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))
    check(r.code == 0, "ansible failed", r)
    for alias in ("web", "db"):
        check(c.read(alias, "hello") == alias, f"{alias}: the script did not run there", r)
    check(c.exists("web", "web.only") and not c.exists("db", "web.only"), "`when` was not decided per host", r)


def main():
    global HOSTS
    if not os.path.exists(SINK):
        print(f"not ok setup: {SINK} does not exist\n0 passed, 1 failed")
        sys.exit(1)
    with SshHosts(ROLES, unreachable=["gone"], shells={"cache": shutil.which("bash")}) as h:
        HOSTS = h
        test.run(ONLY, Case, "sink-hosts-")


if __name__ == "__main__":
    main()
