/**
 * Hostile Socket.IO frames for the fuzzer, from a seeded PRNG so that a failure reproduces. The
 * events come from the protocol's own frame tables (keyed by its typed event maps), so a new event
 * is attacked the day it is added. Each kind says whether it closes its connection and which drop
 * reason the node must count for it.
 */
import { AGENT_FRAMES, CUSTOMER_FRAMES } from '../../server/src/protocol/frame-limits.ts';

/** mulberry32: small, fast and good enough to pick attacks; the same seed gives the same run. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Namespace = '/customer' | '/agent';

export const EVENTS: Record<Namespace, readonly string[]> = {
  '/customer': Object.keys(CUSTOMER_FRAMES),
  '/agent': Object.keys(AGENT_FRAMES),
};

/** One hostile frame (or a binary head and its attachment) and what it must cost its sender. */
export interface HostileFrame {
  kind: string;
  namespace: Namespace;
  /** Socket.IO packets, without Engine.IO's `4`; a raw Engine.IO message when `engine` is set. */
  frames: Array<string | Buffer>;
  /** Sent as Engine.IO messages as they are (no `4` prefix). */
  engine?: true;
  /** The node closes the connection for it: sent on a connection of its own. */
  closes: boolean;
  /** Drop reasons of which at least one must be counted (any reason when a budget ran out first). */
  reasons: readonly string[];
}

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)]!;
const int = (random: Random, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const WRONG_VALUES = ['"x"', 'null', 'true', '-1', '1e309', '[]', '{"__proto__":{"polluted":1}}'];
const PAGE_EVENTS = new Set(['page:snapshot', 'page:batch']);

/** The kinds of attack, each a generator of one frame. */
const KINDS: Array<(random: Random, ns: Namespace) => HostileFrame> = [
  // Huge argument lists on every registered event.
  (random, ns) => {
    const event = pick(random, EVENTS[ns]);
    const zeros = new Array<number>(int(random, 2_000, 20_000)).fill(0).join(',');
    return {
      kind: 'many-arguments',
      namespace: ns,
      frames: [`2${ns},["${event}",${zeros}]`],
      closes: false,
      reasons: ['too_many_arguments', 'payload_too_large', 'rate_limited'],
    };
  },
  // Deeply nested JSON on a small event.
  (random, ns) => {
    const event = pick(
      random,
      EVENTS[ns].filter((e) => !PAGE_EVENTS.has(e)),
    );
    return {
      kind: 'deep-json',
      namespace: ns,
      frames: [`2${ns},["${event}",${nested(int(random, 1100, 2500))}]`],
      closes: false,
      reasons: ['too_deep', 'payload_too_large', 'rate_limited'],
    };
  },
  // Wrong field types on every registered event.
  (random, ns) => {
    const event = pick(random, EVENTS[ns]);
    const value = pick(random, WRONG_VALUES);
    const payload = random() < 0.5 ? value : `{"seq":${value},"x":${value},"url":${value}}`;
    return {
      kind: 'wrong-types',
      namespace: ns,
      frames: [`2${ns},["${event}",${payload}]`],
      closes: false,
      reasons: ['invalid_message', 'not_in_session', 'forbidden', 'rate_limited'],
    };
  },
  // An event no namespace has, or one of the other namespace.
  (random, ns) => ({
    kind: 'unknown-event',
    namespace: ns,
    frames: [
      `2${ns},["${
        random() < 0.5
          ? `x:${int(random, 0, 1e6)}`
          : pick(
              random,
              EVENTS[ns === '/agent' ? '/customer' : '/agent'].filter(
                (e) => !EVENTS[ns].includes(e),
              ),
            )
      }",{}]`,
    ],
    closes: false,
    reasons: ['unknown_event', 'rate_limited'],
  }),
  // A binary attachment on an event that takes none.
  (random, ns) => ({
    kind: 'unexpected-binary',
    namespace: ns,
    frames: [
      `51-${ns},["${pick(
        random,
        EVENTS[ns].filter((e) => e !== 'page:snapshot'),
      )}",{"_placeholder":true,"num":0}]`,
      Buffer.alloc(int(random, 1, 4096), 7),
    ],
    closes: false,
    reasons: ['unexpected_binary'],
  }),
  // Oversized for its event, still under the transport's bound.
  (random, ns) => ({
    kind: 'oversized',
    namespace: ns,
    frames: [
      `2${ns},["${pick(
        random,
        EVENTS[ns].filter((e) => !PAGE_EVENTS.has(e)),
      )}","${'x'.repeat(int(random, 70_000, 200_000))}"]`,
    ],
    closes: false,
    reasons: ['payload_too_large', 'rate_limited'],
  }),
  // What breaks the framing: each closes its connection.
  (random, ns) => {
    const broken: Array<[string, Array<string | Buffer>, string[], true?]> = [
      ['client-ack', [`3${ns},1["x"]`], ['bad_packet_type']],
      ['no-such-type', [`${int(random, 7, 9)}${ns},[]`], ['malformed_packet']],
      [
        'truncated-json',
        [`2${ns},["${pick(random, EVENTS[ns])}",{"seq":${int(random, 0, 9)},`],
        ['malformed_packet'],
      ],
      ['two-attachments', [`52-${ns},["page:snapshot",{}]`], ['bad_attachments']],
      ['stray-binary', [Buffer.from('stray')], ['bad_attachments']],
      [
        'unjoined-namespace',
        [`2${ns === '/agent' ? '/customer' : '/agent'},["session:end"]`],
        ['bad_namespace'],
      ],
      ['engine-garbage', [`x${'y'.repeat(int(random, 0, 50))}`], ['malformed_packet'], true],
      ['past-transport-bound', [`4${'z'.repeat(300 * 1024)}`], ['payload_too_large'], true],
    ];
    const [kind, frames, reasons, engine] = pick(random, broken);
    return { kind, namespace: ns, frames, closes: true, reasons, ...(engine && { engine }) };
  },
  // A CONNECT to a namespace the server does not have (answered, counted).
  (random, ns) => ({
    kind: 'bad-namespace',
    namespace: ns,
    frames: [`0/nope-${int(random, 0, 99)},`],
    closes: false,
    reasons: ['bad_namespace', 'too_many_connects'],
  }),
];

/** The next hostile frame for a connection of `namespace`. */
export function hostileFrame(random: Random, namespace: Namespace): HostileFrame {
  return pick(random, KINDS)(random, namespace);
}
