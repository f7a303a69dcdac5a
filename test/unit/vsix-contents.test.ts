// The VSIX allow-list (test/e2e/vsix-contents.ts) that the e2e suite checks the packaged extension
// against: what it lets through and what it refuses, on entry lists like vsce's.
import { describe, expect, it } from 'vitest';
import { elfMachine, vsixProblems, type VsixEntry } from '../e2e/vsix-contents';
import { nativeProgramNames } from '../../scripts/native';

const base: VsixEntry[] = [
  'extension.vsixmanifest',
  '[Content_Types].xml',
  'extension/package.json',
  'extension/readme.md',
  'extension/changelog.md',
  'extension/LICENSE.txt',
  'extension/language-configuration.json',
  'extension/dist/extension.cjs',
  'extension/dist/server.cjs',
  'extension/dist/cli.cjs',
  'extension/dist/cli-main.cjs',
  'extension/dist/builtin.cjs',
  'extension/dist/panel.js',
  'extension/schemas/pipeline.schema.json',
  'extension/syntaxes/pipewright.tmLanguage.json',
  'extension/media/icon.png',
  'extension/media/panel.css',
  'extension/media/walkthrough/run.md',
  'extension/docs/dsl.md',
].map((path) => ({ path }));
const programs = (target: string, machine: VsixEntry['machine']): VsixEntry[] =>
  nativeProgramNames.map((n) => ({ path: `extension/dist/native/${target}/${n}`, machine }));

describe('the VSIX allow-list', () => {
  it("lets a VSIX for a target with that target's programs through, and no universal one", () => {
    expect(vsixProblems([...base, ...programs('linux-x64', 'x64')], 'linux-x64')).toEqual([]);
    expect(vsixProblems([...base, ...programs('linux-arm64', 'arm64')], 'linux-arm64')).toEqual([]);
    const [name] = nativeProgramNames;
    expect(vsixProblems([...base, ...programs('linux-arm64', 'arm64')], undefined, 'arm64')).toEqual([
      `extension/dist/native/linux-arm64/${name}: a program for linux-arm64 in a VSIX for every platform`,
    ]);
  });

  it('refuses sources, tests, source maps and node_modules', () => {
    const extra = ['extension/dist/cli.cjs.map', 'extension/engine/run.ts', 'extension/test/unit/x.test.ts', 'extension/node_modules/yaml/index.js'];
    expect(vsixProblems([...base, ...programs('linux-x64', 'x64'), ...extra.map((path) => ({ path }))], 'linux-x64')).toEqual(
      extra.map((p) => `${p} is not on the allow-list (sources, tests, source maps and node_modules stay out: .vscodeignore)`),
    );
  });

  it("refuses a program of another architecture or another target's folder, and a missing one", () => {
    const [name] = nativeProgramNames;
    expect(vsixProblems([...base, ...programs('linux-arm64', 'x64')], 'linux-arm64')).toContain(
      `extension/dist/native/linux-arm64/${name}: built for x64, not arm64 (linux-arm64 VSIX)`,
    );
    expect(vsixProblems([...base, ...programs('linux-x64', 'x64'), ...programs('linux-arm64', 'arm64')], 'linux-x64')).toEqual([
      `extension/dist/native/linux-arm64/${name}: a program for linux-arm64 in a VSIX for linux-x64`,
    ]);
    expect(vsixProblems(base, 'linux-x64')).toContain(`the engine program ${name} is missing: build it (gcc, libc6-dev) before packaging`);
    expect(vsixProblems([...base, ...programs('darwin-arm64', 'x64')], 'darwin-arm64')[0]).toBe(
      'target darwin-arm64: the engine programs are built for linux-x64 and linux-arm64 only',
    );
  });

  it('reads the architecture from an ELF header', () => {
    const header = (machine: number) => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(14), Buffer.from([machine, 0])]);
    expect([elfMachine(header(62)), elfMachine(header(183)), elfMachine(header(3)), elfMachine(Buffer.from('#!/usr/bin/env node\n'))]).toEqual([
      'x64',
      'arm64',
      'other',
      undefined,
    ]);
  });
});
