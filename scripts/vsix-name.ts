// The file `npm run package` writes for a target, as users download it: pipewright-TARGET-VERSION.vsix
// (the name vsce gives a targeted package). scripts/package.ts writes it, scripts/start.ts installs it.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function vsixPath(root: string, target: string): string {
  const { name, version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  return path.join(root, `${name}-${target}-${version}.vsix`);
}
