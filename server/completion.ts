import {
  CompletionItemKind,
  InsertTextFormat,
  InsertTextMode,
  MarkupKind,
  type CompletionItem,
  type MarkupContent,
  type Position,
  type Range,
} from 'vscode-languageserver';
import { isBuiltin, type BuiltinName, type Pipeline } from '../dsl';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { lineText as lineOf } from './analysis';
import { hostCompletions, hostItems } from './hosts';
import {
  builtinList,
  builtinMarkdown,
  hostKeyDocs,
  keyDocAt,
  keyMarkdown,
  optionDocs,
  pipelineKeyDocs,
  slurmKeyDocs,
  stageKeyDocs,
  type KeyDoc,
} from './schema-docs';
import { shownValue, stageAt, variablesAt, type VariableInfo } from './variables';
import { ancestors, blockEnd, childColumn, itemContentColumn, keysAt, lineInfo, lineLead, pathNames, type LineInfo, type Lines } from './yaml-context';

export interface CompletionOptions {
  /** The client understands snippet syntax (`${1:name}`); otherwise plain text is inserted. */
  snippets: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

/** Snippet text as plain text: placeholders become their defaults, tab stops disappear. */
export function plainText(snippet: string): string {
  return snippet
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '')
    .replace(/\\([$}\\])/g, '$1');
}

function insert(item: CompletionItem, range: Range, text: string, snippet: boolean, options: CompletionOptions): CompletionItem {
  const isSnippet = snippet && options.snippets;
  item.textEdit = { range, newText: isSnippet ? text : plainText(text) };
  item.insertTextFormat = isSnippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText;
  // Multi-line texts are indented here, exactly; the client must not indent them again.
  if (text.includes('\n')) item.insertTextMode = InsertTextMode.asIs;
  return item;
}

function docs(value: string): MarkupContent {
  return { kind: MarkupKind.Markdown, value };
}

/** `key: ` with a placeholder fitting the key's type; block mappings open an indented line. */
function keyInsertText(doc: KeyDoc, childIndent: string): string {
  const type = Array.isArray(doc.type) ? doc.type[0] : doc.type;
  if (doc.name === 'stages') return `stages:\n${childIndent}- run: \${1:cat}`;
  if (type === 'object' || doc.name === 'env' || doc.name === 'with') return `${doc.name}:\n${childIndent}\${1:key}: \${2:value}`;
  if (type === 'array') return `${doc.name}: [\${1}]`;
  if (doc.enum) return `${doc.name}: \${1|${doc.enum.join(',')}|}`;
  if (type === 'boolean') return `${doc.name}: \${1|true,false|}`;
  return `${doc.name}: $1`;
}

interface KeyContext {
  lines: Lines;
  line: number;
  column: number;
  range: Range;
  /** The word is already followed by `:`: replace the word only. */
  keyOnly: boolean;
}

/** `with:` for a stage whose built-in is known: its required options (else its first), each with a placeholder. */
function withInsertText(builtin: BuiltinName, childIndent: string): string {
  const all = optionDocs(builtin);
  const wanted = all.filter((d) => d.required).length > 0 ? all.filter((d) => d.required) : all.slice(0, 1);
  const lines = wanted.map((d, i) => {
    const example = d.examples?.[0];
    const shown = typeof example === 'string' || typeof example === 'number' ? String(example).replace(/[$}\\]/g, '\\$&') : '';
    const type = Array.isArray(d.type) ? d.type[0] : d.type;
    return type === 'array' ? `${d.name}: [$${i + 1}]` : `${d.name}: \${${i + 1}${shown ? `:${shown}` : ''}}`;
  });
  return lines.length > 0 ? `with:\n${childIndent}${lines.join(`\n${childIndent}`)}` : 'with:';
}

function keyItems(
  ctx: KeyContext,
  docsList: readonly KeyDoc[],
  present: Map<string, number>,
  options: CompletionOptions,
  sortPrefix: string,
  builtin?: BuiltinName,
): CompletionItem[] {
  const childIndent = ' '.repeat(ctx.column + 2);
  return docsList
    .filter((d) => !present.has(d.name) || present.get(d.name) === ctx.line)
    .map((d, i) => {
      const item: CompletionItem = {
        label: d.name,
        kind: CompletionItemKind.Property,
        documentation: docs(keyMarkdown(d)),
        sortText: `${sortPrefix}${String(i).padStart(2, '0')}`,
      };
      if (d.description) item.detail = d.description.split(/(?<=\.)\s/)[0]!;
      if (ctx.keyOnly) return insert(item, ctx.range, d.name, false, options);
      return insert(item, ctx.range, d.name === 'with' && builtin ? withInsertText(builtin, childIndent) : keyInsertText(d, childIndent), true, options);
    });
}

/** New-stage snippets; `indent` is the column of the stage's keys, `dash` whether to write the `- `. */
function stageSnippets(range: Range, keyColumn: number, dash: boolean, options: CompletionOptions): CompletionItem[] {
  const pad = ' '.repeat(keyColumn);
  const lead = dash ? '- ' : '';
  const shapes: { label: string; body: string[] }[] = [
    { label: 'stage: run a shell command', body: ['name: ${1:name}', "run: ${2:grep 'pattern'}"] },
    { label: 'stage: run a program (argv)', body: ['name: ${1:name}', 'command: [${2:node}, ${3:script.js}]'] },
    { label: 'stage: use a built-in', body: ['name: ${1:name}', 'use: ${2|' + builtinList.join(',') + '|}'] },
  ];
  return shapes.map((s, i) => {
    const text = lead + s.body.join(`\n${pad}`);
    const item: CompletionItem = {
      label: s.label,
      kind: CompletionItemKind.Snippet,
      detail: 'New stage',
      sortText: `0${i}`,
      documentation: docs(`\`\`\`yaml\n${plainText(lead + s.body.join('\n' + ' '.repeat(lead.length)))}\n\`\`\``),
    };
    return insert(item, range, text, true, options);
  });
}

function valueItems(
  values: readonly string[],
  range: Range,
  options: CompletionOptions,
  kind: CompletionItemKind,
  lead: string,
  describe?: (v: string) => string | undefined,
): CompletionItem[] {
  return values.map((v, i) => {
    const item: CompletionItem = { label: v, kind, sortText: String(i).padStart(2, '0') };
    const d = describe?.(v);
    if (d) item.documentation = docs(d);
    if (lead) item.filterText = `${lead}${v}`;
    return insert(item, range, `${lead}${v}`, false, options);
  });
}

/** Names of the stages before the one at `offset`: what `input:` may name. */
function inputItems(document: TextDocument, pipeline: Pipeline, position: Position, range: Range, lead: string, options: CompletionOptions): CompletionItem[] {
  const stage = stageAt(pipeline, document.offsetAt(position));
  const earlier = stage ? pipeline.stages.slice(0, stage.index) : [];
  const describe = (name: string) => earlier.find((s) => s.name === name)?.description;
  return valueItems(earlier.map((s) => s.name).reverse(), range, options, CompletionItemKind.Reference, lead, describe);
}

function variableItems(vars: VariableInfo[], range: Range, close: boolean, options: CompletionOptions): CompletionItem[] {
  const rank = { 'stage env': '0', 'pipeline env': '1', environment: '2' } as const;
  return vars.map((v) => {
    const item: CompletionItem = {
      label: v.name,
      kind: CompletionItemKind.Variable,
      detail: v.source ?? 'environment',
      sortText: `${rank[v.source ?? 'environment']}${v.name}`,
    };
    if (v.value !== undefined) item.documentation = docs(`\`${v.name}\` = \`${shownValue(v.name, v.value)}\` (${v.source ?? 'environment'})`);
    return insert(item, range, close ? `${v.name}}` : v.name, false, options);
  });
}

/** The `use:` value of the stage an item line opens. */
function builtinOfItem(lines: Lines, itemLine: number): BuiltinName | undefined {
  const column = itemContentColumn(lines, itemLine);
  if (column === undefined) return undefined;
  const end = blockEnd(lines, itemLine, lines.at(itemLine)!.dash ?? 0);
  const useLine = keysAt(lines, itemLine, end, column).get('use');
  const value = useLine === undefined ? undefined : lines.at(useLine)!.value?.replace(/^["']|["']$/g, '');
  return value !== undefined && isBuiltin(value) ? value : undefined;
}

/**
 * Options of `builtin` inside a one-line `with: { … }`: `flow` is the text between `{` and the
 * cursor, `rest` the line after the cursor. Offers the options not yet written, or the allowed
 * values of the option whose value is being typed.
 */
function flowOptionCompletions(
  builtin: BuiltinName,
  flow: string,
  rest: string,
  at: (from: number) => Range,
  cursor: number,
  options: CompletionOptions,
): CompletionItem[] {
  const keyOf = (entry: string) => /^[ \t]*([\w.-]+)[ \t]*:/.exec(entry)?.[1];
  const entries = flow.split(',');
  const current = entries[entries.length - 1]!;
  const keyTyped = /^[ \t]*([\w.-]*)$/.exec(current);
  if (keyTyped) {
    const after = (rest.split('}')[0] ?? '').split(',').slice(1);
    const present = new Set([...entries.slice(0, -1), ...after].map(keyOf).filter((k): k is string => k !== undefined));
    const pad = /[{,]$/.test(`{${flow}`.slice(0, `{${flow}`.length - keyTyped[1]!.length)) ? ' ' : '';
    return optionDocs(builtin)
      .filter((d) => !present.has(d.name))
      .map((d, i) => {
        const item: CompletionItem = {
          label: d.name,
          kind: CompletionItemKind.Property,
          documentation: docs(keyMarkdown(d)),
          sortText: String(i).padStart(2, '0'),
          filterText: `${pad}${d.name}`,
        };
        return insert(item, at(cursor - keyTyped[1]!.length), `${pad}${d.name}: `, false, options);
      });
  }
  const valueTyped = /^[ \t]*([\w.-]+)[ \t]*:([ \t]*)([\w.-]*)$/.exec(current);
  const doc = valueTyped ? optionDocs(builtin).find((d) => d.name === valueTyped[1]) : undefined;
  if (!valueTyped || !doc) return [];
  const range = at(cursor - valueTyped[3]!.length);
  const lead = valueTyped[2] === '' ? ' ' : '';
  if (doc.enum) return valueItems(doc.enum, range, options, CompletionItemKind.EnumMember, lead);
  if (doc.type === 'boolean') return valueItems(['true', 'false'], range, options, CompletionItemKind.Value, lead);
  return [];
}

/**
 * The document's lines as LineInfo, each read from the TextDocument when first asked for: the
 * structure around the cursor is usually a few lines up, so a big file is not split per request;
 * the lines passed over on the way there are only looked at where they start (`Lines.lead`).
 * Kept per document version.
 */
const lineCache = new WeakMap<TextDocument, { version: number; lines: Lines }>();

function linesOf(document: TextDocument): Lines {
  const cached = lineCache.get(document);
  if (cached?.version === document.version) return cached.lines;
  const infos: LineInfo[] = [];
  const text = document.getText();
  const lines: Lines = {
    length: document.lineCount,
    at: (line) => (line < 0 || line >= document.lineCount ? undefined : (infos[line] ??= lineInfo(lineOf(document, line)))),
    lead: (line) => lineLead(text, document.offsetAt({ line, character: 0 })),
  };
  lineCache.set(document, { version: document.version, lines });
  return lines;
}

/**
 * Completion at a position: `${VAR}` names inside values, built-in names after `use:`, earlier stages' names in `input:`, allowed
 * values of enum and boolean keys, and the keys that fit where the cursor is (pipeline keys at
 * the top, stage keys in a stage, the built-in's options under `with:`), plus new-stage snippets
 * in the `stages` list. Keys already present are not offered again. Reads the document's current
 * lines; `pipeline` (for the stage env of `${VAR}` names) may come from an older version's check,
 * so that completion never waits for one.
 */
export function completions(document: TextDocument, pipeline: Pipeline, position: Position, options: CompletionOptions): CompletionItem[] {
  if (position.line < 0 || position.line >= document.lineCount) return [];
  const lineText = lineOf(document, position.line);
  const cursor = Math.min(position.character, lineText.length);
  const prefix = lineText.slice(0, cursor);
  const wordEnd = cursor + (/^[\w.-]*/.exec(lineText.slice(cursor))?.[0].length ?? 0);
  const at = (from: number, to = wordEnd): Range => ({ start: { line: position.line, character: from }, end: { line: position.line, character: to } });

  // ${VAR}: anywhere, also in flow collections and block scalars.
  const variable = /\$\{([A-Za-z0-9_]*)$/.exec(prefix);
  if (variable && !prefix.endsWith('$${' + variable[1])) {
    const stage = stageAt(pipeline, document.offsetAt(position));
    const nameEnd = cursor + (/^[A-Za-z0-9_]*/.exec(lineText.slice(cursor))?.[0].length ?? 0);
    const close = lineText[nameEnd] !== '}';
    return variableItems(variablesAt(pipeline, stage, options.env), at(cursor - variable[1]!.length, nameEnd), close, options);
  }
  if (/(^|\s)#/.test(prefix.replace(/"[^"]*"|'[^']*'/g, '""'))) return [];

  const lines = linesOf(document);

  // Inside a one-line flow mapping of options: `with: { path: x, fo| }` or `with: { format: c| }`.
  const flowMatch = /^( *)(- +)?with[ \t]*:[ \t]*\{([^{}]*)$/.exec(prefix);
  if (flowMatch) {
    const indent = flowMatch[1]!.length;
    const item = flowMatch[2] !== undefined ? position.line : ancestors(lines, position.line, indent, false).findLast((seg) => seg.kind === 'item')?.line;
    const builtin = item === undefined ? undefined : builtinOfItem(lines, item);
    return builtin ? flowOptionCompletions(builtin, flowMatch[3]!, lineText.slice(cursor), at, cursor, options) : [];
  }

  // A stage name in a flow list of inputs: `input: [errors, sl|`.
  const inputList = /^ *(- +)?input[ \t]*:[ \t]*\[(?:[^[\],]*,)*([ \t]*)([\w.-]*)$/.exec(prefix);
  if (inputList) return inputItems(document, pipeline, position, at(cursor - inputList[3]!.length), '', options);
  const hosts = hostCompletions(pipeline, prefix, at);
  if (hosts) return hosts;

  // A value after `key: `.
  const valueMatch = /^( *)(- +)?([A-Za-z_][\w.-]*)[ \t]*:([ \t]*)([\w.-]*)$/.exec(prefix);
  if (valueMatch) {
    const indent = valueMatch[1]!.length;
    const segments =
      valueMatch[2] !== undefined
        ? [...ancestors(lines, position.line, indent, true), { kind: 'item' as const, line: position.line, column: indent }]
        : ancestors(lines, position.line, indent, false);
    const path = [...pathNames(segments), valueMatch[3]!];
    const range = at(cursor - valueMatch[5]!.length);
    // Right after the colon (the `:` trigger), the value brings its own space.
    const lead = valueMatch[4] === '' ? ' ' : '';
    if (path.length === 3 && path[0] === 'stages' && path[2] === 'use') {
      return valueItems(builtinList, range, options, CompletionItemKind.Module, lead, (b) => builtinMarkdown(b as BuiltinName));
    }
    const item = segments.findLast((s) => s.kind === 'item');
    const builtin = item ? builtinOfItem(lines, item.line) : undefined;
    const doc = keyDocAt(path, builtin);
    if (path.length === 3 && path[0] === 'stages' && path[2] === 'input') return inputItems(document, pipeline, position, range, lead, options);
    if (doc?.enum) return valueItems(doc.enum, range, options, CompletionItemKind.EnumMember, lead);
    if (doc?.type === 'boolean') return valueItems(['true', 'false'], range, options, CompletionItemKind.Value, lead);
    return [];
  }

  // A key (or a new stage) at the start of a line.
  const keyMatch = /^( *)(- +)?([A-Za-z_][\w.-]*)?$/.exec(prefix);
  if (!keyMatch) return [];
  const dash = keyMatch[2] !== undefined;
  const column = keyMatch[1]!.length + (keyMatch[2]?.length ?? 0);
  const wordStart = column;
  const keyOnly = /^[ \t]*:/.test(lineText.slice(wordEnd));
  const ctx: KeyContext = { lines, line: position.line, column, range: at(wordStart), keyOnly };

  if (dash) {
    // `  - |`: a new item; in `stages`, a stage whose first key is being typed.
    const parents = pathNames(ancestors(lines, position.line, keyMatch[1]!.length, true));
    // `input:` as a block list: `- |` names an earlier stage.
    if (parents.join('/') === 'stages/[]/input') return inputItems(document, pipeline, position, at(wordStart), '', options);
    // `on:` as a block list: `- |` names a host.
    if (parents.join('/') === 'stages/[]/on') return hostItems(pipeline, at(wordStart));
    if (parents.length !== 1 || parents[0] !== 'stages') return [];
    const end = blockEnd(lines, position.line, keyMatch[1]!.length);
    const present = keysAt(lines, position.line, end, column);
    return [
      ...keyItems(ctx, stageKeyDocs, present, options, '1', builtinOfItem(lines, position.line)),
      ...(keyMatch[3] === undefined || !keyOnly ? stageSnippets(at(wordStart), column, false, options) : []),
    ];
  }

  const segments = ancestors(lines, position.line, column, false);
  const path = pathNames(segments);
  if (path.length === 0) {
    return keyItems(ctx, pipelineKeyDocs, keysAt(lines, 0, lines.length, 0), options, '1');
  }
  if (path.length === 1 && path[0] === 'stages') {
    // Level with the items of `stages` (or under an empty `stages:`): a new stage.
    const stagesLine = segments[0]!.line;
    const itemColumn = childColumn(lines, stagesLine) ?? column;
    return stageSnippets(at(wordStart), itemColumn + 2, true, options);
  }
  if (path.length === 2 && path[0] === 'stages' && path[1] === '[]') {
    const item = segments[1]!;
    const present = keysAt(lines, item.line, blockEnd(lines, item.line, item.column), column);
    return keyItems(ctx, stageKeyDocs, present, options, '1', builtinOfItem(lines, item.line));
  }
  if (path[0] === 'hosts' && (path.length === 2 || (path.length === 3 && path[2] === 'slurm'))) {
    // The keys of a host, or of its `slurm:` mapping.
    const parent = segments[path.length - 1]!;
    const present = keysAt(lines, parent.line + 1, blockEnd(lines, parent.line, parent.column), column);
    return keyItems(ctx, path.length === 2 ? hostKeyDocs : slurmKeyDocs, present, options, '1');
  }
  if (path.length === 3 && path[0] === 'stages' && path[1] === '[]' && path[2] === 'with') {
    const builtin = builtinOfItem(lines, segments[1]!.line);
    if (!builtin) return [];
    const withLine = segments[2]!.line;
    const present = keysAt(lines, withLine + 1, blockEnd(lines, withLine, segments[2]!.column), column);
    return keyItems(ctx, optionDocs(builtin), present, options, '1');
  }
  return [];
}
