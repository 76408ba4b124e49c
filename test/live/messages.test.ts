import { describe, expect, it } from 'vitest';
import { MAX_GO_AWAY_MS, ServerMessageError, mapServerMessage, parseDurationMs } from '../../src/live/messages.js';

function types(message: unknown): string[] {
  return mapServerMessage(message).events.map((event) => event.type);
}

describe('mapServerMessage', () => {
  it('setupComplete → no event, sessionId kept', () => {
    expect(mapServerMessage({ setupComplete: {} })).toEqual({ events: [], toolCalls: [], toolCallCancellations: [], setupComplete: {} });
    expect(mapServerMessage({ setupComplete: { sessionId: 'abc' } }).setupComplete).toEqual({ sessionId: 'abc' });
  });

  it('text parts → text, thought parts → thought (never mixed)', () => {
    const { events } = mapServerMessage({
      serverContent: { modelTurn: { role: 'model', parts: [{ text: 'thinking…', thought: true }, { text: 'Hello' }, { text: ' world' }] } },
    });
    expect(events).toEqual([
      { type: 'thought', text: 'thinking…' },
      { type: 'text', text: 'Hello' },
      { type: 'text', text: ' world' },
    ]);
  });

  it('inlineData audio → audio with rate, bytes, ms and the decoded PCM', () => {
    const pcm = Buffer.alloc(960, 1);
    const [labelled] = mapServerMessage({
      serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=16000', data: pcm.toString('base64') } }] } },
    }).events;
    expect(labelled).toMatchObject({ type: 'audio', bytes: 960, sampleRate: 16_000, ms: 30 });
    expect(labelled && 'pcm' in labelled && labelled.pcm?.equals(pcm)).toBe(true);
    const [bare] = mapServerMessage({
      serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm', data: pcm.toString('base64') } }] } },
    }).events;
    expect(bare).toMatchObject({ sampleRate: 24_000, ms: 20 });
  });

  it('transcriptions → transcript.input / transcript.output exactly as received; {} pieces skipped', () => {
    expect(mapServerMessage({ serverContent: { inputTranscription: { text: ' hel' } } }).events).toEqual([{ type: 'transcript.input', text: ' hel' }]);
    expect(mapServerMessage({ serverContent: { outputTranscription: { text: 'lo ' } } }).events).toEqual([{ type: 'transcript.output', text: 'lo ' }]);
    expect(mapServerMessage({ serverContent: { outputTranscription: {} } }).events).toEqual([]);
  });

  it('interrupted, generationComplete', () => {
    expect(types({ serverContent: { interrupted: true } })).toEqual(['interrupted']);
    expect(types({ serverContent: { generationComplete: true } })).toEqual(['generation.complete']);
    expect(types({ serverContent: { interrupted: false } })).toEqual([]);
  });

  it('turnComplete with usage → usage then turn.complete, with the reason', () => {
    const { events } = mapServerMessage({
      serverContent: { turnComplete: true, turnCompleteReason: 'NEED_MORE_INPUT' },
      usageMetadata: {
        promptTokenCount: 120,
        responseTokenCount: 30,
        totalTokenCount: 160,
        thoughtsTokenCount: 10,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 20 }, { modality: 'AUDIO', tokenCount: 100 }],
        responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 30 }],
      },
    });
    expect(events).toEqual([
      {
        type: 'usage',
        promptTokens: 120,
        responseTokens: 30,
        totalTokens: 160,
        thoughtsTokens: 10,
        byModality: { prompt: { TEXT: 20, AUDIO: 100 }, response: { AUDIO: 30 } },
      },
      { type: 'turn.complete', reason: 'NEED_MORE_INPUT' },
    ]);
  });

  it('turnComplete alone → turn.complete; usage alone → usage', () => {
    expect(mapServerMessage({ serverContent: { turnComplete: true } }).events).toEqual([{ type: 'turn.complete' }]);
    expect(mapServerMessage({ usageMetadata: { totalTokenCount: 5 } }).events).toEqual([
      { type: 'usage', promptTokens: 0, responseTokens: 0, totalTokens: 5, byModality: { prompt: {}, response: {} } },
    ]);
  });

  it('goAway → goaway with timeLeftMs, fractional too', () => {
    expect(mapServerMessage({ goAway: { timeLeft: '50s' } })).toMatchObject({ events: [{ type: 'goaway', timeLeftMs: 50_000 }], goAwayMs: 50_000 });
    expect(mapServerMessage({ goAway: { timeLeft: '1.5s' } }).events).toEqual([{ type: 'goaway', timeLeftMs: 1_500 }]);
    expect(mapServerMessage({ goAway: {} }).events).toEqual([{ type: 'goaway', timeLeftMs: 0 }]);
    expect(parseDurationMs({ seconds: '2', nanos: 500_000_000 })).toBe(2_500);
    expect(parseDurationMs('0.000001s')).toBe(0);
  });

  it('sessionResumptionUpdate → resumption only with a new handle; index kept for the caller', () => {
    expect(mapServerMessage({ sessionResumptionUpdate: { newHandle: 'h1', resumable: true, lastConsumedClientMessageIndex: '9007199254740993' } })).toMatchObject({
      events: [{ type: 'resumption', handle: 'h1', resumable: true }],
      resumption: { handle: 'h1', resumable: true, lastConsumedClientMessageIndex: '9007199254740993' },
    });
    expect(mapServerMessage({ sessionResumptionUpdate: { resumable: false } })).toMatchObject({ events: [], resumption: { resumable: false } });
  });

  it('toolCall → one tool.call per function call, and the calls to answer', () => {
    const mapped = mapServerMessage({
      toolCall: { functionCalls: [{ id: 'a', name: 'f', args: { x: 1 } }, { id: 'b', name: 'g' }] },
    });
    expect(mapped.events).toEqual([
      { type: 'tool.call', id: 'a', name: 'f', args: { x: 1 } },
      { type: 'tool.call', id: 'b', name: 'g', args: {} },
    ]);
    expect(mapped.toolCalls.map((call) => call.id)).toEqual(['a', 'b']);
  });

  it('toolCallCancellation → ids, no event', () => {
    expect(mapServerMessage({ toolCallCancellation: { ids: ['a'] } })).toMatchObject({ events: [], toolCallCancellations: ['a'] });
  });

  it('orders one serverContent: input, parts, output, interrupted, generation, usage, turn', () => {
    expect(
      types({
        serverContent: {
          turnComplete: true,
          generationComplete: true,
          interrupted: true,
          outputTranscription: { text: 'o' },
          modelTurn: { parts: [{ text: 't' }] },
          inputTranscription: { text: 'i' },
        },
        usageMetadata: { totalTokenCount: 1 },
      }),
    ).toEqual(['transcript.input', 'text', 'transcript.output', 'interrupted', 'generation.complete', 'usage', 'turn.complete']);
  });
});

describe('extra: unknown fields are kept', () => {
  it('unknown keys of a part / transcription / goAway / call go on its event', () => {
    expect(mapServerMessage({ serverContent: { modelTurn: { parts: [{ text: 'x', thoughtSignature: 'sig' }] } } }).events[0]).toEqual({
      type: 'text',
      text: 'x',
      extra: { thoughtSignature: 'sig' },
    });
    expect(mapServerMessage({ serverContent: { inputTranscription: { text: 'x', finished: true } } }).events[0]?.extra).toEqual({ finished: true });
    expect(mapServerMessage({ goAway: { timeLeft: '1s', why: 'maintenance' } }).events[0]?.extra).toEqual({ why: 'maintenance' });
    expect(mapServerMessage({ toolCall: { functionCalls: [{ id: 'a', name: 'f', scheduling: 'WHEN_IDLE' }] } }).events[0]?.extra).toEqual({ scheduling: 'WHEN_IDLE' });
    expect(mapServerMessage({ usageMetadata: { totalTokenCount: 1, cachedContentTokenCount: 4 } }).events[0]?.extra).toEqual({ cachedContentTokenCount: 4 });
  });

  it('unknown top-level and serverContent keys go on the first event, by path', () => {
    const { events } = mapServerMessage({
      serverContent: { modelTurn: { parts: [{ text: 'a' }, { fileData: { fileUri: 'gs://b/x' } }] }, waitingForInput: true },
      futureThing: { a: 1 },
    });
    expect(events).toEqual([
      {
        type: 'text',
        text: 'a',
        extra: {
          futureThing: { a: 1 },
          serverContent: { waitingForInput: true, modelTurn: { parts: [{ fileData: { fileUri: 'gs://b/x' } }] } },
        },
      },
    ]);
  });

  it('code execution parts become code and code.result events', () => {
    const { events } = mapServerMessage({
      serverContent: {
        modelTurn: {
          parts: [
            { executableCode: { language: 'PYTHON', code: 'print(1 + 1)' } },
            { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '2\n' } },
          ],
        },
      },
    });
    expect(events).toEqual([
      { type: 'code', language: 'PYTHON', code: 'print(1 + 1)' },
      { type: 'code.result', outcome: 'OUTCOME_OK', output: '2\n' },
    ]);
  });

  it('a message with nothing modelled keeps its fields in unattachedExtra', () => {
    expect(mapServerMessage({ voiceActivity: { type: 'START' } })).toEqual({
      events: [],
      toolCalls: [],
      toolCallCancellations: [],
      unattachedExtra: { voiceActivity: { type: 'START' } },
    });
    expect(mapServerMessage({ serverContent: { waitingForInput: true } }).unattachedExtra).toEqual({ serverContent: { waitingForInput: true } });
  });
});

describe('server values that would do harm if trusted (issue 11)', () => {
  it('a goAway whose timeLeft is not a duration means "now", with an error event saying so', () => {
    const mapped = mapServerMessage({ goAway: { timeLeft: 'soon' } });
    expect(mapped.goAwayMs).toBe(0);
    expect(mapped.events[0]).toMatchObject({ type: 'error', code: 'protocol' });
    expect(String((mapped.events[0] as { message?: string }).message)).toMatch(/"soon" is not a duration; handing over now/);
  });

  it('a negative timeLeft is now; a huge one is capped below the timer limit', () => {
    expect(mapServerMessage({ goAway: { timeLeft: '-5s' } }).goAwayMs).toBe(0);
    expect(mapServerMessage({ goAway: { timeLeft: '99999999999s' } }).goAwayMs).toBe(MAX_GO_AWAY_MS);
    expect(mapServerMessage({ goAway: { timeLeft: { seconds: 1e12 } } }).goAwayMs).toBe(MAX_GO_AWAY_MS);
    expect(MAX_GO_AWAY_MS).toBeLessThan(2 ** 31 - 1);
  });

  it('reply audio that is not base64 becomes an error event, no audio', () => {
    const mapped = mapServerMessage({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: '%%nope%%' } }] } } });
    expect(mapped.events.map((e) => e.type)).toEqual(['error']);
  });

  it('reply audio with an odd byte count: an error event, and the audio without its stray byte', () => {
    const data = Buffer.from([1, 2, 3]).toString('base64');
    const mapped = mapServerMessage({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data } }] } } });
    expect(mapped.events.map((e) => e.type)).toEqual(['error', 'audio']);
    expect(mapped.events[1]).toMatchObject({ bytes: 2 });
  });
});

describe('malformed messages throw ServerMessageError', () => {
  it.each([
    ['a string', 'hello', /server message is not an object/],
    ['null', null, /not an object/],
    ['an array', [1], /not an object/],
    ['serverContent not an object', { serverContent: 3 }, /serverContent is not an object/],
    ['parts not an array', { serverContent: { modelTurn: { parts: {} } } }, /parts is not an array/],
    ['text not a string', { serverContent: { modelTurn: { parts: [{ text: 1 }] } } }, /parts\[0\]\.text is not a string/],
    ['turnComplete not a boolean', { serverContent: { turnComplete: 'yes' } }, /turnComplete is not a boolean/],
    ['usage count not a number', { usageMetadata: { totalTokenCount: 'many' } }, /totalTokenCount is not a number/],
    ['function call without a name', { toolCall: { functionCalls: [{ id: 'a' }] } }, /name is missing/],
    ['cancellation ids not strings', { toolCallCancellation: { ids: [1] } }, /ids\[0\] is not a string/],
  ])('%s', (_label, message, pattern) => {
    expect(() => mapServerMessage(message)).toThrow(ServerMessageError);
    expect(() => mapServerMessage(message)).toThrow(pattern);
  });
});
