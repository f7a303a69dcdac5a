/**
 * How stages are joined. A run is planned as segments: maximal runs of stages whose pipes are
 * joined directly, kernel pipe to kernel pipe, with Node nowhere on the data path. Each segment
 * runs as ONE `bash -c` script: bash creates the real pipes (so SIGPIPE works exactly as in a
 * shell), every stage is wrapped so that it reports its PID and, when it ends, its status and
 * exact final I/O and CPU totals on a control fd, and writes its stderr to a fd of its own.
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
}

/** Fd on which the first stage of a segment of `stageCount` stages reads a relay's output (after its stderr fds). */
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
  'alias bg break cd chdir command continue echo eval exec exit export false fc fg getopts hash jobs kill local printf pwd read readonly return set shift test times trap true type ulimit umask unalias unset wait [ . :'.split(' '),
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

export interface SegmentScript {
  script: string;
  /** Environment of the segment's bash: the base env plus one private variable per stage difference. */
  env: Record<string, string>;
}

/**
 * The bash script that runs `stages` joined by real pipes. Stage values (env values) never
 * appear in the script text (which any user can read in /proc/PID/cmdline); they travel in
 * private environment variables (/proc/PID/environ is readable by the owner only) that each
 * stage exports under the real name and unsets before it starts.
 *
 * Control messages, one line each: `pid I PID TIME` when stage I starts, and
 * `done I STATUS RCHAR WCHAR CUTIME CSTIME TIME` when it has ended: its shell status and its exact
 * totals, read by the stage's wrapper from its own /proc entry right after reaping the stage
 * (the kernel adds a reaped child's I/O and CPU to its parent's).
 */
export function segmentScript(stages: readonly StagePlan[], baseEnv: Readonly<Record<string, string | undefined>>, options: { input?: boolean } = {}): SegmentScript {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(baseEnv)) if (v !== undefined && !bashControlVars.test(k) && !k.startsWith('__PW_')) env[k] = v;
  const stderrFds = stages.map((_, i) => firstStderrFd + i);
  // The stderr fds every wrapper and stage must close, named once (the script stays O(stages)).
  // A segment fed by a relay reads it on fd `inputFd(n)` (see below), closed by everyone else.
  const inFd = options.input ? inputFd(stages.length) : undefined;
  const closeAll = `__pw_close='${[...stderrFds.map((fd) => `${fd}>&-`), ...(inFd === undefined ? [] : [`${inFd}<&-`])].join(' ')}'`;
  const parts = stages.map((stage, i) => {
    const setEnv: string[] = [];
    let v = 0;
    for (const [k, value] of Object.entries(stage.env)) {
      // bash can only export names that are identifiers (the schema allows no others in `env`).
      if (env[k] === value || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) continue;
      const priv = `__PW_${i}_${v++}`;
      env[priv] = value;
      setEnv.push(`export ${k}="$${priv}"`);
    }
    for (const k of Object.keys(env)) if (!k.startsWith('__PW_') && !(k in stage.env) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) setEnv.push(`unset -v ${k}`);
    const dir = shellQuote(stage.dir);
    const child = [
      `trap - TERM INT QUIT PIPE`,
      `eval "exec ${controlFd}>&- 2>&${stderrFds[i]} $__pw_close"`,
      `cd -- ${dir} 2>/dev/null || { printf '%s\\n' ${shellQuote(`pipewright: cannot enter the working directory ${stage.dir}`)} >&2; exit 126; }`,
      ...setEnv,
      `unset -v \${!__PW_@}`,
      `exec ${stage.argv.map(shellQuote).join(' ')}`,
    ].join('; ');
    const wrapper = [
      `( ${child} ) <&${i === 0 && inFd !== undefined ? inFd : 0} & __p=$!`,
      `eval "exec 0<&- 1>&- $__pw_close"`,
      `__m="pid ${i} $__p $EPOCHREALTIME"`,
      `echo "$__m" >&${controlFd}`,
      `wait $__p; __s=$? __e=$EPOCHREALTIME`,
      `__r=0 __w=0`,
      `while read -r __k __v; do case $__k in rchar:) __r=$__v;; wchar:) __w=$__v;; esac; done </proc/$BASHPID/io`,
      `read -r -a __t </proc/$BASHPID/stat`,
      `echo "done ${i} $__s $__r $((__w - \${#__m} - 1)) \${__t[15]} \${__t[16]} $__e" >&${controlFd}`,
    ].join('; ');
    return `{ ${wrapper}; }`;
  });
  // TERM is ignored by the segment's bash and the wrappers (each stage resets it), so that on
  // cancel the stages die first and their wrappers still reap them and report.
  // With an input, the pipeline runs in the background so that this bash can close its own copy
  // of the input right after starting it: when the first stage exits, the relay's writes fail
  // (EPIPE) instead of filling a buffer nobody reads.
  const body = inFd === undefined ? parts.join(' |\n') : `${parts.join(' |\n')} &\nexec ${inFd}<&-\nwait`;
  const script = [`trap '' TERM`, closeAll, body].join('\n') + '\n';
  return { script, env };
}

/** Longest single argument Linux accepts (MAX_ARG_STRLEN is 32 pages); a bit under it. */
const maxArgBytes = 120 * 1024;

/**
 * bash arguments that run `script`: `-c SCRIPT`, or for a script longer than one argument may
 * be (hundreds of stages), `-c 'IFS=; eval "$*"'` with the script cut into several arguments.
 */
export function bashArgs(script: string): string[] {
  if (Buffer.byteLength(script) <= maxArgBytes) return ['-c', script];
  // "$*" with an empty IFS joins the parts back exactly, wherever they were cut; a quarter of
  // the limit in UTF-16 units is under the limit in UTF-8 bytes.
  const parts: string[] = [];
  for (let i = 0; i < script.length; i += maxArgBytes / 4) parts.push(script.slice(i, i + maxArgBytes / 4));
  return ['-c', 'IFS=; eval "$*"', 'pipewright', ...parts];
}

/** Parses one control line; undefined for anything else. */
/** `at`: wall-clock ms since the epoch, to the µs (bash's $EPOCHREALTIME), when bash has it. */
export type ControlMessage =
  | { kind: 'pid'; index: number; pid: number; at?: number }
  | { kind: 'done'; index: number; status: number; rchar: number; wchar: number; cutimeTicks: number; cstimeTicks: number; at?: number };

export function parseControlLine(line: string): ControlMessage | undefined {
  const w = line.trim().split(' ');
  // $EPOCHREALTIME uses the locale's decimal point.
  const nums = w.slice(1).map((x) => Number(x.replace(',', '.')));
  if (nums.some((x) => !Number.isFinite(x))) return undefined;
  const at = (n: number | undefined) => (n === undefined ? {} : { at: n * 1000 });
  if (w[0] === 'pid' && (nums.length === 2 || nums.length === 3)) return { kind: 'pid', index: nums[0]!, pid: nums[1]!, ...at(nums[2]) };
  if (w[0] === 'done' && (nums.length === 6 || nums.length === 7)) {
    const [index, status, rchar, wchar, cutimeTicks, cstimeTicks] = nums as [number, number, number, number, number, number];
    return { kind: 'done', index, status, rchar, wchar, cutimeTicks, cstimeTicks, ...at(nums[6]) };
  }
  return undefined;
}
