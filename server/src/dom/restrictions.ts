/**
 * The `restrictions` page step: the server enforces the DOM restrictions (masked, hidden,
 * read-only elements) again on what it receives, because neither the page nor the snippet can be
 * trusted. Per session it keeps its own copy of the page (page-tree.ts), evaluates the configured
 * selectors against it (selector.ts: a documented subset of CSS), masks or hides whatever slipped
 * through, and answers `isReadOnly` / `isMasked` for the control handler.
 */
import type { MutationOp, NodeId, PageBatch, PageSnapshot } from '../protocol/index.ts';
import {
  BUILT_IN_HIDE,
  BUILT_IN_MASK,
  BUILT_IN_READONLY,
  HIDDEN_PLACEHOLDER_ATTRIBUTE,
  type DomRestrictions,
} from '../protocol/restrictions.ts';
import type { PageRecord } from '../store/index.ts';
import type { Entry } from './page-tree.ts';
import { PageTree, UNRESTRICTED, type Restriction, type TreeNode } from './page-tree.ts';
import type { PageContext, PageStep } from './pipeline.ts';
import { SessionCache, type SessionCacheOptions } from './session-cache.ts';
import { applyOp } from './restrict-ops.ts';
import { hideElement, maskElement, maskText, type MaskOptions } from './restrict-node.ts';
import {
  matchesSelector,
  parseSelector,
  testedAttributeNames,
  testsAncestors,
  type SelectorList,
} from './selector.ts';

export type { Restriction } from './page-tree.ts';

/** The configured part of the restrictions (the `dom-restrictions` config section). */
export interface RestrictionsConfig {
  /** Extra selectors of masked elements. Default none (the built-ins always apply). */
  mask: readonly string[];
  /** Extra selectors of hidden elements. Default none. */
  hide: readonly string[];
  /** Extra selectors of read-only elements. Default none. */
  readOnly: readonly string[];
  /** `length` keeps the length of what is masked; `fixed` always shows `fixedMaskLength`. Default `length`. */
  maskMode: DomRestrictions['maskMode'];
  /** Default 8. */
  fixedMaskLength: number;
}

/** `maxSessions`: sessions whose page copy is kept (default 1000); `onEvict`, for metrics. */
export type RestrictionsStepOptions = SessionCacheOptions;

/** The rules the snippet receives: built-ins first, then the configured selectors. */
export function resolveRestrictions(config: RestrictionsConfig): DomRestrictions {
  return {
    mask: [...BUILT_IN_MASK, ...config.mask],
    hide: [...BUILT_IN_HIDE, ...config.hide],
    readOnly: [...BUILT_IN_READONLY, ...config.readOnly],
    maskMode: config.maskMode,
    fixedMaskLength: config.fixedMaskLength,
  };
}

function compile(selectors: readonly string[]): SelectorList {
  const list = [];
  for (const source of selectors) {
    const parsed = parseSelector(source);
    // The config schema refuses unsupported selectors, so this is a bug, not bad input.
    if (!parsed.ok) throw new Error(`unsupported selector "${source}": ${parsed.message}`);
    list.push(...parsed.selector);
  }
  return list;
}

/**
 * Attribute names that the selectors test, read from the parsed selectors: a change to one of
 * them can change what matches. With the built-ins alone neither `class` nor `id` is tested, so
 * a class toggle (the commonest mutation) needs no new look at the rules.
 */
function testedAttributes(lists: readonly SelectorList[]): Set<string> {
  const names = new Set([HIDDEN_PLACEHOLDER_ATTRIBUTE]);
  for (const list of lists) for (const name of testedAttributeNames(list)) names.add(name);
  return names;
}

export interface Rules extends MaskOptions {
  mask: SelectorList;
  hide: SelectorList;
  readOnly: SelectorList;
  tested: Set<string>;
}

export class RestrictionsStep implements PageStep {
  readonly name = 'restrictions';
  /** What the snippet is sent in the `session:start` / `session:resume` ack. */
  readonly restrictions: DomRestrictions;
  private readonly rules: Rules;
  private readonly trees: SessionCache<PageTree>;
  private readonly ancestorTests: boolean;

  constructor(config: RestrictionsConfig, options: RestrictionsStepOptions = {}) {
    this.restrictions = resolveRestrictions(config);
    const r = this.restrictions;
    const mask = compile(r.mask);
    const hide = compile(r.hide);
    const readOnly = compile(r.readOnly);
    this.rules = {
      mask,
      hide,
      readOnly,
      tested: testedAttributes([mask, hide, readOnly]),
      maskMode: r.maskMode,
      fixedMaskLength: r.fixedMaskLength,
    };
    this.trees = new SessionCache(options);
    this.ancestorTests = [this.rules.mask, this.rules.hide, this.rules.readOnly].some(
      testsAncestors,
    );
  }

  snapshot(ctx: PageContext, snapshot: PageSnapshot): PageSnapshot {
    const doc = structuredClone(snapshot.doc);
    const tree = new PageTree();
    tree.seq = snapshot.seq;
    const restricted = this.adopt(tree, doc, null, false);
    this.trees.set(ctx.sessionId, tree);
    // The tree keeps its copy; the agents get a second one only when something was masked.
    return restricted ? { ...snapshot, doc: structuredClone(doc) } : snapshot;
  }

  batch(ctx: PageContext, batch: PageBatch): PageBatch {
    const tree = this.trees.get(ctx.sessionId);
    // The pipeline asks for a snapshot before it gets here (hasSession); alone, fail closed.
    if (!tree) return { ...batch, ops: [] };
    tree.seq = batch.seq;
    const ops: MutationOp[] = [];
    for (const op of batch.ops) applyOp(tree, op, this, ops);
    return { ...batch, ops };
  }

  hasSession(sessionId: string): boolean {
    return this.trees.has(sessionId);
  }

  forget(sessionId: string): void {
    this.trees.delete(sessionId);
  }

  /** How many sessions' page copies this node keeps (for the gauge). */
  get sessionCount(): number {
    return this.trees.size;
  }

  /**
   * The store sequence number this node's copy of the page reflects (its last message applied),
   * or undefined when it has none: behind the store's, it must catch up before it is asked.
   */
  pageSeq(sessionId: string): number | undefined {
    return this.trees.peek(sessionId)?.seq;
  }

  /**
   * Brings this node's copy of a session's page up to date from the store (a session whose
   * customer is connected to another node, or was): rebuilds it from a newer stored snapshot,
   * then replays the batches after what the copy already has. Stored messages are already
   * restricted; replaying is idempotent.
   */
  syncPage(sessionId: string, page: PageRecord): void {
    const snapshot = page.snapshot;
    if (!snapshot) return;
    let tree = this.trees.get(sessionId);
    if (!tree || tree.seq < snapshot.seq) {
      this.snapshot({ sessionId }, snapshot);
      tree = this.trees.get(sessionId);
    }
    for (const batch of page.batches) {
      if (tree && batch.seq > tree.seq) this.batch({ sessionId }, batch);
    }
  }

  /** The restriction of a node of the session's page, or undefined when the node is unknown. */
  restrictionOf(sessionId: string, nodeId: NodeId): Restriction | undefined {
    return this.trees.peek(sessionId)?.get(nodeId)?.state;
  }

  /** True when the agent must not click or type on the node; unknown nodes count as read-only. */
  isReadOnly(sessionId: string, nodeId: NodeId): boolean {
    return this.restrictionOf(sessionId, nodeId)?.readOnly ?? true;
  }

  /** True when the node is masked or hidden; unknown nodes count as masked. */
  isMasked(sessionId: string, nodeId: NodeId): boolean {
    const state = this.restrictionOf(sessionId, nodeId);
    return state ? state.masked || state.hidden : true;
  }

  /** Evaluates the rules for one entry, combined with what it inherits. */
  evaluate(entry: Entry, inherited: Restriction): Restriction {
    const el = entry.element;
    if (!el) return inherited;
    const hidden =
      inherited.hidden ||
      entry.attribute(HIDDEN_PLACEHOLDER_ATTRIBUTE) !== undefined ||
      matchesSelector(entry, this.rules.hide);
    return {
      hidden,
      masked: hidden || inherited.masked || matchesSelector(entry, this.rules.mask),
      readOnly: inherited.readOnly || matchesSelector(entry, this.rules.readOnly),
    };
  }

  get maskOptions(): MaskOptions {
    return this.rules;
  }

  isTestedAttribute(name: string): boolean {
    return this.rules.tested.has(name.toLowerCase());
  }

  get testsAncestors(): boolean {
    return this.ancestorTests;
  }

  /**
   * Registers `node` and its subtree under `parent`, restricting each node as it goes. True when
   * anything in the subtree was masked or hidden (changed in place).
   */
  adopt(tree: PageTree, node: TreeNode, parent: Entry | null, boundary: boolean): boolean {
    const entry = tree.register(node, parent, boundary);
    const inherited = parent?.state ?? UNRESTRICTED;
    if (node.type === 'text') {
      entry.state = inherited;
      if (inherited.masked) maskText(node, this.rules);
      return inherited.masked;
    }
    let restricted = false;
    if (node.type === 'document') {
      entry.state = inherited;
      for (const child of node.children)
        restricted = this.adopt(tree, child, entry, false) || restricted;
      return restricted;
    }
    entry.state = this.evaluate(entry, inherited);
    if (entry.state.hidden) {
      hideElement(node);
      return true;
    }
    if (entry.state.masked) {
      maskElement(node, this.rules);
      restricted = true;
    }
    for (const child of node.children)
      restricted = this.adopt(tree, child, entry, false) || restricted;
    for (const child of node.shadow ?? [])
      restricted = this.adopt(tree, child, entry, true) || restricted;
    if (node.frame) restricted = this.adopt(tree, node.frame, entry, true) || restricted;
    return restricted;
  }
}
