/**
 * Watches one document or open shadow root: DOM mutations and the events that change state
 * without mutating the DOM (typing, scrolling, frame loads, the mouse, focus, selection, dialogs
 * and popovers, video playback). Returns its teardown.
 */
import { guard } from './guard.ts';

export interface RootHandlers {
  mutations(records: MutationRecord[]): void;
  input(target: Element): void;
  scroll(target: Element | Document): void;
  frameLoad(frame: HTMLIFrameElement): void;
  pointer(doc: Document, clientX: number, clientY: number): void;
  /** Focus moved (in this root or below it). */
  focus(): void;
  /** The pointer entered an element (the innermost), or left the document (null). */
  hover(target: Element | null): void;
  selection(doc: Document): void;
  /** A dialog, popover or `<details>` opened or closed. */
  toggle(target: Element): void;
  /** A video played, paused, seeked or advanced. */
  media(target: HTMLVideoElement): void;
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

  const onFocus = guard(() => handlers.focus());
  const onOver = guard((event: MouseEvent) => {
    const target = originalTarget(event);
    if (isElement(target)) handlers.hover(target);
  });
  const onOut = guard((event: MouseEvent) => {
    if (event.relatedTarget === null) handlers.hover(null); // Left the document.
  });
  const onSelection = guard(() => handlers.selection(root as Document));
  const onToggle = guard((event: Event) => {
    const target = originalTarget(event);
    if (isElement(target)) handlers.toggle(target);
  });
  const onMedia = guard((event: Event) => {
    const target = originalTarget(event);
    if (isElement(target) && target.localName === 'video') {
      handlers.media(target as HTMLVideoElement);
    }
  });
  const capture = { capture: true, passive: true } as const;
  const rootEvents: Array<[string, EventListener]> = [
    ['toggle', onToggle],
    ['close', onToggle],
    ['play', onMedia],
    ['pause', onMedia],
    ['seeked', onMedia],
    ['loadeddata', onMedia],
  ];
  const docEvents: Array<[string, EventListener]> = [
    ['focusin', onFocus],
    ['focusout', onFocus],
    ['mouseover', onOver as EventListener],
    ['mouseout', onOut as EventListener],
    ['selectionchange', onSelection],
    // Keys and clicks change :focus-visible and selections without a focus or selection event.
    ['keydown', onFocus],
    ['mousedown', onFocus],
  ];
  root.addEventListener('input', onInput, capture);
  root.addEventListener('change', onInput, capture);
  root.addEventListener('scroll', onScroll, capture);
  root.addEventListener('load', onLoad, capture);
  const isDocument = root.nodeType === Node.DOCUMENT_NODE;
  if (isDocument) root.addEventListener('mousemove', onMouseMove as EventListener, capture);
  for (const [type, listener] of rootEvents) root.addEventListener(type, listener, capture);
  if (isDocument) {
    for (const [type, listener] of docEvents) root.addEventListener(type, listener, capture);
  }

  return () => {
    for (const [type, listener] of rootEvents) root.removeEventListener(type, listener, capture);
    if (isDocument) {
      for (const [type, listener] of docEvents) root.removeEventListener(type, listener, capture);
    }
    observer.disconnect();
    root.removeEventListener('input', onInput, capture);
    root.removeEventListener('change', onInput, capture);
    root.removeEventListener('scroll', onScroll, capture);
    root.removeEventListener('load', onLoad, capture);
    if (isDocument) root.removeEventListener('mousemove', onMouseMove as EventListener, capture);
  };
}
