/**
 * Applies one operation to the restrictions step's copy of the page and appends to `out` what the
 * agents get instead: the operation with masked data, nothing (an operation aimed at a node the
 * copy does not have, or inside a hidden box), or, when an attribute change makes an element newly
 * masked or hidden, the operation followed by a removal and a re-add of the restricted element.
 * An operation that needs no change is passed on as it came (never copied): the relay path runs
 * this for every operation of every batch, and the copy owns its own nodes, so sharing the
 * unchanged input with the output is safe.
 */
import type { ElementNode, MutationOp, SerializedNode } from '../protocol/index.ts';
import type { Entry, PageTree, Restriction, TreeNode } from './page-tree.ts';
import {
  hideElement,
  isMaskedAttribute,
  maskElement,
  maskText,
  type MaskOptions,
} from './restrict-node.ts';

/** What restrict-ops needs of the step. */
export interface RestrictionRules {
  readonly maskOptions: MaskOptions;
  /** True when some selector has a combinator, so an element's match can hang on its ancestors. */
  readonly testsAncestors: boolean;
  evaluate(entry: Entry, inherited: Restriction): Restriction;
  isTestedAttribute(name: string): boolean;
  /** True when anything in the subtree is masked or hidden (the node was changed in place). */
  adopt(tree: PageTree, node: TreeNode, parent: Entry | null, boundary: boolean): boolean;
}

function element(entry: Entry | undefined): (Entry & { node: ElementNode }) | undefined {
  return entry?.node.type === 'element' ? (entry as Entry & { node: ElementNode }) : undefined;
}

export function applyOp(
  tree: PageTree,
  op: MutationOp,
  rules: RestrictionRules,
  out: MutationOp[],
): void {
  const mask = rules.maskOptions;
  switch (op.op) {
    case 'viewport':
      out.push(op);
      return;
    case 'add':
      return add(tree, op, rules, out);
    case 'remove': {
      const entry = tree.get(op.id);
      if (!entry || !entry.parent) return;
      tree.detach(entry);
      out.push(op);
      return;
    }
    case 'text': {
      const entry = tree.get(op.id);
      if (entry?.node.type !== 'text') return;
      entry.node.text = op.text;
      if (!entry.state.masked) {
        out.push(op);
        return;
      }
      maskText(entry.node, mask);
      out.push({ ...op, text: entry.node.text });
      return;
    }
    case 'attr':
      return attr(tree, op, rules, out);
    case 'input': {
      const entry = element(tree.get(op.id));
      if (!entry || entry.state.hidden) return;
      if (op.value !== undefined) entry.node.value = op.value;
      if (op.checked !== undefined) entry.node.checked = op.checked;
      if (op.selected !== undefined) entry.node.selected = op.selected;
      if (op.value === undefined || !entry.state.masked) {
        out.push(op);
        return;
      }
      maskElement(entry.node, mask);
      out.push({ ...op, value: entry.node.value ?? '' });
      return;
    }
    case 'scroll': {
      const entry = tree.get(op.id);
      if (!entry || entry.node.type === 'text' || entry.state.hidden) return;
      entry.node.scroll = { x: op.x, y: op.y };
      out.push(op);
      return;
    }
    case 'css': {
      const entry = element(tree.get(op.id));
      if (!entry || entry.state.hidden) return;
      entry.node.css = op.css;
      out.push(op);
      return;
    }
    case 'canvas': {
      const entry = element(tree.get(op.id));
      if (!entry || entry.state.masked || entry.state.hidden) return;
      entry.node.canvas = op.data;
      out.push(op);
      return;
    }
    case 'sheets': {
      // CSS carries no field values; only a hidden box keeps everything of its own away.
      const entry = tree.get(op.id);
      if (!entry || entry.node.type === 'text' || entry.state.hidden) return;
      out.push(op);
      return;
    }
    case 'focus':
    case 'hover': {
      // Inside a hidden box the agent has no node to mark: nobody, as far as it knows.
      const entry = op.id === null ? undefined : element(tree.get(op.id));
      out.push(op.id !== null && (!entry || entry.state.hidden) ? { ...op, id: null } : op);
      return;
    }
    case 'selection': {
      // Where a selection starts or ends in masked text, its offsets would tell what is there.
      const shown = (id: number): boolean => {
        const entry = tree.get(id);
        return !!entry && !entry.state.masked && !entry.state.hidden;
      };
      const ranges = op.ranges.filter((range) => shown(range.start) && shown(range.end));
      out.push(ranges.length === op.ranges.length ? op : { ...op, ranges });
      return;
    }
    case 'layer': {
      const entry = element(tree.get(op.id));
      if (!entry || entry.state.hidden) return;
      out.push(op);
      return;
    }
    case 'frame': {
      const entry = element(tree.get(op.id));
      if (!entry || entry.state.hidden) return;
      const old = entry.node.frame ? tree.get(entry.node.frame.id) : undefined;
      if (old) tree.detach(old);
      delete entry.node.frame;
      if (op.doc === null) {
        out.push(op);
        return;
      }
      const doc = structuredClone(op.doc);
      entry.node.frame = doc;
      const restricted = rules.adopt(tree, doc, entry, true);
      out.push(restricted ? { ...op, doc: structuredClone(doc) } : op);
      return;
    }
  }
}

function add(
  tree: PageTree,
  op: Extract<MutationOp, { op: 'add' }>,
  rules: RestrictionRules,
  out: MutationOp[],
): void {
  const parent = tree.get(op.parent);
  if (!parent || parent.node.type === 'text' || parent.state.hidden) return;
  if (op.shadow && parent.node.type !== 'element') return;
  const existing = tree.get(op.node.id);
  if (existing) tree.detach(existing);
  const node = structuredClone(op.node);
  const list: SerializedNode[] =
    op.shadow && parent.node.type === 'element'
      ? (parent.node.shadow ??= [])
      : parent.node.children;
  const index = op.before === null ? -1 : list.findIndex((sibling) => sibling.id === op.before);
  if (index >= 0) list.splice(index, 0, node);
  else list.push(node);
  const restricted = rules.adopt(tree, node, parent, op.shadow === true);
  const before = index >= 0 ? op.before : null;
  // The copy went into the tree; the agents get the input itself unless something was masked.
  if (!restricted && before === op.before) out.push(op);
  else out.push({ ...op, before, node: restricted ? structuredClone(node) : op.node });
}

function attr(
  tree: PageTree,
  op: Extract<MutationOp, { op: 'attr' }>,
  rules: RestrictionRules,
  out: MutationOp[],
): void {
  const entry = element(tree.get(op.id));
  if (!entry || entry.state.hidden) return;
  if (op.value !== null) entry.node.attrs[op.name] = op.value;
  else entry.node.attrs = withoutAttribute(entry.node.attrs, op.name);
  const restricted = rules.isTestedAttribute(op.name) && restrictAgain(tree, entry, rules);
  if (restricted && entry.state.hidden) {
    // The element is an empty box now; the attribute change itself must not reach anyone.
    readd(tree, entry, out);
    return;
  }
  if (op.value !== null && entry.state.masked && isMaskedAttribute(op.name)) {
    maskElement(entry.node, rules.maskOptions);
    out.push({ ...op, value: entry.node.attrs[op.name] ?? '' });
  } else out.push(op);
  if (restricted) readd(tree, entry, out);
}

/**
 * Re-evaluates the rules for `root` and everything under it after one of its attributes changed;
 * masks or hides what became restricted. True when anything did: the agents' copy is stale then.
 * What becomes less restricted stays masked until the snippet sends it again (the copy holds only
 * masked data, by design).
 */
function restrictAgain(tree: PageTree, root: Entry, rules: RestrictionRules): boolean {
  // Without combinators, descendants match on their own attributes alone: they need a new look
  // only when the root's own restriction changes (what they inherit). A class toggled on <body>
  // then costs one evaluation, not a walk of the whole page.
  if (!rules.testsAncestors && !restrictionChanges(root, rules)) return false;
  let changed = false;
  for (const entry of tree.walk(root)) {
    const inherited = entry.parent?.state ?? { masked: false, hidden: false, readOnly: false };
    const before = entry.state;
    const after = rules.evaluate(entry, inherited);
    entry.state = {
      masked: after.masked || before.masked,
      hidden: after.hidden || before.hidden,
      readOnly: after.readOnly,
    };
    const node = entry.node;
    if (entry.state.hidden && !before.hidden && node.type === 'element') {
      for (const child of [
        ...node.children,
        ...(node.shadow ?? []),
        ...(node.frame ? [node.frame] : []),
      ]) {
        const childEntry = tree.get(child.id);
        if (childEntry) tree.unregister(childEntry);
      }
      hideElement(node);
      changed = true;
    } else if (entry.state.masked && !before.masked) {
      if (node.type === 'text') maskText(node, rules.maskOptions);
      else if (node.type === 'element') maskElement(node, rules.maskOptions);
      changed = true;
    }
  }
  return changed;
}

/** Whether re-evaluating `entry` alone would change its (sticky masked/hidden) restriction. */
function restrictionChanges(entry: Entry, rules: RestrictionRules): boolean {
  const before = entry.state;
  const after = rules.evaluate(entry, entry.parent?.state ?? UNRESTRICTED);
  return (
    (after.masked && !before.masked) ||
    (after.hidden && !before.hidden) ||
    after.readOnly !== before.readOnly
  );
}

const UNRESTRICTED = { masked: false, hidden: false, readOnly: false } as const;

/** Replaces the agents' copy of an element with the restricted one: remove, then add again. */
function readd(tree: PageTree, entry: Entry & { node: ElementNode }, out: MutationOp[]): void {
  const parent = entry.parent;
  if (!parent) return;
  const shadow = tree.slotOf(entry) === 'shadow';
  out.push(
    { op: 'remove', id: entry.id },
    {
      op: 'add',
      parent: parent.id,
      before: tree.nextSiblingId(entry),
      node: structuredClone(entry.node),
      ...(shadow && { shadow }),
    },
  );
}

function withoutAttribute(attrs: Record<string, string>, name: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(attrs)) if (key !== name) out[key] = value;
  return out;
}
