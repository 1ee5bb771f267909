import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addProxyProtocolFlags, parseCommandLine, proxyProtocolFromFlags, reportingCommand } from '../src/index.js';

function parse(argv: string[]) {
  const program = addProxyProtocolFlags(reportingCommand(new Command('x'), () => {}));
  parseCommandLine(program, argv);
  return proxyProtocolFromFlags(program.opts());
}

describe('--proxy-protocol / --trusted-proxy', () => {
  it('builds the listener option from repeated --trusted-proxy values', () => {
    expect(parse([])).toBeUndefined();
    expect(parse(['--proxy-protocol', '--trusted-proxy', '10.0.0.0/8', '--trusted-proxy', '::1'])).toEqual({
      trusted: ['10.0.0.0/8', '::1'],
      required: true,
    });
  });

  it.each([
    [['--trusted-proxy', '10.0.0.0/33', '--proxy-protocol'], /--trusted-proxy.*'10.0.0.0\/33' is not 0..32/],
    [['--proxy-protocol', '--trusted-proxy', 'balancer.local'], /'balancer.local' is not an IP address or CIDR block/],
    [['--proxy-protocol'], /--proxy-protocol needs at least one --trusted-proxy/],
    [['--trusted-proxy', '127.0.0.1'], /--trusted-proxy needs --proxy-protocol/],
  ])('%j is a one-line usage error (exit 2)', (argv, message) => {
    let error: unknown;
    try {
      parse(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'IOCP_ERR_USAGE', exitCode: 2 });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/\n/);
  });
});
