import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { type PeerCertificate, checkServerIdentity as nodeCheckServerIdentity } from 'node:tls';

/**
 * Check that a server certificate is valid for `hostname` — `node:tls`'s `checkServerIdentity`,
 * with IPv6 literals matched on every Node version.
 *
 * Why it exists: Node 22.23 IDNA-normalises the host name before matching, and that turns an
 * IPv6 literal such as `::1` into an empty string, so a certificate that lists the address as
 * an IP SAN is refused with `ERR_TLS_CERT_ALTNAME_INVALID` (Node 20 and 24 accept it). For an
 * IPv6 `hostname` this function asks OpenSSL (`X509Certificate.checkIP`) whether an IP SAN
 * matches; any other name goes to Node's own check unchanged.
 *
 * `CompletionPort.connect` uses it for TLS connections unless the `tls` options bring their own
 * `checkServerIdentity`. Pass it yourself when you call `tls.connect` directly, or to check a
 * certificate against another address than the one connected to:
 * `checkServerIdentity: (_host, cert) => checkServerIdentity('::1', cert)`.
 *
 * @param hostname - The host name or IP address the certificate must be valid for.
 * @param cert - The peer certificate, as `tls.connect` hands it to `checkServerIdentity`.
 * @returns `undefined` when the certificate is valid for `hostname`, else the error (its
 * `code` is `ERR_TLS_CERT_ALTNAME_INVALID`, as Node's).
 */
export function checkServerIdentity(hostname: string, cert: PeerCertificate): Error | undefined {
  if (isIP(hostname) !== 6 || !cert.raw) return nodeCheckServerIdentity(hostname, cert);
  let match: string | undefined;
  try {
    match = new X509Certificate(cert.raw).checkIP(hostname);
  } catch {
    match = undefined;
  }
  if (match !== undefined) return undefined;
  const ips = (cert.subjectaltname ?? '')
    .split(', ')
    .filter((name) => name.startsWith('IP Address:'))
    .map((name) => name.slice('IP Address:'.length));
  const reason = `IP: ${hostname} is not in the cert's list: ${ips.join(', ')}`;
  return Object.assign(new Error(`Hostname/IP does not match certificate's altnames: ${reason}`), {
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    reason,
    host: hostname,
    cert,
  });
}
