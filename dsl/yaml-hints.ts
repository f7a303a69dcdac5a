import { CST, isAlias, Parser, visit, type Document } from 'yaml';
import { problem, type Problem } from './problems';
import type { Span } from './span';
import { closest } from './suggest';
import { yamlScalar } from './yaml-text';

/**
 * Better places and words for what the yaml parser reports at the wrong spot or in its own
 * terms: a quote or bracket that is never closed (the parser notices at the end of the file), an
 * unquoted `: ` in a shell command (it reads as a nested key), and an alias without an anchor
 * (reported by no one: building the data throws).
 */

interface Opening {
  at: number;
  what: string;
  closer: string;
}

/** Every quote and flow bracket that is never closed, in source order, from the concrete syntax tree. */
function unclosedOpenings(text: string): Opening[] {
  const found: Opening[] = [];
  const consider = (token: CST.Token | undefined) => {
    if (!token || !('offset' in token)) return;
    if (token.type === 'flow-collection') {
      const opener = token.start.source;
      const closer = opener === '[' ? ']' : '}';
      if (!token.end.some((e) => e.source === closer)) found.push({ at: token.offset, what: `\`${opener}\``, closer: `\`${closer}\`` });
    } else if (token.type === 'double-quoted-scalar' || token.type === 'single-quoted-scalar') {
      const q = token.type === 'double-quoted-scalar' ? '"' : "'";
      const s = token.source;
      const closed = s.length >= 2 && s.endsWith(q) && !(q === '"' && /(^|[^\\])(\\\\)*\\"$/.test(s));
      if (!closed) found.push({ at: token.offset, what: `quote \`${q}\``, closer: `the closing \`${q}\`` });
    }
  };
  try {
    for (const token of new Parser().parse(text)) {
      CST.visit(token as CST.Document, (item) => {
        consider(item.key ?? undefined);
        consider(item.value);
      });
    }
  } catch {
    return []; // too deep to walk: keep the parser's own report
  }
  return found.sort((a, b) => a.at - b.at);
}

const commandLine = /^([ \t]*(?:-[ \t]+)?)(run|command)([ \t]*:[ \t]+)(.*)$/;

/** Words that mean the same to a shell and as argv items: no quotes, variables, globs, redirections or comments. */
const plainWords = /^[^'"\\$`|&;<>(){}*?~#]+$/;

/**
 * The ways to write a command holding `: ` that YAML reads as a string, each one key and value (`key: value`):
 * for `run:`, quoted, or a block scalar where quoting would need backslashes; for `command:` (a list), `run:` with
 * the command, or the argv list when its words are plain. In a flow mapping only one-line forms fit.
 */
function commandForms(key: string, raw: string, flow: boolean, indent: number): { title: string; text: string }[] {
  const quoted = yamlScalar(raw, flow);
  const block = !flow && quoted.includes('\\');
  const run = block ? `run: |\n${' '.repeat(indent + 2)}${raw}` : `run: ${quoted}`;
  const forms: { title: string; text: string }[] = [];
  if (key === 'run') forms.push({ title: block ? 'Write the command as a block (`run: |`)' : 'Quote the command', text: run });
  else {
    forms.push({ title: block ? 'Use `run: |` (a shell command) instead' : 'Use `run:` (a shell command) instead', text: run });
    const words = raw.split(/[ \t]+/);
    if (plainWords.test(raw))
      forms.push({ title: 'Write the command as an argv list', text: `command: [${words.map((w) => yamlScalar(w, true)).join(', ')}]` });
  }
  return forms;
}

/** The colon problem of a command `key` with unquoted value `raw`: the span `from`–`to` covers key and value. */
function colonProblem(key: string, raw: string, span: Span, valueStart: number, flow: boolean, indent: number): Problem {
  const forms = commandForms(key, raw, flow, indent);
  const where = flow ? ' inside `{ }`' : '';
  const run = forms[0]!.text.includes('\n') ? '`run: |` with the command on the next line, indented' : `\`${forms[0]!.text}\``;
  const advice =
    key === 'run'
      ? `Write it as ${run}.`
      : forms.length > 1
        ? `A \`command:\` is a list: write \`${forms[1]!.text}\`, or use a shell command, ${run}.`
        : `A \`command:\` is a list; use a shell command instead, ${run}.`;
  return problem(
    'yaml-syntax',
    { start: valueStart, end: span.end },
    `\`${key}:\` holds \`: \` in an unquoted value${where}, which YAML reads as a nested key. ${advice}`,
    forms.map((f) => ({ title: f.title, edits: [{ ...span, newText: f.text }] })),
  );
}

/** `run: jq -c '{id: .id}'`: a plain command holding `: ` on a line of its own. */
function colonInCommand(text: string, at: number): Problem | undefined {
  const lineStart = Math.max(text.lastIndexOf('\n', at - 1), -1) + 1;
  const eol = text.slice(lineStart).search(/\r?\n|\r|$/);
  const line = text.slice(lineStart, lineStart + eol);
  const m = commandLine.exec(line);
  if (!m) return undefined;
  const raw = m[4]!.replace(/[ \t]+#.*$/, '').trimEnd();
  if (raw === '' || /^["'|>[{&*!]/.test(raw) || !/:[ \t]/.test(raw)) return undefined;
  const keyStart = lineStart + m[1]!.length;
  const valueStart = keyStart + m[2]!.length + m[3]!.length;
  return colonProblem(m[2]!, raw, { start: keyStart, end: valueStart + raw.length }, valueStart, false, m[1]!.length);
}

/** `- { run: echo a: b }`: the same in a flow mapping, where the value ends at the next `,` or `}`. */
function colonInFlow(text: string, at: number): Problem | undefined {
  const lineStart = Math.max(text.lastIndexOf('\n', at - 1), -1) + 1;
  const before = text.slice(lineStart, at);
  const m = /[{,][ \t]*(run|command)([ \t]*:[ \t]+)$/.exec(before) ?? /[{,][ \t]*(run|command)([ \t]*:[ \t]+)[^,{}[\]\n]*$/.exec(before);
  if (!m) return undefined;
  const keyStart = lineStart + m.index + m[0].search(/run|command/);
  const valueStart = keyStart + m[1]!.length + m[2]!.length;
  const rest = /^[^,{}[\]\r\n]*/.exec(text.slice(valueStart))![0];
  const raw = rest.replace(/[ \t]+#.*$/, '').trimEnd();
  if (raw === '' || /^["'|>[{&*!]/.test(raw) || !/:[ \t]/.test(raw)) return undefined;
  return colonProblem(m[1]!, raw, { start: keyStart, end: valueStart + raw.length }, valueStart, true, 0);
}

/**
 * Clearer problems for the parser errors of one text: `hint(code, pos)` gives one, or undefined to
 * keep the parser's. The syntax tree is walked once, on the first error that needs it, however many
 * errors one unclosed bracket causes.
 */
export function syntaxHints(text: string): (code: string, pos: [number, number]) => Problem | undefined {
  let openings: Opening[] | undefined;
  return (code, pos) => {
    if (code === 'BLOCK_AS_IMPLICIT_KEY' || code === 'MULTILINE_IMPLICIT_KEY') return colonInCommand(text, pos[0]);
    if (code === 'BLOCK_IN_FLOW') return colonInFlow(text, pos[0]);
    if (code !== 'MISSING_CHAR' && code !== 'BAD_INDENT' && code !== 'UNEXPECTED_TOKEN') return undefined;
    openings ??= unclosedOpenings(text);
    // The innermost opening before the error: the last one that starts before it.
    const open = openings.findLast((o) => o.at < pos[0]);
    if (!open) return undefined;
    return problem('yaml-syntax', { start: open.at, end: open.at + 1 }, `This ${open.what} is never closed: add ${open.closer} where the value ends.`);
  };
}

/** The first alias that names no anchor before it, with the anchors defined before it as replacements. */
export function unresolvedAlias(doc: Document): Problem | undefined {
  const anchors = new Set<string>();
  let found: Problem | undefined;
  try {
    visit(doc, {
      Node: (_key, node) => {
        if (isAlias(node)) {
          if (!anchors.has(node.source) && node.range) {
            const span = { start: node.range[0], end: node.range[0] + 1 + node.source.length };
            const known = [...anchors];
            const near = closest(node.source, known);
            const offered = (near.length > 0 ? near : known).slice(0, 3);
            found = problem(
              'yaml-syntax',
              span,
              `\`*${node.source}\` names no anchor before it: define \`&${node.source}\` on an earlier value, or fix the name.` +
                (offered.length > 0 ? ` Did you mean \`*${offered[0]}\`?` : ''),
              offered.map((a) => ({ title: `Change to \`*${a}\``, edits: [{ ...span, newText: `*${a}` }] })),
            );
            return visit.BREAK;
          }
        } else if (node.anchor) anchors.add(node.anchor);
        return undefined;
      },
    });
  } catch {
    return undefined;
  }
  return found;
}
