#!/usr/bin/env python3
"""Editor grammars in the real engines.

1. `sink grammar --format textmate|vim` prints exactly the checked-in
   editors/vscode/syntaxes/sink.tmLanguage.json and editors/vim/syntax/sink.vim.
2. Every example Sinkfile (examples/, stdlib/, tests/cases/, tests/editors/, and each
   ```sink block of docs/*.md) is tokenized by the TextMate grammar in vscode-textmate with
   vscode-oniguruma (the engine VS Code uses; npm packages pinned in tests/editors/, set up
   here with `npm ci` under WORK_DIR) and highlighted by Vim (`vim -Nu NONE -es` with the
   plugin in editors/vim, filetype from its ftdetect). For each file:
   - Vim detects the filetype `sink`;
   - a file without a syntax error (E1xx from `sink check`) has no invalid token in either;
   - both engines give every non-blank character the same kind (keyword, string, ...).
3. tests/editors/expectations.json names positions (keywords, strings, interpolations,
   comments, fact names, numbers, platform names, ...) and the scopes and syntax groups
   expected there; each is checked in both engines.

usage: editor_grammars.py SINK SOURCE_ROOT WORK_DIR
Prints `ok`/`not ok` lines and ends with `N passed, N failed`.
"""
import filecmp
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# The kind of a TextMate token: the first of its scopes, innermost first, that names one.
TEXTMATE_KINDS = [
    ("punctuation.definition.comment", "comment"),
    ("comment.", "comment"),
    ("constant.character.escape", "escape"),
    ("invalid.illegal.escape", "bad-escape"),
    ("invalid.illegal.interpolation", "bad-interpolation"),
    ("punctuation.section.interpolation", "interpolation-brace"),
    ("variable.language.env", "env"),
    ("punctuation.accessor", "env-dot"),
    ("variable.other.env", "env-name"),
    ("variable.other.sink", "interpolation-name"),
    ("support.variable", "builtin"),
    ("meta.interpolation", "interpolation"),
    ("punctuation.definition.string", "string"),
    ("string.", "string"),
    ("keyword.other.declaration", "declaration"),
    ("keyword.control", "control"),
    ("keyword.operator.logical", "logical"),
    ("keyword.operator.comparison", "operator"),
    ("keyword.operator.assignment", "assign"),
    ("keyword.other.sink", "keyword"),
    ("constant.language.boolean", "boolean"),
    ("entity.name.variable", "fact-name"),
    ("entity.name.function", "helper-name"),
    ("storage.type", "type"),
    ("punctuation.separator.type", "type-colon"),
    ("support.constant.platform", "platform-name"),
    ("constant.numeric", "number"),
    ("punctuation.section.block", "brace"),
    ("punctuation.section.parens", "brace"),
    ("punctuation.separator.comma", "comma"),
    ("meta.platform", "plain"),
    ("source.sink", "plain"),
]

# The kind of a Vim syntax group (the innermost: synIDattr(synID(line, col, 1), "name")).
VIM_KINDS = {
    "sinkComment": "comment", "sinkEscape": "escape", "sinkBadEscape": "bad-escape",
    "sinkBadInterp": "bad-interpolation", "sinkInterpDelim": "interpolation-brace",
    "sinkEnvPrefix": "env", "sinkEnvDot": "env-dot", "sinkEnvName": "env-name",
    "sinkInterpName": "interpolation-name", "sinkBuiltin": "builtin", "sinkInterp": "interpolation",
    "sinkString": "string", "sinkRawString": "string", "sinkBlockString": "string",
    "sinkRawBlockString": "string", "sinkDeclaration": "declaration", "sinkStatement": "control",
    "sinkLogical": "logical", "sinkOperator": "operator", "sinkAssign": "assign",
    "sinkKeyword": "keyword", "sinkInterpRaw": "keyword", "sinkBoolean": "boolean",
    "sinkFactName": "fact-name", "sinkHelperName": "helper-name", "sinkType": "type",
    "sinkTypeSep": "type-colon", "sinkPlatformName": "platform-name", "sinkNumber": "number",
    "sinkBrace": "brace", "sinkComma": "comma", "sinkPlatformList": "plain", "": "plain",
}


def textmate_kind(scopes):
    for scope in reversed(scopes):
        for prefix, kind in TEXTMATE_KINDS:
            if scope.startswith(prefix):
                return kind
    return "unknown:" + scopes[-1]


class Results:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, problems):
        if problems:
            self.failed += 1
            print(f"not ok {name}")
            for p in problems[:8]:
                print(f"  {p}")
            if len(problems) > 8:
                print(f"  ... and {len(problems) - 8} more")
        else:
            self.passed += 1
            print(f"ok {name}")


def read_text(path):
    """The file's text as the engines see it (no BOM, LF), or None when it is not a
    Sinkfile that an editor would show (not UTF-8, NUL bytes, large)."""
    if os.path.getsize(path) > 256 * 1024:
        return None
    with open(path, "rb") as f:
        data = f.read()
    if b"\0" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.removeprefix("\ufeff")


def example_files(root, scratch):
    files = []
    for pattern in ("examples/**/Sinkfile", "examples/**/*.sink", "stdlib/*.sink", "tests/cases/**/Sinkfile",
                    "tests/cases/**/*.sink", "tests/editors/*.sink"):
        files += sorted(glob.glob(os.path.join(root, pattern), recursive=True))
    # Each ```sink block of the documentation, as a file of its own.
    for md in sorted(glob.glob(os.path.join(root, "docs", "*.md"))):
        with open(md, encoding="utf-8") as f:
            blocks = re.findall(r"^```sink\n(.*?)^```", f.read(), re.M | re.S)
        for i, block in enumerate(blocks, 1):
            path = os.path.join(scratch, f"docs-{os.path.basename(md)[:-3]}-{i}.sink")
            with open(path, "w", encoding="utf-8") as f:
                f.write(block)
            files.append(path)
    seen, out = set(), []
    for f in files:
        if f not in seen and read_text(f) is not None:
            seen.add(f)
            out.append(f)
    return out


def has_syntax_error(sink, path):
    """Whether `sink check` reports a syntax error (E1xx) in this very file."""
    proc = subprocess.run([sink, "check", "--format", "json", os.path.basename(path)], cwd=os.path.dirname(path),
                          capture_output=True, text=True, timeout=60)
    try:
        diags = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        return True
    return any(d.get("code", "").startswith("E1") and os.path.basename(d.get("file") or "") == os.path.basename(path)
               for d in diags)


def setup_node(root, work):
    """Installs the pinned vscode-textmate and vscode-oniguruma under WORK/editor-node
    (offline from npm's cache when it can). Returns the node_modules folder, or an error."""
    for tool in ("node", "npm"):
        if not shutil.which(tool):
            return None, f"`{tool}` is not installed (Debian: apt-get install nodejs npm)"
    src = os.path.join(root, "tests", "editors")
    dest = os.path.join(work, "editor-node")
    os.makedirs(dest, exist_ok=True)
    modules = os.path.join(dest, "node_modules")
    stamp = os.path.join(modules, ".sink-lock.json")
    lock = os.path.join(src, "package-lock.json")
    if os.path.exists(stamp) and filecmp.cmp(stamp, lock, shallow=False):
        return modules, None
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(os.path.join(src, name), os.path.join(dest, name))
    log = []
    for args in (["npm", "ci", "--offline"], ["npm", "ci"]):
        proc = subprocess.run(args + ["--no-audit", "--no-fund", "--ignore-scripts"], cwd=dest,
                              capture_output=True, text=True, timeout=300)
        log.append(f"$ {' '.join(args)}: exit {proc.returncode}\n{proc.stdout[-1500:]}{proc.stderr[-1500:]}")
        if proc.returncode == 0:
            shutil.copyfile(lock, stamp)
            return modules, None
    return None, "npm could not install tests/editors/package-lock.json:\n" + "\n".join(log)


def run_textmate(root, modules, files, scratch):
    job, out = os.path.join(scratch, "textmate-job.json"), os.path.join(scratch, "textmate-out.json")
    with open(job, "w", encoding="utf-8") as f:
        json.dump({"files": files}, f)
    grammar = os.path.join(root, "editors", "vscode", "syntaxes", "sink.tmLanguage.json")
    proc = subprocess.run(["node", os.path.join(root, "tests", "editors", "textmate_tokens.js"), modules, grammar, job,
                           out], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        return None, f"vscode-textmate failed (exit {proc.returncode}): {proc.stderr.strip()[-3000:]}"
    with open(out, encoding="utf-8") as f:
        return json.load(f), None


def run_vim(root, files, scratch):
    vim = shutil.which("vim")
    if not vim:
        return None, "`vim` is not installed (tools/install-deps installs vim-nox)"
    job, out = os.path.join(scratch, "vim-job.json"), os.path.join(scratch, "vim-out.json")
    with open(job, "w", encoding="utf-8") as f:
        json.dump({"files": files}, f)
    quote = lambda s: "'" + s.replace("'", "''") + "'"
    args = [vim, "-Nu", "NONE", "-i", "NONE", "-n", "-es",  # -n: no swap files in the repository
            "--cmd", "set encoding=utf-8 fileencodings=ucs-bom,utf-8 fileformats=unix,dos",
            "--cmd", "set rtp^=" + os.path.join(root, "editors", "vim").replace(" ", "\\ ").replace(",", "\\,"),
            "--cmd", "let g:sink_job = " + quote(job), "--cmd", "let g:sink_out = " + quote(out),
            "-S", os.path.join(root, "tests", "editors", "vim_syntax.vim")]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    if not os.path.exists(out):
        return None, f"vim wrote no result (exit {proc.returncode}): {(proc.stdout + proc.stderr).strip()[-3000:]}"
    with open(out, encoding="utf-8") as f:
        result = json.load(f)
    if "error" in result:
        return None, "vim: " + result["error"]
    return result, None


def utf16_offsets(line):
    """The UTF-16 offset of each code point of a line, as vscode-textmate counts."""
    out, n = [], 0
    for ch in line:
        out.append(n)
        n += 2 if ord(ch) > 0xFFFF else 1
    return out


def byte_offsets(line):
    out, n = [], 0
    for ch in line:
        out.append(n)
        n += len(ch.encode("utf-8"))
    return out


def textmate_scopes_at(tokens, offset):
    for start, end, scopes in tokens:
        if start <= offset < end:
            return scopes
    return ["source.sink"]


def is_subsequence(wanted, have):
    it = iter(have)
    return all(any(w == h for h in it) for w in wanted)


def compare_file(text, tm_lines, vim_file):
    """Problems found in one file: kinds that differ between the engines, and the
    invalid tokens of each."""
    differ, tm_invalid, vim_invalid = [], [], []
    vim_lines = vim_file["lines"]
    for lnum, line in enumerate(text.split("\n")):
        line = line.removesuffix("\r")
        tokens = tm_lines[lnum] if lnum < len(tm_lines) else []
        cols = vim_lines[lnum] if lnum < len(vim_lines) else []
        u16, b8 = utf16_offsets(line), byte_offsets(line)
        for i, ch in enumerate(line):
            if ch in " \t":
                continue
            scopes = textmate_scopes_at(tokens, u16[i])
            vim_name = cols[b8[i]][0] if b8[i] < len(cols) else ""
            tk, vk = textmate_kind(scopes), VIM_KINDS.get(vim_name, "unknown:" + vim_name)
            where = f"{lnum + 1}:{i + 1} `{line[max(0, i - 12):i]}[{ch}]{line[i + 1:i + 13]}`"
            if tk != vk:
                differ.append(f"{where}: textmate {tk} ({scopes[-1]}), vim {vk} ({vim_name or 'none'})")
            if any(s.startswith("invalid.") for s in scopes):
                tm_invalid.append(f"{where}: textmate {scopes[-1]}")
            if vk.startswith("bad-"):
                vim_invalid.append(f"{where}: vim {vim_name}")
    return differ, tm_invalid, vim_invalid


def locate(root, exp):
    """(line text, 0-based line, 0-based code point column) of an expectation."""
    with open(os.path.join(root, exp["file"]), encoding="utf-8") as f:
        lines = f.read().removeprefix("\ufeff").split("\n")
    lnum = exp["line"] - 1
    if lnum >= len(lines):
        return None
    line, at = lines[lnum].removesuffix("\r"), -1
    for _ in range(exp.get("nth", 1)):
        at = line.find(exp["text"], at + 1)
        if at < 0:
            return None
    return line, lnum, at + exp.get("offset", 0)


def main():
    sink, root, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    results = Results()

    # 1. The checked-in grammars are what `sink grammar` prints now.
    for fmt, rel in (("textmate", "editors/vscode/syntaxes/sink.tmLanguage.json"),
                     ("vim", "editors/vim/syntax/sink.vim")):
        proc = subprocess.run([sink, "grammar", "--format", fmt], capture_output=True, timeout=60)
        with open(os.path.join(root, rel), "rb") as f:
            same = f.read() == proc.stdout
        results.check(f"{rel} is `sink grammar --format {fmt}`",
                      [] if proc.returncode == 0 and same else
                      [f"exit {proc.returncode}; regenerate: build/sink grammar --format {fmt} > {rel}"])

    scratch = tempfile.mkdtemp(prefix="sink-editors-")
    try:
        files = example_files(root, scratch)
        modules, node_error = setup_node(root, work)
        tm, tm_error = run_textmate(root, modules, files, scratch) if modules else (None, node_error)
        vim, vim_error = run_vim(root, files, scratch)
        results.check(f"vscode-textmate tokenizes {len(files)} example files", [tm_error] if tm_error else [])
        results.check(f"vim highlights {len(files)} example files", [vim_error] if vim_error else [])

        # 2. Every example, in both engines.
        for path in files:
            name = os.path.relpath(path, root) if path.startswith(root + os.sep) else os.path.basename(path)
            text = read_text(path)
            problems = []
            if vim is not None and vim[path]["filetype"] != "sink":
                problems.append(f"vim filetype is `{vim[path]['filetype']}`, not `sink` (editors/vim/ftdetect)")
            if tm is not None and vim is not None:
                differ, tm_invalid, vim_invalid = compare_file(text, tm[path], vim[path])
                problems += differ
                if not has_syntax_error(sink, path):
                    problems += tm_invalid + vim_invalid
            elif tm is None and vim is None:
                problems.append("neither engine ran")
            results.check(f"example {name}", problems)

        # 3. Chosen positions.
        with open(os.path.join(root, "tests", "editors", "expectations.json"), encoding="utf-8") as f:
            expectations = json.load(f)
        for exp in expectations:
            label = f"{exp['file']}:{exp['line']} `{exp['text']}` ({exp['what']})"
            found = locate(root, exp)
            path = os.path.join(root, exp["file"])
            if not found:
                results.check(f"textmate {label}", [f"`{exp['text']}` is not on line {exp['line']} any more"])
                results.check(f"vim {label}", [f"`{exp['text']}` is not on line {exp['line']} any more"])
                continue
            line, lnum, col = found
            problems = []
            if tm is None:
                problems.append(tm_error or "vscode-textmate did not run")
            else:
                scopes = textmate_scopes_at(tm[path][lnum], utf16_offsets(line)[col])
                want = exp["textmate"]
                if scopes[-1] != want[-1] or not is_subsequence(want, scopes):
                    problems.append(f"scopes {scopes}, expected {want} (innermost last)")
            results.check(f"textmate {label}", problems)
            problems = []
            if vim is None:
                problems.append(vim_error or "vim did not run")
            else:
                name, stack = vim[path]["lines"][lnum][byte_offsets(line)[col]]
                want = exp["vim"]
                if name != want[-1] or not is_subsequence(want, stack.split(">")):
                    problems.append(f"synID name `{name}`, synstack `{stack}`, expected {want} (innermost last)")
            results.check(f"vim {label}", problems)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
