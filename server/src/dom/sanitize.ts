/**
 * The `sanitize` page step, first in the pipeline: every snapshot and batch is reduced to an
 * allowlist of elements, attributes and URL schemes (sanitize-node.ts) before anything else sees
 * it. Per session it remembers the kind of every node it let through, so that a later operation
 * aimed at a node it removed (or never saw) is dropped, and one aimed at a kept node is judged by
 * that node's kind (an `href` on `<use>`, CSS only for `<style>`, a bitmap only for `<canvas>`).
 */
import type { MutationOp, NodeId, PageBatch, PageSnapshot } from '../protocol/index.ts';
import { isConsoleOwnedAttribute } from '../protocol/owned-attributes.ts';
import type { PageContext, PageStep } from './pipeline.ts';
import { SessionCache, type SessionCacheOptions } from './session-cache.ts';
import {
  isElementImage,
  kindOf,
  sanitizeAttribute,
  sanitizeCss,
  sanitizeDocument,
  sanitizeNode,
  type SanitizeContext,
} from './sanitize-node.ts';

interface SessionNodes {
  base: string | undefined;
  kinds: Map<NodeId, string>;
  /** Children of each kept node, so that a removal forgets the whole subtree. */
  children: Map<NodeId, NodeId[]>;
}

/** Why an operation was refused outright (rather than reduced), for metrics and logs. */
export type RefusedOpReason = 'owned_attribute';

export interface RefusedOp {
  sessionId: string;
  reason: RefusedOpReason;
  /** The operation's kind and, for attributes, the attribute's name (never its value). */
  op: MutationOp['op'];
  name?: string;
}

export interface SanitizeStepOptions {
  /** The bound of the per-session map (`maxSessions`, default 1000) and its eviction hook. */
  cache?: SessionCacheOptions;
  /** Called with how many operations or nodes a message lost, for metrics. Default: nothing. */
  onDropped?: (sessionId: string, count: number) => void;
  /**
   * Called for each operation refused because it attacks the console itself (an attribute the
   * console owns), once per operation. Default: nothing.
   */
  onRefused?: (refused: RefusedOp) => void;
}

function httpBase(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export class SanitizeStep implements PageStep {
  readonly name = 'sanitize';
  private readonly sessions: SessionCache<SessionNodes>;

  constructor(private readonly options: SanitizeStepOptions = {}) {
    this.sessions = new SessionCache(options.cache);
  }

  snapshot(ctx: PageContext, snapshot: PageSnapshot): PageSnapshot {
    const state: SessionNodes = {
      base: httpBase(snapshot.url),
      kinds: new Map(),
      children: new Map(),
    };
    this.sessions.set(ctx.sessionId, state);
    const doc = sanitizeDocument(snapshot.doc, this.context(state), null);
    return { ...snapshot, doc };
  }

  batch(ctx: PageContext, batch: PageBatch): PageBatch {
    const state = this.sessions.get(ctx.sessionId);
    // Without a snapshot there is nothing an operation could safely name.
    if (!state) return { ...batch, ops: [] };
    const ops: MutationOp[] = [];
    for (const op of batch.ops) {
      const safe = this.op(ctx, state, op);
      if (safe) ops.push(safe);
    }
    if (ops.length < batch.ops.length) {
      this.options.onDropped?.(ctx.sessionId, batch.ops.length - ops.length);
    }
    return { ...batch, ops };
  }

  hasSession(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  forget(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  /** How many sessions' node kinds this node keeps (for the gauge). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  private context(state: SessionNodes): SanitizeContext {
    return {
      base: state.base,
      keep: (id, node, parent) => {
        state.kinds.set(id, node.kind);
        if (parent === null) return;
        const siblings = state.children.get(parent);
        if (siblings) siblings.push(id);
        else state.children.set(parent, [id]);
      },
    };
  }

  /** Focus and hover name an element the agent has, or nobody (null) when it is not one. */
  private pointedAt(
    state: SessionNodes,
    op: Extract<MutationOp, { op: 'focus' | 'hover' }>,
  ): MutationOp {
    if (op.id === null) return op;
    const kind = state.kinds.get(op.id);
    const isElement = kind !== undefined && kind !== '#text' && kind !== '#document';
    return isElement ? op : { ...op, id: null };
  }

  private forgetSubtree(state: SessionNodes, id: NodeId): void {
    const pending = [id];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      state.kinds.delete(next);
      const children = state.children.get(next);
      if (children) pending.push(...children);
      state.children.delete(next);
    }
  }

  private op(ctx: PageContext, state: SessionNodes, op: MutationOp): MutationOp | null {
    if (op.op === 'viewport') return op;
    if (op.op === 'focus' || op.op === 'hover') return this.pointedAt(state, op);
    const target = op.op === 'add' ? op.parent : op.id;
    const kind = state.kinds.get(target);
    if (kind === undefined) return null;
    switch (op.op) {
      case 'add': {
        if (kind === '#text' || kind.endsWith(':style')) return null;
        if (op.before !== null && !state.kinds.has(op.before)) return null;
        if (state.kinds.has(op.node.id)) this.forgetSubtree(state, op.node.id);
        const node = sanitizeNode(op.node, this.context(state), op.parent);
        return node ? { ...op, node } : null;
      }
      case 'remove':
        this.forgetSubtree(state, op.id);
        return op;
      case 'attr': {
        if (kind === '#text' || kind === '#document') return null;
        // Neither a removal nor a new value: the console's sandbox, frame source and stand-ins
        // are its own (a page removing `sandbox` from its iframe must not unsandbox ours).
        if (kind.startsWith('html:') && isConsoleOwnedAttribute(kind.slice(5), op.name)) {
          this.options.onRefused?.({
            sessionId: ctx.sessionId,
            reason: 'owned_attribute',
            op: op.op,
            name: op.name.slice(0, 64),
          });
          return null;
        }
        if (op.value === null) return op;
        const value = sanitizeAttribute(kind, op.name, op.value, state.base);
        // Most values pass unchanged: no copy of the operation then.
        return value === op.value ? op : { ...op, value };
      }
      case 'text':
        return kind === '#text' ? op : null;
      case 'input':
      case 'scroll':
        return kind === '#text' ? null : op;
      case 'css': {
        if (!kind.endsWith(':style')) return null;
        const css = sanitizeCss(op.css) ?? '';
        return css === op.css ? op : { ...op, css };
      }
      case 'canvas':
        return isElementImage(kind, op.data) ? op : null;
      case 'sheets': {
        // A document's own list, or a shadow root's (named by its host).
        if (kind === '#text') return null;
        const sheets = op.sheets.map((css) => sanitizeCss(css) ?? '');
        return sheets.every((css, i) => css === op.sheets[i]) ? op : { ...op, sheets };
      }
      case 'selection': {
        if (kind !== '#document') return null;
        const ranges = op.ranges.filter((r) => state.kinds.has(r.start) && state.kinds.has(r.end));
        return ranges.length === op.ranges.length ? op : { ...op, ranges };
      }
      case 'layer':
        if (op.layer === 'modal') return kind === 'html:dialog' ? op : null;
        return kind.startsWith('html:') ? op : null;
      case 'frame': {
        if (kind !== 'html:iframe') return null;
        for (const child of state.children.get(op.id) ?? []) {
          if (state.kinds.get(child) === '#document') this.forgetSubtree(state, child);
        }
        if (op.doc === null) return op;
        return { ...op, doc: sanitizeDocument(op.doc, this.context(state), op.id) };
      }
    }
  }
}

export { kindOf };
