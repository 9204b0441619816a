import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CliApp, type CommandContext, runCli, runCommandLine, usageText } from '../src/cli.js';
import { NETWORK_USAGE, UsageError } from '../src/options.js';

const OPTIONS = { count: { type: 'string' } } as const;
type Options = typeof OPTIONS;

/** An app whose commands record what they were given. */
function testApp(overrides: Partial<CliApp<Options>> = {}) {
  const calls: { command: string; ctx: CommandContext<Options>; argument?: string }[] = [];
  const app: CliApp<Options> = {
    name: 'test-app',
    version: '1.2.3',
    usage: 'Usage: test-app serve | dial <ticket>\n',
    options: OPTIONS,
    commands: {
      serve: {
        run: async (ctx) => {
          calls.push({ command: 'serve', ctx });
          return 0;
        },
      },
      dial: {
        argument: 'ticket',
        run: async (ctx, argument) => {
          calls.push({ command: 'dial', ctx, argument });
          return 7;
        },
      },
    },
    ...overrides,
  };
  return { app, calls };
}

/** Captures what is written to stdout and stderr. */
function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('runCommandLine', () => {
  it('runs the named command with the option values, the network options and a logger', async () => {
    const { app, calls } = testApp();
    expect(await runCommandLine(app, ['serve', '--count', '5', '--bind', '127.0.0.1:0'])).toBe(0);
    expect(calls).toHaveLength(1);
    const { ctx } = calls[0]!;
    expect(ctx.values.count).toBe('5');
    expect(ctx.opts).toEqual({ relays: [], n0: false, bind: '127.0.0.1:0', secretKeyFile: undefined });
    expect(typeof ctx.log.info).toBe('function');
  });

  it("passes a command its one argument and resolves with the command's status", async () => {
    const { app, calls } = testApp();
    expect(await runCommandLine(app, ['dial', 'the-ticket'])).toBe(7);
    expect(calls[0]).toMatchObject({ command: 'dial', argument: 'the-ticket' });
  });

  it('--help prints the usage and --version the name and version, without running a command', async () => {
    const { app, calls } = testApp();
    const io = capture();
    expect(await runCommandLine(app, ['serve', '--help'])).toBe(0);
    expect(io.out()).toBe(`Usage: test-app serve | dial <ticket>\n\n${NETWORK_USAGE}\n`);
    expect(await runCommandLine(app, ['-V'])).toBe(0);
    expect(io.out()).toMatch(/\ntest-app 1\.2\.3\n$/);
    expect(calls).toEqual([]);
  });

  it('refuses bad command lines with a UsageError', async () => {
    const { app, calls } = testApp();
    const refused = async (args: string[]) => {
      const e = await runCommandLine(app, args).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(e, args.join(' ')).toBeInstanceOf(UsageError);
      return (e as UsageError).message;
    };
    expect(await refused([])).toBe('no command given');
    expect(await refused(['frobnicate'])).toBe('unknown command: frobnicate');
    expect(await refused(['toString'])).toBe('unknown command: toString');
    expect(await refused(['serve', 'extra', 'words'])).toBe('serve takes no arguments, got extra words');
    expect(await refused(['dial'])).toBe('dial takes one argument: the ticket');
    expect(await refused(['dial', 'a', 'b'])).toBe('dial takes one argument: the ticket');
    expect(await refused(['serve', '--bind', 'localhost'])).toMatch(/^--bind: /);
    expect(calls).toEqual([]);
  });

  it('lets parseArgs refuse unknown options', async () => {
    const { app } = testApp();
    await expect(runCommandLine(app, ['serve', '--nope'])).rejects.toMatchObject({
      code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION',
    });
  });
});

describe('runCli', () => {
  it('sets the exit status from the command', async () => {
    const { app } = testApp();
    await runCli(app, ['dial', 'x']);
    expect(process.exitCode).toBe(7);
  });

  it('a bad command line: status 2, the message and the usage on stderr, then afterError', async () => {
    const afterError = vi.fn();
    const { app } = testApp({ afterError });
    for (const args of [['frobnicate'], ['serve', '--nope']]) {
      const io = capture();
      await runCli(app, args);
      expect(process.exitCode).toBe(2);
      expect(io.err()).toMatch(/^.+\n\nUsage: test-app /);
      expect(io.err().endsWith(usageText(app))).toBe(true);
      expect(io.out()).toBe('');
    }
    expect(afterError).toHaveBeenCalledTimes(2);
  });

  it('a failure: status 1 and one JSON `failed` record with the code (or name) and message', async () => {
    const failing = (e: unknown) =>
      testApp({
        commands: {
          serve: {
            run: async () => {
              throw e;
            },
          },
        },
      }).app;
    const io = capture();
    await runCli(failing(Object.assign(new Error('no such file'), { code: 'ENOENT' })), ['serve']);
    expect(process.exitCode).toBe(1);
    await runCli(failing(new TypeError('bad')), ['serve']);
    await runCli(failing('a string'), ['serve']);
    const records = io
      .err()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual([
      {
        ts: expect.any(String),
        level: 'error',
        app: 'test-app',
        msg: 'failed',
        code: 'ENOENT',
        error: 'no such file',
      },
      {
        ts: expect.any(String),
        level: 'error',
        app: 'test-app',
        msg: 'failed',
        code: 'TypeError',
        error: 'bad',
      },
      {
        ts: expect.any(String),
        level: 'error',
        app: 'test-app',
        msg: 'failed',
        code: 'Error',
        error: 'a string',
      },
    ]);
  });
});
