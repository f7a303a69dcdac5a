import { describe, expect, it } from 'vitest';
import { decodeShellStatus, finalStatus, statusWithoutReport, type StageFacts, type UnreportedFacts } from '../../../engine/status';

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

describe('statusWithoutReport: a stage that ended without its report (killed with its wrapper, or the report lost with its host)', () => {
  const none: UnreportedFacts = { brokeRule: false, hostLost: false, timedOut: false, ending: false, readerGone: false };
  const table: [string, Partial<UnreportedFacts>, string][] = [
    ['vanished while all was well', {}, 'failed'],
    ['its reader left first (report dropped with a session whose reader had gone)', { readerGone: true }, 'stopped-early'],
    ['cut off after the engine stopped reading', { readerGone: true }, 'stopped-early'],
    ['ended with the run cancelled, or failing elsewhere', { ending: true }, 'cancelled'],
    ['ending beats a reader that left', { ending: true, readerGone: true }, 'cancelled'],
    ['its timeout fired', { timedOut: true, ending: true }, 'timed-out'],
    ['its host connection was lost while its reader read', { hostLost: true }, 'failed'],
    // From here a reader that ended on the EOF of a lost connection looks like one that left first.
    ['its host connection was lost, the reader gone too', { hostLost: true, readerGone: true }, 'failed'],
    ['broke the ordered rule, then was killed with the run', { brokeRule: true, ending: true }, 'failed'],
  ];
  for (const [what, facts, status] of table) {
    it(`${what} → ${status}`, () => {
      expect(statusWithoutReport({ ...none, ...facts })).toBe(status);
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
