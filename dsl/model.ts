import type { BuiltinName } from './builtins';
import type { Span } from './span';

/** Keys a stage may have, in the order the docs list them. */
export const stageKeys = [
  'name',
  'description',
  'run',
  'command',
  'use',
  'with',
  'input',
  'env',
  'cwd',
  'on',
  'workers',
  'ordered',
  'tap',
  'timeout',
  'stderr',
] as const;
export type StageKey = (typeof stageKeys)[number];
/** Each stage key's name to itself: one shared string for every stage's key (dsl/yaml-nodes.ts, `directKeySpans`). */
export const stageKeyNames: ReadonlyMap<string, StageKey> = new Map(stageKeys.map((k) => [k, k]));

export const pipelineKeys = ['name', 'description', 'env', 'cwd', 'hosts', 'stages'] as const;
export type PipelineKey = (typeof pipelineKeys)[number];

/** What a stage runs. Exactly one per valid stage. */
export type StageAction =
  { kind: 'run'; script: string } | { kind: 'command'; argv: string[] } | { kind: 'use'; builtin: BuiltinName; options: Record<string, unknown> };

export interface Stage {
  /** Position in `stages`, from 0. */
  index: number;
  /** The `name` key, or a unique name derived from the builtin or program. */
  name: string;
  /** True when `name` was written in the file (not derived). */
  named: boolean;
  /** Undefined when the stage has no valid action; a pipeline with problems should not be run. */
  action?: StageAction;
  description?: string;
  env: Record<string, string>;
  cwd?: string;
  /** `on:` — the names of the hosts it runs on (docs/remote.md); undefined: this machine. */
  on?: string[];
  workers: number;
  ordered: boolean;
  /** `tap: true`: the engine counts this stage's output records and keeps samples (a Node relay on that edge). */
  tap: boolean;
  timeoutMs?: number;
  /** The names written in `input:` (one or several), in order; undefined: it reads the stage before it. */
  input?: string[];
  stderr: 'show' | 'ignore';
  /** The whole `- ...` item. */
  span: Span;
  /** Where to point at the stage as a whole: its name value, else its first key. */
  headSpan: Span;
  /** Spans of each present key and its value. */
  keys: Partial<Record<StageKey, { key: Span; value: Span }>>;
}

/** One entry of `hosts:`, as written (checked by dsl/hosts.ts): an ssh host, or a Slurm cluster (`slurm` set, `ssh` empty). */
export interface HostEntry {
  name: string;
  ssh: string;
  port?: number;
  identityFile?: string;
  options: string[];
  slurm?: SlurmEntry;
}

/** A `slurm:` host's settings (docs/remote.md#slurm): what each step asks Slurm for, and where it connects back. */
export interface SlurmEntry {
  partition?: string;
  time?: string;
  cpus?: number;
  mem?: string;
  /** More srun options, `--name=value`. */
  options: string[];
  /** The address of this machine that the steps connect back to. */
  address?: string;
}

export interface Pipeline {
  name: string;
  description?: string;
  env: Record<string, string>;
  cwd?: string;
  /** `hosts:` — ssh destinations and Slurm clusters by name (dsl/hosts.ts). */
  hosts: Record<string, HostEntry>;
  stages: Stage[];
  /** The `stages` key, where "Run pipeline" belongs; undefined when absent. */
  stagesKeySpan?: Span;
  keys: Partial<Record<PipelineKey, { key: Span; value: Span }>>;
}

/** How messages refer to a stage: by its written name, else by its position. */
export function stageLabel(stage: Pick<Stage, 'name' | 'named' | 'index'>): string {
  return stage.named ? `Stage \`${stage.name}\`` : `Stage ${stage.index + 1}`;
}
