/** `${NAME}` or `${NAME:-default}`; `$${` is an escaped, literal `${`. */
const referencePattern = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}/g;

export interface VariableReference {
  name: string;
  /** Offsets within the string. */
  start: number;
  end: number;
  hasDefault: boolean;
}

export function variableReferences(text: string): VariableReference[] {
  const refs: VariableReference[] = [];
  for (const m of text.matchAll(referencePattern)) {
    if (m[1]) continue; // escaped
    refs.push({ name: m[2]!, start: m.index, end: m.index + m[0].length, hasDefault: m[3] !== undefined });
  }
  return refs;
}

export type Lookup = (name: string) => string | undefined;

/** Replaces references by their values; an undefined variable without default becomes ''. */
export function interpolate(text: string, lookup: Lookup): string {
  return text.replace(referencePattern, (whole, escaped: string | undefined, name: string, withDefault: string | undefined, fallback: string | undefined) => {
    if (escaped) return whole.slice(1);
    const value = lookup(name);
    return value === undefined || (withDefault !== undefined && value === '') ? (fallback ?? '') : value;
  });
}

/** True when every reference in `text` can be resolved (or has a default). */
export function isResolvable(text: string, lookup: Lookup): boolean {
  return variableReferences(text).every((r) => r.hasDefault || lookup(r.name) !== undefined);
}

/**
 * In a `run:` script, the shell itself may define a variable (`for f in …`, `X=1`, `read X`);
 * such names are not required to exist in the environment.
 */
export function isAssignedInScript(script: string, name: string): boolean {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[\\s;&|(])(${n}=|for\\s+${n}\\s|read\\s+(-\\w+\\s+)*([A-Za-z_]\\w*\\s+)*${n}\\b|local\\s+${n}\\b|export\\s+${n}=)`).test(script);
}

/**
 * Environment for one stage, merged in order: process, pipeline `env`, stage `env`. Values of
 * `env` may use `${VAR}` of what is merged before them.
 */
export function mergeEnv(base: Readonly<Record<string, string | undefined>>, ...layers: Readonly<Record<string, string>>[]): Record<string, string> {
  const merged: Record<string, string> = {};
  // Keys, not entries: the process environment is merged for every stage of every run (no pair array per variable).
  for (const k of Object.keys(base)) {
    const v = base[k];
    if (v !== undefined) merged[k] = v;
  }
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) merged[k] = interpolate(v, (name) => merged[name]);
  }
  return merged;
}
