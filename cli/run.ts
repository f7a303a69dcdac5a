import * as fs from 'node:fs';
import * as path from 'node:path';
import { constants } from 'node:os';
import * as tty from 'node:tty';
import {
  invalidPipelineError,
  refusedRun,
  startRun,
  unreadableError,
  type EdgePeek,
  type Progress,
  type RunHandle,
  type RunResult,
  type StageStats,
} from '../engine';
import { runError } from '../engine/errors';
import { RunTimeline } from '../engine/timeline';
import { checkFile, formatProblem, type JsonProblem } from './check';
import { ExitCode } from './exit-codes';
import { OutputFile } from './out-file';
import { writeTraceFile } from './trace-file';
import { liveHeadline, liveLine, peekLines, statsJson, summary } from './run-output';

export interface RunCommandOptions {
  to?: string | undefined;
  limit?: number | undefined;
  /** Stages whose output edge to tap: their record count and samples are printed at the end. */
  peek?: string[] | undefined;
  statsJson?: string | undefined;
  /** Write the run as a Chrome trace event file (docs/stats.md). */
  trace?: string | undefined;
  quiet: boolean;
  statsIntervalMs?: number;
  /** Count records on every edge (default true; `--no-counts` turns it off). */
  counts?: boolean;
}

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Signals that cancel a run; the command then exits 128 + N, as a shell reports a process killed by N. */
const cancellingSignals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

export function exitCodeOf(result: RunResult): ExitCode {
  switch (result.outcome) {
    case 'succeeded':
      return ExitCode.Ok;
    case 'failed':
      return ExitCode.Problems;
    case 'cancelled':
      return ExitCode.Cancelled;
    case 'refused':
      return ExitCode.Unreadable;
  }
}

/**
 * After a hang-up the terminal cannot be reset, and Node's own reset of stdio at exit would
 * abort the process (it asserts that tcsetattr works); it skips descriptors that were closed.
 */
function releaseTerminal(): void {
  for (const fd of [0, 1, 2]) {
    try {
      if (fs.fstatSync(fd).isCharacterDevice()) fs.closeSync(fd);
    } catch {
      // already closed
    }
  }
}

/**
 * `pipewright run FILE`: records on stdout, stage stderr and the summary on stderr (plus live
 * per-stage lines when stderr is a terminal). Exit codes: see docs/cli.md.
 */
export async function runCommand(file: string, options: RunCommandOptions, io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<ExitCode> {
  // stderr may be a terminal that hangs up: nothing more can be said there, and that must not crash the run.
  io.stderr.on('error', () => {});
  const say = (line: string) => io.stderr.write(`${line}\n`);
  const outputs: { statsJson?: OutputFile; trace?: OutputFile } = {};
  for (const [key, flag] of [
    ['statsJson', '--stats-json'],
    ['trace', '--trace'],
  ] as const) {
    const file = options[key];
    if (file === undefined) continue;
    const opened = OutputFile.open(file);
    if (opened instanceof OutputFile) outputs[key] = opened;
    else {
      say(`pipewright: cannot write ${flag} ${file}: ${opened.why}; nothing was run`);
      outputs.statsJson?.close();
      return ExitCode.Unreadable;
    }
  }

  // Signal handlers are in place before the first process starts. A second signal does not wait
  // for the run to end: on exit, every segment is hung up (engine/segment.ts) and ends its stages.
  const controller = new AbortController();
  let signalled: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const n = constants.signals[signal];
    if (signal === 'SIGHUP') process.once('exit', releaseTerminal);
    if (signalled !== undefined) process.exit(128 + n);
    signalled = n;
    controller.abort();
  };
  for (const s of cancellingSignals) process.on(s, onSignal);

  try {
    const checked = checkFile(file);
    let handle: RunHandle;
    let problems: JsonProblem[] = [];
    if (!checked.ok) handle = refusedRun(unreadableError(file, checked.why), file);
    else if (!checked.result.ok) {
      problems = checked.problems;
      handle = refusedRun(invalidPipelineError(file, checked.result.problems), file);
    } else {
      for (const w of checked.result.problems) say(`pipewright: warning ${w.code}: ${w.message}`);
      handle = startRun(checked.result.pipeline, {
        file,
        fileDir: path.dirname(path.resolve(file)),
        to: options.to,
        limit: options.limit,
        tap: options.peek,
        signal: controller.signal,
        statsIntervalMs: options.statsIntervalMs ?? 250,
        ...(options.counts === false ? { counts: false } : {}),
        // `producer | pipewright run f` feeds the first stage; a terminal does not (it would wait on the keyboard).
        stdinFd: tty.isatty(0) ? undefined : 0,
      });
    }
    const name = checked.ok && checked.result.ok ? checked.result.pipeline.name : file;
    const code = await report(file, name, handle, problems, options, outputs, io);
    return signalled !== undefined ? 128 + signalled : code;
  } finally {
    for (const s of cancellingSignals) process.off(s, onSignal);
  }
}

/** Drains the run: records to stdout, stderr lines, live stats, then the summary; returns the exit code. */
async function report(
  file: string,
  pipeline: string,
  handle: RunHandle,
  problems: JsonProblem[],
  options: RunCommandOptions,
  outputs: { statsJson?: OutputFile; trace?: OutputFile },
  io: Io,
): Promise<ExitCode> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  // stdout's reader went away (`| head`): stop reading, like a shell pipeline, and exit 0. Any
  // other write error (a full disk, a file size limit) fails the run: the records are not all there.
  let stdoutGone = false;
  let stdoutError: Error | undefined;
  let wake: (() => void) | undefined;
  const onStdoutError = (e: NodeJS.ErrnoException) => {
    if (stdoutGone) return;
    stdoutGone = true;
    if (e.code === 'EPIPE') handle.stopReading();
    else {
      stdoutError = e;
      handle.cancel();
    }
    wake?.();
  };
  io.stdout.on('error', onStdoutError);
  const writeOut = async (data: Buffer) => {
    if (stdoutGone) return;
    if (io.stdout.write(data)) return;
    await new Promise<void>((resolve) => {
      wake = resolve;
      io.stdout.once('drain', resolve);
    });
    wake = undefined;
  };

  const live = !options.quiet && io.stderr.isTTY === true;
  let drawn = 0;
  let lastStats: StageStats[] = [];
  let lastProgress: Progress | undefined;
  const erase = () => {
    if (drawn > 0) io.stderr.write(`\x1b[${drawn}F\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    if (!live || lastStats.length === 0) return;
    const w = Math.max(5, ...lastStats.map((s) => s.name.length));
    const cols = io.stderr.columns || 120;
    erase();
    const lines = [...(lastProgress ? [liveHeadline(lastProgress)] : []), ...lastStats.map((s) => liveLine(s, w))];
    io.stderr.write(lines.map((l) => l.slice(0, cols - 1)).join('\n') + '\n');
    drawn = lines.length;
  };

  const timeline = options.trace !== undefined ? new RunTimeline() : undefined;
  for await (const event of timeline ? timeline.recording(handle.events) : handle.events) {
    if (event.type === 'records') await writeOut(event.data);
    else if (event.type === 'stderr') {
      erase();
      say(`[${event.stage}] ${event.line}`);
    } else if (event.type === 'stats') {
      lastStats = event.stages;
      lastProgress = event.progress;
      draw();
    }
  }
  let result = await handle.result;
  // The last records may still be on their way to a slow or failing stdout.
  if (!stdoutGone) await new Promise<void>((resolve) => io.stdout.write('', () => resolve()));
  io.stdout.off('error', onStdoutError);
  erase();
  if (stdoutError) {
    const error = runError('stage-failed', `${file}: cannot write records to standard output: ${stdoutError.message}; the output is incomplete`, { file });
    result = { ...result, outcome: 'failed', ok: false, error };
  }
  if (result.outcome === 'refused') {
    for (const p of problems) say(formatProblem(p));
    say(`pipewright: ${result.error?.message ?? 'the pipeline was not run'}`);
  } else {
    if (result.error && result.outcome === 'failed') say(`pipewright: ${result.error.message}`);
    if (!options.quiet) for (const line of summary(result)) say(line);
    // Peeks go to stderr even with --quiet: they were asked for by name.
    for (const stage of new Set(options.peek ?? [])) {
      const peek: EdgePeek | undefined = handle.peek(stage);
      if (peek) for (const line of peekLines(peek)) say(line);
    }
  }
  if (outputs.statsJson) {
    const failed = outputs.statsJson.write(`${JSON.stringify(statsJson(result), null, 2)}\n`);
    if (failed !== undefined) {
      say(`pipewright: cannot write --stats-json ${outputs.statsJson.file}: ${failed}`);
      outputs.trace?.close();
      if (result.ok) return ExitCode.Problems;
    }
  }
  if (timeline && outputs.trace) writeTraceFile(outputs.trace, timeline, { pipeline, file }, io.stderr);
  return exitCodeOf(result);
}
