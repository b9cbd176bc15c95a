import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSchema } from '../config/schema.ts';
import { consoleOrigins } from './console-origins.ts';

const config = (input: Record<string, unknown>) => configSchema.parse(input);

describe('consoleOrigins', () => {
  it('is the listener’s own names by default, with its port', () => {
    assert.deepEqual(consoleOrigins(config({}), 8443), [
      'https://localhost:8443',
      'https://127.0.0.1:8443',
      'https://[::1]:8443',
    ]);
    assert.deepEqual(
      consoleOrigins(config({ tls: { enabled: false, hostnames: ['Tandem.Test'] } }), 80),
      ['http://localhost', 'http://127.0.0.1', 'http://[::1]', 'http://tandem.test'],
    );
    assert.ok(
      consoleOrigins(config({ server: { host: '10.1.2.3' } }), 8443).includes(
        'https://10.1.2.3:8443',
      ),
    );
  });

  it('is the configured public origin alone when there is one', () => {
    const cfg = config({ server: { publicOrigin: 'https://tandem.example.com' } });
    assert.deepEqual(consoleOrigins(cfg, 8443), ['https://tandem.example.com']);
  });

  it('refuses a public origin that is not an origin', () => {
    for (const publicOrigin of [
      'tandem.example.com',
      'https://tandem.example.com/agent/',
      'ftp://x.test',
    ])
      assert.equal(
        configSchema.safeParse({ server: { publicOrigin } }).success,
        false,
        publicOrigin,
      );
  });
});
