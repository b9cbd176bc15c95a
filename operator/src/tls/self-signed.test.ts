import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspectCertificate, issueSelfSigned, planSelfSigned, renewalTime } from './self-signed.ts';

const now = new Date('2030-01-01T00:00:00Z');
const day = 86_400_000;

test('issues a certificate for the host, valid the asked days', async () => {
  const issued = await issueSelfSigned('cobrowse.example.com', 90, now);
  const info = inspectCertificate(issued.certPem);
  assert.deepEqual(info?.dnsNames, ['cobrowse.example.com']);
  assert.equal(info?.notAfter.getTime(), now.getTime() + 90 * day);
  assert.equal(renewalTime(issued.certPem, 30)?.getTime(), now.getTime() + 60 * day);
});

test('plans: missing, unreadable, host changed, expiring, rotation requested, keep', async () => {
  const issued = await issueSelfSigned('cobrowse.example.com', 90, now);
  const current = { ...issued, rotation: '' };
  const opts = { host: 'cobrowse.example.com', renewBeforeDays: 30, rotation: '', now };
  assert.deepEqual(planSelfSigned(undefined, opts), { action: 'issue', reason: 'Missing' });
  assert.deepEqual(planSelfSigned({ ...current, certPem: 'junk' }, opts), {
    action: 'issue',
    reason: 'Unreadable',
  });
  assert.deepEqual(planSelfSigned(current, { ...opts, host: 'other.example.com' }), {
    action: 'issue',
    reason: 'HostChanged',
  });
  assert.deepEqual(planSelfSigned(current, { ...opts, now: new Date(now.getTime() + 61 * day) }), {
    action: 'issue',
    reason: 'Expiring',
  });
  assert.deepEqual(planSelfSigned(current, { ...opts, rotation: 'r1' }), {
    action: 'issue',
    reason: 'RotationRequested',
  });
  assert.deepEqual(planSelfSigned(current, { ...opts, now: new Date(now.getTime() + 59 * day) }), {
    action: 'keep',
  });
});
