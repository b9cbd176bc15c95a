import type { DocumentNode, MutationOp, NodeId, Viewport } from './dom.ts';
import type { ErrorCode, Result } from './errors.ts';
import type { DomRestrictions } from './restrictions.ts';
import type { SessionReceipt } from './receipt.ts';
import type { PolicyReport, SessionWarning } from './masking-policy.ts';
import type {
  HandoffRequest,
  NavigateAction,
  NavigatingNotice,
  PageState,
  PausedNotice,
  TabInfo,
} from './continuity.ts';
import type { Annotation, AnnotationDraw, AnnotationsCleared } from './annotations.ts';

export type SessionStatus = 'waiting' | 'active' | 'ended';
/** `customer_left`: the customer's last tab went away and did not come back within the grace. */
export type EndReason = 'customer' | 'customer_left' | 'agent' | 'expired' | 'idle' | 'server';

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
  /** Live, navigating to another page, or paused (a pause page, or outside the site). */
  page?: PageState;
  /** When the customer's last tab went away (ms since epoch); absent while one is connected. */
  customerLeftAt?: number;
  /** Which of the customer's tabs is shared, once the snippet said. */
  tab?: TabInfo;
  /** True once the snippet reported other masking rules than the server's (tampered or stale). */
  policyMismatch?: boolean;
}

export interface PageSnapshot {
  /** Sequence number of this message on the customer's stream. A snapshot restarts nothing: seq keeps counting. */
  seq: number;
  url: string;
  title: string;
  viewport: Viewport;
  doc: DocumentNode;
}

/**
 * A snapshot as the snippet sends it: the document as a packed tree (packed-tree.ts), UTF-8 JSON,
 * deflated unless the browser cannot (`CompressionStream`). The server unpacks it into a
 * {@link PageSnapshot}; agents receive that.
 */
export interface PackedPageSnapshot extends Omit<PageSnapshot, 'doc'> {
  tree: Uint8Array;
  compression: 'deflate-raw' | 'none';
}

export interface PageBatch {
  seq: number;
  /** The customer's clock (ms since epoch) when the batch was sent. */
  sentAt: number;
  /**
   * Set by the server only (a client's is refused): its clock when the customer's node accepted
   * the batch, for the relay-latency metric. Absent from stored batches.
   */
  relayedAt?: number;
  ops: MutationOp[];
  /**
   * Where the customer's pointer is, when it moved since the last position sent: a batch carries
   * it instead of a `page:pointer` of its own, so that a busy page and a moving mouse cost one
   * frame, not two. Relayed with the batch, never stored.
   */
  pointer?: PointerPosition;
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
  /**
   * URL patterns (`session.pausePages`) on which the snippet sends nothing and shows the agent a
   * pause screen. Absent from older servers.
   */
  pausePages?: string[];
  /** The last page message the server accepted: the next page's snippet numbers on from it. */
  lastSeq?: number;
}>;
/** A one-time credential for the origin asked for (`session:handoff`). */
export type HandoffResult = Result<{ token: string; expiresAt: number }>;
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

/** Who controls the customer's page: nobody, an agent asking, or an agent the customer allowed. */
export interface ControlStatus {
  state: 'none' | 'requested' | 'granted';
  /** The agent (its participant id in the session) asking or in control; null when none. */
  agentId: string | null;
  name: string | null;
}

/**
 * What an agent in control does, aimed at a node id of the serialized tree. The server refuses
 * it without the customer's consent or on read-only or masked nodes; the snippet checks again.
 */
export type ControlAction =
  | { kind: 'click'; target: NodeId }
  /** One key: a single character, or a named key such as `Backspace` or `Enter`. */
  | { kind: 'key'; target: NodeId; key: string }
  /** Scrolls an element (or the document, by its id) by a distance in CSS pixels. */
  | { kind: 'scroll'; target: NodeId; dx: number; dy: number };

export interface ControlAsk {
  agentId: string;
  name: string;
}

/** The customer's answer to a control request. */
export interface ControlAnswer {
  agentId: string;
  allow: boolean;
}

/** A session as a supervisor sees it in the list. */
export interface SessionSummary {
  sessionId: string;
  status: SessionStatus;
  origin: string;
  url: string;
  createdAt: number;
  agents: Participant[];
  customerConnected: boolean;
}

export type ListResult = Result<{ sessions: SessionSummary[] }>;

export interface WatchRequest {
  protocol: number;
  sessionId: string;
}

/** Customer (snippet) → server. */
export interface CustomerToServerEvents {
  'session:start': (req: StartRequest, ack: (res: StartResult) => void) => void;
  'session:resume': (req: ResumeRequest, ack: (res: StartResult) => void) => void;
  'session:end': () => void;
  'page:snapshot': (snapshot: PageSnapshot | PackedPageSnapshot) => void;
  'page:batch': (batch: PageBatch) => void;
  'page:pointer': (pointer: PointerPosition) => void;
  'control:answer': (answer: ControlAnswer) => void;
  'control:revoke': () => void;
  /** The page is being left (a link, a form, a reload, back or forward). */
  'page:navigating': (notice: NavigatingNotice) => void;
  /** The page is not shown: nothing of it follows until the next snapshot. */
  'page:paused': (notice: PausedNotice) => void;
  'session:handoff': (req: HandoffRequest, ack: (res: HandoffResult) => void) => void;
  /** Which tab shares, and how many of the site's tabs are open (on resume, and on changes). */
  'page:tab': (tab: TabInfo) => void;
  /** The customer cleared the agents' drawings from the page. */
  'annotation:dismiss': () => void;
  /** The hash of the masking rules the snippet enforces, after each start and resume. */
  'session:policy': (report: PolicyReport) => void;
}

/** Server → customer (snippet). */
export interface ServerToCustomerEvents {
  'session:state': (view: SessionView) => void;
  'session:ended': (ended: SessionEnded) => void;
  /** Just before `session:ended`: the session's receipt (its final audit hash). */
  'session:receipt': (receipt: SessionReceipt) => void;
  /** Another tab of the customer took the session over: this one stops sharing. */
  'session:standby': () => void;
  'page:resync': (why: {
    reason: ErrorCode | 'agent_joined' | 'agent_request' | 'compact';
  }) => void;
  'agent:pointer': (pointer: AgentPointer) => void;
  'protocol:error': (error: ProtocolError) => void;
  'control:request': (ask: ControlAsk) => void;
  'control:state': (status: ControlStatus) => void;
  'control:action': (action: ControlAction & { agentId: string }) => void;
  /** An agent in control navigates the tab; the widget says who. */
  'control:navigate': (action: NavigateAction & { agentId: string; name: string }) => void;
  /** An agent drew on the page: the snippet shows it in its own overlay. */
  'annotation:show': (annotation: Annotation) => void;
  'annotation:cleared': (cleared: AnnotationsCleared) => void;
}

/** Agent console → server. */
export interface AgentToServerEvents {
  'session:join': (req: JoinRequest, ack: (res: JoinResult) => void) => void;
  'session:leave': () => void;
  'session:end': () => void;
  'page:resync': () => void;
  'agent:pointer': (pointer: PointerPosition & { target?: NodeId }) => void;
  /** Needs `cobrowse:supervise`. */
  'sessions:list': (req: Record<string, never>, ack: (res: ListResult) => void) => void;
  /** Joins any session without its code. Needs `cobrowse:supervise`. */
  'session:watch': (req: WatchRequest, ack: (res: JoinResult) => void) => void;
  /** Asks the customer for control. Needs `cobrowse:control`. */
  'control:request': (req: Record<string, never>, ack: (res: SimpleResult) => void) => void;
  'control:release': () => void;
  'control:action': (action: ControlAction) => void;
  /** Back, forward, reload or a URL of the site. Needs control granted, as actions do. */
  'control:navigate': (action: NavigateAction) => void;
  /** A highlight or a stroke on the customer's page. Needs `cobrowse:monitor`, not control. */
  'annotation:draw': (draw: AnnotationDraw) => void;
  /** Takes this agent's drawings away. */
  'annotation:clear': () => void;
}

/** Server → agent console. */
export interface ServerToAgentEvents {
  'session:state': (view: SessionView) => void;
  'session:ended': (ended: SessionEnded) => void;
  /** Just before `session:ended`: the same receipt the customer gets. */
  'session:receipt': (receipt: SessionReceipt) => void;
  /** Something the agent must know about the session (a snippet with other masking rules). */
  'session:warning': (warning: SessionWarning) => void;
  'page:snapshot': (snapshot: PageSnapshot) => void;
  'page:batch': (batch: PageBatch) => void;
  'page:pointer': (pointer: PointerPosition) => void;
  'protocol:error': (error: ProtocolError) => void;
  'control:state': (status: ControlStatus) => void;
  /** Every agent of the session sees every drawing, its own included (the echo is idempotent). */
  'annotation:show': (annotation: Annotation) => void;
  'annotation:cleared': (cleared: AnnotationsCleared) => void;
}
