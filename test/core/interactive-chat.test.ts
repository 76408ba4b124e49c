import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { EventStream, type LiveEvent } from '../../src/core/events.js';
import { InteractiveChat, type MicState } from '../../src/core/interactive-chat.js';
import type { PcmChunk } from '../../src/audio/pcm.js';
import type { AudioSource } from '../../src/audio/sources/types.js';
import type { LiveSessionHandle } from '../../src/live/types.js';

type Call = string;

/** A session that records what it was asked to send, in order; `lose()` ends it for good. */
function recordingSession(): { session: LiveSessionHandle; calls: Call[]; lose: (error: CliError) => void; endOnPurpose: () => void } {
  const calls: Call[] = [];
  let lose: (error: CliError) => void = () => undefined;
  let endOnPurpose: () => void = () => undefined;
  const closed = new Promise<void>((resolve, reject) => {
    lose = reject;
    endOnPurpose = resolve;
  });
  closed.catch(() => undefined);
  const session: LiveSessionHandle = {
    conn: 1,
    sendText: (text) => calls.push(`text:${text}`),
    sendAudio: (chunk) => calls.push(`audio:${chunk.data.length}`),
    sendAudioStreamEnd: () => calls.push('audioStreamEnd'),
    sendActivityStart: () => calls.push('activityStart'),
    sendActivityEnd: () => calls.push('activityEnd'),
    close: () => Promise.resolve(),
    closed,
  };
  return { session, calls, lose, endOnPurpose };
}

/** A mic-like source fed by the test: push() delivers a 20 ms 16 kHz chunk; setMuted drops like the mic does. */
class TestMic implements AudioSource {
  readonly label = 'test mic';
  muted = false;
  stopped = false;
  private readonly queue: PcmChunk[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  setMuted(muted: boolean): void {
    this.muted = muted;
  }

  push(value = 1000): void {
    if (this.muted) return;
    const data = Buffer.alloc(640);
    for (let i = 0; i < data.length; i += 2) data.writeInt16LE(value, i);
    this.queue.push({ data, sampleRate: 16_000, channels: 1 });
    this.wake?.();
  }

  fail(error: Error): void {
    this.failure = error;
    this.wake?.();
  }

  async *chunks(): AsyncIterable<PcmChunk> {
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.stopped) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    return Promise.resolve();
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(options: { pushToTalk?: boolean; source?: AudioSource | null } = {}) {
  const { session, calls, lose, endOnPurpose } = recordingSession();
  const events = new EventStream();
  const seen: LiveEvent[] = [];
  events.on((event) => seen.push(event));
  const mic = new TestMic();
  const states: MicState[] = [];
  const lost: CliError[] = [];
  const ended: boolean[] = [];
  const controller = new AbortController();
  const chat = new InteractiveChat({
    session,
    events,
    ...(options.source === null ? {} : { source: options.source ?? mic }),
    pushToTalk: options.pushToTalk ?? false,
    onMicState: (state) => states.push(state),
    onVoiceLost: (error, byItself) => {
      lost.push(error);
      ended.push(byItself);
    },
    signal: controller.signal,
  });
  const running = chat.run();
  return { chat, calls, mic, states, lost, ended, seen, running, controller, lose, endOnPurpose };
}

describe('InteractiveChat', () => {
  it('streams the mic while live; m mutes with audioStreamEnd, drops audio, and m again resumes', async () => {
    const { chat, calls, mic, running } = setup();
    expect(chat.micState).toBe('live');
    mic.push();
    await tick();
    chat.handle({ type: 'toggle-mute' });
    mic.push();
    await tick();
    expect(chat.micState).toBe('muted');
    chat.handle({ type: 'toggle-mute' });
    mic.push();
    await tick();
    chat.handle({ type: 'quit' });
    await running;
    expect(calls.slice(0, 3)).toEqual(['audio:640', 'audioStreamEnd', 'audio:640']);
  });

  it('a typed line is shown as the user turn and sent, trimmed; blank lines are not sent', async () => {
    const { chat, calls, seen, running } = setup({ source: null });
    expect(chat.micState).toBe('off');
    chat.handle({ type: 'send-text', text: '  what is the weather?  ' });
    chat.handle({ type: 'send-text', text: '   ' });
    chat.handle({ type: 'quit' });
    await running;
    expect(calls).toEqual(['text:what is the weather?']);
    expect(seen.filter((event) => event.type === 'user.text').map((event) => event.type === 'user.text' && event.text)).toEqual([
      'what is the weather?',
    ]);
  });

  it('push-to-talk: audio only between activityStart and activityEnd; Space toggles', async () => {
    const { chat, calls, mic, states, running } = setup({ pushToTalk: true });
    expect(chat.micState).toBe('ptt-idle');
    mic.push();
    await tick();
    chat.handle({ type: 'toggle-talk' });
    mic.push();
    mic.push();
    await tick();
    chat.handle({ type: 'toggle-talk' });
    mic.push();
    await tick();
    chat.handle({ type: 'quit' });
    await running;
    expect(calls.slice(0, 4)).toEqual(['activityStart', 'audio:640', 'audio:640', 'activityEnd']);
    expect(states).toEqual(['ptt-talking', 'ptt-idle']);
  });

  it('push-to-talk: m while talking ends the activity instead of the stream; Space is ignored without it', async () => {
    const ptt = setup({ pushToTalk: true });
    ptt.chat.handle({ type: 'toggle-talk' });
    ptt.chat.handle({ type: 'toggle-mute' });
    expect(ptt.chat.micState).toBe('muted');
    ptt.chat.handle({ type: 'quit' });
    await ptt.running;
    expect(ptt.calls).toEqual(['activityStart', 'activityEnd']);

    const auto = setup();
    auto.chat.handle({ type: 'toggle-talk' });
    auto.chat.handle({ type: 'quit' });
    await auto.running;
    expect(auto.calls).not.toContain('activityStart');
    expect(auto.chat.micState).toBe('live');
  });

  it('a failing mic turns voice off and the conversation goes on in text', async () => {
    const { chat, calls, mic, lost, ended, running } = setup();
    mic.fail(new CliError('device', 'arecord exited with code 1'));
    await tick();
    await tick();
    expect(chat.micState).toBe('off');
    expect(lost.map((error) => error.message)).toEqual(['arecord exited with code 1']);
    expect(ended).toEqual([false]);
    chat.handle({ type: 'send-text', text: 'still here' });
    chat.handle({ type: 'quit' });
    await running;
    expect(calls).toContain('text:still here');
  });

  it('a source that ends by itself (a file, --duration) turns voice off as ended, not failed', async () => {
    const { chat, calls, mic, ended, running } = setup();
    mic.push();
    await mic.stop();
    await tick();
    await tick();
    expect(chat.micState).toBe('off');
    expect(ended).toEqual([true]);
    // The end of the input is said to the server as on any stream end.
    expect(calls).toEqual(['audio:640', 'audioStreamEnd']);
    chat.handle({ type: 'quit' });
    await running;
  });

  it('a session lost for good rejects run() with its error; an abort resolves it', async () => {
    const lostRun = setup();
    lostRun.lose(new CliError('protocol', 'reconnection budget spent'));
    await expect(lostRun.running).rejects.toThrow('reconnection budget spent');

    const aborted = setup();
    aborted.controller.abort();
    await expect(aborted.running).resolves.toBeUndefined();
    expect(aborted.mic.stopped).toBe(true);
  });
});
