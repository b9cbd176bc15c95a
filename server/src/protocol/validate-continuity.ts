/**
 * Validators for the continuity messages (continuity.ts): navigating, paused, hand-off and an
 * agent's navigation. Like the others they take `unknown`, never throw, and name the bad path.
 */
import type {
  HandoffRequest,
  NavigateAction,
  NavigatingNotice,
  PausedNotice,
  TabInfo,
} from './continuity.ts';
import { MAX_TABS } from './continuity.ts';
import { LIMITS } from './limits.ts';
import type { Parsed } from './validate.ts';

type Obj = Record<string, unknown>;

function bad<T>(message: string): Parsed<T> {
  return { ok: false, code: 'invalid_message', message };
}

function asObject(value: unknown, path: string, keys: readonly string[]): Obj | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `${path}: expected an object`;
  const extra = Object.keys(value).find((key) => !keys.includes(key));
  return extra === undefined ? (value as Obj) : `${path}.${extra}: unknown field`;
}

/** An absolute http(s) URL reduced to origin and path; null for anything else. */
export function originAndPath(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return `${url.origin}${url.pathname}`;
  } catch {
    return null;
  }
}

export function parseNavigatingNotice(input: unknown): Parsed<NavigatingNotice> {
  const obj = asObject(input, 'navigating', ['to']);
  if (typeof obj === 'string') return bad(obj);
  if (typeof obj.to !== 'string' || obj.to.length > LIMITS.maxUrlLength)
    return bad('navigating.to: expected a URL or an empty string');
  if (obj.to === '') return { ok: true, value: { to: '' } };
  // Whatever the snippet sent, only an origin and a path reach agents.
  const to = originAndPath(obj.to);
  return to === null ? bad('navigating.to: expected an http(s) URL') : { ok: true, value: { to } };
}

export function parseTabInfo(input: unknown): Parsed<TabInfo> {
  const obj = asObject(input, 'tab', ['index', 'count']);
  if (typeof obj === 'string') return bad(obj);
  const { index, count } = obj;
  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > MAX_TABS)
    return bad(`tab.count: expected an integer 1..${MAX_TABS}`);
  if (!Number.isInteger(index) || (index as number) < 1 || (index as number) > (count as number))
    return bad('tab.index: expected an integer 1..count');
  return { ok: true, value: { index: index as number, count: count as number } };
}

export function parsePausedNotice(input: unknown): Parsed<PausedNotice> {
  const obj = asObject(input, 'paused', ['reason']);
  if (typeof obj === 'string') return bad(obj);
  if (obj.reason !== 'site' && obj.reason !== 'left_site')
    return bad('paused.reason: expected "site" or "left_site"');
  return { ok: true, value: { reason: obj.reason } };
}

export function parseHandoffRequest(input: unknown): Parsed<HandoffRequest> {
  const obj = asObject(input, 'handoff', ['origin']);
  if (typeof obj === 'string') return bad(obj);
  if (typeof obj.origin !== 'string' || obj.origin.length > 256)
    return bad('handoff.origin: expected an origin');
  return { ok: true, value: { origin: obj.origin } };
}

export function parseNavigateAction(input: unknown): Parsed<NavigateAction> {
  const obj = asObject(input, 'navigate', ['go', 'url']);
  if (typeof obj === 'string') return bad(obj);
  switch (obj.go) {
    case 'back':
    case 'forward':
    case 'reload':
      return obj.url === undefined
        ? { ok: true, value: { go: obj.go } }
        : bad('navigate.url: only with go "url"');
    case 'url': {
      if (typeof obj.url !== 'string' || obj.url.length > LIMITS.maxUrlLength)
        return bad('navigate.url: expected a URL');
      const parsed = originAndPath(obj.url) === null ? null : new URL(obj.url);
      if (!parsed) return bad('navigate.url: expected an http(s) URL');
      return { ok: true, value: { go: 'url', url: parsed.href } };
    }
    default:
      return bad('navigate.go: expected back, forward, reload or url');
  }
}
