// CPU time by kind of process (not a test; bench/typing.ts uses it to say where the time of a run
// goes): the extension host, the pipeline's processes, the language server, the rest of
// code-server, Chromium's renderers and the rest of Chromium. Read from /proc: each process's own
// user+system ticks; a process that ended counts in its parent's `cutime` once reaped, so the
// pipeline's ended stages are the extension host's reaped children.
import * as fs from 'node:fs';

export type Kind = 'extension host' | 'pipeline processes' | 'language server' | 'code-server (rest)' | 'Chromium renderers' | 'Chromium (rest)';

interface Proc {
  pid: number;
  ppid: number;
  own: number;
  reaped: number;
  args: string;
}

const tick = 1000 / 100; // ms per clock tick (USER_HZ is 100 on Linux)

function processes(): Map<number, Proc> {
  const all = new Map<number, Proc>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      // Fields after the command (which may hold spaces) in parentheses.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const args = fs.readFileSync(`/proc/${name}/cmdline`, 'latin1').replace(/\0/g, ' ');
      all.set(Number(name), { pid: Number(name), ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]), args });
    } catch {
      // ended meanwhile
    }
  }
  return all;
}

function descends(all: Map<number, Proc>, pid: number, root: number): boolean {
  for (let p = all.get(pid); p; p = all.get(p.ppid)) if (p.pid === root) return true;
  return false;
}

/** CPU ms so far by kind, for the processes under `codeServer` (its pid) and under `browserParent` (the process that launched Chromium). */
export function cpuByKind(codeServer: number, browserParent: number): Record<Kind, number> {
  const all = processes();
  const out: Record<Kind, number> = {
    'extension host': 0,
    'pipeline processes': 0,
    'language server': 0,
    'code-server (rest)': 0,
    'Chromium renderers': 0,
    'Chromium (rest)': 0,
  };
  const hosts = [...all.values()].filter((p) => descends(all, p.pid, codeServer) && p.args.includes('--type=extensionHost'));
  for (const p of all.values()) {
    if (hosts.includes(p)) {
      out['extension host'] += p.own;
      out['pipeline processes'] += p.reaped;
    } else if (descends(all, p.pid, codeServer)) {
      if (p.args.includes('dist/server.cjs')) out['language server'] += p.own;
      else if (hosts.some((h) => descends(all, p.pid, h.pid))) out['pipeline processes'] += p.own;
      else out['code-server (rest)'] += p.own;
    } else if (p.pid !== browserParent && descends(all, p.pid, browserParent) && p.args.includes('chromium')) {
      if (p.args.includes('--type=renderer')) out['Chromium renderers'] += p.own;
      else out['Chromium (rest)'] += p.own;
    }
  }
  for (const k of Object.keys(out) as Kind[]) out[k] *= tick;
  return out;
}

export function minus(a: Record<Kind, number>, b: Record<Kind, number>): Record<Kind, number> {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - b[k as Kind]])) as Record<Kind, number>;
}
