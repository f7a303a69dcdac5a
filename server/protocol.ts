/**
 * What the Pipewright language server and its clients (the VS Code extension, other editors)
 * agree on, defined once and imported by both sides. Types only come from the LSP packages, so
 * importing this file costs a client nothing at run time.
 */

/** `source` of every diagnostic the server publishes. */
export const diagnosticSource = 'pipewright';

/**
 * Commands carried by the server's code lenses. The server only says where and with what; the
 * client (the extension) registers and runs them.
 */
export const Commands = {
  /** Arguments: {@link RunPipelineArgs}. Lens above `stages:`. */
  runPipeline: 'pipewright.runPipeline',
  /** Arguments: {@link RunToStageArgs}. Lens on each stage: run the stages up to and including it. */
  runToStage: 'pipewright.runToStage',
} as const;

/** `[documentUri]` */
export type RunPipelineArgs = [uri: string];
/** `[documentUri, stageName]`; the name is the stage's `name`, or the derived name of an unnamed stage (as the dsl model gives it). */
export type RunToStageArgs = [uri: string, stageName: string];

/** `initializationOptions` the server understands; every field is optional. */
export interface InitializationOptions {
  /**
   * Base address of the DSL reference (docs/dsl.md); diagnostics link to `<docsUrl>#problem-<code>`.
   * Defaults to the docs/dsl.md next to the server bundle (`<bundle dir>/../docs/dsl.md`) as a file URI.
   */
  docsUrl?: string;
  /** Quiet time after the last edit before a document is checked, in ms (default 50). */
  diagnosticsDelayMs?: number;
}

/**
 * `Diagnostic.data` of every Pipewright diagnostic. Its fixes come from `textDocument/codeAction`,
 * where each is checked against the current text before it is offered.
 */
export interface DiagnosticData {
  /** Document version the diagnostic belongs to. */
  version: number;
}
