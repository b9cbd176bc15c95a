import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackClient, type ClientFacts } from './loopback-client.ts';

describe('the development sign-in: loopback clients only', () => {
  const cases: Array<[string, ClientFacts, boolean]> = [
    ['IPv4 loopback', { remoteAddress: '127.0.0.1', trustProxy: false }, true],
    ['anywhere in 127/8', { remoteAddress: '127.0.0.2', trustProxy: false }, true],
    ['IPv6 loopback', { remoteAddress: '::1', trustProxy: false }, true],
    ['IPv4-mapped loopback', { remoteAddress: '::ffff:127.0.0.1', trustProxy: false }, true],
    ['a LAN address', { remoteAddress: '192.168.1.20', trustProxy: false }, false],
    ['IPv4-mapped LAN', { remoteAddress: '::ffff:10.0.0.5', trustProxy: false }, false],
    ['a public IPv6', { remoteAddress: '2001:db8::1', trustProxy: false }, false],
    ['no address (closed socket)', { remoteAddress: undefined, trustProxy: false }, false],
    ['not an address', { remoteAddress: 'localhost', trustProxy: false }, false],
    [
      'a forged X-Forwarded-For, proxy not trusted',
      { remoteAddress: '203.0.113.9', forwardedFor: '127.0.0.1', trustProxy: false },
      false,
    ],
    [
      'a trusted proxy that saw a remote client',
      { remoteAddress: '10.0.0.2', forwardedFor: '203.0.113.9', trustProxy: true },
      false,
    ],
    [
      'a trusted proxy: the client wrote 127.0.0.1 first, the proxy appended what it saw',
      { remoteAddress: '10.0.0.2', forwardedFor: '127.0.0.1, 203.0.113.9', trustProxy: true },
      false,
    ],
    [
      'a trusted proxy on this machine, for a client on this machine',
      { remoteAddress: '127.0.0.1', forwardedFor: '127.0.0.1', trustProxy: true },
      true,
    ],
    [
      'a trusted proxy, no header: the peer',
      { remoteAddress: '127.0.0.1', trustProxy: true },
      true,
    ],
  ];
  for (const [name, facts, allowed] of cases)
    it(`${allowed ? 'allows' : 'refuses'} ${name}`, () =>
      assert.equal(isLoopbackClient(facts), allowed));
});
