import { isObject, type Json } from './json';
import type { Stage } from './model';
import type { ListEdit } from './stage-affected';

/**
 * Default names (docs/dsl.md): a stage without a written `name` is named after its built-in or program (its base), made
 * unique with -2, -3, … in the order of the stages, around the written names. After an edit of the stages list only the
 * stages whose base the edit touches can be named otherwise, and only those are named again (`renameAfterEdit`): naming
 * every stage of a 20 MB file is a third of a second, most of a keystroke that adds a stage or renames one.
 */

/** The `name` a stage's data has written, if any. */
export const writtenName = (raw: unknown) => (isObject(raw) && typeof raw.name === 'string' ? raw.name : undefined);

/** The program a stage runs, for a default name: `grep -v x` -> grep, `/usr/bin/jq` -> jq. */
function programName(s: Json): string | undefined {
  // The first word only: splitting a whole script into words was a tenth of a big file's check after a keystroke.
  const command: readonly unknown[] | undefined = Array.isArray(s.command) ? s.command : undefined;
  const word = command ? command[0] : typeof s.run === 'string' ? /^\s*(\S*)/.exec(s.run)![1] : undefined;
  const first = typeof word === 'string' ? word : undefined;
  const base = first?.slice(first.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9_.-]/g, '');
  return base && /^[A-Za-z_]/.test(base) ? base : undefined;
}

/** What an unnamed stage's default name is made of, when not its place: its built-in's or program's name. */
function programBase(raw: unknown): string | undefined {
  const r = isObject(raw) ? raw : {};
  return typeof r.use === 'string' && /^[A-Za-z_][\w.-]*$/.test(r.use) ? r.use : programName(r);
}

const defaultBase = (raw: unknown, index: number) => programBase(raw) ?? `stage${index + 1}`;

/** A stage's name, or what its default name is made of: every stage's name follows from these, in order. */
export function nameSource(raw: unknown, index: number): string {
  const name = writtenName(raw);
  return name ? `name ${name}` : `default ${defaultBase(raw, index)}`;
}

/** The bases a name can be given for: itself, and what comes before a `-2`, `-3`, … at its end. */
function basesOf(name: string): string[] {
  const suffixed = /^(.+)-([2-9]|[1-9][0-9]+)$/.exec(name);
  return suffixed ? [name, suffixed[1]!] : [name];
}

/** The base a name comes from when every `-2`, `-3`, … is taken off its end: bases that can meet share it. */
function root(name: string): string {
  let r = name;
  for (let shorter = basesOf(r)[1]; shorter !== undefined; shorter = basesOf(r)[1]) r = shorter;
  return r;
}

/** Whether a name is one of `roots` or starts with one and `-`: what any name given for a base of those roots looks like. */
function underRoots(name: string, roots: ReadonlySet<string>): boolean {
  for (const r of roots) if (name.startsWith(r) && (name.length === r.length || name[r.length] === '-')) return true;
  return false;
}

/**
 * Gives the stages `unnamed` (their indexes, in order, and their bases) their default names around the names `taken`, in
 * place: a stage moved from the version before holds its old name. Returns the stages whose name changed, by index, with
 * the name they had.
 */
function give(stages: Stage[], unnamed: readonly number[], bases: readonly string[], taken: Set<string>): Map<number, string> {
  // Per base, the suffix to try next: names only ever get taken, so earlier suffixes stay taken
  // and a file of many `- run: cat` stages is named in linear time.
  const nextSuffix = new Map<string, number>();
  const renamed = new Map<number, string>();
  for (let k = 0; k < unnamed.length; k++) {
    const base = bases[k]!;
    let name = base;
    let n = nextSuffix.get(base) ?? 2;
    for (; taken.has(name); n++) name = `${base}-${n}`;
    nextSuffix.set(base, n);
    taken.add(name);
    const stage = stages[unnamed[k]!]!;
    if (stage.name !== name) {
      renamed.set(unnamed[k]!, stage.name);
      stage.name = name;
    }
  }
  return renamed;
}

/** Names every stage without a written name; returns those whose name changed, with the name they had. */
export function nameStages(stages: Stage[], raws: readonly unknown[]): Map<number, string> {
  const taken = new Set<string>();
  const unnamed: number[] = [];
  const bases: string[] = [];
  for (let i = 0; i < stages.length; i++) {
    const name = writtenName(raws[i]);
    if (name) taken.add(name);
    else {
      unnamed.push(i);
      bases.push(defaultBase(raws[i], i));
    }
  }
  return give(stages, unnamed, bases, taken);
}

/**
 * `nameStages` after an edit of the list (`edit`: the `removed` old stages from `at` on became `count` stages; `before`:
 * the old stages' data) whose other stages hold their names from the version before: only the stages whose base can
 * meet one the edit touches are named again. The touched bases are the edited stages' bases, old and new, and the bases
 * their written names can be given for. Two bases meet when one is the other with a `-2`, `-3`, … (`a` and `a-2`); bases that meet share a `root`,
 * so the stages of the touched roots are named again, around the written names of those roots. The names of any other
 * base follow from its own root's stages and written names, which the edit did not change.
 */
export function renameAfterEdit(stages: Stage[], raws: readonly unknown[], before: readonly unknown[], edit: ListEdit): Map<number, string> {
  const { index: at, removed, count } = edit;
  const roots = new Set<string>();
  const touch = (raw: unknown, index: number) => roots.add(root(writtenName(raw) || defaultBase(raw, index)));
  before.slice(at, at + removed).forEach((raw, k) => touch(raw, at + k));
  raws.slice(at, at + count).forEach((raw, k) => touch(raw, at + k));
  const taken = new Set<string>();
  const unnamed: number[] = [];
  const bases: string[] = [];
  for (let i = 0; i < stages.length; i++) {
    const written = writtenName(raws[i]);
    if (written) {
      if (underRoots(written, roots)) taken.add(written);
      continue;
    }
    // Looked at only when its old name could be of a touched root (a new stage has none yet), or of its place.
    const old = stages[i]!.name;
    const moved = count !== removed && i >= at + count;
    if (old !== '' && !underRoots(old, roots) && !(moved && old.startsWith('stage'))) continue;
    const base = programBase(raws[i]);
    if (base === undefined && moved) return nameStages(stages, raws);
    const b = base ?? `stage${i + 1}`;
    if (!roots.has(root(b))) continue;
    unnamed.push(i);
    bases.push(b);
  }
  return give(stages, unnamed, bases, taken);
}
