/**
 * The server's copy of one session's page: the serialized tree as the agents have it, indexed by
 * node id with parent links, so that selectors can be evaluated and operations judged against it.
 * The tree owns its nodes (deep copies); it never shares objects with stored or relayed messages.
 */
import type {
  DocumentNode,
  ElementNode,
  NodeId,
  SerializedNode,
  TextNode,
} from '../protocol/index.ts';
import type { SelectorTarget } from './selector.ts';

/** Whether an element is masked, hidden or read-only, itself or through an ancestor. */
export interface Restriction {
  masked: boolean;
  hidden: boolean;
  readOnly: boolean;
}

export const UNRESTRICTED: Restriction = Object.freeze({
  masked: false,
  hidden: false,
  readOnly: false,
});

export type TreeNode = DocumentNode | ElementNode | TextNode;

export class Entry implements SelectorTarget {
  /** The effective restriction (its own or inherited). */
  state: Restriction = UNRESTRICTED;

  constructor(
    readonly node: TreeNode,
    readonly parent: Entry | null,
    /** The link to the parent crosses a shadow root or a frame: selectors stop there. */
    readonly boundary: boolean,
  ) {}

  get id(): NodeId {
    return this.node.id;
  }

  get tag(): string {
    return this.node.type === 'element' ? this.node.tag : '';
  }

  get element(): ElementNode | null {
    return this.node.type === 'element' ? this.node : null;
  }

  attribute(name: string): string | undefined {
    if (this.node.type !== 'element') return undefined;
    const attrs = this.node.attrs;
    const direct = attrs[name];
    if (direct !== undefined) return direct;
    for (const key of Object.keys(attrs)) if (key.toLowerCase() === name) return attrs[key];
    return undefined;
  }

  selectorParent(): SelectorTarget | null {
    if (this.boundary || !this.parent || this.parent.node.type !== 'element') return null;
    return this.parent;
  }
}

/** Where a node sits in its parent: its children, its shadow root, or its frame document. */
type Slot = 'children' | 'shadow' | 'frame';

export class PageTree {
  private readonly entries = new Map<NodeId, Entry>();
  /** The sequence number of the last message applied. */
  seq = 0;

  get size(): number {
    return this.entries.size;
  }

  get(id: NodeId): Entry | undefined {
    return this.entries.get(id);
  }

  /** Registers `node` (already placed in its parent's serialized node) and its subtree. */
  register(node: TreeNode, parent: Entry | null, boundary: boolean): Entry {
    const old = this.entries.get(node.id);
    if (old) this.detach(old);
    const entry = new Entry(node, parent, boundary);
    this.entries.set(node.id, entry);
    return entry;
  }

  /** Forgets `entry` and everything under it; the caller removes it from its parent's node. */
  unregister(entry: Entry): void {
    const pending: TreeNode[] = [entry.node];
    for (let node = pending.pop(); node; node = pending.pop()) {
      if (this.entries.get(node.id)?.node === node) this.entries.delete(node.id);
      if (node.type === 'text') continue;
      pending.push(...node.children);
      if (node.type === 'element') {
        if (node.shadow) pending.push(...node.shadow);
        if (node.frame) pending.push(node.frame);
      }
    }
  }

  /** Takes `entry` out of its parent's serialized node and forgets its subtree. */
  detach(entry: Entry): void {
    const parent = entry.parent?.node;
    if (parent && parent.type !== 'text') {
      const slot = this.slotOf(entry);
      if (slot === 'frame' && parent.type === 'element') delete parent.frame;
      else {
        const list =
          slot === 'shadow' && parent.type === 'element' ? parent.shadow : parent.children;
        const index = list?.indexOf(entry.node as SerializedNode) ?? -1;
        if (list && index >= 0) list.splice(index, 1);
      }
    }
    this.unregister(entry);
  }

  slotOf(entry: Entry): Slot {
    const parent = entry.parent?.node;
    if (!parent || parent.type !== 'element') return 'children';
    if (parent.frame === entry.node) return 'frame';
    if (parent.shadow?.includes(entry.node as SerializedNode)) return 'shadow';
    return 'children';
  }

  /** The id of the sibling after `entry` in its list, or null when it is last. */
  nextSiblingId(entry: Entry): NodeId | null {
    const parent = entry.parent?.node;
    if (!parent || parent.type === 'text') return null;
    const list =
      this.slotOf(entry) === 'shadow' && parent.type === 'element'
        ? parent.shadow
        : parent.children;
    if (!list) return null;
    const index = list.indexOf(entry.node as SerializedNode);
    return index >= 0 ? (list[index + 1]?.id ?? null) : null;
  }

  /** Every entry under `entry` (itself included), parents before children. */
  *walk(entry: Entry): Generator<Entry> {
    const pending: Entry[] = [entry];
    for (let next = pending.pop(); next; next = pending.pop()) {
      yield next;
      const node = next.node;
      if (node.type === 'text') continue;
      const kids: TreeNode[] = [...node.children];
      if (node.type === 'element') {
        if (node.shadow) kids.push(...node.shadow);
        if (node.frame) kids.push(node.frame);
      }
      for (let i = kids.length - 1; i >= 0; i--) {
        const child = this.entries.get(kids[i]!.id);
        if (child && child.node === kids[i]) pending.push(child);
      }
    }
  }
}
