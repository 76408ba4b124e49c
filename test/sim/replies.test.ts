import { describe, expect, it } from 'vitest';
import {
  audioSetup,
  isResumptionUpdate,
  isTurnComplete,
  modelParts,
  openSession,
  RawClient,
  replyAudio,
  replyText,
  rms,
  serverContent,
  startSim,
  textSetup,
  TEST_KEY,
  transcription,
  VERTEX_PATH,
  type Json,
} from './helpers.js';
import { splitPieces } from '../../src/sim/reply.js';

interface Usage {
  promptTokenCount: number;
  responseTokenCount: number;
  totalTokenCount: number;
  thoughtsTokenCount?: number;
  promptTokensDetails: Array<{ modality: string; tokenCount: number }>;
  responseTokensDetails: Array<{ modality: string; tokenCount: number }>;
}

function usageOf(message: Json): Usage {
  return message.usageMetadata as Usage;
}

describe('simulator: replies to text', () => {
  it('answers a TEXT-modality turn in pieces, then generationComplete, then turnComplete with usage', async () => {
    const sim = await startSim();
    const client = await openSession(sim, textSetup());
    client.sendText('hello there, simulator');
    const done = await client.waitFor(isTurnComplete, 'turnComplete');
    const textMessages = client.messages.filter((message) => modelParts([message]).length > 0);
    expect(textMessages.length).toBeGreaterThan(1);
    expect(replyText(client.messages)).toBe('You said: hello there, simulator');
    const generationComplete = client.messages.findIndex((message) => serverContent(message)?.generationComplete === true);
    expect(generationComplete).toBeGreaterThan(0);
    expect(generationComplete).toBeLessThan(client.messages.indexOf(done));
    const usage = usageOf(done);
    expect(usage.responseTokensDetails).toEqual([{ modality: 'TEXT', tokenCount: usage.responseTokenCount }]);
    expect(usage.totalTokenCount).toBe(usage.promptTokenCount + usage.responseTokenCount);
    // No resumption was asked for, so no handles.
    expect(client.messages.some(isResumptionUpdate)).toBe(false);
  });

  it('spells the response counts the Vertex way on the Vertex endpoint', async () => {
    const sim = await startSim();
    const client = await RawClient.open(sim.url, VERTEX_PATH, { 'x-goog-api-key': TEST_KEY });
    client.sendSetup(textSetup());
    client.sendText('hello vertex');
    const usage = (await client.waitFor(isTurnComplete, 'turnComplete')).usageMetadata as Record<string, unknown>;
    expect(usage.candidatesTokenCount).toBeGreaterThan(0);
    expect(usage.candidatesTokensDetails).toEqual([{ modality: 'TEXT', tokenCount: usage.candidatesTokenCount }]);
    expect(usage.responseTokenCount).toBeUndefined();
  });

  it('counts the whole kept history in each prompt', async () => {
    const sim = await startSim();
    const client = await openSession(sim, textSetup());
    client.sendText('first message with some words in it');
    await client.waitFor(isTurnComplete, 'first turn');
    const first = usageOf(client.messages.find(isTurnComplete) ?? {});
    const from = client.messages.length;
    client.sendText('second');
    const second = usageOf(await client.waitFor(isTurnComplete, 'second turn', from));
    // The second prompt holds turn one, its reply and turn two.
    expect(second.promptTokenCount).toBeGreaterThan(first.promptTokenCount + first.responseTokenCount);
  });

  it('context compression trims the oldest turns once the prompt passes triggerTokens', async () => {
    const prompts = async (setup: Json): Promise<number[]> => {
      const sim = await startSim();
      const client = await openSession(sim, setup);
      for (let turn = 1; turn <= 6; turn++) {
        const from = client.messages.length;
        client.sendText(`turn ${turn}: forty characters of filler text.`);
        await client.waitFor(isTurnComplete, `turn ${turn}`, from);
      }
      return client.messages.filter(isTurnComplete).map((message) => usageOf(message).promptTokenCount);
    };
    const plain = await prompts(textSetup());
    const compressed = await prompts(textSetup({ contextWindowCompression: { triggerTokens: '60', slidingWindow: { targetTokens: '30' } } }));
    expect(plain.at(-1)).toBeGreaterThan(100);
    expect(Math.max(...compressed)).toBeLessThanOrEqual(60);
    expect(compressed.slice(0, 2)).toEqual(plain.slice(0, 2));
  });

  it('answers an AUDIO-modality turn with non-silent 24 kHz PCM and output transcription', async () => {
    const sim = await startSim();
    const client = await openSession(sim, audioSetup());
    client.send({ realtimeInput: { text: 'tell me something' } });
    const done = await client.waitFor(isTurnComplete, 'turnComplete');
    const { pcm, mimeTypes } = replyAudio(client.messages);
    expect([...mimeTypes]).toEqual(['audio/pcm;rate=24000']);
    expect(pcm.length % 2).toBe(0);
    const seconds = pcm.length / 2 / 24_000;
    expect(seconds).toBeGreaterThan(1);
    expect(rms(pcm)).toBeGreaterThan(1000);
    // Chunks of 40-100 ms.
    const chunkSeconds = modelParts(client.messages).map((part) => Buffer.from((part.inlineData as { data: string }).data, 'base64').length / 48_000);
    expect(Math.max(...chunkSeconds)).toBeLessThanOrEqual(0.1);
    expect(transcription(client.messages, 'outputTranscription')).toBe('You said: tell me something');
    // Transcription is interleaved with the audio, not all before or after it.
    const kinds = client.messages.map((message) => (serverContent(message)?.outputTranscription ? 'T' : serverContent(message)?.modelTurn ? 'A' : '-')).join('');
    expect(kinds).toMatch(/A+T+A/);
    const usage = usageOf(done);
    expect(usage.responseTokensDetails).toEqual([{ modality: 'AUDIO', tokenCount: Math.round(seconds * 25) }]);
  });

  it('omits output transcription when the setup did not ask for it', async () => {
    const sim = await startSim();
    const client = await openSession(sim, audioSetup({ outputAudioTranscription: undefined }));
    client.sendText('hi');
    await client.waitFor(isTurnComplete, 'turnComplete');
    expect(transcription(client.messages, 'outputTranscription')).toBe('');
    expect(replyAudio(client.messages).pcm.length).toBeGreaterThan(0);
  });

  it('sends a thought part before the answer for "think …"', async () => {
    const sim = await startSim();
    const client = await openSession(sim, textSetup());
    client.sendText('think about cheese');
    const done = await client.waitFor(isTurnComplete, 'turnComplete');
    const parts = modelParts(client.messages);
    expect(parts[0]?.thought).toBe(true);
    expect(parts.slice(1).every((part) => part.thought !== true)).toBe(true);
    expect(replyText(client.messages)).toBe('You said: about cheese');
    expect(usageOf(done).thoughtsTokenCount).toBeGreaterThan(0);
  });

  it('calls a tool, waits for its response by id, and answers with it', async () => {
    const sim = await startSim();
    const client = await openSession(sim, textSetup());
    client.sendText('call tool get_weather {"city":"Paris"}');
    const call = await client.waitFor((message) => 'toolCall' in message, 'toolCall');
    const functionCall = (call.toolCall as { functionCalls: Array<{ id: string; name: string; args: unknown }> }).functionCalls[0];
    expect(functionCall).toMatchObject({ name: 'get_weather', args: { city: 'Paris' } });
    expect(functionCall?.id).toMatch(/\S/);
    // A response for another id does not release the turn.
    client.send({ toolResponse: { functionResponses: [{ id: 'nope', name: 'get_weather', response: { result: 'wrong' } }] } });
    client.send({ toolResponse: { functionResponses: [{ id: functionCall?.id, name: 'get_weather', response: { result: 'sunny' } }] } });
    await client.waitFor(isTurnComplete, 'turnComplete');
    expect(replyText(client.messages)).toBe('Tool get_weather returned {"result":"sunny"}');
  });

  it('bad-frame-after=N sends one non-JSON frame mid-turn and the turn still completes', async () => {
    const sim = await startSim('bad-frame-after=1');
    const client = await openSession(sim, textSetup());
    client.sendText('one two three four five six');
    await client.waitFor(isTurnComplete, 'turnComplete');
    expect(client.badFrames).toHaveLength(1);
    const badAt = client.frames.findIndex((frame) => frame.text === client.badFrames[0]);
    // After setupComplete and the first reply message, before turnComplete.
    expect(badAt).toBe(2);
    expect(replyText(client.messages)).toBe('You said: one two three four five six');
    // Only the first reply is hit.
    const from = client.messages.length;
    client.sendText('again');
    await client.waitFor(isTurnComplete, 'second turn', from);
    expect(client.badFrames).toHaveLength(1);
  });

  it('a new text turn interrupts a reply in progress', async () => {
    const sim = await startSim();
    const client = await openSession(sim, audioSetup());
    client.sendText('a long sentence so that the reply takes a while to send out completely');
    await client.waitFor((message) => serverContent(message)?.modelTurn !== undefined, 'first audio');
    client.sendText('stop');
    await client.waitFor((message) => serverContent(message)?.interrupted === true, 'interrupted');
    await client.waitForCount(isTurnComplete, 2, 'two turnCompletes');
    expect(transcription(client.messages, 'outputTranscription')).toContain('You said: stop');
  });
});

describe('splitPieces', () => {
  it('splits on words, and with piece-chars also mid-word; the pieces always rebuild the text', () => {
    const text = 'You said: remember k+y/Secret=9f3e1d7c5b now';
    const words = splitPieces(text, 3);
    expect(words.join('')).toBe(text);
    expect(words.every((piece) => /^\s?\S/.test(piece))).toBe(true);
    const cut = splitPieces(text, 3, 4);
    expect(cut.join('')).toBe(text);
    expect(Math.max(...cut.map((piece) => piece.length))).toBeLessThanOrEqual(4);
    // The key is cut inside itself: no one piece holds it.
    expect(cut.some((piece) => piece.includes('k+y/Secret'))).toBe(false);
  });
});
