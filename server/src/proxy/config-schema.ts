/**
 * The proxy's sections of the one config schema (composed into config/schema.ts). There is
 * deliberately no option that lets the proxy reach loopback or private addresses: the test
 * harness does that through environment variables only (test-hooks.ts), and the schema's strict
 * objects refuse any such key.
 */
import { z } from 'zod';
import { isValidDomainPattern } from './allowlist.ts';

const MIB = 1024 * 1024;

export const httpProxySection = z.strictObject({
  /**
   * Hosts resources may come from besides the customer page's own host: exact names
   * (`cdn.example.com`) or wildcards (`*.example.com`, subdomains only). Default none.
   */
  allowedExternalDomains: z
    .array(z.string().refine(isValidDomainPattern, 'not a host name or *.domain pattern'))
    .default([]),
  /** Upstream ports the proxy connects to. Default 80 and 443. */
  allowedPorts: z.array(z.number().int().min(1).max(65535)).min(1).default([80, 443]),
  /**
   * HMAC key for signed resource URLs (at least 32 characters). Every node of a cluster must
   * share it. Default: a random key per process, fine for one node.
   */
  signingKey: z.string().min(32).optional(),
  /** How long a signed resource URL stays valid; re-sent snapshots refresh it. Default 1 hour. */
  urlTtlSeconds: z.number().int().min(60).max(604_800).default(3600),
  /** Redirects followed per resource, each checked like the first URL. Default 3. */
  maxRedirects: z.number().int().min(0).max(10).default(3),
  /** Largest resource fetched. Default 10 MiB. */
  maxResponseBytes: z
    .number()
    .int()
    .min(1024)
    .max(100 * MIB)
    .default(10 * MIB),
  /** Deadline for one resource, redirects included. Default 10 s. */
  timeoutSeconds: z.number().int().min(1).max(120).default(10),
  /** Memory cache size on one node. Default 64 MiB. */
  cacheMaxBytes: z
    .number()
    .int()
    .min(0)
    .max(4096 * MIB)
    .default(64 * MIB),
  /** Longest time a response is cached, whatever its headers say. Default 1 day. */
  cacheMaxTtlSeconds: z.number().int().min(0).max(604_800).default(86_400),
});

export const httpSecuritySection = z.strictObject({
  /** Cache nothing on the server; proxied resources carry `Cache-Control: no-store`. Default false. */
  disableCaching: z.boolean().default(false),
});

export const forwardProxySection = z
  .strictObject({
    /** `http://host:port` of an HTTP proxy for outgoing fetches (CONNECT for https). Default none. */
    url: z
      .string()
      .refine((value) => {
        try {
          return new URL(value).protocol === 'http:';
        } catch {
          return false;
        }
      }, 'must be an http:// URL')
      .optional(),
    /** Credentials for the proxy (Basic). Default none. */
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    /** Hosts fetched directly, not through the proxy: names or `*.domain` patterns. Default none. */
    noProxy: z
      .array(z.string().refine(isValidDomainPattern, 'not a host name or *.domain pattern'))
      .default([]),
    /**
     * Resolve and check names here and ask the proxy for the checked address (pinned). Turn off
     * only where this node has no DNS; the proxy must then refuse internal addresses itself.
     * Default true.
     */
    resolveLocally: z.boolean().default(true),
  })
  .refine((section) => section.password === undefined || section.username !== undefined, {
    message: 'password needs a username',
    path: ['password'],
  });
