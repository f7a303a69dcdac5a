/**
 * `parse` with `format: logfmt` or `format: kv`: text of `key=value` pairs into fields.
 *
 *   logfmt  the whole text is pairs separated by spaces, as Heroku's and Go's logfmt write them:
 *           `key=value`, `key="quoted \"text\""` (JSON escapes), `key=` (empty text) and a bare
 *           `key` (true). Anything else (a stray `"`, an unclosed quote) makes the record a problem.
 *   kv      the pairs are picked out of free text (`login failed user=bob ip=10.0.0.1`): words
 *           without `=` are ignored, pairs may also be separated by `,` or `;`, values may be
 *           quoted. A text without any pair is a problem.
 *
 * No library: the one on npm (`logfmt`) builds its result on a plain object (a `__proto__` key
 * would replace its prototype), concatenates text character by character and reports no errors.
 */

/** Field names and values: text, `true` for a bare key, and after `types:` numbers and nulls. */
export type Fields = Map<string, string | number | boolean | null>;

/** Why a text could not be parsed (not logfmt, no pair, no match), for the record's message. */
export class Unparsed {
  constructor(readonly why: string) {}
}

function unquote(quoted: string): string | undefined {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return undefined;
  }
}

const logfmtPair = / *([^ ="]+)(?:=("(?:[^"\\]|\\.)*"|[^ "]*))?(?= |$)/y;

export function logfmt(text: string): Fields | Unparsed {
  const fields: Fields = new Map();
  let at = 0;
  while (at < text.length) {
    if (text.charCodeAt(at) === 0x20) {
      at++;
      continue;
    }
    logfmtPair.lastIndex = at;
    const m = logfmtPair.exec(text);
    if (!m) return new Unparsed(`is not logfmt at column ${at + 1} (\`${text.slice(at, at + 20)}\`)`);
    const value = m[2];
    if (value === undefined) fields.set(m[1]!, true);
    else if (value.startsWith('"')) {
      const unquoted = unquote(value);
      if (unquoted === undefined) return new Unparsed(`has a bad escape in the quoted value of \`${m[1]!}\``);
      fields.set(m[1]!, unquoted);
    } else fields.set(m[1]!, value);
    at = logfmtPair.lastIndex;
  }
  return fields;
}

const kvPair = /([^\s=,;"]+)=("(?:[^"\\]|\\.)*"|[^\s,;"]*)/g;

export function keyValues(text: string): Fields | Unparsed {
  const fields: Fields = new Map();
  kvPair.lastIndex = 0;
  for (let m = kvPair.exec(text); m !== null; m = kvPair.exec(text)) {
    const value = m[2]!;
    fields.set(m[1]!, value.startsWith('"') ? (unquote(value) ?? value.slice(1, -1)) : value);
  }
  return fields.size > 0 ? fields : new Unparsed('holds no key=value pair');
}
