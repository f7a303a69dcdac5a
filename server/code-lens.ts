import type { CodeLens } from 'vscode-languageserver';
import { rangeOf, type Analysis } from './analysis';
import { Commands, type RunPipelineArgs, type RunToStageArgs } from './protocol';

/**
 * "Run pipeline" above `stages:` and "Run to here" on each stage. The server only says where and
 * with which arguments; the client runs the commands (see protocol.ts).
 */
export function codeLenses(analysis: Analysis): CodeLens[] {
  const { pipeline } = analysis.result;
  if (!pipeline.stagesKeySpan || pipeline.stages.length === 0) return [];
  const runAll: RunPipelineArgs = [analysis.uri];
  const lenses: CodeLens[] = [
    { range: rangeOf(analysis.document, pipeline.stagesKeySpan), command: { title: '▶ Run pipeline', command: Commands.runPipeline, arguments: runAll } },
  ];
  for (const stage of pipeline.stages) {
    if (stage.span.end <= stage.span.start) continue;
    const args: RunToStageArgs = [analysis.uri, stage.name];
    lenses.push({
      range: rangeOf(analysis.document, stage.headSpan),
      command: { title: `▶ Run to here (${stage.name})`, command: Commands.runToStage, arguments: args },
    });
  }
  return lenses;
}
