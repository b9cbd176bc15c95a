/** Names shared by the CRD, the builders and the controller. */

/** API group of the project's own resources. */
export const group = 'tandem.dev';
export const version = 'v1alpha1';
export const apiVersion = `${group}/${version}`;
export const kind = 'CoBrowseCluster';
export const plural = 'cobrowseclusters';

/** The one field manager every server-side apply of the operator uses. */
export const fieldManager = 'tandem-operator';

/** `kubectl annotate cbc/NAME tandem.dev/rotate-certificate=<new value>` re-issues the certificate. */
export const rotateCertificateAnnotation = `${group}/rotate-certificate`;
/** Pod template annotation: a hash of the server config, so that a config change rolls the pods. */
export const configHashAnnotation = `${group}/config-hash`;
/** Annotations on a self-signed TLS Secret: when it was issued and for which rotation request. */
export const issuedForRotationAnnotation = `${group}/issued-for-rotation`;

/** Labels on everything the operator owns. */
export const labelKeys = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
} as const;
export const managedByValue = 'tandem-operator';

/** Paths inside the server container. */
export const mounts = {
  configDir: '/etc/tandem/config',
  configFile: 'config.json',
  tlsDir: '/etc/tandem/tls',
  redisDir: '/etc/tandem/redis',
  dataDir: '/var/lib/tandem',
  tmpDir: '/tmp',
} as const;

export const ports = { https: 8443, metrics: 9464, redis: 6379 } as const;
