/**
 * `make run` as the README gives it: stdout carries only the node's JSON lines (the install and
 * build talk on stderr), so `make run | jq 'select(.audit)'` works; and the development sign-in
 * is on, for this machine.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('make run', () => {
  const child = spawn('make', ['--no-print-directory', 'run'], {
    cwd: ROOT,
    // Free ports, so that it runs beside anything else; the rest is make run's own defaults.
    env: { ...process.env, TANDEM__SERVER__PORT: '0', TANDEM__METRICS__ENABLED: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  after(() => {
    // make, its shell and the node: the process group this test started.
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  });

  it('prints JSON lines only on stdout, and offers the development sign-in', async () => {
    const lines: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          lines.push(line);
          try {
            const entry = JSON.parse(line) as { msg?: string; url?: string };
            if (entry.msg === 'tandem listening' && entry.url) resolve(entry.url);
          } catch {
            reject(new Error(`not a JSON line on stdout: ${line}`));
          }
        }
      });
      child.stderr!.resume();
      child.once('exit', (code) => reject(new Error(`make run exited with ${code}`)));
    });
    assert.ok(lines.length > 0);
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
    const page = await fetch(`${url}/agent/login.html`);
    assert.equal(page.status, 200, 'the development sign-in is on');
    await page.arrayBuffer();
  });
});
