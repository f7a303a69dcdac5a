/**
 * `nul-character`: a value that reaches a process as an argument, an environment variable or a
 * path cannot hold a NUL (execve's and open's C strings end there), so the run could not start
 * it. Found here, where the value is, instead of as Node's internal error at run time.
 */
import type { Document } from 'yaml';
import { isObject } from './build';
import { builtins, isBuiltin } from './builtins';
import { stageLabel, type Pipeline } from './model';
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
  if (Array.isArray(raw.command)) raw.command.forEach((a, i) => hasNul(a) && paths.push(['command', i]));
  if (isObject(raw.env)) for (const k of Object.keys(raw.env)) if (hasNul(raw.env[k])) paths.push(['env', k]);
  if (typeof raw.use === 'string' && isBuiltin(raw.use) && isObject(raw.with))
    for (const option of Object.keys(builtins[raw.use].files)) if (hasNul(raw.with[option])) paths.push(['with', option]);
  return paths;
}

export function nulProblems(doc: Document, data: unknown, pipeline: Pipeline): Problem[] {
  const root = isObject(data) ? data : {};
  const found: { where: Path; key: Path; who: string }[] = [];
  const look = (who: string, base: Path, values: { path: Path; text: unknown }[]) => {
    for (const v of values) if (typeof v.text === 'string' && v.text.includes('\0')) found.push({ where: [...base, ...v.path], key: v.path, who });
  };
  look(
    'The pipeline',
    [],
    [{ path: ['cwd'], text: root.cwd }, ...(isObject(root.env) ? Object.entries(root.env).map(([k, v]) => ({ path: ['env', k], text: v })) : [])],
  );
  const raws = Array.isArray(root.stages) ? root.stages : [];
  for (const stage of pipeline.stages) {
    const raw: unknown = raws[stage.index];
    if (isObject(raw)) for (const path of stageNuls(raw)) found.push({ where: ['stages', stage.index, ...path], key: path, who: stageLabel(stage) });
  }
  return found.map(({ where, key, who }) =>
    problem(
      'nul-character',
      locate(doc, where).value,
      `${who}: \`${keyText(key)}\` holds a NUL character (\\0), which no program can be given: arguments, environment variables and paths end at the first NUL. Remove it; to pass binary data, send it on standard input.`,
    ),
  );
}
