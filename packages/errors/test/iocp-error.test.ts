import { describe, expect, it } from 'vitest';
import { ERROR_CODES, InvalidOptionError, IocpError, isIocpError, isIocpErrorCode } from '../src/index.js';

class SomeError extends IocpError {}

describe('IocpError', () => {
  it('carries a code, the subclass name and the cause', () => {
    const cause = new Error('root');
    const err = new SomeError('IOCP_ERR_ENCODE', 'cannot encode', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(IocpError);
    expect(err.code).toBe('IOCP_ERR_ENCODE');
    expect(err.name).toBe('SomeError');
    expect(err.message).toBe('cannot encode');
    expect(err.cause).toBe(cause);
  });

  it('isIocpError checks the class and, when asked, the code', () => {
    const err = new SomeError('IOCP_ERR_TLS', 'x');
    expect(isIocpError(err)).toBe(true);
    expect(isIocpError(err, 'IOCP_ERR_TLS')).toBe(true);
    expect(isIocpError(err, 'IOCP_ERR_LISTEN')).toBe(false);
    expect(isIocpError(Object.assign(new Error('x'), { code: 'IOCP_ERR_TLS' }))).toBe(false);
    expect(isIocpError(undefined)).toBe(false);
  });
});

describe('InvalidOptionError', () => {
  it('names the option when given one: "invalid option NAME: MESSAGE"', () => {
    const err = new InvalidOptionError('window', 'must be >= 1');
    expect(err).toBeInstanceOf(IocpError);
    expect(err.code).toBe('IOCP_ERR_INVALID_OPTION');
    expect(err.name).toBe('InvalidOptionError');
    expect(err.option).toBe('window');
    expect(err.message).toBe('invalid option window: must be >= 1');
  });

  it('takes a message alone (option undefined) and a cause in either form', () => {
    const cause = new Error('bad pem');
    const a = new InvalidOptionError('tls: cannot load certificate', { cause });
    expect(a.option).toBeUndefined();
    expect(a.message).toBe('tls: cannot load certificate');
    expect(a.cause).toBe(cause);
    const b = new InvalidOptionError('tls', 'cannot load', { cause });
    expect(b.cause).toBe(cause);
  });
});

describe('ERROR_CODES', () => {
  it('lists IOCP_ERR_ codes, each with a package, a class and a summary', () => {
    const codes = Object.keys(ERROR_CODES);
    expect(codes.length).toBeGreaterThan(40);
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^IOCP_ERR_[A-Z0-9_]+$/);
      expect(info.package).toMatch(/^@iocp\/[a-z-]+$/);
      expect(info.className).toMatch(/^[A-Z][A-Za-z]+Error$/);
      expect(info.summary.length).toBeGreaterThan(10);
    }
  });

  it('isIocpErrorCode knows registered codes only', () => {
    expect(isIocpErrorCode('IOCP_ERR_FRAME_TOO_LONG')).toBe(true);
    expect(isIocpErrorCode('IOCP_ERR_FROM_THE_FUTURE')).toBe(false);
    expect(isIocpErrorCode('toString')).toBe(false);
  });
});
