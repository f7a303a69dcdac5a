/**
 * The built-in stages' program, bundled as dist/builtin.cjs (small: no ajv, no yaml):
 *
 *   node dist/builtin.cjs NAME [OPTIONS-JSON]
 *
 * NDJSON records in on stdin, out on stdout; problems on stderr. Without OPTIONS-JSON the options
 * come from the environment variable PIPEWRIGHT_BUILTIN_OPTIONS, which is how the engine passes
 * them (see protocol.ts).
 *
 * Exit status: 0 done, 1 bad input or file, 2 bad name or options, 141 the reader went away
 * (reported as "stopped early"), 128 + N on signal N.
 */
import { implementations, type BuiltinImplementation } from './index';
import { Options, type OptionValues } from './options';
import { builtinOptionsVariable as optionsVariable } from './protocol';
import { installProcessHandlers, messageOf, StageError, stdout, warn } from './records';

async function main(): Promise<number> {
  const [name, json = process.env[optionsVariable] ?? '{}'] = process.argv.slice(2);
  delete process.env[optionsVariable];
  const names = Object.keys(implementations);
  if (name === undefined || !Object.hasOwn(implementations, name)) {
    throw new StageError(
      `${name === undefined ? 'no built-in named' : `there is no built-in \`${name}\``}; ` +
        `usage: builtin.cjs NAME [OPTIONS-JSON], where NAME is one of ${names.join(', ')}`,
      2,
    );
  }
  const impl: BuiltinImplementation = await implementations[name as keyof typeof implementations]();
  let values: unknown;
  try {
    values = JSON.parse(json);
  } catch (err) {
    throw new StageError(`the options of \`${name}\` are not valid JSON (${messageOf(err)})`, 2);
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new StageError(`the options of \`${name}\` must be a JSON object`, 2);
  await impl.run(new Options(name, values as OptionValues, impl.options));
  return 0;
}

installProcessHandlers();
main().then(
  async (status) => {
    await stdout.finish();
    process.exit(status);
  },
  async (err: unknown) => {
    if (!(err instanceof StageError)) {
      warn(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(70);
    }
    await stdout.finish(); // the records before the failing one still go on
    warn(err.message);
    process.exit(err.status);
  },
);
