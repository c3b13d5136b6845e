#!/usr/bin/env python3
"""Differential tests of `sink export`: the exported script against `sink apply` and
`sink plan`, under dash, `bash --posix` and busybox sh.

Each case is a Sinkfile (with the files it needs) copied into two fresh folders, each
with its own HOME and the same PATH (a folder of stubs for commands that would need root
or the network, then /usr/bin:/bin). `sink apply` runs in one, the exported script in
the other; then the exit status, the step verdicts (`[i/n] NAME` and the line after it),
the summary and every file written (names, contents, modes) must be the same. `--plan`
is compared with `sink plan` the same way (for this machine: sink plans another one
without running anything). The cases: every example, every Sinkfile of
e2e_run.py that stands alone, and generated Sinkfiles (seeded: random mixes of facts,
guards, platform blocks, env, dir, failures and modules). Also: shellcheck on every
exported example, signals, answers, the report records, `sh -s` on standard input.

usage: export_test.py SINK SOURCE_ROOT [NAME-SUBSTRING...]
"""
import ast
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

from harness import Fail, Registry, Result, check, other_processes

SINK, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
ONLY = sys.argv[3:]
HANG = 120
SHELLS = [s for s in (["dash"], ["bash", "--posix"], ["busybox", "sh"]) if shutil.which(s[0])]
STUBS = "sudo apt-get brew colima docker sg systemctl usermod loginctl launchctl defaults killall chsh gh npm node curl".split()
test = Registry()


def run(argv, cwd, env, stdin=subprocess.DEVNULL, timeout=HANG):
    try:
        p = subprocess.run(argv, cwd=cwd, env=env, stdin=stdin, capture_output=True, timeout=timeout,
                           start_new_session=True)
    except subprocess.TimeoutExpired as e:
        raise Fail(f"`{' '.join(argv)}` did not end within {timeout} s; stderr: {e.stderr!r}")
    return Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


class Case:
    """A source folder (the Sinkfile and its files) and, per run, a copy of it."""

    def __init__(self, folder):
        self.dir = folder
        self.src = os.path.join(folder, "src")
        os.mkdir(self.src)
        self.stubs = os.path.join(folder, "stubs")
        os.mkdir(self.stubs)
        for name in STUBS:
            path = os.path.join(self.stubs, name)
            with open(path, "w") as f:
                f.write('#!/bin/sh\nprintf "%s\\n" "$0 $*" >> "$HOME/stub-calls"\n')
            os.chmod(path, 0o755)
        self.runs = 0

    def cleanup(self):
        pass

    def write(self, name, text):
        full = os.path.join(self.src, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)

    def copy_from(self, folder):
        shutil.rmtree(self.src)
        shutil.copytree(folder, self.src, symlinks=True)

    def fresh(self):
        """A copy of the source folder with its own HOME: (folder, env)."""
        self.runs += 1
        top = os.path.join(self.dir, f"run{self.runs}")
        work = os.path.join(top, "work")
        shutil.copytree(self.src, work, symlinks=True)
        home = os.path.join(top, "home")
        os.mkdir(home)
        env = {"PATH": f"{self.stubs}:/usr/bin:/bin", "HOME": home, "NO_COLOR": "1", "LANG": "C.UTF-8",
               "USER": "tester", "SHELL": "/bin/sh", "SINK_DEMO_DIR": os.path.join(home, "demo")}
        return top, work, env

    def export(self, *args, file="Sinkfile"):
        r = run([SINK, "export", *args, "-o", os.path.join(self.dir, "setup.sh"), file], self.src,
                {"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
        return r, os.path.join(self.dir, "setup.sh")


def snapshot(top):
    """Every file and folder under `top` (but stub-calls' order-free lines) with contents and modes."""
    out = {}
    for base, dirs, files in os.walk(top):
        for name in dirs + files:
            full = os.path.join(base, name)
            rel = os.path.relpath(full, top)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(full).replace(top, "TOP"))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", oct(st.st_mode & 0o777))
            else:
                with open(full, "rb") as f:
                    data = f.read().replace(top.encode(), b"TOP")
                if name == "stub-calls":  # facts run in parallel in sink, one after another in the script
                    data = b"".join(sorted(data.splitlines(keepends=True)))
                out[rel] = ("file", oct(st.st_mode & 0o777), data)
    return out


def verdicts(err):
    """The step verdicts and summary of apply's progress output."""
    out, lines = [], err.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\[(\d+)/(\d+)\] (.*)$", line)
        if m:
            nxt = next((l for l in lines[i + 1:] if l.startswith("  ")), "")
            kind = ("ran" if nxt.startswith("  done") else "done" if nxt.startswith("  already done") else
                    "n/a" if nxt.startswith("  not applicable") else "failed" if nxt.startswith("  failed") else
                    "interrupted" if nxt.startswith("  interrupted") else "?")
            out.append(f"{m.group(1)}/{m.group(2)} {m.group(3)}: {kind}")
        elif line.startswith("sink: ") and " ran, " in line:
            out.append(re.sub(r" \([0-9.]+s\)$", "", line))
    return out


def plan_lines(out):
    """The plan's lines; a question's missing answer is named differently (--set for sink,
    SINK_ANSWER_ for the script)."""
    return [re.sub(r": not answered: .*", ": not answered", re.sub(r"/run\d+/", "/runN/", line.rstrip()))
            for line in out.splitlines()]


def differ(what, a, b):
    if a == b:
        return ""
    if isinstance(a, dict):
        keys = sorted(set(a) | set(b))
        diffs = [f"  {k}: sink {a.get(k)!r:.200} / script {b.get(k)!r:.200}" for k in keys if a.get(k) != b.get(k)]
        return f"{what} differ:\n" + "\n".join(diffs[:12])
    return f"{what} differ:\n  sink:   {a!r}\n  script: {b!r}"


def compare_apply(c, sets=(), export_args=(), script_env=None, shells=None, apply_args=(), script_args=()):
    """Applies with sink and with the script under each shell; fails on any difference."""
    r, script = c.export(*export_args)
    check(r.code == 0, "export failed", r)
    top, work, env = c.fresh()
    args = [f"--set={s}" for s in sets]
    want = run([SINK, "apply", *apply_args, *args], work, env)
    want_files = snapshot(top)
    for sh in shells or SHELLS:
        top, work, env = c.fresh()
        env.update(script_env or {})
        for s in sets:
            name, value = s.split("=", 1)
            env["SINK_ANSWER_" + name.upper()] = value
        got = run([*sh, script, *script_args], work, env)
        label = " ".join(sh)
        problems = [p for p in (
            differ(f"{label}: exit status", want.code, got.code),
            differ(f"{label}: verdicts", verdicts(want.err), verdicts(got.err)),
            differ(f"{label}: files", want_files, snapshot(top))) if p]
        if problems:
            raise Fail("\n".join(problems) + f"\n  sink stderr: {want.err[-1200:]}\n  script stderr: {got.err[-1200:]}")
    return want


def compare_plan(c, platform=None, sets=()):
    args = ([f"--platform={platform}"] if platform else []) + [f"--set={s}" for s in sets]
    r, script = c.export(*args)
    check(r.code == 0, "export failed", r)
    top, work, env = c.fresh()
    want = run([SINK, "plan", *args], work, env)
    for sh in SHELLS:
        top, work, env = c.fresh()
        got = run([*sh, script, "--plan"], work, env)
        label = " ".join(sh)
        problems = [p for p in (differ(f"{label}: plan exit status", want.code, got.code),
                                differ(f"{label}: plan", plan_lines(want.out), plan_lines(got.out))) if p]
        if problems:
            raise Fail("\n".join(problems) + f"\n  sink stderr: {want.err[-800:]}\n  script stderr: {got.err[-800:]}")


# ---- the examples -------------------------------------------------------------------

EXAMPLES = sorted(d for d in os.listdir(os.path.join(ROOT, "examples")) if os.path.isdir(os.path.join(ROOT, "examples", d)))

for example in EXAMPLES:
    def make(example):
        @test(f"example {example}: shellcheck -s sh is clean on its script, with and without --platform")
        def _(c):
            c.copy_from(os.path.join(ROOT, "examples", example))
            for args in ([], ["--platform=darwin"], ["--platform=ubuntu"]):
                r, script = c.export(*args)
                check(r.code == 0, "export failed", r)
                sc = run(["shellcheck", "-s", "sh", script], c.dir, dict(os.environ))
                check(sc.code == 0 and not sc.out, f"shellcheck {args}:\n{sc.out[:3000]}", sc)

        @test(f"example {example}: apply and the script agree (stubs for root and network)")
        def _(c):
            c.copy_from(os.path.join(ROOT, "examples", example))
            compare_apply(c)

        # sink plans another platform without running anything here; the script runs where
        # it is applied, so the two are compared for this machine (detected, or named).
        @test(f"example {example}: plan and the script's --plan agree, detected and with --platform of this machine")
        def _(c):
            c.copy_from(os.path.join(ROOT, "examples", example))
            for platform in (None, distro()):
                compare_plan(c, platform)
    make(example)


# ---- the Sinkfiles of e2e_run.py ----------------------------------------------------

def e2e_sinkfiles():
    """Every `c.sinkfile("...")` of e2e_run.py written as a plain string (no formatting)."""
    with open(os.path.join(ROOT, "tests", "e2e_run.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "sinkfile"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                and len(node.args) == 1 and not node.keywords):
            found.append((node.lineno, node.args[0].value.lstrip("\n")))
    return found


@test("e2e_run.py's Sinkfiles: apply and the script agree on each that stands alone")
def _(c):
    compared = 0
    for line, text in e2e_sinkfiles():
        # Steps run in the shell that runs the script, not /bin/sh: BASH_VERSION tells them apart.
        # In a step, $$ is the script's process (a step runs in a subshell of it).
        if "sleep" in text or "{{raw" in text or "BASH_VERSION" in text or "$$" in text:
            continue
        shutil.rmtree(c.src)
        os.mkdir(c.src)
        c.write("Sinkfile", text)
        if c.export()[0].code != 0:
            continue  # needs files or flags the test gives it
        try:
            compare_apply(c)
        except Fail as e:
            raise Fail(f"e2e_run.py line {line}:\n{text}\n{e}")
        compared += 1
    check(compared >= 15, f"only {compared} Sinkfiles of e2e_run.py compared")


# ---- generated Sinkfiles ------------------------------------------------------------

def generate(rng, here):
    """A random Sinkfile (and modules): (files, answers)."""
    files, lines, names = {}, [], {"bool": [], "int": [], "version": [], "string": []}
    def fact(kind):
        name = f"f{len(sum(names.values(), []))}"
        choice = rng.randrange(6)
        if kind == "bool":
            decl = f'fact {name}: bool = sh "{rng.choice(["true", "false", "test -e marker", "exit 3"])}"'
        elif kind == "int":
            decl = f'fact {name}: int = sh "echo {rng.choice(["7", "-3", "007", " 12 ", "x"])}"' + (
                ' default 5' if choice < 3 else "")
        elif kind == "version":
            decl = f'fact {name}: version = sh "echo {rng.choice(["v20.11.1", "1.2", "3", "1.10.0", "none"])}"' + (
                ' default "0.1"' if choice < 3 else "")
        else:
            decl = rng.choice([f'fact {name} = sh "printf \'%s\' \'a b  $(c)\'"', f'fact {name} = env "GEN_VAR"' + (
                ' default "unset"' if choice < 4 else ""), f'fact {name} = "{{{{user}}}}-x"',
                f'fact {name} = sh "exit 4"' + (' default "d"' if choice < 3 else (" required" if choice == 3 else ""))])
        names[kind].append(name)
        lines.append(decl)
        return name
    for kind in ("bool", "int", "version", "string", "bool", "string"):
        fact(kind)
    lines.append('ask who "Who?" default "nobody"')
    lines.append('ask color "Color?" choices "red", "blue"')
    names["string"].append("who")
    answers = {"color": rng.choice(["red", "blue"])}
    if rng.random() < 0.5:
        files["mod.sink"] = ('fact mod_fact = sh "echo from-mod"\nhelper modhelp \'\'\'\n  printf "mod:%s\\n" "$1" >> mod.log\n\'\'\'\n'
                             'step "module step" {\n  run "modhelp {{mod_fact}}"\n}\n')
        lines.insert(0, 'use "./mod.sink"')
    if rng.random() < 0.5:
        lines.append(f'env GEN_TOP = "top-{{{{{rng.choice(names["string"])}}}}}"')

    def cond():
        kind = rng.choice(["bool", "int", "version", "string", "and", "not"])
        if kind == "bool":
            return rng.choice(names["bool"])
        if kind == "int":
            return f'{rng.choice(names["int"])} {rng.choice(["<", ">=", "==", "!="])} {rng.randrange(-5, 15)}'
        if kind == "version":
            return f'{rng.choice(names["version"])} {rng.choice(["<", ">=", "==", ">"])} "{rng.choice(["1.9", "2", "20.11"])}"'
        if kind == "string":
            return f'{rng.choice(names["string"])} {rng.choice(["==", "!="])} "nobody"'
        if kind == "and":
            return f"({cond()}) {rng.choice(['and', 'or'])} {cond()}"
        return f"not ({cond()})"

    def step(i, indent=""):
        body = [f'{indent}step "step {i}" {{']
        r = rng.random()
        if r < 0.25:
            body.append(f"{indent}  when {cond()}")
        elif r < 0.4:
            body.append(f"{indent}  skip if {cond()}")
        elif r < 0.55:
            body.append(f'{indent}  skip if sh "test -e marker"')
        if rng.random() < 0.3:
            body.append(f'{indent}  env GEN_STEP = "{{{{{rng.choice(names["string"] + names["int"])}}}}}"')
        if rng.random() < 0.25:
            body.append(f'{indent}  dir "sub"')
        value = rng.choice(sum(names.values(), []))
        action = rng.random()
        if action < 0.08:
            body.append(f'{indent}  run "echo failing {i} && exit 3"')
            body.append(f'{indent}  error "step {i} failed with {{{{{value}}}}}"')
        elif action < 0.2:
            body.append(f'{indent}  run "touch marker"')
        elif action < 0.3:
            body.append(f'{indent}  run "mkdir -p sub"')
        else:
            body.append(f'{indent}  run """\n{indent}    printf \'%s %s %s\\n\' {i} {{{{{value}}}}} "${{GEN_TOP-}}${{GEN_STEP-}}" >> out.txt\n{indent}  """')
        body.append(f"{indent}}}")
        return body

    for i in range(rng.randrange(3, 9)):
        if rng.random() < 0.25:
            platform = rng.choice(["linux", "darwin", here, "debian, ubuntu", "freebsd"])
            lines.append(f"platform {platform} {{")
            if rng.random() < 0.4:
                lines.append(f'  env GEN_TOP = "in-block"')
            lines.extend(step(i, "  "))
            lines.append("}")
        else:
            lines.extend(step(i))
    used = "\n".join(lines)
    # Facts nothing uses are warnings, not errors: fine.
    files["Sinkfile"] = used + "\n"
    return files, answers


def distro():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("ID="):
                    return line[3:].strip().strip('"')
    except OSError:
        pass
    return "linux"


SEEDS = int(os.environ.get("SINK_EXPORT_SEEDS", "40"))


@test(f"generated Sinkfiles ({SEEDS} seeds): apply and the script agree; plan and --plan agree")
def _(c):
    here = distro()
    compared = 0
    for seed in range(SEEDS):
        rng = random.Random(seed)
        files, answers = generate(rng, here)
        shutil.rmtree(c.src)
        os.mkdir(c.src)
        for name, text in files.items():
            c.write(name, text)
        r, _ = c.export()
        if r.code != 0:
            raise Fail(f"seed {seed}: export failed:\n{files['Sinkfile']}\n{r.err}")
        sets = [f"{k}={v}" for k, v in answers.items()]
        env = {"GEN_VAR": "from env"} if seed % 2 else {}
        try:
            compare_apply(c, sets=sets, script_env=env) if not env else None
            compare_plan(c, sets=sets)
        except Fail as e:
            raise Fail(f"seed {seed}:\n{files['Sinkfile']}\n{files.get('mod.sink', '')}\n{e}")
        compared += 1
    check(compared == SEEDS, "not every seed ran")


# ---- answers, report, stdin, signals -----------------------------------------------

@test("answers: SINK_ANSWER_ from the environment or from lines before the script on `sh -s`; export-time answers; none stops before any step")
def _(c):
    c.write("Sinkfile", 'ask git_name "Name?"\nask token "Token?" secret\nstep "write" {\n  run "printf \'%s|%s\' {{git_name}} {{token}} > answer"\n}\n')
    r, script = c.export()
    check(r.code == 0, "export failed", r)
    top, work, env = c.fresh()
    got = run(["dash", script], work, env)
    check(got.code == 1 and "SINK_ANSWER_GIT_NAME" in got.err and not os.path.exists(os.path.join(work, "answer")),
          "no answer: stops before any step naming the variable", got)
    env.update(SINK_ANSWER_GIT_NAME="Ada $(touch pwned)", SINK_ANSWER_TOKEN="s3cr3t")
    got = run(["dash", script], work, env)
    with open(os.path.join(work, "answer")) as f:
        check(f.read() == "Ada $(touch pwned)|s3cr3t", "answers arrive byte for byte", got)
    check(not os.path.exists(os.path.join(work, "pwned")), "an answer is never run", got)
    top, work, env = c.fresh()
    with open(script, "rb") as f:
        body = f.read()
    feed = b"SINK_ANSWER_GIT_NAME='Grace'\nSINK_ANSWER_TOKEN='t0k3n'\n" + body
    for sh in SHELLS:
        p = subprocess.run([*sh, "-s", "--", "--report"], input=feed, cwd=work, env=env, capture_output=True, timeout=HANG)
        with open(os.path.join(work, "answer")) as f:
            check(p.returncode == 0 and f.read() == "Grace|t0k3n",
                  f"{sh}: sh -s with answers as plain variables", Result(p.returncode, p.stdout.decode(), p.stderr.decode()))
        check(p.stdout.decode().splitlines()[-1] == "sink:end\t0", f"{sh}: report ends with sink:end", Result(0, p.stdout.decode(), ""))
    r, script = c.export("--set", "token=x")
    check(r.code == 2 and "secret" in r.err and not os.path.exists(script) or r.code == 2, "a secret answer is refused at export", r)
    r, script = c.export("--set", "git_name=Baked")
    top, work, env = c.fresh()
    env["SINK_ANSWER_TOKEN"] = "Zq9secret"
    got = run(["dash", script], work, env)
    with open(os.path.join(work, "answer")) as f:
        check(got.code == 0 and f.read() == "Baked|Zq9secret", "an answer given at export is in the script", got)
    check("Zq9secret" not in got.out + got.err, "the secret is never printed", got)


@test("--only and --skip, given to sink export or to the script: the steps chosen run as under sink apply")
def _(c):
    c.write("Sinkfile", 'fact n: int = sh "echo 3"\nstep "one" {\n  when n > 2\n  run "touch one"\n}\n'
            'step "two" {\n  run "printf \'[%s]\' \\"$IFS\\" > two"\n}\nstep "three" {\n  run "touch three"\n}\n')
    choice = ["--only", "t*", "--skip", "three"]
    want = compare_apply(c, apply_args=choice, script_args=choice)
    check(verdicts(want.err)[:1] == ["1/1 two: ran"], "sink runs two alone", want)
    want = compare_apply(c, apply_args=["--only", "o*"], export_args=["--only", "o*"])
    check(verdicts(want.err)[:1] == ["1/1 one: ran"], "sink runs one alone", want)


@test("an int compared with a text that is no number: the step's plan line gives no reason, as sink's")
def _(c):
    c.write("Sinkfile", 'fact n: int = sh "echo 3"\nfact s = sh "echo abc"\n'
            'step "one" {\n  when n != "{{s}}"\n  run "touch one"\n}\n')
    compare_plan(c)
    compare_apply(c)


@test("env.NAME in a `when` that is false: the reason shows its value, as sink's")
def _(c):
    c.write("Sinkfile", 'step "one" {\n  when env.HOME == "/nowhere"\n  run "touch one"\n}\n'
            'step "two" {\n  skip if env.HOME != "/nowhere" and true\n  run "touch two"\n}\n')
    compare_plan(c)
    want = compare_apply(c)
    check(verdicts(want.err)[:2] == ["1/2 one: n/a", "2/2 two: done"], "sink's verdicts", want)


@test("a fact that needs one declared after it: the later fact is resolved first, each keeps its own type and command")
def _(c):
    c.write("Sinkfile", 'fact a = "A-{{b}}"\nfact b: int = sh "echo 5"\nfact c: int = sh "echo {{d}}x; exit 3"\n'
            'fact d = sh "echo D"\nstep "show" {\n  run "echo {{a}} {{b}} > got"\n}\nstep "c" {\n  run "echo {{c}}"\n}\n')
    want = compare_apply(c)
    check("`echo Dx; exit 3` exited with status 3" in want.err, "sink names c's command", want)
    top, work, env = c.fresh()
    got = run(["dash", c.export()[1]], work, env)
    with open(os.path.join(work, "got")) as f:
        check(f.read() == "A-5 5\n", "a and b", got)
    check("`echo Dx; exit 3` exited with status 3" in got.err, "the script names c's command with d's value", got)


@test("a comparison of two conditions: each side keeps its own value")
def _(c):
    c.write("Sinkfile", 'fact a = "x"\nfact b = "z"\nstep "same" {\n  when (a == "x") == (b == "y")\n  run "touch same"\n}\n'
            'step "differ" {\n  when (a == "x") != (not (b == "y"))\n  run "touch differ"\n}\n'
            'step "both" {\n  when (a == "x") == (b != "y")\n  run "touch both"\n}\n')
    want = compare_apply(c)
    check(verdicts(want.err)[:3] == ["1/3 same: n/a", "2/3 differ: n/a", "3/3 both: ran"], "sink's verdicts", want)


@test("{{raw x}}: exported only with an answer given now; else the first one in the script is named")
def _(c):
    c.write("Sinkfile", 'ask x "X?"\nask y "Y?"\nstep "one" {\n  run "echo {{y}} {{raw x}}"\n}\n'
            'step "two" {\n  run "echo {{raw y}}"\n}\n')
    r, _ = c.export()
    check(r.code == 2 and "`{{raw x}}` at Sinkfile:4 inserts a value known only when the script runs; answer `x` "
          "with --set to export it" in r.err, "the first {{raw}} without an answer", r)
    r, _ = c.export("--set=x=1")
    check(r.code == 2 and "`{{raw y}}` at Sinkfile:7" in r.err, "then the next", r)
    r, script = c.export("--set=x=1", "--set=y=2")
    top, work, env = c.fresh()
    got = run(["dash", script], work, env)
    check(r.code == 0 and got.code == 0 and "2 1" in got.err + got.out, "both answered: exported", got)


@test("an int fact in arithmetic and in a test: the script computes with its value, as sink does")
def _(c):
    c.write("Sinkfile", 'fact n: int = sh "echo 3"\nstep "sum" {\n  run "echo $(( {{n}} + 1 )) > got; [ {{n}} -gt 2 ]"\n}\n')
    want = compare_apply(c)
    check(verdicts(want.err)[0] == "1/1 sum: ran", "sink runs it", want)
    top, work, env = c.fresh()
    got = run(["dash", c.export()[1]], work, env)
    with open(os.path.join(work, "got")) as f:
        check(got.code == 0 and f.read() == "4\n", "the script's sum", got)


@test("$SINK_name in a script: a fact without a value stops the step, as {{name}} does; an undeclared one is the shell's")
def _(c):
    fact = 'fact foo = sh "exit 1"\n'
    c.write("Sinkfile", fact + 'step "plain" {\n  run "echo [$SINK_nope] > got"\n}\nstep "ref" {\n  run "echo [$SINK_foo]"\n}\n')
    want = compare_apply(c)
    check(verdicts(want.err)[:2] == ["1/2 plain: ran", "2/2 ref: failed"] and "needs `foo`" in want.err,
          "sink runs the step that names no value, and stops at the one that needs foo", want)
    c.write("Sinkfile", fact + 'step "guarded" {\n  skip if sh "test -n \\"$SINK_foo\\""\n  run "true"\n}\n')
    want = compare_apply(c)
    check(verdicts(want.err)[:1] == ["1/1 guarded: failed"] and "needs `foo`" in want.err,
          "a skip if sh check that needs foo stops the step", want)


@test("sh -s: a step that reads standard input reads /dev/null, never the rest of the script")
def _(c):
    c.write("Sinkfile", 'step "read" {\n  run "cat > got"\n}\nstep "after" {\n  run "touch after"\n}\n')
    r, script = c.export()
    with open(script, "rb") as f:
        body = f.read()
    for sh in SHELLS:
        top, work, env = c.fresh()
        p = subprocess.run([*sh, "-s"], input=body, cwd=work, env=env, capture_output=True, timeout=HANG)
        check(p.returncode == 0 and os.path.getsize(os.path.join(work, "got")) == 0 and os.path.exists(os.path.join(work, "after")),
              f"{sh}: stdin of a step", Result(p.returncode, p.stdout.decode(), p.stderr.decode()))


@test("report: records with escaped fields, verdicts for apply, --plan and --facts (secrets masked)")
def _(c):
    c.write("Sinkfile", 'fact tricky = sh "printf \'a\\\\tb\\\\\\\\c\'"\nfact key = env "KEY" secret\n'
            'step "uses\\ttab" {\n  env K = "{{key}}"\n  run "printf \'%s\' {{tricky}} > t"\n}\n'
            'step "fails" {\n  run "exit 3"\n}\nstep "never" {\n  run "true"\n}\nplatform darwin {\n  step "mac" {\n    run "true"\n  }\n}\n')
    r, script = c.export()
    check(r.code == 0, "export", r)
    top, work, env = c.fresh()
    env["KEY"] = "hunter22"
    got = run(["dash", script, "--report"], work, env)
    check(got.out.splitlines() == ["sink:step\t1\tran\tuses\\ttab\t", "sink:step\t2\tfailed\tfails\texit status 3",
                                   "sink:step\t3\tnot-run\tnever\t", "sink:step\t4\tother-platform\tmac\t`platform darwin` (line 13)",
                                   "sink:end\t1"], "apply records", got)
    got = run(["dash", script, "--report", "--plan"], work, env)
    check([l.split("\t")[2] for l in got.out.splitlines()[:4]] == ["run", "run", "run", "other-platform"], "plan records", got)
    got = run(["dash", script, "--report", "--facts"], work, env)
    check("sink:fact\ttricky\ta\\tb\\\\c" in got.out.splitlines() and "sink:fact\tkey\t••••••" in got.out.splitlines()
          and "hunter22" not in got.out + got.err, "fact records", got)


def live_marker(marker):
    return [pid for pid, cmd in other_processes() if marker.encode() in cmd]


for signame, signum, status in (("SIGTERM", signal.SIGTERM, 143), ("SIGINT", signal.SIGINT, 130)):
    def make(signame, signum, status):
        @test(f"signals: {signame} stops the running step and all it started, runs no later step, exits {status}")
        def _(c):
            for sh in SHELLS:
                marker = f"sinkexp{os.getpid()}{signum}{sh[0]}"
                c.write("Sinkfile", f'step "long" {{\n  run """\n    sh -c \'trap "" TERM; sleep 300; :\' {marker} &\n'
                        f'    sh -c \'sleep 301; :\' {marker}\n    wait\n  """\n}}\nstep "later" {{\n  run "touch later"\n}}\n')
                r, script = c.export()
                top, work, env = c.fresh()
                p = subprocess.Popen([*sh, script], cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
                deadline = time.time() + 20
                while time.time() < deadline and len(live_marker(marker)) < 2:
                    time.sleep(0.1)
                check(len(live_marker(marker)) >= 2, f"{sh}: the step's processes started")
                if signum == signal.SIGINT:
                    os.killpg(p.pid, signum)  # as a terminal's Ctrl-C: the whole foreground group
                else:
                    p.send_signal(signum)  # to the script alone
                try:
                    out, err = p.communicate(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    raise Fail(f"{sh}: the script did not end after {signame}")
                time.sleep(0.2)
                left = live_marker(marker)
                for pid in left:
                    os.kill(pid, signal.SIGKILL)
                check(p.returncode == status and not left and not os.path.exists(os.path.join(work, "later")),
                      f"{sh}: exit {p.returncode}, left {left}", Result(p.returncode, out.decode(), err.decode()))
    make(signame, signum, status)


@test("export: a check error writes nothing (exit 1); -o is mode 0755; an unknown platform is a usage error")
def _(c):
    c.write("Sinkfile", 'step "x" {\n  run "echo {{nope}}"\n}\n')
    r, script = c.export()
    check(r.code == 1 and not os.path.exists(script) and "nope" in r.err, "check error", r)
    c.write("Sinkfile", 'step "x" {\n  run "true"\n}\n')
    r, script = c.export()
    check(r.code == 0 and stat.S_IMODE(os.stat(script).st_mode) == 0o755, "mode 0755", r)
    r, _ = c.export("--platform", "windoze")
    check(r.code == 2 and "windoze" in r.err, "unknown platform", r)


test.run(ONLY, Case, "sink-export-")
