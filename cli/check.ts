import * as path from 'node:path';
import { check, lineCol, type CheckResult, type Problem } from '../dsl';
import type { DslHost } from '../dsl/host';
import { nodeHost } from '../dsl/host-node';
import { plural } from '../engine/format';
import { readPipelineFile } from '../engine/load';
import { ExitCode } from './exit-codes';

export interface JsonProblem {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Problem['severity'];
  code: Problem['code'];
  message: string;
}

export interface CheckOutput {
  problems: JsonProblem[];
  unreadable: { file: string; reason: string }[];
}

/** One file checked: its problems with positions, or why it cannot be read. */
export type CheckedFile = { ok: true; problems: JsonProblem[]; result: CheckResult } | { ok: false; why: string };

/** Reads and checks one file as the language server would, with the real file system and PATH. */
export function checkFile(file: string, host: DslHost = nodeHost()): CheckedFile {
  const read = readPipelineFile(file);
  if (!read.ok) return read;
  const result = check(read.text, { file: path.resolve(file), host });
  const problems = result.problems.map((p): JsonProblem => {
    const start = lineCol(result.parsed.lineCounter, p.start);
    const end = lineCol(result.parsed.lineCounter, p.end);
    return { file, line: start.line, column: start.col, endLine: end.line, endColumn: end.col, severity: p.severity, code: p.code, message: p.message };
  });
  return { ok: true, problems, result };
}

/** Checks files as the language server would, with the real file system and PATH. */
export function checkFiles(files: readonly string[], host = nodeHost()): CheckOutput {
  const out: CheckOutput = { problems: [], unreadable: [] };
  for (const file of files) {
    const checked = checkFile(file, host);
    if (checked.ok) {
      out.problems.push(...checked.problems);
      continue;
    }
    out.unreadable.push({ file, reason: checked.why });
  }
  return out;
}

export function formatProblem(p: JsonProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.severity} ${p.code}: ${p.message}`;
}

/** `pipewright check`: 0 when no file has errors, 1 when one has, 2 when a file cannot be read. */
export function checkCommand(files: readonly string[], options: { json: boolean }, io = { stdout: process.stdout, stderr: process.stderr }): ExitCode {
  const { problems, unreadable } = checkFiles(files);
  for (const u of unreadable) io.stderr.write(`pipewright: cannot read ${u.file}: ${u.reason}\n`);
  if (options.json) {
    io.stdout.write(`${JSON.stringify(problems, null, 2)}\n`);
  } else if (problems.length > 0) {
    io.stdout.write(problems.map(formatProblem).join('\n') + '\n');
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.filter((p) => p.severity === 'warning').length;
    const filesWith = new Set(problems.map((p) => p.file)).size;
    io.stderr.write(`${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(filesWith, 'file')}\n`);
  }
  if (unreadable.length > 0) return ExitCode.Unreadable;
  return problems.some((p) => p.severity === 'error') ? ExitCode.Problems : ExitCode.Ok;
}
