// The built CLI with stages on another host (a real sshd on 127.0.0.1, sshd.ts) killed with
// SIGKILL and with SIGTERM: nothing of the run is left on either side, found by a marker
// variable that the CLI's environment gives the local processes (ssh clients, the master) and
// the pipeline's `env` gives the stages on the host (marker.ts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath } from '../../../cli/cli';
import { cliAnnounced, envWith, marked, markerVariable, newMarker, scratchDir, waitUntilGone } from '../faults/marker';
import { sshdsForFile } from './servers';
import { haveSshd, type Sshd } from './sshd';

let box: Sshd;
let dir = '';

sshdsForFile(1, (_keys, [a]) => {
  box = a!;
  dir = scratchDir();
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.runIf(haveSshd)('the CLI with remote stages', () => {
  it('names each remote stage’s host in its summary and in --stats-json; the output is the records', () => {
    const file = path.join(dir, 'stats.pipeline.yaml');
    const json = path.join(dir, 'stats.json');
    fs.writeFileSync(
      file,
      `hosts:\n  box: ${box.entry()}\nstages:\n  - run: seq 1 1000\n  - name: double\n    on: box\n    run: awk '{ print $1 * 2 }'\n  - run: tail -n 1\n`,
    );
    const r = spawnSync(process.execPath, [cliPath, 'run', '--stats-json', json, file], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('2000\n');
    expect(r.stderr).toMatch(/\n {2}double @ box +ok +1,000 rec \(3\.8 KiB\) +1,000 rec /);
    const stats = JSON.parse(fs.readFileSync(json, 'utf8')) as { stages: { name: string; host?: string; exact: boolean }[] };
    expect(stats.stages.map((s) => [s.name, s.host ?? null, s.exact])).toEqual([
      ['seq', null, true],
      ['double', 'box', true],
      ['tail', null, true],
    ]);
  });
});

describe.runIf(haveSshd)('the CLI with remote stages, killed', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`${signal}: no process of the run is left here or on the host`, async () => {
      const marker = newMarker();
      const file = path.join(dir, `${signal}.pipeline.yaml`);
      fs.writeFileSync(
        file,
        `hosts:\n  box: ${box.entry()}\nenv: { ${markerVariable}: "${marker}" }
stages:
  - run: yes
  - on: box
    run: cat
  - name: announce
    on: box
    run: "echo started >&2; sleep 300 & exec cat"
  - run: cat
`,
      );
      const { child, exit } = await cliAnnounced(cliPath, file, envWith(marker));
      // On the host: the stages and the grandchild (`sleep`, forked after the echo: waited for); here: the ssh clients.
      // The sleep itself, by its argv: its parent `sh -c "…; sleep 300 & exec cat"` names it too until it execs cat.
      const sleep = /^\d+ sleep 300 $/;
      while (!marked(marker).some((p) => sleep.test(p))) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(marked(marker).filter((p) => sleep.test(p))).toHaveLength(1);
      expect(marked(marker).some((p) => / ssh /.test(p) || /^\d+ ssh /.test(p))).toBe(true);
      child.kill(signal);
      expect(await exit).toEqual(signal === 'SIGKILL' ? { code: null, sig: 'SIGKILL' } : { code: 143, sig: null });
      await waitUntilGone(marker);
    });
  }
});
