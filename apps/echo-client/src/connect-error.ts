import { causeCodes, tlsVerifyMessage } from '@iocp/cli-support';
import { formatEndpoint } from '@iocp/transport';
import { EXIT_CONNECT, EchoClientError } from './errors.js';
import type { ClientConfig } from './cli.js';

/**
 * Turn a failed connect into a coded one-line error (exit 3). Transport codes
 * (`IOCP_ERR_CONNECT_REFUSED`, `IOCP_ERR_CONNECT_TIMEOUT`, …) pass through; a certificate the
 * client refused becomes `IOCP_ERR_TLS_VERIFY` with a hint.
 */
export function connectError(error: unknown, config: ClientConfig): EchoClientError {
  const where = formatEndpoint(config.server.host, config.server.port);
  const codes = causeCodes(error);
  const nodeCode = codes.find((c) => !c.startsWith('IOCP_ERR_'));
  const ours = codes.find((c) => c.startsWith('IOCP_ERR_'));
  const message = (error as Error).message ?? String(error);
  const tlsMessage = config.tls ? tlsVerifyMessage(error, { where, name: config.tls.servername ?? config.server.host }) : undefined;
  if (tlsMessage !== undefined) return new EchoClientError('IOCP_ERR_TLS_VERIFY', tlsMessage, EXIT_CONNECT, { cause: error });
  const code =
    ours ??
    (nodeCode === 'ECONNREFUSED' ? 'IOCP_ERR_CONNECT_REFUSED' : nodeCode === 'ETIMEDOUT' ? 'IOCP_ERR_CONNECT_TIMEOUT' : 'IOCP_ERR_CONNECT');
  const detail = message.includes(where) ? message : `${where}: ${message}`;
  return new EchoClientError(code, detail, EXIT_CONNECT, { cause: error });
}
