import { stringify } from 'yaml';
import { builtinNames, type BuiltinName } from '../dsl';
import schema from '../schemas/pipeline.schema.json';

/**
 * What the JSON Schema says about keys, options and built-ins, for completion and hover. The
 * schema is the single source of this text: nothing here restates a description.
 */
export interface KeyDoc {
  name: string;
  description?: string;
  examples?: unknown[];
  enum?: string[];
  default?: unknown;
  type?: string | string[];
  required?: boolean;
}

interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  description?: string;
  examples?: unknown[];
  enum?: unknown[];
  default?: unknown;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
}

const root = schema as unknown as SchemaNode & { definitions: Record<string, SchemaNode> };

/** A node with its `$ref` followed; the node's own fields win over the referenced ones. */
function resolved(node: SchemaNode): SchemaNode {
  if (!node.$ref) return node;
  const name = node.$ref.replace(/^#\/definitions\//, '');
  const target = root.definitions[name] ?? {};
  const { $ref: _ref, ...own } = node;
  return { ...resolved(target), ...own };
}

function keyDoc(name: string, n: SchemaNode, required: boolean): KeyDoc {
  const doc: KeyDoc = { name };
  if (n.description !== undefined) doc.description = n.description;
  if (n.examples !== undefined) doc.examples = n.examples;
  if (n.enum !== undefined) doc.enum = n.enum.map(String);
  if (n.default !== undefined) doc.default = n.default;
  if (n.type !== undefined) doc.type = n.type;
  if (required) doc.required = true;
  return doc;
}

function keyDocs(node: SchemaNode | undefined): KeyDoc[] {
  const required = new Set(node?.required ?? []);
  return Object.entries(node?.properties ?? {}).map(([name, raw]) => keyDoc(name, resolved(raw), required.has(name)));
}

/** An entry of an option that maps names to values (`types: { status: number }`): the option's text, the entries' values. */
function entryDoc(builtin: BuiltinName, option: string, name: string): KeyDoc | undefined {
  const raw = builtinNode(builtin).properties?.[option];
  const node = raw && resolved(raw);
  const entries = node?.additionalProperties;
  if (typeof entries !== 'object') return undefined;
  const doc = keyDoc(name, resolved(entries), false);
  if (node?.description !== undefined) doc.description = node.description;
  return doc;
}

export const pipelineKeyDocs: readonly KeyDoc[] = keyDocs(root);
export const stageKeyDocs: readonly KeyDoc[] = keyDocs(root.definitions.stage);
/** The keys of a host under `hosts:`, and of a cluster's `slurm:`. */
export const hostKeyDocs: readonly KeyDoc[] = keyDocs(root.definitions.host);
export const slurmKeyDocs: readonly KeyDoc[] = keyDocs(root.definitions.slurm);

export function builtinNode(name: BuiltinName): SchemaNode {
  return root.definitions[`builtin-${name}`] ?? {};
}

export function optionDocs(name: BuiltinName): KeyDoc[] {
  return keyDocs(builtinNode(name));
}

/** The docs of the key at a path of names (`[]` for items), e.g. `stages [] with path`. */
export function keyDocAt(path: readonly string[], builtin?: BuiltinName): KeyDoc | undefined {
  const [first, item, third, fourth] = path;
  if (path.length === 1) return pipelineKeyDocs.find((d) => d.name === first);
  // `hosts NAME KEY`, `hosts NAME slurm KEY`.
  if (first === 'hosts' && path.length === 3) return hostKeyDocs.find((d) => d.name === third);
  if (first === 'hosts' && path.length === 4 && third === 'slurm') return slurmKeyDocs.find((d) => d.name === fourth);
  if (first !== 'stages' || item !== '[]') return undefined;
  if (path.length === 3) return stageKeyDocs.find((d) => d.name === third);
  if (path.length === 4 && third === 'with' && builtin) return optionDocs(builtin).find((d) => d.name === fourth);
  if (path.length === 5 && third === 'with' && builtin && fourth !== undefined) return entryDoc(builtin, fourth, path[4]!);
  return undefined;
}

function exampleYaml(key: string, example: unknown): string {
  return stringify({ [key]: example }, { lineWidth: 0 }).trimEnd();
}

function typeText(type: string | string[] | undefined): string | undefined {
  if (type === undefined) return undefined;
  const names: Record<string, string> = { string: 'text', integer: 'whole number', number: 'number', boolean: 'true/false', array: 'list', object: 'mapping' };
  return (Array.isArray(type) ? type : [type]).map((t) => names[t] ?? t).join(' or ');
}

/** Markdown for a key: description, type, allowed values, default, first example. */
export function keyMarkdown(doc: KeyDoc, heading = `\`${doc.name}\``): string {
  const parts = [`**${heading}**${doc.required ? ' (required)' : ''}`];
  if (doc.description) parts.push(doc.description);
  const facts: string[] = [];
  const type = typeText(doc.type);
  if (type) facts.push(`Type: ${type}`);
  if (doc.enum) facts.push(`One of: ${doc.enum.map((v) => `\`${v}\``).join(', ')}`);
  if (doc.default !== undefined) facts.push(`Default: \`${JSON.stringify(doc.default)}\``);
  if (facts.length > 0) parts.push(facts.join(' · '));
  if (doc.examples && doc.examples.length > 0) parts.push(`Example:\n\n\`\`\`yaml\n${exampleYaml(doc.name, doc.examples[0])}\n\`\`\``);
  return parts.join('\n\n');
}

/** Markdown for a built-in: description, options, example. */
export function builtinMarkdown(name: BuiltinName): string {
  const node = builtinNode(name);
  const parts = [`**built-in \`${name}\`**`];
  if (node.description) parts.push(node.description);
  const options = optionDocs(name);
  if (options.length > 0) {
    parts.push(
      ['Options (`with:`):', ...options.map((o) => `- \`${o.name}\`${o.required ? ' (required)' : ''}${o.description ? `: ${o.description}` : ''}`)].join('\n'),
    );
  }
  const example = node.examples?.[0];
  if (example !== undefined) parts.push(`Example:\n\n\`\`\`yaml\n${exampleYaml('use', name)}\n${exampleYaml('with', example)}\n\`\`\``);
  return parts.join('\n\n');
}

export const builtinList: readonly BuiltinName[] = builtinNames;
