/**
 * Event traces replayed to every contender, so that all see the same bytes: a generated page
 * (its snapshot) and a sequence of mutation batches of about `batchBytes` of JSON each (text
 * edits, class toggles, a node added and removed again), plus pointer positions. Deterministic
 * from the seed.
 */
import type { MutationOp, PageSnapshot, SerializedNode } from '../../server/src/protocol/index.ts';
import { pageDocument } from '../../test/support/pages.ts';

export interface Trace {
  /** The page as a snapshot without `seq` (the replayer numbers it). */
  snapshot: Omit<PageSnapshot, 'seq'>;
  /** Each batch's `ops` array, serialized once. */
  batches: string[];
  /** Each pointer message, serialized once. */
  pointers: string[];
  /** Nodes in the page. */
  nodes: number;
}

/** A small, fast, seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'cart total item price ship order pay card name city street save apply code gift wrap size colour'.split(
    ' ',
  );

export interface TraceOptions {
  seed?: number;
  /** Sections of the generated page (each 7 nodes). Default 60. */
  sections?: number;
  /** Distinct batches in the trace (replay cycles through them). Default 200. */
  batchCount?: number;
  /** JSON bytes of ops per batch. Default 2048. */
  batchBytes?: number;
}

export function generateTrace(options: TraceOptions = {}): Trace {
  const random = seededRandom(options.seed ?? 42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const sentence = (n: number): string => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  let id = 3;
  const textIds: number[] = [];
  const elementIds: number[] = [];
  const sections: SerializedNode[] = [];
  for (let s = 0; s < (options.sections ?? 60); s++) {
    const text = (t: string): SerializedNode => {
      textIds.push(++id);
      return { type: 'text', id, text: t };
    };
    const element = (tag: string, children: SerializedNode[]): SerializedNode => {
      elementIds.push(++id);
      return { type: 'element', id, tag, attrs: { class: `c${s % 7}` }, children };
    };
    // Ids are taken in creation order: children first, which is fine for a generated page.
    const heading = element('h2', [text(sentence(3))]);
    const para = element('p', [text(sentence(12))]);
    sections.push(element('section', [heading, para, element('span', [text(sentence(2))])]));
  }
  const snapshot: Omit<PageSnapshot, 'seq'> = {
    url: 'https://shop.bench/checkout',
    title: 'Bench page',
    viewport: { width: 1280, height: 800 },
    doc: pageDocument(sections),
  };
  const batchBytes = options.batchBytes ?? 2048;
  const batches: string[] = [];
  let added = 1_000_000;
  let pendingRemove: number | null = null;
  for (let b = 0; b < (options.batchCount ?? 200); b++) {
    const ops: MutationOp[] = [];
    if (pendingRemove !== null) ops.push({ op: 'remove', id: pendingRemove });
    pendingRemove = null;
    if (b % 4 === 0 && elementIds.length) {
      const node: SerializedNode = {
        type: 'element',
        id: ++added,
        tag: 'div',
        attrs: { class: 'toast' },
        children: [{ type: 'text', id: ++added, text: sentence(6) }],
      };
      ops.push({ op: 'add', parent: 3, before: null, node });
      pendingRemove = node.id;
    }
    while (JSON.stringify(ops).length < batchBytes) {
      if (random() < 0.7) ops.push({ op: 'text', id: pick(textIds), text: sentence(6) });
      else
        ops.push({
          op: 'attr',
          id: pick(elementIds),
          name: 'class',
          value: `c${Math.floor(random() * 9)}`,
        });
    }
    batches.push(JSON.stringify(ops));
  }
  const pointers: string[] = [];
  for (let p = 0; p < 256; p++)
    pointers.push(
      JSON.stringify({ x: Math.round(random() * 1280), y: Math.round(random() * 800) }),
    );
  return { snapshot, batches, pointers, nodes: id };
}
