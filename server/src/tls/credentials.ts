/**
 * The server's TLS credentials: a configured certificate/key pair, or a self-signed one generated
 * on first start, kept in the data directory and reused while it is valid and covers the names.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface Credentials {
  cert: string;
  key: string;
  source: 'files' | 'self-signed';
  /** When the leaf certificate expires. */
  notAfter: Date;
}

export type CredentialsResult =
  { ok: true; credentials: Credentials } | { ok: false; message: string };

const DAY_MS = 86_400_000;
/** Regenerate a self-signed certificate this long before it expires. */
const RENEW_BEFORE_MS = 30 * DAY_MS;
const SELF_SIGNED_VALIDITY_DAYS = 365;

/** Checks that a PEM pair parses and that the key belongs to the certificate. */
export function checkPair(
  cert: string,
  key: string,
): { ok: true; notAfter: Date } | { ok: false; message: string } {
  try {
    const x509 = new X509Certificate(cert);
    const privateKey = createPrivateKey(key);
    if (!x509.checkPrivateKey(privateKey)) {
      return { ok: false, message: 'the private key does not match the certificate' };
    }
    return { ok: true, notAfter: new Date(x509.validTo) };
  } catch (error) {
    return {
      ok: false,
      message: `not a valid PEM certificate and key: ${(error as Error).message}`,
    };
  }
}

/** Reads a configured pair from disk. */
export async function readCredentialFiles(
  certFile: string,
  keyFile: string,
): Promise<CredentialsResult> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const checked = checkPair(cert, key);
  if (!checked.ok) return checked;
  return { ok: true, credentials: { cert, key, source: 'files', notAfter: checked.notAfter } };
}

/** The names a generated certificate covers: localhost, the loopback addresses and the configured names. */
export function selfSignedNames(hostnames: readonly string[]): string[] {
  return [...new Set(['localhost', '127.0.0.1', '::1', ...hostnames])];
}

function coversAll(cert: X509Certificate, names: readonly string[]): boolean {
  return names.every((name) =>
    /^[\d.]+$|:/.test(name) ? cert.checkIP(name) !== undefined : cert.checkHost(name) !== undefined,
  );
}

/**
 * Returns the self-signed pair kept in `dataDir/tls/`, generating a new one when none exists,
 * when it expires within 30 days, or when it does not cover every name.
 */
export async function loadOrCreateSelfSigned(
  dataDir: string,
  hostnames: readonly string[],
  now: Date = new Date(),
): Promise<Credentials> {
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'self-signed.crt');
  const keyFile = join(dir, 'self-signed.key');
  const names = selfSignedNames(hostnames);
  const existing = await readCredentialFiles(certFile, keyFile);
  if (existing.ok) {
    const x509 = new X509Certificate(existing.credentials.cert);
    if (
      existing.credentials.notAfter.getTime() - now.getTime() > RENEW_BEFORE_MS &&
      coversAll(x509, names)
    ) {
      return { ...existing.credentials, source: 'self-signed' };
    }
  }
  const pems = await generate(
    [
      { name: 'commonName', value: 'localhost' },
      { name: 'organizationName', value: 'Tandem (self-signed)' },
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - DAY_MS),
      notAfterDate: new Date(now.getTime() + SELF_SIGNED_VALIDITY_DAYS * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: names.map((name) =>
            /^[\d.]+$|:/.test(name) ? { type: 7, ip: name } : { type: 2, value: name },
          ),
        },
      ],
    },
  );
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, pems.private, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(certFile, pems.cert);
  const checked = checkPair(pems.cert, pems.private);
  if (!checked.ok) throw new Error(`generated certificate is unusable: ${checked.message}`);
  return { cert: pems.cert, key: pems.private, source: 'self-signed', notAfter: checked.notAfter };
}
