/**
 * The catalogue of error codes a peer may receive. Codes are stable; messages are for people.
 */
export const ERROR_CODES = {
  invalid_message: 'The message does not match the protocol.',
  unknown_event: 'The protocol has no event of this name.',
  payload_too_large: 'The message is larger than the server accepts.',
  unsupported_protocol: 'The client speaks another protocol version.',
  rate_limited: 'Too many attempts; try again later.',
  inflate_budget:
    "The connection's snapshots sent or inflated to more bytes this minute than the server allows; the snapshot was dropped.",
  session_not_found: 'No session matches.',
  invalid_code: 'The code is not valid or has expired.',
  session_full: 'The session has as many agents as it allows.',
  session_ended: 'The session has ended.',
  session_busy: 'The session changed too often to apply this; try again.',
  not_in_session: 'This connection is not part of a session.',
  sequence_gap: 'A message was missed; a fresh snapshot was requested.',
  page_state_missing:
    'This node holds no copy of the page to judge the change against; a fresh snapshot was requested.',
  forbidden_origin: 'The page origin is not allowed to connect.',
  unauthorized: 'The credentials were missing or not valid.',
  forbidden: 'The agent lacks the privilege this needs.',
  control_not_granted: 'The customer has not granted control to this agent.',
  read_only: 'The element is read-only or masked: the agent may not act on it.',
  resume_refused:
    'The resume credential is not valid: it was used already, belongs to another origin, or the session ended.',
  paused: 'Co-browsing is paused on this page: nothing of it is shown to the agent.',
  resync_limited: 'At most one resync a second per connection; this one was dropped.',
  internal: 'The server could not complete the request.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface Failure {
  ok: false;
  code: ErrorCode;
  message: string;
}

export type Result<T extends object = object> = ({ ok: true } & T) | Failure;

export function failure(code: ErrorCode, message: string = ERROR_CODES[code]): Failure {
  return { ok: false, code, message };
}
