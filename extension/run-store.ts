// Starts runs through the engine and keeps their models; every view listens to this store.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { stagesToRun } from '../dsl';
import { loadPipeline, startRun, type EdgePeek, type RunHandle } from '../engine';
import { runStatsOf, type RunStats } from '../engine/compare/run-stats';
import { formatDuration, plural } from '../engine/format';
import { endedHow, failureReport, type FailureReport } from './failure';
import { RunTimeline } from '../engine/timeline';
import { settings } from './config';
import { Coalescer } from './coalescer';
import { modelOf, RunHistory, summaryOf, type RunSummary } from './history';
import { newestFirst } from './run-rows';
import { RecordKeeper } from './records/keeper';
import { replay, SpillFile, spilledIds, spillPath } from './records/spill';
import { RecordLines, RunModel, type Change } from './run-model';

export interface RunRequest {
  uri: vscode.Uri;
  /** "Run to here": the stages up to and including this one. */
  to?: string | undefined;
  /** Stages whose output edge is tapped: records counted and sampled (Inspect Edge). */
  tap?: string[] | undefined;
}

export interface StoreChange extends Change {
  model: RunModel;
}

/** Where each stage is in the file when the run started, for diagnostics and inline stats. */
export interface StageSpans {
  uri: vscode.Uri;
  /** Offsets of each stage's head (name or first key), by stage index. */
  heads: { start: number; end: number }[];
}

/** What the store keeps of each run it shows, beside the model. */
interface RunInfo {
  request: RunRequest;
  /** The records the output panel shows: kept for the latest run of each file only. */
  lines?: RecordLines;
  /** Stats over time (bounded); absent for runs restored from an earlier window. */
  timeline?: RunTimeline;
  spans?: StageSpans;
  /** Set while the run is going. */
  handle?: RunHandle;
  /** What the tapped edges held when the run ended. */
  finalPeeks?: Map<string, EdgePeek>;
  /** First, last and sampled records of the output (bounded): kept for the latest run of each file. */
  keeper?: RecordKeeper;
  /** The whole output on disk, while the run is in the history (`pipewright.records.keepOutput`). */
  spill?: SpillFile;
}

const historyKey = 'pipewright.runHistory';

export class RunStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StoreChange>();
  private readonly ended = new vscode.EventEmitter<RunModel>();
  private readonly started = new vscode.EventEmitter<RunModel>();
  private readonly removed = new vscode.EventEmitter<number[]>();
  private readonly failed = new vscode.EventEmitter<{ model: RunModel; failure: FailureReport }>();
  /** Fires when a run has failed, with what to tell the user (extension.ts notifies). */
  readonly onDidFail = this.failed.event;
  /** Fires when a run has started (not for refused runs). */
  readonly onDidStart = this.started.event;
  /**
   * Fires with the model (and what changed) once per refresh (`refreshMs`, and at once when a
   * run starts or ends), after the model's frame was taken: every view reads `model.frame`, so
   * they all show the same numbers.
   */
  readonly onDidChange = this.changed.event;
  /** Fires once per run, when it has ended and its processes are gone. */
  readonly onDidEnd = this.ended.event;
  /** Fires with the ids of runs that left the history (removed, or past `pipewright.history.maxRuns`). */
  readonly onDidRemove = this.removed.event;
  /** Every run in the history: this window's, and those restored from earlier windows (summaries only). */
  private readonly models = new Map<number, RunModel>();
  private readonly info = new Map<number, RunInfo>();
  private readonly history: RunHistory;
  private readonly restored = new Set<number>();
  private readonly records = new Map<string, vscode.OutputChannel>();
  private readonly logs = new Map<string, vscode.LogOutputChannel>();
  private nextId: number;
  /** The records of one older run, read back from its spill file for the records view. */
  private replayed: { id: number; keeper: Promise<RecordKeeper> } | undefined;
  /** Changes not shown yet, per run, shown at the next refresh (a few per second while runs go on). */
  private readonly pending = new Map<RunModel, Change>();
  private readonly pace = new Coalescer(() => this.refresh(), 200);
  /** Running runs' summaries are saved as they go, so a window reload keeps what they had done. */
  private readonly saving = new Coalescer(() => this.saveRunning(), 1000);

  constructor(
    private readonly failures: vscode.DiagnosticCollection,
    /** Where the history's summaries survive a window reload (the workspace state). */
    private readonly memento: vscode.Memento,
    /** Where runs' whole outputs are kept (the extension's storage); none: not kept. */
    private readonly spillDir?: string,
  ) {
    this.history = new RunHistory(settings().historyMaxRuns, memento.get<RunSummary[]>(historyKey, []));
    for (const summary of this.history.all()) {
      const model = modelOf(summary);
      this.models.set(model.id, model);
      this.info.set(model.id, { request: { uri: vscode.Uri.file(summary.file), to: summary.to } });
      this.restored.add(model.id);
    }
    this.nextId = this.history.maxId() + 1;
    // Outputs of runs that left the history while no window had it open.
    if (spillDir) for (const id of spilledIds(spillDir)) if (!this.models.has(id)) fs.rmSync(spillPath(spillDir, id), { force: true });
  }

  /** Every run kept, oldest first. */
  runs(): RunModel[] {
    return [...this.models.values()].sort((a, b) => a.id - b.id);
  }

  find(id: number): RunModel | undefined {
    return this.models.get(id);
  }

  /** Summaries of a pipeline file's runs, newest first. */
  historyOf(file: string): RunSummary[] {
    return this.history.ofFile(file);
  }

  /** Each stage's and edge's final numbers of an ended run: from its result, or its summary for a run of an earlier window. */
  statsOf(model: RunModel): RunStats | undefined {
    if (model.running) return undefined;
    return model.result ? (model.result.outcome === 'refused' ? undefined : runStatsOf(model.result)) : this.history.get(model.id)?.stats;
  }

  /** The run of the same pipeline file before this one, if the history still has it. */
  previousOf(model: RunModel): RunModel | undefined {
    return this.runs().findLast((m) => m.file === model.file && m.id < model.id);
  }

  /** A run from an earlier window: its summary only, no stats or records. */
  isRestored(model: RunModel): boolean {
    return this.restored.has(model.id);
  }

  /** The run's stats over time (runs of this window only). */
  timelineOf(model: RunModel): RunTimeline | undefined {
    return this.info.get(model.id)?.timeline;
  }

  /** Forgets an ended run (a running one is stopped first by the caller). */
  remove(ids: number[]): void {
    const gone = ids.filter((id) => !this.models.get(id)?.running && this.history.remove(id));
    this.forget(gone);
    this.save();
  }

  private forget(ids: number[]): void {
    if (ids.length === 0) return;
    for (const id of ids) {
      this.models.delete(id);
      this.info.delete(id);
      this.restored.delete(id);
      if (this.spillDir) fs.rmSync(spillPath(this.spillDir, id), { force: true });
      if (this.replayed?.id === id) this.replayed = undefined;
    }
    this.removed.fire(ids);
  }

  private record(model: RunModel): void {
    this.history.setMaxRuns(settings().historyMaxRuns);
    this.forget(this.history.put(summaryOf(model)));
    this.save();
  }

  private save(): void {
    void this.memento.update(historyKey, this.history.all());
  }

  /** `interrupted`: the window is closing, and the runs end with it. */
  private saveRunning(interrupted = false): void {
    const running = this.running();
    if (running.length === 0) return;
    for (const m of running) this.forget(this.history.put(summaryOf(m, interrupted)));
    this.save();
  }

  /** The newest run: the one the Stages view shows open. */
  newest(): RunModel | undefined {
    return newestFirst(this.runs())[0];
  }

  spansOf(id: number): StageSpans | undefined {
    return this.info.get(id)?.spans;
  }

  running(): RunModel[] {
    return this.runs().filter((m) => m.running);
  }

  requestOf(model: RunModel): RunRequest | undefined {
    return this.info.get(model.id)?.request;
  }

  /** The latest run of a pipeline file. */
  latestOf(file: string): RunModel | undefined {
    return this.runs().findLast((m) => m.file === file);
  }

  /** Count and recent records of the edge after `stage`, live or as the run left it. */
  peek(model: RunModel, stage: string): EdgePeek | undefined {
    const info = this.info.get(model.id);
    return info?.handle?.peek(stage) ?? info?.finalPeeks?.get(stage);
  }

  isTapped(model: RunModel, stage: string): boolean {
    return this.info.get(model.id)?.request.tap?.includes(stage) === true;
  }

  /**
   * First, last and sampled records of a run's output: kept in memory for the latest run of each
   * file; for an older run (or one from an earlier window) read back from its spill file.
   */
  async keeperOf(model: RunModel): Promise<RecordKeeper | undefined> {
    const kept = this.info.get(model.id)?.keeper;
    if (kept) return kept;
    const file = this.spillOf(model);
    if (!file) return undefined;
    if (this.replayed?.id !== model.id) {
      const keeper = new RecordKeeper(settings().recordsMaxKept);
      this.replayed = { id: model.id, keeper: replay(file, keeper).then(() => keeper) };
    }
    return this.replayed.keeper;
  }

  /** The file holding a finished run's whole output, if it was kept. */
  spillOf(model: RunModel): string | undefined {
    if (model.running || !this.spillDir || this.info.get(model.id)?.spill) return undefined; // still being written
    const file = spillPath(this.spillDir, model.id);
    return fs.existsSync(file) ? file : undefined;
  }

  /** The records text the output panel shows for a run (capped like the panel). */
  shownRecords(model: RunModel): string {
    return this.info.get(model.id)?.lines?.text ?? '';
  }

  /** The records of a pipeline file's runs: one channel per file, cleared on each run. */
  recordsChannel(model: RunModel): vscode.OutputChannel {
    return once(this.records, model.file, () => vscode.window.createOutputChannel(`Pipewright Records: ${model.pipelineName}`));
  }

  /** Stderr of every stage, tagged with the stage, one log channel per pipeline file. */
  logChannel(model: RunModel): vscode.LogOutputChannel {
    return once(this.logs, model.file, () => vscode.window.createOutputChannel(`Pipewright Log: ${model.pipelineName}`, { log: true }));
  }

  /**
   * Checks and starts a pipeline file; a file with errors is refused (its problems are already
   * in the Problems panel). Resolves with the model once the run has started or been refused.
   */
  async start(request: RunRequest): Promise<RunModel> {
    const file = request.uri.fsPath;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === request.uri.toString());
    if (doc?.isDirty) await doc.save();
    const previous = this.latestOf(file);
    if (previous?.running) this.stop(previous.id);
    // Only the latest run of a file keeps its records text (the output panel shows that run) and its kept records.
    if (previous) {
      delete this.info.get(previous.id)?.lines;
      delete this.info.get(previous.id)?.keeper;
    }
    const loaded = loadPipeline(file);
    const name = loaded.ok ? loaded.pipeline.name : path.basename(file);
    const model = new RunModel(this.nextId++, file, name, request.to, Date.now());
    const config = settings();
    const lines = new RecordLines(config.maxRecords);
    const info: RunInfo = { request, lines, timeline: new RunTimeline(), keeper: new RecordKeeper(config.recordsMaxKept) };
    this.models.set(model.id, model);
    this.info.set(model.id, info);
    this.failures.delete(request.uri);
    const records = this.recordsChannel(model);
    const log = this.logChannel(model);
    records.clear();
    if (config.revealOutput === 'always') records.show(true);
    if (!loaded.ok) {
      records.appendLine(`Not run: ${loaded.error.message}`);
      model.apply({
        type: 'end',
        result: { outcome: 'refused', ok: false, file, stages: [], edges: [], records: 0, bytes: 0, durationMs: 0, stoppedReading: false, error: loaded.error },
      });
      this.record(model);
      this.show(model, { run: true, stages: [] }, true);
      this.ended.fire(model);
      return model;
    }
    const handle = startRun(loaded.pipeline, {
      file,
      fileDir: loaded.fileDir,
      statsIntervalMs: config.statsIntervalMs,
      ...(config.countRecords ? {} : { counts: false }),
      ...(request.to !== undefined ? { to: request.to } : {}),
      ...(request.tap !== undefined ? { tap: request.tap } : {}),
    });
    // The run's stage i is the i-th stage it runs: with `to`, that stage and the ones it reads from.
    info.spans = { uri: request.uri, heads: (stagesToRun(loaded.pipeline, request.to) ?? loaded.pipeline.stages).map((s) => s.headSpan) };
    info.handle = handle;
    if (this.spillDir && config.keepOutput) info.spill = new SpillFile(spillPath(this.spillDir, model.id));
    log.info(`run ${model.id}: ${file}${request.to ? ` (to stage ${request.to})` : ''}`);
    this.record(model);
    this.show(model, { run: true, stages: [] }, true);
    this.started.fire(model);
    void this.drain(model, handle, records, log, lines, info);
    return model;
  }

  /** Reads the run's one event stream to its end; every consumer is fed from here. */
  private async drain(
    model: RunModel,
    handle: RunHandle,
    records: vscode.OutputChannel,
    log: vscode.LogOutputChannel,
    lines: RecordLines,
    info: RunInfo,
  ): Promise<void> {
    // Records reach the output channel a few times a second, not per chunk: each append makes a
    // visible Output view read and draw again (bench/typing.ts: typing lagged while they poured in).
    let unshown = '';
    const append = new Coalescer(() => {
      records.append(unshown);
      unshown = '';
    }, 250);
    try {
      for await (const event of info.timeline!.recording(handle.events)) {
        if (event.type === 'records') {
          const text = lines.take(event.data);
          if (text) {
            unshown += text;
            append.later();
          }
          info.keeper?.take(event.data);
          // Waits for the disk: the engine pauses the pipeline meanwhile, so memory stays flat.
          await info.spill?.write(event.data);
        } else if (event.type === 'stderr') {
          log.info(`[${event.stage}] ${event.line}`);
        } else if (event.type === 'status' && event.message && (event.status === 'failed' || event.status === 'timed-out')) {
          log.error(`[${event.stage}] ${event.message}`);
        }
        const change = model.apply(event);
        if (event.type === 'end') {
          info.keeper?.flush();
          this.keepPeeks(model, handle);
          append.cancel();
          const rest = unshown + lines.flush();
          unshown = '';
          if (rest) records.append(rest);
          records.appendLine(summaryLine(model, lines));
          const failure = failureReport(model);
          if (failure) {
            for (const l of failure.lines) records.appendLine(l);
            this.failed.fire({ model, failure });
          }
          this.reportFailure(model);
          if (this.models.has(model.id)) this.record(model);
        }
        if (change.run || change.stages.length > 0) this.show(model, change, event.type === 'end' || event.type === 'start');
      }
    } catch (e) {
      log.error(`run ${model.id}: reading its events failed: ${(e as Error).message}`);
    } finally {
      await handle.result;
      const spill = info.spill;
      if (spill) {
        const error = await spill.end();
        if (error) {
          log.warn(`run ${model.id}: its output could not be kept for Save All (${error.message})`);
          fs.rmSync(spill.file, { force: true });
        }
        delete info.spill;
      }
      delete info.handle;
      this.ended.fire(model);
    }
  }

  /** Queues a change for the next refresh (`now`: refresh at once, e.g. at a run's start and end). */
  private show(model: RunModel, change: Change, now: boolean): void {
    const queued = this.pending.get(model);
    if (queued) {
      queued.run ||= change.run;
      for (const i of change.stages) if (!queued.stages.includes(i)) queued.stages.push(i);
    } else this.pending.set(model, { run: change.run, stages: [...change.stages] });
    if (now) this.refresh();
    else this.pace.later();
  }

  /** One refresh: each changed run's frame is taken, then the views are told. */
  private refresh(): void {
    this.pace.cancel();
    const changes = [...this.pending];
    this.pending.clear();
    for (const [model] of changes) model.freeze();
    for (const [model, change] of changes) this.changed.fire({ model, ...change });
    if (changes.some(([model]) => model.running)) this.saving.later();
  }

  private keepPeeks(model: RunModel, handle: RunHandle): void {
    const info = this.info.get(model.id);
    if (!info?.request.tap) return;
    info.finalPeeks = new Map();
    for (const stage of info.request.tap) {
      const peek = handle.peek(stage);
      if (peek) info.finalPeeks.set(stage, peek);
    }
  }

  /** A failed stage becomes a diagnostic on its line: exit code or signal and the stderr tail. */
  private reportFailure(model: RunModel): void {
    const spans = this.spansOf(model.id);
    if (!spans || model.state !== 'failed') return;
    void vscode.workspace.openTextDocument(spans.uri).then((doc) => {
      const diagnostics = model.stages
        .filter((s) => s.status === 'failed' || s.status === 'timed-out')
        .map((s) => {
          const head = spans.heads[s.index] ?? { start: 0, end: 0 };
          const range = new vscode.Range(doc.positionAt(head.start), doc.positionAt(head.end));
          const how = endedHow(s);
          const tail = s.stderrTail.length > 0 ? `\n${s.stderrTail.join('\n')}` : '';
          const d = new vscode.Diagnostic(range, `Stage \`${s.name}\` ${how} in the last run.${tail}`, vscode.DiagnosticSeverity.Error);
          d.source = 'pipewright run';
          d.code = s.status === 'timed-out' ? 'stage-timed-out' : 'stage-failed';
          return d;
        });
      this.failures.set(spans.uri, diagnostics);
    });
  }

  stop(id: number): boolean {
    const handle = this.info.get(id)?.handle;
    handle?.cancel();
    return handle !== undefined;
  }

  stopAll(): void {
    for (const info of this.info.values()) info.handle?.cancel();
  }

  dispose(): void {
    this.saving.cancel();
    this.saveRunning(true);
    this.stopAll();
    this.pace.cancel();
    this.changed.dispose();
    this.ended.dispose();
    this.started.dispose();
    this.removed.dispose();
    this.failed.dispose();
    for (const c of [...this.records.values(), ...this.logs.values()]) c.dispose();
  }
}

function once<T>(map: Map<string, T>, key: string, create: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

function summaryLine(model: RunModel, lines: RecordLines): string {
  const r = model.result;
  const hidden = lines.hidden > 0 ? `; ${lines.hidden} more not shown (pipewright.output.maxRecords = ${lines.shown})` : '';
  const outcome = r?.outcome === 'succeeded' ? 'done' : r?.outcome === 'failed' ? 'failed' : (r?.outcome ?? 'ended');
  return `── ${outcome}: ${plural(model.records, 'record')} in ${formatDuration(model.elapsedMs)}${hidden}`;
}
