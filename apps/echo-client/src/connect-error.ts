import { formatEndpoint } from '@iocp/transport';
import { EXIT_CONNECT, EchoClientError } from './errors.js';
import type { ClientConfig } from './cli.js';

const TLS_VERIFY = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT|HOSTNAME/;

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') codes.push(e.code);
  }
  return codes;
}

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
  if (config.tls && nodeCode && /ALTNAME|HOSTNAME/.test(nodeCode)) {
    const name = config.tls.servername ?? config.server.host;
    return new EchoClientError(
      'IOCP_ERR_TLS_VERIFY',
      `${where}: server certificate is not valid for '${name}' (${nodeCode}); pass --servername NAME or connect by a name it lists`,
      EXIT_CONNECT,
      { cause: error },
    );
  }
  if (config.tls && nodeCode && TLS_VERIFY.test(nodeCode)) {
    return new EchoClientError(
      'IOCP_ERR_TLS_VERIFY',
      `${where}: server certificate not trusted (${nodeCode}); pass --ca FILE, set NODE_EXTRA_CA_CERTS, or --insecure`,
      EXIT_CONNECT,
      { cause: error },
    );
  }
  const code =
    ours ??
    (nodeCode === 'ECONNREFUSED' ? 'IOCP_ERR_CONNECT_REFUSED' : nodeCode === 'ETIMEDOUT' ? 'IOCP_ERR_CONNECT_TIMEOUT' : 'IOCP_ERR_CONNECT');
  const detail = message.includes(where) ? message : `${where}: ${message}`;
  return new EchoClientError(code, detail, EXIT_CONNECT, { cause: error });
}
