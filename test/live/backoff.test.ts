import { describe, expect, it } from 'vitest';
import { FailureBudget, QUOTA_BACKOFF, RETRY_BACKOFF, RETRY_BUDGET, backoffDelay } from '../../src/live/backoff.js';
import { inFlightWindow, MAX_IN_FLIGHT_WINDOW_MS, MIN_IN_FLIGHT_WINDOW_MS } from '../../src/live/session.js';

describe('backoffDelay', () => {
  it('starts at about 100 ms and doubles, capped, with ±20 % jitter', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelay(attempt, RETRY_BACKOFF, 0.5))).toEqual([
      100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000,
    ]);
    expect(backoffDelay(1, RETRY_BACKOFF, 0)).toBe(80);
    expect(backoffDelay(1, RETRY_BACKOFF, 0.999_999)).toBe(120);
    expect(backoffDelay(10, RETRY_BACKOFF, 0.999_999)).toBeLessThanOrEqual(6_000);
  });

  it('waits longer for rate limits', () => {
    expect(backoffDelay(1, QUOTA_BACKOFF, 0.5)).toBe(500);
    expect(backoffDelay(9, QUOTA_BACKOFF, 0.5)).toBe(8_000);
  });
});

describe('FailureBudget', () => {
  it('allows RETRY_BUDGET consecutive failures, then is spent', () => {
    const budget = new FailureBudget();
    const attempts = Array.from({ length: RETRY_BUDGET + 1 }, () => budget.fail('retry'));
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6, undefined]);
  });

  it('resets once a connection proves itself, so spaced-out drops never run out', () => {
    const budget = new FailureBudget(2, 1);
    for (let i = 0; i < 50; i++) {
      expect(budget.fail('retry')).toBe(1);
      budget.reset();
    }
    expect(budget.fail('quota')).toBe(1);
    expect(budget.fail('quota')).toBeUndefined();
    expect(budget.failures).toBe(2);
  });
});

describe('inFlightWindow', () => {
  it('is two setup round trips, within bounds', () => {
    expect(inFlightWindow(0.7)).toBe(MIN_IN_FLIGHT_WINDOW_MS);
    expect(inFlightWindow(60)).toBe(120);
    expect(inFlightWindow(10_000)).toBe(MAX_IN_FLIGHT_WINDOW_MS);
  });
});
