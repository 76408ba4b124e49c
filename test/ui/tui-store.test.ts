import { describe, expect, it } from 'vitest';
import { SILENCE_DBFS } from '../../src/audio/level.js';
import type { LiveEvent } from '../../src/core/events.js';
import { goAwayView, levelNow } from '../../src/ui/state/derive.js';
import { TuiStore, type TuiSettings } from '../../src/ui/state/tui-store.js';
import { audioEvent, eventsUntil, feed, loadEvents, manualClock, nextTick, sinePcm } from './helpers.js';

function makeStore(overrides: Partial<TuiSettings> = {}) {
  const clock = manualClock();
  const store = new TuiStore({ model: 'm', mic: 'live', pushToTalk: false, now: clock.now, ...overrides });
  return { store, clock };
}

const at = (t: number, event: Record<string, unknown>): LiveEvent => ({ t, conn: 1, ...event }) as LiveEvent;

describe('TuiStore transcript', () => {
  it('builds settled turns from a recorded text session, pieces concatenated exactly', () => {
    const { store } = makeStore();
    feed(store, loadEvents('goaway-text'));
    const { settled, live } = store.getSnapshot().transcript;
    expect(live).toEqual([]);
    expect(settled.map((turn) => [turn.speaker, turn.text, turn.typed])).toEqual([
      ['user', 'hello there', true],
      ['model', 'You said: hello there', false],
      ['user', 'tell me more', true],
      ['model', 'You said: tell me more', false],
      ['user', 'and a third question please', true],
      ['model', 'You said: and a third question please', false],
    ]);
    const ids = settled.map((turn) => turn.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps a spoken turn open for late input pieces while the reply is already streaming', () => {
    const { store } = makeStore();
    feed(store, [
      at(1, { type: 'transcript.input', text: 'hel' }),
      at(2, { type: 'transcript.output', text: 'Hi' }),
      at(3, { type: 'transcript.input', text: 'lo ' }),
    ]);
    let transcript = store.getSnapshot().transcript;
    expect(transcript.settled).toEqual([]);
    expect(transcript.live.map((turn) => [turn.speaker, turn.text])).toEqual([
      ['user', 'hello '],
      ['model', 'Hi'],
    ]);
    feed(store, [at(4, { type: 'transcript.output', text: ' there' }), at(5, { type: 'turn.complete' })]);
    transcript = store.getSnapshot().transcript;
    expect(transcript.live).toEqual([]);
    expect(transcript.settled.map((turn) => turn.text)).toEqual(['hello ', 'Hi there']);
  });

  it('joins input pieces split across a goAway handoff into one turn, leading spaces kept', () => {
    const { store } = makeStore();
    feed(store, loadEvents('goaway-audio-fast'));
    const texts = store.getSnapshot().transcript.settled.map((turn) => `${turn.speaker}|${turn.text}`);
    expect(texts).toEqual(['user|[speech #1 @0.00s [speech #2 @5.02s 0.18s]', 'model|I heard speech #2, 0.18 seconds.']);
  });

  it('marks the cut-off model turn interrupted and starts a new user turn for the barge-in', () => {
    const { store } = makeStore();
    feed(store, loadEvents('barge-in-audio'));
    const settled = store.getSnapshot().transcript.settled;
    expect(settled.map((turn) => [turn.speaker, turn.text, turn.interrupted])).toEqual([
      ['user', '[speech #1 @0.02s 3.62s]', false],
      ['model', 'I heard', true],
      ['user', ' [speech #2 @4.34s 3.62s]', false],
      ['model', 'I heard speech #2, 3.62 seconds.', false],
    ]);
  });

  it('drops output of the interrupted reply until the next exchange starts', () => {
    const { store } = makeStore();
    feed(store, [
      at(1, { type: 'transcript.output', text: 'abc' }),
      at(2, { type: 'interrupted' }),
      at(3, { type: 'transcript.output', text: 'def' }),
      at(4, { type: 'turn.complete' }),
      at(5, { type: 'transcript.output', text: 'next' }),
    ]);
    const { settled, live } = store.getSnapshot().transcript;
    expect(settled.map((turn) => [turn.text, turn.interrupted])).toEqual([['abc', true]]);
    expect(live.map((turn) => turn.text)).toEqual(['next']);
  });

  it('shows thoughts on the model turn and keeps a dropped connection out of the text', () => {
    const { store } = makeStore();
    feed(store, loadEvents('drop-text'));
    const settled = store.getSnapshot().transcript.settled;
    expect(settled.find((turn) => turn.thought.length > 0)).toMatchObject({
      speaker: 'model',
      text: 'You said: about lunch',
      thought: 'Thinking about how to answer "about lunch".',
    });
    expect(settled.at(-1)).toMatchObject({ speaker: 'model', text: 'You said: tell me more' });
  });

  it('replays history as settled dim turns, split where the speaker changes', () => {
    const { store } = makeStore();
    const events = loadEvents('resume-history');
    feed(store, events.filter((event) => 'history' in event));
    // The last history turn may still grow until a live event arrives.
    expect(store.getSnapshot().transcript.settled).toHaveLength(5);
    feed(store, events.filter((event) => !('history' in event)));
    const state = store.getSnapshot();
    expect(state.transcript.settled.map((turn) => [turn.speaker, turn.text, turn.history])).toEqual([
      ['user', 'hello there', true],
      ['model', 'You said: hello there', true],
      ['user', 'think about lunch', true],
      ['model', 'You said: about lunch', true],
      ['user', 'tell me more', true],
      ['model', 'You said: tell me more', true],
    ]);
    expect(state.message).toMatchObject({ tone: 'error', code: 'protocol' });
    expect(state.message?.text).toMatch(/no longer knows session/);
    expect(state.connection.resumeCommand).toMatch(/^live-cli resume \S+$/);
  });
});

describe('TuiStore usage, connection and goAway', () => {
  it('keeps the last turn by modality and sums only the responses', () => {
    const { store } = makeStore({ contextWindowTokens: 32_768, compressionTriggerTokens: 25_600 });
    feed(store, loadEvents('goaway-text'));
    const usage = store.getSnapshot().usage;
    expect(usage.last).toMatchObject({ promptTokens: 90, responseTokens: 54, totalTokens: 144, byModality: { prompt: { TEXT: 13, AUDIO: 77 }, response: { AUDIO: 54 } } });
    expect(usage.sessionResponseTokens).toBe(38 + 39 + 54);
    expect(usage.turns).toBe(3);
    expect(usage).toMatchObject({ contextWindowTokens: 32_768, compressionTriggerTokens: 25_600 });
  });

  it('follows the connection from connecting through a handoff to closed', () => {
    const { store } = makeStore();
    const events = loadEvents('goaway-text');
    expect(store.getSnapshot().connection.status).toBe('connecting');
    feed(store, eventsUntil(events, (event) => event.type === 'session.open'));
    expect(store.getSnapshot().connection).toMatchObject({ status: 'open', generation: 1, resumed: false });
    expect(store.getSnapshot().model).toBe('gemini-2.5-flash-native-audio-preview-12-2025');
    const rest = events.slice(events.findIndex((event) => event.type === 'session.open') + 1);
    feed(store, eventsUntil(rest, (event) => event.type === 'reconnecting'));
    expect(store.getSnapshot().connection.status).toBe('reconnecting');
    feed(store, eventsUntil(rest, (event) => event.type === 'session.open').slice(eventsUntil(rest, (event) => event.type === 'reconnecting').length));
    expect(store.getSnapshot().connection).toMatchObject({ status: 'open', generation: 2, resumed: true });
    feed(store, rest.filter((event) => event.type === 'session.close'));
    expect(store.getSnapshot().connection.status).toBe('closed');
  });

  it('counts the goAway down from the injected clock, then shows the reconnect and hides "resumed" after ~5 s', () => {
    const { store, clock } = makeStore();
    const events = loadEvents('goaway-text');
    const upToGoAway = eventsUntil(events, (event) => event.type === 'goaway');
    feed(store, upToGoAway);
    const goAwayAt = upToGoAway.at(-1)?.t ?? 0;
    clock.set(goAwayAt + 2_000);
    expect(goAwayView(store.getSnapshot().goAway, clock.now())?.text).toBe('server ends connection 1 in 8.0 s (goAway) · handing over');
    clock.set(goAwayAt + 5_500);
    expect(goAwayView(store.getSnapshot().goAway, clock.now())?.text).toMatch(/in 4\.5 s/);

    const upToReconnecting = eventsUntil(events, (event) => event.type === 'reconnecting');
    feed(store, upToReconnecting.slice(upToGoAway.length));
    expect(goAwayView(store.getSnapshot().goAway, clock.now())?.text).toBe('reconnecting (attempt 1, goaway)');
    const upToResumed = eventsUntil(events, (event) => event.type === 'resumed');
    feed(store, upToResumed.slice(upToReconnecting.length));
    const resumed = upToResumed.at(-1);
    clock.set((resumed?.t ?? 0) + 4_000);
    expect(goAwayView(store.getSnapshot().goAway, clock.now())?.text).toBe('resumed on connection 2, gap 17 ms');
    clock.set((resumed?.t ?? 0) + 5_500);
    expect(goAwayView(store.getSnapshot().goAway, clock.now())).toBeUndefined();
  });

  it('shows a dropped connection (reconnecting without goAway) with its close code', () => {
    const { store } = makeStore();
    feed(store, eventsUntil(loadEvents('drop-text'), (event) => event.type === 'reconnecting'));
    expect(goAwayView(store.getSnapshot().goAway, 0)?.text).toBe('reconnecting (attempt 1, connection-lost, close 1006)');
    store.handle(at(700, { type: 'session.open', id: 'x', model: 'm', resumed: false, schema: 1, conn: 2 }));
    expect(store.getSnapshot().goAway.phase).toBe('hidden');
  });
});

describe('TuiStore levels and notifications', () => {
  it('measures output level from pcm, decays it with the clock and silences it on interrupted', () => {
    const { store, clock } = makeStore();
    clock.set(1_000);
    store.handle(audioEvent(1_000, sinePcm(0.5)));
    const output = store.getSnapshot().levels.output;
    expect(output.dbfs).toBeCloseTo(-9.03, 1);
    expect(levelNow(output, 1_000)).toBeCloseTo(-9.03, 1);
    expect(levelNow(output, 3_000)).toBe(SILENCE_DBFS);
    store.handle(audioEvent(1_010));
    expect(store.getSnapshot().levels.output).toBe(output);
    store.handle(at(1_020, { type: 'interrupted' }));
    expect(store.getSnapshot().levels.output.dbfs).toBe(SILENCE_DBFS);
  });

  it('measures the mic level from inputAudio', () => {
    const { store } = makeStore();
    store.inputAudio({ data: sinePcm(0.1, 320, 16_000), sampleRate: 16_000, channels: 1 });
    expect(store.getSnapshot().levels.input.dbfs).toBeCloseTo(-23, 0);
    expect(store.getSnapshot().levels.input.holdMs).toBe(20);
  });

  it('notifies once for a burst, never per audio chunk, and keeps the snapshot identity until a change', async () => {
    const { store } = makeStore();
    let notifications = 0;
    store.subscribe(() => notifications++);
    const before = store.getSnapshot();
    expect(store.getSnapshot()).toBe(before);
    for (let i = 0; i < 200; i++) store.handle(audioEvent(i * 20, sinePcm(0.3)));
    for (let i = 0; i < 200; i++) store.inputAudio({ data: sinePcm(0.3, 320, 16_000), sampleRate: 16_000, channels: 1 });
    await nextTick();
    expect(notifications).toBe(0);
    const withLevels = store.getSnapshot();
    expect(withLevels).not.toBe(before);
    expect(store.getSnapshot()).toBe(withLevels);

    for (let i = 0; i < 50; i++) {
      store.handle(audioEvent(5_000 + i, sinePcm(0.3)));
      store.handle(at(5_000 + i, { type: 'transcript.output', text: `${i} ` }));
    }
    await nextTick();
    expect(notifications).toBe(1);
    expect(store.getSnapshot().transcript.live[0]?.text).toMatch(/^0 1 2 .* 49 $/);
  });

  it('notifies on setMic and notice', async () => {
    const { store } = makeStore();
    let notifications = 0;
    store.subscribe(() => notifications++);
    store.setMic('muted');
    await nextTick();
    store.notice('text mode: install sox or alsa-utils for voice', 'warn');
    await nextTick();
    expect(notifications).toBe(2);
    expect(store.getSnapshot()).toMatchObject({ mic: 'muted', message: { tone: 'warn', text: 'text mode: install sox or alsa-utils for voice' } });
  });
});
