// CPU profiles for bench/typing.ts (not a test): a profile's top functions by self and by total
// time, and a profiler of the extension host (a Node process) through its inspector.
import * as path from 'node:path';

/** What the Chrome DevTools protocol's Profiler.stop returns (the parts read here). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The top functions by self time (10), then by total time (`totals`), one line each. */
export function hotFunctions(profile: CpuProfile, totals = 25): string[] {
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber}`;
  };
  // timeDeltas[i]: microseconds from the sample before to sample i.
  (profile.samples ?? []).forEach((id, i) => {
    const dt = (profile.timeDeltas?.[i] ?? 0) / 1000;
    self.set(keyOf(id), (self.get(keyOf(id)) ?? 0) + dt);
    // Inclusive: every function on the sample's stack, once.
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) seen.add(keyOf(n));
    for (const k of seen) total.set(k, (total.get(k) ?? 0) + dt);
  });
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .filter(([k]) => !/^\((root|idle|program|garbage collector)\)/.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n);
  return [
    ...[...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([k, v]) => `  self ${Math.round(v)} ms  ${k}`),
    ...top(total, totals).map(([k, v]) => `  total ${Math.round(v)} ms  ${k}`),
  ];
}

/**
 * The extension host's profiler, through the inspector VS Code opens for it when the page's
 * payload asks (`inspect-extensions`; the server takes the first free port from there). Needs a
 * WebSocket: Node 22 has one, Node 20 with `--experimental-websocket`.
 */
export async function hostProfiler(firstPort: number): Promise<{ start(): Promise<void>; stop(): Promise<CpuProfile> }> {
  if (typeof WebSocket === 'undefined') throw new Error('--host-profile needs a WebSocket: on Node 20, run with NODE_OPTIONS=--experimental-websocket');
  let target: string | undefined;
  for (let port = firstPort; port < firstPort + 10 && !target; port++) {
    const list = (await fetch(`http://127.0.0.1:${port}/json/list`)
      .then((r) => r.json())
      .catch(() => [])) as { url: string; webSocketDebuggerUrl: string }[];
    target = list[0]?.webSocketDebuggerUrl;
  }
  if (!target) throw new Error(`no extension host inspector on 127.0.0.1:${firstPort}–${firstPort + 9}`);
  const ws = new WebSocket(target);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let next = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.onmessage = (e) => {
    const message = JSON.parse(String(e.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
  };
  const send = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve) => {
      const id = ++next;
      waiting.set(id, resolve as (r: unknown) => void);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  return {
    start: () => send('Profiler.start'),
    stop: async () => {
      const { profile } = await send<{ profile: CpuProfile }>('Profiler.stop');
      ws.close();
      return profile;
    },
  };
}
