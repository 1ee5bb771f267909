import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { lengthPrefixed, raw } from '@iocp/framing';
import { CompletionPort, type Connection, checkServerIdentity } from '@iocp/transport';
import type { ClientConfig } from './cli.js';
import { connectError } from './connect-error.js';
import { EchoSession } from './echo-session.js';
import { ConnectionClosedError, EXIT_OK, EXIT_USAGE, EchoClientError } from './errors.js';
import { messageSource } from './message-source.js';

const NEWLINE = Buffer.from('\n');

/** How long closing waits for our last bytes to leave. */
const CLOSE_DRAIN_MS = 1000;

/**
 * TLS options for `--servername NAME`. A host name is the SNI and the name checked. SNI may not
 * carry an IP address (RFC 6066; Node warns DEP0123 on stderr and will ignore it), so an IP
 * only names what the certificate is checked against (its IP SANs), with no SNI sent. The check
 * is transport's `checkServerIdentity`: Node 22's own refuses every IPv6 literal.
 */
function serverNameOptions(name: string): Pick<ConnectionOptions, 'servername' | 'checkServerIdentity'> {
  if (isIP(name) === 0) return { servername: name };
  return { checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert) };
}

/** The process streams the client talks through (injectable for tests). */
export interface ClientIo {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  /**
   * Where the interactive prompt (stdin a terminal) goes: a terminal, never a redirected stdout,
   * which carries only echoes. `undefined`: no prompt.
   */
  readonly prompt: NodeJS.WriteStream | undefined;
  readonly err: (line: string) => void;
}

/**
 * Connect, then for each message: send it, wait for its echo, print the echo on stdout. One
 * message in flight at a time, so an echo always answers the message before it. Resolves with
 * exit code 0 when every echo matched; throws an `EchoClientError` (one line, its exit code)
 * at the first failure.
 */
export async function runClient(config: ClientConfig, io: ClientIo): Promise<number> {
  if (config.tls?.insecure) io.err('echo-client: warning: --insecure: the server certificate is NOT verified');
  const session = new EchoSession(config.mode);
  const port = new CompletionPort();
  let conn: Connection;
  try {
    conn = await port.connect(
      {
        host: config.server.host,
        port: config.server.port,
        codec: config.mode === 'framed' ? lengthPrefixed({ maxFrameLength: config.maxFrame }) : raw(),
        connectTimeoutMs: config.timeoutMs,
        reconnect: false,
        ...(config.tls
          ? {
              tls: {
                rejectUnauthorized: !config.tls.insecure,
                ...(config.tls.ca ? { ca: config.tls.ca } : {}),
                ...(config.tls.servername ? serverNameOptions(config.tls.servername) : {}),
              },
            }
          : {}),
      },
      {
        onMessage: (_conn, data) => session.push(data),
        onClose: (_conn, reason, error) => session.closed(reason, error),
      },
    );
  } catch (error) {
    await port.close({ drainMs: 0 }).catch(() => {});
    throw connectError(error, config);
  }
  try {
    for await (const bytes of messageSource(config.messages, io.stdin, io.prompt, config.maxFrame)) {
      if (config.mode === 'framed' && bytes.length > config.maxFrame) {
        throw new EchoClientError('IOCP_ERR_MESSAGE_TOO_LONG', `message ${session.matched + 1} is ${bytes.length} bytes, more than --max-frame ${config.maxFrame}`, EXIT_USAGE);
      }
      if (bytes.length === 0 && config.mode === 'raw') {
        io.stdout.write('\n'); // nothing to send: a raw stream cannot carry an empty message
        continue;
      }
      const echo = session.expect(bytes, config.timeoutMs);
      if (!conn.send(bytes)) {
        echo.catch(() => {});
        throw session.error ?? new ConnectionClosedError(`connection closed before message ${session.matched + 1} was sent`);
      }
      io.stdout.write(Buffer.concat([await echo, NEWLINE]));
    }
    if (session.error && session.error.code !== 'IOCP_ERR_CONNECTION_CLOSED') throw session.error;
  } finally {
    await port.close({ drainMs: CLOSE_DRAIN_MS }).catch(() => {});
  }
  return EXIT_OK;
}
