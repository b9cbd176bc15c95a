/**
 * Response headers that keep browsers strict. Each route family gets its own Content-Security-Policy:
 * the agent console may run only its own script; the frame that holds the customer's page runs
 * none at all and loads only from this server.
 */
import type { Context } from 'koa';
import { CSP_REPORT_PATH } from './csp-reports.ts';

/**
 * Where both policies below report violations (csp-reports.ts). A report from the console is a
 * console bug; one from the frame is the frame's CSP stopping what the other layers let through.
 */
export const CSP_REPORT_URI = CSP_REPORT_PATH;

/**
 * The console: only its own script, and Trusted Types: no string ever reaches an HTML or script
 * sink, and the one policy allowed (`tandem-rebuild`) is created, refusing everything, by the
 * rebuild code itself (agent/build-node.ts) before anything else could take the name.
 */
export const AGENT_CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types tandem-rebuild',
  `report-uri ${CSP_REPORT_URI}`,
].join('; ');

/** The frame the page is rebuilt in: no script of any kind, every load from this server. */
export const PAGE_FRAME_CSP = [
  "default-src 'none'",
  "script-src 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "media-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
  `report-uri ${CSP_REPORT_URI}`,
].join('; ');

/** The demo shop is an ordinary website: its own scripts and the snippet. */
export const DEMO_CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** Every other response (health, errors, scripts, the snippet): nothing may render or frame it. */
export const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

export function setCommonHeaders(ctx: Context, secure: boolean): void {
  // Routes that serve pages replace this with their own policy.
  ctx.set('Content-Security-Policy', DEFAULT_CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  if (secure) ctx.set('Strict-Transport-Security', 'max-age=31536000');
}
