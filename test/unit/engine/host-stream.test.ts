// The one reader of a host's control stream (engine/host-stream.ts; docs/engine-protocol.md,
// "On another host"): each tagged line pw-segment's watcher, the host's sh and a Slurm cluster's
// local end write, and ssh's own untagged lines. The watcher's side is tested on the program
// itself (test/unit/native/host.test.ts); these lines are what it writes there.
import { describe, expect, it } from 'vitest';
import { parseHostLine } from '../../../engine/host-stream';

const tagged = (text: string) => `\x01${text}`;

describe('parseHostLine', () => {
  it('reads reports, stderr lines and their end, the segment’s own lines and its end', () => {
    expect(parseHostLine(tagged('c pid 1 4242 1796623993.922288'))).toEqual({
      kind: 'report',
      msg: { kind: 'pid', index: 1, pid: 4242, at: expect.closeTo(1796623993922.288, 2) as unknown },
    });
    expect(parseHostLine(tagged('c edge 0 3 6 end'))).toEqual({ kind: 'report', msg: { kind: 'edge', index: 0, records: 3, bytes: 6, end: true } });
    expect(parseHostLine(tagged('e12 a line with  spaces '))).toEqual({ kind: 'stderr', stage: 12, text: 'a line with  spaces ' });
    expect(parseHostLine(tagged('e0 '))).toEqual({ kind: 'stderr', stage: 0, text: '' });
    expect(parseHostLine(tagged('z3'))).toEqual({ kind: 'stderrEnd', stage: 3 });
    expect(parseHostLine(tagged('b pw-segment: plan line 2: expected `stages …`'))).toEqual({
      kind: 'own',
      text: 'pw-segment: plan line 2: expected `stages …`',
    });
    expect(parseHostLine(tagged('x 0'))).toEqual({ kind: 'ended', status: 0 });
  });

  it('reads a live sample of stage I (the tag and the index together, nine words after)', () => {
    expect(parseHostLine(tagged('s1 10962 11 3 4 5 6 1744 2048 S'))).toEqual({
      kind: 'sample',
      stage: 1,
      sample: { state: 'S', rchar: 10962, wchar: 11, utimeTicks: 3, stimeTicks: 4, cutimeTicks: 5, cstimeTicks: 6, rssKb: 1744, hwmKb: 2048, wait: 'unknown' },
    });
    // remote.pl's old form (a space after the tag) is not a sample.
    expect(parseHostLine(tagged('s 1 10962 11 3 4 5 6 1744 2048 S'))).toBeUndefined();
  });

  it('reads what the host’s sh and a Slurm cluster’s local end say, and passes ssh’s own words on', () => {
    expect(parseHostLine(tagged('n linux-arm64'))).toEqual({ kind: 'install', target: 'linux-arm64' });
    expect(parseHostLine(tagged('a armv7l'))).toEqual({ kind: 'unsupported', machine: 'armv7l' });
    expect(parseHostLine(tagged('q 61'))).toEqual({ kind: 'queued', job: '61' });
    expect(parseHostLine(tagged('r 61.0 node7'))).toEqual({ kind: 'placed', step: '61.0', node: 'node7' });
    expect(parseHostLine('Connection to build-7 closed by remote host.')).toEqual({ kind: 'said', text: 'Connection to build-7 closed by remote host.' });
  });

  it('drops tagged lines it does not know, and reports it cannot read', () => {
    expect(parseHostLine(tagged('w 1 2'))).toBeUndefined();
    expect(parseHostLine(tagged('c nonsense'))).toBeUndefined();
    expect(parseHostLine(tagged('s0 1 2 three 4 5 6 7 8 S'))).toBeUndefined();
  });
});
