import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

function imports(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** A relative import as `<top-level folder>/…`, a package import as itself. */
function target(file: string, spec: string): string {
  return spec.startsWith('.') ? path.relative(root, path.resolve(root, path.dirname(file), spec)) : spec;
}

/** What each layer may not import: arrows only go downward (docs/architecture.md). */
const rules: { layer: string; forbidden: RegExp; except?: string[] }[] = [
  {
    layer: 'dsl',
    forbidden: /^(vscode|vscode-languageserver.*|vscode-languageclient.*|execa|node:child_process|child_process|node:fs|fs)$|^(engine|server|extension|cli)\//,
    except: ['dsl/host-node.ts'],
  },
  { layer: 'engine', forbidden: /^(vscode|vscode-languageserver.*|vscode-languageclient.*)$|^(server|extension|cli)\// },
  { layer: 'server', forbidden: /^(vscode|vscode-languageclient.*|execa|node:child_process|child_process)$|^(engine|extension|cli)\// },
  { layer: 'extension', forbidden: /^cli\/|^server\/(?!protocol$)/ },
  { layer: 'cli', forbidden: /^(vscode|vscode-languageserver.*|vscode-languageclient.*)$|^(server|extension)\// },
];

describe('layers', () => {
  for (const rule of rules) {
    it(`${rule.layer}/ imports only downward`, () => {
      const files = sources(rule.layer).filter((f) => !rule.except?.includes(f));
      const bad = files.flatMap((f) =>
        imports(f)
          .filter((i) => rule.forbidden.test(target(f, i)))
          .map((i) => `${f} imports ${i}`),
      );
      expect(bad, 'move the code to the right layer or inject what it needs').toEqual([]);
    });
  }

  it('finds the imports it checks', () => {
    expect(imports('dsl/check.ts')).toContain('./parse');
    expect(target('cli/check.ts', '../dsl/host-node')).toBe('dsl/host-node');
    expect(sources('dsl').length).toBeGreaterThan(5);
  });
});
