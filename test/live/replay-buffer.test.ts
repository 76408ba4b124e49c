import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from '../../src/live/replay-buffer.js';

const CHUNK = 640; // 20 ms at 16 kHz

/** Sends `count` audio chunks on `conn` at times start, start+step, …; returns the server index of the last. */
function sendAudio(buffer: ReplayBuffer, conn: number, count: number, start: number, step: number, firstIndex: number): number {
  let index = firstIndex;
  for (let i = 0; i < count; i++) {
    const message = buffer.add('audio', `a${index}`, 'audio/pcm;rate=16000', CHUNK);
    buffer.markSent(message, start + i * step, conn, index);
    index++;
  }
  return index - 1;
}

describe('ReplayBuffer', () => {
  it('transparent: a handle covers exactly up to lastConsumedClientMessageIndex; the rest is replayed, nothing doubled', () => {
    const buffer = new ReplayBuffer();
    sendAudio(buffer, 1, 10, 0, 1, 1);
    buffer.confirm({ conn: 1, now: 10, lastConsumedIndex: 7 });
    expect(buffer.held.map((m) => m.serverIndex)).toEqual([8, 9, 10]);
    const plan = buffer.replay();
    expect(plan.messages.map((m) => m.payload)).toEqual(['a8', 'a9', 'a10']);
    expect(plan).toMatchObject({ replayedBytes: 3 * CHUNK, replayedTurns: 0, inFlightBytes: 0 });
  });

  it('Gemini API: messages sent before the in-flight window are covered; those in flight are replayed and reported', () => {
    const buffer = new ReplayBuffer();
    // 20 chunks at t = 0..19 ms; the handle arrives at t = 20 with a 5 ms window: cutoff 15.
    sendAudio(buffer, 1, 20, 0, 1, 1);
    buffer.confirm({ conn: 1, now: 20, cutoff: 15 });
    expect(buffer.held.map((m) => m.sentAt)).toEqual([16, 17, 18, 19]);
    // Two more after the handle: lost with the connection, replayed, not doubtful.
    sendAudio(buffer, 1, 2, 21, 1, 21);
    const plan = buffer.replay();
    expect(plan.messages).toHaveLength(6);
    expect(plan.replayedBytes).toBe(6 * CHUNK);
    expect(plan.inFlightBytes).toBe(4 * CHUNK);
  });

  it('never re-sends an answered text turn, and re-sends an unanswered one in its place', () => {
    const buffer = new ReplayBuffer();
    const first = buffer.add('text', 'first');
    buffer.markSent(first, 0, 1, 1);
    buffer.turnComplete();
    sendAudio(buffer, 1, 2, 1, 1, 2);
    const second = buffer.add('text', 'second');
    buffer.markSent(second, 3, 1, 4);
    const plan = buffer.replay();
    expect(plan.messages.map((m) => m.payload)).toEqual(['a2', 'a3', 'second']);
    expect(plan.replayedTurns).toBe(1);
  });

  it('Gemini API: the newest sends stay in flight even when the clock says they are old (a burst in the server queue)', () => {
    const buffer = new ReplayBuffer();
    // A burst of 10 chunks at t = 0; the handle arrives at t = 50 with a 5 ms window.
    sendAudio(buffer, 1, 10, 0, 0, 1);
    buffer.confirm({ conn: 1, now: 50, cutoff: 45, inFlightAudioBytes: 4 * CHUNK });
    expect(buffer.held.map((m) => m.payload)).toEqual(['a7', 'a8', 'a9', 'a10']);
    expect(buffer.replay().inFlightBytes).toBe(4 * CHUNK);
  });

  it('an answered text turn proves the server had everything before it (Gemini API)', () => {
    const buffer = new ReplayBuffer();
    sendAudio(buffer, 1, 3, 0, 1, 1);
    const text = buffer.add('text', 'q');
    buffer.markSent(text, 3, 1, 4);
    sendAudio(buffer, 1, 2, 4, 1, 5);
    buffer.turnComplete();
    // The window alone would cover nothing (cutoff before every send).
    buffer.confirm({ conn: 1, now: 6, cutoff: -1 });
    expect(buffer.held.map((m) => m.payload)).toEqual(['a5', 'a6']);
  });

  it('input captured while no connection is up waits in order, after the replay, and is not counted as replayed', () => {
    const buffer = new ReplayBuffer();
    sendAudio(buffer, 1, 2, 0, 1, 1);
    buffer.add('audio', 'new', 'audio/pcm;rate=16000', CHUNK);
    buffer.add('audioStreamEnd');
    expect(buffer.unsentCount).toBe(2);
    const plan = buffer.replay();
    expect(plan.messages.map((m) => m.payload ?? m.kind)).toEqual(['a1', 'a2', 'new', 'audioStreamEnd']);
    expect(plan.replayedBytes).toBe(2 * CHUNK);
  });

  it('a handle from a new connection covers nothing that was only sent on the old one', () => {
    const buffer = new ReplayBuffer();
    sendAudio(buffer, 1, 3, 0, 1, 1);
    buffer.confirm({ conn: 2, now: 100, cutoff: 99 });
    buffer.confirm({ conn: 2, now: 100, lastConsumedIndex: 50 });
    expect(buffer.held).toHaveLength(3);
  });

  it('is bounded: the oldest sent audio goes first, text turns stay', () => {
    const buffer = new ReplayBuffer(4 * CHUNK);
    const text = buffer.add('text', 'keep me');
    buffer.markSent(text, 0, 1, 1);
    sendAudio(buffer, 1, 6, 1, 1, 2);
    expect(buffer.heldAudioBytes).toBe(4 * CHUNK);
    expect(buffer.droppedAudioBytes).toBe(2 * CHUNK);
    expect(buffer.held.map((m) => m.payload)).toEqual(['keep me', 'a4', 'a5', 'a6', 'a7']);
  });

  it('measures the audio sent inside a window, for flow control', () => {
    const buffer = new ReplayBuffer();
    sendAudio(buffer, 1, 10, 0, 1, 1);
    expect(buffer.sentSince(4.5)).toBe(5 * CHUNK);
    expect(buffer.sendTimeLeaving(2 * CHUNK)).toBe(7);
    expect(buffer.sendTimeLeaving(10 * CHUNK)).toBeUndefined();
  });
});
