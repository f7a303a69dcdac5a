/** What `pipewright` exit codes mean; docs/cli.md lists them for users. */
export const enum ExitCode {
  /** Checked clean, or the run succeeded (stages stopped early by downstream count as success). */
  Ok = 0,
  /** `check`: a file has errors. `run`: a stage failed. */
  Problems = 1,
  /** A file cannot be read, the pipeline is invalid, or the command line is wrong. */
  Unreadable = 2,
  /** The run was cancelled (SIGINT; signal N gives 128 + N, see cli/run.ts). */
  Cancelled = 130,
}
