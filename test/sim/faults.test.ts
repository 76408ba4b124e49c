import { describe, expect, it } from 'vitest';
import {
  audioSetup,
  geminiPath,
  isResumptionUpdate,
  isSetupComplete,
  isTurnComplete,
  openSession,
  RawClient,
  readReport,
  silence,
  startSim,
  tempReportPath,
  TEST_KEY,
  textSetup,
  type Json,
} from './helpers.js';

const isGoAway = (message: Json): boolean => 'goAway' in message;

/** A text turn whose reply proves everything sent before it was processed. */
async function sync(client: RawClient, label: string): Promise<void> {
  const from = client.messages.length;
  client.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: label }] }], turnComplete: true } });
  await client.waitFor(isTurnComplete, label, from);
}

describe('simulator: scheduled faults on the session clock', () => {
  it('go-away-every counts seconds of audio received, not wall time', async () => {
    const sim = await startSim('go-away-every=2');
    const client = await openSession(sim, textSetup());
    client.sendAudio(silence(1.9));
    await sync(client, 'before');
    expect(client.messages.some(isGoAway)).toBe(false);
    client.sendAudio(silence(0.2));
    const goAway = await client.waitFor(isGoAway, 'goAway');
    expect(goAway).toEqual({ goAway: { timeLeft: '10s' } });
    // The connection stays usable during the time left.
    await sync(client, 'after');
  });

  it('reply audio advances the clock too; TEXT replies do not', async () => {
    const textSim = await startSim('go-away-every=0.5');
    const text = await openSession(textSim, textSetup());
    await sync(text, 'a fairly long sentence to answer in text');
    await sync(text, 'and another one');
    expect(text.messages.some(isGoAway)).toBe(false);

    const audioSim = await startSim('go-away-every=0.5');
    const audio = await openSession(audioSim, audioSetup());
    await sync(audio, 'a fairly long sentence to answer in audio');
    await audio.waitFor(isGoAway, 'goAway from reply audio');
  });

  it('closes 1011 "Deadline expired" when the client stays past the time left', async () => {
    const sim = await startSim('go-away-every=1,go-away-time-left=0.2');
    const client = await openSession(sim, textSetup());
    client.sendAudio(silence(1.5));
    expect(await client.waitFor(isGoAway, 'goAway')).toEqual({ goAway: { timeLeft: '0.2s' } });
    expect(await client.closed).toEqual({ code: 1011, reason: 'Deadline expired' });
  });

  it('connection-cap sends goAway time-left ahead of the cap, then closes 1011', async () => {
    const sim = await startSim('connection-cap=3,go-away-time-left=1');
    const client = await openSession(sim, textSetup());
    client.sendAudio(silence(1.9));
    await sync(client, 'early');
    expect(client.messages.some(isGoAway)).toBe(false);
    client.sendAudio(silence(0.2));
    expect(await client.waitFor(isGoAway, 'goAway')).toEqual({ goAway: { timeLeft: '1s' } });
    expect(await client.closed).toEqual({ code: 1011, reason: 'Deadline expired' });
  });

  it('drop-every drops without a close frame (1006), on the audio clock', async () => {
    const sim = await startSim('drop-every=3');
    const client = await openSession(sim, textSetup());
    client.sendAudio(silence(2.9));
    await sync(client, 'alive');
    client.sendAudio(silence(0.2));
    expect((await client.closed).code).toBe(1006);
  });

  it('close-code makes drops send that code instead', async () => {
    const sim = await startSim('drop-every=1,close-code=4000');
    const client = await openSession(sim, textSetup());
    client.sendAudio(silence(1.2));
    expect((await client.closed).code).toBe(4000);
  });

  it('drop-after-messages drops once per session, after the N-th client message', async () => {
    const report = tempReportPath();
    const sim = await startSim(`drop-after-messages=3,report=${report}`);
    const setup = textSetup({ sessionResumption: {} });
    const first = await openSession(sim, setup);
    await sync(first, 'one');
    await first.waitForCount(isResumptionUpdate, 1, 'handle');
    await sync(first, 'two');
    await first.waitForCount(isResumptionUpdate, 2, 'handle');
    const handle = (first.messages.filter(isResumptionUpdate).at(-1)?.sessionResumptionUpdate as { newHandle: string }).newHandle;
    first.sendText('three');
    expect((await first.closed).code).toBe(1006);
    const second = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
    second.sendSetup({ ...setup, sessionResumption: { handle } });
    await second.waitFor(isSetupComplete, 'resumed');
    await sync(second, 'three');
    await sync(second, 'four');
    await sim.close();
    const faults = readReport(report).filter((record) => record.type === 'fault');
    expect(faults.map((record) => record.fault)).toEqual(['drop-after-messages']);
  });

  it('session-cap ends an uncompressed audio session with 1000, after which its handles are refused', async () => {
    const sim = await startSim('session-cap=2');
    const setup = audioSetup({ sessionResumption: {} });
    const client = await openSession(sim, setup);
    client.sendText('hi');
    await client.waitFor(isResumptionUpdate, 'handle');
    client.sendAudio(silence(2.5));
    expect(await client.closed).toEqual({ code: 1000, reason: 'session duration limit' });
    const handle = (client.messages.find(isResumptionUpdate)?.sessionResumptionUpdate as { newHandle: string }).newHandle;
    const again = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
    again.sendSetup({ ...setup, sessionResumption: { handle } });
    expect(await again.closed).toEqual({ code: 1008, reason: 'session not found' });
  });

  it('session-cap does not apply with context compression', async () => {
    const sim = await startSim('session-cap=1');
    const client = await openSession(sim, audioSetup({ contextWindowCompression: { triggerTokens: '25600', slidingWindow: { targetTokens: '12800' } } }));
    client.sendAudio(silence(2));
    await sync(client, 'still here');
  });

  it('time=wall runs the schedules on wall-clock time', async () => {
    const sim = await startSim('time=wall,go-away-every=0.2');
    const client = await openSession(sim, textSetup());
    await client.waitFor(isGoAway, 'goAway without any audio');
  });

  it('latency delays frames but keeps their order', async () => {
    const sim = await startSim('latency=30');
    const client = await openSession(sim, textSetup());
    await sync(client, 'order please');
    const kinds = client.messages.map((message) => Object.keys(message).join(','));
    expect(kinds[0]).toBe('setupComplete');
    expect(kinds.at(-1)).toBe('serverContent,usageMetadata');
  });
});
