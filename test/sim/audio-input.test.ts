import { describe, expect, it } from 'vitest';
import {
  audioSetup,
  fixtureAudio,
  isInterrupted,
  isTurnComplete,
  openSession,
  replyAudio,
  serverContent,
  silence,
  startSim,
  transcription,
} from './helpers.js';

const SPEECH = /^\[speech #(\d+) @(\d+\.\d\d)s (\d+\.\d\d)s\]$/;

describe('simulator: audio input', () => {
  it('detects one speech segment in real speech, transcribes what it measured, and replies', async () => {
    const sim = await startSim();
    const client = await openSession(sim, audioSetup());
    client.sendAudio(Buffer.concat([fixtureAudio('hello-16k.pcm'), silence(1)]));
    await client.waitFor(isTurnComplete, 'turnComplete');
    const heard = transcription(client.messages, 'inputTranscription');
    const match = SPEECH.exec(heard);
    expect(match, heard).not.toBeNull();
    expect(match?.[1]).toBe('1');
    expect(Number(match?.[2])).toBeLessThan(0.3);
    const duration = Number(match?.[3]);
    expect(duration).toBeGreaterThan(3.2);
    expect(duration).toBeLessThan(4.1);
    expect(transcription(client.messages, 'outputTranscription')).toBe(`I heard speech #1, ${match?.[3]} seconds.`);
    expect(replyAudio(client.messages).pcm.length).toBeGreaterThan(0);
    // The input transcription comes before the reply.
    const firstReply = client.messages.findIndex((message) => serverContent(message)?.modelTurn !== undefined);
    const lastInput = client.messages.findLastIndex((message) => serverContent(message)?.inputTranscription !== undefined);
    expect(lastInput).toBeLessThan(firstReply);
  });

  it('ends speech at audioStreamEnd without waiting for silence', async () => {
    const sim = await startSim();
    const client = await openSession(sim, audioSetup());
    client.sendAudio(fixtureAudio('hello-16k.pcm'));
    client.send({ realtimeInput: { audioStreamEnd: true } });
    await client.waitFor(isTurnComplete, 'turnComplete');
    expect(transcription(client.messages, 'inputTranscription')).toMatch(SPEECH);
  });

  it('hears nothing in silence and never answers it', async () => {
    const sim = await startSim();
    const client = await openSession(sim, audioSetup());
    client.sendAudio(fixtureAudio('silence-3s-16k.pcm'));
    client.send({ realtimeInput: { audioStreamEnd: true } });
    // A text turn after the silence: its reply proves the silence was processed first.
    client.sendText('done');
    await client.waitFor(isTurnComplete, 'turnComplete');
    expect(transcription(client.messages, 'inputTranscription')).toBe('');
    expect(client.messages.filter(isTurnComplete)).toHaveLength(1);
    expect(transcription(client.messages, 'outputTranscription')).toBe('You said: done');
  });

  it('numbers and times successive segments on the session audio clock', async () => {
    const sim = await startSim();
    const client = await openSession(sim, audioSetup());
    const hello = fixtureAudio('hello-16k.pcm');
    client.sendAudio(Buffer.concat([silence(2), hello, silence(1)]));
    await client.waitForCount(isTurnComplete, 1, 'first turn');
    client.sendAudio(Buffer.concat([hello, silence(1)]));
    await client.waitForCount(isTurnComplete, 2, 'second turn');
    const text = transcription(client.messages, 'inputTranscription');
    const segments = [...text.matchAll(/\[speech #(\d+) @(\d+\.\d\d)s (\d+\.\d\d)s\]/g)];
    expect(segments.map((segment) => segment[1])).toEqual(['1', '2']);
    expect(Number(segments[0]?.[2])).toBeGreaterThan(1.9);
    // The second segment starts after 2 s + hello + 1 s of audio.
    const expectedStart = 2 + hello.length / 32_000 + 1;
    expect(Number(segments[1]?.[2])).toBeGreaterThan(expectedStart - 0.1);
    expect(Number(segments[1]?.[2])).toBeLessThan(expectedStart + 0.3);
  });

  it('speech during a reply interrupts it, then the turn completes and the new speech is answered', async () => {
    const sim = await startSim();
    const client = await openSession(sim, audioSetup());
    const hello = fixtureAudio('hello-16k.pcm');
    client.sendAudio(Buffer.concat([hello, silence(0.6)]));
    await client.waitFor((message) => serverContent(message)?.modelTurn !== undefined, 'reply audio');
    client.sendAudio(Buffer.concat([hello, silence(1)]));
    const interrupted = await client.waitFor(isInterrupted, 'interrupted');
    const at = client.messages.indexOf(interrupted);
    expect(isTurnComplete(client.messages[at + 1] ?? {})).toBe(true);
    // No more audio of the first reply after the interruption; the second reply follows.
    await client.waitForCount(isTurnComplete, 2, 'second reply');
    const after = client.messages.slice(at + 1);
    expect(transcription(after, 'outputTranscription')).toMatch(/^I heard speech #2, /);
    expect(transcription(client.messages.slice(0, at), 'outputTranscription')).not.toBe('I heard speech #1');
  });

  it('with automatic detection disabled, activityStart/activityEnd delimit the turn', async () => {
    const sim = await startSim();
    const client = await openSession(sim, audioSetup({ realtimeInputConfig: { automaticActivityDetection: { disabled: true } } }));
    const hello = fixtureAudio('hello-16k.pcm');
    // Speech outside an activity is not a turn.
    client.sendAudio(hello);
    client.send({ realtimeInput: { activityStart: {} } });
    client.sendAudio(silence(1.5));
    client.send({ realtimeInput: { activityEnd: {} } });
    await client.waitFor(isTurnComplete, 'turnComplete');
    expect(transcription(client.messages, 'inputTranscription')).toBe(`[speech #1 @${(hello.length / 32_000).toFixed(2)}s 1.50s]`);
    expect(transcription(client.messages, 'outputTranscription')).toBe('I heard speech #1, 1.50 seconds.');
  });
});
