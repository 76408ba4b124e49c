import { afterEach, describe, expect, it } from 'vitest';
import { EventStream, type LiveEvent } from '../../src/core/events.js';
import { resolveLiveConfig } from '../../src/live/config.js';
import { ConnectionGeneration } from '../../src/live/generation.js';
import { type FakeServer, startFakeServer, waitFor } from './fake-live-server.js';

const KEY = 'fake-generation-key-13579';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function config(endpoint: string) {
  return resolveLiveConfig({ endpoint, model: 'gemini-live-2.5-flash-preview', modality: 'text' }, { GEMINI_API_KEY: KEY }, {}).config;
}

describe('ConnectionGeneration', () => {
  it('stamps its own conn and drops late frames once retired', async () => {
    server = await startFakeServer();
    const stream = new EventStream();
    const events: LiveEvent[] = [];
    stream.on((event) => events.push(event));
    const ends: number[] = [];
    const open = (generation: number) =>
      ConnectionGeneration.open({ config: config(server!.endpoint), events: stream, id: 's', generation, onEnd: (_info, g) => ends.push(g.number) });
    const first = await open(1);
    const second = await open(2);
    const [oldSide, newSide] = [await server.connection(0), await server.connection(1)];

    const closing = first.retire();
    oldSide.sendJson({ serverContent: { modelTurn: { parts: [{ text: 'stale' }] } } });
    newSide.sendJson({ serverContent: { modelTurn: { parts: [{ text: 'fresh' }] } } });
    await waitFor(() => events.some((event) => event.type === 'text'));
    await closing;
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(events.map((event) => [event.type, event.conn])).toEqual([
      ['session.open', 1],
      ['session.open', 2],
      ['text', 2],
    ]);
    expect(ends).toEqual([]);
    expect(first.isOpen).toBe(false);
    expect(second.isOpen).toBe(true);
    await second.close();
    expect(ends).toEqual([2]);
  });

  it('keeps the newest resumable handle and the goAway deadline', async () => {
    server = await startFakeServer();
    const generation = await ConnectionGeneration.open({ config: config(server.endpoint), events: new EventStream(), id: 's', generation: 1, onEnd: () => undefined });
    const fake = await server.connection();
    fake.sendJson({ sessionResumptionUpdate: { newHandle: 'h1', resumable: true } });
    fake.sendJson({ sessionResumptionUpdate: { newHandle: 'h2', resumable: false } });
    fake.sendJson({ goAway: { timeLeft: '5s' } });
    await waitFor(() => generation.goAwayDeadline !== undefined);
    expect(generation.resumptionHandle).toBe('h1');
    expect((generation.goAwayDeadline ?? 0) - performance.now()).toBeGreaterThan(4_000);
    await generation.close();
  });

  it('reports a consumer that throws as an error event and keeps going', async () => {
    server = await startFakeServer();
    const stream = new EventStream();
    const events: LiveEvent[] = [];
    let thrown = false;
    stream.on((event) => {
      if (event.type === 'text' && !thrown) {
        thrown = true;
        throw new Error(`consumer bug near ?key=${KEY}`);
      }
      events.push(event);
    });
    const generation = await ConnectionGeneration.open({ config: config(server.endpoint), events: stream, id: 's', generation: 1, onEnd: () => undefined });
    const fake = await server.connection();
    fake.sendJson({ serverContent: { modelTurn: { parts: [{ text: 'boom' }] } } });
    fake.sendJson({ serverContent: { turnComplete: true } });
    await waitFor(() => events.some((event) => event.type === 'turn.complete'));
    const error = events.find((event) => event.type === 'error');
    expect(error).toMatchObject({ code: 'protocol' });
    expect(error && 'message' in error ? error.message : '').toMatch(/handling a server message failed: consumer bug/);
    expect(JSON.stringify(events)).not.toContain(KEY);
    await generation.close();
  });
});
