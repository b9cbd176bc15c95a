/**
 * Starts a real Tandem node (the built `server/dist/main.js`) in its own process on free ports,
 * with a fresh data directory, and stops it (and only it) afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_AGENT_SECRET } from './agent-tokens.ts';

export interface RunningServer {
  url: string;
  metricsUrl: string | null;
  process: ChildProcess;
  /** What the node wrote to stderr (a crash's stack trace, for one). */
  stderr(): string;
  /** Every JSON log line the node printed so far. */
  logs: Array<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));

function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] =
      typeof prev === 'object' &&
      prev !== null &&
      !Array.isArray(prev) &&
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value)
        ? deepMerge(prev as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

export async function startServer(
  overrides: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<RunningServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tandem-test-'));
  const config = deepMerge(
    {
      server: { host: '127.0.0.1', port: 0, dataDir, shutdownGraceSeconds: 2 },
      metrics: { host: '127.0.0.1', port: 0 },
      log: { level: 'info' },
      agents: { secret: TEST_AGENT_SECRET },
    },
    overrides,
  );
  const configFile = join(dataDir, 'tandem.json');
  await writeFile(configFile, JSON.stringify(config));
  const child = spawn(process.execPath, [MAIN, '--config', configFile], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  const ready = new Promise<{ url: string; metricsUrl: string | null }>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'tandem listening')
            resolve({
              url: String(entry.url),
              metricsUrl: (entry.metricsUrl as string | null) ?? null,
            });
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) =>
      reject(new Error(`server exited with ${code} before listening: ${stderr}`)),
    );
  });
  const { url, metricsUrl } = await ready;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    url,
    metricsUrl,
    process: child,
    logs,
    stderr: () => stderr,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      await rm(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
