import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import Koa from 'koa';
import { Registry } from 'prom-client';
import { createLogger } from '../observability/logger.ts';
import { cspReportRoute, parseCspReports } from './csp-reports.ts';

describe('parseCspReports', () => {
  it('reads report-uri bodies and Reporting API lists, keeping only origins and paths', () => {
    assert.deepEqual(
      parseCspReports({
        'csp-report': {
          'document-uri': 'https://t.example/agent/?code=ABCD#token=secret',
          'effective-directive': 'style-src-attr',
          'blocked-uri': 'inline',
          disposition: 'enforce',
        },
      }),
      [{ directive: 'style-src-attr', page: '/agent/', blocked: 'inline', disposition: 'enforce' }],
    );
    assert.deepEqual(
      parseCspReports([
        {
          type: 'csp-violation',
          body: {
            documentURL: 'https://t.example/agent/frame.html',
            effectiveDirective: 'object-src',
            blockedURL: 'http://127.0.0.1:9/x?q=1',
          },
        },
        { body: { effectiveDirective: 'made-up', blockedURL: 'eval' } },
        'junk',
        null,
      ]),
      [
        {
          directive: 'object-src',
          page: '/agent/frame.html',
          blocked: 'http://127.0.0.1:9',
          disposition: 'enforce',
        },
        { directive: 'other', page: '', blocked: 'eval', disposition: 'enforce' },
      ],
    );
  });
});

describe('cspReportRoute', () => {
  async function serve(): Promise<{
    server: Server;
    port: number;
    registry: Registry;
    lines: string[];
  }> {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const registry = new Registry();
    const route = cspReportRoute(registry, createLogger('info', sink), () => 0);
    const app = new Koa();
    app.use((ctx) => route(ctx));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { server, port: (server.address() as AddressInfo).port, registry, lines };
  }

  const post = (port: number, body: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(
        { port, host: '127.0.0.1', method: 'POST', path: '/csp-report' },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('counts and logs each violation (at most 60 a minute), and refuses what is not JSON', async () => {
    const { server, port, registry, lines } = await serve();
    try {
      const report = JSON.stringify({
        'csp-report': {
          'document-uri': 'https://t.example/agent/frame.html',
          'effective-directive': 'img-src',
          'blocked-uri': 'https://evil.test/x.png',
        },
      });
      for (let i = 0; i < 70; i += 1) assert.equal(await post(port, report), 204);
      assert.equal(await post(port, 'not json'), 400);
      assert.equal(await post(port, 'x'.repeat(20_000)), 400);
      const metrics = await registry.getSingleMetricAsString('tandem_csp_violations_total');
      assert.match(metrics, /directive="img-src",source="frame"} 70/);
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(logged.length, 60);
      assert.equal(logged[0]?.blocked, 'https://evil.test');
      assert.equal(logged[0]?.msg, 'csp violation');
    } finally {
      server.close();
    }
  });
});
