/**
 * The one reader of a host's control stream (docs/engine-protocol.md, "On another host"): the
 * tagged lines pw-segment's watcher writes there (engine/native/host.c, over ssh or from a Slurm
 * step), the host command's own (engine/host-install.ts) and a Slurm cluster's local end's
 * (`pw-segment --slurm-local`). A line without the tag byte is ssh's or srun's own.
 */
import { parseControlLine, type ControlMessage } from './plumbing';
import type { ProcSample } from './stats';

export type HostLine =
  | { kind: 'report'; msg: ControlMessage }
  | { kind: 'stderr'; stage: number; text: string }
  | { kind: 'stderrEnd'; stage: number }
  /** A line of the segment's own stderr (pw-segment's). */
  | { kind: 'own'; text: string }
  | { kind: 'sample'; stage: number; sample: ProcSample }
  /** The segment has ended on the host: nothing was lost. */
  | { kind: 'ended'; status: number }
  /** The host has a valid pw-segment of this version: the plan may go. */
  | { kind: 'go' }
  /** The host has no valid pw-segment of this version for `target`: send it, then the plan. */
  | { kind: 'install'; target: string }
  /** `uname -m` of a host this package has no build for. */
  | { kind: 'unsupported'; machine: string }
  /** A Slurm job is queued, then its step runs. */
  | { kind: 'queued'; job: string }
  | { kind: 'placed'; step: string; node: string }
  /** Not tagged: ssh's (or srun's) own words. */
  | { kind: 'said'; text: string };

/** Parses one line of the stream; undefined for a tagged line it does not know (a newer host's). */
export function parseHostLine(line: string): HostLine | undefined {
  if (line[0] !== '\x01') return { kind: 'said', text: line };
  const m = /^([a-z])(\d*)(?: (.*))?$/s.exec(line.slice(1));
  if (!m) return undefined;
  const [, tag, index, text = ''] = m as unknown as [string, string, string, string | undefined];
  const stage = Number(index);
  const indexed = index !== '';
  switch (tag) {
    case 'c': {
      const msg = parseControlLine(text);
      return msg && { kind: 'report', msg };
    }
    case 'e':
      return indexed ? { kind: 'stderr', stage, text } : undefined;
    case 'z':
      return indexed ? { kind: 'stderrEnd', stage } : undefined;
    case 's': {
      const sample = indexed ? parseSample(text) : undefined;
      return sample && { kind: 'sample', stage, sample };
    }
    case 'b':
      return { kind: 'own', text };
    case 'x':
      return { kind: 'ended', status: Number(text) };
    case 'g':
      return { kind: 'go' };
    case 'n':
      return { kind: 'install', target: text };
    case 'a':
      return { kind: 'unsupported', machine: text };
    case 'q':
      return { kind: 'queued', job: text };
    case 'r': {
      const [step = '', node = ''] = text.split(' ');
      return { kind: 'placed', step, node };
    }
  }
  return undefined;
}

/** `RCHAR WCHAR UTIME STIME CUTIME CSTIME RSSKB HWMKB STATE`. */
function parseSample(text: string): ProcSample | undefined {
  const w = text.split(' ');
  const n = w.slice(0, 8).map(Number);
  if (w.length !== 9 || n.some((x) => !Number.isFinite(x))) return undefined;
  const [rchar, wchar, utimeTicks, stimeTicks, cutimeTicks, cstimeTicks, rssKb, hwmKb] = n as [number, number, number, number, number, number, number, number];
  return { state: w[8]!, rchar, wchar, utimeTicks, stimeTicks, cutimeTicks, cstimeTicks, rssKb, hwmKb, wait: 'unknown' };
}
