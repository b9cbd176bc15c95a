/**
 * The proxy is no door into the private network. An "internal" listener on every loopback
 * address of one port (and on 127.0.0.1 of the customer site's port) stands in for what sits
 * behind the server; every case below must be refused with its code, counted and logged, and
 * the internal listener must receive nothing. Every IP literal is listed in
 * allowedExternalDomains so that the address check itself is what refuses it. The loopback
 * stand-in for the customer's site (127.0.0.2) is the only address the test hooks open.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateConfig, readEnvOverrides } from '../../server/src/config/load.ts';
import { createSigner } from '../../server/src/proxy/signing.ts';
import { startCustomerSession, type CustomerSession } from '../support/customer-session.ts';
import { makePng, startOrigin, type Origin } from '../support/origins.ts';
import { startServer, type RunningServer } from '../support/server.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const KEY = 'ssrf-test-signing-key-0123456789abcdef';
const signer = createSigner({ key: Buffer.from(KEY), ttlMs: 3_600_000 });
const PNG = makePng(2, 2, [0, 0, 255]);

let internal: Origin;
let internalOnShopPort: Origin;
let shop: Origin;
let server: RunningServer;
let session: CustomerSession;
let otherSession: CustomerSession;

interface Case {
  name: string;
  /** The upstream URL (signed for the session), or a raw proxy path. */
  url?: string;
  path?: () => string;
  code: string;
}

/** Filled in once the listeners have ports (I = internal port, S = shop port). */
function cases(I: number, S: number): Case[] {
  const redirect = (to: string) => `http://shop.test:${S}/redirect?to=${encodeURIComponent(to)}`;
  const addr = (host: string, port: number | null = I) =>
    `http://${host}${port === null ? '' : `:${port}`}/secret`;
  /** A URL that reaches, or leads to, an address the proxy must never fetch from. */
  const inward = (name: string, url: string): Case => ({ name, url, code: 'address_not_allowed' });
  return [
    // Loopback in every spelling.
    inward('loopback', addr('127.0.0.1')),
    inward('loopback, short form', addr('127.1')),
    inward('loopback, hex octet', addr('0x7f.0.0.1')),
    inward('loopback, hex integer', addr('0x7f000001')),
    inward('loopback, decimal integer', addr('2130706433')),
    inward('loopback, octal integer', addr('017700000001')),
    inward('loopback, octal octet', addr('0177.0.0.1')),
    inward('loopback, mixed radix', addr('0x7f.0.00.0x1')),
    inward('another loopback address', addr('127.0.0.5')),
    inward('loopback, https', `https://127.0.0.1:${I}/secret`),
    inward('unspecified 0.0.0.0', addr('0.0.0.0')),
    inward('unspecified 0', addr('0')),
    inward('IPv6 loopback', addr('[::1]')),
    inward('IPv6 loopback, long form', addr('[0:0:0:0:0:0:0:1]')),
    inward('IPv6 unspecified', addr('[::]')),
    inward('IPv4-mapped loopback', addr('[::ffff:127.0.0.1]')),
    inward('IPv4-mapped loopback, hex', addr('[::ffff:7f00:1]')),
    inward('IPv4-compatible loopback', addr('[::127.0.0.1]')),
    inward('NAT64 loopback', addr('[64:ff9b::7f00:1]')),
    inward('6to4 loopback', addr('[2002:7f00:1::]')),
    // Private, link-local, CGNAT, multicast, metadata.
    inward('private 10/8', addr('10.0.0.1')),
    inward('private 172.16/12', addr('172.16.0.1')),
    inward('private 192.168/16', addr('192.168.0.1')),
    inward('private, decimal integer', addr('3232235521')),
    inward('metadata 169.254.169.254', addr('169.254.169.254', null)),
    inward('metadata, hex', addr('0xa9fea9fe', null)),
    inward('metadata, mapped', addr('[::ffff:169.254.169.254]', null)),
    inward('metadata, Alibaba CGNAT', addr('100.100.100.200', null)),
    inward('metadata, AWS IPv6', addr('[fd00:ec2::254]', null)),
    inward('CGNAT', addr('100.64.0.1')),
    inward('multicast', addr('224.0.0.1')),
    inward('broadcast', addr('255.255.255.255')),
    inward('IPv6 link-local', addr('[fe80::1]')),
    inward('IPv6 unique-local', addr('[fc00::1]')),
    inward('IPv6 multicast', addr('[ff02::1]')),
    inward('mapped private', addr('[::ffff:10.0.0.1]')),
    // Names that resolve inward.
    inward('a name resolving to loopback', addr('internal.test')),
    inward('a name resolving to ::1', addr('v6internal.test')),
    inward('a name resolving to a mapped address', addr('mapped.test')),
    inward('a name resolving to metadata', addr('meta.test', null)),
    inward('a name resolving to 10/8', addr('private.test')),
    inward('a name with one bad address among good', addr('multi.test')),
    inward('localhost', addr('localhost')),
    inward('localhost, trailing dot', addr('localhost.')),
    // Resolution changes between check and fetch: pinned to the checked (public) address.
    { name: 'DNS rebinding', url: `http://rebind.test:${S}/secret`, code: 'upstream_status' },
    // Redirects, each hop checked again.
    inward('redirect to loopback', redirect(addr('127.0.0.1'))),
    inward('redirect to a decimal loopback', redirect(addr('2130706433'))),
    inward('redirect to a name resolving inward', redirect(addr('internal.test'))),
    inward('redirect to IPv6 loopback', redirect(addr('[::1]'))),
    inward('redirect to metadata', redirect('http://169.254.169.254/latest/meta-data/')),
    { name: 'redirect to file:', url: redirect('file:///etc/passwd'), code: 'scheme_not_allowed' },
    {
      name: 'redirect to an unlisted domain',
      url: redirect(`http://unlisted.test:${S}/x`),
      code: 'domain_not_allowed',
    },
    {
      name: 'redirect to a refused port',
      url: redirect(`http://shop.test:22/`),
      code: 'port_not_allowed',
    },
    { name: 'redirect loop', url: `http://shop.test:${S}/loop`, code: 'too_many_redirects' },
    // Schemes.
    { name: 'file:', url: 'file:///etc/passwd', code: 'scheme_not_allowed' },
    { name: 'ftp:', url: `ftp://shop.test:${S}/x`, code: 'scheme_not_allowed' },
    { name: 'gopher:', url: `gopher://127.0.0.1:${I}/_GET`, code: 'scheme_not_allowed' },
    { name: 'ws:', url: `ws://shop.test:${S}/`, code: 'scheme_not_allowed' },
    { name: 'data:', url: 'data:image/png;base64,AAAA', code: 'scheme_not_allowed' },
    { name: 'javascript:', url: 'javascript:alert(1)', code: 'scheme_not_allowed' },
    // Domains, ports, credentials.
    { name: 'unlisted domain', url: `http://unlisted.test:${S}/x.png`, code: 'domain_not_allowed' },
    {
      name: 'listed name as a prefix',
      url: `http://shop.test.evil.test:${S}/`,
      code: 'domain_not_allowed',
    },
    { name: 'port not allowed', url: `http://shop.test:22/x.png`, code: 'port_not_allowed' },
    {
      name: 'credentials in the URL',
      url: `http://user:pw@shop.test:${S}/ok.png`,
      code: 'bad_url',
    },
    // Content.
    {
      name: 'HTML instead of a resource',
      url: `http://shop.test:${S}/page.html`,
      code: 'type_not_allowed',
    },
    { name: 'larger than the cap', url: `http://shop.test:${S}/big.png`, code: 'too_large' },
    { name: 'no answer in time', url: `http://shop.test:${S}/slow.png`, code: 'upstream_timeout' },
    // Signed URLs.
    { name: 'no token', path: () => `/proxy/r/${session.sessionId}/`, code: 'bad_token' },
    {
      name: 'garbage token',
      path: () => `/proxy/r/${session.sessionId}/abc.def.ghi`,
      code: 'bad_token',
    },
    {
      name: 'signed with another key',
      path: () =>
        createSigner({ key: Buffer.from('x'.repeat(40)), ttlMs: 60_000 }).sign(
          session.sessionId,
          `http://shop.test:${S}/ok.png`,
        ),
      code: 'bad_token',
    },
    {
      name: 'expired',
      path: () =>
        createSigner({
          key: Buffer.from(KEY),
          ttlMs: 60_000,
          now: () => Date.now() - 3_600_000,
        }).sign(session.sessionId, `http://shop.test:${S}/ok.png`),
      code: 'token_expired',
    },
    {
      name: "another session's URL",
      path: () =>
        signer
          .sign(otherSession.sessionId, `http://shop.test:${S}/ok.png`)
          .replace(otherSession.sessionId, session.sessionId),
      code: 'bad_token',
    },
    {
      name: 'a URL swapped inside a valid token',
      path: () => {
        const path = signer.sign(session.sessionId, `http://shop.test:${S}/ok.png`);
        const [expiry, , mac] = path.split('/').pop()!.split('.');
        const swapped = Buffer.from(addr('127.0.0.1')).toString('base64url');
        return `/proxy/r/${session.sessionId}/${expiry}.${swapped}.${mac}`;
      },
      code: 'bad_token',
    },
    {
      name: 'a session that does not exist',
      path: () => signer.sign('no-such-session', `http://shop.test:${S}/ok.png`),
      code: 'session_gone',
    },
  ];
}

let all: Case[] = [];

before(async () => {
  // `::` with dual stack takes every loopback address (127/8 and ::1) on this port.
  internal = await startOrigin('::', { '/secret': { body: 'internal secret' } });
  shop = await startOrigin('127.0.0.2', {
    '/ok.png': { headers: { 'content-type': 'image/png' }, body: PNG },
    '/page.html': { headers: { 'content-type': 'text/html' }, body: '<p>page</p>' },
    '/big.png': { headers: { 'content-type': 'image/png' }, body: Buffer.alloc(200 * 1024) },
    '/slow.png': { headers: { 'content-type': 'image/png' }, body: PNG, delayMs: 4000 },
    '/loop': { status: 302, headers: { location: '/loop' } },
    '/redirect': (req) => ({
      status: 302,
      headers: { location: new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/' },
    }),
  });
  // The rebinding name's second answer would land here, beside the shop's port.
  internalOnShopPort = await startOrigin(
    '127.0.0.1',
    { '/secret': { body: 'secret' } },
    { port: shop.port },
  );
  all = cases(internal.port, shop.port);
  const literalHosts = all
    .map((c) => (c.url ? new URL(c.url).hostname : ''))
    .filter((host) => host !== '' && !host.endsWith('.test') && !host.startsWith('localhost'));
  server = await startServer(
    {
      'cross-origin': { allowedOrigins: [`http://shop.test:${shop.port}`] },
      'http-proxy': {
        allowedExternalDomains: [
          ...new Set(literalHosts),
          'internal.test',
          'v6internal.test',
          'mapped.test',
          'meta.test',
          'private.test',
          'multi.test',
          'rebind.test',
          'localhost',
        ],
        allowedPorts: [80, 443, internal.port, shop.port],
        signingKey: KEY,
        maxResponseBytes: 64 * 1024,
        timeoutSeconds: 1,
        maxRedirects: 3,
      },
    },
    {
      TANDEM_TEST_ALLOW_LOOPBACK_ORIGINS: '127.0.0.2',
      TANDEM_TEST_RESOLVER: [
        'shop.test=127.0.0.2',
        'unlisted.test=127.0.0.2',
        'internal.test=127.0.0.1',
        'v6internal.test=::1',
        'mapped.test=::ffff:127.0.0.1',
        'meta.test=169.254.169.254',
        'private.test=10.0.0.1',
        'multi.test=127.0.0.2+127.0.0.1',
        'rebind.test=127.0.0.2/127.0.0.1',
      ].join(','),
    },
  );
  session = await startCustomerSession(server.url, `http://shop.test:${shop.port}`);
  otherSession = await startCustomerSession(server.url, `http://shop.test:${shop.port}`);
});

after(async () => {
  session?.socket.disconnect();
  otherSession?.socket.disconnect();
  await Promise.all([server?.stop(), internal?.stop(), internalOnShopPort?.stop(), shop?.stop()]);
});

async function refusals(): Promise<number> {
  const text = await (await fetch(`${server.metricsUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('tandem_proxy_refusals_total'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('SSRF: every case refused, nothing reaches the internal listener', () => {
  it('has at least 50 cases', () => {
    assert.ok(all.length >= 50, `${all.length} cases`);
    console.log(`  ${all.length} SSRF cases`);
  });

  it('the shop itself is served (the harness is not refusing everything)', async () => {
    const res = await fetch(
      `${server.url}${signer.sign(session.sessionId, `http://shop.test:${shop.port}/ok.png`)}`,
    );
    assert.equal(res.status, 200);
  });

  it('refuses each case with its code, counts and logs it', async () => {
    const failures: string[] = [];
    const countedBefore = await refusals();
    for (const c of all) {
      const path = c.path ? c.path() : signer.sign(session.sessionId, c.url!);
      const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      if (res.status < 400 || body.error !== c.code)
        failures.push(`${c.name}: ${res.status} ${body.error ?? ''} (expected ${c.code})`);
    }
    assert.deepEqual(failures, []);
    assert.equal(await refusals(), countedBefore + all.length, 'each refusal is counted');
    const logged = server.logs.filter((l) => l.msg === 'proxy refused').length;
    assert.ok(logged >= all.length, `each refusal is logged (${logged})`);
  });

  it('the internal listeners received nothing; the rebound name went to the checked address', () => {
    assert.deepEqual(internal.hits, []);
    assert.deepEqual(internalOnShopPort.hits, []);
    assert.ok(
      shop.hits.some((h) => h.path === '/secret'),
      'pinned to 127.0.0.2',
    );
  });
});

describe('the loopback test switch', () => {
  it('is off without the test environment', async () => {
    const plain = await startServer({
      'cross-origin': { allowedOrigins: [`http://127.0.0.2:${shop.port}`] },
      'http-proxy': {
        allowedExternalDomains: ['127.0.0.2'],
        allowedPorts: [shop.port],
        signingKey: KEY,
      },
    });
    after(() => plain.stop());
    const customer = await startCustomerSession(plain.url, `http://127.0.0.2:${shop.port}`);
    after(() => customer.socket.disconnect());
    const res = await fetch(
      `${plain.url}${signer.sign(customer.sessionId, `http://127.0.0.2:${shop.port}/ok.png`)}`,
    );
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: string }).error, 'address_not_allowed');
  });

  it('cannot be set by the config file or TANDEM__ variables', () => {
    for (const input of [
      { 'http-proxy': { allowLoopbackOrigins: true } },
      { 'http-proxy': { testResolver: 'x=127.0.0.1' } },
      { 'http-proxy': { allowedTestAddresses: ['127.0.0.1'] } },
      readEnvOverrides({ TANDEM__HTTP_PROXY__ALLOW_LOOPBACK_ORIGINS: '127.0.0.1' }),
      readEnvOverrides({ TANDEM__HTTP_PROXY__TANDEM_TEST_ALLOW_LOOPBACK_ORIGINS: '1' }),
    ]) {
      const result = validateConfig(input);
      assert.equal(result.ok, false, JSON.stringify(input));
      assert.ok(!result.ok && result.errors.every((e) => e.message === 'unknown option'));
    }
  });
});
