import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './helpers';

const script = path.resolve(__dirname, '../../../engine/segment.sh');
const wrapper = path.resolve(__dirname, '../../../engine/wrapper.pl');

describe('engine/segment.sh', () => {
  it('parses (bash -n) and passes shellcheck', () => {
    execFileSync('bash', ['-n', script]);
    // Throws with shellcheck's findings on stdout when there are any.
    expect(execFileSync('shellcheck', ['--shell=bash', script], { encoding: 'utf8' })).toBe('');
  });

  it('its wrapper, engine/wrapper.pl, compiles (perl -c) and loads no module', () => {
    expect(execFileSync('perl', ['-c', wrapper], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
    // Each module costs milliseconds per stage (POSIX: ~25 ms).
    expect(fs.readFileSync(wrapper, 'utf8')).not.toMatch(/^\s*(use|require)\s/m);
  });

  // Both launchers: dist/pw-segment, and the scripts (PIPEWRIGHT_EDGE_COUNTER=perl runs what runs where no compiler was).
  it.each([
    ['pw-segment', {}],
    ['the scripts', { PIPEWRIGHT_EDGE_COUNTER: 'perl' }],
  ])('reaps an orphaned grandchild (the segment, %s, is a child subreaper): it never lingers as a zombie', async (_, extra) => {
    // Stage 1 leaves a background child behind and exits; stage 2 (same segment, so the
    // segment's leader is still there) notes who adopted it, ends it, and waits until it is gone:
    // reaped by its new parent. Every child is a zombie for the moment between its death and its
    // parent's wait, so that state is not a failure; one never reaped stays, and the test times out.
    // The orphan lives until stage 2 kills it, so no timing is involved.
    const d = await run(
      `stages:
  - run: "sleep 300 & echo $!"
  - run: >-
      read -r pid;
      ppid=$(awk '/^PPid:/ { print $2 }' /proc/$pid/status);
      kill $pid;
      while [ -e /proc/$pid ]; do sleep 0.02; done;
      echo reaped;
      [ "$ppid" = "$(awk '{ print $5 }' /proc/$$/stat)" ] && echo adopted by the group leader
`,
      { env: { ...process.env, ...extra } },
    );
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.toString()).toBe('reaped\nadopted by the group leader\n');
  });
});
