/**
 * Parses a `CoBrowseCluster` read from the API server (`unknown`) into the typed, fully defaulted
 * form the builders take. The CRD schema already refused what is invalid; this applies the same
 * defaults again so that an object written before a default existed still parses, and reports a
 * missing identity field as a value, not a throw.
 */
import type {
  CoBrowseCluster,
  CoBrowseClusterSpec,
  CoBrowseClusterStatus,
  RedisSource,
  Resources,
  SecretKeyRef,
  TlsSource,
} from './types.ts';
import { presetForClass } from '../build/ingress-presets.ts';
import { checkSpec, type SpecIssue } from './check-spec.ts';

/** Who a resource is, when that much could be read: enough to report on it. */
export interface ClusterIdentity {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
}

export type ParseResult =
  | { ok: true; value: CoBrowseCluster }
  | {
      ok: false;
      /** Every issue, `path: message`, joined. */
      message: string;
      issues: SpecIssue[];
      /** Present when only the spec is at fault: status and an event can say so. */
      identity?: ClusterIdentity;
    };

type Obj = Record<string, unknown>;

const defaultImage = 'ghcr.io/tandem-dev/tandem:0.1.0';
const defaultRedisImage = 'redis:7.4-alpine';
/** Who may scrape the pods' metrics unless the spec says: Prometheus pods, in any namespace. */
const defaultScraper = {
  namespaceSelector: {},
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
};

function obj(value: unknown): Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : {};
}
function maybeObj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Obj)
    : undefined;
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}
function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}
function stringMap(value: unknown): Record<string, string> | undefined {
  const o = maybeObj(value);
  if (!o) return undefined;
  return Object.fromEntries(
    Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}
function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.find((a) => a === value) ?? fallback;
}
function secretRef(value: unknown): SecretKeyRef | undefined {
  const o = maybeObj(value);
  const name = str(o?.['name']);
  const key = str(o?.['key']);
  return name && key ? { name, key } : undefined;
}
function resources(value: unknown): Resources | undefined {
  const o = maybeObj(value);
  if (!o) return undefined;
  // Quantities may arrive as numbers (`cpu: 1`); Kubernetes' types want strings.
  const pick = (v: unknown): Record<string, string> | undefined => {
    const m = maybeObj(v);
    if (!m) return undefined;
    return Object.fromEntries(
      Object.entries(m)
        .filter(([, q]) => typeof q === 'string' || typeof q === 'number')
        .map(([k, q]) => [k, String(q)]),
    );
  };
  const out: Resources = {};
  const limits = pick(o['limits']);
  const requests = pick(o['requests']);
  if (limits) out.limits = limits;
  if (requests) out.requests = requests;
  return out;
}
function defined<T extends Obj>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function parseTls(value: unknown): TlsSource {
  const tls = obj(value);
  const cm = maybeObj(tls['certManager']);
  if (cm) {
    const ref = obj(cm['issuerRef']);
    return defined({
      kind: 'certManager' as const,
      issuerRef: {
        name: str(ref['name']) ?? '',
        kind: oneOf(ref['kind'], ['Issuer', 'ClusterIssuer'] as const, 'Issuer'),
        group: str(ref['group']) ?? 'cert-manager.io',
      },
      duration: str(cm['duration']),
      renewBefore: str(cm['renewBefore']),
    });
  }
  const existing = maybeObj(tls['existingSecret']);
  if (existing) return { kind: 'existingSecret', name: str(existing['name']) ?? '' };
  const self = obj(tls['selfSigned']);
  return {
    kind: 'selfSigned',
    validityDays: num(self['validityDays']) ?? 90,
    renewBeforeDays: num(self['renewBeforeDays']) ?? 30,
  };
}

function parseRedis(value: unknown): CoBrowseClusterSpec['redis'] {
  const redis = obj(value);
  const adapter = oneOf(redis['adapter'], ['classic', 'sharded'] as const, 'sharded');
  const external = maybeObj(redis['external']);
  const url = secretRef(external?.['urlSecretRef']);
  let source: RedisSource;
  if (external && url) {
    source = defined({
      kind: 'external' as const,
      urlSecretRef: url,
      passwordSecretRef: secretRef(external['passwordSecretRef']),
    });
  } else {
    const managed = obj(redis['managed']);
    source = defined({
      kind: 'managed' as const,
      image: str(managed['image']) ?? defaultRedisImage,
      storage: str(managed['storage']) ?? '1Gi',
      storageClassName: str(managed['storageClassName']),
      volumeReclaimPolicy: oneOf(
        managed['volumeReclaimPolicy'],
        ['Delete', 'Retain'] as const,
        'Delete',
      ),
      resources: resources(managed['resources']) ?? { requests: { cpu: '50m', memory: '64Mi' } },
    });
  }
  return { adapter, source };
}

/** Parses the spec; unknown or ill-typed fields fall back to their CRD defaults. */
export function parseSpec(value: unknown): CoBrowseClusterSpec {
  const spec = obj(value);
  const ingress = obj(spec['ingress']);
  const placement = obj(spec['placement']);
  const fp = maybeObj(spec['forwardProxy']);
  const dom = obj(spec['domRestrictions']);
  const agents = obj(spec['agents']);
  const gateway = maybeObj(spec['gateway']);
  return defined({
    replicas: num(spec['replicas']) ?? 2,
    image: str(spec['image']) ?? defaultImage,
    imagePullPolicy: oneOf(
      spec['imagePullPolicy'],
      ['Always', 'IfNotPresent', 'Never'] as const,
      'IfNotPresent',
    ),
    host: str(spec['host']) ?? '',
    logLevel: oneOf(
      spec['logLevel'],
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    tls: parseTls(spec['tls']),
    redis: parseRedis(spec['redis']),
    crossOrigin: { allowedOrigins: strings(obj(spec['crossOrigin'])['allowedOrigins']) ?? [] },
    httpProxy: {
      allowedExternalDomains: strings(obj(spec['httpProxy'])['allowedExternalDomains']) ?? [],
    },
    httpSecurity: defined({ disableCaching: bool(obj(spec['httpSecurity'])['disableCaching']) }),
    forwardProxy:
      fp && str(fp['url'])
        ? defined({
            url: str(fp['url']) ?? '',
            username: str(fp['username']),
            passwordSecretRef: secretRef(fp['passwordSecretRef']),
            noProxy: strings(fp['noProxy']) ?? [],
          })
        : undefined,
    domRestrictions: defined({
      mask: strings(dom['mask']),
      hide: strings(dom['hide']),
      readOnly: strings(dom['readOnly']),
      maskMode:
        dom['maskMode'] === undefined
          ? undefined
          : oneOf(dom['maskMode'], ['length', 'fixed'] as const, 'length'),
      fixedMaskLength: num(dom['fixedMaskLength']),
    }),
    agents: defined({
      jwksUrl: str(agents['jwksUrl']),
      secretRef: secretRef(agents['secretRef']),
      issuer: str(agents['issuer']),
      audience: str(agents['audience']),
    }),
    gateway:
      gateway && str(gateway['name'])
        ? defined({
            name: str(gateway['name']) ?? '',
            namespace: str(gateway['namespace']),
            sectionName: str(gateway['sectionName']),
            sessionPersistence: bool(gateway['sessionPersistence']) ?? false,
          })
        : undefined,
    ingress: defined({
      enabled: bool(ingress['enabled']) ?? true,
      className: str(ingress['className']),
      preset: oneOf(
        ingress['preset'],
        ['traefik', 'nginx-inc', 'haproxy', 'ingress-nginx'] as const,
        presetForClass(str(ingress['className'])),
      ),
      stickySessions: bool(ingress['stickySessions']) ?? true,
      annotations: stringMap(ingress['annotations']) ?? {},
    }),
    // Requests by default, so that an HPA on CPU utilization has a base to divide by.
    resources: resources(spec['resources']) ?? { requests: { cpu: '100m', memory: '128Mi' } },
    metrics: {
      allowFrom: Array.isArray(obj(spec['metrics'])['allowFrom'])
        ? (obj(spec['metrics'])['allowFrom'] as unknown[]).map(obj)
        : [defaultScraper],
    },
    placement: defined({
      nodeSelector: stringMap(placement['nodeSelector']),
      tolerations: Array.isArray(placement['tolerations'])
        ? placement['tolerations'].map(obj)
        : undefined,
      affinity: maybeObj(placement['affinity']),
      priorityClassName: str(placement['priorityClassName']),
    }),
  });
}

/** Parses a status as read (conditions, counts, certificate). */
export function parseStatus(value: unknown): CoBrowseClusterStatus {
  const status = obj(value);
  const cert = maybeObj(status['certificate']);
  const conditions = Array.isArray(status['conditions']) ? status['conditions'] : undefined;
  return defined({
    observedGeneration: num(status['observedGeneration']),
    replicas: num(status['replicas']),
    readyReplicas: num(status['readyReplicas']),
    selector: str(status['selector']),
    endpoint: str(status['endpoint']),
    snippet: str(status['snippet']),
    certificate: cert
      ? defined({
          secretName: str(cert['secretName']),
          notAfter: str(cert['notAfter']),
          rotation: str(cert['rotation']),
        })
      : undefined,
    conditions: conditions?.map((c) => {
      const o = obj(c);
      return defined({
        type: oneOf(o['type'], ['Ready', 'Progressing', 'Degraded'] as const, 'Ready'),
        status: oneOf(o['status'], ['True', 'False', 'Unknown'] as const, 'Unknown'),
        reason: str(o['reason']) ?? '',
        message: str(o['message']) ?? '',
        observedGeneration: num(o['observedGeneration']),
        lastTransitionTime: str(o['lastTransitionTime']) ?? '',
      });
    }),
  });
}

/**
 * Parses a whole resource. Fails when its identity (name, namespace, uid) is missing, or when the
 * spec has issues the CRD schema cannot catch (checkSpec), each with its field path.
 */
export function parseCoBrowseCluster(value: unknown): ParseResult {
  const root = obj(value);
  const meta = obj(root['metadata']);
  const name = str(meta['name']);
  const namespace = str(meta['namespace']);
  const uid = str(meta['uid']);
  if (!name || !namespace || !uid) {
    const issue = { path: 'metadata', message: 'name, namespace and uid are required' };
    return { ok: false, message: `${issue.path}: ${issue.message}`, issues: [issue] };
  }
  const generation = num(meta['generation']) ?? 0;
  const issues = checkSpec(root['spec']);
  if (issues.length > 0) {
    return {
      ok: false,
      message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      issues,
      identity: { name, namespace, uid, generation },
    };
  }
  return {
    ok: true,
    value: {
      metadata: {
        name,
        namespace,
        uid,
        generation,
        annotations: stringMap(meta['annotations']) ?? {},
      },
      spec: parseSpec(root['spec']),
      status: parseStatus(root['status']),
    },
  };
}
