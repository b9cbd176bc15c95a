/**
 * The OCI writer of `make images`: what containerd and registries check (blob digests, the
 * config's diff_ids against the layers, the names containerd imports by), and that the same tree
 * gives the same bytes. The real images run on real pods in test/pods.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { tarOf, writeArchive, type Image } from './build.ts';

const work = mkdtempSync(join(tmpdir(), 'tandem-images-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A layer tar of one file, written at `mtime` (seconds). */
function layer(name: string, content: string, mtime: number): string {
  const root = join(work, `root-${name}-${mtime}`);
  mkdirSync(join(root, 'app'), { recursive: true });
  writeFileSync(join(root, 'app', name), content);
  utimesSync(join(root, 'app', name), mtime, mtime);
  const tar = join(work, `${name}-${mtime}.tar`);
  tarOf(root, tar);
  return tar;
}

function image(mtime: number): Image {
  return {
    file: 'test',
    ref: 'example.test/tandem/test:1.2.3',
    layers: () => [layer('a.txt', 'first', mtime), layer('b.txt', 'second', mtime)],
    config: { User: '10001:10001', Entrypoint: ['/app/a.txt'], Env: ['PATH=/usr/bin'] },
  };
}

/** Unpacks an archive and reads its index, manifest, config and blobs. */
function open(archive: string) {
  const dir = mkdtempSync(join(work, 'open-'));
  execFileSync('tar', ['-xf', archive, '-C', dir]);
  const blob = (digest: string): Buffer =>
    readFileSync(join(dir, 'blobs/sha256', digest.replace(/^sha256:/, '')));
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const manifest = JSON.parse(blob(index.manifests[0].digest).toString());
  const config = JSON.parse(blob(manifest.config.digest).toString());
  return { dir, blob, index, manifest, config };
}

describe('make images: the OCI archive writer', () => {
  it('writes a layout whose every blob is named by its digest and sized right', () => {
    const archive = join(work, 'one.oci.tar');
    writeArchive(image(1000), archive);
    const { dir, blob, index, manifest } = open(archive);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8')), {
      imageLayoutVersion: '1.0.0',
    });
    for (const file of readdirSync(join(dir, 'blobs/sha256')))
      assert.equal(sha256(blob(file)), file, `blob ${file}`);
    for (const d of [index.manifests[0], manifest.config, ...manifest.layers])
      assert.equal(blob(d.digest).length, d.size, d.digest);
    assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(manifest.layers.length, 2);
  });

  it("names the image for containerd's import and records the config the pods run", () => {
    const archive = join(work, 'named.oci.tar');
    writeArchive(image(1000), archive);
    const { index, config } = open(archive);
    assert.deepEqual(index.manifests[0].annotations, {
      'io.containerd.image.name': 'example.test/tandem/test:1.2.3',
      'org.opencontainers.image.ref.name': '1.2.3',
    });
    assert.equal(config.os, 'linux');
    assert.equal(config.architecture, 'amd64');
    assert.equal(config.config.User, '10001:10001');
    assert.deepEqual(config.config.Entrypoint, ['/app/a.txt']);
  });

  it("lists each layer's uncompressed digest in the config, in order", () => {
    const archive = join(work, 'diff.oci.tar');
    writeArchive(image(1000), archive);
    const { blob, manifest, config } = open(archive);
    const diffIds = manifest.layers.map(
      (d: { digest: string }) => `sha256:${sha256(gunzipSync(blob(d.digest)))}`,
    );
    assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: diffIds });
  });

  it('gives the same bytes for the same tree, whatever the files’ times', () => {
    const [a, b] = [join(work, 'a.oci.tar'), join(work, 'b.oci.tar')];
    writeArchive(image(1000), a);
    writeArchive(image(2_000_000), b);
    assert.equal(sha256(readFileSync(a)), sha256(readFileSync(b)));
  });
});
