/**
 * Every message about a stage, built in one place: each names the file, the stage (and which
 * worker copy) and what to do. Environment values never appear in them.
 */
import { filePrefix, runError, type RunError, type RunErrorKind } from './errors';
import { formatMs } from './format';

/** The stage (or copy) a message is about. */
export interface Who {
  file: string | undefined;
  stage: string;
  /** A copy of a stage with workers: 0-based, and how many there are. */
  copy?: { index: number; of: number };
}

export function label(who: Who): string {
  const copy = who.copy ? ` (worker ${who.copy.index + 1} of ${who.copy.of})` : '';
  return `${filePrefix(who.file)}stage \`${who.stage}\`${copy}`;
}

/** A stage that exited non-zero or was killed; `said` is the last line of its stderr. */
export function exitFailure(who: Who, end: { exitCode?: number; signal?: string }, said: string | undefined): string {
  const l = label(who);
  const tail = said ? `: ${said}` : '';
  if (end.signal) return `${l} was killed by ${end.signal}${tail}`;
  if (end.exitCode === 127) return `${l} failed with exit code 127 (a command was not found)${tail}; check the program name and PATH`;
  if (end.exitCode === 126) return `${l} failed with exit code 126 (a command could not be run)${tail}; check permissions and the working directory`;
  return `${l} failed with exit code ${end.exitCode}${tail}; see its stderr above`;
}

export function timedOut(who: Who, ms: number): string {
  return `${label(who)} timed out after ${formatMs(ms)}; raise its \`timeout\` or make it faster`;
}

/** A process that ended without its report (killed together with its segment). */
export function noReport(who: Who, said: string | undefined): string {
  return `${label(who)} ended without reporting its status${said ? `: ${said}` : ''}`;
}

/** An `ordered: true` copy that did not write one line per line it read. */
export function orderedMismatch(who: Who, what: string): string {
  const rule = '`ordered: true` needs a stage that writes exactly one line per line it reads (a map, not a filter or a splitter)';
  return `${label(who)} ${what}; ${rule}: remove \`ordered\` or change the stage`;
}

export function spawnFailed(file: string | undefined, e: Error): string {
  // A missing dist/native/…/pw-segment has its own message, which says what to do (segment.ts, missingProgram).
  return `${filePrefix(file)}cannot start the pipeline's processes: ${e.message}`;
}

/** The run's error for a stage (the stage with workers, not the copy, is the one named). */
export function stageError(kind: RunErrorKind, message: string, who: Who): RunError {
  return runError(kind, message, { file: who.file, stage: who.stage });
}
