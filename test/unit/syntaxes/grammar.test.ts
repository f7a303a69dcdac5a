import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, Registry, parseRawGrammar, type IGrammar, type IRawGrammar } from 'vscode-textmate';

const root = path.resolve(__dirname, '../../..');

/** Stand-ins for VS Code's YAML and shell grammars: every YAML line and every shell word get one scope. */
const stubs: Record<string, object> = {
  'source.yaml': { scopeName: 'source.yaml', patterns: [{ match: '.+', name: 'stub.yaml' }] },
  'source.shell': { scopeName: 'source.shell', patterns: [{ match: '[\\w./-]+', name: 'stub.shell.word' }] },
};

function rawGrammar(scope: string): IRawGrammar | null {
  if (scope === 'source.pipewright') {
    const file = path.join(root, 'syntaxes/pipewright.tmLanguage.json');
    return parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
  }
  const stub = stubs[scope];
  return stub ? parseRawGrammar(JSON.stringify(stub), `${scope}.json`) : null;
}

async function grammar(): Promise<IGrammar> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: (scope) => Promise.resolve(rawGrammar(scope)),
  });
  const g = await registry.loadGrammar('source.pipewright');
  if (!g) throw new Error('grammar did not load');
  return g;
}

/** Each line's tokens as `text=scopes` for the tokens that carry a scope beyond the root. */
function tokenize(g: IGrammar, text: string): string[][] {
  let state = INITIAL;
  return text.split('\n').map((line) => {
    const r = g.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => `${line.slice(t.startIndex, t.endIndex)}=${t.scopes.slice(1).join(' ')}`).filter((t) => !t.startsWith(' ='));
  });
}

describe('TextMate grammar', () => {
  it('highlights inline `run:` values as shell and the rest as YAML', async () => {
    const g = await grammar();
    const [name, run, quoted] = tokenize(g, 'name: x\n  - run: grep -v x | wc -l\n    run: "sort -k2"  # note');
    expect(name).toEqual(['name: x=stub.yaml']);
    expect(run).toContain('grep=meta.embedded.shellscript stub.shell.word');
    expect(run).toContain('run=entity.name.tag.yaml');
    expect(quoted).toContain('sort=meta.embedded.shellscript stub.shell.word');
    expect(quoted).toContain('  # note=comment.line.number-sign.yaml');
  });

  it('highlights a `- run: |` block as shell up to the first line not indented deeper than the key', async () => {
    const g = await grammar();
    const lines = tokenize(g, ['  - run: |', '      grep x |', '', '        sed y', '    name: after', 'stages: []'].join('\n'));
    expect(lines[0]).toContain('|=keyword.control.flow.block-scalar.yaml');
    expect(lines[1]).toContain('grep=meta.embedded.shellscript stub.shell.word');
    expect(lines[3]).toContain('sed=meta.embedded.shellscript stub.shell.word');
    expect(lines[4]).toEqual(['    name: after=stub.yaml']);
    expect(lines[5]).toEqual(['stages: []=stub.yaml']);
  });

  it('highlights a `run: >-` block under a stage key the same way', async () => {
    const g = await grammar();
    const lines = tokenize(g, ['  - name: s', '    run: >-  # folded', '      jq .', '    workers: 2'].join('\n'));
    expect(lines[1]).toContain('# folded=comment.line.number-sign.yaml');
    expect(lines[2]).toContain('jq=meta.embedded.shellscript stub.shell.word');
    expect(lines[3]).toEqual(['    workers: 2=stub.yaml']);
  });

  it('is the grammar the extension contributes', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { grammars: unknown[] } };
    expect(pkg.contributes.grammars[0]).toMatchObject({
      language: 'pipewright',
      scopeName: 'source.pipewright',
      path: './syntaxes/pipewright.tmLanguage.json',
    });
  });
});
