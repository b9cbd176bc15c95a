/**
 * Test harness for test/e2e/round-trip.test.ts: the snippet's recorder and the console's mirror
 * on one page, plus a normalizer that reduces a document to what both sides must agree on.
 * Bundled by the test with esbuild; never shipped.
 */
import type { MutationOp, PageSnapshot } from '../../src/protocol/index.ts';
import { BLANK_PNG } from '../agent/build-node.ts';
import { rewriteStateSelectors } from '../agent/mirror-css.ts';
import { isStateMarker } from '../agent/mirror-state.ts';
import { PageMirror } from '../agent/page-mirror.ts';
import { attributeValue, fieldValue, textValue } from '../snippet/masking.ts';
import { startRecorder, type Recorder } from '../snippet/recorder.ts';

type Message = { kind: 'snapshot'; snapshot: PageSnapshot } | { kind: 'batch'; ops: MutationOp[] };

export interface NormalNode {
  tag?: string;
  ns?: string | null;
  attrs?: [string, string][];
  text?: string;
  value?: string;
  checked?: boolean;
  selected?: boolean;
  children?: NormalNode[];
  shadow?: NormalNode[];
  frame?: NormalNode[] | null;
}

const SKIPPED = new Set(['script', 'noscript', 'base', 'object', 'embed']);
const URL_ATTRS = new Set(['src', 'href', 'action', 'poster']);

function sheetText(el: HTMLStyleElement): string {
  try {
    // The mirror's copy selects the customer's state by marker attributes (mirror-css.ts).
    const css = Array.from(el.sheet?.cssRules ?? [], (rule) => rule.cssText).join('\n');
    return rewriteStateSelectors(css);
  } catch {
    return '';
  }
}

function normalizeAttrs(el: Element, masked: boolean): [string, string][] {
  const tag = el.localName;
  const out: [string, string][] = [];
  for (const attr of Array.from(el.attributes)) {
    const name = attr.name;
    if (name.startsWith('on') || name === 'srcdoc' || isStateMarker(name)) continue;
    if (tag === 'iframe' && (name === 'src' || name === 'sandbox')) continue;
    let value = masked ? attributeValue(el, name, attr.value) : attr.value;
    if (URL_ATTRS.has(name)) {
      if (/^\s*javascript:/i.test(value)) continue;
      if (!value.startsWith('#')) value = new URL(value, el.baseURI).href;
    }
    out.push([name, value]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : 1));
}

function normalizeChildren(parent: Node, masked: boolean): NormalNode[] {
  const out: NormalNode[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    const normal = normalizeNode(child, masked);
    if (normal) out.push(normal);
  }
  return out;
}

function normalizeNode(node: Node, masked: boolean): NormalNode | null {
  if (node.nodeType === Node.TEXT_NODE) {
    if (node.parentNode?.nodeName.toLowerCase() === 'style') return null;
    return { text: masked ? textValue(node as Text) : (node as Text).data };
  }
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const el = node as Element;
  const tag = el.localName.toLowerCase();
  if (SKIPPED.has(tag) || tag === 'tandem-widget') return null;
  if (tag === 'link' && !/stylesheet|icon/.test(el.getAttribute('rel') ?? '')) return null;
  // The console shows a canvas as an image (a frame without scripts cannot paint a canvas).
  const standIn = el.hasAttribute('data-tandem-canvas');
  const attrs = normalizeAttrs(el, masked).filter(
    ([name]) => !standIn || (name !== 'src' && name !== 'data-tandem-canvas'),
  );
  const out: NormalNode = {
    tag: standIn ? 'canvas' : tag,
    ns: el.namespaceURI,
    attrs,
    children: normalizeChildren(el, masked),
  };
  if (tag === 'style') out.text = sheetText(el as HTMLStyleElement);
  if (tag === 'input') {
    const input = el as HTMLInputElement;
    if (input.type === 'checkbox' || input.type === 'radio') out.checked = input.checked;
    else out.value = masked ? fieldValue(input, input.value) : input.value;
  }
  if (tag === 'textarea') {
    const value = (el as HTMLTextAreaElement).value;
    out.value = masked ? fieldValue(el, value) : value;
  }
  if (tag === 'option') out.selected = (el as HTMLOptionElement).selected;
  if (el.shadowRoot) out.shadow = normalizeChildren(el.shadowRoot, masked);
  if (tag === 'iframe') {
    const doc = (el as HTMLIFrameElement).contentDocument;
    out.frame = doc ? normalizeChildren(doc, masked) : null;
  }
  return out;
}

let recorder: Recorder | undefined;
const messages: Message[] = [];
let mirror: PageMirror | undefined;

const harness = {
  /** Source page: start recording; resolves once the (time-sliced) snapshot is the first message. */
  record(sliceMs?: number): Promise<void> {
    const started = startRecorder({
      ...(sliceMs !== undefined && { sliceMs }),
      doc: document,
      isIgnored: () => false,
      onBatch: (ops) => messages.push({ kind: 'batch', ops }),
      onPointer: () => undefined,
    });
    recorder = started;
    return new Promise((resolve) => {
      started.snapshot((snapshot) => {
        messages.push({ kind: 'snapshot', snapshot: { seq: 0, ...snapshot } });
        resolve();
      });
    });
  },
  flush(): void {
    recorder?.flush();
  },
  /** Source page: the messages since the last call, as JSON (as the wire would carry them). */
  take(): string {
    return JSON.stringify(messages.splice(0));
  },
  /** Mirror page: apply messages into the sandboxed frame `#view`. */
  apply(json: string): void {
    const frame = document.querySelector<HTMLIFrameElement>('#view');
    if (!frame) throw new Error('no #view frame');
    mirror ??= new PageMirror(frame, { frameSrc: '/agent/frame.html' });
    for (const message of JSON.parse(json) as Message[]) {
      if (message.kind === 'snapshot') mirror.applySnapshot(message.snapshot);
      else mirror.applyOps(message.ops);
    }
  },
  /** Source page: its own document, with masking applied as the snippet would. */
  normalizeSource(): string {
    return JSON.stringify(normalizeChildren(document, true));
  },
  /** Mirror page: the rebuilt document. */
  normalizeMirror(): string {
    const doc = document.querySelector<HTMLIFrameElement>('#view')?.contentDocument;
    return JSON.stringify(doc ? normalizeChildren(doc, false) : null);
  },
  /** Mirror page: facts the safety checks need. */
  mirrorFacts(): { scripts: number; handlers: number; nodes: number; canvasImage: boolean } {
    const doc = document.querySelector<HTMLIFrameElement>('#view')?.contentDocument;
    const all = doc ? Array.from(doc.querySelectorAll('*')) : [];
    return {
      scripts: all.filter((el) => el.localName === 'script').length,
      handlers: all.filter((el) => Array.from(el.attributes).some((a) => a.name.startsWith('on')))
        .length,
      nodes: mirror?.nodeCount ?? 0,
      canvasImage: ((src) => src.startsWith('data:image/png') && src !== BLANK_PNG)(
        doc?.getElementById('cv')?.getAttribute('src') ?? '',
      ),
    };
  },
  /** Mirror page: scroll offsets of the rebuilt document and of one element by id. */
  mirrorScroll(elementId: string): { doc: number; el: number } {
    const doc = document.querySelector<HTMLIFrameElement>('#view')?.contentDocument;
    return {
      doc: doc?.scrollingElement?.scrollTop ?? -1,
      el: doc?.getElementById(elementId)?.scrollTop ?? -1,
    };
  },
};

export type Harness = typeof harness;
(window as unknown as { tandemHarness: Harness }).tandemHarness = harness;
