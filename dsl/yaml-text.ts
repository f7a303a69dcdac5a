import { Document, stringify } from 'yaml';

/**
 * `value` written as a YAML scalar that reads back as exactly this string, by the yaml library's
 * own stringifier (never a hand-made quoter): `null`, `true`, `~`, `1e3`, `a: b`, a leading
 * `*`, `&` or `!`, … come out quoted, `cat` stays plain. `flow` is for text inside `{ … }` or
 * `[ … ]`, where `,` and brackets need quotes too. Always one line.
 */
export function yamlScalar(value: string, flow = false): string {
  const options = { lineWidth: 0, blockQuote: false } as const;
  if (!flow || value.includes('\n')) return stringify(value, { ...options, ...(flow ? { defaultStringType: 'QUOTE_DOUBLE' } : {}) }).replace(/\n$/, '');
  const text = new Document([value]).toString({ ...options, collectionStyle: 'flow', flowCollectionPadding: false });
  return text.replace(/^\[/, '').replace(/\]\n$/, '');
}
