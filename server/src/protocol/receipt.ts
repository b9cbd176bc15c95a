/**
 * The receipt of a session, sent to the customer's widget and the agent console when the session
 * ends: the final link of the session's audit chain (so anyone can check it against the log with
 * `tandem audit verify`), who joined, and what they were allowed to do and when. Names and
 * times only, never page content.
 */
export interface SessionReceipt {
  sessionId: string;
  /** The chain's last seq and hash (SHA-256, hex). */
  seq: number;
  hash: string;
  startedAt: number;
  endedAt: number;
  /** Everyone who joined, in order. */
  joined: Array<{ name: string; role: 'agent' | 'supervisor'; at: number }>;
  /** Every change of what an agent was allowed to do, in order. */
  permissions: Array<{
    name: string;
    change: 'requested' | 'granted' | 'denied' | 'revoked' | 'released';
    at: number;
  }>;
}
