import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  audioSetup,
  geminiPath,
  isInterrupted,
  isResumptionUpdate,
  isSetupComplete,
  isTurnComplete,
  modelParts,
  openSession,
  RawClient,
  readReport,
  replyText,
  silence,
  startSim,
  tempReportPath,
  TEST_KEY,
  textSetup,
  transcription,
  type Json,
  type RunningSimulatorLike,
} from './helpers.js';

interface Update {
  newHandle: string;
  resumable: boolean;
  lastConsumedClientMessageIndex?: string;
}

function updates(messages: Json[]): Update[] {
  return messages.filter(isResumptionUpdate).map((message) => message.sessionResumptionUpdate as Update);
}

function lastHandle(client: RawClient): string {
  const handle = updates(client.messages).at(-1)?.newHandle;
  if (!handle) throw new Error('no handle');
  return handle;
}

/** Quiet noise: real bytes to hash, below the voice detector's threshold so it never replies. */
function quietNoise(seconds: number, seed: number): Buffer {
  const pcm = Buffer.alloc(Math.round(seconds * 16_000) * 2);
  let state = seed;
  for (let i = 0; i < pcm.length / 2; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    pcm.writeInt16LE((state % 101) - 50, i * 2);
  }
  return pcm;
}

async function resume(sim: RunningSimulatorLike, handle: string, setup: Json): Promise<RawClient> {
  const client = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
  const asked = (setup.sessionResumption ?? {}) as Json;
  client.sendSetup({ ...setup, sessionResumption: { ...asked, handle } });
  return client;
}

describe('simulator: resumption', () => {
  it('issues handles only when asked, after each turn', async () => {
    const sim = await startSim();
    const plain = await openSession(sim, textSetup());
    plain.sendText('one');
    await plain.waitFor(isTurnComplete, 'turn');
    expect(updates(plain.messages)).toEqual([]);
    const asked = await openSession(sim, textSetup({ sessionResumption: {} }));
    asked.sendText('one');
    await asked.waitFor(isResumptionUpdate, 'handle');
    const [update] = updates(asked.messages);
    expect(update?.resumable).toBe(true);
    expect(update?.lastConsumedClientMessageIndex).toBeUndefined();
    // The update follows the turnComplete.
    expect(asked.messages.findIndex(isTurnComplete)).toBeLessThan(asked.messages.findIndex(isResumptionUpdate));
  });

  it('restores the text history as of the handle: later turns are forgotten', async () => {
    const report = tempReportPath();
    const sim = await startSim(`report=${report}`);
    const setup = textSetup({ sessionResumption: {} });
    const first = await openSession(sim, setup);
    first.sendText('one');
    await first.waitForCount(isResumptionUpdate, 1, 'first handle');
    const handleAfterOne = lastHandle(first);
    first.sendText('two');
    await first.waitForCount(isResumptionUpdate, 2, 'second handle');
    const promptAfterTwo = (first.messages.filter(isTurnComplete).at(-1)?.usageMetadata as { promptTokenCount: number }).promptTokenCount;
    first.close();
    await first.closed;

    const second = await resume(sim, handleAfterOne, setup);
    await second.waitFor(isSetupComplete, 'resumed setupComplete');
    second.sendText('two');
    const done = await second.waitFor(isTurnComplete, 'turn after resume');
    // Same prompt as the first run's "two": the history is exactly one, its reply, two.
    expect((done.usageMetadata as { promptTokenCount: number }).promptTokenCount).toBe(promptAfterTwo);
    expect(replyText(second.messages)).toBe('You said: two');
    second.close();
    await second.closed;
    await sim.close();

    const records = readReport(report);
    const summary = records.find((record) => record.type === 'summary');
    expect(summary).toMatchObject({ connections: 2, resumes: 1, textTurnsReceived: 3, textTurnsKept: ['one', 'two'], messageIndex: 2 });
    expect(records.filter((record) => record.type === 'handle' && record.action === 'accepted')).toHaveLength(1);
  });

  it('restores the audio received as of the handle, byte for byte', async () => {
    const report = tempReportPath();
    const sim = await startSim(`report=${report}`);
    const setup = audioSetup({ sessionResumption: {} });
    const first = await openSession(sim, setup);
    const before = quietNoise(6, 1);
    const lost = quietNoise(2, 2);
    const after = quietNoise(1, 3);
    first.sendAudio(before);
    // Handles come every ~5 s of session clock while audio streams and nothing is generated.
    await first.waitFor(isResumptionUpdate, 'periodic handle');
    first.sendAudio(lost);
    first.sendText('sync');
    await first.waitFor(isTurnComplete, 'sync turn');
    const periodic = updates(first.messages)[0]?.newHandle ?? '';
    first.close();
    await first.closed;

    const second = await resume(sim, periodic, setup);
    await second.waitFor(isSetupComplete, 'resumed');
    second.sendAudio(after);
    second.sendText('sync');
    await second.waitFor(isTurnComplete, 'sync after resume');
    await sim.close();

    const records = readReport(report);
    const issued = records.find((record) => record.type === 'handle' && record.handle === periodic);
    const keptBytes = Number(issued?.audioBytesKept);
    expect(keptBytes).toBeGreaterThan(5 * 32_000);
    expect(keptBytes).toBeLessThanOrEqual(before.length);
    const expected = Buffer.concat([before.subarray(0, keptBytes), after]);
    const summary = records.find((record) => record.type === 'summary');
    expect(summary).toMatchObject({
      audioBytesReceived: before.length + lost.length + after.length,
      audioBytesKept: expected.length,
      keptAudioSha256: createHash('sha256').update(expected).digest('hex'),
    });
  });

  it('refuses unknown handles, and every handle with reject-resume, with 1008 "session not found"', async () => {
    const sim = await startSim();
    const unknown = await resume(sim, 'no-such-handle', textSetup({ sessionResumption: {} }));
    expect(await unknown.closed).toEqual({ code: 1008, reason: 'session not found' });

    const rejecting = await startSim('reject-resume');
    const first = await openSession(rejecting, textSetup({ sessionResumption: {} }));
    first.sendText('one');
    await first.waitFor(isResumptionUpdate, 'handle');
    first.close();
    await first.closed;
    const second = await resume(rejecting, lastHandle(first), textSetup({ sessionResumption: {} }));
    expect(await second.closed).toEqual({ code: 1008, reason: 'session not found' });
  });

  it('refuses a handle with 1011 while the old connection is still open', async () => {
    const sim = await startSim();
    const first = await openSession(sim, textSetup({ sessionResumption: {} }));
    first.sendText('one');
    await first.waitFor(isResumptionUpdate, 'handle');
    const second = await resume(sim, lastHandle(first), textSetup({ sessionResumption: {} }));
    const closed = await second.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/still open/);
    // Once the old one is closed, the same handle works.
    first.close();
    await first.closed;
    const third = await resume(sim, lastHandle(first), textSetup({ sessionResumption: {} }));
    await third.waitFor(isSetupComplete, 'resumed after close');
  });

  it('allow-overlap hands off; stale-frames then sends late frames on the old connection', async () => {
    const sim = await startSim('allow-overlap,stale-frames');
    const first = await openSession(sim, textSetup({ sessionResumption: {} }));
    first.sendText('one');
    await first.waitFor(isResumptionUpdate, 'handle');
    const count = first.messages.length;
    const second = await resume(sim, lastHandle(first), textSetup({ sessionResumption: {} }));
    await second.waitFor(isSetupComplete, 'resumed while open');
    const stale = await first.waitFor(isTurnComplete, 'stale frames', count);
    expect(stale).toBeDefined();
    expect(replyText(first.messages.slice(count))).toMatch(/stale frame from connection 1/);
    // The old connection's messages no longer reach the session: only the new one answers.
    second.sendText('two');
    await second.waitFor(isTurnComplete, 'turn on the new connection');
    expect(replyText(second.messages)).toBe('You said: two');
  });

  it('transparent: updates carry lastConsumedClientMessageIndex as an int64 string when asked', async () => {
    const sim = await startSim('transparent');
    const client = await openSession(sim, textSetup({ sessionResumption: { transparent: true } }));
    client.send({ realtimeInput: { audio: { data: quietNoise(0.1, 4).toString('base64'), mimeType: 'audio/pcm;rate=16000' } } });
    client.sendText('one');
    await client.waitForCount(isResumptionUpdate, 1, 'handle');
    client.sendText('two');
    await client.waitForCount(isResumptionUpdate, 2, 'handle');
    expect(updates(client.messages).map((update) => update.lastConsumedClientMessageIndex)).toEqual(['2', '3']);

    const notAsked = await openSession(sim, textSetup({ sessionResumption: {} }));
    notAsked.sendText('one');
    await notAsked.waitFor(isResumptionUpdate, 'handle');
    expect(updates(notAsked.messages)[0]?.lastConsumedClientMessageIndex).toBeUndefined();
  });

  it('resuming restores the message index, so re-sent messages get the same numbers', async () => {
    const sim = await startSim('transparent');
    const setup = textSetup({ sessionResumption: { transparent: true } });
    const first = await openSession(sim, setup);
    first.sendText('one');
    await first.waitForCount(isResumptionUpdate, 1, 'handle');
    const handle = lastHandle(first);
    first.sendText('two');
    await first.waitForCount(isResumptionUpdate, 2, 'handle');
    first.close();
    await first.closed;
    const second = await resume(sim, handle, setup);
    await second.waitFor(isSetupComplete, 'resumed');
    second.sendText('two again');
    await second.waitFor(isResumptionUpdate, 'handle');
    expect(updates(second.messages)[0]?.lastConsumedClientMessageIndex).toBe('2');
  });

  it('a handle issued inside a speech segment resumes inside it: re-sent audio continues the segment', async () => {
    const report = tempReportPath();
    const sim = await startSim(`report=${report}`);
    const setup = audioSetup({ sessionResumption: {} });
    const first = await openSession(sim, setup);
    // One unbroken voiced stretch: the periodic handle (every ~5 s of audio) falls inside it.
    first.sendAudio(tone(6));
    await first.waitFor(isResumptionUpdate, 'periodic handle');
    const handle = lastHandle(first);
    expect(transcription(first.messages, 'inputTranscription')).toMatch(/^\[speech #1 @0\.\d\ds$/);
    first.close();
    await first.closed;

    const second = await resume(sim, handle, setup);
    await second.waitFor(isSetupComplete, 'resumed');
    second.sendAudio(Buffer.concat([tone(1), silence(1)]));
    await second.waitFor(isTurnComplete, 'the reply to the segment');
    await sim.close();

    // The segment ends on the new connection; no second segment starts there.
    expect(transcription(second.messages, 'inputTranscription')).toMatch(/^ \d+\.\d\ds\]$/);
    const speeches = readReport(report).filter((record) => record.type === 'speech');
    expect(speeches.map((record) => record.number)).toEqual([1]);
    expect(Number(speeches[0]?.durationSeconds)).toBeGreaterThan(5);
  });
  it('the handle issued at a barge-in follows the first piece of the segment that barged in', async () => {
    const sim = await startSim();
    const setup = audioSetup({ sessionResumption: {} });
    const client = await openSession(sim, setup);
    client.sendAudio(Buffer.concat([tone(1), silence(1)]));
    // The reply to segment #1 is under way: speech now interrupts it.
    await client.waitFor((message) => modelParts([message]).length > 0, 'reply audio');
    client.sendAudio(tone(1));
    const at = client.messages.length;
    await client.waitFor(isInterrupted, 'the barge-in', at);
    await client.waitFor(isResumptionUpdate, 'the handle after the barge-in', client.messages.findIndex(isInterrupted));
    const after = client.messages.slice(client.messages.findIndex(isInterrupted));
    const startPiece = after.findIndex((message) => /\[speech #2 @/.test(transcription([message], 'inputTranscription')));
    expect(startPiece).toBeGreaterThanOrEqual(0);
    expect(startPiece).toBeLessThan(after.findIndex(isResumptionUpdate));
    client.close();
  });
});

/** A 440 Hz sine at −12 dBFS: loud enough for the voice detector, for as long as asked. */
function tone(seconds: number): Buffer {
  const samples = Math.round(seconds * 16_000);
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16_000)), i * 2);
  return pcm;
}

