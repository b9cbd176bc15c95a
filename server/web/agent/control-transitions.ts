/**
 * What a change of control means to this console. The server announces only who controls the
 * page now; the story (the customer allowed, declined or took back control, or this agent gave
 * it back) follows from the previous state and what this agent itself just asked for.
 */
import type { ControlStatus } from '../../src/protocol/index.ts';
import type { OutcomeCode } from './outcomes.ts';

export type ControlMode = 'none' | 'requested' | 'granted' | 'other';

/** What this console last asked of the server, to tell its own doing from the customer's. */
export type LocalIntent = 'request' | 'release' | null;

export function modeOf(status: ControlStatus, selfId: string | undefined): ControlMode {
  if (status.state === 'none') return 'none';
  if (status.agentId !== selfId) return 'other';
  return status.state;
}

/** The outcome to tell the agent about, or null when the change is no news to them. */
export function controlOutcome(
  before: ControlMode,
  after: ControlMode,
  intent: LocalIntent,
): OutcomeCode | null {
  if (before === after) return null;
  if (after === 'requested') return 'control.requested';
  if (after === 'granted') return 'control.granted';
  if (after === 'other') return 'control.other';
  // after === 'none'
  if (before === 'requested') return intent === 'release' ? 'control.cancelled' : 'control.denied';
  if (before === 'granted') return intent === 'release' ? 'control.released' : 'control.revoked';
  return null;
}
