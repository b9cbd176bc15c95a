/**
 * Self-signed mode: decide whether the operator must (re-)issue the certificate, and issue it.
 * The decision is pure (clock passed in); issuing is the one impure step.
 */
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

const dayMs = 86_400_000;

/** What the current TLS Secret holds, as read. */
export interface CurrentCertificate {
  certPem: string;
  keyPem: string;
  /** The rotation request it was issued for (`''` when none). */
  rotation: string;
}

export type IssueReason =
  'Missing' | 'Unreadable' | 'HostChanged' | 'Expiring' | 'RotationRequested';

export type SelfSignedPlan = { action: 'keep' } | { action: 'issue'; reason: IssueReason };

/** Reads a PEM certificate's expiry and DNS names; `undefined` when it does not parse. */
export function inspectCertificate(
  certPem: string,
): { notAfter: Date; dnsNames: string[] } | undefined {
  try {
    const cert = new X509Certificate(certPem);
    const dnsNames = (cert.subjectAltName ?? '')
      .split(/,\s*/)
      .filter((entry) => entry.startsWith('DNS:'))
      .map((entry) => entry.slice(4));
    return { notAfter: new Date(cert.validTo), dnsNames };
  } catch {
    return undefined;
  }
}

/** Issue when there is none, it does not cover the host, it expires soon, or a rotation was asked. */
export function planSelfSigned(
  current: CurrentCertificate | undefined,
  options: { host: string; renewBeforeDays: number; rotation: string; now: Date },
): SelfSignedPlan {
  if (!current) return { action: 'issue', reason: 'Missing' };
  const info = inspectCertificate(current.certPem);
  if (!info || !current.keyPem) return { action: 'issue', reason: 'Unreadable' };
  if (!info.dnsNames.includes(options.host)) return { action: 'issue', reason: 'HostChanged' };
  if (info.notAfter.getTime() - options.now.getTime() <= options.renewBeforeDays * dayMs) {
    return { action: 'issue', reason: 'Expiring' };
  }
  if (current.rotation !== options.rotation)
    return { action: 'issue', reason: 'RotationRequested' };
  return { action: 'keep' };
}

/** When the operator should look again: the moment the certificate enters its renewal window. */
export function renewalTime(certPem: string, renewBeforeDays: number): Date | undefined {
  const info = inspectCertificate(certPem);
  return info && new Date(info.notAfter.getTime() - renewBeforeDays * dayMs);
}

/** Issues an ECDSA P-256 certificate for `host`, valid `validityDays` from `now`. */
export async function issueSelfSigned(
  host: string,
  validityDays: number,
  now: Date,
): Promise<{ certPem: string; keyPem: string }> {
  const result = await generate([{ name: 'commonName', value: host }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + validityDays * dayMs),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: host }] },
    ],
  });
  return { certPem: result.cert, keyPem: result.private };
}
