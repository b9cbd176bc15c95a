import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPublicAddress, parseIPv6 } from './address-policy.ts';

/** Host spellings as they appear in URLs; the WHATWG parser canonicalises them first. */
const refusedHosts = [
  '127.0.0.1',
  '127.1',
  '0x7f.0.0.1',
  '0x7f000001',
  '2130706433',
  '017700000001',
  '0177.0.0.1',
  '0',
  '0.0.0.0',
  '10.0.0.1',
  '10.255.255.255',
  '172.16.0.1',
  '172.31.255.255',
  '192.168.1.1',
  '169.254.169.254',
  '0xa9fea9fe',
  '100.64.0.1',
  '100.100.100.200',
  '224.0.0.1',
  '239.255.255.250',
  '255.255.255.255',
  '240.0.0.1',
  '198.18.0.1',
  '192.0.0.170',
  '168.63.129.16',
  '[::1]',
  '[::]',
  '[0:0:0:0:0:0:0:1]',
  '[::ffff:127.0.0.1]',
  '[::ffff:7f00:1]',
  '[::ffff:10.0.0.1]',
  '[::ffff:169.254.169.254]',
  '[::127.0.0.1]',
  '[64:ff9b::a00:1]',
  '[2002:7f00:1::]',
  '[2002:c0a8:101::1]',
  '[fc00::1]',
  '[fd00:ec2::254]',
  '[fe80::1]',
  '[fec0::1]',
  '[ff02::1]',
  '[2001:db8::1]',
  '[2001::1]',
  '[100::1]',
];

const publicHosts = [
  '93.184.216.34',
  '8.8.8.8',
  '172.32.0.1',
  '[2606:4700::1111]',
  '[::ffff:8.8.8.8]',
];

describe('isPublicAddress', () => {
  for (const host of refusedHosts) {
    it(`refuses ${host}`, () => {
      const canonical = new URL(`http://${host}/`).hostname.replace(/^\[|\]$/g, '');
      assert.equal(isPublicAddress(canonical), false, canonical);
    });
  }
  for (const host of publicHosts) {
    it(`allows ${host}`, () => {
      assert.equal(
        isPublicAddress(new URL(`http://${host}/`).hostname.replace(/^\[|\]$/g, '')),
        true,
      );
    });
  }
  it('refuses what is not an IP literal at all', () => {
    for (const value of ['localhost', 'example.com', '', '1.2.3', '::g']) {
      assert.equal(isPublicAddress(value), false, value);
    }
  });
  it('lets tests widen the policy to named loopback addresses only', () => {
    const allowed = new Set(['127.0.0.2']);
    assert.equal(isPublicAddress('127.0.0.2', { allowedTestAddresses: allowed }), true);
    assert.equal(isPublicAddress('127.0.0.1', { allowedTestAddresses: allowed }), false);
    assert.equal(isPublicAddress('::ffff:127.0.0.2', { allowedTestAddresses: allowed }), false);
  });
  it('parses IPv6 with an embedded dotted quad', () => {
    assert.deepEqual(parseIPv6('::ffff:1.2.3.4')?.slice(10), [0xff, 0xff, 1, 2, 3, 4]);
  });
});
