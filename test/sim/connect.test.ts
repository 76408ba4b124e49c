import { describe, expect, it } from 'vitest';
import {
  geminiPath,
  isSetupComplete,
  NATIVE_MODEL,
  RawClient,
  startSim,
  TEST_KEY,
  textSetup,
  VERTEX_PATH,
} from './helpers.js';

describe('simulator: connecting', () => {
  it('serves the Gemini API path with a double slash, a prefix and every API version', async () => {
    const sim = await startSim();
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
    for (const path of [
      geminiPath({ key: TEST_KEY }),
      geminiPath({ key: TEST_KEY, prefix: '/p' }),
      geminiPath({ key: TEST_KEY, version: 'v1alpha', prefix: '' }),
      geminiPath({ key: TEST_KEY, version: 'v1' }),
      geminiPath({ key: 'auth_tokens/abc', method: 'BidiGenerateContentConstrained', version: 'v1alpha' }),
    ]) {
      const client = await RawClient.open(sim.url, path);
      client.sendSetup(textSetup());
      await client.waitFor(isSetupComplete, `setupComplete on ${path}`);
      expect(client.messages[0]).toEqual({ setupComplete: {} });
      client.close();
    }
  });

  it('sends setupComplete first, as pretty-printed JSON in a binary frame', async () => {
    const sim = await startSim();
    const client = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
    client.sendSetup(textSetup());
    await client.waitFor(isSetupComplete, 'setupComplete');
    expect(client.frames[0]?.binary).toBe(true);
    expect(client.frames[0]?.text).toContain('\n');
  });

  it('serves Vertex express mode with the key in x-goog-api-key, and names the session', async () => {
    const sim = await startSim();
    const client = await RawClient.open(sim.url, VERTEX_PATH, { 'x-goog-api-key': TEST_KEY });
    client.sendSetup(textSetup({ model: 'projects/p/locations/us-central1/publishers/google/models/gemini-live-2.5-flash' }));
    const setupComplete = await client.waitFor(isSetupComplete, 'setupComplete');
    expect((setupComplete.setupComplete as { sessionId?: unknown }).sessionId).toMatch(/^sim-session-1-/);
  });

  it('answers any other path with HTTP 404', async () => {
    const sim = await startSim();
    await expect(RawClient.open(sim.url, '/ws/google.ai.generativelanguage.v1beta.GenerativeService.Other?key=k')).rejects.toThrow('HTTP 404');
    await expect(RawClient.open(sim.url, '/')).rejects.toThrow('HTTP 404');
  });

  it('closes 1008 naming the missing key, for each URL form', async () => {
    const sim = await startSim();
    const gemini = await RawClient.open(sim.url, geminiPath());
    expect(await gemini.closed).toMatchObject({ code: 1008, reason: expect.stringMatching(/Missing API key.*key=/) as unknown });
    const token = await RawClient.open(sim.url, geminiPath({ key: '', method: 'BidiGenerateContentConstrained' }));
    expect(await token.closed).toMatchObject({ code: 1008, reason: expect.stringContaining('access_token') as unknown });
    const vertex = await RawClient.open(sim.url, VERTEX_PATH);
    expect(await vertex.closed).toMatchObject({ code: 1008, reason: expect.stringContaining('x-goog-api-key') as unknown });
  });

  it('reject-key refuses every key with 1008 "API key not valid"', async () => {
    const sim = await startSim('reject-key');
    const client = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
    client.sendSetup(textSetup());
    expect(await client.closed).toEqual({ code: 1008, reason: 'API key not valid. Please pass a valid API key.' });
    expect(client.messages).toEqual([]);
  });

  it('quota=N refuses the first N connection attempts with 1011 RESOURCE_EXHAUSTED', async () => {
    const sim = await startSim('quota=2');
    for (let attempt = 0; attempt < 2; attempt++) {
      const client = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
      const closed = await client.closed;
      expect(closed.code).toBe(1011);
      expect(closed.reason).toContain('RESOURCE_EXHAUSTED');
    }
    const client = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
    client.sendSetup(textSetup());
    await client.waitFor(isSetupComplete, 'setupComplete after the quota');
  });

  it('no-setup-complete never answers setup', async () => {
    const sim = await startSim('no-setup-complete');
    const client = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
    client.sendSetup(textSetup());
    client.sendText('hello');
    // A second, normal simulator proves the round trip time; this one must still be silent after it.
    const other = await startSim();
    const probe = await RawClient.open(other.url, geminiPath({ key: TEST_KEY }));
    probe.sendSetup(textSetup());
    probe.sendText('hello');
    await probe.waitFor((message) => (message.serverContent as { turnComplete?: boolean } | undefined)?.turnComplete === true, 'probe reply');
    expect(client.messages).toEqual([]);
  });

  it('refuses TEXT output for a native-audio model with 1007', async () => {
    const sim = await startSim();
    const client = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
    client.sendSetup(textSetup({ model: NATIVE_MODEL }));
    expect(await client.closed).toEqual({ code: 1007, reason: 'Cannot extract voices from a non-audio request' });
  });

  it('closes 1007 on what the service refuses: unknown messages, mediaChunks, a message before setup, bad JSON', async () => {
    const sim = await startSim();
    const cases: Array<[string, (client: RawClient) => void, RegExp]> = [
      ['unknown field', (client) => client.send({ bogus: {} }), /Unknown name "bogus"/],
      ['mediaChunks', (client) => client.send({ realtimeInput: { mediaChunks: [{ data: '', mimeType: 'audio/pcm' }] } }), /media_chunks/],
      ['activityStart with automatic detection', (client) => client.send({ realtimeInput: { activityStart: {} } }), /automatic activity detection/],
    ];
    for (const [name, act, reason] of cases) {
      const client = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
      client.sendSetup(textSetup());
      await client.waitFor(isSetupComplete, name);
      act(client);
      const closed = await client.closed;
      expect(closed.code, name).toBe(1007);
      expect(closed.reason, name).toMatch(reason);
    }
    const early = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
    early.sendText('hi');
    expect((await early.closed).code).toBe(1007);
    const garbage = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
    garbage.sendRaw('{not json');
    expect((await garbage.closed).code).toBe(1007);
  });
});
