/**
 * The apps' `main`: parse the command line (the shared {@link NETWORK_OPTIONS} and the app's own),
 * answer `--help` and `--version`, run the named command, and turn its outcome into the exit status:
 * 0 or what the command returns, 1 for a failure (a JSON `failed` record on stderr), 2 for a bad
 * command line (the message and the usage on stderr).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { createLogger, type Logger } from './log.js';
import {
  NETWORK_OPTIONS,
  NETWORK_USAGE,
  type NetworkOptions,
  networkOptions,
  UsageError,
} from './options.js';

/** `parseArgs` options (`{ name: { type, short?, multiple?, default? } }`). */
export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The `parseArgs` configuration of an app whose own options are `O`. */
type CliParseConfig<O extends ParseArgsOptionsConfig> = {
  options: typeof NETWORK_OPTIONS & O;
  strict: true;
  allowPositionals: true;
};

/** The parsed option values of an app whose own options are `O` (the shared ones included). */
export type CliValues<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<CliParseConfig<O>>
>['values'];

/** What a command runs with. */
export interface CommandContext<O extends ParseArgsOptionsConfig> {
  /** Every option value, the app's own included. */
  readonly values: CliValues<O>;
  /** The shared options, validated. */
  readonly opts: NetworkOptions;
  /** The app's logger. */
  readonly log: Logger;
}

/** A command without arguments. */
export interface BareCommand<O extends ParseArgsOptionsConfig> {
  readonly argument?: undefined;
  /** Runs the command; resolves with the exit status. */
  run(ctx: CommandContext<O>): Promise<number>;
}

/** A command with exactly one argument. */
export interface ArgumentCommand<O extends ParseArgsOptionsConfig> {
  /** What the argument is (`ticket`), for the usage error. */
  readonly argument: string;
  /** Runs the command with its argument; resolves with the exit status. */
  run(ctx: CommandContext<O>, argument: string): Promise<number>;
}

/** A command of an app: the first positional argument names it. */
export type Command<O extends ParseArgsOptionsConfig> = BareCommand<O> | ArgumentCommand<O>;

/** An app's command line. */
export interface CliApp<O extends ParseArgsOptionsConfig> {
  /** The program's name: in logs (`app`), `--version` and the usage. */
  readonly name: string;
  /** Printed by `--version` after the name. */
  readonly version: string;
  /** The usage's own part (synopsis, commands, app options); {@link NETWORK_USAGE} follows it. */
  readonly usage: string;
  /** The app's own `parseArgs` options, next to the shared ones. */
  readonly options: O;
  /** The commands by name. */
  readonly commands: Readonly<Record<string, Command<O>>>;
  /** Runs after an error was reported, before the process ends (e.g. stop reading stdin). */
  readonly afterError?: () => void;
}

/** The full usage text: the app's part, then the shared options. */
export function usageText(app: { readonly usage: string }): string {
  return `${app.usage}\n${NETWORK_USAGE}\n`;
}

/**
 * Parses `args` and runs the command they name; `--help` and `--version` print to stdout and
 * resolve with 0.
 *
 * @throws {@link UsageError} (or a `parseArgs` error, code `ERR_PARSE_ARGS_…`) for a bad command line.
 */
export async function runCommandLine<const O extends ParseArgsOptionsConfig>(
  app: CliApp<O>,
  args: readonly string[],
): Promise<number> {
  const config: CliParseConfig<O> = {
    options: { ...NETWORK_OPTIONS, ...app.options },
    strict: true,
    allowPositionals: true,
  };
  const { values, positionals } = parseArgs({ ...config, args: [...args] });
  const shared: SharedValues = values;
  if (shared.help) {
    process.stdout.write(usageText(app));
    return 0;
  }
  if (shared.version) {
    process.stdout.write(`${app.name} ${app.version}\n`);
    return 0;
  }
  const opts = networkOptions(shared);
  const [name, ...rest] = positionals;
  const log = createLogger(app.name);
  const command = name !== undefined && Object.hasOwn(app.commands, name) ? app.commands[name] : undefined;
  if (command === undefined)
    throw new UsageError(name === undefined ? 'no command given' : `unknown command: ${name}`);
  const ctx: CommandContext<O> = { values, opts, log };
  if (command.argument === undefined) {
    if (rest.length > 0) throw new UsageError(`${name} takes no arguments, got ${rest.join(' ')}`);
    return command.run(ctx);
  }
  if (rest.length !== 1) throw new UsageError(`${name} takes one argument: the ${command.argument}`);
  return command.run(ctx, rest[0]!);
}

/** The shared options' values, as every app parses them. */
type SharedValues = Parameters<typeof networkOptions>[0] & { help?: boolean; version?: boolean };

/**
 * Runs the app on `process.argv` and sets `process.exitCode`: the command's status, 2 for a bad
 * command line (the message and the usage on stderr), 1 for a failure (a JSON `failed` record on
 * stderr with the error's `code`, or its name, and message).
 */
export async function runCli<const O extends ParseArgsOptionsConfig>(
  app: CliApp<O>,
  args: readonly string[] = process.argv.slice(2),
): Promise<void> {
  try {
    process.exitCode = await runCommandLine(app, args);
  } catch (e) {
    process.exitCode = reportError(app, e);
    app.afterError?.();
  }
}

/** Writes what went wrong to stderr; returns the exit status (2 bad command line, 1 failure). */
function reportError(app: { readonly name: string; readonly usage: string }, e: unknown): number {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`${err.message}\n\n${usageText(app)}`);
    return 2;
  }
  createLogger(app.name).error('failed', {
    code: typeof code === 'string' ? code : err.name,
    error: err.message,
  });
  return 1;
}
