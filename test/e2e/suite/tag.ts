/** Prefix of the suite's output lines, shared by the harness and the suite. */
export const suiteTag = '[pipewright-e2e] ';
