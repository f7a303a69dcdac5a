/**
 * The `regex` of a `parse` stage, checked as the engine will compile it (JavaScript, no flags):
 * a syntax error, a Python-style `(?P<name>…)`, a group name that cannot be a field, no named
 * group at all (it would give no fields), and `types` naming a field the regex does not capture.
 * Each is underlined inside the string. Nothing runs: a pattern is compiled, and at most matched against ''.
 */
import { RegExpParser, visitRegExpAST } from '@eslint-community/regexpp';
import { isObject } from './build';
import { stageLabel, type Stage } from './model';
import { problem, type Fix, type Problem } from './problems';
import { partSpan, valueOffsets } from './scalar-offsets';
import type { Span } from './span';
import { locate } from './yaml-nodes';
import type { Document } from 'yaml';

/** The error of `new RegExp(source)` in this Node, or undefined when it compiles. */
function engineError(source: string): string | undefined {
  try {
    new RegExp(source);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** "Invalid regular expression: /x(/: Unterminated group" → "Unterminated group". */
function reason(message: string): string {
  const at = message.lastIndexOf('/: ');
  return at >= 0 ? message.slice(at + 3) : message;
}

/** The names of the named groups, by regexpp (which, unlike the engine, says where a syntax error is). */
function namedGroups(source: string): string[] | { index: number; message: string } {
  try {
    const names: string[] = [];
    visitRegExpAST(new RegExpParser({ ecmaVersion: 2024 }).parsePattern(source), {
      onCapturingGroupEnter(node) {
        if (node.name !== null) names.push(node.name);
      },
    });
    return names;
  } catch (err) {
    const e = err as { index?: number; message?: string };
    return { index: e.index ?? 0, message: reason(e.message ?? String(err)) };
  }
}

/** A name as the engine would take it: letters, digits, `_` and `$`, not starting with a digit. */
function fieldName(name: string): string {
  return name.replace(/[^\p{ID_Continue}$]/gu, '_').replace(/^(?=\d)/, '_');
}

export function regexProblems(doc: Document, text: string, stage: Stage, options: Record<string, unknown>): Problem[] {
  const source = options.regex;
  if (typeof source !== 'string' || source === '' || source.includes('${')) return [];
  const who = stageLabel(stage);
  const value = locate(doc, ['stages', stage.index, 'with', 'regex']).value;
  const offsets = valueOffsets(text, value, source);
  const at = (from: number, to: number): Span => (offsets ? partSpan(offsets, from, to) : value);
  const fixAt = (from: number, to: number, newText: string, title: string): Fix[] =>
    offsets ? [{ title, edits: [{ ...partSpan(offsets, from, to), newText }] }] : [];

  const broken = engineError(source);
  const found = namedGroups(source);
  if (broken !== undefined) {
    const python = /\(\?P</.exec(source);
    if (python) {
      const fix = fixAt(python.index, python.index + 4, '(?<', 'Write `(?<name>…)`');
      return [
        problem('bad-regex', at(python.index, python.index + 4), `${who}: \`(?P<name>…)\` is Python's named group; JavaScript writes \`(?<name>…)\`.`, fix),
      ];
    }
    if (Array.isArray(found)) return [problem('bad-regex', value, `${who}: the regex is not valid here: ${reason(broken)}.`)];
    if (/capture group name/.test(found.message)) {
      const open = source.lastIndexOf('(?<', found.index);
      const close = source.indexOf('>', found.index);
      if (open >= 0 && close > open) {
        const name = source.slice(open + 3, close);
        const fixed = fieldName(name);
        const fix =
          fixed !== name && engineError(source.slice(0, open + 3) + fixed + source.slice(close)) === undefined
            ? fixAt(open + 3, close, fixed, `Rename the group \`${fixed}\``)
            : [];
        return [
          problem(
            'bad-regex',
            at(open + 3, close),
            `${who}: \`${name}\` cannot name a group, so it cannot be a field: a group name is letters, digits, \`_\` and \`$\`, not starting with a digit (e.g. \`${fixed}\`).`,
            fix,
          ),
        ];
      }
    }
    if (/Duplicate capture group name/.test(found.message)) {
      const open = source.lastIndexOf('(?<', found.index - 1);
      const close = source.indexOf('>', open);
      return [
        problem('bad-regex', at(open + 3, close), `${who}: two groups are named \`${source.slice(open + 3, close)}\`; each field needs a name of its own.`),
      ];
    }
    return [problem('bad-regex', at(found.index, found.index + 1), `${who}: the regex is not valid: ${found.message}.`)];
  }
  // Where regexpp is stricter than this Node, the engine's own list: an empty alternative matches '' and lists every group.
  const names = Array.isArray(found) ? found : Object.keys(new RegExp(`${source}|`).exec('')?.groups ?? {});
  if (names.length === 0) {
    return [
      problem('bad-regex', value, `${who}: the regex has no named groups, so \`parse\` would give no fields. Name each part you want: \`(?<date>\\S+)\`.`),
    ];
  }
  const problems: Problem[] = [];
  if (isObject(options.types)) {
    const captured = new Set(names);
    for (const field of Object.keys(options.types)) {
      if (captured.has(field)) continue;
      const key = locate(doc, ['stages', stage.index, 'with', 'types', field]).key ?? value;
      problems.push(
        problem(
          'bad-option',
          key,
          `${who}: \`types\` names \`${field}\`, which the regex does not capture (its groups: ${[...captured].map((n) => `\`${n}\``).join(', ')}).`,
        ),
      );
    }
  }
  return problems;
}
