/**
 * The customer's widget: the session code, whether an agent is viewing, an always-visible
 * "End session" button, and the agents' pointers. It sits in a closed shadow root so that the
 * host page's CSS and scripts cannot restyle or read it, and the recorder never serializes it.
 */
import type { AgentPointer } from '../../src/protocol/index.ts';
import { guard } from './guard.ts';
import { createConsentPanel, CONSENT_CSS, type ConsentPanel } from './consent.ts';
import { WIDGET_CSS } from './widget-style.ts';

export interface Widget {
  /** The host element, which the recorder must ignore. */
  readonly host: HTMLElement;
  /** Control requests and the "Stop control" button. */
  readonly consent: ConsentPanel;
  setCode(code: string): void;
  setStatus(text: string): void;
  showPointer(pointer: AgentPointer): void;
  remove(): void;
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

function applyStyles(doc: Document, shadow: ShadowRoot): void {
  // A constructed sheet is not subject to the host's style-src CSP; a <style> is the fallback.
  try {
    const sheet = new (doc.defaultView ?? window).CSSStyleSheet();
    sheet.replaceSync(WIDGET_CSS + CONSENT_CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    const style = doc.createElement('style');
    style.textContent = WIDGET_CSS + CONSENT_CSS;
    shadow.append(style);
  }
}

export function createWidget(doc: Document, onEnd: () => void): Widget {
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
  const panel = el('div', 'panel');
  panel.setAttribute('role', 'status');
  const title = el('p', 'title', 'Co-browsing');
  const code = el('p', 'code', '…');
  code.setAttribute('aria-label', 'Session code');
  const status = el('p', 'status', 'Connecting…');
  const end = el('button', 'end', 'End session');
  end.type = 'button';
  end.addEventListener('click', guard(onEnd));
  panel.append(title, code, status, end);
  const consent = createConsentPanel(doc, panel, end);
  const pointers = el('div', 'pointers');
  shadow.append(pointers, panel);
  doc.documentElement.append(host);

  const shown = new Map<string, { node: HTMLElement; timer: ReturnType<typeof setTimeout> }>();

  return {
    host,
    consent,
    setCode: (value) => {
      code.textContent = formatCode(value);
    },
    setStatus: (text) => {
      status.textContent = text;
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
    remove: () => {
      for (const entry of shown.values()) clearTimeout(entry.timer);
      shown.clear();
      host.remove();
    },
  };
}
