/**
 * Guessing session codes: every attempt counts against a per-minute budget per client address and
 * per agent, and wrong codes count towards a lockout (`rate_limited` until the window ends). The
 * counters live in the store, so that a cluster shares them.
 *
 * The store offers only `hit` (increment and read). Failures are read without a separate "peek"
 * by pairing two counters that every attempt increments together, so their windows open and
 * close together; a failure increments the second once more. Their difference is the number of
 * failures in the window.
 */
import { failure, type Failure } from '../protocol/index.ts';

export interface HitCounter {
  hit(key: string, windowMs: number, now: number): Promise<number>;
}

export interface CodeAttemptOptions {
  counter: HitCounter;
  /** Attempts per minute per address and per agent. */
  attemptsPerMinute: number;
  /** Wrong codes per address or agent before the lockout. */
  failuresBeforeLockout: number;
  /** How long failures are remembered, and so how long a lockout lasts at most. */
  lockoutMs: number;
  now?: () => number;
}

/** Who is trying: the client address and, once authenticated, the agent. */
export interface Attempter {
  address: string;
  agentId?: string;
}

export type AdmitResult = { ok: true } | (Failure & { lockedOut: boolean });

const MINUTE_MS = 60_000;

function subjects(who: Attempter): string[] {
  const keys = [`addr:${who.address}`];
  if (who.agentId !== undefined) keys.push(`agent:${who.agentId}`);
  return keys;
}

export class CodeAttemptGuard {
  private readonly now: () => number;

  constructor(private readonly options: CodeAttemptOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Counts an attempt; refuses it when a budget is spent or a lockout holds. */
  async admit(who: Attempter): Promise<AdmitResult> {
    const now = this.now();
    const { counter, lockoutMs } = this.options;
    let lockedOut = false;
    let limited = false;
    for (const subject of subjects(who)) {
      const perMinute = await counter.hit(`code-rate:${subject}`, MINUTE_MS, now);
      const attempts = await counter.hit(`code-attempts:${subject}`, lockoutMs, now);
      const attemptsAndFailures = await counter.hit(`code-failures:${subject}`, lockoutMs, now);
      if (attemptsAndFailures - attempts >= this.options.failuresBeforeLockout) lockedOut = true;
      if (perMinute > this.options.attemptsPerMinute) limited = true;
    }
    if (lockedOut)
      return { ...failure('rate_limited', 'too many wrong codes; try again later'), lockedOut };
    if (limited) return { ...failure('rate_limited'), lockedOut };
    return { ok: true };
  }

  /** Records a wrong code; true when this failure starts a lockout. */
  async recordFailure(who: Attempter): Promise<boolean> {
    const now = this.now();
    const { counter, lockoutMs } = this.options;
    let locked = false;
    for (const subject of subjects(who)) {
      // One failure more; reading the attempts counter bumps it, so the failures counter is
      // bumped once more to keep the difference (the failure count) exact.
      const total = await counter.hit(`code-failures:${subject}`, lockoutMs, now);
      const attempts = await counter.hit(`code-attempts:${subject}`, lockoutMs, now);
      await counter.hit(`code-failures:${subject}`, lockoutMs, now);
      if (total + 1 - attempts >= this.options.failuresBeforeLockout) locked = true;
    }
    return locked;
  }
}
