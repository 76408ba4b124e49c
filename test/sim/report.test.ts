import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultSimOptions, startSimulator } from '../../src/sim/index.js';
import {
  audioSetup,
  fixtureAudio,
  geminiPath,
  isTurnComplete,
  openSession,
  RawClient,
  readReport,
  silence,
  startSim,
  tempReportPath,
  TEST_KEY,
  VERTEX_PATH,
} from './helpers.js';

describe('simulator: report', () => {
  it('records connections, setups, every client message, speech, replies and a summary, never the key', async () => {
    const path = tempReportPath();
    const sim = await startSim(`report=${path}`);
    const client = await openSession(sim, audioSetup());
    const audio = Buffer.concat([fixtureAudio('hello-16k.pcm'), silence(1)]);
    client.sendAudio(audio, 6400);
    await client.waitFor(isTurnComplete, 'speech reply');
    client.sendText('hello report');
    await client.waitForCount(isTurnComplete, 2, 'text reply');
    client.close();
    await client.closed;
    const vertex = await RawClient.open(sim.url, VERTEX_PATH, { 'x-goog-api-key': TEST_KEY });
    vertex.close();
    await vertex.closed;
    await sim.close();

    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(TEST_KEY);
    const records = readReport(path);
    expect(records[0]?.type).toBe('start');
    const connections = records.filter((record) => record.type === 'connection');
    expect(connections).toHaveLength(2);
    expect(connections[0]).toMatchObject({
      conn: 1,
      api: 'gemini',
      keyParam: 'key',
      keyPresent: true,
      path: geminiPath({ key: 'REDACTED' }),
    });
    expect(connections[1]).toMatchObject({ conn: 2, api: 'vertex', keyParam: 'x-goog-api-key' });
    expect(records.find((record) => record.type === 'setup')).toMatchObject({
      conn: 1,
      session: 's1',
      modality: 'AUDIO',
      inputTranscription: true,
      outputTranscription: true,
      resumed: false,
    });
    const messages = records.filter((record) => record.type === 'client' && record.conn === 1);
    const audioMessages = messages.filter((record) => record.kind === 'realtimeInput.audio');
    expect(audioMessages).toHaveLength(Math.ceil(audio.length / 6400));
    expect(audioMessages.map((record) => record.index)).toEqual(audioMessages.map((_record, i) => i + 1));
    expect(audioMessages.at(-1)).toMatchObject({ audioBytesReceived: audio.length, audioBytesKept: audio.length });
    expect(messages.at(-1)).toMatchObject({ kind: 'clientContent', index: audioMessages.length + 1 });
    expect(messages[0]).toMatchObject({ kind: 'setup', index: null });
    expect(records.filter((record) => record.type === 'speech')).toEqual([expect.objectContaining({ number: 1, source: 'vad' })]);
    const replies = records.filter((record) => record.type === 'reply');
    expect(replies.map((record) => [record.source, record.outcome])).toEqual([
      ['speech', 'complete'],
      ['text', 'complete'],
    ]);
    expect(records.find((record) => record.type === 'text-turn')).toMatchObject({ text: 'hello report', kept: 1 });
    const summary = records.at(-1);
    expect(summary).toMatchObject({
      type: 'summary',
      session: 's1',
      connections: 1,
      audioBytesReceived: audio.length,
      audioBytesKept: audio.length,
      textTurnsKept: ['hello report'],
      speechSegments: 1,
      replies: 2,
      interruptions: 0,
    });
    expect(records.filter((record) => record.type === 'disconnect')).toHaveLength(2);
  });

  it('records refusals and 404s, and keeps the key out of the human log', async () => {
    const path = tempReportPath();
    const log = new PassThrough();
    const chunks: string[] = [];
    log.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const sim = await startSimulator({ ...defaultSimOptions(), report: path, rejectKey: true }, log);
    const refused = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
    await refused.closed;
    await expect(RawClient.open(sim.url, `/nowhere?key=${TEST_KEY}`)).rejects.toThrow('404');
    await sim.close();
    const records = readReport(path);
    expect(records.find((record) => record.type === 'rejected')).toMatchObject({ code: 1008, cause: 'reject-key' });
    expect(records.find((record) => record.type === 'http-404')).toMatchObject({ path: '/nowhere?key=REDACTED' });
    const logText = chunks.join('');
    expect(logText).toContain('listening on');
    expect(logText).toContain('refused 1008');
    expect(logText).not.toContain(TEST_KEY);
    expect(readFileSync(path, 'utf8')).not.toContain(TEST_KEY);
  });

  it('close() ends open connections and is idempotent', async () => {
    const sim = await startSim();
    const client = await openSession(sim, audioSetup());
    client.sendText('a reply that will be cut short by the shutdown');
    await Promise.all([sim.close(), sim.close()]);
    expect((await client.closed).code).toBe(1006);
  });
});
