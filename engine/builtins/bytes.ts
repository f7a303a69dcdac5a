/**
 * Keeping bytes that are not UTF-8 as they are. Text read from a file or a record is normally
 * decoded as UTF-8, which replaces every bad byte by U+FFFD: a log with a Latin-1 name in it would
 * come out changed. Where that matters, such text is decoded one character per byte ("latin1")
 * instead: JSON.parse, RegExp and JSON.stringify work on it as on any string, and encoding the
 * result one byte per character gives back the original bytes.
 */
import { isUtf8 } from 'node:buffer';

/** Characters that no byte decodes to: they came from `\u` escapes in the JSON, not from the bytes. */
// UTF-16 units, not code points: a surrogate pair becomes two `\u` escapes, as JSON writes it.
const beyondBytes = /[\u0100-\uffff]/g;
const beyondByte = /[\u0100-\uffff]/;

/** The bytes of text made from a line decoded one character per byte (see `RecordHandler`'s `raw`). */
export function rawBytes(text: string): Buffer {
  // Characters no byte decodes to can only sit inside JSON strings: written as escapes, they stay the same value.
  return Buffer.from(
    text.replace(beyondBytes, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    'latin1',
  );
}

/**
 * A string read one character per byte, as ordinary text when its bytes are valid UTF-8 (so the
 * same word from a valid and from a broken line is the same string), else undefined.
 */
export function asText(raw: string): string | undefined {
  if (beyondByte.test(raw)) return undefined;
  const bytes = Buffer.from(raw, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}
