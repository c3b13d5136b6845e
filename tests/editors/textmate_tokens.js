// Tokenizes files with sink's TextMate grammar in the engine VS Code uses
// (vscode-textmate + vscode-oniguruma), for tests/editor_grammars.py.
//
// usage: node textmate_tokens.js MODULES_DIR GRAMMAR.json JOB.json OUT.json
//   JOB.json: {"files": [PATH, ...]}
//   OUT.json: {PATH: [[[start, end, [scope, ...]], ...] for each line]}; offsets are
//             UTF-16 code units within the line, as in VS Code.
'use strict';
const fs = require('fs');
const path = require('path');

const [modulesDir, grammarPath, jobPath, outPath] = process.argv.slice(2);
const load = (name) => require(path.join(modulesDir, name));
const oniguruma = load('vscode-oniguruma');
const textmate = load('vscode-textmate');

async function main() {
  const wasm = fs.readFileSync(path.join(modulesDir, 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.sink') return null;
      return textmate.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath);
    },
  });
  const grammar = await registry.loadGrammar('source.sink');
  if (!grammar) throw new Error('the grammar did not load');
  const job = JSON.parse(fs.readFileSync(jobPath, 'utf8'));
  const out = {};
  for (const file of job.files) {
    let text = fs.readFileSync(file, 'utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);  // as VS Code shows it
    let stack = textmate.INITIAL;
    const lines = [];
    for (const raw of text.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const result = grammar.tokenizeLine(line, stack, 10000);
      if (result.stoppedEarly) throw new Error(`${file}: tokenizing stopped early`);
      lines.push(result.tokens.map((t) => [t.startIndex, t.endIndex, t.scopes]));
      stack = result.ruleStack;
    }
    out[file] = lines;
  }
  fs.writeFileSync(outPath, JSON.stringify(out));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
