// Runs inside the VS Code extension host (loaded through the smoke-test driver's
// extensionTestsPath): a mocha run over the compiled *.test.cjs files next to this bundle.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { suiteTag } from './tag';

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const config = folder ? (JSON.parse(fs.readFileSync(path.join(folder, '.pipewright-e2e.json'), 'utf8')) as { grep: string }) : { grep: '' };
  // Tag mocha's lines so the harness can tell them from the workbench's own logs.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(suiteTag + format(...args));
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, grep: new RegExp(config.grep), reporter: 'spec' });
  for (const f of fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.cjs'))
    .sort())
    mocha.addFile(path.join(__dirname, f));
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} end-to-end test(s) failed`)) : resolve()));
  });
}
