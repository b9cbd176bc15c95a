/**
 * The HTTP side: the snippet, the agent console, the demo shop and health checks. Socket.IO
 * shares the listener and answers its own path before Koa sees it.
 */
import Koa from 'koa';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ResourceProxy } from '../proxy/index.ts';
import type { Store } from '../store/index.ts';
import {
  AGENT_CONSOLE_CSP,
  DEMO_CSP,
  PAGE_FRAME_CSP,
  setCommonHeaders,
} from './security-headers.ts';
import { sendStaticFile } from './static-files.ts';
import { CSP_REPORT_PATH, cspReportRoute } from './csp-reports.ts';

export interface HttpAppOptions {
  /** Folder holding the built browser code: tandem.js, agent/, demo/. */
  webRoot: string;
  demo: boolean;
  secure: boolean;
  trustProxy: boolean;
  store: Store;
  metrics: Metrics;
  log: Logger;
  /** False while the node drains: readiness fails so that the load balancer moves on. */
  isAccepting: () => boolean;
  /** The resource proxy behind `/proxy/`; absent, that prefix is a 404. */
  proxy?: ResourceProxy;
  /** `/agent/dev-login`, only when `agents.devLogin` is on. */
  devLogin?: Koa.Middleware | null;
  /**
   * Whether pages on `origin` may connect (`cross-origin.allowedOrigins` or this server's own),
   * for `/tandem/origin-check`: the snippet asks it when its connection is refused, so that
   * `Tandem.start()` can tell a forbidden origin from a server it cannot reach.
   */
  isAllowedOrigin?: (origin: string) => boolean;
}

/** Route families, for metrics labels that stay few. */
function routeOf(path: string): string {
  if (path === '/tandem.js' || path === '/tandem.js.map' || path === '/tandem/origin-check')
    return 'snippet';
  if (path.startsWith('/agent')) return 'agent';
  if (path.startsWith('/demo')) return 'demo';
  if (path.startsWith('/proxy/')) return 'proxy';
  if (path === '/healthz' || path === '/readyz') return 'health';
  return 'other';
}

/** The development sign-in's page and script: served only while `agents.devLogin` is on. */
const DEV_LOGIN_PAGES = new Set(['/agent/login.html', '/agent/login.js', '/agent/login.js.map']);

export function createHttpApp(options: HttpAppOptions): Koa {
  const app = new Koa({ proxy: options.trustProxy });
  const { webRoot } = options;
  const cspReport = cspReportRoute(options.metrics.registry, options.log);

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      options.log.error({ err: error, path: ctx.path }, 'http request failed');
      ctx.status = 500;
      ctx.body = { error: 'internal' };
    } finally {
      options.metrics.httpRequests.inc({ route: routeOf(ctx.path), status: String(ctx.status) });
    }
  });

  app.use(async (ctx, next) => {
    setCommonHeaders(ctx, options.secure);
    if (options.devLogin && ctx.path === '/agent/dev-login') return options.devLogin(ctx, next);
    if (ctx.path === CSP_REPORT_PATH) return cspReport(ctx);
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      return;
    }
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.body = 'Not found';
      ctx.status = 404;
    }
  });

  app.use(async (ctx, next) => {
    const path = ctx.path;
    if (path === '/healthz') {
      ctx.body = { status: 'ok' };
      return;
    }
    if (path === '/readyz') {
      const ready = options.isAccepting() && (await options.store.isHealthy());
      ctx.status = ready ? 200 : 503;
      ctx.body = { status: ready ? 'ready' : 'not ready' };
      return;
    }
    if (path.startsWith('/proxy/') && options.proxy) {
      const answer = await options.proxy.handle(path, ctx.host);
      ctx.status = answer.status;
      ctx.set(answer.headers);
      ctx.body = answer.body;
      return;
    }
    if (path === '/tandem/origin-check' && options.isAllowedOrigin) {
      // Readable from any page: it says only whether the asking page's own origin may connect.
      const origin = ctx.get('Origin');
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        allowed: origin !== '' && options.isAllowedOrigin(origin),
      };
      return;
    }
    if (path === '/tandem.js' || path === '/tandem.js.map') {
      // Loaded by other sites' pages with a plain <script> tag.
      ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
      await sendStaticFile(ctx, webRoot, path.slice(1), 300);
      return;
    }
    if (path === '/agent') {
      ctx.redirect('/agent/');
      return;
    }
    if (!options.devLogin && DEV_LOGIN_PAGES.has(path)) {
      // The development sign-in is off: its page does not exist.
      ctx.status = 404;
      return;
    }
    if (path.startsWith('/agent/')) {
      ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
      ctx.set(
        'Content-Security-Policy',
        path === '/agent/frame.html' ? PAGE_FRAME_CSP : AGENT_CONSOLE_CSP,
      );
      ctx.set('X-Frame-Options', path === '/agent/frame.html' ? 'SAMEORIGIN' : 'DENY');
      ctx.set('Cache-Control', 'no-store');
      await sendStaticFile(ctx, `${webRoot}/agent`, path.slice('/agent/'.length));
      return;
    }
    if (options.demo && (path === '/' || path === '/demo')) {
      ctx.redirect('/demo/');
      return;
    }
    if (options.demo && path.startsWith('/demo/')) {
      ctx.set('Content-Security-Policy', DEMO_CSP);
      await sendStaticFile(ctx, `${webRoot}/demo`, path.slice('/demo/'.length), 60);
      return;
    }
    if (path === '/') {
      ctx.redirect('/agent/');
      return;
    }
    await next();
  });

  return app;
}
