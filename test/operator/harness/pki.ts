import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A client identity: the API server takes the CN as the user and each O as a group. */
export interface ClientIdentity {
  /** File stem and kubeconfig name, e.g. `admin`. */
  readonly name: string;
  readonly user: string;
  readonly groups: readonly string[];
}

/** The certificates and keys of one control plane, all PEM files in one folder. */
export interface ClusterPki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  /** Signs service-account tokens (controller manager, API server) and verifies them. */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  readonly clients: Readonly<Record<string, { readonly cert: string; readonly key: string }>>;
}

// Our own config, so that the distribution's openssl.cnf cannot add or clash with extensions.
const opensslConfig = `
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[serving]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = @sans
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
[sans]
DNS.1 = localhost
DNS.2 = kubernetes
DNS.3 = kubernetes.default
DNS.4 = kubernetes.default.svc
DNS.5 = kubernetes.default.svc.cluster.local
IP.1 = 127.0.0.1
IP.2 = 10.96.0.1
# The real-pod node's address on its bridge (test/pods), where its pods reach the API server.
IP.3 = 10.244.0.1
`;

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `/CN=user/O=group1/O=group2`, escaping what openssl's -subj treats as syntax. */
function subjectOf(user: string, groups: readonly string[]): string {
  const escape = (value: string): string => value.replace(/[/\\,+=]/g, (c) => `\\${c}`);
  return [`/CN=${escape(user)}`, ...groups.map((g) => `/O=${escape(g)}`)].join('');
}

function issue(dir: string, stem: string, subject: string, extensions: string): void {
  openssl(
    dir,
    ['req', '-new', ...ecKey, '-config', 'openssl.cnf', '-subj', subject].concat([
      '-keyout',
      `${stem}.key`,
      '-out',
      `${stem}.csr`,
    ]),
  );
  openssl(
    dir,
    ['x509', '-req', '-in', `${stem}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key']
      .concat(['-CAcreateserial', '-days', '3650', '-sha256', '-out', `${stem}.crt`])
      .concat(['-extfile', 'openssl.cnf', '-extensions', extensions]),
  );
}

/**
 * Generates a fresh CA, the API server's serving certificate (for 127.0.0.1 and the in-cluster
 * names), the service-account key pair and one client certificate per identity, with openssl
 * (EC P-256 keys: fast to make). Takes a few hundred milliseconds.
 */
export function generateClusterPki(dir: string, clients: readonly ClientIdentity[]): ClusterPki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'openssl.cnf'), opensslConfig);
  openssl(
    dir,
    ['req', '-x509', ...ecKey, '-config', 'openssl.cnf', '-extensions', 'ca']
      .concat(['-subj', '/CN=tandem-testbed-ca', '-days', '3650', '-sha256'])
      .concat(['-keyout', 'ca.key', '-out', 'ca.crt']),
  );
  issue(dir, 'serving', '/CN=kube-apiserver', 'serving');
  openssl(
    dir,
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'].concat([
      '-out',
      'service-account.key',
    ]),
  );
  openssl(dir, ['pkey', '-in', 'service-account.key', '-pubout', '-out', 'service-account.pub']);
  const issued: Record<string, { cert: string; key: string }> = {};
  for (const client of clients) {
    issue(dir, client.name, subjectOf(client.user, client.groups), 'client');
    issued[client.name] = {
      cert: join(dir, `${client.name}.crt`),
      key: join(dir, `${client.name}.key`),
    };
  }
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'serving.crt'),
    servingKey: join(dir, 'serving.key'),
    serviceAccountKey: join(dir, 'service-account.key'),
    serviceAccountPub: join(dir, 'service-account.pub'),
    clients: issued,
  };
}

/**
 * Writes a self-contained kubeconfig (certificates embedded) for one client. JSON is YAML, so
 * kubectl, helm and client libraries all read it.
 */
export function writeKubeconfig(
  file: string,
  options: { server: string; caCert: string; cert: string; key: string; name: string },
): void {
  const data = (path: string): string => readFileSync(path).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'tandem-testbed',
        cluster: { server: options.server, 'certificate-authority-data': data(options.caCert) },
      },
    ],
    users: [
      {
        name: options.name,
        user: {
          'client-certificate-data': data(options.cert),
          'client-key-data': data(options.key),
        },
      },
    ],
    contexts: [
      { name: 'tandem-testbed', context: { cluster: 'tandem-testbed', user: options.name } },
    ],
    'current-context': 'tandem-testbed',
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
