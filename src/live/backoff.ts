/**
 * When to try again after a lost connection, and when to stop (contract: "Connection failures").
 * Pure: the caller supplies the random numbers and owns the timers.
 */

export interface BackoffPolicy {
  /** Delay before the first retry. */
  baseMs: number;
  /** Each further attempt multiplies the delay by this much. */
  factor: number;
  maxMs: number;
  /** Fraction of the delay that is random (0.2: ±20 %), so many clients do not retry in step. */
  jitter: number;
}

/** Network drops and server errors: try again at once-ish (about 100 ms), then back off to 5 s. */
export const RETRY_BACKOFF: BackoffPolicy = { baseMs: 100, factor: 2, maxMs: 5_000, jitter: 0.2 };
/** Rate limits: waiting is the cure, so start later and grow to 8 s. */
export const QUOTA_BACKOFF: BackoffPolicy = { baseMs: 500, factor: 2, maxMs: 8_000, jitter: 0.2 };

/** Consecutive failed attempts allowed before giving up (network drops and server errors). */
export const RETRY_BUDGET = 6;
/** Consecutive rate-limited attempts allowed before giving up with exit 6. */
export const QUOTA_BUDGET = 4;

/**
 * Delay before retry number `attempt` (1-based): base × factor^(attempt−1), capped, with jitter.
 * `random` is a number in [0, 1).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: number): number {
  const exponent = Math.max(0, attempt - 1);
  const plain = Math.min(policy.maxMs, policy.baseMs * policy.factor ** exponent);
  const spread = plain * policy.jitter * (2 * random - 1);
  return Math.max(0, Math.round(plain + spread));
}

export type FailureKind = 'retry' | 'quota';

/**
 * Counts consecutive failures. A connection that completed setup and then heard from the model (a
 * model turn or a resumption update) proves the link works again, and `reset()` clears the count.
 */
export class FailureBudget {
  private retries = 0;
  private quotas = 0;

  constructor(
    private readonly retryBudget = RETRY_BUDGET,
    private readonly quotaBudget = QUOTA_BUDGET,
  ) {}

  /** Records one failure; returns the attempt number for the next try, or undefined when spent. */
  fail(kind: FailureKind): number | undefined {
    if (kind === 'quota') {
      this.quotas++;
      return this.quotas > this.quotaBudget ? undefined : this.quotas;
    }
    this.retries++;
    return this.retries > this.retryBudget ? undefined : this.retries;
  }

  /** Consecutive failures so far (both kinds). */
  get failures(): number {
    return this.retries + this.quotas;
  }

  reset(): void {
    this.retries = 0;
    this.quotas = 0;
  }
}
