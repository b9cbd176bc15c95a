/**
 * `http-proxy.allowedExternalDomains`: which hosts the proxy fetches from, besides the customer
 * page's own host. Entries are exact host names (`cdn.example.com`, or an IP literal) or
 * wildcards (`*.example.com`, which matches any name below example.com but not example.com
 * itself). Matching ignores case and a trailing dot.
 */

export function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

export interface DomainAllowlist {
  /** Whether `host` (a URL's hostname) may be fetched for a page whose host is `pageHost`. */
  allows(host: string, pageHost: string | null): boolean;
}

/** Whether one entry of the list is well formed; used by the config schema. */
export function isValidDomainPattern(pattern: string): boolean {
  const name = normalizeHost(pattern).replace(/^\*\./, '');
  return name !== '' && !name.includes('*') && !/[\s/@?#]/.test(name);
}

export function createDomainAllowlist(patterns: readonly string[]): DomainAllowlist {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const pattern of patterns) {
    const normalized = normalizeHost(pattern);
    if (normalized.startsWith('*.')) suffixes.push(normalized.slice(1));
    else exact.add(normalized);
  }
  return {
    allows(host, pageHost) {
      const name = normalizeHost(host);
      if (name === '') return false;
      if (pageHost !== null && name === normalizeHost(pageHost)) return true;
      return exact.has(name) || suffixes.some((suffix) => name.endsWith(suffix));
    },
  };
}
