import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { EventStream, type LiveEvent } from '../../src/core/events.js';
import { resolveLiveConfig } from '../../src/live/config.js';
import { openLiveSession } from '../../src/live/session.js';
import type { LiveSessionHandle, RawLiveOptions } from '../../src/live/types.js';
import { type FakeConnection, type FakeServer, answerSetup, startFakeServer, waitFor } from './fake-live-server.js';

const KEY = 'fake-session-key-9876543210fedcba';

type Script = (connection: FakeConnection, message: Record<string, unknown>) => void;

interface Harness {
  server: FakeServer;
  session: LiveSessionHandle;
  events: LiveEvent[];
  fake: FakeConnection;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

let harness: Harness | undefined;
afterEach(async () => {
  if (harness) {
    // No event or error of the whole test may carry the key.
    expect(JSON.stringify(harness.events)).not.toContain(KEY);
    await harness.session.close();
    await harness.server.close();
  }
  harness = undefined;
  expect(unhandled).toEqual([]);
});

/** Starts a fake whose `script` sees every client message after setup, and opens a session. */
async function open(script: Script = () => undefined, flags: RawLiveOptions = {}): Promise<Harness> {
  const server = await startFakeServer({
    onMessage: (connection, message) => {
      if (!answerSetup(connection, message)) script(connection, message);
    },
  });
  const stream = new EventStream();
  const events: LiveEvent[] = [];
  stream.on((event) => events.push(event));
  const { config } = resolveLiveConfig(
    { endpoint: server.endpoint, model: 'gemini-live-2.5-flash-preview', modality: 'text', ...flags },
    { GEMINI_API_KEY: KEY },
    {},
  );
  const session = await openLiveSession({ config, events: stream, id: 'session-1' });
  harness = { server, session, events, fake: await server.connection() };
  return harness;
}

function types(events: LiveEvent[]): string[] {
  return events.map((event) => event.type);
}

function reply(connection: FakeConnection, text: string): void {
  connection.sendJson({ serverContent: { modelTurn: { role: 'model', parts: [{ text }] } } });
  connection.sendJson({
    serverContent: { turnComplete: true },
    usageMetadata: { promptTokenCount: 10, responseTokenCount: 3, totalTokenCount: 13 },
  });
}

describe('openLiveSession', () => {
  it('emits session.open for generation 1, then maps the reply to a text turn', async () => {
    const { session, events, fake } = await open((connection, message) => {
      if ('clientContent' in message) reply(connection, 'hi back');
    });
    expect(events[0]).toMatchObject({ type: 'session.open', id: 'session-1', model: 'gemini-live-2.5-flash-preview', resumed: false, schema: 1, conn: 1 });
    session.sendText('hello there');
    await waitFor(() => events.some((event) => event.type === 'turn.complete'));
    expect(fake.received[1]).toEqual({
      clientContent: { turns: [{ role: 'user', parts: [{ text: 'hello there' }] }], turnComplete: true },
    });
    expect(types(events)).toEqual(['session.open', 'text', 'usage', 'turn.complete']);
    expect(events.every((event) => event.conn === 1)).toBe(true);
    expect(events[1]).toMatchObject({ text: 'hi back' });
  });

  it('sends audio as realtimeInput.audio at the chunk rate, and audioStreamEnd', async () => {
    const { session, fake } = await open();
    const data = Buffer.from([1, 0, 2, 0, 3, 0, 4, 0]);
    session.sendAudio({ data, sampleRate: 16_000, channels: 1 });
    session.sendAudioStreamEnd();
    await waitFor(() => fake.received.length === 3);
    expect(fake.received[1]).toEqual({ realtimeInput: { audio: { data: data.toString('base64'), mimeType: 'audio/pcm;rate=16000' } } });
    expect(fake.received[2]).toEqual({ realtimeInput: { audioStreamEnd: true } });
    expect(() => session.sendAudio({ data, sampleRate: 16_000, channels: 2 })).toThrow(/mono/);
  });

  it('reports a non-JSON frame mid-turn as a protocol error and carries on', async () => {
    const { session, events } = await open((connection, message) => {
      if (!('clientContent' in message)) return;
      connection.sendJson({ serverContent: { modelTurn: { parts: [{ text: 'part one ' }] } } });
      connection.socket.send(Buffer.from('{"serverContent": {"modelTurn"'), { binary: true });
      connection.socket.send('<html>502 Bad Gateway</html>');
      connection.sendJson({ serverContent: { modelTurn: { parts: [{ text: 7 }] } } });
      reply(connection, 'part two');
    });
    session.sendText('go');
    await waitFor(() => events.some((event) => event.type === 'turn.complete'));
    expect(types(events)).toEqual(['session.open', 'text', 'error', 'error', 'error', 'text', 'usage', 'turn.complete']);
    const errors = events.filter((event) => event.type === 'error');
    expect(errors.map((event) => event.code)).toEqual(['protocol', 'protocol', 'protocol']);
    expect(errors[2]?.message).toMatch(/serverContent\.modelTurn\.parts\[0\]\.text is not a string/);
  });

  it('answers a tool call with an error toolResponse carrying its id', async () => {
    const { events, fake } = await open((connection, message) => {
      if ('toolResponse' in message) reply(connection, 'no weather then');
    });
    fake.sendJson({ toolCall: { functionCalls: [{ id: 'call-42', name: 'get_weather', args: { city: 'Paris' } }] } });
    await waitFor(() => fake.received.length === 2);
    expect(fake.received[1]).toEqual({
      toolResponse: {
        functionResponses: [
          { id: 'call-42', name: 'get_weather', response: { error: 'no tool named get_weather is available in live-cli' } },
        ],
      },
    });
    await waitFor(() => events.some((event) => event.type === 'turn.complete'));
    expect(events[1]).toMatchObject({ type: 'tool.call', id: 'call-42', name: 'get_weather', args: { city: 'Paris' } });
  });

  it('resolves closed on an intentional close, with session.close and no error', async () => {
    const { session, events } = await open();
    await session.close();
    await expect(session.closed).resolves.toBeUndefined();
    expect(types(events)).toEqual(['session.open', 'session.close']);
  });

  it('reconnects after the service closes an established session and re-sends the unanswered text turn', async () => {
    const { session, events, server } = await open((connection, message) => {
      if (!('clientContent' in message)) return;
      if (server.connections.indexOf(connection) === 0) {
        connection.sendJson({ serverContent: { modelTurn: { parts: [{ text: 'half a rep' }] } } });
        connection.socket.close(1011, 'Deadline expired before operation could complete.');
      } else {
        reply(connection, 'whole answer');
      }
    });
    session.sendText('go');
    await waitFor(() => events.filter((event) => event.type === 'turn.complete').length === 2);
    expect(types(events)).toEqual([
      'session.open',
      'text',
      'turn.complete',
      'reconnecting',
      'session.open',
      'resumed',
      'text',
      'usage',
      'turn.complete',
    ]);
    expect(events[2]).toMatchObject({ reason: 'connection-lost', conn: 1 });
    expect(events[3]).toMatchObject({ attempt: 1, reason: 'connection-lost', closeCode: 1011 });
    // No handle was ever issued: the new connection starts afresh and gets the turn again.
    expect(events[4]).toMatchObject({ conn: 2, resumed: false });
    expect(events[5]).toMatchObject({ conn: 2, replayedTurns: 1, replayedBytes: 0 });
    const second = await server.connection(1);
    expect(second.received[1]).toEqual({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'go' }] }], turnComplete: true } });
    expect(session.conn).toBe(2);
  });

  it('model output alone is no progress: a turn cut before every turnComplete ends with exit 4 after the budget', async () => {
    const { session, events } = await open((connection, message) => {
      if (!('clientContent' in message)) return;
      connection.sendJson({ serverContent: { modelTurn: { parts: [{ text: 'half a rep' }] } } });
      connection.socket.close(1011, 'Internal error encountered.');
    });
    session.sendText('go');
    await expect(session.closed).rejects.toMatchObject({ exitCode: 4 });
    expect(events.filter((event) => event.type === 'reconnecting').map((event) => (event as { attempt?: number }).attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(String(events.find((event) => event.type === 'error')?.message)).toMatch(/gave up after 6 attempts/);
  });

  it('an idle session (nothing of the user held) whose connection keeps dropping is never counted out', async () => {
    let drops = 0;
    const server = await startFakeServer({
      onMessage: (connection, message) => {
        if (!answerSetup(connection, message)) return;
        if (drops < 8) {
          drops++;
          setTimeout(() => connection.socket.close(1011, 'Internal error encountered.'), 20);
        }
      },
    });
    const stream = new EventStream();
    const events: LiveEvent[] = [];
    stream.on((event) => events.push(event));
    const { config } = resolveLiveConfig({ endpoint: server.endpoint, model: 'gemini-live-2.5-flash-preview', modality: 'text' }, { GEMINI_API_KEY: KEY }, {});
    const session = await openLiveSession({ config, events: stream, id: 'session-1' });
    harness = { server, session, events, fake: await server.connection() };
    await waitFor(() => server.connections.length === 9 && session.conn === 9, 10_000);
    const attempts = events.filter((event) => event.type === 'reconnecting').map((event) => (event as { attempt?: number }).attempt);
    expect(attempts).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(events.some((event) => event.type === 'error')).toBe(false);
  });

  it('makes a mid-session 1008 about the key fatal with exit 3 and no reconnect note', async () => {
    const { session, fake } = await open();
    fake.socket.close(1008, `API key expired. key=${KEY}`);
    const error = (await session.closed.catch((reason: unknown) => reason)) as CliError;
    expect(error.exitCode).toBe(3);
    expect(error.message).not.toMatch(/reconnection/);
    expect(error.message).not.toContain(KEY);
  });

  it('after a dropped socket resumes with the newest handle, replaying only what the handle may not cover', async () => {
    const { session, events, server, fake } = await open((connection, message) => {
      if ('clientContent' in message) {
        reply(connection, 'answered');
        connection.sendJson({ sessionResumptionUpdate: { newHandle: `h-${server.connections.indexOf(connection) + 1}`, resumable: true } });
      }
    });
    session.sendText('first');
    await waitFor(() => events.some((event) => event.type === 'resumption'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const data = Buffer.alloc(640, 1);
    session.sendAudio({ data, sampleRate: 16_000, channels: 1 });
    await waitFor(() => fake.received.length === 3);
    fake.socket.terminate();
    await waitFor(() => events.some((event) => event.type === 'resumed'));
    const second = await server.connection(1);
    expect(second.received[0]).toMatchObject({ setup: { sessionResumption: { handle: 'h-1' } } });
    await waitFor(() => second.received.length === 2);
    // The answered text turn is never re-sent; the audio sent after the handle is.
    expect(second.received[1]).toEqual({ realtimeInput: { audio: { data: data.toString('base64'), mimeType: 'audio/pcm;rate=16000' } } });
    expect(events.find((event) => event.type === 'reconnecting')).toMatchObject({ attempt: 1, closeCode: 1006, conn: 1 });
    expect(events.find((event) => event.type === 'resumed')).toMatchObject({ conn: 2, replayedBytes: 640, replayedTurns: 0, inFlightBytes: 0 });
    expect(events.find((event) => event.type === 'session.open' && event.conn === 2)).toMatchObject({ resumed: true });
  });

  it('a rejected handle on resume is final: exit 4, a plain sentence, session.close', async () => {
    const { session, events, server, fake } = await open((connection, message) => {
      if ('clientContent' in message) connection.sendJson({ sessionResumptionUpdate: { newHandle: 'h-old', resumable: true } });
    });
    const refuse = (connection: { socket: { close(code: number, reason: string): void } }): void =>
      connection.socket.close(1008, 'session not found');
    session.sendText('x');
    await waitFor(() => events.some((event) => event.type === 'resumption'));
    // The second connection refuses the handle during setup.
    const next = server.connection(1).then(refuse);
    fake.socket.terminate();
    await next;
    const error = (await session.closed.catch((reason: unknown) => reason)) as CliError;
    expect(error.exitCode).toBe(4);
    expect(error.closeCode).toBe(1008);
    expect(error.message).toMatch(/refused the resumption handle/);
    expect(types(events).slice(-2)).toEqual(['error', 'session.close']);
  });

  it('hands over on goAway: closes the old connection before opening the next with the newest handle, and buffers input meanwhile', async () => {
    let oldClosedBeforeNewSetup: boolean | undefined;
    const { session, events, server, fake } = await open((connection, message) => {
      if ('clientContent' in message && server.connections.indexOf(connection) === 0) {
        reply(connection, 'ok');
        connection.sendJson({ sessionResumptionUpdate: { newHandle: 'h-go', resumable: true } });
        connection.sendJson({ goAway: { timeLeft: '5s' } });
      }
    });
    void server.connection(1).then((second) => {
      oldClosedBeforeNewSetup = fake.socket.readyState !== fake.socket.OPEN && second.received.length === 0;
    });
    session.sendText('hello');
    await waitFor(() => events.some((event) => event.type === 'reconnecting'));
    session.sendText('during the switch');
    await waitFor(() => events.some((event) => event.type === 'resumed'));
    const second = await server.connection(1);
    await waitFor(() => second.received.length === 2);
    expect(oldClosedBeforeNewSetup).toBe(true);
    expect(second.received[0]).toMatchObject({ setup: { sessionResumption: { handle: 'h-go' } } });
    expect(second.received[1]).toMatchObject({ clientContent: { turns: [{ parts: [{ text: 'during the switch' }] }] } });
    expect(events.find((event) => event.type === 'reconnecting')).toMatchObject({ reason: 'goaway', conn: 1 });
    expect(events.find((event) => event.type === 'resumed')).toMatchObject({ conn: 2, replayedTurns: 0 });
    // Late frames of the replaced connection never become events.
    fake.sendJson({ serverContent: { modelTurn: { parts: [{ text: 'stale' }] } } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(events.some((event) => event.type === 'text' && event.text === 'stale')).toBe(false);
  });

  it('maps audio replies with their PCM, transcripts, usage by modality and resumption', async () => {
    const pcm = Buffer.alloc(4_800);
    const { session, events } = await open(
      (connection, message) => {
        if (!('clientContent' in message)) return;
        connection.sendJson({ sessionResumptionUpdate: { newHandle: 'h-1', resumable: true } });
        connection.sendJson({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: pcm.toString('base64') } }] } } });
        connection.sendJson({ serverContent: { outputTranscription: { text: 'Hel' } } });
        connection.sendJson({ serverContent: { outputTranscription: {} } });
        connection.sendJson({ serverContent: { outputTranscription: { text: 'lo.' } } });
        connection.sendJson({ serverContent: { generationComplete: true } });
        connection.sendJson({
          serverContent: { turnComplete: true },
          usageMetadata: {
            promptTokenCount: 20,
            responseTokenCount: 4,
            totalTokenCount: 24,
            promptTokensDetails: [{ modality: 'TEXT', tokenCount: 20 }],
            responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 4 }],
          },
        });
        connection.sendJson({ goAway: { timeLeft: '1.5s' } });
      },
      { model: 'gemini-2.5-flash-native-audio-preview-12-2025', modality: 'audio' },
    );
    session.sendText('say hello');
    await waitFor(() => events.some((event) => event.type === 'goaway'));
    expect(types(events).slice(0, 10)).toEqual([
      'session.open',
      'resumption',
      'audio',
      'transcript.output',
      'transcript.output',
      'generation.complete',
      'usage',
      'turn.complete',
      'goaway',
      // Nothing is under way: the handoff to a new connection starts at once.
      'reconnecting',
    ]);
    const audio = events[2] as LiveEvent & { pcm?: Buffer };
    expect(audio).toMatchObject({ bytes: 4_800, sampleRate: 24_000, ms: 100 });
    expect(audio.pcm?.equals(pcm)).toBe(true);
    expect(events[6]).toMatchObject({ byModality: { prompt: { TEXT: 20 }, response: { AUDIO: 4 } } });
    expect(events[8]).toMatchObject({ timeLeftMs: 1_500 });
  });
});
