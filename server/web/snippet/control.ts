/**
 * Carries out an agent's control actions on the customer's page, only while the customer has
 * granted control to that agent. The snippet checks its own rules again (the server already
 * did): the target must be a node it serialized, and never read-only, masked or hidden.
 */
import type { ControlAction, NodeId } from '../../src/protocol/index.ts';
import { isMaskedElement, isReadOnlyNode } from './masking.ts';

export interface ControlExecutorOptions {
  doc: Document;
  /** The id the recorder gave a node, without assigning one. */
  idOf(node: Node): NodeId | undefined;
  /** Nodes of Tandem itself (the widget): never a target. */
  isIgnored(node: Node): boolean;
}

export type Outcome = 'applied' | 'not_granted' | 'unknown_target' | 'refused';

const TEXT_INPUT_TYPES = new Set(['', 'text', 'search', 'email', 'url', 'tel', 'number']);

/** Finds the node with `id` in the document, its open shadow roots and same-origin frames. */
export function findNode(
  doc: Document,
  id: NodeId,
  idOf: (node: Node) => NodeId | undefined,
): Node | null {
  if (idOf(doc) === id) return doc;
  const roots: Array<Document | ShadowRoot> = [doc];
  while (roots.length > 0) {
    const root = roots.pop()!;
    const walker = (root.ownerDocument ?? (root as Document)).createTreeWalker(
      root,
      NodeFilter.SHOW_ELEMENT,
    );
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (idOf(node) === id) return node;
      const el = node as Element;
      if (el.shadowRoot) roots.push(el.shadowRoot);
      if (el.localName === 'iframe') {
        try {
          const inner = (el as HTMLIFrameElement).contentDocument;
          if (inner) {
            if (idOf(inner) === id) return inner;
            roots.push(inner);
          }
        } catch {
          // A cross-origin frame: never serialized, never a target.
        }
      }
    }
  }
  return null;
}

function isTextField(el: Element): el is HTMLInputElement | HTMLTextAreaElement {
  if (el.localName === 'textarea') return true;
  return (
    el.localName === 'input' && TEXT_INPUT_TYPES.has((el.getAttribute('type') ?? '').toLowerCase())
  );
}

/** Sets a field's value through the native setter, so that frameworks that wrap it notice. */
function setFieldValue(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const proto = Object.getPrototypeOf(el) as object;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(el, value);
  else el.value = value;
}

function typeInto(el: HTMLInputElement | HTMLTextAreaElement, key: string): void {
  const value = el.value;
  let start = value.length;
  let end = value.length;
  try {
    start = el.selectionStart ?? start;
    end = el.selectionEnd ?? end;
  } catch {
    // type=number and others have no selection: edit at the end.
  }
  let next = value;
  let caret = start;
  let inputType = 'insertText';
  if (key === 'Backspace') {
    const from = start === end ? Math.max(0, start - 1) : start;
    next = value.slice(0, from) + value.slice(end);
    caret = from;
    inputType = 'deleteContentBackward';
  } else if (key === 'Delete') {
    const to = start === end ? Math.min(value.length, end + 1) : end;
    next = value.slice(0, start) + value.slice(to);
    inputType = 'deleteContentForward';
  } else if (key === 'Enter' && el.localName === 'textarea') {
    next = value.slice(0, start) + '\n' + value.slice(end);
    caret = start + 1;
    inputType = 'insertLineBreak';
  } else if ([...key].length === 1) {
    next = value.slice(0, start) + key + value.slice(end);
    caret = start + key.length;
  } else {
    const moves: Record<string, number> = {
      ArrowLeft: Math.max(0, start - 1),
      ArrowRight: Math.min(value.length, end + 1),
      Home: 0,
      End: value.length,
    };
    const to = moves[key];
    if (to !== undefined) {
      try {
        el.setSelectionRange(to, to);
      } catch {
        // no selection on this type
      }
    } else if (key === 'Enter') {
      el.form?.requestSubmit();
    }
    return;
  }
  if (el.maxLength >= 0 && next.length > el.maxLength && next.length > value.length) return;
  setFieldValue(el, next);
  try {
    el.setSelectionRange(caret, caret);
  } catch {
    // no selection on this type
  }
  el.dispatchEvent(
    new InputEvent('input', {
      bubbles: true,
      inputType,
      ...(inputType === 'insertText' && { data: key }),
    }),
  );
}

export class ControlExecutor {
  private grantedTo: string | null = null;

  constructor(private readonly options: ControlExecutorOptions) {}

  /** The agent the customer granted control to, or null. Revoking takes effect at once. */
  setGranted(agentId: string | null): void {
    this.grantedTo = agentId;
  }

  get granted(): string | null {
    return this.grantedTo;
  }

  apply(action: ControlAction & { agentId: string }): Outcome {
    if (this.grantedTo === null || action.agentId !== this.grantedTo) return 'not_granted';
    const { doc, idOf, isIgnored } = this.options;
    const node = findNode(doc, action.target, idOf);
    if (!node) return 'unknown_target';
    if (node.nodeType === Node.DOCUMENT_NODE) {
      if (action.kind !== 'scroll') return 'refused';
      (node as Document).defaultView?.scrollBy(action.dx, action.dy);
      return 'applied';
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return 'refused';
    const el = node as HTMLElement;
    if (isIgnored(el) || isReadOnlyNode(el) || isMaskedElement(el)) return 'refused';
    const view = el.ownerDocument.defaultView;
    switch (action.kind) {
      case 'scroll':
        el.scrollBy(action.dx, action.dy);
        return 'applied';
      case 'click': {
        const init = { bubbles: true, cancelable: true, view };
        el.dispatchEvent(new MouseEvent('mousedown', init));
        if (typeof el.focus === 'function') el.focus();
        el.dispatchEvent(new MouseEvent('mouseup', init));
        el.click();
        return 'applied';
      }
      case 'key': {
        const init = { key: action.key, bubbles: true, cancelable: true, view };
        const proceed = el.dispatchEvent(new KeyboardEvent('keydown', init));
        if (proceed && isTextField(el) && !el.readOnly && !el.disabled) typeInto(el, action.key);
        else if (proceed && action.key === 'Enter' && el.localName === 'button') el.click();
        el.dispatchEvent(new KeyboardEvent('keyup', init));
        return 'applied';
      }
    }
  }
}
