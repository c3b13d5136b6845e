#!/usr/bin/env python3
"""`meson install` into a temporary folder, and what it installed.

Runs `meson install -C BUILD --no-rebuild --destdir TMP`, so nothing outside TMP is
written and no root is needed, then checks:

- every file is there, with the content of its source: the binary, the manual page, the
  bash, zsh and fish completions, the documentation (README.md, every docs/*.md, the
  grammar, every file of examples/) and the editor packages (every file of editors/);
  and meson's install log names no file outside TMP;
- the installed binary runs: `--version` prints the project's version, and `check`
  passes on every installed example Sinkfile; where libstdc++ is linked in, it loads no
  shared library but libc;
- the manual page renders without warnings, `man -M` finds it, and its version is the
  project's;
- each shell finds its completion where it was installed: bash-completion's loader (with
  XDG_DATA_DIRS), zsh's compinit (with $fpath), fish (with XDG_DATA_DIRS), and each one
  completes `sink pl` to `plan`;
- Vim, with the installed plugin on its runtimepath, gives an installed Sinkfile the
  filetype and syntax `sink`; the VS Code package names a grammar file that is there.

usage: install_test.py BUILD_DIR SOURCE_ROOT
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

from harness import Tally

BUILD = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])

TALLY = Tally()
report = TALLY.report


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def meson_options():
    out = run(["meson", "introspect", "--buildoptions", BUILD]).stdout
    return {o["name"]: o["value"] for o in json.loads(out)}


def project_version():
    return json.loads(run(["meson", "introspect", "--projectinfo", BUILD]).stdout)["version"]


def files_under(folder):
    """The files under ROOT/folder, relative to ROOT."""
    out = []
    for dirpath, _, names in os.walk(os.path.join(ROOT, folder)):
        for n in names:
            out.append(os.path.relpath(os.path.join(dirpath, n), ROOT))
    return sorted(out)


def main():
    opts = meson_options()
    version = project_version()
    tmp = tempfile.mkdtemp(prefix="sink-install-")
    try:
        check_install(tmp, opts, version)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(TALLY.finish())


def check_install(tmp, opts, version):
    destdir = os.path.join(tmp, "dest")
    proc = run(["meson", "install", "-C", BUILD, "--no-rebuild", "--destdir", destdir])
    report(proc.returncode == 0, "meson install --destdir succeeds", proc.stdout + proc.stderr)
    if proc.returncode != 0:
        return
    prefix = opts["prefix"]
    root = destdir + prefix  # prefix is absolute

    def inst(*parts):
        return os.path.join(root, *parts)

    # Meson's log of this install names only files inside the temporary folder.
    log = os.path.join(BUILD, "meson-logs", "install-log.txt")
    logged = [l.strip() for l in open(log, encoding="utf-8") if l.strip() and not l.startswith("#")]
    outside = [l for l in logged if l != destdir and not l.startswith(destdir + "/")]
    report(logged and not outside, f"the install log names {len(logged)} paths, all inside the temporary folder",
           "\n".join(outside[:10]))

    datadir, bindir, mandir = opts["datadir"], opts["bindir"], opts["mandir"]
    docdir = os.path.join(datadir, "doc", "sink")
    expected = {  # installed path (relative to the prefix) -> source path (relative to ROOT)
        os.path.join(mandir, "man1", "sink.1"): "docs/sink.1",
        os.path.join(datadir, "bash-completion", "completions", "sink"): "completions/sink.bash",
        os.path.join(datadir, "zsh", "site-functions", "_sink"): "completions/_sink",
        os.path.join(datadir, "fish", "vendor_completions.d", "sink.fish"): "completions/sink.fish",
        os.path.join(docdir, "README.md"): "README.md",
        os.path.join(docdir, "grammar", "sinkfile.peg"): "grammar/sinkfile.peg",
    }
    for md in sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))):
        rel = os.path.relpath(md, ROOT)
        expected[os.path.join(docdir, rel)] = rel
    for rel in files_under("examples"):
        expected[os.path.join(docdir, rel)] = rel
    for rel in files_under("editors"):
        expected[os.path.join(datadir, "sink", rel)] = rel

    missing, different = [], []
    for installed, source in sorted(expected.items()):
        path = inst(installed)
        if not os.path.isfile(path):
            missing.append(installed)
        elif open(path, "rb").read() != open(os.path.join(ROOT, source), "rb").read():
            different.append(f"{installed} differs from {source}")
    report(not missing, f"all {len(expected)} files are installed", "missing:\n" + "\n".join(missing))
    report(not different, "each installed file is its source", "\n".join(different))

    # The binary.
    sink = inst(bindir, "sink")
    report(os.path.isfile(sink) and os.access(sink, os.X_OK), f"{bindir}/sink is installed and executable")
    proc = run([sink, "--version"])
    report(proc.returncode == 0 and proc.stdout == f"sink {version}\n",
           f"the installed sink --version prints `sink {version}`", proc.stdout + proc.stderr)
    # Where libstdc++ is linked in (gcc without sanitizers), only libc and the loader are
    # loaded at start: a shared library among the dependencies (libfmt.so did) would load
    # libstdc++.so again and cost a third of a small check's time.
    if "-static-libstdc++" in open(os.path.join(BUILD, "build.ninja"), encoding="utf-8").read():
        dynamic = run(["readelf", "-d", sink]).stdout
        needed = sorted(l.split("[")[1].rstrip("]") for l in dynamic.splitlines() if "(NEEDED)" in l)
        report(needed and all(n == "libc.so.6" or n.startswith("ld-linux") for n in needed),
               f"the installed sink loads only libc at start: {', '.join(needed)}", dynamic)
    examples = sorted(glob.glob(inst(docdir, "examples", "*", "Sinkfile")))
    report(len(examples) >= 4, f"{len(examples)} example Sinkfiles are installed")
    for example in examples:
        proc = run([sink, "check", example], cwd=tmp)
        name = os.path.relpath(example, root)
        report(proc.returncode == 0 and proc.stdout.startswith("ok: ") and not proc.stderr,
               f"the installed sink check passes on {name}", proc.stdout + proc.stderr)

    # The manual page.
    page = inst(mandir, "man1", "sink.1")
    first = [l for l in open(page, encoding="utf-8") if l.startswith(".TH ")]
    report(first and f'"sink {version}"' in first[0], f"the manual page is of sink {version}", first)
    if shutil.which("man"):
        proc = run(["man", "--warnings", "-l", page], env=dict(os.environ, MANWIDTH="80", LANG="C.UTF-8"))
        report(proc.returncode == 0 and not proc.stderr and "sink plan" in proc.stdout,
               "the manual page renders without warnings", proc.stderr)
        proc = run(["man", "-M", inst(mandir), "-w", "sink"])
        report(proc.returncode == 0 and os.path.realpath(proc.stdout.strip()) == os.path.realpath(page),
               "man -M PREFIX/share/man finds the page", proc.stdout + proc.stderr)
    else:
        report(False, "man is installed", "man is needed to render the manual page")

    # The completions, found where each shell looks for them.
    env = {"PATH": inst(bindir) + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp,
           "LANG": "C.UTF-8", "TERM": "dumb", "XDG_DATA_DIRS": inst(datadir)}
    loader = "/usr/share/bash-completion/bash_completion"
    if os.path.exists(loader):
        script = (f"source {loader}; __load_completion sink && complete -p sink && "
                  "COMP_WORDS=(sink pl) COMP_CWORD=1 && _sink && echo \"${COMPREPLY[*]}\"")
        proc = run(["bash", "--norc", "--noprofile", "-c", script], env=env)
        report(proc.returncode == 0 and proc.stdout == "complete -F _sink sink\nplan\n",
               "bash-completion loads the installed completion (XDG_DATA_DIRS) and completes `sink pl`",
               proc.stdout + proc.stderr)
    else:
        report(False, "bash-completion is installed", f"{loader} is missing; tools/install-deps installs it")
    if shutil.which("zsh"):
        fpath = inst(datadir, "zsh", "site-functions")
        proc = run(["zsh", "-fc", f"fpath=({fpath} $fpath); autoload -U compinit; compinit -u -D; "
                    "print -r -- $_comps[sink] $functions_source[_sink]"], env=env)
        report(proc.returncode == 0 and proc.stdout.split() == ["_sink", os.path.join(fpath, "_sink")],
               "zsh's compinit finds the installed _sink on $fpath", proc.stdout + proc.stderr)
    else:
        report(False, "zsh is installed", "tools/install-deps installs it")
    if shutil.which("fish"):
        # Not --no-config: that leaves fish_complete_path empty. HOME is the temporary folder.
        proc = run(["fish", "-c", "complete -C 'sink pl'"], env=env)
        report(proc.returncode == 0 and proc.stdout.split("\t")[0] == "plan",
               "fish finds the installed completion (XDG_DATA_DIRS) and completes `sink pl`",
               proc.stdout + proc.stderr)
    else:
        report(False, "fish is installed", "tools/install-deps installs it")

    # The editor packages.
    if shutil.which("vim") and examples:
        out = os.path.join(tmp, "vim-out")
        plugin = inst(datadir, "sink", "editors", "vim")
        proc = run(["vim", "-u", "NONE", "-N", "-i", "NONE", "-n", "-es", "--cmd", f"set runtimepath^={plugin}",
                    "--cmd", "filetype plugin on", "--cmd", "syntax on",
                    "-c", f"call writefile([&filetype, get(b:, 'current_syntax', ''), &commentstring], '{out}')",
                    "-c", "qa!", examples[0]], env=env, stdin=subprocess.DEVNULL, timeout=60)
        got = open(out, encoding="utf-8").read().splitlines() if os.path.exists(out) else proc.stderr
        report(got == ["sink", "sink", "# %s"], "Vim with the installed plugin: filetype and syntax sink, # comments",
               got)
    else:
        report(False, "vim is installed", "tools/install-deps installs it")
    package = inst(datadir, "sink", "editors", "vscode", "package.json")
    try:
        grammars = json.load(open(package, encoding="utf-8"))["contributes"]["grammars"]
        paths = [os.path.normpath(os.path.join(os.path.dirname(package), g["path"])) for g in grammars]
        ok = paths and all(os.path.isfile(p) and json.load(open(p, encoding="utf-8")).get("scopeName") == "source.sink"
                           for p in paths)
        report(ok, "the installed VS Code package names its installed grammar", paths)
    except (OSError, ValueError, KeyError) as e:
        report(False, "the installed VS Code package names its installed grammar", e)


if __name__ == "__main__":
    main()
