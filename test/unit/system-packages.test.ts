// The system packages: scripts/setup-system.sh installs them, CONTRIBUTING.md says what uses each.
// One line per package in both, the same packages in the same order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

/** Each package of the script's `packages=( … )` list with its comment. */
function scriptPackages(): [string, string][] {
  const text = fs.readFileSync(path.join(root, 'scripts/setup-system.sh'), 'utf8');
  const list = /^packages=\(\n([\s\S]*?)\n\)$/m.exec(text)?.[1] ?? '';
  return list.split('\n').map((line) => {
    const m = /^ {2}([a-z0-9.+-]+) +# (.+)$/.exec(line);
    if (!m) throw new Error(`scripts/setup-system.sh: "${line}" is not \`  package  # what uses it\``);
    return [m[1]!, m[2]!];
  });
}

/** The rows of CONTRIBUTING.md's package table. */
function contributingPackages(): [string, string][] {
  const text = fs.readFileSync(path.join(root, 'CONTRIBUTING.md'), 'utf8');
  return [...text.matchAll(/^\| `([a-z0-9.+-]+)` \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!]);
}

describe('system packages', () => {
  it('CONTRIBUTING.md has a row per package of scripts/setup-system.sh, in its order, each saying what uses it', () => {
    const script = scriptPackages();
    expect(script.length).toBeGreaterThan(5);
    expect(contributingPackages().map(([p]) => p)).toEqual(script.map(([p]) => p));
    for (const [p, why] of [...script, ...contributingPackages()]) expect(why.length, `what uses ${p}`).toBeGreaterThan(10);
  });
});
