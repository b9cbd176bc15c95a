/**
 * One reconcile of one `CoBrowseCluster`: gather → build desired (pure) → apply → status.
 * Errors are reported in status and events, then thrown back to the queue, which retries with
 * backoff.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseCoBrowseCluster, type ClusterIdentity } from '../api/parse.ts';
import type { CoBrowseCluster, CoBrowseClusterStatus } from '../api/types.ts';
import { objectNames } from '../build/common.ts';
import { buildDesiredObjects } from '../build/desired.ts';
import type { IssuedCertificate, RandomSource } from '../build/secrets.ts';
import type { Logger } from '../log.ts';
import { planSelfSigned, renewalTime } from '../tls/self-signed.ts';
import type { KubeClient } from './client.ts';
import { gather, type Observed } from './gather.ts';
import { needsReissue, withIssuingCondition } from './reissue.ts';
import { kindOf } from '../checks/findings.ts';
import { pruneUnwanted } from './prune.ts';
import { checkInputs } from '../checks/run.ts';
import { invalidSpecConditions, parseStatusOf, transitionEvents } from './events.ts';
import { computeStatus, readyOf, requestedRotation, sameJson, type StatusInput } from './status.ts';

export interface ReconcileDeps {
  client: KubeClient;
  log: Logger;
  now: () => Date;
  random: RandomSource;
  issueCertificate: (
    host: string,
    validityDays: number,
    now: Date,
  ) => Promise<{ certPem: string; keyPem: string }>;
  /** Called after each object is applied; tests use it to stop an operator mid-reconcile. */
  afterApply?: (object: KubernetesObject) => Promise<void>;
  /** Counts status writes. */
  onStatusWrite?: () => void;
  /**
   * What was last pruned for, per resource uid: pruning lists every owned kind, so it runs once
   * per generation and desired set, not on every resync (leftovers only appear when those change).
   */
  prunedFor?: Map<string, string>;
}

export interface ReconcileOutcome {
  /** Look again after this long even without an event (certificate renewal). */
  requeueAfterMs?: number;
}

/** Longest wait before a self-signed certificate's renewal is checked again. */
const maxRequeueMs = 12 * 3600_000;
/**
 * A cluster that is not Ready is looked at again this soon: Secrets and pods are not watched,
 * so a Secret the admin just created, or a pod's new reason, is seen within this time.
 */
const notReadyRequeueMs = 10_000;

export async function reconcile(
  deps: ReconcileDeps,
  namespace: string,
  name: string,
): Promise<ReconcileOutcome> {
  const raw = await deps.client.getCluster(namespace, name);
  // Deleted: owner references let the garbage collector remove everything it owned.
  if (raw === undefined) return {};
  const parsed = parseCoBrowseCluster(raw);
  if (!parsed.ok) {
    deps.log.warn(
      { namespace, name, reason: parsed.message },
      'cannot build from this CoBrowseCluster',
    );
    if (parsed.identity) await reportInvalidSpec(deps, raw, parsed.identity, parsed.message);
    return { requeueAfterMs: notReadyRequeueMs };
  }
  const cluster = parsed.value;
  const observed = await gather(deps.client, cluster);
  const findings = checkInputs(cluster, observed);
  let rotation = cluster.status.certificate?.rotation ?? '';
  const blocking = findings.filter((f) => kindOf(f.reason) === 'blocking');
  if (blocking.length > 0) {
    // Nothing new reaches a pod while an input is wrong; what runs keeps running.
    deps.log.warn(
      { namespace, name, reasons: blocking.map((f) => f.reason), message: blocking[0]?.message },
      'not applying: the resource has blocking problems',
    );
    await writeStatus(deps, cluster, {
      observed,
      rotation,
      error: undefined,
      findings,
      now: deps.now(),
    });
    return { requeueAfterMs: notReadyRequeueMs };
  }
  try {
    const selfSigned = await resolveSelfSigned(deps, cluster, observed);
    if (selfSigned) rotation = selfSigned.rotation;
    const desired = buildDesiredObjects(cluster, {
      keys: observed.keys,
      selfSigned,
      random: deps.random,
      certPem: observed.tls?.certPem,
    });
    for (const object of desired) {
      await deps.client.apply(object);
      await deps.afterApply?.(object);
    }
    const pruned = await pruneOnce(deps, cluster, desired);
    if (pruned.length > 0) {
      deps.log.info(
        { namespace, name, deleted: pruned },
        'deleted what the spec no longer asks for',
      );
      await deps.client
        .recordEvent({
          ...eventTarget(cluster),
          type: 'Normal',
          reason: 'Pruned',
          message: `deleted what the spec no longer asks for: ${pruned.join(', ')}`,
        })
        .catch(() => undefined);
    }
    if (cluster.spec.tls.kind === 'certManager')
      rotation = await reissueIfAsked(deps, cluster, observed, rotation);
    else if (cluster.spec.tls.kind === 'existingSecret') rotation = requestedRotation(cluster);
    // Rollout facts were read before the apply; the Deployment watch brings the next ones.
    const status = await writeStatus(deps, cluster, {
      observed,
      rotation,
      error: undefined,
      findings,
      now: deps.now(),
    });
    if (readyOf(status) !== 'True') return { requeueAfterMs: notReadyRequeueMs };
  } catch (error) {
    const message = error instanceof Error ? error.message.slice(0, 1000) : String(error);
    await deps.client
      .recordEvent({ ...eventTarget(cluster), type: 'Warning', reason: 'ReconcileFailed', message })
      .catch(() => undefined);
    await writeStatus(deps, cluster, {
      observed,
      rotation,
      error: message,
      findings,
      now: deps.now(),
    }).catch(() => undefined);
    throw error;
  }
  return requeueFor(cluster, observed, deps.now());
}

/** Prunes unless this generation and desired set were pruned for already. */
async function pruneOnce(
  deps: ReconcileDeps,
  cluster: CoBrowseCluster,
  desired: readonly KubernetesObject[],
): Promise<string[]> {
  const signature = [
    cluster.metadata.generation,
    ...desired.map((o) => `${o.kind}/${o.metadata?.name}`),
  ].join(',');
  if (deps.prunedFor?.get(cluster.metadata.uid) === signature) return [];
  const pruned = await pruneUnwanted(deps.client, cluster, desired);
  deps.prunedFor?.set(cluster.metadata.uid, signature);
  return pruned;
}

function eventTarget(cluster: CoBrowseCluster) {
  return {
    namespace: cluster.metadata.namespace,
    name: cluster.metadata.name,
    uid: cluster.metadata.uid,
  };
}

/** Self-signed mode: keeps the current certificate, or issues one when it must. */
async function resolveSelfSigned(
  deps: ReconcileDeps,
  cluster: CoBrowseCluster,
  observed: Observed,
): Promise<IssuedCertificate | undefined> {
  const tls = cluster.spec.tls;
  if (tls.kind !== 'selfSigned') return undefined;
  const now = deps.now();
  const rotation = requestedRotation(cluster);
  const plan = planSelfSigned(observed.tls, {
    host: cluster.spec.host,
    renewBeforeDays: tls.renewBeforeDays,
    rotation,
    now,
  });
  if (plan.action === 'keep' && observed.tls) return observed.tls;
  const issued = await deps.issueCertificate(cluster.spec.host, tls.validityDays, now);
  const reason = plan.action === 'issue' ? plan.reason : 'Missing';
  deps.log.info(
    { namespace: cluster.metadata.namespace, name: cluster.metadata.name, reason },
    'issued a self-signed certificate',
  );
  await deps.client
    .recordEvent({
      ...eventTarget(cluster),
      type: 'Normal',
      reason: 'CertificateIssued',
      message: `issued a self-signed certificate for ${cluster.spec.host} (${reason})`,
    })
    .catch(() => undefined);
  // observed.tls now describes the new certificate, for status.
  observed.tls = { ...issued, rotation };
  return { ...issued, rotation };
}

/** cert-manager mode: sets `Issuing` on the Certificate once per rotation request. */
async function reissueIfAsked(
  deps: ReconcileDeps,
  cluster: CoBrowseCluster,
  observed: Observed,
  handled: string,
): Promise<string> {
  const requested = requestedRotation(cluster);
  if (!needsReissue(requested, handled)) return handled;
  const name = objectNames(cluster).certificate;
  const message = `re-issue requested through the rotate-certificate annotation (${requested})`;
  await deps.client.patchCertificateStatus(cluster.metadata.namespace, name, {
    conditions: withIssuingCondition(
      observed.certificateConditions ?? [],
      message,
      deps.now(),
      undefined,
    ),
  });
  deps.log.info(
    { namespace: cluster.metadata.namespace, name: cluster.metadata.name, rotation: requested },
    'asked cert-manager to re-issue',
  );
  await deps.client
    .recordEvent({
      ...eventTarget(cluster),
      type: 'Normal',
      reason: 'CertificateReissueRequested',
      message,
    })
    .catch(() => undefined);
  return requested;
}

/** Writes status when it changed, with an event for each condition that now needs an admin. */
async function writeStatus(
  deps: ReconcileDeps,
  cluster: CoBrowseCluster,
  input: StatusInput,
): Promise<CoBrowseClusterStatus> {
  const next = computeStatus(cluster, input);
  if (sameJson(next, cluster.status)) return next;
  await deps.client.patchClusterStatus(cluster.metadata.namespace, cluster.metadata.name, next);
  deps.onStatusWrite?.();
  for (const event of transitionEvents(cluster.status.conditions ?? [], next.conditions ?? [])) {
    await deps.client.recordEvent({ ...eventTarget(cluster), ...event }).catch(() => undefined);
  }
  return next;
}

/** A resource the operator cannot build from: Ready=False and Degraded=True, naming the field. */
async function reportInvalidSpec(
  deps: ReconcileDeps,
  raw: unknown,
  identity: ClusterIdentity,
  message: string,
): Promise<void> {
  const current = parseStatusOf(raw);
  const conditions = invalidSpecConditions(
    current.conditions,
    identity.generation,
    message,
    deps.now(),
  );
  if (sameJson(conditions, current.conditions)) return;
  await deps.client.patchClusterStatus(identity.namespace, identity.name, {
    observedGeneration: identity.generation,
    conditions,
  });
  deps.onStatusWrite?.();
  const target = { namespace: identity.namespace, name: identity.name, uid: identity.uid };
  for (const event of transitionEvents(current.conditions ?? [], conditions)) {
    await deps.client.recordEvent({ ...target, ...event }).catch(() => undefined);
  }
}

function requeueFor(cluster: CoBrowseCluster, observed: Observed, now: Date): ReconcileOutcome {
  const tls = cluster.spec.tls;
  if (tls.kind !== 'selfSigned' || !observed.tls) return {};
  const renewAt = renewalTime(observed.tls.certPem, tls.renewBeforeDays);
  if (!renewAt) return {};
  return {
    requeueAfterMs: Math.min(maxRequeueMs, Math.max(1000, renewAt.getTime() - now.getTime())),
  };
}
