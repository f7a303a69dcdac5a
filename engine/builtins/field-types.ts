/**
 * `types:` of `parse`: text captured from a log line made a number or a timestamp. A value that
 * cannot be converted is a record problem (the stage's `onError`), never a silent null.
 */

export const fieldTypes = ['number', 'timestamp'] as const;
export type FieldType = (typeof fieldTypes)[number];

/** What `convert` returns for text that is not of the type: why, for the record's message. */
export class NotConvertible {
  constructor(readonly why: string) {}
}

const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const epoch = /^\d+(?:\.\d+)?$/;
/** The common log format's time, as access logs write it: `10/Oct/2000:13:55:36 -0700`. */
const clfTime = /^(\d{1,2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{2})(\d{2})$/;
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function toNumber(text: string): number | NotConvertible {
  const n = Number(text);
  return decimal.test(text) && Number.isFinite(n) ? n : new NotConvertible('not a number');
}

/**
 * Milliseconds since 1970 of a time as logs write it: epoch seconds (13 digits or more:
 * milliseconds), the common log format, or anything `Date.parse` reads (ISO 8601 with or without
 * `T` and zone, RFC 2822); without a zone the time is local (the `TZ` of the run), as `date` reads it.
 */
function toTime(text: string): number | NotConvertible {
  if (epoch.test(text)) return Number(text) * (text.indexOf('.') < 0 && text.length >= 13 ? 1 : 1000);
  const clf = clfTime.exec(text);
  if (clf) {
    const [, d, mon, y, h, mi, s, zh, zm] = clf as unknown as string[];
    const month = months.indexOf(mon!);
    if (month < 0) return new NotConvertible('not a time');
    const offset = (zh!.startsWith('-') ? -1 : 1) * (Math.abs(Number(zh)) * 60 + Number(zm)) * 60_000;
    return Date.UTC(Number(y), month, Number(d), Number(h), Number(mi), Number(s)) - offset;
  }
  // Date.parse guesses a year for `Dec  7 10:00:00` (syslog): 2001. A time without one is refused.
  if (!/\d{4}/.test(text)) return new NotConvertible('a time without a year');
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? new NotConvertible('not a time') : ms;
}

/**
 * `text` as `type`: a number, or a timestamp as ISO 8601 text in UTC (`2026-12-07T10:02:32.000Z`:
 * it sorts and compares as text, and `new Date(r.time)` reads it back). Nothing captured (an
 * optional group that did not take part) and empty text are null.
 */
export function convert(text: string | undefined, type: FieldType): number | string | null | NotConvertible {
  if (text === undefined || text === '') return null;
  if (type === 'number') return toNumber(text);
  const ms = toTime(text);
  if (ms instanceof NotConvertible) return ms;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new NotConvertible('a time out of range') : date.toISOString();
}
