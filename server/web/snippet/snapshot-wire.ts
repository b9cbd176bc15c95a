/**
 * A snapshot's tree as it goes on the wire: the packed tree (protocol/packed-tree.ts), written in
 * slices between which the page runs, deflated by the browser's `CompressionStream` as it is
 * written. The alternative, `JSON.stringify` of the plain tree inside `emit`, is one task that
 * takes a quarter of a second on a 150k-node page, and sends twice the bytes deflated (ten times
 * the bytes as it is, since Socket.IO does not compress).
 */
import type { DocumentNode, PackedPageSnapshot } from '../../src/protocol/index.ts';
import { PackedTreeWriter } from '../../src/protocol/packed-tree.ts';

export type PackedTree = Pick<PackedPageSnapshot, 'tree' | 'compression'>;

export interface PackOptions {
  yieldTask: (task: () => void) => void;
  /** Longest stretch of writing in one task. Default 8 ms. */
  sliceMs?: number;
  now?: () => number;
  /** Checked between slices: true stops the work (the snapshot is no longer wanted). */
  cancelled?: () => boolean;
}

/** A raw-deflate stream, or undefined where the browser has none (Safari before 16.4). */
function deflateStream(): CompressionStream | undefined {
  if (typeof CompressionStream !== 'function') return undefined;
  try {
    return new CompressionStream('deflate-raw');
  } catch {
    return undefined;
  }
}

/** Packs `doc`; undefined when cancelled. */
export async function packTreeInSlices(
  doc: DocumentNode,
  options: PackOptions,
): Promise<PackedTree | undefined> {
  const now = options.now ?? (() => performance.now());
  const sliceMs = options.sliceMs ?? 8;
  const writer = new PackedTreeWriter(doc);
  const encoder = new TextEncoder();
  const stream = deflateStream();
  const sink = stream?.writable.getWriter();
  const output = stream ? new Response(stream.readable).arrayBuffer() : undefined;
  // Handled here too: an abandoned snapshot's stream rejects with nobody waiting for it.
  output?.catch(() => undefined);
  const chunks: Uint8Array[] = [];
  for (;;) {
    const done = writer.run(now, now() + sliceMs);
    const bytes = encoder.encode(writer.take());
    if (sink) await sink.write(bytes);
    else chunks.push(bytes);
    if (done) break;
    await new Promise<void>((resolve) => options.yieldTask(resolve));
    if (options.cancelled?.()) {
      sink?.abort().catch(() => undefined);
      return undefined;
    }
  }
  if (!sink || !output) return { tree: concat(chunks), compression: 'none' };
  await sink.close();
  return { tree: new Uint8Array(await output), compression: 'deflate-raw' };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, chunk) => n + chunk.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
