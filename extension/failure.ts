// How a failed run is told, the same in every place that tells it (notification, output panel,
// diagnostic, run panel): which stage, its exit code or signal, its last stderr lines. No vscode here.
import type { RunModel, StageView } from './run-model';

/** "exited with code 3", "was killed by SIGKILL", "timed out". */
export function endedHow(s: StageView): string {
  return s.status === 'timed-out' ? 'timed out' : s.signal ? `was killed by ${s.signal}` : `exited with code ${s.exitCode ?? '?'}`;
}

export interface FailureReport {
  stage: StageView;
  /** One line for a notification: pipeline, stage, exit, the last stderr line(s). */
  headline: string;
  /** The block the output panel ends with. */
  lines: string[];
}

const maxNotified = 300;

/** The stage that failed the run (the engine names it; else the first failed or timed-out one). */
export function failedStage(model: RunModel): StageView | undefined {
  const named = model.result?.failedStage;
  return model.stages.find((s) => s.name === named) ?? model.stages.find((s) => s.status === 'failed' || s.status === 'timed-out');
}

export function failureReport(model: RunModel): FailureReport | undefined {
  if (model.state !== 'failed') return undefined;
  const stage = failedStage(model);
  if (!stage) return undefined;
  const tail = stage.stderrTail.filter((l) => l.trim() !== '');
  const said = tail.slice(-2).join(' ⏎ ');
  const cut = said.length > maxNotified ? `${said.slice(0, maxNotified)}…` : said;
  const headline = `${model.pipelineName} failed: stage "${stage.name}" ${endedHow(stage)}${cut ? `: ${cut}` : ' (it wrote nothing to stderr)'}`;
  const lines = [`── FAILED at stage ${stage.name}: it ${endedHow(stage)}.`];
  if (tail.length > 0) lines.push(`   Its last stderr lines:`, ...tail.map((l) => `   │ ${l}`));
  else if (stage.message) lines.push(`   ${stage.message}`);
  return { stage, headline, lines };
}
