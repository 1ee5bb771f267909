import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { MIN_MAX_BUFFERED, UsageError, maxBufferedOption, parseCommandLine, parseMaxBuffered, reportingCommand } from '../src/index.js';

function parse(argv: string[]): number | undefined {
  const program = reportingCommand(new Command('x'), () => {}).addOption(maxBufferedOption());
  parseCommandLine(program, argv);
  return program.opts().maxBuffered as number | undefined;
}

describe('--max-buffered', () => {
  it('reads a byte size of at least 1 MiB, or off', () => {
    expect(parseMaxBuffered('256m')).toBe(256 * 1024 * 1024);
    expect(parseMaxBuffered('2G')).toBe(2 * 1024 ** 3);
    expect(parseMaxBuffered('1m')).toBe(MIN_MAX_BUFFERED);
    expect(parseMaxBuffered('OFF')).toBe(Number.POSITIVE_INFINITY);
    expect(() => parseMaxBuffered('512k')).toThrow(/out of range 1048576\.\./);
    expect(() => parseMaxBuffered('lots')).toThrow(/is not a size/);
  });

  it('is a shared commander option: absent = undefined (the transport default), bad = a one-line usage error', () => {
    expect(parse([])).toBeUndefined();
    expect(parse(['--max-buffered', '64m'])).toBe(64 * 1024 * 1024);
    expect(parse(['--max-buffered', 'off'])).toBe(Number.POSITIVE_INFINITY);
    expect(() => parse(['--max-buffered', '10'])).toThrow(UsageError);
    expect(() => parse(['--max-buffered', '10'])).toThrow(/--max-buffered <size>.*out of range/);
  });
});
