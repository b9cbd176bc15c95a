/**
 * Form state a script sets (`select.value = 'b'`, `input.checked = true`) fires no event and
 * changes no attribute, so neither the input listener nor the MutationObserver hears of it. The
 * setters of those properties are wrapped (as rrweb does) to say which field changed, after the
 * original has run; the value itself is read, and masked, when the batch is built.
 */
import { guard } from './guard.ts';

/** The properties whose setters change what a field shows, per interface. */
const FIELD_PROPERTIES: ReadonlyArray<[string, readonly string[]]> = [
  ['HTMLInputElement', ['value', 'checked', 'valueAsNumber', 'valueAsDate']],
  ['HTMLTextAreaElement', ['value']],
  ['HTMLSelectElement', ['value', 'selectedIndex']],
  ['HTMLOptionElement', ['selected']],
];

/** Wraps the field setters of `win`; `changed` hears of the field (an option's select). Returns the teardown. */
export function watchFieldSetters(win: Window, changed: (field: Element) => void): () => void {
  const undo: Array<() => void> = [];
  const note = guard((el: Element) => {
    const field = el.localName === 'option' ? (el.closest('select') ?? el) : el;
    changed(field);
  });
  for (const [name, properties] of FIELD_PROPERTIES) {
    const proto = (win as unknown as Record<string, { prototype: object } | undefined>)[name]
      ?.prototype;
    if (!proto) continue;
    for (const property of properties) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, property);
      const set = descriptor?.set;
      if (!descriptor || !set || !descriptor.configurable) continue;
      const wrapped: PropertyDescriptor = {
        ...descriptor,
        set(this: Element, value: unknown) {
          set.call(this, value);
          note(this);
        },
      };
      Object.defineProperty(proto, property, wrapped);
      undo.push(() => {
        if (Object.getOwnPropertyDescriptor(proto, property)?.set === wrapped.set) {
          Object.defineProperty(proto, property, descriptor);
        }
      });
    }
  }
  return () => {
    for (const fn of undo.splice(0)) fn();
  };
}
