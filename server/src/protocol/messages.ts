import type { DocumentNode, MutationOp, NodeId, Viewport } from './dom.ts';
import type { ErrorCode, Result } from './errors.ts';
import type { DomRestrictions } from './restrictions.ts';

export type SessionStatus = 'waiting' | 'active' | 'ended';
export type EndReason = 'customer' | 'agent' | 'expired' | 'idle' | 'server';

export interface Participant {
  id: string;
  name: string;
}

/** What each side sees of the session. */
export interface SessionView {
  sessionId: string;
  code: string;
  status: SessionStatus;
  agents: Participant[];
  customerConnected: boolean;
}

export interface PageSnapshot {
  /** Sequence number of this message on the customer's stream. A snapshot restarts nothing: seq keeps counting. */
  seq: number;
  url: string;
  title: string;
  viewport: Viewport;
  doc: DocumentNode;
}

export interface PageBatch {
  seq: number;
  /** The customer's clock (ms since epoch) when the batch was sent. */
  sentAt: number;
  ops: MutationOp[];
}

export interface PointerPosition {
  /** Coordinates in the top document's viewport, CSS pixels. */
  x: number;
  y: number;
}

export interface StartRequest {
  protocol: number;
  url: string;
}

export interface ResumeRequest {
  protocol: number;
  sessionId: string;
  token: string;
}

export interface JoinRequest {
  protocol: number;
  code: string;
  name?: string;
}

export type StartResult = Result<{
  sessionId: string;
  code: string;
  token: string;
  expiresAt: number;
  /** The DOM restrictions the snippet applies before it serializes anything. */
  restrictions: DomRestrictions;
}>;
export type JoinResult = Result<{ sessionId: string; agentId: string }>;
export type SimpleResult = Result;

export interface ProtocolError {
  code: ErrorCode;
  message: string;
  /** The event that was refused. */
  event: string;
}

export interface AgentPointer extends PointerPosition {
  agentId: string;
  name: string;
}

export interface SessionEnded {
  reason: EndReason;
}

/** Customer (snippet) → server. */
export interface CustomerToServerEvents {
  'session:start': (req: StartRequest, ack: (res: StartResult) => void) => void;
  'session:resume': (req: ResumeRequest, ack: (res: StartResult) => void) => void;
  'session:end': () => void;
  'page:snapshot': (snapshot: PageSnapshot) => void;
  'page:batch': (batch: PageBatch) => void;
  'page:pointer': (pointer: PointerPosition) => void;
}

/** Server → customer (snippet). */
export interface ServerToCustomerEvents {
  'session:state': (view: SessionView) => void;
  'session:ended': (ended: SessionEnded) => void;
  'page:resync': (why: {
    reason: ErrorCode | 'agent_joined' | 'agent_request' | 'compact';
  }) => void;
  'agent:pointer': (pointer: AgentPointer) => void;
  'protocol:error': (error: ProtocolError) => void;
}

/** Agent console → server. */
export interface AgentToServerEvents {
  'session:join': (req: JoinRequest, ack: (res: JoinResult) => void) => void;
  'session:leave': () => void;
  'session:end': () => void;
  'page:resync': () => void;
  'agent:pointer': (pointer: PointerPosition & { target?: NodeId }) => void;
}

/** Server → agent console. */
export interface ServerToAgentEvents {
  'session:state': (view: SessionView) => void;
  'session:ended': (ended: SessionEnded) => void;
  'page:snapshot': (snapshot: PageSnapshot) => void;
  'page:batch': (batch: PageBatch) => void;
  'page:pointer': (pointer: PointerPosition) => void;
  'protocol:error': (error: ProtocolError) => void;
}
