import { Commands as ServerCommands } from '../server/protocol';

/** Every command the extension contributes (package.json `contributes.commands` lists the same). */
export const Commands = {
  runPipeline: ServerCommands.runPipeline,
  runToStage: ServerCommands.runToStage,
  stop: 'pipewright.stop',
  rerun: 'pipewright.rerun',
  showRecords: 'pipewright.showRecords',
  showOutput: 'pipewright.showOutput',
  saveRecords: 'pipewright.saveRecords',
  newPipeline: 'pipewright.newPipeline',
  openExample: 'pipewright.openExample',
  showStageLog: 'pipewright.showStageLog',
  inspectEdge: 'pipewright.inspectEdge',
  showRun: 'pipewright.showRun',
  revealStage: 'pipewright.revealStage',
  exportTrace: 'pipewright.exportTrace',
  removeRun: 'pipewright.removeRun',
  clearHistory: 'pipewright.clearHistory',
  compareWithPrevious: 'pipewright.compareWithPrevious',
  compareRuns: 'pipewright.compareRuns',
  restartServer: 'pipewright.restartServer',
} as const;
