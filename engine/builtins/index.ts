/**
 * The built-in stages' implementations, one module each. `satisfies` makes a built-in added to
 * the dsl's registry without an implementation a type error; test/unit/builtins/registry.test.ts
 * also checks that every option an implementation reads is defined in the JSON Schema.
 */
import type { BuiltinName } from '../../dsl/builtins';
import * as filter from './filter';
import * as head from './head';
import * as map from './map';
import type { Options } from './options';
import * as pick from './pick';
import * as read from './read';
import * as sample from './sample';
import * as write from './write';

export interface BuiltinImplementation {
  /** The option names it reads (exactly those under `definitions.builtin-<name>` in the schema). */
  options: readonly string[];
  run(opts: Options): Promise<void>;
}

export const implementations = { read, write, head, filter, map, pick, sample } as const satisfies Record<BuiltinName, BuiltinImplementation>;
