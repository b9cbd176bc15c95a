// Builds the server (one ESM file for Node), the snippet (`/tandem.js`) and the agent console,
// and copies the static pages. Output: server/dist/.
import { build } from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';

const dist = new URL('./dist/', import.meta.url).pathname;
const web = new URL('./web/', import.meta.url).pathname;
const production = process.env.NODE_ENV !== 'development';

await rm(dist, { recursive: true, force: true });
await mkdir(`${dist}web`, { recursive: true });

const browser = {
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: production,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
};

await Promise.all([
  build({
    entryPoints: [new URL('./src/main.ts', import.meta.url).pathname],
    outfile: `${dist}main.js`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  }),
  build({
    entryPoints: [new URL('./src/cli/tandem.ts', import.meta.url).pathname],
    outfile: `${dist}cli/tandem.js`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  }),
  build({ ...browser, entryPoints: [`${web}snippet/index.ts`], outfile: `${dist}web/tandem.js` }),
  build({
    ...browser,
    entryPoints: [`${web}agent/index.ts`],
    outfile: `${dist}web/agent/agent.js`,
    // The console's test-only policy switch is off for good in what ships (agent/policy.ts).
    define: { TANDEM_TEST_UNSAFE_NO_CONSOLE_POLICY: 'false' },
  }),
  build({
    ...browser,
    entryPoints: [`${web}agent/login.ts`],
    outfile: `${dist}web/agent/login.js`,
  }),
]);

// Static files: the agent console's HTML and CSS, and the demo site.
await cp(`${web}agent`, `${dist}web/agent`, {
  recursive: true,
  filter: (src) => !src.endsWith('.ts'),
});
await cp(`${web}demo`, `${dist}web/demo`, { recursive: true });
