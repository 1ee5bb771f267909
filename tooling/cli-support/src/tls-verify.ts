/**
 * One wording, shared by the clients, for a TLS handshake the client refused because of the
 * server's certificate: what went wrong, and what to do about it.
 */

/** Node/OpenSSL codes of a certificate the client did not trust. */
const NOT_TRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT/;
/** Codes of a certificate that is valid but not for the name connected to. */
const WRONG_NAME = /ALTNAME|HOSTNAME/;

/** The `code`s along an error's `cause` chain (at most 8 deep), outermost first. */
export function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') codes.push(e.code);
  }
  return codes;
}

/** Where a refused TLS connect was going, for {@link tlsVerifyMessage}. */
export interface TlsVerifyTarget {
  /** `HOST:PORT` as printed (`formatEndpoint`). */
  readonly where: string;
  /** The name the certificate was checked against (`--servername`, else the host). */
  readonly name: string;
}

/**
 * When `error` (or a cause of it) is a certificate verification failure, the one-line message
 * for `IOCP_ERR_TLS_VERIFY`, with a hint: `HOST:PORT: server certificate not trusted (CODE);
 * pass --ca FILE, set NODE_EXTRA_CA_CERTS, or --insecure`, or, for a certificate of another
 * name, `... is not valid for 'NAME' (CODE); pass --servername NAME or connect by a name it
 * lists`. `undefined` for any other error.
 */
export function tlsVerifyMessage(error: unknown, target: TlsVerifyTarget): string | undefined {
  const nodeCode = causeCodes(error).find((c) => !c.startsWith('IOCP_ERR_'));
  if (nodeCode === undefined) return undefined;
  if (WRONG_NAME.test(nodeCode)) {
    return `${target.where}: server certificate is not valid for '${target.name}' (${nodeCode}); pass --servername NAME or connect by a name it lists`;
  }
  if (NOT_TRUSTED.test(nodeCode)) {
    return `${target.where}: server certificate not trusted (${nodeCode}); pass --ca FILE, set NODE_EXTRA_CA_CERTS, or --insecure`;
  }
  return undefined;
}
