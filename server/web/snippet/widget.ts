/**
 * The customer's widget: the session code, whether an agent is viewing, an always-visible
 * "End session" button, the agents' pointers and drawings. It sits in a closed shadow root so
 * that the host page's CSS and scripts cannot restyle or read it, and the recorder never
 * serializes it. On a phone it starts as a small chip that opens on a tap; a control request
 * opens it, since the customer must see it to answer.
 */
import type { AgentPointer, EndReason, NodeId, SessionReceipt } from '../../src/protocol/index.ts';
import {
  createAnnotationOverlay,
  ANNOTATION_CSS,
  type AnnotationOverlay,
} from './annotation-overlay.ts';
import { guard } from './guard.ts';
import { createConsentPanel, CONSENT_CSS, type ConsentPanel } from './consent.ts';
import { endedText, widgetText } from './widget-text.ts';
import { RECEIPT_CSS, renderReceipt } from './receipt-view.ts';
import { WIDGET_CSS } from './widget-style.ts';

export interface Widget {
  /** The host element, which the recorder must ignore. */
  readonly host: HTMLElement;
  /** Control requests and the "Stop control" button. */
  readonly consent: ConsentPanel;
  /** The agents' drawings. */
  readonly annotations: AnnotationOverlay;
  setCode(code: string): void;
  setStatus(text: string): void;
  /** A line of news for the customer (who navigated, why co-browsing paused), in the note. */
  setNotice(text: string): void;
  /** The note shown now, '' for none. */
  readonly notice: string;
  showPointer(pointer: AgentPointer): void;
  /** Offers to share this tab instead of the one that shares now; null takes the offer away. */
  offerShare(onShare: (() => void) | null): void;
  /** The session is over: says who ended it and when, and takes every agent's mark away. */
  ended(reason: EndReason, at: number): void;
  /** Offers the session's receipt (once the session has ended). */
  receipt(receipt: SessionReceipt): void;
  remove(): void;
}

export interface WidgetOptions {
  /** The customer pressed End session. */
  onEnd(): void;
  /** The customer dismissed the agents' drawings. */
  onDismissDrawings(): void;
  /** The element the recorder named `id` (for highlights). */
  findElement(id: NodeId): Element | null;
}

/** Shows a code as groups of four: `ABCDEFGH` → `ABCD-EFGH`. */
export function formatCode(code: string): string {
  const plain = code.replace(/[^0-9a-z]/gi, '').toUpperCase();
  return plain.match(/.{1,4}/g)?.join('-') ?? plain;
}

/** "Waiting for an agent", "Agent Ann is viewing", "Agents Ann and Bo are viewing". */
export function describeAgents(names: string[]): string {
  if (names.length === 0) return 'Waiting for an agent';
  if (names.length === 1) return `Agent ${names[0]} is viewing`;
  return `Agents ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are viewing`;
}

const POINTER_IDLE_MS = 8000;
/** Below this width the widget starts folded into a chip. */
const PHONE_QUERY = '(max-width: 600px)';

function applyStyles(doc: Document, shadow: ShadowRoot): void {
  const css = WIDGET_CSS + CONSENT_CSS + ANNOTATION_CSS + RECEIPT_CSS;
  // A constructed sheet is not subject to the host's style-src CSP; a <style> is the fallback.
  try {
    const sheet = new (doc.defaultView ?? window).CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    const style = doc.createElement('style');
    style.textContent = css;
    shadow.append(style);
  }
}

function isPhone(doc: Document): boolean {
  try {
    return doc.defaultView?.matchMedia(PHONE_QUERY).matches ?? false;
  } catch {
    return false;
  }
}

export function createWidget(doc: Document, options: WidgetOptions): Widget {
  const host = doc.createElement('tandem-widget');
  // Inline !important beats any host rule that targets the element itself.
  for (const [property, value] of [
    ['display', 'block'],
    ['position', 'fixed'],
    ['top', '0'],
    ['left', '0'],
    ['width', '0'],
    ['height', '0'],
    ['z-index', '2147483647'],
  ] as const) {
    host.style.setProperty(property, value, 'important');
  }
  const shadow = host.attachShadow({ mode: 'closed' });
  applyStyles(doc, shadow);

  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text = '') => {
    const node = doc.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  };
  const button = (className: string, text: string, onClick: () => void): HTMLButtonElement => {
    const b = el('button', className, text);
    b.type = 'button';
    b.addEventListener('click', guard(onClick));
    return b;
  };

  const panel = el('section', 'panel');
  panel.setAttribute('aria-label', 'Co-browsing');
  const head = el('div', 'head');
  const title = el('p', 'title', 'Co-browsing');
  const fold = button('fold', '–', () => setOpen(false));
  fold.setAttribute('aria-label', 'Minimize co-browsing');
  head.append(title, fold);
  const code = el('p', 'code', '…');
  code.setAttribute('aria-label', 'Session code');
  const status = el('p', 'status', 'Connecting…');
  status.setAttribute('role', 'status');
  const note = el('p', 'note');
  note.setAttribute('aria-live', 'polite');
  const spoken = el('p', 'spoken');
  spoken.setAttribute('aria-live', 'assertive');
  const drawings = el('div', 'drawings');
  drawings.hidden = true;
  const drawingsText = el('p', 'drawings-text');
  drawings.append(
    drawingsText,
    button('dismiss', 'Clear drawings', () => {
      annotations.clear(null);
      setNote(widgetText('annotation.cleared'));
      options.onDismissDrawings();
    }),
  );
  let shareHandler: (() => void) | null = null;
  const share = button('share', 'Share this tab', () => shareHandler?.());
  share.hidden = true;
  const end = button('end', 'End session', options.onEnd);
  const close = button('close', 'Close', () => remove());
  close.hidden = true;
  panel.append(head, code, status, note, drawings, share, end, close, spoken);

  const chip = button('chip', 'Co-browsing', () => setOpen(true));
  chip.setAttribute('aria-label', 'Co-browsing: open');
  chip.setAttribute('aria-expanded', 'false');

  const setNote = (text: string): void => {
    note.textContent = text;
  };
  const setOpen = (open: boolean): void => {
    panel.hidden = !open;
    chip.hidden = open;
    chip.setAttribute('aria-expanded', String(open));
  };

  const consent = createConsentPanel(doc, panel, note, {
    note: setNote,
    announce: (text) => {
      spoken.textContent = text;
    },
    attention: () => setOpen(true),
  });
  const pointers = el('div', 'pointers');
  shadow.append(pointers, panel, chip);
  const annotations = createAnnotationOverlay({
    doc,
    parent: shadow,
    findElement: options.findElement,
    changed: (count, by) => {
      drawings.hidden = count === 0;
      if (by !== null) drawingsText.textContent = widgetText('annotation.shown', { name: by });
    },
  });
  setOpen(!isPhone(doc));
  doc.documentElement.append(host);

  const shown = new Map<string, { node: HTMLElement; timer: ReturnType<typeof setTimeout> }>();
  const clearPointers = (): void => {
    for (const entry of shown.values()) {
      clearTimeout(entry.timer);
      entry.node.remove();
    }
    shown.clear();
  };
  const remove = (): void => {
    clearPointers();
    annotations.remove();
    host.remove();
  };

  return {
    host,
    consent,
    annotations,
    setCode: (value) => {
      code.textContent = formatCode(value);
      chip.textContent = `Co-browsing ${formatCode(value)}`;
    },
    setStatus: (text) => {
      status.textContent = text;
    },
    setNotice: (text) => setNote(text),
    get notice() {
      return note.textContent ?? '';
    },
    showPointer: (pointer) => {
      let entry = shown.get(pointer.agentId);
      if (!entry) {
        const node = el('div', 'pointer');
        node.append(el('div', 'dot'), el('div', 'label', pointer.name));
        pointers.append(node);
        entry = { node, timer: setTimeout(() => undefined, 0) };
        shown.set(pointer.agentId, entry);
      }
      const current = entry;
      clearTimeout(current.timer);
      current.node.style.transform = `translate(${pointer.x}px, ${pointer.y}px)`;
      current.timer = setTimeout(
        guard(() => {
          current.node.remove();
          shown.delete(pointer.agentId);
        }),
        POINTER_IDLE_MS,
      );
    },
    offerShare: (onShare) => {
      shareHandler = onShare;
      share.hidden = onShare === null;
    },
    ended: (reason, at) => {
      share.hidden = true;
      consent.clear();
      clearPointers();
      annotations.clear(null);
      code.hidden = true;
      end.hidden = true;
      close.hidden = false;
      status.textContent = endedText(reason, at);
      setNote(widgetText('ended.next'));
      spoken.textContent = '';
      chip.textContent = 'Co-browsing ended';
    },
    receipt: (receipt) => {
      panel.querySelector('.receipt')?.remove();
      panel.insertBefore(renderReceipt(doc, receipt), close);
    },
    remove,
  };
}
