import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, readEnvOverrides, validateConfig } from './load.ts';

describe('config', () => {
  it('has usable defaults for a single node', () => {
    const result = validateConfig({});
    assert.ok(result.ok);
    assert.equal(result.config.server.port, 8443);
    assert.equal(result.config.tls.enabled, true);
    assert.equal(result.config.tls.minVersion, 'TLSv1.2');
    assert.deepEqual(result.config['cross-origin'].allowedOrigins, []);
    assert.ok(Object.isFrozen(result.config.server));
  });

  const badFields: Array<[string, unknown, string]> = [
    ['server.port', { server: { port: 70000 } }, 'server.port'],
    ['server.port type', { server: { port: 'high' } }, 'server.port'],
    ['tls.minVersion', { tls: { minVersion: 'TLSv1.0' } }, 'tls.minVersion'],
    ['lone certFile', { tls: { certFile: '/x.pem' } }, 'tls.certFile'],
    ['session.codeLength', { session: { codeLength: 3 } }, 'session.codeLength'],
    ['unknown option', { server: { prot: 1 } }, 'server.prot'],
    ['unknown section', { serverz: {} }, 'serverz'],
    [
      'allowedOrigins item',
      { 'cross-origin': { allowedOrigins: [''] } },
      'cross-origin.allowedOrigins.0',
    ],
    ['log.level', { log: { level: 'loud' } }, 'log.level'],
    ['redis with neither url nor sentinel', { cluster: { redis: {} } }, 'cluster.redis.url'],
    ['redis url scheme', { cluster: { redis: { url: 'http://redis:6379' } } }, 'cluster.redis.url'],
    [
      'redis sentinel node',
      { cluster: { redis: { sentinel: { masterName: 'm', nodes: ['nohost'] } } } },
      'cluster.redis.sentinel.nodes.0',
    ],
    ['adapter mode', { cluster: { adapter: 'gossip' } }, 'cluster.adapter'],
    ['tls reload interval', { tls: { reloadIntervalSeconds: 0 } }, 'tls.reloadIntervalSeconds'],
  ];
  for (const [name, input, path] of badFields) {
    it(`names the bad field: ${name}`, () => {
      const result = validateConfig(input);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.ok(
        result.errors.some((e) => e.path === path),
        `expected an error at ${path}, got ${JSON.stringify(result.errors)}`,
      );
    });
  }

  it('reports every error, not just the first', () => {
    const result = validateConfig({ server: { port: -1, host: '' }, tls: { minVersion: 'x' } });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.errors.map((e) => e.path).sort(), [
      'server.host',
      'server.port',
      'tls.minVersion',
    ]);
  });

  it('maps environment variables onto the schema names', () => {
    const overrides = readEnvOverrides({
      TANDEM__SERVER__PORT: '9000',
      TANDEM__CROSS_ORIGIN__ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      TANDEM__TLS__ENABLED: 'false',
      UNRELATED: 'x',
    });
    assert.deepEqual(overrides, {
      server: { port: 9000 },
      'cross-origin': { allowedOrigins: ['https://a.example', 'https://b.example'] },
      tls: { enabled: false },
    });
  });

  it('keeps a string option as written, even when it looks like JSON', () => {
    const overrides = readEnvOverrides({
      TANDEM__AGENTS__SECRET: '12345678901234567890123456789012',
      TANDEM__LOG__LEVEL: 'debug',
    });
    assert.deepEqual(overrides, {
      agents: { secret: '12345678901234567890123456789012' },
      log: { level: 'debug' },
    });
  });

  it('layers file, then environment, over the defaults', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-config-'));
    const file = join(dir, 'tandem.yaml');
    await writeFile(file, 'server:\n  port: 9443\n  host: 127.0.0.1\nsession:\n  maxAgents: 2\n');
    const result = await loadConfig({ file, env: { TANDEM__SERVER__PORT: '9555' } });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.equal(result.config.server.port, 9555);
    assert.equal(result.config.server.host, '127.0.0.1');
    assert.equal(result.config.session.maxAgents, 2);
  });

  it('refuses a file that does not parse, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-config-'));
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'server: [unclosed\n');
    const result = await loadConfig({ file, env: {} });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.errors[0]?.path, file);
  });

  it('reports an unknown environment key by its path', async () => {
    const result = await loadConfig({ env: { TANDEM__SERVER__PROT: '1' } });
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.deepEqual(
        result.errors.map((e) => e.path),
        ['server.prot'],
      );
  });
});
