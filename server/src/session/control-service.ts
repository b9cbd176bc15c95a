/**
 * Control use cases over the store: ask, answer, end, and the check every control action passes
 * before it is relayed (consent, and never on read-only or masked nodes). Every change is one
 * atomic update of the session record.
 */
import { failure, type ControlAction, type Failure, type NodeId } from '../protocol/index.ts';
import type { SessionTransition, Store, UpdateResult } from '../store/index.ts';
import { answerControl, endControl, hasControl, requestControl } from './control.ts';
import { recordTtlMs, type SessionTimeouts } from './session.ts';
import { isPaused } from './continuity.ts';

/**
 * What the server knows of the customer's page that decides where an agent may act. The DOM
 * restrictions step answers it from its copy of the tree.
 */
export interface ControlPolicy {
  /** True when the agent must not click or type in the node: it is (inside) a read-only element. */
  isReadOnly(sessionId: string, nodeId: NodeId): boolean;
  /** True when the node is (inside) a masked element. */
  isMasked(sessionId: string, nodeId: NodeId): boolean;
  /** Brings what the policy knows of the session's page up to date before it is asked. */
  prepare?(sessionId: string): Promise<void>;
}

export interface ControlServiceDeps {
  store: Pick<Store, 'getSession' | 'update'>;
  timeouts: SessionTimeouts;
  policy: ControlPolicy;
  now?: () => number;
}

export class ControlService {
  private readonly now: () => number;

  constructor(private readonly deps: ControlServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  request(
    sessionId: string,
    agent: { id: string; name: string; subject?: string },
  ): Promise<UpdateResult> {
    return this.update(sessionId, (session) => requestControl(session, agent, this.now()));
  }

  answer(sessionId: string, agentId: string, allow: boolean): Promise<UpdateResult> {
    return this.update(sessionId, (session) => answerControl(session, agentId, allow, this.now()));
  }

  /** Ends control: the customer revokes (no agent), or the agent releases. */
  end(sessionId: string, agentId?: string): Promise<UpdateResult> {
    return this.update(sessionId, (session) => endControl(session, agentId));
  }

  /** Whether `agentId` may navigate the customer's tab now: control granted, page not paused. */
  async authorizeNavigation(sessionId: string, agentId: string): Promise<{ ok: true } | Failure> {
    const session = await this.deps.store.getSession(sessionId);
    if (!session) return failure('session_ended');
    if (!hasControl(session, agentId)) return failure('control_not_granted');
    if (isPaused(session)) return failure('paused');
    return { ok: true };
  }

  /** Whether `agentId` may perform `action` now; the reason when not. */
  async authorize(
    sessionId: string,
    agentId: string,
    action: ControlAction,
  ): Promise<{ ok: true } | Failure> {
    const session = await this.deps.store.getSession(sessionId);
    if (!session) return failure('session_ended');
    if (!hasControl(session, agentId)) return failure('control_not_granted');
    // On a pause page (or outside the site) control is suspended, granted or not.
    if (isPaused(session)) return failure('paused');
    const { policy } = this.deps;
    await policy.prepare?.(sessionId);
    if (policy.isReadOnly(sessionId, action.target)) return failure('read_only');
    if (policy.isMasked(sessionId, action.target))
      return failure('read_only', 'the element is masked: the agent may not act on it');
    return { ok: true };
  }

  private update(sessionId: string, transition: SessionTransition): Promise<UpdateResult> {
    return this.deps.store.update(sessionId, transition, {
      ttlMs: (next) => recordTtlMs(next, this.deps.timeouts, this.now()),
    });
  }
}
