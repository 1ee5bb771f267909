import { type ProxyProtocolOptions, parseCidr } from '@iocp/transport';
import { type Command, Option } from 'commander';
import { UsageError } from './errors.js';
import { optionParser } from './command-line.js';

/** What {@link addProxyProtocolFlags} adds to a command's options. */
export interface ProxyProtocolFlagValues {
  proxyProtocol?: boolean | undefined;
  trustedProxy?: string[] | undefined;
}

/** One `--trusted-proxy` value: checked as a CIDR block (or a single address), kept as written. */
function parseTrusted(text: string): string {
  parseCidr('--trusted-proxy', text);
  return text;
}

/**
 * Add the servers' PROXY protocol flags to `command`:
 *
 * - `--proxy-protocol`: every connection must start with a PROXY protocol header (v1 or v2)
 *   from a trusted balancer; the client it names is the one logged, counted and limited.
 * - `--trusted-proxy <cidr>` (repeatable): a balancer allowed to send one; required with
 *   `--proxy-protocol`.
 *
 * A bad CIDR is a usage error (one line, exit 2). Read the result with {@link proxyProtocolFromFlags}.
 */
export function addProxyProtocolFlags(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--proxy-protocol',
        'expect a PROXY protocol header (HAProxy v1 or v2) from a trusted balancer first on every connection; the client it names is logged, counted and limited (needs --trusted-proxy)',
      ),
    )
    .addOption(
      new Option('--trusted-proxy <cidr>', 'balancer address or CIDR block allowed to send a PROXY header (e.g. 10.0.0.0/8, ::1); repeatable')
        .argParser((t: string, prev: string[] | undefined) => [...(prev ?? []), optionParser(parseTrusted)(t)]),
    );
}

/**
 * The listener's `proxyProtocol` option from the flags {@link addProxyProtocolFlags} added, or
 * undefined without `--proxy-protocol`. Throws {@link UsageError} when one flag comes without
 * the other.
 */
export function proxyProtocolFromFlags(values: ProxyProtocolFlagValues): ProxyProtocolOptions | undefined {
  const trusted = values.trustedProxy ?? [];
  if (values.proxyProtocol !== true) {
    if (trusted.length > 0) throw new UsageError('--trusted-proxy needs --proxy-protocol');
    return undefined;
  }
  if (trusted.length === 0) throw new UsageError('--proxy-protocol needs at least one --trusted-proxy <cidr> (the balancers allowed to send a header)');
  return { trusted, required: true };
}
