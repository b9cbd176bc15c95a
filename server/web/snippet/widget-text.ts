/**
 * What the widget says to the customer, in one table: each outcome of control, drawing and the
 * end of the session. States added later (navigation, tabs, pause…) are one more row here.
 */
import type { EndReason } from '../../src/protocol/index.ts';

export const WIDGET_TEXT = {
  'control.asked':
    '{name} asks to control this page: click, type and scroll for you. Fields you keep private stay off limits.',
  'control.granted': '{name} controls this page.',
  'control.denied': 'You declined. {name} can still point and draw, but not click or type.',
  'control.revoked': 'You took back control. {name} can only point now.',
  'control.released': '{name} gave control back to you.',
  'control.withdrawn': '{name} withdrew the request for control.',
  'annotation.shown': '{name} drew on this page. Only you and the agents see it.',
  'annotation.cleared': 'You cleared the drawings.',
  'ended.customer': 'You ended the session at {time}.',
  'ended.agent': 'The agent ended the session at {time}.',
  'ended.customer_left': 'The session ended at {time}: this tab was away too long.',
  'ended.expired': 'The session expired at {time}.',
  'ended.idle': 'The session ended at {time} after being idle.',
  'ended.server': 'The session ended at {time}.',
  'ended.next': 'Nothing on this page is shared any more. You can close this box.',
} as const;

export type WidgetTextKey = keyof typeof WIDGET_TEXT;

function clock(at: number): string {
  const date = new Date(at);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

export function widgetText(key: WidgetTextKey, vars: { name?: string; at?: number } = {}): string {
  return WIDGET_TEXT[key]
    .replace('{name}', vars.name ?? 'The agent')
    .replace('{time}', clock(vars.at ?? Date.now()));
}

export function endedText(reason: EndReason, at: number): string {
  return widgetText(`ended.${reason}`, { at });
}
