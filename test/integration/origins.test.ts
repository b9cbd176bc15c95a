/**
 * Origins and headers against a real node: the customer namespace accepts only allowlisted
 * origins on both transports (websocket and polling), preflights from other origins get no
 * Access-Control-Allow-Origin, the agent namespace accepts only the console's own origin, and
 * every response carries the security headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io } from 'socket.io-client';
import { mintTestToken } from '../support/agent-tokens.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const ALLOWED = 'https://shop.test';
const EVIL = 'https://evil.test';
const TRANSPORTS = ['websocket', 'polling'] as const;

let server: RunningServer;
let token: string;

before(async () => {
  token = await mintTestToken();
  server = await startServer({ 'cross-origin': { allowedOrigins: [ALLOWED] } });
});

after(() => server.stop());

/** Tries to connect; resolves 'connected' or the refusal's message. */
function tryConnect(
  namespace: '/customer' | '/agent',
  origin: string | undefined,
  transport: (typeof TRANSPORTS)[number],
  { url = server.url, host }: { url?: string; host?: string } = {},
): Promise<string> {
  const socket = io(`${url}${namespace}`, {
    transports: [transport],
    reconnection: false,
    rejectUnauthorized: false,
    forceNew: true,
    extraHeaders: { ...(origin !== undefined && { origin }), ...(host && { host }) },
    ...(namespace === '/agent' && { auth: { token } }),
  });
  return new Promise<string>((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error: Error) => resolve(error.message));
  }).finally(() => socket.disconnect());
}

describe('origins', () => {
  for (const transport of TRANSPORTS) {
    it(`customer namespace over ${transport}: allowlisted and own origins connect, others do not`, async () => {
      assert.equal(await tryConnect('/customer', ALLOWED, transport), 'connected');
      assert.equal(await tryConnect('/customer', server.url, transport), 'connected');
      assert.notEqual(await tryConnect('/customer', EVIL, transport), 'connected');
      assert.notEqual(await tryConnect('/customer', 'null', transport), 'connected');
      assert.notEqual(
        await tryConnect('/customer', `${ALLOWED}.evil.test`, transport),
        'connected',
      );
    });

    it(`agent namespace over ${transport}: only the console's own origin (no cross-site hijacking)`, async () => {
      assert.equal(await tryConnect('/agent', server.url, transport), 'connected');
      // Even a site allowed to embed the snippet cannot open an agent connection.
      assert.notEqual(await tryConnect('/agent', ALLOWED, transport), 'connected');
      assert.notEqual(await tryConnect('/agent', EVIL, transport), 'connected');
    });
  }

  it("takes the console's origin from config, never from the Host header (DNS rebinding)", async () => {
    // A rebound name: the page's origin and the Host header agree, and name neither the console.
    const rebound = { host: 'evil.test' };
    assert.notEqual(await tryConnect('/agent', EVIL, 'websocket', rebound), 'connected');
    assert.notEqual(await tryConnect('/customer', EVIL, 'websocket', rebound), 'connected');
    const configured = await startServer({
      server: { publicOrigin: 'https://tandem.example.test' },
    });
    try {
      const at = { url: configured.url };
      assert.equal(
        await tryConnect('/agent', 'https://tandem.example.test', 'websocket', at),
        'connected',
      );
      assert.notEqual(await tryConnect('/agent', configured.url, 'websocket', at), 'connected');
    } finally {
      await configured.stop();
    }
  });

  it('counts, logs and audits every refused origin, at the handshake and at the agent namespace', async () => {
    const dropped = async (stage: string): Promise<number> => {
      const text = await (await fetch(`${server.metricsUrl}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('tandem_messages_dropped_total{') &&
            l.includes(`namespace="${stage}"`) &&
            l.includes('reason="forbidden_origin"'),
        );
      return line === undefined ? 0 : Number(line.split(' ').pop());
    };
    const audits = (namespace: string): number =>
      server.logs.filter(
        (l) =>
          l.audit === true &&
          l.event === 'origin.refused' &&
          (l.detail as { namespace?: string } | undefined)?.namespace === namespace,
      ).length;
    const before = { handshake: await dropped('handshake'), agent: await dropped('agent') };
    const audited = { any: audits('any'), agent: audits('agent') };

    assert.notEqual(await tryConnect('/customer', EVIL, 'websocket'), 'connected');
    assert.notEqual(await tryConnect('/agent', ALLOWED, 'websocket'), 'connected');

    await waitFor(
      async () => (await dropped('handshake')) === before.handshake + 1,
      'handshake count',
    );
    assert.equal(await dropped('agent'), before.agent + 1);
    await waitFor(
      () => audits('any') === audited.any + 1 && audits('agent') === audited.agent + 1,
      'one audit line each',
    );
  });

  it('answers a preflight from another origin without Access-Control-Allow-Origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const evil = await preflight(EVIL);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const allowed = await preflight(ALLOWED);
    assert.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(allowed.headers.get('access-control-allow-credentials'), null);

    // The snippet's own HTTP route: never an ACAO for another origin, preflight or not.
    for (const method of ['GET', 'OPTIONS']) {
      const res = await fetch(`${server.url}/tandem.js`, {
        method,
        headers: { origin: EVIL, 'access-control-request-method': 'GET' },
      });
      assert.equal(res.headers.get('access-control-allow-origin'), null, `${method} /tandem.js`);
    }
  });
});

describe('security headers', () => {
  const paths = [
    '/agent/',
    '/agent/frame.html',
    '/agent/agent.js',
    '/demo/',
    '/tandem.js',
    '/healthz',
    '/no-such-page',
    '/socket.io/?EIO=4&transport=polling',
  ];
  for (const path of paths) {
    it(`are on ${path}`, async () => {
      const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      await res.arrayBuffer();
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d{7,}/);
      assert.match(
        res.headers.get('content-security-policy') ?? '',
        /frame-ancestors '(none|self)'/,
      );
    });
  }

  it('forbids scripts in the frame the page is rebuilt in', async () => {
    const res = await fetch(`${server.url}/agent/frame.html`);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'none'/);
  });
});
