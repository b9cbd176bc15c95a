/**
 * Reloads the serving certificate when its files change (as a Kubernetes secret volume changes
 * them), without a restart: new handshakes get the new pair, open connections stay up. A pair that
 * does not load or does not match is refused and the old one stays in use.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { readCredentialFiles, type Credentials } from './credentials.ts';

export interface ReloaderOptions {
  certFile: string;
  keyFile: string;
  /** The pair in use now. */
  current: Credentials;
  intervalMs: number;
  /** Installs new credentials on the listener (`server.setSecureContext`). */
  apply: (context: SecureContextOptions, credentials: Credentials) => void;
  onReloaded: (credentials: Credentials) => void;
  onRefused: (message: string) => void;
}

export interface Reloader {
  /** Checks the files now; resolves to what happened. */
  check(): Promise<'unchanged' | 'reloaded' | 'refused'>;
  stop(): void;
}

export function watchCredentials(options: ReloaderOptions): Reloader {
  let current = options.current;
  let refusedPair = '';
  let checking: Promise<'unchanged' | 'reloaded' | 'refused'> | null = null;

  const check = (): Promise<'unchanged' | 'reloaded' | 'refused'> => {
    // One check at a time: a burst of file events must not race two reloads.
    checking ??= (async () => {
      const result = await readCredentialFiles(options.certFile, options.keyFile);
      if (!result.ok) {
        if (refusedPair !== result.message) options.onRefused(result.message);
        refusedPair = result.message;
        return 'refused';
      }
      const next = result.credentials;
      if (next.cert === current.cert && next.key === current.key) return 'unchanged';
      try {
        options.apply({ cert: next.cert, key: next.key }, next);
      } catch (error) {
        options.onRefused((error as Error).message);
        return 'refused';
      }
      current = next;
      refusedPair = '';
      options.onReloaded(next);
      return 'reloaded';
    })().finally(() => {
      checking = null;
    });
    return checking;
  };

  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(options.certFile), dirname(options.keyFile)])) {
    try {
      const watcher = watch(dir, () => void check());
      watcher.on('error', () => undefined);
      watchers.push(watcher);
    } catch {
      // Polling below still notices changes.
    }
  }
  const timer = setInterval(() => void check(), options.intervalMs);
  timer.unref();

  return {
    check,
    stop() {
      clearInterval(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
