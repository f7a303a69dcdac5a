// A record's key and the fields two versions of a record differ in, for the records diff.
// Records are JSON objects; nested fields are named by dotted paths (`user.name`), as the
// records view names its columns.

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The value at a dotted path (`user.id`), or undefined. A field whose own name has a dot is found too. */
function at(record: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path];
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  const head = record[path.slice(0, dot)];
  return isObject(head) ? at(head, path.slice(dot + 1)) : undefined;
}

/** The key's value as JSON (one line, no tabs), or undefined when the line is not a JSON object holding it. */
export function keyOf(line: string, key: string): string | undefined {
  const record = parseObject(line);
  const v = record && at(record, key);
  return v === undefined ? undefined : JSON.stringify(v);
}

/** Dotted paths of the fields whose values differ (added and removed fields included), in the order they appear. */
export function changedFields(lineA: string, lineB: string): string[] {
  const a = parseObject(lineA);
  const b = parseObject(lineB);
  if (!a || !b) return lineA === lineB ? [] : ['(line)'];
  const out: string[] = [];
  const walk = (x: Record<string, unknown>, y: Record<string, unknown>, prefix: string) => {
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      const vx = x[k];
      const vy = y[k];
      const path = prefix + k;
      if (isObject(vx) && isObject(vy)) walk(vx, vy, `${path}.`);
      else if (JSON.stringify(vx) !== JSON.stringify(vy)) out.push(path);
    }
  };
  walk(a, b, '');
  return out;
}
