import { constants } from 'node:os';

/**
 * Where a stage is. `queued`: waiting for Slurm to start its job step (a stage on a Slurm cluster,
 * docs/remote.md#slurm). Ended statuses: `succeeded`, `failed`, `stopped-early` (it ended because its
 * reader — the next stage or the engine — finished first; not a failure), `cancelled` (the run
 * was cancelled, or ended by another stage's failure or timeout), `timed-out`.
 */
export type StageStatus = 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'stopped-early' | 'cancelled' | 'timed-out';

export const endedStatuses: ReadonlySet<StageStatus> = new Set(['succeeded', 'failed', 'stopped-early', 'cancelled', 'timed-out']);

/** Lines a program prints when its reader went away: noise once the stage has stopped early. */
const brokenPipeNoise = /broken pipe|\bEPIPE\b|connection reset|\bECONNRESET\b|BrokenPipeError|SIGPIPE/i;

export function isBrokenPipeNoise(line: string): boolean {
  return brokenPipeNoise.test(line);
}

const signalNames = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/**
 * A shell status (0–255, 128+N when killed by signal N) as exit code or signal name. The
 * segment says which it was (`signaled`, from the raw wait status), so a program that exits
 * with 129–192 on purpose is reported as the exit code it chose; without that word (a status
 * from elsewhere) 129–192 reads as a signal, as a shell would.
 */
export function decodeShellStatus(status: number, signaled?: boolean): { exitCode?: number; signal?: string } {
  if (signaled === false) return { exitCode: status };
  if (status > 128 && status < 128 + 65) {
    const name = signalNames.get(status - 128);
    if (name) return { signal: name };
  }
  return { exitCode: status };
}

export interface EndFacts {
  /**
   * Shell status of the stage (see decodeShellStatus). 141 is an early stop whether the stage
   * died of SIGPIPE or exited 141 because a command of its script did.
   */
  status: number;
  /** The stage printed broken-pipe noise on stderr. */
  sawBrokenPipe: boolean;
  /** The engine was terminating the run (another stage's failure or timeout) when it ended. */
  terminating: boolean;
  /** The run was being cancelled when it ended. */
  cancelling: boolean;
  /** This stage's timeout fired. */
  timedOut: boolean;
}

/**
 * How an ended stage is reported. SIGPIPE (or a non-zero exit with broken-pipe noise) means its
 * reader went away first: stopped early, as a shell user expects from `… | head`.
 */
export function classifyEnd(f: EndFacts): StageStatus {
  if (f.timedOut) return 'timed-out';
  if (f.cancelling) return 'cancelled';
  const { signal } = decodeShellStatus(f.status);
  if (f.status === 0) return 'succeeded';
  if (signal === 'SIGPIPE' || f.sawBrokenPipe) return 'stopped-early';
  if (f.terminating) return 'cancelled';
  return 'failed';
}

/** Everything that decides how an ended stage is reported (see finalStatus). */
export interface StageFacts extends EndFacts {
  /** Its reader went away first: the engine stopped reading it, or the segment after its relay ended. */
  readerGone: boolean;
  /** The engine stopped reading and ended the stages that ignored SIGPIPE, with no failure. */
  quietStop: boolean;
  /** The engine found it broke a rule while running (an `ordered` copy wrote more lines than it read). */
  brokeRule: boolean;
  /** An `ordered` copy wrote fewer lines than it read (found at its end; counts only if it otherwise succeeded). */
  fewerLines: boolean;
}

/**
 * The status of an ended stage, from the facts alone. `byRule`: the failure is the engine's
 * finding (a broken `ordered` rule), not the process's own status.
 */
export function finalStatus(f: StageFacts): { status: StageStatus; byRule: boolean } {
  const status = classifyEnd(f);
  if (f.brokeRule || (status === 'succeeded' && f.fewerLines)) return { status: 'failed', byRule: true };
  if (status === 'failed' && (f.readerGone || f.quietStop)) return { status: 'stopped-early', byRule: false };
  return { status, byRule: false };
}

/** What is known of a stage that ended without its report: killed together with its segment, or its report lost with its host's connection. */
export interface UnreportedFacts {
  /** The engine found it broke a rule while running (see StageFacts.brokeRule). */
  brokeRule: boolean;
  /** Its host's connection was lost (not ended by the engine) before the report came (engine/remote.ts). */
  hostLost: boolean;
  /** This stage's timeout fired. */
  timedOut: boolean;
  /** The run was being cancelled, or ended by another stage's failure or timeout. */
  ending: boolean;
  /** Its reader went away first, or the engine stopped reading and cut the stages off. */
  readerGone: boolean;
}

/**
 * The status of a stage that never reported. A lost connection fails it even after its reader
 * left: from here, a reader that ended on the EOF of a lost connection and one that left first
 * look alike, and "stopped early" must never hide records lost with a host. Otherwise the run's
 * own state decides; a stage that vanished while all was well failed.
 */
export function statusWithoutReport(f: UnreportedFacts): StageStatus {
  if (f.brokeRule || f.hostLost) return 'failed';
  if (f.timedOut) return 'timed-out';
  if (f.ending) return 'cancelled';
  if (f.readerGone) return 'stopped-early';
  return 'failed';
}
