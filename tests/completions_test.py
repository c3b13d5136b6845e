#!/usr/bin/env python3
"""The shell completions of completions/ in the real shells.

- bash: `complete -p sink` names _sink; _sink, driven through COMP_WORDS and COMP_CWORD
  (split the way bash splits them: `--format=j` is `--format`, `=`, `j`), offers exactly
  the expected words; and bash's own readline, in a pseudo-terminal, completes typed
  lines (TAB) to the expected line.
- fish: `complete -C LINE` lists exactly the expected candidates.
- zsh: _sink is found through $fpath by compinit, and zsh's line editor, in a
  pseudo-terminal, completes typed lines to the expected line.

Everything runs in examples/dotfiles, whose Sinkfile asks git_name, git_email and shell
and whose folder holds facts-darwin.toml and facts-ubuntu.toml.
usage: completions_test.py SOURCE_ROOT
"""
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time

from harness import Tally

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
COMPLETIONS = os.path.join(ROOT, "completions")
CWD = os.path.join(ROOT, "examples", "dotfiles")
COMMANDS = ["apply", "check", "export", "facts", "fmt", "grammar", "help", "plan"]
PLATFORMS = sorted("linux darwin freebsd openbsd netbsd debian ubuntu fedora arch alpine centos rhel rocky almalinux "
                   "amzn opensuse linuxmint pop manjaro nixos raspbian gentoo void kali".split())
GLOBAL = ["--color", "--help", "--version"]
HOSTS = ["--host", "--hosts", "--jobs"]

TALLY = Tally()
report = TALLY.report


def platform_names():
    """The platform names of src/syntax/lexicon.hpp, so that the lists here follow it."""
    import re
    text = open(os.path.join(ROOT, "src", "syntax", "lexicon.hpp"), encoding="utf-8").read()
    return sorted(re.findall(r'Platform\{"([a-z]+)"', text))


HOME = tempfile.TemporaryDirectory(prefix="sink-completions-home-")  # no rc file of the user's
os.mkdir(os.path.join(HOME.name, ".ssh"))
with open(os.path.join(HOME.name, ".ssh", "config"), "w") as f:  # the Host names that --host offers
    f.write("Host web db.example.com\n  User deploy\nhost bastion *.internal !nope\n  Port 2222\nHost *\n  ForwardAgent no\n")


def env():
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": HOME.name, "TERM": "dumb", "LANG": "C.UTF-8"}


# ---- bash, through COMP_WORDS ----

BASH_CASES = [
    # (words, expected COMPREPLY, as a set)
    (["sink", ""], COMMANDS),
    (["sink", "pl"], ["plan"]),
    (["sink", "-"], GLOBAL),
    (["sink", "--color", ""], ["auto", "always", "never"]),
    (["sink", "--color", "=", "n"], ["never"]),
    (["sink", "--color", "never", "ch"], ["check"]),
    (["sink", "check", "--"], ["--format", "--ci", "--set", "--vars"] + GLOBAL),
    (["sink", "plan", "--"], ["--platform", "--facts", "--set", "--vars", "--only", "--skip", "--from", "--format",
                              "--detailed-exitcode"] + HOSTS + GLOBAL),
    (["sink", "apply", "--"], ["--set", "--vars", "--only", "--skip", "--from"] + HOSTS + GLOBAL),
    (["sink", "apply", "--host", ""], ["web", "db.example.com", "bastion"]),
    (["sink", "plan", "--host", "=", "b"], ["bastion"]),
    (["sink", "facts", "--hosts", "facts-d"], ["facts-darwin.toml"]),
    (["sink", "export", "--"], ["--from", "--only", "--output", "--platform", "--set", "--skip", "--vars"] + GLOBAL),
    (["sink", "facts", "--"], ["--platform", "--facts", "--set", "--vars", "--format"] + HOSTS + GLOBAL),
    (["sink", "fmt", "--"], ["--check"] + GLOBAL),
    (["sink", "grammar", "--"], ["--format"] + GLOBAL),
    (["sink", "check", "--format", ""], ["text", "json"]),
    (["sink", "check", "--format", "=", ""], ["text", "json"]),
    (["sink", "check", "--format", "="], ["text", "json"]),
    (["sink", "grammar", "--format", ""], ["textmate", "vim"]),
    (["sink", "grammar", "--format", "=", "v"], ["vim"]),
    (["sink", "--format", "json", "check", "--c"], ["--ci", "--color"]),
    (["sink", "plan", "--platform", ""], PLATFORMS),
    (["sink", "plan", "--platform", "ub"], ["ubuntu"]),
    (["sink", "plan", "--platform", "=", "d"], ["darwin", "debian"]),
    (["sink", "plan", "--platform", "ubuntu/"], ["ubuntu/x86_64", "ubuntu/arm64"]),
    (["sink", "facts", "--platform", "darwin/a"], ["darwin/arm64"]),
    (["sink", "plan", "--facts", "facts-"], ["facts-darwin.toml", "facts-ubuntu.toml"]),
    (["sink", "apply", "--vars", "facts-d"], ["facts-darwin.toml"]),
    (["sink", "plan", "--facts", "Sink"], []),  # not a TOML file
    (["sink", "apply", "--set", ""], ["git_name=", "git_email=", "shell="]),
    (["sink", "apply", "--set", "git_"], ["git_name=", "git_email="]),
    (["sink", "apply", "--only", "Install"], ["Install\\ the\\ command\\ line\\ tools"]),
    (["sink", "plan", "--skip", "L"], ["Link\\ the\\ vim\\ config", "Load\\ shellrc\\ from\\ your\\ shell"]),
    (["sink", "plan", "--from", "Set\\ your"], ["Set\\ your\\ git\\ name\\ and\\ email"]),
    (["sink", "apply", "--from", '"Make'], ["Make\\ it\\ your\\ login\\ shell"]),
    (["sink", "apply", "--only", "=", "Sh"], ["Show\\ hidden\\ files\\ in\\ Finder"]),
    (["sink", "check", "Sink"], ["Sinkfile"]),
    (["sink", "check", "--format", "json", "Sink"], ["Sinkfile"]),
    (["sink", "plan", "--platform", "darwin", "--facts", "facts-darwin.toml", "vi"], ["vimrc"]),
    (["sink", "fmt", "Sink"], ["Sinkfile"]),
    (["sink", "fmt", ""], sorted(os.listdir(CWD)) + ["-"]),
    (["sink", "help", ""], COMMANDS),
    (["sink", "help", "f"], ["facts", "fmt"]),
    (["sink", "grammar", ""], []),
]


def bash_words(words):
    return "(" + " ".join("'" + w.replace("'", "'\\''") + "'" for w in words) + ")"


def test_bash():
    script = f"source {COMPLETIONS}/sink.bash\n"
    script += "complete -p sink\n"
    for words, _ in BASH_CASES:
        script += f"COMP_WORDS={bash_words(words)}; COMP_CWORD={len(words) - 1}; COMP_LINE=\"${{COMP_WORDS[*]}}\"; "
        script += "COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _sink; printf '%s\\n' \"${#COMPREPLY[@]}\" \"${COMPREPLY[@]}\"\n"
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=CWD, env=env(), capture_output=True, text=True)
    lines = proc.stdout.splitlines()
    report(proc.returncode == 0 and lines and lines[0] == "complete -F _sink sink", "bash: complete -p sink is `complete -F _sink sink`",
           proc.stdout[:300] + proc.stderr)
    i = 1
    for words, expected in BASH_CASES:
        name = "bash: " + " ".join(w if w else "''" for w in words) + " ->"
        if i >= len(lines):
            report(False, name, "no output")
            continue
        n = int(lines[i])
        got = lines[i + 1:i + 1 + n]
        i += 1 + n
        report(sorted(got) == sorted(expected), name, f"expected {sorted(expected)}\n     got {sorted(got)}")
    if proc.stderr:
        report(False, "bash: no errors", proc.stderr)


# ---- the real line editors, in a pseudo-terminal ----

class Terminal:
    """A shell in a pseudo-terminal. `complete(text)` types TEXT, TAB, then a key bound to
    a function that appends the line being edited to a file and clears it, and returns
    that line."""

    def __init__(self, argv, setup, out):
        self.out = out
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=CWD, env=env(),
                                     start_new_session=True)
        os.close(slave)
        self.transcript = b""
        self.lines = 0
        os.write(self.master, setup.encode() + b"\n")
        self.wait_for(lambda: os.path.exists(self.out), "the shell to start")

    def drain(self):
        while True:
            r, _, _ = select.select([self.master], [], [], 0)
            if not r:
                return
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.transcript += data

    def wait_for(self, ready, what, timeout=20):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.drain()
            if ready():
                return True
            time.sleep(0.02)
        raise TimeoutError(f"timed out waiting for {what}; terminal said:\n" + self.transcript[-2000:].decode(errors="replace"))

    def read_lines(self):
        with open(self.out, encoding="utf-8") as f:
            return f.read().splitlines()

    def complete(self, text, tabs=1):
        os.write(self.master, text.encode() + b"\t" * tabs)
        time.sleep(0.05)
        os.write(self.master, b"\x14")  # Ctrl-T
        index = self.lines
        self.lines += 1
        self.wait_for(lambda: len(self.read_lines()) > index, f"the line after `{text}`")
        return self.read_lines()[index]

    def close(self):
        try:
            os.killpg(self.proc.pid, 9)
        except ProcessLookupError:
            pass
        self.proc.wait()
        os.close(self.master)


LINE_CASES = [
    # (typed, expected line after TAB)
    ("sink pl", "sink plan "),
    ("sink --color al", "sink --color always "),
    ("sink check --format=j", "sink check --format=json "),
    ("sink grammar --format t", "sink grammar --format textmate "),
    ("sink plan --platform ub", None),  # zsh leaves the `/` open; checked per shell below
    ("sink plan --platform ubuntu/ar", "sink plan --platform ubuntu/arm64 "),
    ("sink plan --set git_n", "sink plan --set git_name="),
    ("sink apply --only Link", "sink apply --only Link\\ the\\ vim\\ config "),
    ("sink plan --from Make", "sink plan --from Make\\ it\\ your\\ login\\ shell "),
    ("sink plan --facts facts-u", "sink plan --facts facts-ubuntu.toml "),
    ("sink help gr", "sink help grammar "),
    ("sink fmt --ch", "sink fmt --check "),
    ("sink plan --detailed", "sink plan --detailed-exitcode "),
    ("sink check Sinkf", "sink check Sinkfile "),
    ("sink apply --pl", "sink apply --pl"),  # apply has no --platform
]


def run_terminal(shell, argv, setup_for):
    with tempfile.TemporaryDirectory(prefix=f"sink-completions-{shell}-") as tmp:
        out = os.path.join(tmp, "lines")
        try:
            term = Terminal(argv, setup_for(out), out)
        except TimeoutError as e:
            report(False, f"{shell}: the shell starts with the completion loaded", str(e))
            return
        try:
            for typed, expected in LINE_CASES:
                if expected is None:
                    expected = "sink plan --platform ubuntu" if shell == "zsh" else "sink plan --platform ubuntu "
                try:
                    got = term.complete(typed)
                except TimeoutError as e:
                    report(False, f"{shell}: `{typed}` TAB", str(e))
                    break
                report(got == expected, f"{shell}: `{typed}` TAB -> `{expected}`", f"got `{got}`")
        finally:
            term.close()


def bash_setup(out):
    # The key appends the line and clears it; the file exists once the setup has run.
    return (f"PS1='> '; source {COMPLETIONS}/sink.bash; "
            f"bind -x '\"\\C-t\": printf \"%s\\n\" \"$READLINE_LINE\" >> {out}; READLINE_LINE=; READLINE_POINT=0'; "
            f"bind 'set bell-style none'; : > {out}")


def zsh_setup(out):
    return (f"PS1='> '; fpath=({COMPLETIONS} $fpath); autoload -U compinit; compinit -u -D; "
            f"sink-dump() {{ print -r -- \"$BUFFER\" >> {out}; BUFFER=''; }}; zle -N sink-dump; bindkey '^T' sink-dump; "
            f": > {out}")


# ---- fish ----

FISH_CASES = [
    ("sink pl", ["plan"]),
    ("sink ", COMMANDS),
    ("sink plan --", ["--color", "--detailed-exitcode", "--facts", "--format", "--from", "--help", "--only", "--platform",
                      "--set", "--skip", "--vars", "--version"] + HOSTS),
    ("sink check --", ["--ci", "--color", "--format", "--help", "--set", "--vars", "--version"]),
    ("sink apply --", ["--color", "--from", "--help", "--only", "--set", "--skip", "--vars", "--version"] + HOSTS),
    ("sink apply --host ", ["bastion", "db.example.com", "web"]),
    ("sink apply --only L", ["Link the vim config", "Load shellrc from your shell"]),
    ("sink plan --skip Install", ["Install the command line tools"]),
    ("sink fmt --", ["--check", "--color", "--help", "--version"]),
    ("sink grammar --format ", ["textmate", "vim"]),
    ("sink check --format ", ["json", "text"]),
    ("sink check --format=", ["--format=json", "--format=text"]),
    ("sink --color ", ["always", "auto", "never"]),
    ("sink plan --platform ", PLATFORMS),
    ("sink plan --platform ubuntu/", ["ubuntu/arm64", "ubuntu/x86_64"]),
    ("sink plan --set ", ["git_email=", "git_name=", "shell="]),
    ("sink plan --facts facts-", ["facts-darwin.toml", "facts-ubuntu.toml"]),
    ("sink help ", COMMANDS),
    ("sink check Sink", ["Sinkfile"]),
]


def test_fish():
    for line, expected in FISH_CASES:
        proc = subprocess.run(["fish", "--no-config", "-c", f"source {COMPLETIONS}/sink.fish; complete -C {quote_fish(line)}"],
                              cwd=CWD, env=env(), capture_output=True, text=True)
        got = sorted(l.split("\t")[0] for l in proc.stdout.splitlines())
        report(proc.returncode == 0 and got == sorted(expected) and not proc.stderr, f"fish: `{line}` ->",
               f"expected {sorted(expected)}\n     got {got}\n{proc.stderr}")


def quote_fish(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def test_zsh_loads():
    proc = subprocess.run(["zsh", "-fc", f"fpath=({COMPLETIONS} $fpath); autoload -U compinit; compinit -u -D; "
                           "print -r -- $_comps[sink]"], cwd=CWD, env=env(), capture_output=True, text=True)
    report(proc.returncode == 0 and proc.stdout.strip() == "_sink" and not proc.stderr,
           "zsh: compinit finds _sink for sink", proc.stdout + proc.stderr)


def main():
    report(PLATFORMS == platform_names(), "the platform names are those of src/syntax/lexicon.hpp",
           f"{PLATFORMS}\n{platform_names()}")
    test_bash()
    run_terminal("bash", ["bash", "--norc", "--noprofile", "-i"], bash_setup)
    for shell, test in (("fish", test_fish), ("zsh", test_zsh_loads)):
        if shutil.which(shell):
            test()
        else:
            report(False, f"{shell}: installed", f"{shell} is not installed; tools/install-deps installs it")
    if shutil.which("zsh"):
        run_terminal("zsh", ["zsh", "-f", "-i"], zsh_setup)
    HOME.cleanup()
    sys.exit(TALLY.finish())


if __name__ == "__main__":
    main()
