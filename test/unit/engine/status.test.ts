import { describe, expect, it } from 'vitest';
import { decodeShellStatus, finalStatus, type StageFacts } from '../../../engine/status';

const base: StageFacts = {
  status: 0,
  sawBrokenPipe: false,
  terminating: false,
  cancelling: false,
  timedOut: false,
  readerGone: false,
  quietStop: false,
  brokeRule: false,
  fewerLines: false,
};

describe('finalStatus: how an ended stage is reported, from the facts alone', () => {
  const table: [string, Partial<StageFacts>, string, boolean][] = [
    ['exit 0', {}, 'succeeded', false],
    ['exit 3', { status: 3 }, 'failed', false],
    ['killed by SIGKILL', { status: 137 }, 'failed', false],
    ['SIGPIPE: its reader finished first', { status: 141 }, 'stopped-early', false],
    ['non-zero after broken-pipe noise', { status: 1, sawBrokenPipe: true }, 'stopped-early', false],
    ['non-zero after the engine stopped reading it', { status: 1, readerGone: true }, 'stopped-early', false],
    ['non-zero while the engine ends stages that ignored SIGPIPE', { status: 143, quietStop: true }, 'stopped-early', false],
    ['ended by the termination after another stage failed', { status: 143, terminating: true }, 'cancelled', false],
    ['exit 0 while terminating', { terminating: true }, 'succeeded', false],
    ['ended while the run is cancelled', { status: 143, cancelling: true }, 'cancelled', false],
    ['its own timeout fired', { status: 143, timedOut: true, terminating: true }, 'timed-out', false],
    ['timed out beats cancelled', { status: 137, timedOut: true, cancelling: true }, 'timed-out', false],
    ['ordered copy wrote more lines than it read', { brokeRule: true }, 'failed', true],
    ['ordered copy wrote fewer lines, otherwise fine', { fewerLines: true }, 'failed', true],
    ['ordered copy wrote fewer lines and failed on its own', { status: 2, fewerLines: true }, 'failed', false],
    ['ordered copy wrote fewer lines but stopped early', { status: 141, fewerLines: true }, 'stopped-early', false],
  ];
  for (const [what, facts, status, byRule] of table) {
    it(`${what} → ${status}${byRule ? " (by the engine's rule)" : ''}`, () => {
      expect(finalStatus({ ...base, ...facts })).toEqual({ status, byRule });
    });
  }
});

describe('decodeShellStatus', () => {
  it('trusts the wrapper: 129–192 is an exit code unless the stage was signalled', () => {
    expect(decodeShellStatus(137, false)).toEqual({ exitCode: 137 });
    expect(decodeShellStatus(137, true)).toEqual({ signal: 'SIGKILL' });
    expect(decodeShellStatus(3, false)).toEqual({ exitCode: 3 });
    expect(decodeShellStatus(143)).toEqual({ signal: 'SIGTERM' });
  });
});
