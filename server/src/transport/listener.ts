/** The node's HTTP(S) listener: TLS from files or self-signed, reloaded when the files rotate. */
import { X509Certificate } from 'node:crypto';
import {
  createServer as createHttpServer,
  type RequestListener,
  type Server as HttpServer,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import {
  loadOrCreateSelfSigned,
  readCredentialFiles,
  type Credentials,
} from '../tls/credentials.ts';
import { watchCredentials, type Reloader } from '../tls/reloader.ts';

export interface Listener {
  server: HttpServer;
  /** Present when the certificate comes from files that may rotate. */
  reloader: Reloader | null;
}

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

export async function createListener(
  config: Config,
  handler: RequestListener,
  log: Logger,
  metrics: Metrics,
): Promise<Listener> {
  let server: HttpServer;
  let reloader: Reloader | null = null;
  if (config.tls.enabled) {
    const credentials = await loadCredentials(config, log);
    metrics.certificateExpiry.set(credentials.notAfter.getTime() / 1000);
    const tlsOptions = {
      minVersion: config.tls.minVersion,
      ...(config.tls.ciphers ? { ciphers: config.tls.ciphers } : {}),
      honorCipherOrder: true,
    } as const;
    const https: HttpsServer = createHttpsServer(
      { ...tlsOptions, cert: credentials.cert, key: credentials.key },
      handler,
    );
    server = https as unknown as HttpServer;
    const { certFile, keyFile } = config.tls;
    if (certFile && keyFile) {
      reloader = watchCredentials({
        certFile,
        keyFile,
        current: credentials,
        intervalMs: config.tls.reloadIntervalSeconds * 1000,
        apply: (context) => https.setSecureContext({ ...tlsOptions, ...context }),
        onReloaded: (next) => {
          metrics.certificateExpiry.set(next.notAfter.getTime() / 1000);
          metrics.certificateReloads.inc({ result: 'reloaded' });
          log.info(
            {
              serial: new X509Certificate(next.cert).serialNumber,
              notAfter: next.notAfter.toISOString(),
            },
            'tls certificate reloaded',
          );
        },
        onRefused: (message) => {
          metrics.certificateReloads.inc({ result: 'refused' });
          log.error(
            { certFile, keyFile, reason: message },
            'tls certificate change refused; keeping the current one',
          );
        },
      });
    }
  } else {
    log.warn('TLS is off: serve this node only behind a TLS-terminating proxy');
    server = createHttpServer(handler);
  }
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  return { server, reloader };
}
