/**
 * The setup most browser tests share: one real node (or a cluster) and one Chromium for the
 * tests of a `describe`, started before them and stopped after. Call it inside the `describe`.
 */
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { startCluster, type RunningCluster } from '../../support/cluster.ts';
import { startServer, type RunningServer } from '../../support/server.ts';
import { launchChromium } from './browser.ts';

export interface NodeAndBrowser {
  readonly server: RunningServer;
  readonly browser: Browser;
}

/** `config` overrides the test node's config (see test/support/server.ts). */
export function useNodeAndBrowser(config: Record<string, unknown> = {}): NodeAndBrowser {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    server = await startServer(config);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('the node is not started yet: use it inside a test');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('Chromium is not started yet: use it inside a test');
      return browser;
    },
  };
}

export interface ClusterAndBrowser {
  readonly cluster: RunningCluster;
  readonly browser: Browser;
}

/** The same for a cluster: `nodes` real nodes, Redis and the balancer, and one Chromium. */
export function useClusterAndBrowser(nodes: number): ClusterAndBrowser {
  let cluster: RunningCluster | undefined;
  let browser: Browser | undefined;
  before(async () => {
    cluster = await startCluster(nodes);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await cluster?.stop();
  });
  return {
    get cluster() {
      if (!cluster) throw new Error('the cluster is not started yet: use it inside a test');
      return cluster;
    },
    get browser() {
      if (!browser) throw new Error('Chromium is not started yet: use it inside a test');
      return browser;
    },
  };
}
