/**
 * The one reader of /proc's text formats (stat, io, status, syscall): stats sampling and process
 * group membership (reap.ts) parse them here.
 */
import * as fs from 'node:fs';

/** `unknown`: sleeping, but /proc/PID/syscall is not readable (ptrace restrictions). */
export type WaitState = 'running' | 'read-stdin' | 'write-stdout' | 'other' | 'unknown';

export function parseIo(text: string): { rchar: number; wchar: number } {
  const r = /^rchar:\s*(\d+)/m.exec(text);
  const w = /^wchar:\s*(\d+)/m.exec(text);
  return { rchar: r ? Number(r[1]) : 0, wchar: w ? Number(w[1]) : 0 };
}

export interface ProcStat {
  state: string;
  ppid: number;
  pgrp: number;
  utimeTicks: number;
  stimeTicks: number;
  cutimeTicks: number;
  cstimeTicks: number;
}

/** /proc/PID/stat, the fields the engine uses. */
export function parseStat(text: string): ProcStat | undefined {
  // The command name is in parentheses and may itself hold spaces and parentheses.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // The first 15 fields only: every process of the machine is read at a segment's end (reap.ts).
  const f = text.slice(close + 2).split(' ', 15);
  // f[0] is field 3 (state); ppid is field 4, pgrp 5, utime 14.
  const n = (i: number) => Number(f[i]);
  return { state: f[0] ?? '?', ppid: n(1), pgrp: n(2), utimeTicks: n(11), stimeTicks: n(12), cutimeTicks: n(13), cstimeTicks: n(14) };
}

/** /proc/PID/stat of a process, or undefined when it is gone. */
export function readStat(pid: number | string): ProcStat | undefined {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** PIDs of every process, from /proc. */
export function allPids(): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57)
      .map(Number);
  } catch {
    return [];
  }
}

export function parseStatus(text: string): { rssKb: number; hwmKb: number } {
  const rss = /^VmRSS:\s*(\d+)/m.exec(text);
  const hwm = /^VmHWM:\s*(\d+)/m.exec(text);
  return { rssKb: rss ? Number(rss[1]) : 0, hwmKb: hwm ? Number(hwm[1]) : 0 };
}

/** Syscall numbers of read-like and write-like calls, per architecture. */
const syscalls: Record<string, { read: number[]; write: number[]; splice: number; sendfile: number }> = {
  x64: { read: [0, 17, 19, 295], write: [1, 18, 20, 296], splice: 275, sendfile: 40 },
  arm64: { read: [63, 65, 67, 69], write: [64, 66, 68, 70], splice: 76, sendfile: 71 },
};

/** From /proc/PID/syscall: is the process blocked reading fd 0 or writing fd 1? */
export function parseSyscall(text: string, arch: string = process.arch): WaitState {
  const t = text.trim();
  if (t === 'running') return 'running';
  const [nrText, ...args] = t.split(' ');
  const table = syscalls[arch];
  if (!table || nrText === undefined) return 'other';
  const nr = Number(nrText);
  const a = args.map((x) => Number.parseInt(x, 16));
  if (table.read.includes(nr) && a[0] === 0) return 'read-stdin';
  if (table.write.includes(nr) && a[0] === 1) return 'write-stdout';
  if (nr === table.splice) return a[2] === 1 ? 'write-stdout' : a[0] === 0 ? 'read-stdin' : 'other';
  if (nr === table.sendfile) return a[0] === 1 ? 'write-stdout' : 'other';
  return 'other';
}

/** /proc/PID/fdinfo/FD: the file offset and the open flags (octal in the file). */
export function parseFdinfo(text: string): { pos: number; flags: number } | undefined {
  const pos = /^pos:\s*(\d+)/m.exec(text);
  const flags = /^flags:\s*([0-7]+)/m.exec(text);
  return pos && flags ? { pos: Number(pos[1]), flags: Number.parseInt(flags[1]!, 8) } : undefined;
}

/** A process and its descendants (through /proc/PID/task/TID/children), at most `max` of them. */
export function processTree(pid: number, max = 32): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && out.length < max) {
    const p = queue.shift()!;
    out.push(p);
    try {
      for (const tid of fs.readdirSync(`/proc/${p}/task`)) {
        const kids = fs.readFileSync(`/proc/${p}/task/${tid}/children`, 'latin1').trim();
        if (kids !== '') queue.push(...kids.split(' ').map(Number));
      }
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
