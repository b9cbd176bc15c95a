/**
 * Origin checks for CORS and Socket.IO handshakes. An allowlist entry is an exact origin
 * (`https://shop.example.com`, port included when not the default) or a wildcard over
 * subdomains (`https://*.example.com`, which does not match `example.com` itself).
 */

/** Parses an Origin header into `scheme://host[:port]`, or null for anything else (`null`, paths). */
export function parseOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    if (url.origin !== origin.toLowerCase().replace(/\/$/, '')) return null;
    return url.origin;
  } catch {
    return null;
  }
}

function matchesEntry(origin: URL, entry: string): boolean {
  const wildcard = /^(https?):\/\/\*\.([^/:]+)(?::(\d+))?$/.exec(entry);
  if (wildcard) {
    const [, scheme, domain, port] = wildcard;
    return (
      origin.protocol === `${scheme}:` &&
      origin.hostname.endsWith(`.${domain!.toLowerCase()}`) &&
      origin.port === (port ?? '')
    );
  }
  return parseOrigin(entry) === origin.origin;
}

/** True when `origin` is one of `selfOrigins` or matches an allowlist entry. */
export function isAllowedOrigin(
  origin: string,
  allowed: readonly string[],
  selfOrigins: readonly string[] = [],
): boolean {
  const parsed = parseOrigin(origin);
  if (parsed === null) return false;
  if (selfOrigins.includes(parsed)) return true;
  const url = new URL(parsed);
  return allowed.some((entry) => matchesEntry(url, entry));
}
