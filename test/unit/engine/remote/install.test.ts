// pw-segment on hosts (docs/remote.md, "What a host needs"), against real sshd servers on 127.0.0.1
// (sshd.ts): the first run of this version installs it into the host's cache folder over the
// segment's own session (one session per segment, install or not); a cached program that does not
// match its checksum is replaced; two segments installing at once both run; a host whose `uname -m`
// has no build fails the stage naming the machine and the host, one whose cache folder cannot be
// written names that; and during a run the host runs pw-segment and the stages, no perl, no bash, no sh.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRun } from '../../../../engine';
import { hostBuilds, hostVersion, machineTargets } from '../../../../engine/host-install';
import { hostTarget } from '../../../../engine/native-programs';
import { bash, drain, fixtures, pipelineOf, run, statusesOf } from '../helpers';
import { sshdsForFile } from './servers';
import { haveSshd, slowBashrc, Sshd, type Keys } from './sshd';

let keys: Keys;
let box: Sshd;

sshdsForFile(1, (k, [a]) => {
  keys = k;
  box = a!;
});

/** Where `host` keeps this version's program (its login user's home; XDG_CACHE_HOME is not set there). */
const cached = (host: Sshd) => path.join(host.home, '.cache', 'pipewright', hostVersion, hostTarget, 'pw-segment');
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const bundled = () => hostBuilds().find((b) => b.target === hostTarget)!;

const squares = (host: Sshd) =>
  `hosts:\n  box: ${host.entry()}\nstages:\n  - run: seq 1 1000\n  - name: square\n    on: box\n    run: awk '{ print $1 * $1 }'\n`;

describe.runIf(haveSshd)('pw-segment on hosts', () => {
  it("is installed by the first run of this version over the segment's own session, and not again by the next", async () => {
    expect(fs.existsSync(cached(box))).toBe(false);
    let before = box.sessions();
    const first = await run(squares(box));
    expect(first.result.outcome).toBe('succeeded');
    expect(first.output.toString().split('\n')[999]).toBe('1000000');
    expect(box.sessions() - before).toBe(1);
    expect(sha256(cached(box))).toBe(bundled().sha256);
    expect(fs.statSync(cached(box)).mode & 0o777).toBe(0o755);
    const installed = fs.statSync(cached(box));

    before = box.sessions();
    const second = await run(squares(box));
    expect(second.result.outcome).toBe('succeeded');
    expect(second.output.equals(first.output)).toBe(true);
    expect(box.sessions() - before).toBe(1);
    // Not written again: the same file (a new install renames a new one over it).
    expect(fs.statSync(cached(box)).ino).toBe(installed.ino);
    // Nothing half-written left beside it.
    expect(fs.readdirSync(path.dirname(cached(box)))).toEqual(['pw-segment']);
  });

  it('replaces a cached program that does not match its checksum, and runs', async () => {
    await run(squares(box));
    const file = cached(box);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length >> 1]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect(sha256(file)).not.toBe(bundled().sha256);
    const before = box.sessions();
    const d = await run(squares(box));
    expect(d.result.outcome).toBe('succeeded');
    expect(statusesOf(d).square).toBe('succeeded');
    expect(sha256(file)).toBe(bundled().sha256);
    expect(box.sessions() - before).toBe(1);
  });

  it('installs once for two segments that find a fresh host at the same time: both run, one session each', async () => {
    const fresh = await Sshd.start(keys);
    try {
      // seq here, `double` there, `mid` here, `inc` there: two segments on the host, started together.
      const yaml = `hosts:\n  box: ${fresh.entry()}\nstages:\n  - run: seq 1 1000\n  - name: double\n    on: box\n    run: awk '{ print $1 * 2 }'\n  - name: mid\n    run: cat\n  - name: inc\n    on: box\n    run: awk '{ print $1 + 1 }'\n`;
      const before = fresh.sessions();
      const d = await run(yaml);
      expect(statusesOf(d)).toEqual({ seq: 'succeeded', double: 'succeeded', mid: 'succeeded', inc: 'succeeded' });
      expect(d.output.toString()).toBe(bash("seq 1 1000 | awk '{ print $1 * 2 }' | cat | awk '{ print $1 + 1 }'").toString());
      expect(fresh.sessions() - before).toBe(2);
      expect(sha256(cached(fresh))).toBe(bundled().sha256);
      expect(fs.readdirSync(path.dirname(cached(fresh)))).toEqual(['pw-segment']);
    } finally {
      await fresh.stop();
    }
  });

  it('fails a stage on a host whose cache folder cannot be written, naming the host and the folder', async () => {
    const full = await Sshd.start(keys);
    try {
      fs.writeFileSync(path.join(full.home, '.cache'), 'not a folder');
      const d = await run(squares(full));
      expect(d.result.outcome).toBe('failed');
      expect(d.result.failedStage).toBe('square');
      expect(d.result.error?.message).toMatch(
        /stage `square` could not install pw-segment on host `box` \(root@127\.0\.0\.1\): pipewright: could not install pw-segment into \S+\/\.cache\/pipewright\/\S+ \(it needs sha256sum and room there\)/,
      );
    } finally {
      await full.stop();
    }
  });

  it('fails a stage on a host of a machine without a build, naming the machine and the host', async () => {
    // The host's login shell puts a `uname` first on PATH that says armv7l (a 32-bit ARM board).
    const arm = await Sshd.start(
      keys,
      `${slowBashrc}mkdir -p "$HOME/bin"; printf '#!/bin/sh\\necho armv7l\\n' > "$HOME/bin/uname"; chmod +x "$HOME/bin/uname"; export PATH="$HOME/bin:$PATH"\n`,
    );
    try {
      expect(machineTargets.armv7l).toBeUndefined();
      const d = await run(squares(arm));
      expect(d.result.outcome).toBe('failed');
      expect(d.result.failedStage).toBe('square');
      expect(d.result.error?.message).toMatch(
        /stage `square` cannot run on host `box` \(root@127\.0\.0\.1\): its machine is armv7l \(uname -m\), and Pipewright has pw-segment builds for linux-x64 and linux-arm64 only/,
      );
      expect(fs.existsSync(path.join(arm.home, '.cache'))).toBe(false);
    } finally {
      await arm.stop();
    }
  });

  it('runs pw-segment and the stages on the host during a run: no perl, no bash, no sh', async () => {
    let seen: string[] = [];
    const handle = startRun(
      pipelineOf(`hosts:\n  box: ${box.entry()}
stages:
  - run: echo go; exec sleep 300
  - name: pass
    on: box
    command: [cat]
  - name: say
    on: box
    command: [sed, -u, -n, 's/go/started/w /dev/stderr']
  - run: cat
`),
      { fileDir: fixtures, file: 'test.pipeline.yaml' },
    );
    const d = await drain(handle, (e, h) => {
      if (e.type !== 'stderr' || e.line !== 'started') return;
      seen = box.processes().map((p) => p.name);
      h.cancel();
    });
    expect(d.result.outcome).toBe('cancelled');
    expect(seen.filter((n) => /^(perl|bash|sh|dash)$/.test(n))).toEqual([]);
    // The watcher and the segment (and the counter of the edge between the two stages) are pw-segment.
    expect(seen.filter((n) => n === 'pw-segment').length).toBeGreaterThanOrEqual(2);
    expect(seen).toContain('cat');
    expect(seen).toContain('sed');
  });
});
