/**
 * Watches one document or open shadow root: DOM mutations and the events that change state
 * without mutating the DOM (typing, scrolling, frame loads, the mouse). Returns its teardown.
 */
import { guard } from './guard.ts';

export interface RootHandlers {
  mutations(records: MutationRecord[]): void;
  input(target: Element): void;
  scroll(target: Element | Document): void;
  frameLoad(frame: HTMLIFrameElement): void;
  pointer(doc: Document, clientX: number, clientY: number): void;
}

/** The real target, even when the event was retargeted to a shadow host. */
function originalTarget(event: Event): EventTarget | null {
  return event.composedPath()[0] ?? event.target;
}

function isElement(target: EventTarget | null): target is Element {
  return !!target && (target as Node).nodeType === Node.ELEMENT_NODE;
}

export function observeRoot(root: Document | ShadowRoot, handlers: RootHandlers): () => void {
  const win = (root.ownerDocument ?? (root as Document)).defaultView;
  const MutationObserverCtor = win?.MutationObserver ?? MutationObserver;
  const observer = new MutationObserverCtor(guard((records) => handlers.mutations(records)));
  observer.observe(root, {
    childList: true,
    subtree: true,
    attributes: true,
    characterData: true,
  });

  const onInput = guard((event: Event) => {
    const target = originalTarget(event);
    if (isElement(target)) handlers.input(target);
  });
  const onScroll = guard((event: Event) => {
    const target = originalTarget(event);
    if (target && (target as Node).nodeType === Node.DOCUMENT_NODE) {
      handlers.scroll(target as Document);
    } else if (isElement(target)) {
      handlers.scroll(target);
    }
  });
  const onLoad = guard((event: Event) => {
    const target = originalTarget(event);
    if (isElement(target) && target.localName === 'iframe') {
      handlers.frameLoad(target as HTMLIFrameElement);
    }
  });
  const onMouseMove = guard((event: MouseEvent) => {
    handlers.pointer(root as Document, event.clientX, event.clientY);
  });

  const capture = { capture: true, passive: true } as const;
  root.addEventListener('input', onInput, capture);
  root.addEventListener('change', onInput, capture);
  root.addEventListener('scroll', onScroll, capture);
  root.addEventListener('load', onLoad, capture);
  const isDocument = root.nodeType === Node.DOCUMENT_NODE;
  if (isDocument) root.addEventListener('mousemove', onMouseMove as EventListener, capture);

  return () => {
    observer.disconnect();
    root.removeEventListener('input', onInput, capture);
    root.removeEventListener('change', onInput, capture);
    root.removeEventListener('scroll', onScroll, capture);
    root.removeEventListener('load', onLoad, capture);
    if (isDocument) root.removeEventListener('mousemove', onMouseMove as EventListener, capture);
  };
}
