/**
 * Assembles one Tandem node from a validated config: TLS, HTTP app, Socket.IO, store, sweeper,
 * metrics listener. `startTandem` resolves once it listens; `close` drains and stops it.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/index.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { PagePipeline } from './dom/pipeline.ts';
import { SessionService } from './session/service.ts';
import { MemoryStore, type Store } from './store/index.ts';
import {
  loadOrCreateSelfSigned,
  readCredentialFiles,
  type Credentials,
} from './tls/credentials.ts';
import { createHttpApp } from './transport/http-app.ts';
import { announceEnded } from './transport/rooms.ts';
import { createSocketServer } from './transport/socket-server.ts';
import { AGENT_NAMESPACE, CUSTOMER_NAMESPACE } from './protocol/index.ts';

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
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 5_000;

async function loadCredentials(config: Config, log: Logger): Promise<Credentials> {
  const { certFile, keyFile, hostnames } = config.tls;
  if (certFile && keyFile) {
    const result = await readCredentialFiles(certFile, keyFile);
    if (!result.ok)
      throw new Error(`tls: cannot use ${certFile} and ${keyFile}: ${result.message}`);
    return result.credentials;
  }
  const credentials = await loadOrCreateSelfSigned(config.server.dataDir, hostnames);
  log.warn(
    { dataDir: config.server.dataDir },
    'using a self-signed certificate; configure tls.certFile and tls.keyFile for production',
  );
  return credentials;
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

export async function startTandem(config: Config, options: TandemOptions): Promise<TandemNode> {
  const log = options.log ?? createLogger(config.log.level);
  const metrics = createMetrics();
  const store = options.store ?? new MemoryStore();
  const sessions = new SessionService({
    store,
    settings: {
      codeLength: config.session.codeLength,
      maxAgents: config.session.maxAgents,
      maxBatchesPerSnapshot: config.session.maxBatchesPerSnapshot,
      unusedTtlMs: config.session.unusedTtlSeconds * 1000,
      idleTtlMs: config.session.idleTtlSeconds * 1000,
      startsPerMinute: config.limits.startsPerMinute,
      joinAttemptsPerMinute: config.limits.joinAttemptsPerMinute,
    },
  });
  let accepting = true;
  const secure = config.tls.enabled;
  const app = createHttpApp({
    webRoot: options.webRoot,
    demo: config.server.demo,
    secure,
    trustProxy: config.server.trustProxy,
    store,
    metrics,
    log,
    isAccepting: () => accepting,
  });

  let server: HttpServer;
  if (secure) {
    const credentials = await loadCredentials(config, log);
    metrics.certificateExpiry.set(credentials.notAfter.getTime() / 1000);
    server = createHttpsServer(
      {
        cert: credentials.cert,
        key: credentials.key,
        minVersion: config.tls.minVersion,
        ...(config.tls.ciphers ? { ciphers: config.tls.ciphers } : {}),
        honorCipherOrder: true,
      },
      app.callback(),
    ) as unknown as HttpServer;
  } else {
    log.warn('TLS is off: serve this node only behind a TLS-terminating proxy');
    server = createHttpServer(app.callback());
  }
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;

  const pipeline = new PagePipeline([]);
  const io = createSocketServer(server, {
    sessions,
    pipeline,
    log,
    metrics,
    maxNodes: config.limits.maxNodes,
    messagesPerSecond: config.limits.messagesPerSecond,
    allowedOrigins: config['cross-origin'].allowedOrigins,
    maxMessageBytes: config.limits.maxMessageBytes,
    secure,
    trustProxy: config.server.trustProxy,
  });
  const namespaces = { customers: io.of(CUSTOMER_NAMESPACE), agents: io.of(AGENT_NAMESPACE) };

  const sweeper = setInterval(() => {
    sessions
      .sweep()
      .then((ended) => {
        for (const session of ended) {
          const reason = session.endedReason ?? 'expired';
          metrics.sessionsEnded.inc({ reason });
          log.info({ session: session.id, reason }, 'session expired');
          announceEnded(namespaces, session.id, reason);
        }
      })
      .catch((error: unknown) => log.error({ err: error }, 'session sweep failed'));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  const address = await listen(server, config.server.port, config.server.host);
  const url = urlOf(secure ? 'https' : 'http', address);

  let metricsServer: HttpServer | null = null;
  let metricsUrl: string | null = null;
  if (config.metrics.enabled) {
    metricsServer = createHttpServer((req, res) => {
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
    metricsUrl = urlOf(
      'http',
      await listen(metricsServer, config.metrics.port, config.metrics.host),
    );
  }
  log.info({ url, metricsUrl, tls: secure }, 'tandem listening');

  return {
    url,
    metricsUrl,
    metrics,
    async close() {
      accepting = false;
      clearInterval(sweeper);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      server.closeAllConnections?.();
      if (metricsServer) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await store.close();
    },
  };
}
