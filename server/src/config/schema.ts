/**
 * The one configuration schema. Every option has its default here; a YAML or JSON file and
 * `TANDEM__*` environment variables override them (see load.ts). Unknown keys are errors, so a
 * typo is caught at start rather than silently ignored.
 */
import { z } from 'zod';
import { LIMITS } from '../protocol/limits.ts';
import { parseOrigin } from '../security/origins.ts';
import { MAX_PAUSE_PATTERN_LENGTH } from '../protocol/pause-pages.ts';
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
  /**
   * The origin agents open the console at (`https://tandem.example.com`): the only one the agent
   * namespace and the development sign-in accept, and one the handshake always allows. Default:
   * this listener's own names at its port (`https://localhost:8443`, `127.0.0.1`, `[::1]`, each
   * of `tls.hostnames`), never a request's Host header.
   */
  publicOrigin: z
    .string()
    .refine((value) => parseOrigin(value) === value, 'expected an origin: https://host[:port]')
    .optional(),
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
    /**
     * How often the certificate files are checked for a rotation, besides file-change events
     * (which a Kubernetes secret volume's symlink swap does not always raise). Default 10 s.
     */
    reloadIntervalSeconds: z.number().int().min(1).max(3600).default(10),
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
  /**
   * Pages on which co-browsing pauses (nothing of them reaches an agent): URL patterns, `*` for
   * any characters; a pattern starting with `/` matches the path. Default none. Pages may also
   * pause themselves with a `data-tandem-pause` attribute.
   */
  pausePages: z.array(z.string().min(1).max(MAX_PAUSE_PATTERN_LENGTH)).max(200).default([]),
  /**
   * How long a session waits for its customer after the last tab went away (a reload or the next
   * page comes back well within it) before it ends. Default 30 seconds.
   */
  leaveGraceSeconds: seconds(1, 3600).default(30),
});

const limitsSection = z
  .strictObject({
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
    /** Messages one session's customer may send per second, over all its connections. Default 400. */
    sessionMessagesPerSecond: z.number().int().min(1).default(400),
    /**
     * Bytes of packed snapshot trees (as sent, deflated) one customer connection may send per
     * minute, bursts included; a snapshot past it is dropped as `inflate_budget`. Default 32 MiB.
     */
    snapshotBytesPerMinute: z
      .number()
      .int()
      .min(64 * 1024)
      .default(32 * 1024 * 1024),
    /**
     * Bytes one customer connection's packed snapshots may inflate to per minute. Inflating runs
     * only after the session and rate checks, off the event loop, and stops at what is left of
     * this budget, so a deflate bomb costs at most this much work a minute; a snapshot past it is
     * dropped as `inflate_budget`. Default 64 MiB (eight of the largest snapshots).
     */
    inflatedBytesPerMinute: z
      .number()
      .int()
      .min(64 * 1024)
      .default(64 * 1024 * 1024),
    /**
     * Bytes waiting to be written to one connection (Engine.IO's buffer and the WebSocket's) before
     * it is dropped as `outbound_buffer_full`: a peer that stops reading cannot make the node hold
     * more for it. At least `maxMessageBytes`; default 32 MiB. A catch-up stops at half of it and
     * asks the customer for its current page instead (transport/stored-page.ts).
     */
    maxOutboundBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .default(32 * 1024 * 1024),
  })
  .refine((limits) => limits.maxOutboundBytes >= limits.maxMessageBytes, {
    message: 'must be at least maxMessageBytes: one message has to fit',
    path: ['maxOutboundBytes'],
  });

const agentsSection = z
  .strictObject({
    /**
     * HS256 shared secret that signs agent tokens (at least 32 characters). Give this, or
     * `jwksUrl`/`jwksFile` for public keys. With none of them, no agent can connect
     * (unless `devLogin` is on, which then signs with a random per-process secret).
     */
    secret: z.string().min(32).optional(),
    /** JWKS URL of the identity provider (RS256/ES256/EdDSA keys), fetched and cached. */
    jwksUrl: z.url().optional(),
    /** A JWKS JSON file with the public keys, read at start. */
    jwksFile: z.string().min(1).optional(),
    /** Expected `iss` of agent tokens. Default `tandem`. */
    issuer: z.string().min(1).default('tandem'),
    /** Expected `aud` of agent tokens. Default `tandem-agents`. */
    audience: z.string().min(1).default('tandem-agents'),
    /**
     * Claim that lists the agent's privileges (`cobrowse:monitor`, `cobrowse:control`,
     * `cobrowse:supervise`), as an array or a space-separated string. Default `scope`.
     */
    privilegesClaim: z.string().min(1).default('scope'),
    /** Claim with the agent's display name; `sub` when absent. Default `name`. */
    nameClaim: z.string().min(1).default('name'),
    /** Leeway for `exp`/`nbf` between clocks. Default 5 s. */
    clockToleranceSeconds: seconds(0, 300).default(5),
    /** A development login form at `/agent/login.html` that mints tokens. Never in production. Default false. */
    devLogin: z.boolean().default(false),
    /** Lifetime of a token the development login mints. Default 1 hour. */
    devLoginTokenTtlSeconds: seconds(60, 86_400).default(3600),
    /** Wrong codes one address or agent may try before it is locked out. Default 10. */
    codeFailuresBeforeLockout: z.number().int().min(1).max(1000).default(10),
    /** How long a lockout lasts (and the window failures are counted in). Default 15 minutes. */
    codeLockoutSeconds: seconds(10, 86_400).default(900),
  })
  .refine((a) => [a.secret, a.jwksUrl, a.jwksFile].filter(Boolean).length <= 1, {
    message: 'give at most one of secret, jwksUrl and jwksFile',
    path: ['secret'],
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
  /**
   * Address of the metrics listener, which has no authentication. Default `127.0.0.1`: a pod
   * (the operator's config sets it) binds it for the scrape behind its NetworkPolicy.
   */
  host: z.string().min(1).default('127.0.0.1'),
  /** Default 9464; 0 picks a free port. */
  port: port.default(9464),
});

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port');

const redisSection = z
  .strictObject({
    /** `redis://host:port/db` or `rediss://` for TLS. */
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
      .optional(),
    /** Password, or a file holding it (a mounted Kubernetes secret). */
    password: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    /** TLS to Redis; implied by a `rediss://` URL. */
    tls: z.boolean().default(false),
    /** Redis Sentinel instead of a URL: the master's name and the sentinels' `host:port`. */
    sentinel: z
      .strictObject({
        masterName: z.string().min(1),
        nodes: z.array(hostPort).min(1),
        password: z.string().min(1).optional(),
      })
      .optional(),
    /** Prefix of every key and channel, so installations may share a Redis. Default `tandem:`. */
    keyPrefix: z.string().min(1).max(64).default('tandem:'),
  })
  .refine((redis) => (redis.url === undefined) !== (redis.sentinel === undefined), {
    message: 'give exactly one of url and sentinel',
    path: ['url'],
  })
  .refine((redis) => redis.password === undefined || redis.passwordFile === undefined, {
    message: 'give password or passwordFile, not both',
    path: ['password'],
  });

const clusterSection = z.strictObject({
  /** Shared state and events between nodes. Without it, a node runs alone on the memory store. */
  redis: redisSection.optional(),
  /**
   * How the Socket.IO Redis adapter carries events: `classic` pub/sub, or `sharded` pub/sub
   * (Redis 7). Default `sharded`: in bench/ (two nodes, 200 sessions) it relayed with a lower
   * p50 and p99 than classic, for Tandem and for bare Socket.IO alike.
   */
  adapter: z.enum(['classic', 'sharded']).default('sharded'),
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
  agents: agentsSection.prefault({}),
  metrics: metricsSection.prefault({}),
  cluster: clusterSection.prefault({}),
  log: logSection.prefault({}),
  'http-proxy': httpProxySection.prefault({}),
  'http-security': httpSecuritySection.prefault({}),
  'forward-proxy': forwardProxySection.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
