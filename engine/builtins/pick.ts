/**
 * `pick`: keeps only the named fields, in the given order. A dotted name reaches into nested
 * objects and keeps the nesting: `address.city` gives `{"address":{"city":…}}`. Fields a record
 * lacks are left out (never written as null).
 */
import type { Options } from './options';
import { eachRecord, RecordProblems, stdout } from './records';

export const options = ['fields', 'onError'] as const;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null;
}

/** Builds the picked record; keys are copied with `Object.hasOwn`, into objects without a prototype. */
export function picker(fields: readonly string[]): (r: Obj) => Obj {
  const paths = fields.map((f) => f.split('.'));
  return (r) => {
    const out: Obj = Object.create(null) as Obj;
    /** Objects made here for dotted names (others are copied values and stay untouched). */
    const made = new Set<Obj>();
    for (const path of paths) {
      let from: unknown = r;
      let found = true;
      for (const key of path) {
        if (isObject(from) && Object.hasOwn(from, key)) from = from[key];
        else {
          found = false;
          break;
        }
      }
      if (!found) continue;
      let to = out;
      let ok = true;
      for (let i = 0; i < path.length - 1; i++) {
        const key = path[i]!;
        const next = to[key];
        if (next === undefined) {
          const obj = Object.create(null) as Obj;
          made.add(obj);
          to[key] = obj;
          to = obj;
        } else if (isObject(next) && made.has(next)) to = next;
        else {
          ok = false; // a shorter name already copied this whole value
          break;
        }
      }
      if (ok) to[path[path.length - 1]!] = from;
    }
    return out;
  };
}

export async function run(opts: Options): Promise<void> {
  const pick = picker(opts.stringList('fields'));
  await eachRecord(new RecordProblems(opts.oneOf('onError', ['fail', 'skip']) ?? 'fail'), (r, n, problems) => {
    if (!isObject(r) || Array.isArray(r)) {
      problems.report(
        n,
        `is ${Array.isArray(r) ? 'an array' : r === null ? 'null' : `a ${typeof r}`}, not an object with fields`,
        'pick works on JSON objects',
      );
      return;
    }
    stdout.push(JSON.stringify(pick(r)));
    stdout.push('\n');
  });
}
