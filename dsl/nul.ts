/**
 * `nul-character`: a value that reaches a process as an argument, an environment variable or a
 * path cannot hold a NUL (execve's and open's C strings end there), so the run could not start
 * it. Found here, where the value is, instead of as Node's internal error at run time.
 */
import type { Document } from 'yaml';
import { isObject } from './build';
import { builtins, isBuiltin } from './builtins';
import { stageLabel, type Stage } from './model';
import { problem, type Problem } from './problems';
import { locate } from './yaml-nodes';

type Path = (string | number)[];

/** `command[1]`, `env.FOO`, `with.path`: where the value is, as the user wrote it. */
function keyText(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

const hasNul = (v: unknown) => typeof v === 'string' && v.includes('\0');

/**
 * Where a stage's strings that become argv, environment or paths hold a NUL: `run`, `command`, `env` values, `cwd`,
 * file options of a built-in. Looked at in place: a list of every value of every stage was most of this check's cost.
 */
function stageNuls(raw: Record<string, unknown>): Path[] {
  const paths: Path[] = [];
  if (hasNul(raw.run)) paths.push(['run']);
  if (hasNul(raw.cwd)) paths.push(['cwd']);
  if (Array.isArray(raw.command)) for (let i = 0; i < raw.command.length; i++) if (hasNul(raw.command[i])) paths.push(['command', i]);
  if (isObject(raw.env)) for (const k of Object.keys(raw.env)) if (hasNul(raw.env[k])) paths.push(['env', k]);
  if (typeof raw.use === 'string' && isBuiltin(raw.use) && isObject(raw.with))
    for (const option in builtins[raw.use].files) if (hasNul(raw.with[option])) paths.push(['with', option]);
  return paths;
}

const nulProblem = (doc: Document, where: Path, key: Path, who: string) =>
  problem(
    'nul-character',
    locate(doc, where).value,
    `${who}: \`${keyText(key)}\` holds a NUL character (\\0), which no program can be given: arguments, environment variables and paths end at the first NUL. Remove it; to pass binary data, send it on standard input.`,
  );

/** NULs in the pipeline's own `cwd` and `env`. */
export function pipelineNulProblems(doc: Document, data: unknown): Problem[] {
  const root = isObject(data) ? data : {};
  const paths: Path[] = [
    ...(hasNul(root.cwd) ? [['cwd']] : []),
    ...(isObject(root.env)
      ? Object.keys(root.env)
          .filter((k) => hasNul((root.env as Record<string, unknown>)[k]))
          .map((k) => ['env', k])
      : []),
  ];
  return paths.map((path) => nulProblem(doc, path, path, 'The pipeline'));
}

/** NULs in one stage's values. */
export function stageNulProblems(doc: Document, raw: Record<string, unknown>, stage: Stage): Problem[] {
  const paths = stageNuls(raw);
  return paths.length === 0 ? [] : paths.map((path) => nulProblem(doc, ['stages', stage.index, ...path], path, stageLabel(stage)));
}
