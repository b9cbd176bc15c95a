/**
 * `POST /csp-report`: where the agent console and the page frame report what their
 * Content-Security-Policy blocked (`report-uri` in security-headers.ts). A violation in the
 * console is a bug in the console; one in the frame is the third layer stopping something the
 * first two let through. Each is counted (`tandem_csp_violations_total{directive,source}`) and
 * logged, at most {@link MAX_LOGGED_PER_MINUTE} a minute (anyone can post here). Logs carry the
 * directive, the reporting page's path and the blocked URL's origin, never a query or fragment.
 */
import type { Context } from 'koa';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../observability/logger.ts';

export const CSP_REPORT_PATH = '/csp-report';

const MAX_BODY_BYTES = 16 * 1024;
const MAX_LOGGED_PER_MINUTE = 60;

/** Directives worth their own label; anything else is `other`, so labels stay few. */
const DIRECTIVES = new Set([
  'default-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'img-src',
  'font-src',
  'connect-src',
  'media-src',
  'object-src',
  'frame-src',
  'child-src',
  'worker-src',
  'manifest-src',
  'base-uri',
  'form-action',
  'frame-ancestors',
  'require-trusted-types-for',
  'trusted-types',
]);

/** One violation, as the browser reported it (only the fields used here). */
export interface CspViolation {
  directive: string;
  /** The reporting document's path: `/agent/`, `/agent/frame.html`. */
  page: string;
  /** The blocked URL's origin, or the browser's keyword (`inline`, `eval`, `trusted-types-sink`). */
  blocked: string;
  disposition: string;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 512) : '';
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.origin === 'null' ? parsed.protocol : parsed.origin;
  } catch {
    return url.slice(0, 40);
  }
}

/** The violations in a report body: `report-uri`'s `{"csp-report": {...}}` or Reporting API lists. */
export function parseCspReports(body: unknown): CspViolation[] {
  const items: unknown[] = Array.isArray(body) ? body : [body];
  const out: CspViolation[] = [];
  for (const item of items.slice(0, 50)) {
    if (typeof item !== 'object' || item === null) continue;
    const record = item as Record<string, unknown>;
    const legacy = record['csp-report'];
    const report = (legacy ?? record.body) as Record<string, unknown> | undefined;
    if (typeof report !== 'object' || report === null) continue;
    const directive = text(
      report['effective-directive'] ??
        report.effectiveDirective ??
        report['violated-directive'] ??
        report.violatedDirective,
    ).split(' ')[0]!;
    out.push({
      directive: DIRECTIVES.has(directive) ? directive : 'other',
      page: pathOf(text(report['document-uri'] ?? report.documentURL)),
      blocked: originOf(text(report['blocked-uri'] ?? report.blockedURL)),
      disposition: text(report.disposition) || 'enforce',
    });
  }
  return out;
}

async function readBody(ctx: Context): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Koa handler for {@link CSP_REPORT_PATH}; `now` is injected for the log budget. */
export function cspReportRoute(
  registry: Registry,
  log: Logger,
  now: () => number = Date.now,
): (ctx: Context) => Promise<void> {
  const violations = new Counter({
    name: 'tandem_csp_violations_total',
    help: 'Content-Security-Policy violations reported by the agent console and its page frame',
    labelNames: ['directive', 'source'],
    registers: [registry],
  });
  let minute = 0;
  let logged = 0;
  return async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method !== 'POST') {
      ctx.status = 405;
      ctx.set('Allow', 'POST');
      return;
    }
    const body = await readBody(ctx);
    const reports = body === undefined ? [] : parseCspReports(body);
    for (const report of reports) {
      const source = report.page === '/agent/frame.html' ? 'frame' : 'console';
      violations.inc({ directive: report.directive, source });
      const current = Math.floor(now() / 60_000);
      if (current !== minute) {
        minute = current;
        logged = 0;
      }
      if (logged < MAX_LOGGED_PER_MINUTE) {
        logged += 1;
        log.warn({ ...report, source }, 'csp violation');
      }
    }
    ctx.status = body === undefined ? 400 : 204;
  };
}
