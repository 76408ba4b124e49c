import { afterEach, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/core/events.js';
import { resolveLiveConfig } from '../../src/live/config.js';
import { openLiveSession } from '../../src/live/session.js';
import type { ToolCallRequest, ToolHost, ToolResponseOut } from '../../src/live/tool-hooks.js';
import type { LiveSessionHandle } from '../../src/live/types.js';
import { answerSetup, startFakeServer, waitFor, type FakeServer } from './fake-live-server.js';

/** A host that answers every call at once (with `scheduling` when asked) and records cancellations. */
class RecordingHost implements ToolHost {
  readonly calls: Array<{ call: ToolCallRequest; conn: number }> = [];
  readonly cancelled: Array<{ ids: readonly string[]; conn: number }> = [];
  constructor(private readonly answer: (call: ToolCallRequest) => ToolResponseOut | undefined) {}

  call(call: ToolCallRequest, respond: (response: ToolResponseOut) => boolean, conn: number): void {
    this.calls.push({ call, conn });
    const response = this.answer(call);
    if (response) respond(response);
  }

  cancel(ids: readonly string[], conn: number): void {
    this.cancelled.push({ ids, conn });
  }
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function open(host: ToolHost): Promise<{ server: FakeServer; session: LiveSessionHandle }> {
  const server = await startFakeServer({ onMessage: (connection, message) => void answerSetup(connection, message) });
  const { config } = resolveLiveConfig({ endpoint: server.endpoint, model: 'gemini-live-2.5-flash-preview', modality: 'text' }, { GEMINI_API_KEY: 'k-tool-host' }, {});
  config.tools = { functions: [{ name: 'add', parametersJsonSchema: { type: 'object' }, behavior: 'NON_BLOCKING' }], googleSearch: true, codeExecution: false };
  const session = await openLiveSession({ config, events: new EventStream(), id: 's', toolHost: host });
  cleanup.push(() => server.close(), () => session.close());
  return { server, session };
}

describe('the session hands tool calls to its ToolHost', () => {
  it('declares the tools in the setup, answers with id, name, response and scheduling, and passes cancellations on', async () => {
    const host = new RecordingHost((call) => ({ id: call.id, name: call.name, response: { sum: 5 }, scheduling: 'WHEN_IDLE' }));
    const { server } = await open(host);
    const fake = await server.connection();
    expect(fake.received[0]?.setup).toMatchObject({
      tools: [{ functionDeclarations: [{ name: 'add', parametersJsonSchema: { type: 'object' }, behavior: 'NON_BLOCKING' }] }, { googleSearch: {} }],
    });
    fake.sendJson({ toolCall: { functionCalls: [{ id: 'call-1', name: 'add', args: { a: 2, b: 3 } }] } });
    await waitFor(() => fake.received.some((message) => 'toolResponse' in message));
    expect(host.calls).toEqual([{ call: { id: 'call-1', name: 'add', args: { a: 2, b: 3 } }, conn: 1 }]);
    expect(fake.received.find((message) => 'toolResponse' in message)).toEqual({
      toolResponse: { functionResponses: [{ id: 'call-1', name: 'add', response: { sum: 5 }, scheduling: 'WHEN_IDLE' }] },
    });
    fake.sendJson({ toolCallCancellation: { ids: ['call-2'] } });
    await waitFor(() => host.cancelled.length === 1);
    expect(host.cancelled).toEqual([{ ids: ['call-2'], conn: 1 }]);
  });

  it('a tool response goes out ahead of input the session is still holding back', async () => {
    const host = new RecordingHost((call) => ({ id: call.id, name: call.name, response: { ok: true } }));
    const { server, session } = await open(host);
    const fake = await server.connection();
    // Ten seconds of audio at once: flow control lets only a window's worth out at a time.
    const chunk = { data: Buffer.alloc(640), sampleRate: 16_000, channels: 1 };
    for (let i = 0; i < 500; i++) session.sendAudio(chunk);
    expect(session.busy).toBe(true);
    fake.sendJson({ toolCall: { functionCalls: [{ id: 'call-1', name: 'add', args: {} }] } });
    await waitFor(() => fake.received.filter((message) => 'realtimeInput' in message).length === 500, 10_000);
    const kinds = fake.received.slice(1).map((message) => Object.keys(message)[0]);
    const responseAt = kinds.indexOf('toolResponse');
    expect(responseAt).toBeGreaterThan(0);
    expect(responseAt).toBeLessThan(kinds.length - 1);
  });
});
