import schema from '../schemas/pipeline.schema.json';

/** How a built-in uses a file option: read it (must exist) or write it (its folder must exist). */
export type FileRole = 'input' | 'output';

export interface BuiltinInfo {
  /** Options naming files, checked for existence relative to the stage's working directory. */
  files: Readonly<Record<string, FileRole>>;
}

/**
 * The built-in stages. Their options and docs live in schemas/pipeline.schema.json
 * (`definitions.builtin-<name>`); test/unit/dsl/builtins-schema.test.ts keeps the two in sync.
 */
export const builtins = {
  read: { files: { path: 'input' } },
  write: { files: { path: 'output' } },
  head: { files: {} },
  filter: { files: {} },
  map: { files: {} },
  pick: { files: {} },
  sample: { files: {} },
  parse: { files: {} },
  count: { files: {} },
} as const satisfies Record<string, BuiltinInfo>;

export type BuiltinName = keyof typeof builtins;

export const builtinNames = Object.keys(builtins) as BuiltinName[];

export function isBuiltin(name: string): name is BuiltinName {
  return Object.hasOwn(builtins, name);
}

export interface BuiltinSchema {
  description?: string;
  properties?: Record<string, { description?: string; examples?: unknown[]; default?: unknown }>;
  required?: string[];
  oneOf?: { required?: string[] }[];
  examples?: unknown[];
}

/** The JSON Schema of a built-in's `with` options. */
export function builtinSchema(name: BuiltinName): BuiltinSchema {
  return (schema.definitions as Record<string, BuiltinSchema>)[`builtin-${name}`] ?? {};
}
