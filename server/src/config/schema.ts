/**
 * The one configuration schema. Every option has its default here; a YAML or JSON file and
 * `TANDEM__*` environment variables override them (see load.ts). Unknown keys are errors, so a
 * typo is caught at start rather than silently ignored.
 */
import { z } from 'zod';
import { LIMITS } from '../protocol/limits.ts';
import { domRestrictionsSection } from '../dom/config-schema.ts';
import {
  forwardProxySection,
  httpProxySection,
  httpSecuritySection,
} from '../proxy/config-schema.ts';

const port = z.number().int().min(0).max(65535);
const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

const serverSection = z.strictObject({
  /** Address to listen on. Default `0.0.0.0`. */
  host: z.string().min(1).default('0.0.0.0'),
  /** Port of the HTTPS (or, with `tls.enabled: false`, HTTP) listener. Default 8443. */
  port: port.default(8443),
  /** Where the generated self-signed certificate is kept. Default `./data`. */
  dataDir: z.string().min(1).default('./data'),
  /** Trust `X-Forwarded-*` headers (only behind a proxy you run). Default false. */
  trustProxy: z.boolean().default(false),
  /** How long SIGTERM waits for connections to drain. Default 10 s. */
  shutdownGraceSeconds: seconds(0, 300).default(10),
  /** Serve the demo checkout page at `/demo/`. Default true. */
  demo: z.boolean().default(true),
});

const tlsSection = z
  .strictObject({
    /** HTTPS. Turn off only behind a TLS-terminating ingress. Default true. */
    enabled: z.boolean().default(true),
    /** PEM certificate chain and key. When absent, a self-signed pair is generated in `server.dataDir`. */
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** Names the generated certificate covers besides `localhost`. */
    hostnames: z.array(z.string().min(1)).default([]),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
    /** OpenSSL cipher list for TLS 1.2; Node's default when absent. */
    ciphers: z.string().min(1).optional(),
  })
  .refine((tls) => (tls.certFile === undefined) === (tls.keyFile === undefined), {
    message: 'certFile and keyFile must be given together',
    path: ['certFile'],
  });

const sessionSection = z.strictObject({
  /** Characters in a session code (from a 31-letter alphabet). Default 8. */
  codeLength: z.number().int().min(6).max(16).default(8),
  /** A session no agent joined expires after this. Default 10 minutes. */
  unusedTtlSeconds: seconds(10, 86_400).default(600),
  /** A session with no traffic expires after this. Default 30 minutes. */
  idleTtlSeconds: seconds(10, 86_400).default(1800),
  /** Agents in one session. Default 4. */
  maxAgents: z.number().int().min(1).max(50).default(4),
  /** Batches kept after the latest snapshot before a fresh one is requested. Default 500. */
  maxBatchesPerSnapshot: z.number().int().min(10).max(100_000).default(500),
});

const limitsSection = z.strictObject({
  /** Largest inbound message. Default 8 MiB. */
  maxMessageBytes: z
    .number()
    .int()
    .min(1024)
    .max(LIMITS.maxMessageBytes)
    .default(LIMITS.maxMessageBytes),
  /** Nodes in one snapshot or batch. Default 100 000. */
  maxNodes: z.number().int().min(100).max(LIMITS.maxNodes).default(LIMITS.maxNodes),
  /** Sessions one address may start per minute. Default 20. */
  startsPerMinute: z.number().int().min(1).default(20),
  /** Codes one address may try per minute. Default 10. */
  joinAttemptsPerMinute: z.number().int().min(1).default(10),
  /** Messages one connection may send per second before they are dropped. Default 200. */
  messagesPerSecond: z.number().int().min(1).default(200),
});

const crossOriginSection = z.strictObject({
  /**
   * Origins whose pages may load the snippet and connect (`https://shop.example.com`, or
   * `https://*.example.com`). The server's own origin is always allowed. Default none.
   */
  allowedOrigins: z.array(z.string().min(1)).default([]),
});

const metricsSection = z.strictObject({
  /** Serve Prometheus metrics on a separate port. Default true. */
  enabled: z.boolean().default(true),
  host: z.string().min(1).default('0.0.0.0'),
  /** Default 9464; 0 picks a free port. */
  port: port.default(9464),
});

const logSection = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const configSchema = z.strictObject({
  server: serverSection.prefault({}),
  tls: tlsSection.prefault({}),
  session: sessionSection.prefault({}),
  limits: limitsSection.prefault({}),
  'cross-origin': crossOriginSection.prefault({}),
  'dom-restrictions': domRestrictionsSection.prefault({}),
  metrics: metricsSection.prefault({}),
  log: logSection.prefault({}),
  'http-proxy': httpProxySection.prefault({}),
  'http-security': httpSecuritySection.prefault({}),
  'forward-proxy': forwardProxySection.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
