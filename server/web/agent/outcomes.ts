/**
 * Every outcome the console tells the agent about, in one table: what happened in words a person
 * understands, how it looks (its tone), and a stable code to quote to support. States added later
 * (navigation, tabs, pause…) are one more row here, not a new branch in the UI code.
 */

/** How a notice looks: good news, plain news, something to mind, or a failure. */
export type Tone = 'success' | 'info' | 'warning' | 'error';

interface OutcomeRow {
  tone: Tone;
  /** The text; `{name}` and `{time}` are filled in from the notice's details. */
  text: string;
}

/**
 * The table. Keys are the stable codes (`control.denied`, `refused.read_only`…): they appear in
 * the notice ("code: refused.read_only") and in docs/console.md, and never change meaning.
 */
export const OUTCOMES = {
  'control.requested': {
    tone: 'info',
    text: 'Asked the customer for control. Waiting for their answer…',
  },
  'control.granted': {
    tone: 'success',
    text: 'The customer allowed control: your clicks, typing and scrolling now act on their page.',
  },
  'control.denied': {
    tone: 'warning',
    text: 'The customer declined control. You can still point and draw; ask again if they agree.',
  },
  'control.revoked': {
    tone: 'warning',
    text: 'The customer took back control. Your clicks only point now.',
  },
  'control.released': { tone: 'info', text: 'You gave control back to the customer.' },
  'control.cancelled': { tone: 'info', text: 'You withdrew your request for control.' },
  'control.other': { tone: 'info', text: '{name} controls the page; only one agent at a time.' },
  'control.busy': {
    tone: 'warning',
    text: '{name} already has control or asked for it; only one agent at a time.',
  },
  'control.unanswered': {
    tone: 'error',
    text: 'The server did not answer the request. Check the connection and try again.',
  },
  'refused.no_privilege': {
    tone: 'warning',
    text: 'Your sign-in lets you watch, point and draw, not control the page (it lacks the cobrowse:control privilege).',
  },
  'refused.not_granted': {
    tone: 'warning',
    text: 'You do not control the page: ask the customer first.',
  },
  'refused.read_only': {
    tone: 'warning',
    text: 'That element is read-only: the site does not let agents click or type there.',
  },
  'refused.masked': {
    tone: 'warning',
    text: 'That field is private: agents never see or change what the customer types there.',
  },
  'refused.paused': {
    tone: 'warning',
    text: 'The customer paused sharing: nothing you do reaches their page until they resume.',
  },
  'refused.rate_limited': {
    tone: 'warning',
    text: 'Too many actions at once: slow down a moment.',
  },
  'refused.session_ended': { tone: 'error', text: 'The session has ended.' },
  'refused.other': { tone: 'error', text: 'The server refused that: {name}.' },
  'tab.switched': {
    tone: 'info',
    text: 'The customer switched tabs: you now see their {name}.',
  },
  'annotation.dismissed': {
    tone: 'info',
    text: 'The customer cleared the drawings from their page.',
  },
  'ended.self': {
    tone: 'info',
    text: 'You ended the session at {time}. The customer’s page is no longer shared with anyone.',
  },
  'ended.agent': {
    tone: 'info',
    text: 'Another agent ended the session at {time}. The customer’s page is no longer shared.',
  },
  'ended.customer': {
    tone: 'info',
    text: 'The customer ended the session at {time}. Their page is no longer shared.',
  },
  'ended.customer_left': {
    tone: 'info',
    text: 'The customer left at {time}: their last tab closed and did not come back.',
  },
  'ended.expired': { tone: 'warning', text: 'The session expired at {time}.' },
  'ended.idle': { tone: 'warning', text: 'The session ended at {time} after being idle.' },
  'ended.server': { tone: 'warning', text: 'The server ended the session at {time}.' },
  'ended.left': {
    tone: 'info',
    text: 'You left the session at {time}. It goes on for the customer and any other agent.',
  },
} as const satisfies Record<string, OutcomeRow>;

export type OutcomeCode = keyof typeof OUTCOMES;

/** A rendered outcome: what the console shows and announces. */
export interface Notice {
  code: OutcomeCode;
  tone: Tone;
  text: string;
}

export interface NoticeDetails {
  /** Another person's name, or a server message for `refused.other`. */
  name?: string;
  /** When it happened (ms since epoch), shown as local time. */
  at?: number;
}

/** `10:42:07`, the agent's local time. */
export function formatTime(at: number): string {
  const date = new Date(at);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

export function describeOutcome(code: OutcomeCode, details: NoticeDetails = {}): Notice {
  const row: OutcomeRow = OUTCOMES[code];
  const text = row.text
    .replace('{name}', details.name ?? 'Another agent')
    .replace('{time}', formatTime(details.at ?? Date.now()));
  return { code, tone: row.tone, text };
}

/**
 * The notice for a server refusal (`protocol:error`, or a failed ack) of a control event. The
 * server says `read_only` for read-only and masked targets alike; `masked` tells them apart,
 * from what the console sees of the target.
 */
export function refusalOutcome(serverCode: string, masked = false): OutcomeCode {
  switch (serverCode) {
    case 'read_only':
      return masked ? 'refused.masked' : 'refused.read_only';
    case 'masked':
      return 'refused.masked';
    case 'paused':
      return 'refused.paused';
    case 'forbidden':
      return 'refused.no_privilege';
    case 'control_not_granted':
      return 'refused.not_granted';
    case 'rate_limited':
      return 'refused.rate_limited';
    case 'session_ended':
      return 'refused.session_ended';
    default:
      return 'refused.other';
  }
}
