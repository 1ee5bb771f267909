import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { UsageError, optionParser, parseByteSize, parseCommandLine, parseInteger, reportingCommand } from '../src/index.js';

function program(write: (text: string) => void): Command {
  return reportingCommand(new Command('demo'), write)
    .version('1.2.3', '--version')
    .addOption(new Option('--size <bytes>').argParser(optionParser((t) => parseByteSize(t, 1, 1024))))
    .addOption(new Option('--count <n>').argParser(optionParser((t) => parseInteger(t, 1, 9))).default(1));
}

function usage(argv: string[]): UsageError {
  try {
    parseCommandLine(program(() => {}), argv);
  } catch (error) {
    return error as UsageError;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('runs with parsed values', () => {
    const p = program(() => {});
    expect(parseCommandLine(p, ['--size', '1k', '--count', '3'])).toEqual({ kind: 'run' });
    expect(p.opts()).toEqual({ size: 1024, count: 3 });
  });

  it('help and version print to write and exit 0; commander prints nothing itself', () => {
    let out = '';
    expect(parseCommandLine(program((t) => (out += t)), ['--help'])).toEqual({ kind: 'exit', exitCode: 0 });
    expect(out).toMatch(/Usage: demo/);
    out = '';
    expect(parseCommandLine(program((t) => (out += t)), ['--version'])).toEqual({ kind: 'exit', exitCode: 0 });
    expect(out).toBe('1.2.3\n');
    out = '';
    expect(() => parseCommandLine(program((t) => (out += t)), ['--bogus'])).toThrow(UsageError);
    expect(out).toBe('');
  });

  it('bad flags become one-line UsageError without the "error: " prefix, commander error as cause', () => {
    const unknown = usage(['--bogus']);
    expect(unknown).toBeInstanceOf(UsageError);
    expect(unknown).toMatchObject({ code: 'IOCP_ERR_USAGE', exitCode: 2 });
    expect(unknown.message).toBe("unknown option '--bogus'");
    expect((unknown.cause as { code?: string }).code).toBe('commander.unknownOption');
    expect(usage(['--size', 'lots']).message).toBe(
      "option '--size <bytes>' argument 'lots' is invalid. 'lots' is not a size (digits with an optional k, m, g or t suffix: 65536, 64k, 1m, 16MiB)",
    );
    expect(usage(['--count', '10']).message).toBe("option '--count <n>' argument '10' is invalid. '10' is out of range 1..9");
    expect(usage(['--count']).message).toBe("option '--count <n>' argument missing");
  });

  it('a program with subcommands run without one is a one-line UsageError, no help printed', () => {
    let out = '';
    const p = reportingCommand(new Command('tool'), (t) => (out += t)).option('--server <s>');
    for (const name of ['put', 'get', 'list']) reportingCommand(p.command(name), (t) => (out += t)).action(() => {});
    let error: unknown;
    try {
      parseCommandLine(p, ['--server', 'x']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: 'IOCP_ERR_USAGE', exitCode: 2, message: 'a command is required: put, get or list' });
    expect(out).toBe('');
  });

  it('a bare help command of a program with subcommands exits 0', () => {
    let out = '';
    const p = reportingCommand(new Command('tool'), (t) => (out += t));
    reportingCommand(p.command('put'), (t) => (out += t)).action(() => {});
    expect(parseCommandLine(p, ['help'])).toEqual({ kind: 'exit', exitCode: 0 });
    expect(out).toMatch(/put/);
  });

  it('rethrows errors that are not commander errors', () => {
    const p = reportingCommand(new Command('x'), () => {}).action(() => {
      throw new RangeError('from the action');
    });
    expect(() => parseCommandLine(p, [])).toThrow(RangeError);
  });
});

describe('optionParser', () => {
  it('passes values through and wraps non-Error throws', () => {
    expect(optionParser((t) => t.length)('abc')).toBe(3);
    expect(() =>
      optionParser(() => {
        throw 'text';
      })('x'),
    ).toThrow('text');
  });
});
