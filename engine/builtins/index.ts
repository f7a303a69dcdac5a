/**
 * The built-in stages' implementations, one module each, loaded on demand: a process runs one
 * built-in, so `head` never pays for loading the CSV and JSON parsers that `read` needs (about
 * 40 ms of start-up). `satisfies` makes a built-in added to the dsl's registry without an
 * implementation a type error; test/unit/builtins/registry.test.ts also checks that every option
 * an implementation reads is defined in the JSON Schema.
 */
import type { BuiltinName } from '../../dsl/builtins';
import type { Options } from './options';

export interface BuiltinImplementation {
  /** The option names it reads (exactly those under `definitions.builtin-<name>` in the schema). */
  options: readonly string[];
  run(opts: Options): Promise<void>;
}

export const implementations = {
  read: () => import('./read'),
  write: () => import('./write'),
  head: () => import('./head'),
  filter: () => import('./filter'),
  map: () => import('./map'),
  pick: () => import('./pick'),
  sample: () => import('./sample'),
  parse: () => import('./parse'),
  count: () => import('./count'),
} as const satisfies Record<BuiltinName, () => Promise<BuiltinImplementation>>;
