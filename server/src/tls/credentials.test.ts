import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkPair, loadOrCreateSelfSigned, readCredentialFiles } from './credentials.ts';

describe('TLS credentials', () => {
  it('generates a self-signed certificate once and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-tls-'));
    const first = await loadOrCreateSelfSigned(dir, ['tandem.test']);
    const x509 = new X509Certificate(first.cert);
    assert.equal(x509.checkHost('localhost'), 'localhost');
    assert.equal(x509.checkHost('tandem.test'), 'tandem.test');
    assert.equal(x509.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal((await stat(join(dir, 'tls', 'self-signed.key'))).mode & 0o777, 0o600);
    const second = await loadOrCreateSelfSigned(dir, ['tandem.test']);
    assert.equal(second.cert, first.cert);
  });

  it('generates a new one when a configured name is not covered', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-tls-'));
    const first = await loadOrCreateSelfSigned(dir, []);
    const second = await loadOrCreateSelfSigned(dir, ['other.test']);
    assert.notEqual(second.cert, first.cert);
    assert.equal(new X509Certificate(second.cert).checkHost('other.test'), 'other.test');
  });

  it('renews a certificate close to its expiry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-tls-'));
    const first = await loadOrCreateSelfSigned(dir, []);
    const later = new Date(first.notAfter.getTime() - 5 * 86_400_000);
    const renewed = await loadOrCreateSelfSigned(dir, [], later);
    assert.notEqual(renewed.cert, first.cert);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const a = await loadOrCreateSelfSigned(await mkdtemp(join(tmpdir(), 'tandem-tls-')), []);
    const b = await loadOrCreateSelfSigned(await mkdtemp(join(tmpdir(), 'tandem-tls-')), []);
    const result = checkPair(a.cert, b.key);
    assert.equal(result.ok, false);
  });

  it('reports unreadable or malformed files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-tls-'));
    assert.equal(
      (await readCredentialFiles(join(dir, 'none.crt'), join(dir, 'none.key'))).ok,
      false,
    );
    await writeFile(join(dir, 'bad.crt'), 'not a certificate');
    await loadOrCreateSelfSigned(dir, []);
    await writeFile(
      join(dir, 'k.key'),
      await readFile(join(dir, 'tls', 'self-signed.key'), 'utf8'),
    );
    const result = await readCredentialFiles(join(dir, 'bad.crt'), join(dir, 'k.key'));
    assert.equal(result.ok, false);
  });
});
