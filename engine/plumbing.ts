/**
 * How stages are joined. A run is planned as segments: maximal runs of stages whose pipes are
 * joined directly, kernel pipe to kernel pipe, with Node nowhere on the data path. Each segment
 * runs as one dist/pw-segment (engine/native/), which makes the real pipes (so SIGPIPE works
 * exactly as in a shell), forks and execs every stage, reports each stage's PID and, when it
 * ends, its status and exact final I/O and CPU totals on a control fd, and gives each stage's
 * stderr a fd of its own. This file holds what the engine and it agree on besides the plan
 * (segment-plan.ts): the fds, what a stage runs, the control lines (docs/engine-protocol.md).
 *
 * A run is cut into several segments where Node must interpose (workers, tapped edges; see
 * cutUnits in units.ts): segment k's stdout is read by a relay that writes into segment k+1's
 * input fd; edges not chosen stay direct.
 */

/** Fd of the control channel of pw-segment (fd 0 = its plan, 1 = last stage's stdout, 2 = its own errors). */
export const controlFd = 3;
/** Stage i of a segment writes its stderr to fd `firstStderrFd + i`. */
export const firstStderrFd = 4;

/** What one stage of a segment runs, already resolved (env, dir, interpolated argv). */
export interface StagePlan {
  /** Shell words to exec: a `command:` argv, or `/bin/sh -c SCRIPT` for `run:`. */
  argv: string[];
  dir: string;
  /** The stage's full environment. */
  env: Record<string, string>;
  /** A `write` stage: it gets a commit channel (see engine/builtins/protocol.ts). */
  commit?: boolean;
}

/** Fd on which the first stage of a segment of `stageCount` stages reads its input (after the stderr fds). */
export function inputFd(stageCount: number): number {
  return firstStderrFd + stageCount;
}

/** Quotes one word for a POSIX shell (a host's login shell, ssh's command line): any bytes, no expansion. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** dash's builtins: `exec NAME` would run a different program (or none), so such scripts keep their shell. */
const shBuiltins = new Set(
  'alias bg break cd chdir command continue echo eval exec exit export false fc fg getopts hash jobs kill local printf pwd read readonly return set shift test times trap true type ulimit umask unalias unset wait [ . :'.split(
    ' ',
  ),
);
const shKeywords = new Set('if then else elif fi case esac for while until do done function select ! { } [['.split(' '));

/**
 * For a `run:` script that is one simple command (no `;`, `&`, `|`, newline, subshell, command
 * substitution, keyword, leading assignment or builtin), `exec ` in front makes `sh` replace
 * itself with the program — so /proc measures the program, not a waiting shell. Anything else
 * is left as written.
 */
export function execPrefixed(script: string): string {
  const s = script.trim();
  if (s === '' || !/^[\x20-\x7e\t]*$/.test(s)) return script;
  // Quoted text cannot hold operators: blank out '…', and "…" without command substitution.
  const bare = s.replace(/'[^']*'/g, "''").replace(/"(?:[^"$`\\]|\$(?!\())*"/g, '""');
  if (/['"\\]/.test(bare.replace(/''|""/g, ''))) return script;
  if (/[;&|`(){}\n]|\$\(|<<|^\s*#/.test(bare)) return script;
  const first = s.split(/[\s<>]/, 1)[0] ?? '';
  if (first === '' || first.includes('=') || first.includes('$') || first.includes("'") || first.includes('"') || first.includes('\\')) return script;
  if (shBuiltins.has(first) || shKeywords.has(first)) return script;
  return `exec ${s}`;
}

/**
 * The fds of a segment of `stageCount` stages, `commits` of them `write` stages with a commit
 * channel, and `holes` more that join a graph's relayed stages to the engine (graph-plan.ts).
 */
export function segmentFds(stageCount: number, commits: number, holes = 0): { input: number; commit: number[]; holes: number[] } {
  const input = inputFd(stageCount);
  const after = (first: number, n: number) => Array.from({ length: n }, (_, j) => first + j);
  return { input, commit: after(input + 1, commits), holes: after(input + 1 + commits, holes) };
}

/** A control line of a segment (docs/engine-protocol.md, "The reports"); `at`: wall-clock ms since the epoch, to the µs. */
export type ControlMessage =
  | { kind: 'pid'; index: number; pid: number; at?: number }
  | {
      kind: 'done';
      index: number;
      /** Shell-style status: the exit code, or 128 + N for signal N (`signaled` says which). */
      status: number;
      /** The stage was killed by a signal (pw-segment saw the raw wait status). */
      signaled?: boolean;
      rchar: number;
      wchar: number;
      cutimeTicks: number;
      cstimeTicks: number;
      at?: number;
      /** Peak resident memory (KB) of the reaped stage, from wait4's ru_maxrss. */
      maxRssKb?: number;
    }
  /** Counts of the edge after stage `index` of the segment; `end`: final (its input ended or its reader left). */
  | { kind: 'edge'; index: number; records: number; bytes: number; end: boolean };

/** Parses one control line; undefined for anything else. */
export function parseControlLine(line: string): ControlMessage | undefined {
  const w = line.trim().split(' ');
  if (w[0] === 'edge') {
    const end = w[4] === 'end';
    const [index, records, bytes] = w.slice(1, 4).map(Number) as [number, number, number];
    if (w.length !== (end ? 5 : 4) || ![index, records, bytes].every(Number.isSafeInteger)) return undefined;
    return { kind: 'edge', index, records, bytes, end };
  }
  // `done I STATUS RCHAR WCHAR CUTIME CSTIME TIME HOW [MAXRSS]`: HOW is a word among the numbers (MAXRSS is absent for a stage never forked).
  const how = w[0] === 'done' ? w.splice(8, 1)[0] : undefined;
  const nums = w.slice(1).map(Number);
  if (nums.some((x) => !Number.isFinite(x))) return undefined;
  if (w[0] === 'pid' && nums.length === 3) return { kind: 'pid', index: nums[0]!, pid: nums[1]!, at: nums[2]! * 1000 };
  if (w[0] === 'done' && (how === 'exit' || how === 'signal') && (nums.length === 7 || nums.length === 8)) {
    const [index, status, rchar, wchar, cutimeTicks, cstimeTicks, at] = nums as [number, number, number, number, number, number, number];
    const maxRss = nums[7] !== undefined && nums[7] > 0 ? { maxRssKb: nums[7] } : {};
    return { kind: 'done', index, status, signaled: how === 'signal', rchar, wchar, cutimeTicks, cstimeTicks, at: at * 1000, ...maxRss };
  }
  return undefined;
}
