/**
 * Reading the TLS files named on a command line, checked at startup: an unreadable, junk or
 * mismatched file is a {@link UsageError} (one line, exit 2) before anything listens or
 * connects, instead of a listen or handshake failure later.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { UsageError } from './errors.js';

/** A server's certificate (chain) and private key, PEM. */
export interface TlsKeyPair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readFlagFile(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}

/**
 * Read `--tls-cert` and `--tls-key` and check that they are a PEM certificate and the PEM key
 * that matches it (`tls.createSecureContext`). Throws {@link UsageError}:
 * `--tls-cert FILE: ENOENT` when a file cannot be read;
 * `--tls-cert/--tls-key: CERT / KEY is not a valid PEM certificate/key (or they do not match)`.
 */
export function readTlsKeyPair(certFile: string, keyFile: string): TlsKeyPair {
  const cert = readFlagFile('--tls-cert', certFile);
  const key = readFlagFile('--tls-key', keyFile);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const why = (error as { code?: unknown }).code ?? (error as Error).message;
    throw new UsageError(`--tls-cert/--tls-key: ${certFile} / ${keyFile} is not a valid PEM certificate/key (or they do not match) (${String(why)})`, { cause: error });
  }
  return { cert, key };
}

/**
 * Read a `--ca` file and check that it holds at least one PEM certificate and that each one
 * parses (Node would otherwise accept junk silently and fail only at the handshake, as
 * "certificate not trusted"). Throws {@link UsageError}: `--ca FILE: ENOENT`, or
 * `--ca FILE is not a valid PEM CA certificate (bundle)`.
 */
export function readCaFile(file: string): Buffer {
  const ca = readFlagFile('--ca', file);
  const blocks = ca.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  try {
    if (blocks.length === 0) throw new Error('no -----BEGIN CERTIFICATE----- block');
    for (const block of blocks) new X509Certificate(block);
  } catch (error) {
    throw new UsageError(`--ca ${file} is not a valid PEM CA certificate (bundle) (${(error as Error).message.replace(/\s*\n\s*/g, ' ')})`, { cause: error });
  }
  return ca;
}
