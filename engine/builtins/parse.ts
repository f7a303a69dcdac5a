/**
 * `parse`: a text field of each record (default `line`, as `read` with `format: lines` writes it)
 * into fields, by a regular expression's named groups or as logfmt / `key=value` pairs. The new
 * fields take the text field's place; the record's other fields stay. `types:` makes a field a
 * number or a timestamp. A record that does not match goes to `onError`: `fail`, `skip`, or
 * `keep` (passed on unchanged).
 */
import { convert, fieldTypes, NotConvertible, type FieldType } from './field-types';
import { keyValues, logfmt, Unparsed, type Fields } from './key-values';
import type { Options } from './options';
import { rawBytes } from './bytes';
import { eachRecord, RecordProblems, StageError, stdout } from './records';

export const options = ['regex', 'format', 'field', 'types', 'onError'] as const;

type Obj = Record<string, unknown>;

/** Compiles the pattern and lists its group names (the engine's own answer, whatever the checker thought). */
function compile(source: string): { re: RegExp; names: string[] } {
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch (err) {
    throw new StageError(`\`parse\`: the regex is not valid (${err instanceof Error ? err.message : String(err)}); fix \`regex\``, 2);
  }
  // An alternative that matches nothing lists every group, each undefined.
  const names = Object.keys(new RegExp(`${source}|`).exec('')?.groups ?? {});
  if (names.length === 0) throw new StageError('`parse`: the regex has no named groups, so it gives no fields; name each part, e.g. `(?<date>\\S+)`', 2);
  return { re, names };
}

/** Sets a field, also one named `__proto__` (an own field, as JSON.parse makes it, not the prototype). */
function set(obj: Obj, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Text into fields, or why it could not be. */
type Splitter = (text: string) => Fields | Unparsed;

function regexSplitter(re: RegExp, names: readonly string[]): Splitter {
  return (text) => {
    const groups = re.exec(text)?.groups;
    if (groups === undefined) return new Unparsed(`does not match the regex (\`${text.length > 60 ? `${text.slice(0, 60)}…` : text}\`)`);
    const fields: Fields = new Map();
    for (const name of names) fields.set(name, groups[name] ?? null);
    return fields;
  };
}

export async function run(opts: Options): Promise<void> {
  const source = opts.optionalString('regex');
  const format = opts.oneOf('format', ['logfmt', 'kv']);
  if ((source === undefined) === (format === undefined))
    throw new StageError('`parse` needs `regex` (named groups become fields) or `format: logfmt` or `kv`, not both', 2);
  const field = opts.optionalString('field') ?? 'line';
  const types = opts.stringMap('types', fieldTypes);
  let split: Splitter;
  if (source === undefined) split = format === 'logfmt' ? logfmt : keyValues;
  else {
    const { re, names } = compile(source);
    const unknown = Object.keys(types).filter((t) => !names.includes(t));
    if (unknown.length > 0)
      throw new StageError(`\`parse\`: \`types\` names ${unknown.map((t) => `\`${t}\``).join(', ')}, which the regex does not capture`, 2);
    split = regexSplitter(re, names);
  }
  const typed = Object.entries<FieldType>(types);
  const problems = new RecordProblems(opts.oneOf('onError', ['fail', 'skip', 'keep']) ?? 'fail', true);
  await eachRecord(
    problems,
    (r, n, _problems, buf, start, end, raw) => {
      const text = typeof r === 'object' && r !== null && !Array.isArray(r) ? (r as Obj)[field] : undefined;
      let fields: Fields | Unparsed =
        typeof text === 'string' ? split(text) : new Unparsed(text === undefined ? `has no \`${field}\` field` : `has a \`${field}\` that is not text`);
      for (let i = 0; i < typed.length && fields instanceof Map; i++) {
        const [name, type] = typed[i]!;
        if (!fields.has(name)) continue; // a key this record's logfmt does not have
        const value = fields.get(name);
        const converted = typeof value === 'string' || value === null ? convert(value ?? undefined, type) : new NotConvertible('not text');
        if (converted instanceof NotConvertible) fields = new Unparsed(`has \`${name}\` = \`${String(value)}\`, ${converted.why}`);
        else fields.set(name, converted);
      }
      if (!(fields instanceof Map)) {
        if (problems.report(n, fields.why, 'make `regex`, `format` or `types` fit such records')) stdout.pushLine(buf, start, end);
        return;
      }
      const out: Obj = {};
      for (const key of Object.keys(r as Obj)) {
        if (key === field) for (const [name, value] of fields) set(out, name, value);
        else if (!fields.has(key)) set(out, key, (r as Obj)[key]);
      }
      const json = `${JSON.stringify(out)}\n`;
      stdout.push(raw ? rawBytes(json) : json);
    },
    true,
  );
}
