/**
 * The packed tree: how the snippet sends a snapshot's document. The plain tree (dom.ts) spends
 * most of its bytes on keys and node ids, and ids (a counter) are what deflate compresses worst.
 * The packed form is positional JSON in the manner of JsonML, with ids implied by order. On
 * generated shop pages it is 0.38× the plain JSON and 0.48× of it deflated, and this writer takes
 * about as long as `JSON.stringify` of the plain tree, but in slices (`make bench`, snapshot
 * scenario: rawKB against plainKB, packedEncodeMs against plainEncodeMs).
 *
 *   packed   := [id?, document]             the whole tree: a list holding one document
 *   document := ["#document", extras?, ...items]
 *   element  := [tag, attrs?, extras?, ...items]   extras only after attrs (`{}` when none)
 *   items    := (id? node)*                 an element's children, or a shadow root's
 *   node     := text | element
 *   text     := "the text"
 *   attrs    := {"name": "value", ...}
 *   extras   := {ns?, value?, checked?, selected?, scroll?, css?, canvas?,
 *                shadow?: [...items], frame?: [id?, document]}   (same meanings as in dom.ts)
 *
 * Ids: an integer in a list is the id of the node right after it. A node without one takes the id
 * after the previous node's, in the order nodes appear in the text (1 for the first). Snapshots
 * number nodes in page order, so explicit ids appear only where the page changed since ids were
 * handed out, and in shadow roots and frames (numbered after their host's children).
 *
 * Writing is resumable ({@link PackedTreeWriter.run}), so that the snippet can spread a large
 * page over short tasks; reading is part of the validator (validate.ts), which checks as it goes.
 */
import type { DocumentNode, ElementNode, SerializedNode } from './dom.ts';

interface ItemsTask {
  items: readonly SerializedNode[];
  next: number;
  /** Whether the first item needs a comma before it (it follows the head of its element). */
  lead: boolean;
}
type Task = string | ItemsTask | { doc: DocumentNode };

/** How many nodes are written between two looks at the clock. */
const CLOCK_EVERY = 64;

export class PackedTreeWriter {
  private readonly tasks: Task[] = [']'];
  /** Appended to: V8 joins appended strings lazily, faster than collecting parts to join. */
  private out = '[';
  private nextId = 1;

  constructor(doc: DocumentNode) {
    this.document(doc);
  }

  /** Writes until done (true) or until `now()` reaches `deadline` (false: call again). */
  run(now: () => number, deadline: number): boolean {
    const tasks = this.tasks;
    let count = 0;
    while (tasks.length > 0) {
      const top = tasks[tasks.length - 1] as Task;
      if (typeof top === 'string') {
        tasks.pop();
        this.out += top;
      } else if ('doc' in top) {
        tasks.pop();
        this.document(top.doc);
      } else if (top.next >= top.items.length) {
        tasks.pop();
      } else {
        if (top.lead || top.next > 0) this.out += ',';
        this.node(top.items[top.next++] as SerializedNode);
        count += 1;
        if (count % CLOCK_EVERY === 0 && now() >= deadline) return false;
      }
    }
    return true;
  }

  /** The text written since the last call. */
  take(): string {
    const text = this.out;
    this.out = '';
    return text;
  }

  private id(id: number): void {
    if (id !== this.nextId) this.out += `${id},`;
    this.nextId = id + 1;
  }

  private document(doc: DocumentNode): void {
    this.id(doc.id);
    this.out += doc.scroll
      ? `["#document",${JSON.stringify({ scroll: doc.scroll })}`
      : '["#document"';
    this.tasks.push(']', { items: doc.children, next: 0, lead: true });
  }

  private node(node: SerializedNode): void {
    this.id(node.id);
    if (node.type === 'text') {
      this.out += JSON.stringify(node.text);
      return;
    }
    const tasks = this.tasks;
    tasks.push(']');
    if (node.children.length > 0) tasks.push({ items: node.children, next: 0, lead: true });
    this.out += `[${quotedTag(node.tag)}`;
    const scalars = scalarExtras(node);
    const nested = node.shadow !== undefined || node.frame !== undefined;
    if (!scalars && !nested) {
      if (!isEmpty(node.attrs)) this.out += `,${JSON.stringify(node.attrs)}`;
      return;
    }
    // Extras follow the attributes, `{}` when there are none.
    const head = scalars ? JSON.stringify(scalars) : '{}';
    this.out += `,${JSON.stringify(node.attrs)},`;
    if (!nested) {
      this.out += head;
      return;
    }
    // `{scalars,"shadow":[...],"frame":[...]}`: pushed in reverse, shadow written first.
    this.out += head.slice(0, -1);
    tasks.push('}');
    if (node.frame) {
      tasks.push(']', { doc: node.frame });
      tasks.push(`${scalars || node.shadow ? ',' : ''}"frame":[`);
    }
    if (node.shadow) {
      tasks.push(']', { items: node.shadow, next: 0, lead: false });
      tasks.push(`${scalars ? ',' : ''}"shadow":[`);
    }
  }
}

/** Tags as JSON strings: a page repeats a few dozen names. */
const quotedTags = new Map<string, string>();

function quotedTag(tag: string): string {
  let quoted = quotedTags.get(tag);
  if (quoted === undefined) {
    quoted = JSON.stringify(tag);
    if (quotedTags.size < 1024) quotedTags.set(tag, quoted);
  }
  return quoted;
}

/** The packed text of a whole tree, in one go. */
export function packTree(doc: DocumentNode): string {
  const writer = new PackedTreeWriter(doc);
  writer.run(() => 0, Number.POSITIVE_INFINITY);
  return writer.take();
}

type ScalarExtras = Pick<
  ElementNode,
  'ns' | 'value' | 'checked' | 'selected' | 'scroll' | 'css' | 'canvas'
>;

function scalarExtras(el: ElementNode): ScalarExtras | undefined {
  if (
    el.ns === undefined &&
    el.value === undefined &&
    el.checked === undefined &&
    el.selected === undefined &&
    el.scroll === undefined &&
    el.css === undefined &&
    el.canvas === undefined
  ) {
    return undefined;
  }
  const { ns, value, checked, selected, scroll, css, canvas } = el;
  return { ns, value, checked, selected, scroll, css, canvas };
}

function isEmpty(obj: object): boolean {
  for (const _ in obj) return false;
  return true;
}
