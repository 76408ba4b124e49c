import { appendFileSync, readFileSync, statSync, truncateSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventStream, type EventInput } from '../../src/core/events.js';
import { registerSecret } from '../../src/core/redact.js';
import { attachSessionLog } from '../../src/registry/log.js';
import type { SessionRegistry } from '../../src/registry/store.js';
import { historyEvents, isTranscriptEvent, parseLogLines, readSessionLog, readTranscript } from '../../src/registry/transcript.js';
import { allFiles, tempRegistry } from './helpers.js';

const T0 = Date.parse('2026-11-30T12:00:00.000Z');

function setUp(log = true): { registry: SessionRegistry; events: EventStream; stateHome: string; clock: { now: number } } {
  const { registry, stateHome } = tempRegistry();
  registry.create({ id: 's1', model: 'gemini-2.5-flash-native-audio-preview-12-2025', endpoint: 'sim', startedAt: new Date(T0).toISOString(), log });
  return { registry, events: new EventStream(), stateHome, clock: { now: T0 } };
}

const pcmOf = (byte: number, length = 3200): Buffer => Buffer.alloc(length, byte);
const audio = (byte: number): EventInput & { pcm: Buffer } => ({ type: 'audio', bytes: 3200, sampleRate: 24000, ms: 66.7, pcm: pcmOf(byte) });
const logLines = (registry: SessionRegistry): Array<Record<string, unknown>> =>
  readFileSync(registry.logPath('s1'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('attachSessionLog', () => {
  it('appends each event as one line the moment it arrives (no close needed: a crash keeps what was written)', () => {
    const { registry, events } = setUp();
    attachSessionLog(events, registry, 's1', { log: true });
    events.emit({ type: 'session.open', id: 's1', model: 'm', resumed: false, schema: 1 }, 1);
    events.emit({ type: 'user.text', text: 'hello' }, 1);
    expect(logLines(registry).map((line) => line.type)).toEqual(['session.open', 'user.text']);
    events.emit({ type: 'text', text: 'Hi there' }, 1);
    expect(logLines(registry).map((line) => line.type)).toEqual(['session.open', 'user.text', 'text']);
    expect(statSync(registry.logPath('s1')).mode & 0o777).toBe(0o600);
  });

  it('never writes pcm: consecutive audio events become one line with summed sizes', async () => {
    const { registry, events } = setUp();
    const log = attachSessionLog(events, registry, 's1', { log: true });
    events.emit({ type: 'transcript.output', text: 'Sure' }, 1);
    for (let i = 0; i < 5; i++) events.emit(audio(0x5a), 1);
    events.emit({ type: 'transcript.output', text: ', here' }, 1);
    events.emit(audio(0x5a), 1);
    events.emit(audio(0x5a), 2); // a new connection starts a new run
    await log.close();
    const lines = logLines(registry);
    expect(lines.map((line) => line.type)).toEqual(['transcript.output', 'audio', 'transcript.output', 'audio', 'audio']);
    expect(lines[1]).toMatchObject({ type: 'audio', conn: 1, bytes: 16000, sampleRate: 24000, ms: 333.5, chunks: 5 });
    expect(lines[4]).toMatchObject({ conn: 2, bytes: 3200, chunks: 1 });
    const text = readFileSync(registry.logPath('s1'), 'utf8');
    expect(text).not.toContain('pcm');
    expect(text).not.toContain(pcmOf(0x5a, 30).toString('base64'));
    expect(text).not.toContain('"data"');
  });

  it('records the newest handle while resumable, the first words and the end', async () => {
    const { registry, events, clock } = setUp();
    const log = attachSessionLog(events, registry, 's1', { log: true, now: () => clock.now });
    events.emit({ type: 'transcript.input', text: ' What is' }, 1);
    events.emit({ type: 'transcript.input', text: ' the  weather' }, 1);
    expect(registry.get('s1')?.firstWords).toBeUndefined(); // still talking
    events.emit({ type: 'transcript.output', text: 'Sunny.' }, 1);
    expect(registry.get('s1')?.firstWords).toBe('What is the weather');
    events.emit({ type: 'user.text', text: 'later words do not replace them' }, 1);
    expect(registry.get('s1')?.firstWords).toBe('What is the weather');

    clock.now = T0 + 5000;
    events.emit({ type: 'resumption', handle: 'h1', resumable: true }, 1);
    expect(registry.get('s1')).toMatchObject({ lastHandle: 'h1', handleIssuedAt: new Date(T0 + 5000).toISOString(), resumable: true });
    clock.now = T0 + 9000;
    events.emit({ type: 'resumption', handle: 'h-not-now', resumable: false }, 1);
    events.emit({ type: 'resumption', handle: 'h2', resumable: true }, 2);
    expect(registry.get('s1')).toMatchObject({ lastHandle: 'h2', handleIssuedAt: new Date(T0 + 9000).toISOString() });

    clock.now = T0 + 20_000;
    events.emit({ type: 'session.end', id: 's1', resume: 'live-cli resume s1' }, 2);
    expect(registry.get('s1')?.endedAt).toBe(new Date(T0 + 20_000).toISOString());
    clock.now = T0 + 30_000;
    await log.close();
    expect(registry.get('s1')?.endedAt).toBe(new Date(T0 + 20_000).toISOString());
  });

  it('takes the first words from a typed turn, cut to about 60 characters', () => {
    const { registry, events } = setUp();
    attachSessionLog(events, registry, 's1', { log: true });
    events.emit({ type: 'user.text', text: 'Please tell me everything you know about the Gemini Live API and its sessions' }, 1);
    expect(registry.get('s1')?.firstWords).toBe('Please tell me everything you know about the Gemini Live…');
  });

  it('sets endedAt on close when no session.end came', async () => {
    const { registry, events, clock } = setUp();
    const log = attachSessionLog(events, registry, 's1', { log: true, now: () => clock.now });
    clock.now = T0 + 1234;
    await log.close();
    await log.close(); // idempotent
    expect(registry.get('s1')?.endedAt).toBe(new Date(T0 + 1234).toISOString());
    events.emit({ type: 'user.text', text: 'after close' }, 1);
    expect(readFileSync(registry.logPath('s1'), 'utf8')).toBe('');
  });

  it('with log: false writes no log and no first words, only what resuming needs', async () => {
    const { registry, events } = setUp(false);
    const log = attachSessionLog(events, registry, 's1', { log: false });
    events.emit({ type: 'user.text', text: 'private words' }, 1);
    events.emit(audio(1), 1);
    events.emit({ type: 'resumption', handle: 'h1', resumable: true }, 1);
    events.emit({ type: 'session.end', id: 's1' }, 1);
    await log.close();
    expect(existsSync(registry.logPath('s1'))).toBe(false);
    const record = registry.get('s1');
    expect(record).toMatchObject({ lastHandle: 'h1', resumable: true, log: false });
    expect(record?.endedAt).toBeDefined();
    expect(record?.firstWords).toBeUndefined();
    expect(readFileSync(registry.recordPath('s1'), 'utf8')).not.toContain('private words');
  });

  it('never writes the API key, to the log or the record', async () => {
    const secret = 'fake-registry-secret-4b1d9e';
    registerSecret(secret);
    const { registry, events, stateHome } = setUp();
    registry.update('s1', { systemInstruction: `my key is ${secret}` });
    const log = attachSessionLog(events, registry, 's1', { log: true });
    events.emit({ type: 'error', code: 'protocol', message: `closed wss://host/ws?key=${secret}&alt=1` }, 1);
    events.emit({ type: 'user.text', text: `here it is: ${secret}` }, 1);
    events.emit({ type: 'error', code: 'auth', message: 'wss://host/ws?key=unregistered-key-123 rejected' }, 1);
    await log.close();
    const files = allFiles(stateHome);
    expect(files.map((file) => file.path.replace(stateHome, ''))).toEqual(expect.arrayContaining(['/live-cli/sessions/s1.json', '/live-cli/sessions/s1.jsonl']));
    for (const file of files) {
      expect(file.text).not.toContain(secret);
      expect(file.text).not.toContain('unregistered-key-123');
    }
    expect(readTranscript(registry, 's1')).toEqual([expect.objectContaining({ type: 'user.text', text: 'here it is: ***' })]);
  });

  it('survives a crash mid-write: the torn line is skipped and the next writer starts a fresh line', async () => {
    const { registry, events } = setUp();
    attachSessionLog(events, registry, 's1', { log: true }); // never closed: the process "dies"
    events.emit({ type: 'user.text', text: 'first' }, 1);
    events.emit({ type: 'transcript.output', text: 'one' }, 1);
    events.emit({ type: 'transcript.output', text: 'two' }, 1);
    // SIGKILL in the middle of the last write: half of that line reached the file.
    const size = statSync(registry.logPath('s1')).size;
    truncateSync(registry.logPath('s1'), size - 12);
    expect(readTranscript(registry, 's1').map((event) => event.text)).toEqual(['first', 'one']);

    // Appending again (the same id reopened) must not glue onto the torn line.
    const again = new EventStream();
    const log = attachSessionLog(again, registry, 's1', { log: true });
    again.emit({ type: 'user.text', text: 'second' }, 1);
    await log.close();
    expect(readTranscript(registry, 's1').map((event) => event.text)).toEqual(['first', 'one', 'second']);
  });

  it('reports the first failed write once and keeps the session going', () => {
    const { registry, events } = setUp();
    const errors: Error[] = [];
    attachSessionLog(events, registry, 's1', { log: true, onError: (error) => errors.push(error) });
    registry.remove('s1'); // the record vanishes under a running session (`sessions rm`)
    expect(() => events.emit({ type: 'resumption', handle: 'h', resumable: true }, 1)).not.toThrow();
    expect(() => events.emit({ type: 'session.end', id: 's1' }, 1)).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});

describe('reading the log back', () => {
  it('keeps transcript pieces as they arrived, in order, and nothing else', async () => {
    const { registry, events } = setUp();
    const log = attachSessionLog(events, registry, 's1', { log: true });
    const inputs: EventInput[] = [
      { type: 'session.open', id: 's1', model: 'm', resumed: false, schema: 1 },
      { type: 'transcript.input', text: 'Hel', offsetMs: 100 },
      { type: 'transcript.input', text: 'lo' },
      { type: 'thought', text: 'greeting' },
      { type: 'transcript.output', text: 'Hi' },
      { type: 'transcript.output', text: ' you.' },
      { type: 'turn.complete' },
      { type: 'user.text', text: 'bye' },
      { type: 'text', text: 'Bye!' },
      { type: 'session.end', id: 's1' },
    ];
    for (const input of inputs) events.emit(input, 1);
    await log.close();
    expect(readTranscript(registry, 's1').map((event) => [event.type, event.text])).toEqual([
      ['transcript.input', 'Hel'],
      ['transcript.input', 'lo'],
      ['transcript.output', 'Hi'],
      ['transcript.output', ' you.'],
      ['user.text', 'bye'],
      ['text', 'Bye!'],
    ]);
    expect(readTranscript(registry, 's1')[0]).toMatchObject({ offsetMs: 100, conn: 1 });
    expect(readSessionLog(registry, 's1')).toHaveLength(inputs.length);
  });

  it('tolerates blank, torn and foreign lines anywhere', () => {
    const text = [
      '{"type":"user.text","text":"a","t":1,"conn":1}',
      '',
      '{"type":"transcript.output","te',
      'not json',
      '[1,2]',
      '{"type":"text"}',
      '{"type":"text","text":"b","t":2,"conn":1}',
      '{"type":"transcript.in',
    ].join('\n');
    expect(parseLogLines(text).map((event) => event.type)).toEqual(['user.text', 'text']);
  });

  it('a session without a log has an empty transcript', () => {
    const { registry } = setUp(false);
    expect(readTranscript(registry, 's1')).toEqual([]);
    appendFileSync(registry.logPath('s1'), '');
    expect(readTranscript(registry, 's1')).toEqual([]);
  });

  it('turns the transcript into history events for resume: each kind kept, with history: true', () => {
    const transcript = parseLogLines(
      [
        '{"type":"user.text","text":"hi","t":1,"conn":1}',
        '{"type":"transcript.input","text":"How","t":2,"conn":1,"offsetMs":5}',
        '{"type":"transcript.output","text":"Fine","t":3,"conn":2}',
        '{"type":"text","text":"ok","t":4,"conn":2,"extra":{"x":1}}',
      ].join('\n'),
    ).filter(isTranscriptEvent);
    expect(historyEvents(transcript)).toEqual([
      { type: 'user.text', text: 'hi', history: true },
      { type: 'transcript.input', text: 'How', history: true },
      { type: 'transcript.output', text: 'Fine', history: true },
      { type: 'text', text: 'ok', history: true },
    ]);
  });
});
