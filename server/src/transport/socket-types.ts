/**
 * The Socket.IO types of this server, from the protocol's event maps (protocol/messages.ts):
 * what each namespace may emit is checked against its server → client map, and what it listens
 * to is keyed by the client → server map with every payload `unknown` until its validator has
 * parsed it (a peer may send anything under a known name).
 */
import type { Namespace, Server, Socket } from 'socket.io';
import type {
  AgentToServerEvents,
  CustomerToServerEvents,
  Failure,
  ServerToAgentEvents,
  ServerToCustomerEvents,
} from '../protocol/index.ts';
import type { AgentIdentity } from '../security/agent-tokens.ts';

/** A client → server map as it arrives: the protocol's event names, payloads not yet parsed. */
export type Untrusted<M> = { [E in keyof M]: (...args: unknown[]) => void };

/** What a connection keeps of its session (Socket.IO's `socket.data`). */
export interface SessionData {
  sessionId?: string;
  agentId?: string;
  agentName?: string;
  /** The agent's verified token (agent namespace only). */
  identity?: AgentIdentity;
  /** A customer connection whose page is paused: it may send no page data. */
  paused?: boolean;
}

/**
 * Events between nodes of the cluster (besides the emits the adapter carries): a session ended,
 * so each node frees its copy of the page (page-copies.ts).
 */
export interface InterServerEvents {
  'session:forget': (sessionId: string) => void;
}

export type CustomerNamespace = Namespace<
  Untrusted<CustomerToServerEvents>,
  ServerToCustomerEvents,
  InterServerEvents,
  SessionData
>;
export type AgentNamespace = Namespace<
  Untrusted<AgentToServerEvents>,
  ServerToAgentEvents,
  InterServerEvents,
  SessionData
>;
export type CustomerSocket = Socket<
  Untrusted<CustomerToServerEvents>,
  ServerToCustomerEvents,
  InterServerEvents,
  SessionData
>;
export type AgentSocket = Socket<
  Untrusted<AgentToServerEvents>,
  ServerToAgentEvents,
  InterServerEvents,
  SessionData
>;

/**
 * The server. Socket.IO gives every namespace of a server the same type parameters, so the
 * server carries both sides' maps, and {@link namespacesOf} narrows each namespace to its own.
 */
export type TandemServer = Server<
  Untrusted<CustomerToServerEvents & AgentToServerEvents>,
  ServerToCustomerEvents & ServerToAgentEvents,
  InterServerEvents,
  SessionData
>;

export interface Namespaces {
  customers: CustomerNamespace;
  agents: AgentNamespace;
}

/** The two namespaces of a server, each typed by its own maps. */
export function namespacesOf(io: TandemServer, customer: string, agent: string): Namespaces {
  // Narrowing only: each namespace emits and listens to a subset of the server's maps.
  return {
    customers: io.of(customer) as unknown as CustomerNamespace,
    agents: io.of(agent) as unknown as AgentNamespace,
  };
}

type Args<F> = F extends (...args: infer A) => void ? A : never;

/** The payload an event carries (its first argument); unknown for an untyped `(...args)` event. */
export type PayloadOf<F> =
  Args<F> extends [infer P, ...unknown[]] ? P : Args<F> extends [] ? never : unknown;

/** The acknowledgement an event expects (its second argument), or undefined when none. */
export type AckOf<F> =
  Args<F> extends [unknown, infer A]
    ? A
    : Args<F> extends [] | [unknown]
      ? undefined
      : (response: unknown) => void;

/** Events that carry a payload, and events that carry none (signals). */
export type PayloadEvent<M> = {
  [E in keyof M & string]: Args<M[E]> extends [] ? never : E;
}[keyof M & string];
export type SignalEvent<M> = {
  [E in keyof M & string]: [] extends Args<M[E]> ? E : never;
}[keyof M & string];

/** Any acknowledgement can carry a refusal: every result type of the protocol includes Failure. */
export type FailureAck = (response: Failure) => void;
