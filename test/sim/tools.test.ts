import { describe, expect, it } from 'vitest';
import { fixtureAudio, isTurnComplete, openSession, readReport, replyText, serverContent, startSim, tempReportPath, textSetup, type Json } from './helpers.js';

type Call = { id: string; name: string };

function firstCall(message: Json): Call {
  const call = (message.toolCall as { functionCalls: Call[] }).functionCalls[0];
  if (!call) throw new Error('no function call');
  return call;
}

const isToolCall = (message: Json): boolean => 'toolCall' in message;
const isCancellation = (message: Json): boolean => 'toolCallCancellation' in message;

describe('simulator: tools', () => {
  it('speech that interrupts a pending call cancels it (toolCallCancellation with its id) and records so', async () => {
    const report = tempReportPath();
    const sim = await startSim(`report=${report}`);
    const client = await openSession(sim, textSetup());
    client.sendText('call tool slow {"ms":20000}');
    const call = firstCall(await client.waitFor(isToolCall, 'toolCall'));
    client.sendAudio(fixtureAudio('hello-16k.pcm'));
    const cancellation = await client.waitFor(isCancellation, 'toolCallCancellation');
    expect(cancellation.toolCallCancellation).toEqual({ ids: [call.id] });
    // A late response to the cancelled call is recorded as such and answers nothing.
    client.send({ toolResponse: { functionResponses: [{ id: call.id, name: 'slow', response: { late: true } }] } });
    // Messages are handled in order: once this turn is answered, the late response was recorded.
    client.sendText('done');
    await client.waitFor(() => replyText(client.messages).endsWith('You said: done'), 'the last answer');
    await sim.close();
    const records = readReport(report);
    expect(records.find((record) => record.type === 'tool-cancelled')).toMatchObject({ id: call.id, name: 'slow', cause: 'speech' });
    expect(records.find((record) => record.type === 'tool-response')).toMatchObject({ id: call.id, matched: false, cancelled: true });
  });

  it('tool-cancel-after=MS cancels an unanswered call and the reply says so', async () => {
    const sim = await startSim('tool-cancel-after=50');
    const client = await openSession(sim, textSetup());
    client.sendText('call tool slow {"ms":20000}');
    const call = firstCall(await client.waitFor(isToolCall, 'toolCall'));
    expect((await client.waitFor(isCancellation, 'toolCallCancellation')).toolCallCancellation).toEqual({ ids: [call.id] });
    await client.waitFor(isTurnComplete, 'turnComplete');
    expect(replyText(client.messages)).toBe('Tool slow was cancelled.');
    await sim.close();
  });

  it('a NON_BLOCKING declaration lets the reply go on; an INTERRUPT result cuts in with the answer', async () => {
    const sim = await startSim();
    const client = await openSession(
      sim,
      textSetup({ tools: [{ functionDeclarations: [{ name: 'add', behavior: 'NON_BLOCKING' }] }] }),
    );
    client.sendText('call tool add {"a":1,"b":2}');
    const call = firstCall(await client.waitFor(isToolCall, 'toolCall'));
    client.send({ toolResponse: { functionResponses: [{ id: call.id, name: 'add', response: { sum: 3 }, scheduling: 'INTERRUPT' }] } });
    await client.waitFor((message) => replyText(client.messages).endsWith('Tool add returned {"sum":3}') && isTurnComplete(message), 'the answer');
    await sim.close();
  });

  it('with googleSearch in the setup, "search X" is grounded with queries and web sources', async () => {
    const sim = await startSim();
    const client = await openSession(sim, textSetup({ tools: [{ googleSearch: {} }] }));
    client.sendText('search gemini live');
    await client.waitFor(isTurnComplete, 'turnComplete');
    const grounding = client.messages.map((message) => serverContent(message)?.groundingMetadata).find(Boolean) as Json | undefined;
    expect(grounding?.webSearchQueries).toEqual(['gemini live']);
    expect(grounding?.groundingChunks).toHaveLength(2);
    expect(replyText(client.messages)).toBe('A search for "gemini live" found 2 sources.');
    await sim.close();
  });
});
