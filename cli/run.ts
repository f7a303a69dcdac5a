import * as fs from 'node:fs';
import { loadPipeline, refusedRun, startRun, type EdgePeek, type RunHandle, type RunResult, type StageStats } from '../engine';
import { RunTimeline } from '../engine/timeline';
import { checkFiles, formatProblem } from './check';
import { ExitCode } from './exit-codes';
import { writeTraceFile } from './trace-file';
import { liveLine, peekLines, statsJson, summary } from './run-output';

export interface RunCommandOptions {
  to?: string;
  limit?: number;
  /** Stages whose output edge to tap: their record count and samples are printed at the end. */
  peek?: string[];
  statsJson?: string;
  /** Write the run as a Chrome trace event file (docs/stats.md). */
  trace?: string;
  quiet: boolean;
  statsIntervalMs?: number;
}

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

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

/** Problems of an invalid pipeline, exactly as `pipewright check` prints them. */
function problemLines(file: string, result: RunResult): string[] {
  if (result.error?.kind !== 'invalid-pipeline') return [];
  return checkFiles([file]).problems.map(formatProblem);
}

/**
 * `pipewright run FILE`: records on stdout, stage stderr and the summary on stderr (plus live
 * per-stage lines when stderr is a terminal). Exit 0 ok (stopped-early counts as ok), 1 a stage
 * failed, 2 refused (unreadable, invalid, bad option), 130 cancelled.
 */
export async function runCommand(file: string, options: RunCommandOptions, io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<ExitCode> {
  const loaded = loadPipeline(file);
  const controller = new AbortController();
  let handle: RunHandle;
  if (!loaded.ok) {
    handle = refusedRun(loaded.error, file);
  } else {
    for (const w of loaded.warnings) io.stderr.write(`pipewright: warning ${w.code}: ${w.message}\n`);
    handle = startRun(loaded.pipeline, {
      file,
      fileDir: loaded.fileDir,
      ...(options.to !== undefined ? { to: options.to } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.peek !== undefined ? { tap: options.peek } : {}),
      signal: controller.signal,
      statsIntervalMs: options.statsIntervalMs ?? 250,
      // `producer | pipewright run f` feeds the first stage; a terminal does not (it would wait on the keyboard).
      ...(process.stdin.isTTY ? {} : { stdinFd: 0 }),
    });
  }

  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // stdout's reader went away (`| head`): stop reading, like a shell pipeline, and exit 0.
  let stdoutGone = false;
  let wake: (() => void) | undefined;
  const onStdoutError = (e: NodeJS.ErrnoException) => {
    stdoutGone = true;
    if (e.code !== 'EPIPE') io.stderr.write(`pipewright: cannot write records to stdout: ${e.message}\n`);
    handle.stopReading();
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
  const nameWidth = () => Math.max(5, ...lastStats.map((s) => s.name.length));
  const erase = () => {
    if (drawn > 0) io.stderr.write(`\x1b[${drawn}F\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    if (!live || lastStats.length === 0) return;
    const w = nameWidth();
    const cols = io.stderr.columns || 120;
    erase();
    io.stderr.write(lastStats.map((s) => liveLine(s, w).slice(0, cols - 1)).join('\n') + '\n');
    drawn = lastStats.length;
  };

  let result: RunResult | undefined;
  const timeline = options.trace !== undefined ? new RunTimeline() : undefined;
  try {
    for await (const event of timeline ? timeline.recording(handle.events) : handle.events) {
      switch (event.type) {
        case 'records':
          await writeOut(event.data);
          break;
        case 'stderr':
          erase();
          io.stderr.write(`[${event.stage}] ${event.line}\n`);
          break;
        case 'stats':
          lastStats = event.stages;
          draw();
          break;
        case 'end':
          result = event.result;
          break;
        default:
          break;
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  result ??= await handle.result;
  erase();
  if (result.outcome === 'refused') {
    for (const line of problemLines(file, result)) io.stderr.write(`${line}\n`);
    io.stderr.write(`pipewright: ${result.error?.message ?? 'the pipeline was not run'}\n`);
  } else {
    if (result.error && result.outcome === 'failed') io.stderr.write(`pipewright: ${result.error.message}\n`);
    if (!options.quiet) for (const line of summary(result)) io.stderr.write(`${line}\n`);
    // Peeks go to stderr even with --quiet: they were asked for by name.
    for (const stage of new Set(options.peek ?? [])) {
      const peek: EdgePeek | undefined = handle.peek(stage);
      if (peek) for (const line of peekLines(peek)) io.stderr.write(`${line}\n`);
    }
  }
  if (options.statsJson !== undefined) {
    try {
      fs.writeFileSync(options.statsJson, `${JSON.stringify(statsJson(result), null, 2)}\n`);
    } catch (e) {
      io.stderr.write(`pipewright: cannot write --stats-json ${options.statsJson}: ${(e as Error).message}\n`);
    }
  }
  if (timeline && options.trace !== undefined) writeTraceFile(options.trace, timeline, { pipeline: loaded.ok ? loaded.pipeline.name : file, file }, io.stderr);
  if (!stdoutGone) io.stdout.off('error', onStdoutError);
  return exitCodeOf(result);
}
