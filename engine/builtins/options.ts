/**
 * Reading a built-in's options at run time. The dsl has already checked them against the JSON
 * Schema, but a built-in can be started by hand (`node dist/builtin.cjs NAME JSON`), so each
 * read still checks its type and fails clearly (status 2). Every built-in declares the option
 * names it reads; test/unit/builtins/registry.test.ts compares them with the schema.
 */
import { compileRecordExpression } from './expression';
import { StageError } from './records';

export type OptionValues = Readonly<Record<string, unknown>>;

function describe(v: unknown): string {
  return v === undefined ? 'nothing' : (JSON.stringify(v) ?? typeof v);
}

export class Options {
  constructor(
    private readonly builtin: string,
    private readonly values: OptionValues,
    known: readonly string[],
  ) {
    for (const key of Object.keys(values)) {
      if (!known.includes(key)) {
        const list = known.length > 0 ? `its options are ${known.map((k) => `\`${k}\``).join(', ')}` : 'it takes no options';
        throw this.bad(`\`${builtin}\` has no option \`${key}\`; ${list}`);
      }
    }
  }

  private bad(message: string): StageError {
    return new StageError(message, 2);
  }

  private value(key: string): unknown {
    return Object.hasOwn(this.values, key) ? this.values[key] : undefined;
  }

  has(key: string): boolean {
    return this.value(key) !== undefined;
  }

  string(key: string): string {
    const v = this.value(key);
    if (typeof v !== 'string' || v === '') throw this.bad(`\`${this.builtin}\` needs \`${key}\`: a non-empty string (got ${describe(v)})`);
    return v;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      throw this.bad(`\`${this.builtin}\`: \`${key}\` must be one of ${allowed.map((a) => `\`${a}\``).join(', ')} (got ${describe(v)})`);
    }
    return v as T;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.value(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw this.bad(`\`${this.builtin}\`: \`${key}\` must be true or false (got ${describe(v)})`);
    return v;
  }

  integer(key: string, min: number, fallback?: number): number {
    const v = this.value(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw this.bad(`\`${this.builtin}\`: \`${key}\` must be a whole number of at least ${min} (got ${describe(v)})`);
    }
    return v;
  }

  /** A number in (above, max]. */
  number(key: string, above: number, max: number): number {
    const v = this.value(key);
    if (typeof v !== 'number' || !(v > above && v <= max)) {
      throw this.bad(`\`${this.builtin}\`: \`${key}\` must be a number above ${above} and at most ${max} (got ${describe(v)})`);
    }
    return v;
  }

  /** A mapping of names to one of `allowed` (`types: { bytes: number }`); empty when absent. */
  stringMap<T extends string>(key: string, allowed: readonly T[]): Record<string, T> {
    const v = this.value(key);
    if (v === undefined) return {};
    const ok = typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => (allowed as readonly unknown[]).includes(x));
    if (!ok) throw this.bad(`\`${this.builtin}\`: \`${key}\` must map names to ${allowed.map((a) => `\`${a}\``).join(' or ')} (got ${describe(v)})`);
    return v as Record<string, T>;
  }

  /** One non-empty string or a list of them, as a list. */
  stringOrList(key: string): string[] {
    return typeof this.value(key) === 'string' ? [this.string(key)] : this.stringList(key);
  }

  stringList(key: string): string[] {
    const v = this.value(key);
    if (!Array.isArray(v) || v.length === 0 || !v.every((x): x is string => typeof x === 'string' && x !== '')) {
      throw this.bad(`\`${this.builtin}\` needs \`${key}\`: a list of non-empty strings (got ${describe(v)})`);
    }
    return v;
  }
}

/** Compiles a JavaScript expression over the record `r` once; a syntax error fails the stage (status 2). */
export function compileExpression(builtin: string, expr: string): (r: unknown) => unknown {
  const compiled = compileRecordExpression(expr);
  if (compiled.ok) return compiled.fn;
  throw new StageError(
    `\`${builtin}\`: the expression \`${expr}\` is not valid JavaScript (${compiled.why}); it must be one expression over the record \`r\``,
    2,
  );
}
