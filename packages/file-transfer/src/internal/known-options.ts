import { InvalidOptionError } from '../errors.js';

/**
 * Refuse keys an options object does not define (`{ rooot: '/srv' }` is a typo, not a choice):
 * a misspelt option silently falling back to its default is the worst kind of misconfiguration.
 * Same rule and message shape as `@iocp/transport` and `@iocp/framing`.
 *
 * @throws InvalidOptionError (`IOCP_ERR_INVALID_OPTION`) naming the first unknown key
 */
export function refuseUnknownOptions(options: object, known: readonly string[], what: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new InvalidOptionError(`unknown option ${what}.${key} (known: ${known.join(', ')})`);
  }
}
