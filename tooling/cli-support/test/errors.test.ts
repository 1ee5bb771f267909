import { describe, expect, it } from 'vitest';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, ListenError, UsageError, exitCodeOf, formatErrorLine } from '../src/index.js';

class AppError extends CliError {}

describe('CliError', () => {
  it('carries code, exit code, name and cause', () => {
    const cause = new Error('low level');
    const e = new AppError('IOCP_ERR_ECHO_TIMEOUT', 'no echo', 4, { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ code: 'IOCP_ERR_ECHO_TIMEOUT', exitCode: 4, message: 'no echo', name: 'AppError', cause });
    expect(new UsageError('bad flag')).toMatchObject({ code: 'IOCP_ERR_USAGE', exitCode: EXIT_USAGE, name: 'UsageError' });
    expect(new ListenError('in use')).toMatchObject({ code: 'IOCP_ERR_LISTEN', exitCode: EXIT_FAILURE, name: 'ListenError' });
    expect(new UsageError('x')).toBeInstanceOf(CliError);
    expect([EXIT_OK, EXIT_FAILURE, EXIT_USAGE]).toEqual([0, 1, 2]);
  });

  it('exitCodeOf: a CliError exits with its own code, anything else with the fallback', () => {
    expect(exitCodeOf(new AppError('IOCP_ERR_X', 'x', 3))).toBe(3);
    expect(exitCodeOf(new UsageError('x'))).toBe(2);
    expect(exitCodeOf(Object.assign(new Error('lib'), { code: 'IOCP_ERR_CONNECT_REFUSED', exitCode: 9 }))).toBe(1);
    expect(exitCodeOf('a string')).toBe(1);
    expect(exitCodeOf(undefined, 7)).toBe(7);
  });
});

describe('formatErrorLine', () => {
  it('prints APP: CODE: message on one line', () => {
    expect(formatErrorLine('echo-client', new UsageError('unknown option'))).toBe('echo-client: IOCP_ERR_USAGE: unknown option');
    expect(formatErrorLine('x', Object.assign(new Error('refused'), { code: 'IOCP_ERR_CONNECT_REFUSED' }))).toBe('x: IOCP_ERR_CONNECT_REFUSED: refused');
    expect(formatErrorLine('x', new Error('first\n  second\r\nthird\n'))).toBe('x: IOCP_ERR_INTERNAL: first second third');
  });

  it('marks uncoded and foreign-coded errors and non-errors as IOCP_ERR_INTERNAL', () => {
    expect(formatErrorLine('x', Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe('x: IOCP_ERR_INTERNAL: gone');
    expect(formatErrorLine('x', 'plain string')).toBe('x: IOCP_ERR_INTERNAL: plain string');
    expect(formatErrorLine('x', null)).toBe('x: IOCP_ERR_INTERNAL: null');
    expect(formatErrorLine('x', undefined)).toBe('x: IOCP_ERR_INTERNAL: undefined');
    expect(formatErrorLine('x', { code: 42 })).toBe('x: IOCP_ERR_INTERNAL: [object Object]');
  });
});
