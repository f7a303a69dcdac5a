import { parseArgs } from 'node:util';
import { checkCommand } from './check';
import { compareRecordsCommand, compareStatsCommand } from './compare';
import { doctorCommand } from './doctor';
import { parseThreshold } from '../engine/compare/stats-diff';
import { plainProcessEnv } from '../dsl/host-node';
import { ExitCode } from './exit-codes';
import { graphCommand, graphFormats, type GraphFormat } from './graph';
import { runCommand } from './run';
import { commandUsage, usage, type Command } from './usage';

declare const PIPEWRIGHT_VERSION: string;
const version = typeof PIPEWRIGHT_VERSION === 'string' ? PIPEWRIGHT_VERSION : 'dev';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${version}\n`);
    return ExitCode.Ok;
  }
  if (command === undefined || command === '--help' || command === '-h' || (command === 'help' && rest.length === 0)) {
    (command === undefined ? process.stderr : process.stdout).write(`${usage}\n`);
    return command === undefined ? ExitCode.Unreadable : ExitCode.Ok;
  }
  if (command === 'check' || command === 'run' || command === 'graph' || command === 'compare' || command === 'doctor') {
    current = command;
    const flags = rest.slice(0, rest.indexOf('--') >>> 0); // after `--`, `--help` would be a FILE
    if (flags.includes('--help') || flags.includes('-h')) {
      process.stdout.write(`${commandUsage[command]}\n`);
      return ExitCode.Ok;
    }
  }
  if (command === 'help' && rest.length > 0) {
    const topic = rest[0]!;
    if (!(topic in commandUsage)) throw new UsageError(`no help on '${topic}': the commands are check, run, graph, compare and doctor`);
    process.stdout.write(`${commandUsage[topic as Command]}\n`);
    return ExitCode.Ok;
  }
  if (command === 'check') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
    if (positionals.length === 0) throw new UsageError('check needs at least one FILE');
    return checkCommand(positionals, { json: values.json === true });
  }
  if (command === 'run') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        to: { type: 'string' },
        limit: { type: 'string' },
        peek: { type: 'string', multiple: true },
        'stats-json': { type: 'string' },
        trace: { type: 'string' },
        'no-counts': { type: 'boolean', default: false },
        quiet: { type: 'boolean', short: 'q', default: false },
      },
    });
    if (positionals.length !== 1) throw new UsageError('run needs exactly one FILE');
    let limit: number | undefined;
    if (values.limit !== undefined) {
      limit = Number(values.limit);
      if (!/^[0-9]+$/.test(values.limit) || !Number.isSafeInteger(limit) || limit < 1)
        throw new UsageError(`--limit needs a whole number of at least 1, not '${values.limit}'`);
    }
    return runCommand(positionals[0]!, {
      quiet: values.quiet === true,
      ...(values['no-counts'] === true ? { counts: false } : {}),
      ...(values.to !== undefined ? { to: values.to } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(values.peek !== undefined ? { peek: values.peek } : {}),
      ...(values['stats-json'] !== undefined ? { statsJson: values['stats-json'] } : {}),
      ...(values.trace !== undefined ? { trace: values.trace } : {}),
    });
  }
  if (command === 'graph') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { format: { type: 'string', default: 'text' }, 'stats-json': { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('graph needs exactly one FILE');
    const format = values.format as GraphFormat;
    if (!graphFormats.includes(format)) throw new UsageError(`--format is one of ${graphFormats.join(', ')}, not '${values.format}'`);
    return graphCommand(positionals[0]!, { format, ...(values['stats-json'] !== undefined ? { statsJson: values['stats-json'] } : {}) });
  }
  if (command === 'compare') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        records: { type: 'boolean', default: false },
        key: { type: 'string' },
        examples: { type: 'string' },
        threshold: { type: 'string' },
        'fail-on-regression': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 2) throw new UsageError(`compare needs exactly two files, the earlier run's first (got ${positionals.length})`);
    const [a, b] = positionals as [string, string];
    const json = values.json === true;
    if (values.records === true) {
      if (values.threshold !== undefined || values['fail-on-regression'] === true)
        throw new UsageError('--threshold and --fail-on-regression compare stats files, not --records');
      const examples = values.examples === undefined ? 5 : Number(values.examples);
      if (!/^[0-9]+$/.test(values.examples ?? '5') || !Number.isSafeInteger(examples))
        throw new UsageError(`--examples needs a whole number, not '${values.examples}'`);
      if (values.key === '') throw new UsageError('--key needs a field name (dotted for a nested one: user.id)');
      return compareRecordsCommand(a, b, { key: values.key, examples, json });
    }
    if (values.key !== undefined || values.examples !== undefined) throw new UsageError('--key and --examples go with --records');
    const threshold = parseThreshold(values.threshold ?? '20%');
    if (threshold === undefined) throw new UsageError(`--threshold is a share such as 20% or 0.2, not '${values.threshold}'`);
    return compareStatsCommand(a, b, { threshold, json, failOnRegression: values['fail-on-regression'] === true });
  }
  if (command === 'doctor') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { host: { type: 'string' } } });
    if (values.host === undefined) {
      if (positionals.length > 0) throw new UsageError('doctor takes a FILE only with --host NAME (the pipeline whose `hosts:` name it)');
      return doctorCommand(version);
    }
    if (positionals.length !== 1) throw new UsageError('doctor --host NAME needs exactly one FILE: the pipeline whose `hosts:` name it');
    return doctorCommand(version, { name: values.host, file: positionals[0]! });
  }
  throw new UsageError(`unknown command '${command}'`);
}

class UsageError extends Error {}

/** Node's words for an unknown option run on about `--` and positionals; ours name the command. */
function usageMessage(e: Error): string {
  const option = /^Unknown option '([^']+)'/.exec(e.message)?.[1];
  return option !== undefined && current ? `\`${current}\` has no option '${option}' (its options are below)` : e.message;
}

/** The command being parsed: a usage error shows its help rather than the general one. */
let current: Command | undefined;

// Before anything is parsed (see plainProcessEnv).
plainProcessEnv();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const usageProblem = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const help = current ? commandUsage[current] : usage;
    process.stderr.write(
      usageProblem ? `pipewright: ${usageMessage(e as Error)}\n${help}\n` : `pipewright: internal error: ${(e as Error).stack ?? String(e)}\n`,
    );
    process.exitCode = ExitCode.Unreadable;
  },
);
