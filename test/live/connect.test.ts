import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { resolveLiveConfig } from '../../src/live/config.js';
import { connectLive } from '../../src/live/connect.js';
import type { LiveConfig, RawLiveOptions } from '../../src/live/types.js';
import { type FakeServer, answerSetup, startFakeServer, waitFor } from './fake-live-server.js';

const KEY = 'fake-connect-key-0123456789abcdef';

function configFor(endpoint: string, flags: RawLiveOptions = {}, env: Record<string, string> = {}): LiveConfig {
  return resolveLiveConfig({ endpoint, ...flags }, { GEMINI_API_KEY: KEY, ...env }, {}).config;
}

async function rejection(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
});

describe('connectLive', () => {
  it('connects with the key in the query and the setup the config asks for', async () => {
    server = await startFakeServer();
    const connection = await connectLive(configFor(server.endpoint, { model: 'gemini-live-2.5-flash-preview', modality: 'text', voice: 'Kore', system: 'be brief', temperature: 0.5 }));
    const fake = await server.connection();
    expect(fake.path).toBe(`//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=${KEY}`);
    const setup = fake.received[0]?.setup as Record<string, unknown>;
    expect(setup.model).toBe('models/gemini-live-2.5-flash-preview');
    expect(setup.generationConfig).toMatchObject({ responseModalities: ['TEXT'], temperature: 0.5 });
    expect(setup.systemInstruction).toEqual({ parts: [{ text: 'be brief' }] });
    expect(setup.inputAudioTranscription).toEqual({});
    expect(setup.outputAudioTranscription).toBeUndefined();
    expect(setup.sessionResumption).toEqual({});
    expect(setup.contextWindowCompression).toBeUndefined();
    expect(connection.isOpen).toBe(true);
    await connection.close();
    expect(connection.isOpen).toBe(false);
  });

  it('sends voice, compression and manual activity detection for audio sessions', async () => {
    server = await startFakeServer();
    const connection = await connectLive(configFor(server.endpoint, { voice: 'Kore', pushToTalk: true }));
    const setup = (await server.connection()).received[0]?.setup as Record<string, unknown>;
    expect(setup.model).toBe('models/gemini-3.8-live');
    expect(setup.generationConfig).toMatchObject({
      responseModalities: ['AUDIO'],
      speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } } },
    });
    expect(setup.contextWindowCompression).toEqual({ triggerTokens: '25600', slidingWindow: { targetTokens: '12800' } });
    expect(setup.realtimeInputConfig).toEqual({ automaticActivityDetection: { disabled: true } });
    expect(setup.outputAudioTranscription).toEqual({});
    await connection.close();
  });

  it('sends a resumption handle when resuming', async () => {
    server = await startFakeServer();
    const connection = await connectLive({ ...configFor(server.endpoint), resumeHandle: 'handle-7' });
    const setup = (await server.connection()).received[0]?.setup as Record<string, unknown>;
    expect(setup.sessionResumption).toEqual({ handle: 'handle-7' });
    await connection.close();
  });

  it('rejects within the connect timeout when setupComplete never comes, and closes the socket', async () => {
    server = await startFakeServer({ onMessage: () => undefined });
    const started = Date.now();
    const error = await rejection(connectLive(configFor(server.endpoint, { connectTimeout: 0.3 })));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error.code).toBe('timeout');
    expect(error.exitCode).toBe(4);
    expect(error.message).toMatch(/0\.3 s.*--connect-timeout/);
    const fake = await server.connection();
    await expect(fake.closed).resolves.toBeDefined();
  });

  it('turns a 1008 before setupComplete into an auth error (exit 3) at once', async () => {
    server = await startFakeServer({
      onMessage: (connection) => connection.socket.close(1008, `API key not valid. Please pass a valid API key. key=${KEY}`),
    });
    const started = Date.now();
    const error = await rejection(connectLive(configFor(server.endpoint, { connectTimeout: 10 })));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe('auth');
    expect(error.exitCode).toBe(3);
    expect(error.closeCode).toBe(1008);
    expect(error.message).toMatch(/API key was rejected.*GEMINI_API_KEY/);
    expect(error.message).not.toContain(KEY);
  });

  it('turns a 1008 naming the model into a usage error naming the model', async () => {
    server = await startFakeServer({
      onMessage: (connection) =>
        connection.socket.close(1008, 'models/nope is not found for API version v1beta, or is not supported for bidiGenerateContent.'),
    });
    const error = await rejection(connectLive(configFor(server.endpoint, { model: 'nope', modality: 'text' })));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/rejected model nope .*--model/);
  });

  it('rejects on a 1007 before setupComplete as a fatal protocol error', async () => {
    server = await startFakeServer({
      onMessage: (connection) => connection.socket.close(1007, 'Cannot extract voices from a non-audio request.'),
    });
    const error = await rejection(connectLive(configFor(server.endpoint)));
    expect(error.exitCode).toBe(4);
    expect(error.message).toMatch(/invalid.*Cannot extract voices.*--modality audio/);
  });

  it('rejects on ECONNREFUSED without hanging', async () => {
    const port = await freePort();
    const error = await rejection(connectLive(configFor(`http://127.0.0.1:${port}`, { connectTimeout: 10 })));
    expect(error.code).toBe('protocol');
    expect(error.exitCode).toBe(4);
    expect(error.message).toMatch(/could not connect to http:\/\/127\.0\.0\.1:\d+\/ \(.*ECONNREFUSED/);
    expect(error.message).not.toContain(KEY);
  });

  it('survives a server that answers setupComplete before the setup was sent', async () => {
    server = await startFakeServer({
      onConnection: (connection) => connection.sendJson({ setupComplete: {} }),
      onMessage: () => undefined,
    });
    const connection = await connectLive(configFor(server.endpoint));
    expect(connection.isOpen).toBe(true);
    await connection.close();
  });

  it('queues messages that arrive with setupComplete until start()', async () => {
    server = await startFakeServer({
      onMessage: (connection, message) => {
        if (!answerSetup(connection, message)) return;
        connection.sendJson({ serverContent: { modelTurn: { parts: [{ text: 'early' }] } } });
        connection.socket.send('not json');
      },
    });
    const connection = await connectLive(configFor(server.endpoint));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const seen: string[] = [];
    connection.start({
      message: (message) => seen.push(Object.keys(message).join()),
      problem: (description) => seen.push(`problem: ${description}`),
      close: () => seen.push('close'),
    });
    expect(seen).toEqual([
      'setupComplete',
      'serverContent',
      'problem: the service sent a frame that is not a JSON object (8 bytes); ignored it',
    ]);
    await connection.close();
    expect(seen.at(-1)).toBe('close');
  });

  it('reports a server close after setup to the listener with code and reason', async () => {
    server = await startFakeServer();
    const connection = await connectLive(configFor(server.endpoint));
    const closes: unknown[] = [];
    connection.start({ message: () => undefined, problem: () => undefined, close: (info) => closes.push(info) });
    (await server.connection()).socket.close(1011, 'Internal error');
    await waitFor(() => closes.length === 1);
    expect(closes[0]).toEqual({ code: 1011, reason: 'Internal error', requested: false });
    expect(connection.sendText('too late')).toBe(false);
  });

  it('uses the Vertex express-mode URL with the key in a header', async () => {
    server = await startFakeServer();
    vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    const connection = await connectLive(configFor(server.endpoint, { vertex: true }));
    const fake = await server.connection();
    expect(fake.path).toBe('//ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent');
    expect(fake.headers['x-goog-api-key']).toBe(KEY);
    const setup = fake.received[0]?.setup as Record<string, unknown>;
    expect(setup.model).toBe('publishers/google/models/gemini-3.8-live');
    await connection.close();
  });

  it('uses the constrained method, access_token and v1alpha for ephemeral tokens', async () => {
    server = await startFakeServer();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const token = 'auth_tokens/ephemeral-test-token-123';
    const connection = await connectLive(configFor(server.endpoint, {}, { GEMINI_API_KEY: token }));
    const fake = await server.connection();
    expect(fake.path).toBe(
      `//ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained?access_token=${token}`,
    );
    await connection.close();
  });

  it('ignores GOOGLE_GEMINI_BASE_URL and other SDK env variables', async () => {
    server = await startFakeServer();
    vi.stubEnv('GOOGLE_GEMINI_BASE_URL', 'http://127.0.0.1:1');
    vi.stubEnv('GOOGLE_API_KEY', 'fake-env-key-the-sdk-must-not-use');
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const connection = await connectLive(configFor(server.endpoint));
      expect((await server.connection()).path).toContain(`key=${KEY}`);
      await connection.close();
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
