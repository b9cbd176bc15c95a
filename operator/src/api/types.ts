/**
 * The `CoBrowseCluster` resource as the operator uses it: every default resolved (the CRD's
 * schema defaults them on the API server; parse.ts applies the same defaults so that a builder
 * test can start from a literal).
 */

export interface SecretKeyRef {
  name: string;
  key: string;
}

/** Kubernetes resource requirements (`limits`/`requests` of quantities). */
export interface Resources {
  limits?: Record<string, string>;
  requests?: Record<string, string>;
}

export type TlsSource =
  | {
      kind: 'certManager';
      issuerRef: { name: string; kind: 'Issuer' | 'ClusterIssuer'; group: string };
      duration?: string;
      renewBefore?: string;
    }
  | { kind: 'existingSecret'; name: string }
  | { kind: 'selfSigned'; validityDays: number; renewBeforeDays: number };

export type RedisSource =
  | {
      kind: 'managed';
      image: string;
      storage: string;
      storageClassName?: string;
      /** What happens to the volume when the Redis goes (resource deleted, or external Redis). */
      volumeReclaimPolicy: 'Delete' | 'Retain';
      resources?: Resources;
    }
  | { kind: 'external'; urlSecretRef: SecretKeyRef; passwordSecretRef?: SecretKeyRef };

/** Ingress controllers the operator writes annotations for. */
export type IngressPreset = 'traefik' | 'nginx-inc' | 'haproxy' | 'ingress-nginx';

export interface CoBrowseClusterSpec {
  replicas: number;
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  tls: TlsSource;
  redis: { adapter: 'classic' | 'sharded'; source: RedisSource };
  crossOrigin: { allowedOrigins: string[] };
  httpProxy: { allowedExternalDomains: string[] };
  httpSecurity: { disableCaching?: boolean };
  forwardProxy?: {
    url: string;
    username?: string;
    passwordSecretRef?: SecretKeyRef;
    noProxy: string[];
  };
  domRestrictions: {
    mask?: string[];
    hide?: string[];
    readOnly?: string[];
    maskMode?: 'length' | 'fixed';
    fixedMaskLength?: number;
  };
  agents: { jwksUrl?: string; secretRef?: SecretKeyRef; issuer?: string; audience?: string };
  /** Gateway API: an HTTPRoute attached to this Gateway (and a BackendTLSPolicy). */
  gateway?: { name: string; namespace?: string; sectionName?: string; sessionPersistence: boolean };
  ingress: {
    enabled: boolean;
    className?: string;
    /** Whose annotations the Ingress gets (resolved from the class when the spec names none). */
    preset: IngressPreset;
    stickySessions: boolean;
    annotations: Record<string, string>;
  };
  resources?: Resources;
  /** NetworkPolicy peers (podSelector, namespaceSelector, ipBlock) that may scrape the metrics. */
  metrics: { allowFrom: Record<string, unknown>[] };
  placement: {
    nodeSelector?: Record<string, string>;
    tolerations?: Record<string, unknown>[];
    affinity?: Record<string, unknown>;
    priorityClassName?: string;
  };
}

export interface Condition {
  type: 'Ready' | 'Progressing' | 'Degraded';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export interface CoBrowseClusterStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  selector?: string;
  endpoint?: string;
  snippet?: string;
  certificate?: { secretName?: string; notAfter?: string; rotation?: string };
  conditions?: Condition[];
}

/** The identity fields every builder needs (owner references, names, namespace). */
export interface ClusterMeta {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  annotations: Record<string, string>;
}

export interface CoBrowseCluster {
  metadata: ClusterMeta;
  spec: CoBrowseClusterSpec;
  status: CoBrowseClusterStatus;
}
