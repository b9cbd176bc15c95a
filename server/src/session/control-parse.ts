/**
 * Validators for the control messages. Like the protocol's, they take `unknown` and return the
 * typed message or a failure naming the path; they never throw.
 */
import type { ControlAction, ControlAnswer, WatchRequest } from '../protocol/index.ts';
import type { Parsed } from '../protocol/validate.ts';
import { isAllowedKey } from '../protocol/control-keys.ts';

const MAX_SCROLL = 100_000;
const MAX_NODE_ID = 2 ** 31 - 1;

type Obj = Record<string, unknown>;

function bad<T>(message: string): Parsed<T> {
  return { ok: false, code: 'invalid_message', message };
}

function asObject(value: unknown): Obj | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Obj)
    : null;
}

function hasOnly(obj: Obj, keys: readonly string[]): string | null {
  return Object.keys(obj).find((key) => !keys.includes(key)) ?? null;
}

function isNodeId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_NODE_ID;
}

export function parseControlAction(input: unknown): Parsed<ControlAction> {
  const obj = asObject(input);
  if (!obj) return bad('action: expected an object');
  if (!isNodeId(obj.target)) return bad('action.target: expected a node id');
  const target = obj.target;
  switch (obj.kind) {
    case 'click': {
      const extra = hasOnly(obj, ['kind', 'target']);
      return extra
        ? bad(`action.${extra}: unknown field`)
        : { ok: true, value: { kind: 'click', target } };
    }
    case 'key': {
      const extra = hasOnly(obj, ['kind', 'target', 'key']);
      if (extra) return bad(`action.${extra}: unknown field`);
      if (typeof obj.key !== 'string' || obj.key.length > 16 || !isAllowedKey(obj.key))
        return bad('action.key: expected one character or a named key');
      return { ok: true, value: { kind: 'key', target, key: obj.key } };
    }
    case 'scroll': {
      const extra = hasOnly(obj, ['kind', 'target', 'dx', 'dy']);
      if (extra) return bad(`action.${extra}: unknown field`);
      const { dx, dy } = obj;
      if (typeof dx !== 'number' || !Number.isFinite(dx) || Math.abs(dx) > MAX_SCROLL)
        return bad('action.dx: expected a finite distance');
      if (typeof dy !== 'number' || !Number.isFinite(dy) || Math.abs(dy) > MAX_SCROLL)
        return bad('action.dy: expected a finite distance');
      return { ok: true, value: { kind: 'scroll', target, dx, dy } };
    }
    default:
      return bad('action.kind: unknown action');
  }
}

export function parseControlAnswer(input: unknown): Parsed<ControlAnswer> {
  const obj = asObject(input);
  if (!obj) return bad('answer: expected an object');
  const extra = hasOnly(obj, ['agentId', 'allow']);
  if (extra) return bad(`answer.${extra}: unknown field`);
  if (typeof obj.agentId !== 'string' || obj.agentId.length === 0 || obj.agentId.length > 64)
    return bad('answer.agentId: expected an agent id');
  if (typeof obj.allow !== 'boolean') return bad('answer.allow: expected a boolean');
  return { ok: true, value: { agentId: obj.agentId, allow: obj.allow } };
}

/** A request with no fields (`{}`), as `control:request` and `sessions:list` take. */
export function parseEmpty(input: unknown): Parsed<Record<string, never>> {
  const obj = asObject(input);
  if (!obj || Object.keys(obj).length > 0) return bad('request: expected an empty object');
  return { ok: true, value: {} };
}

export function parseWatchRequest(input: unknown): Parsed<WatchRequest> {
  const obj = asObject(input);
  if (!obj) return bad('watch: expected an object');
  const extra = hasOnly(obj, ['protocol', 'sessionId']);
  if (extra) return bad(`watch.${extra}: unknown field`);
  if (typeof obj.protocol !== 'number' || !Number.isInteger(obj.protocol))
    return bad('watch.protocol: expected an integer');
  if (typeof obj.sessionId !== 'string' || obj.sessionId.length === 0 || obj.sessionId.length > 64)
    return bad('watch.sessionId: expected a session id');
  return { ok: true, value: { protocol: obj.protocol, sessionId: obj.sessionId } };
}
