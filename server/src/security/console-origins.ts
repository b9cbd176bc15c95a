/**
 * The origins the agent console is served at: `server.publicOrigin` when set (an installation
 * behind an ingress), else this listener's own names. Never a request's Host or X-Forwarded-Host
 * header, which whoever sends the request chooses (DNS rebinding, a proxy that passes them on).
 */
import type { Config } from '../config/index.ts';

/** The console's origins for a node listening on `port`, as a browser writes them in `Origin`. */
export function consoleOrigins(config: Pick<Config, 'server' | 'tls'>, port: number): string[] {
  if (config.server.publicOrigin) return [config.server.publicOrigin];
  const scheme = config.tls.enabled ? 'https' : 'http';
  const suffix = port === (scheme === 'https' ? 443 : 80) ? '' : `:${port}`;
  const bound = config.server.host;
  const names = ['localhost', '127.0.0.1', '[::1]', ...config.tls.hostnames];
  if (bound !== '0.0.0.0' && bound !== '::') names.push(bound.includes(':') ? `[${bound}]` : bound);
  return [...new Set(names.map((name) => `${scheme}://${name.toLowerCase()}${suffix}`))];
}
