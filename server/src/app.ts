/**
 * Assembles one Tandem node from a validated config: listener (TLS, hot reload), HTTP app,
 * Socket.IO (with the Redis adapter in a cluster), store, housekeeping, metrics listener.
 * `startTandem` resolves once it listens; `close` drains and stops it.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/index.ts';
import { setUpPagePipeline } from './dom/setup.ts';
import { setUpResourceProxy } from './proxy/index.ts';
import { createAgentSecurity } from './security/agent-security.ts';
import { consoleOrigins } from './security/console-origins.ts';
import { maskingPolicyHash } from './security/masking-policy.ts';
import { isAllowedOrigin } from './security/origins.ts';
import { controlPolicyFrom } from './session/control-policy.ts';
import { ControlService } from './session/control-service.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { AGENT_NAMESPACE, CUSTOMER_NAMESPACE } from './protocol/index.ts';
import { startHousekeeping } from './transport/housekeeping.ts';
import { createCatchUpCounter, shareSessionEnds } from './transport/page-copies.ts';
import { SessionService } from './session/service.ts';
import type { Store } from './store/index.ts';
import { createStore, readStoreTestLatency, STORE_LATENCY_ENV } from './store/select-store.ts';
import { closeTransports, InFlight } from './transport/drain.ts';
import { createHttpApp } from './transport/http-app.ts';
import { createListener } from './transport/listener.ts';
import { attachRedisAdapter, type AdapterConnections } from './transport/redis-adapter.ts';
import { createSocketServer } from './transport/socket-server.ts';
import { namespacesOf } from './transport/socket-types.ts';

export interface TandemOptions {
  /** Folder with the built browser code (tandem.js, agent/, demo/). */
  webRoot: string;
  log?: Logger;
  store?: Store;
}

export interface TandemNode {
  url: string;
  metricsUrl: string | null;
  metrics: Metrics;
  /** Drains (stop accepting, finish in-flight messages, send clients elsewhere) and stops. */
  close(): Promise<void>;
}

function listen(server: HttpServer, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlOf(scheme: string, address: AddressInfo): string {
  const host =
    address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.address;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

function createMetricsServer(metrics: Metrics): HttpServer {
  return createHttpServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.registry
      .metrics()
      .then((text) =>
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
      )
      .catch(() => res.writeHead(500).end());
  });
}

export async function startTandem(config: Config, options: TandemOptions): Promise<TandemNode> {
  const log = options.log ?? createLogger(config.log.level);
  const metrics = createMetrics();
  const latency = readStoreTestLatency(process.env);
  if (latency)
    log.warn({ env: STORE_LATENCY_ENV }, 'store: test latency injected into every update');
  const store =
    options.store ??
    createStore(config, log, {
      onConflict: () => metrics.storeConflicts.inc(),
      ...(latency && { beforeWrite: latency }),
    });
  const timeouts = {
    unusedTtlMs: config.session.unusedTtlSeconds * 1000,
    idleTtlMs: config.session.idleTtlSeconds * 1000,
  };
  let endedHere = (sessionId: string): void => pipeline.forget(sessionId);
  const sessions = new SessionService({
    store,
    settings: {
      codeLength: config.session.codeLength,
      maxAgents: config.session.maxAgents,
      maxBatchesPerSnapshot: config.session.maxBatchesPerSnapshot,
      ...timeouts,
      startsPerMinute: config.limits.startsPerMinute,
      joinAttemptsPerMinute: config.limits.joinAttemptsPerMinute,
      leaveGraceMs: config.session.leaveGraceSeconds * 1000,
    },
    // Every node frees its copy of the page (page-copies.ts), once the namespaces exist.
    onEnded: (sessionId) => endedHere(sessionId),
    onStoreError: (error) => {
      metrics.storeErrors.inc();
      log.debug({ err: (error as Error).message }, 'store call failed; relaying unstored');
    },
  });
  let accepting = true;
  const secure = config.tls.enabled;
  // The console's origins, from config and the port listened on (known once listening).
  let ownOrigins: readonly string[] = [];
  const security = await createAgentSecurity(config, {
    store,
    log,
    isConsoleOrigin: (origin) => ownOrigins.includes(origin),
  });
  const resources = setUpResourceProxy(config, {
    store,
    registry: metrics.registry,
    log,
    env: process.env,
  });
  const app = createHttpApp({
    webRoot: options.webRoot,
    proxy: resources.proxy,
    demo: config.server.demo,
    secure,
    trustProxy: config.server.trustProxy,
    store,
    metrics,
    log,
    isAccepting: () => accepting,
    devLogin: security.devLogin,
    isAllowedOrigin: (origin) =>
      isAllowedOrigin(origin, config['cross-origin'].allowedOrigins, ownOrigins),
  });
  const { server, reloader } = await createListener(config, app.callback(), log, metrics);

  // Sanitize first (nothing active), then the DOM restrictions (mask what slipped through).
  const { pipeline, restrictions: domRestrictions } = setUpPagePipeline(
    config['dom-restrictions'],
    { signer: resources.signer, registry: metrics.registry, log, env: process.env },
  );
  const inFlight = new InFlight();
  // Control is refused on nodes the restrictions step knows as read-only or masked.
  const control = new ControlService({
    store,
    timeouts,
    policy: controlPolicyFrom(
      [domRestrictions],
      { pageSeq: (id) => sessions.pageSeq(id), page: (id) => sessions.catchUp(id) },
      createCatchUpCounter(metrics.registry),
    ),
  });
  const io = createSocketServer(server, {
    sessions,
    pipeline,
    restrictions: domRestrictions.restrictions,
    policyHash: maskingPolicyHash(domRestrictions.restrictions),
    pausePages: config.session.pausePages,
    inFlight,
    log,
    metrics,
    maxNodes: config.limits.maxNodes,
    messagesPerSecond: config.limits.messagesPerSecond,
    snapshotBytesPerMinute: config.limits.snapshotBytesPerMinute,
    inflatedBytesPerMinute: config.limits.inflatedBytesPerMinute,
    maxOutboundBytes: config.limits.maxOutboundBytes,
    allowedOrigins: config['cross-origin'].allowedOrigins,
    consoleOrigins: () => ownOrigins,
    maxMessageBytes: config.limits.maxMessageBytes,
    secure,
    trustProxy: config.server.trustProxy,
    verifier: security.verifier,
    audit: security.audit,
    receipts: security.receipts,
    codeAttempts: security.codeAttempts,
    sessionRate: security.sessionRate,
    control: { control, audit: security.audit },
    sessionList: { list: () => store.listSessionIds(), get: (id) => sessions.get(id) },
  });
  // Told once the adapter's subscription is back after Redis was away (never before start).
  const relaysMissed = (): void => housekeeping.relaysMissed();
  const adapter: AdapterConnections | null = config.cluster.redis
    ? await attachRedisAdapter(io, config.cluster.redis, config.cluster.adapter, log, relaysMissed)
    : null;
  const namespaces = namespacesOf(io, CUSTOMER_NAMESPACE, AGENT_NAMESPACE);
  endedHere = shareSessionEnds({
    namespaces,
    forget: (sessionId) => pipeline.forget(sessionId),
    clustered: adapter !== null,
    log,
  });
  const housekeeping = startHousekeeping({
    sessions,
    store,
    namespaces,
    metrics,
    log,
    audit: security.audit,
    receipts: security.receipts,
  });

  const address = await listen(server, config.server.port, config.server.host);
  ownOrigins = consoleOrigins(config, address.port);
  const url = urlOf(secure ? 'https' : 'http', address);
  let metricsServer: HttpServer | null = null;
  let metricsUrl: string | null = null;
  if (config.metrics.enabled) {
    metricsServer = createMetricsServer(metrics);
    metricsUrl = urlOf(
      'http',
      await listen(metricsServer, config.metrics.port, config.metrics.host),
    );
  }
  log.info(
    { url, metricsUrl, consoleOrigins: ownOrigins, tls: secure, cluster: Boolean(adapter) },
    'tandem listening',
  );

  return {
    url,
    metricsUrl,
    metrics,
    async close() {
      accepting = false;
      housekeeping.stop();
      reloader?.stop();
      // New connections go elsewhere; what is in flight finishes; then clients move.
      server.close();
      await inFlight.idle(config.server.shutdownGraceSeconds * 1000);
      const moved = closeTransports(io);
      log.info({ clients: moved }, 'drained: clients sent to reconnect elsewhere');
      await new Promise<void>((resolve) => io.close(() => resolve()));
      server.closeAllConnections?.();
      if (metricsServer) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await adapter?.close();
      await store.close();
      await resources.close();
    },
  };
}
