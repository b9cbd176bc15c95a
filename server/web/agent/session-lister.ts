/**
 * A supervisor's socket for the list of live sessions. It is apart from the connection that joins
 * or watches a session, so that the list can be refreshed whatever that one is doing.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  AgentToServerEvents,
  ListResult,
  ServerToAgentEvents,
} from '../../src/protocol/index.ts';
import { AGENT_NAMESPACE } from '../../src/protocol/index.ts';

/** The server's answer, or why there was none (those are the console's own codes). */
export type ListOutcome = ListResult | { ok: false; code: 'no_answer'; message: string };

export interface ListerEvents {
  /** Connected (again): a good moment to refresh. */
  connected(): void;
  /** The server refused the sign-in; the socket is closed. */
  refused(message: string): void;
}

/** How long a list request may take before the console says so. */
const ANSWER_TIMEOUT_MS = 8000;

export class SessionLister {
  private readonly socket: Socket<ServerToAgentEvents, AgentToServerEvents>;

  constructor(origin: string, token: string, events: ListerEvents) {
    this.socket = io(`${origin}${AGENT_NAMESPACE}`, {
      transports: ['websocket'],
      auth: { token },
      forceNew: true,
    });
    this.socket.on('connect', () => events.connected());
    this.socket.on('connect_error', (error: Error & { data?: { message?: unknown } }) => {
      // A refused token will not get better by retrying.
      if (error.message !== 'unauthorized' && error.message !== 'forbidden_origin') return;
      const reason = typeof error.data?.message === 'string' ? `: ${error.data.message}` : '';
      this.close();
      events.refused(`Sign-in refused${reason}. Sign in again.`);
    });
    this.socket.on('protocol:error', (error) => {
      if (error.code !== 'unauthorized') return;
      this.close();
      events.refused('Your sign-in expired. Sign in again.');
    });
  }

  /** Asks for the list; while the socket (re)connects, the request waits for it, up to a timeout. */
  async list(): Promise<ListOutcome> {
    try {
      return await this.socket.timeout(ANSWER_TIMEOUT_MS).emitWithAck('sessions:list', {});
    } catch {
      return { ok: false, code: 'no_answer', message: 'The server did not answer; retrying…' };
    }
  }

  close(): void {
    this.socket.disconnect();
  }
}
