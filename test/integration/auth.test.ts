/**
 * Agent identity and privileges against a real node: tokens that are expired, forged, for another
 * audience or issuer, or lacking a privilege are refused; keys come from a secret, a JWKS file or a
 * loopback JWKS URL; a token that expires ends the connection; supervisors can list sessions and
 * monitors cannot; guessing codes ends in a lockout.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../server/src/protocol/index.ts';
import type { JoinResult, ListResult, StartResult } from '../../server/src/protocol/index.ts';
import type { Privilege } from '../../server/src/security/privileges.ts';
import { mintTestToken, TEST_AUDIENCE, TEST_ISSUER } from '../support/agent-tokens.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const sockets: Socket[] = [];

function open(
  url: string,
  namespace: '/agent' | '/customer',
  token?: string,
  headers: Record<string, string> = {},
): Socket {
  const socket = io(`${url}${namespace}`, {
    transports: ['websocket'],
    reconnection: false,
    rejectUnauthorized: false,
    forceNew: true,
    extraHeaders: headers,
    ...(token !== undefined && { auth: { token } }),
  });
  sockets.push(socket);
  return socket;
}

/** Connects an agent; resolves with the socket, or with the refusal's code and message. */
function connectAgent(
  url: string,
  token?: string,
  headers: Record<string, string> = {},
): Promise<{ socket: Socket } | { refused: string; message: string }> {
  const socket = open(url, '/agent', token, headers);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error: Error & { data?: { message?: string } }) =>
      resolve({ refused: error.message, message: error.data?.message ?? '' }),
    );
  });
}

async function agentSocket(url: string, token: string, headers: Record<string, string> = {}) {
  const result = await connectAgent(url, token, headers);
  if (!('socket' in result)) assert.fail(`the agent connects: ${result.refused} ${result.message}`);
  return result.socket;
}

async function startSession(
  url: string,
): Promise<{ customer: Socket; code: string; sessionId: string }> {
  const customer = open(url, '/customer');
  const result = (await customer.timeout(5000).emitWithAck('session:start', {
    protocol: PROTOCOL_VERSION,
    url: 'https://shop.test/',
  })) as StartResult;
  assert.ok(result.ok, JSON.stringify(result));
  return { customer, code: result.code, sessionId: result.sessionId };
}

const join = async (agent: Socket, code: string): Promise<JoinResult> =>
  (await agent
    .timeout(5000)
    .emitWithAck('session:join', { protocol: PROTOCOL_VERSION, code })) as JoinResult;

after(() => {
  for (const socket of sockets) socket.disconnect();
});

describe('agent tokens (shared secret)', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ agents: { clockToleranceSeconds: 0 } });
  });
  after(() => server.stop());

  const refusedTokens: Array<[string, () => Promise<string | undefined>, RegExp]> = [
    ['no token', async () => undefined, /bearer token is required/],
    ['a token that is not a JWT', async () => 'not-a-jwt', /not valid/],
    [
      'an expired token',
      () => mintTestToken({ issuedAt: Date.now() - 7200_000, ttlSeconds: 3600 }),
      /expired/,
    ],
    [
      'a forged token (another secret)',
      () => mintTestToken({ secret: 'someone-elses-secret-0123456789-abcdefghij' }),
      /signature/,
    ],
    ['a token for another audience', () => mintTestToken({ audience: 'another-app' }), /aud/],
    ['a token from another issuer', () => mintTestToken({ issuer: 'evil' }), /iss/],
    [
      'an unsigned token (alg none)',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${part({ alg: 'none', typ: 'JWT' })}.${part({
          sub: 'x',
          iss: TEST_ISSUER,
          aud: TEST_AUDIENCE,
          exp: now + 600,
          scope: 'cobrowse:monitor cobrowse:control cobrowse:supervise',
        })}.`;
      },
      /not valid|algorithm/,
    ],
  ];
  for (const [name, mint, reason] of refusedTokens) {
    it(`refuses ${name}`, async () => {
      const result = await connectAgent(server.url, await mint());
      assert.ok('refused' in result, 'the connection is refused');
      assert.equal(result.refused, 'unauthorized');
      assert.match(result.message, reason);
    });
  }

  it('refuses joining by code without the monitor privilege, and audits it', async () => {
    const { code } = await startSession(server.url);
    const agent = await agentSocket(
      server.url,
      await mintTestToken({ privileges: ['cobrowse:control'] }),
    );
    const result = await join(agent, code);
    assert.equal(!result.ok && result.code, 'forbidden');
    const monitor = await agentSocket(server.url, await mintTestToken({ name: 'Mo' }));
    assert.ok((await join(monitor, code)).ok, 'the same code works with the privilege');
    await waitFor(
      () =>
        server.logs.some(
          (l) => l.audit === true && l.event === 'agent.refused' && l.reason === 'forbidden',
        ),
      'the refusal audited',
    );
    // Audit lines are written once chained in the store: a moment after the answer.
    await waitFor(
      () =>
        server.logs.some(
          (l) =>
            l.audit === true &&
            l.event === 'agent.joined' &&
            (l.actor as { subject?: string } | undefined)?.subject === 'test:mo',
        ),
      'the join audited',
    );
  });

  it('ends access when the token expires', async () => {
    // Issued 58 s ago for 60 s: two seconds left.
    const token = await mintTestToken({ issuedAt: Date.now() - 58_000, ttlSeconds: 60 });
    const { code } = await startSession(server.url);
    const agent = await agentSocket(server.url, token);
    assert.ok((await join(agent, code)).ok);
    const errors: Array<{ code: string }> = [];
    agent.on('protocol:error', (e: { code: string }) => errors.push(e));
    await waitFor(() => !agent.connected, 'the server to close the expired connection', 10_000);
    assert.equal(errors[0]?.code, 'unauthorized');
    const again = await connectAgent(server.url, token);
    assert.ok('refused' in again, 'the expired token cannot reconnect');
  });

  it('lets a supervisor list and watch sessions, and a monitor neither', async () => {
    const { sessionId } = await startSession(server.url);
    const supervisor = await agentSocket(
      server.url,
      await mintTestToken({ name: 'Sue', privileges: ['cobrowse:supervise'] }),
    );
    const list = (await supervisor.timeout(5000).emitWithAck('sessions:list', {})) as ListResult;
    assert.ok(list.ok, JSON.stringify(list));
    const listed = list.sessions.find((s) => s.sessionId === sessionId);
    assert.ok(listed, 'the new session is listed');
    assert.equal('code' in listed, false, 'codes are not listed');
    const watched = (await supervisor
      .timeout(5000)
      .emitWithAck('session:watch', { protocol: PROTOCOL_VERSION, sessionId })) as JoinResult;
    assert.ok(watched.ok && watched.sessionId === sessionId, JSON.stringify(watched));

    const monitor = await agentSocket(server.url, await mintTestToken({ name: 'Mo' }));
    const denied = (await monitor.timeout(5000).emitWithAck('sessions:list', {})) as ListResult;
    assert.equal(!denied.ok && denied.code, 'forbidden');
    const notWatched = (await monitor
      .timeout(5000)
      .emitWithAck('session:watch', { protocol: PROTOCOL_VERSION, sessionId })) as JoinResult;
    assert.equal(!notWatched.ok && notWatched.code, 'forbidden');
  });
});

describe('code guessing', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      server: { trustProxy: true },
      limits: { joinAttemptsPerMinute: 1000 },
      agents: { codeFailuresBeforeLockout: 3 },
    });
  });
  after(() => server.stop());

  it('locks out an address and an agent after wrong codes, even for the right code', async () => {
    const { code } = await startSession(server.url);
    const guesser = await mintTestToken({ name: 'Guesser' });
    const fromX = await agentSocket(server.url, guesser, { 'x-forwarded-for': '198.51.100.1' });
    const results: string[] = [];
    for (const guess of ['ZZZZ-ZZZZ', 'YYYY-YYYY', 'XXXX-XXXX', code]) {
      const result = await join(fromX, guess);
      results.push(result.ok ? 'ok' : result.code);
    }
    // A wrong code says only that it is wrong; the right one is refused once locked out.
    assert.deepEqual(results, ['invalid_code', 'invalid_code', 'invalid_code', 'rate_limited']);

    // The same agent from another address: still locked out (per agent).
    const fromY = await agentSocket(server.url, guesser, { 'x-forwarded-for': '198.51.100.2' });
    assert.equal(((await join(fromY, code)) as { code?: string }).code, 'rate_limited');
    // Another agent from the first address: locked out too (per address).
    const other = await agentSocket(server.url, await mintTestToken({ name: 'Other' }), {
      'x-forwarded-for': '198.51.100.1',
    });
    assert.equal(((await join(other, code)) as { code?: string }).code, 'rate_limited');
    // Another agent from another address joins.
    const fresh = await agentSocket(server.url, await mintTestToken({ name: 'Fresh' }), {
      'x-forwarded-for': '198.51.100.3',
    });
    assert.ok((await join(fresh, code)).ok);
    await waitFor(
      () => server.logs.some((l) => l.audit === true && l.event === 'code.locked_out'),
      'the lockout audited',
    );
  });
});

/** A key pair for the JWKS tests, and a signer of tokens with it. */
async function keyPair(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const sign = (privileges: Privilege[], key: CryptoKey = privateKey, audience = TEST_AUDIENCE) =>
    new SignJWT({ name: 'Jay', scope: privileges.join(' ') })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject('idp:jay')
      .setIssuer('https://idp.test/')
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);
  return { jwk, sign, privateKey };
}

describe('agent tokens (public keys)', () => {
  it('verifies with a JWKS file', async () => {
    const dir = await mkdtemp(joinPath(tmpdir(), 'tandem-jwks-'));
    const keys = await keyPair('file-key');
    const stranger = await keyPair('file-key'); // same kid, another key: a forgery
    const file = joinPath(dir, 'jwks.json');
    await writeFile(file, JSON.stringify({ keys: [keys.jwk] }));
    const server = await startServer({
      agents: { secret: undefined, jwksFile: file, issuer: 'https://idp.test/' },
    });
    try {
      const good = await connectAgent(server.url, await keys.sign(['cobrowse:monitor']));
      assert.ok('socket' in good, 'a token signed with the listed key is accepted');
      const forged = await connectAgent(
        server.url,
        await keys.sign(['cobrowse:monitor'], stranger.privateKey),
      );
      assert.ok(
        'refused' in forged && /signature/.test(forged.message),
        'a forged token is refused',
      );
      const wrongAudience = await connectAgent(
        server.url,
        await keys.sign(['cobrowse:monitor'], keys.privateKey, 'other'),
      );
      assert.ok('refused' in wrongAudience);
      // An HS256 token signed with the public key as a secret (algorithm confusion) is refused.
      const confused = await mintTestToken({
        secret: JSON.stringify(keys.jwk).padEnd(32, ' '),
        issuer: 'https://idp.test/',
      });
      assert.ok('refused' in (await connectAgent(server.url, confused)));
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('verifies with a JWKS URL on a loopback server', async () => {
    const keys = await keyPair('url-key');
    let fetches = 0;
    const jwksServer: Server = createServer((_req, res) => {
      fetches += 1;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [keys.jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    const server = await startServer({
      agents: {
        secret: undefined,
        jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        issuer: 'https://idp.test/',
      },
    });
    try {
      const { code } = await startSession(server.url);
      const monitorOnly = await agentSocket(server.url, await keys.sign(['cobrowse:monitor']));
      assert.ok((await join(monitorOnly, code)).ok);
      assert.ok(fetches >= 1, 'the keys were fetched from the URL');
      const noPrivilege = await agentSocket(server.url, await keys.sign([]));
      assert.equal(((await join(noPrivilege, code)) as { code?: string }).code, 'forbidden');
      const other = await keyPair('url-key');
      const forged = await connectAgent(server.url, await other.sign(['cobrowse:monitor']));
      assert.ok('refused' in forged);
    } finally {
      await server.stop();
      jwksServer.closeAllConnections();
      await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
    }
  });
});

describe('development login', () => {
  const login = (url: string, origin: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/agent/dev-login`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ name: 'Dev', privileges: ['cobrowse:monitor', 'cobrowse:supervise'] }),
    });

  it('does not exist unless enabled', async () => {
    const server = await startServer();
    try {
      const res = await login(server.url, server.url);
      assert.equal(res.status, 405);
      await res.arrayBuffer();
      for (const page of ['/agent/login.html', '/agent/login.js']) {
        const got = await fetch(`${server.url}${page}`);
        assert.equal(got.status, 404, `${page} is not served`);
        await got.arrayBuffer();
      }
    } finally {
      await server.stop();
    }
  });

  it('mints a working token when enabled, for same-origin requests only, with a warning', async () => {
    const server = await startServer({ agents: { secret: undefined, devLogin: true } });
    try {
      assert.ok(server.logs.some((l) => l.level === 40 && /devLogin is on/.test(String(l.msg))));
      const refused = await login(server.url, 'https://evil.test');
      assert.equal(refused.status, 403);
      await refused.arrayBuffer();
      const res = await login(server.url, server.url);
      const body = (await res.json()) as { ok: boolean; token: string };
      assert.ok(body.ok);
      const agent = await agentSocket(server.url, body.token);
      const list = (await agent.timeout(5000).emitWithAck('sessions:list', {})) as ListResult;
      assert.ok(list.ok, 'the minted privileges apply');
      const page = await fetch(`${server.url}/agent/login.html`);
      assert.equal(page.status, 200, 'the sign-in page is served while it is on');
      await page.arrayBuffer();
      // Without a trusted proxy, X-Forwarded-For is a header like any other: ignored.
      const ignored = await login(server.url, server.url, { 'x-forwarded-for': '203.0.113.9' });
      assert.equal(ignored.status, 200);
      await ignored.arrayBuffer();
    } finally {
      await server.stop();
    }
  });

  it('refuses a client that is not on this machine, whatever Origin it forges', async () => {
    // Behind a trusted proxy the client is the address the proxy appended: here a remote one.
    const server = await startServer({
      agents: { secret: undefined, devLogin: true },
      server: { trustProxy: true },
    });
    try {
      for (const forwarded of ['203.0.113.9', '127.0.0.1, 203.0.113.9']) {
        const res = await login(server.url, server.url, { 'x-forwarded-for': forwarded });
        assert.equal(res.status, 403, forwarded);
        const body = (await res.json()) as { ok: boolean; code: string; token?: string };
        assert.deepEqual([body.ok, body.code, body.token], [false, 'forbidden', undefined]);
      }
      assert.ok(
        server.logs.some(
          (l) => l.msg === 'development sign-in refused' && l.code === 'not_loopback',
        ),
        'the refusal is logged',
      );
      const local = await login(server.url, server.url, { 'x-forwarded-for': '127.0.0.1' });
      assert.equal(local.status, 200, 'a client the proxy saw on this machine');
      await local.arrayBuffer();
    } finally {
      await server.stop();
    }
  });
});
