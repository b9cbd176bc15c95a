/**
 * The node's page pipeline: sanitize first (nothing active), then the DOM restrictions (mask what
 * slipped through), then rewrite resource URLs (through the proxy). Refusals are counted and
 * logged here.
 *
 * One test-only switch, never a config option (the schema has no such key):
 * `TANDEM_TEST_UNSAFE_RAW_PAGES=1` in the node's environment leaves the sanitize and URL-rewriting
 * steps out (the DOM restrictions stay), so that a browser test can show that the agent frame's
 * sandbox and CSP hold on their own. The node logs a warning at start when it is set.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../observability/logger.ts';
import type { ResourceSigner } from '../proxy/signing.ts';
import { PagePipeline } from './pipeline.ts';
import { RestrictionsStep, type RestrictionsConfig } from './restrictions.ts';
import { createRewriteUrlsStep } from './rewrite-urls.ts';
import { SanitizeStep } from './sanitize.ts';

export const UNSAFE_RAW_PAGES_ENV = 'TANDEM_TEST_UNSAFE_RAW_PAGES';

export interface PagePipelineDeps {
  signer: ResourceSigner;
  registry: Registry;
  log: Logger;
  env: NodeJS.ProcessEnv;
}

export interface NodePagePipeline {
  /** Every step; `forget` frees what each keeps of a session (on its end, on any node). */
  pipeline: PagePipeline;
  /** The restrictions step, which control asks about read-only and masked nodes. */
  restrictions: RestrictionsStep;
}

export function setUpPagePipeline(
  config: RestrictionsConfig,
  { signer, registry, log, env }: PagePipelineDeps,
): NodePagePipeline {
  const refused = new Counter({
    name: 'tandem_page_ops_refused_total',
    help: 'Page operations refused outright by the sanitizer, by reason (owned_attribute: it would change an attribute the agent console owns)',
    labelNames: ['reason'],
    registers: [registry],
  });
  const evicted = new Counter({
    name: 'tandem_page_copies_evicted_total',
    help: 'Sessions whose per-node page state a step dropped to stay within its bound (the next batch asks for a snapshot), by step',
    labelNames: ['step'],
    registers: [registry],
  });
  const onEvict = (step: string) => () => evicted.inc({ step });
  const counted: Array<{ name: string; sessionCount: number }> = [];
  new Gauge({
    name: 'tandem_page_copies',
    help: 'Sessions whose page state this node keeps, by pipeline step (a bounded cache, freed when a session ends on any node)',
    labelNames: ['step'],
    registers: [registry],
    collect() {
      for (const step of counted) this.set({ step: step.name }, step.sessionCount);
    },
  });
  const restrictions = new RestrictionsStep(config, { onEvict: onEvict('restrictions') });
  counted.push(restrictions);
  if (env[UNSAFE_RAW_PAGES_ENV] === '1') {
    log.warn(
      { env: UNSAFE_RAW_PAGES_ENV },
      'TEST ONLY: pages are relayed unsanitized and unrewritten',
    );
    return { pipeline: new PagePipeline([restrictions]), restrictions };
  }
  const sanitize = new SanitizeStep({
    cache: { onEvict: onEvict('sanitize') },
    onRefused: ({ sessionId, reason, op, name }) => {
      refused.inc({ reason });
      log.warn({ session: sessionId, reason, op, name }, 'page operation refused');
    },
  });
  const rewrite = createRewriteUrlsStep(signer, { onEvict: onEvict('rewriteUrls') });
  counted.push(sanitize, rewrite);
  return {
    pipeline: new PagePipeline([sanitize, restrictions, rewrite]),
    restrictions,
  };
}
