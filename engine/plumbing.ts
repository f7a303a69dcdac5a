import { commitFdVariable } from './builtins/protocol';

/**
 * How stages are joined. A run is planned as segments: maximal runs of stages whose pipes are
 * joined directly, kernel pipe to kernel pipe, with Node nowhere on the data path. Each segment
 * runs as ONE bash running engine/segment.sh: bash creates the real pipes (so SIGPIPE works
 * exactly as in a shell), every stage is wrapped so that it reports its PID and, when it ends,
 * its status and exact final I/O and CPU totals on a control fd, and writes its stderr to a fd
 * of its own. This file computes what that script reads (fds, private variables).
 *
 * A run is cut into several segments where Node must interpose (workers, tapped edges; see
 * cutUnits in relay.ts): segment k's stdout is read by a relay that writes into segment k+1's
 * input fd; edges not chosen stay direct.
 */

/** Fd of the control channel in the segment's bash (fd 0 = first stage's stdin, 1 = last stage's stdout). */
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

/** Quotes one word for bash: any bytes, no expansion. */
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

/** Variables that would change how the segment's own bash behaves; stages get them back. */
const bashControlVars = /^(BASH_ENV|ENV|SHELLOPTS|BASHOPTS|CDPATH|GLOBIGNORE|BASH_XTRACEFD|PS4|IFS|BASH_FUNC_.*)$/;
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The fds of a segment of `stageCount` stages, `commits` of them `write` stages with a commit
 * channel, and `holes` more that join a graph's relayed stages to the engine (graph-plan.ts).
 */
export function segmentFds(stageCount: number, commits: number, holes = 0): { input: number; commit: number[]; holes: number[] } {
  const input = inputFd(stageCount);
  const after = (first: number, n: number) => Array.from({ length: n }, (_, j) => first + j);
  return { input, commit: after(input + 1, commits), holes: after(input + 1 + commits, holes) };
}

/**
 * The environment of a segment's bash running engine/segment.sh over `stages`: the base env
 * plus the private `__PW_` variables that script reads (see its header). Stage values (env
 * values) never appear in a command line (which any user can read in /proc/PID/cmdline); they
 * travel in private variables (/proc/PID/environ is readable by the owner only) that each stage
 * exports under the real name and unsets before it starts.
 */
export function segmentEnv(stages: readonly StagePlan[], baseEnv: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(baseEnv)) if (v !== undefined && !bashControlVars.test(k) && !k.startsWith('__PW_')) env[k] = v;
  const base = Object.keys(env).filter((k) => identifier.test(k));
  const fds = segmentFds(stages.length, stages.filter((s) => s.commit).length);
  const commitOf = new Map(stages.flatMap((s, i) => (s.commit ? [i] : [])).map((i, j) => [i, fds.commit[j]!]));
  env.__PW_N = String(stages.length);
  env.__PW_IN = String(fds.input);
  env.__PW_CLOSE = [...stages.map((_, i) => `${firstStderrFd + i}>&-`), `${fds.input}<&-`].join(' ');
  env.__PW_COMMIT = fds.commit.join(' ');
  env.__PW_FDS = [...stages.map((_, i) => firstStderrFd + i), fds.input, ...fds.commit].join(' ');
  stages.forEach((stage, i) => {
    const setEnv: string[] = [];
    let v = 0;
    for (const [k, value] of Object.entries(stage.env)) {
      // bash can only export names that are identifiers (the schema allows no others in `env`).
      if (env[k] === value || !identifier.test(k)) continue;
      const priv = `__PW_V_${i}_${v++}`;
      env[priv] = value;
      setEnv.push(`export ${k}="$${priv}"`);
    }
    for (const k of base) if (!(k in stage.env)) setEnv.push(`unset -v ${k}`);
    const commit = commitOf.get(i);
    if (commit !== undefined) setEnv.push(`export ${commitFdVariable}=${commit}`);
    env[`__PW_ERR_${i}`] = String(firstStderrFd + i);
    env[`__PW_DIR_${i}`] = stage.dir;
    env[`__PW_ENV_${i}`] = setEnv.join('; ');
    env[`__PW_KEEP_${i}`] = commit === undefined ? '' : String(commit);
    env[`__PW_EXEC_${i}`] = stage.argv.map(shellQuote).join(' ');
  });
  return env;
}

/** A control line of a segment (engine/wrapper.pl, engine/edge-count.*); `at`: wall-clock ms since the epoch, to the µs. */
export type ControlMessage =
  | { kind: 'pid'; index: number; pid: number; at?: number }
  | {
      kind: 'done';
      index: number;
      /** Shell-style status: the exit code, or 128 + N for signal N (`signaled` says which). */
      status: number;
      /** The stage was killed by a signal (the wrapper saw the raw wait status); absent from old-style lines. */
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
  // `done … TIME HOW MAXRSS`: HOW is a word among the numbers (older lines end with it, or lack it).
  const h = w.findIndex((x) => x === 'exit' || x === 'signal');
  const how = h >= 0 ? w.splice(h, 1)[0] : undefined;
  // A time may use the locale's decimal point.
  const nums = w.slice(1).map((x) => Number(x.replace(',', '.')));
  if (nums.some((x) => !Number.isFinite(x))) return undefined;
  const at = (n: number | undefined) => (n === undefined ? {} : { at: n * 1000 });
  if (w[0] === 'pid' && (nums.length === 2 || nums.length === 3)) return { kind: 'pid', index: nums[0]!, pid: nums[1]!, ...at(nums[2]) };
  if (w[0] === 'done' && nums.length >= 6 && nums.length <= 8) {
    const [index, status, rchar, wchar, cutimeTicks, cstimeTicks] = nums as [number, number, number, number, number, number];
    const maxRss = nums[7] !== undefined && nums[7] > 0 ? { maxRssKb: nums[7] } : {};
    return { kind: 'done', index, status, ...(how ? { signaled: how === 'signal' } : {}), rchar, wchar, cutimeTicks, cstimeTicks, ...at(nums[6]), ...maxRss };
  }
  return undefined;
}
