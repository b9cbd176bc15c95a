/** Throwaway certificates for tests, made by Debian's openssl: EC P-256, valid two days. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface PemFiles {
  cert: string;
  key: string;
}

/** Writes `<name>.crt` and `<name>.key` into `dir`, for `localhost` and 127.0.0.1 unless told otherwise. */
export function makeCertificate(
  dir: string,
  name: string,
  subjectAltName = 'DNS:localhost,IP:127.0.0.1',
): PemFiles {
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const made = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-addext',
    `subjectAltName=${subjectAltName}`,
    '-days',
    '2',
    '-keyout',
    files.key,
    '-out',
    files.cert,
  ]);
  if (made.status !== 0)
    throw new Error(`openssl could not make a certificate: ${String(made.stderr)}`);
  return files;
}
