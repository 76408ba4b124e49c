import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { defaultSimOptions, parseSimOptions, startSimulator, type RunningSimulator } from '../../src/sim/index.js';

export const TEST_KEY = 'sim-test-key-5f3a9c';
export const TEXT_MODEL = 'models/gemini-live-2.5-flash-preview';
export const NATIVE_MODEL = 'models/gemini-2.5-flash-native-audio-preview-12-2025';

const running: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

/** Starts a simulator on port 0 with `--sim=`-style options; closed after each test. */
export async function startSim(spec = ''): Promise<RunningSimulator> {
  const sim = await startSimulator(parseSimOptions(spec, defaultSimOptions()));
  running.push(sim);
  return sim;
}

export function tempReportPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'sim-report-')), 'report.ndjson');
}

export function readReport(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export function geminiPath(options: { key?: string; version?: string; method?: string; prefix?: string } = {}): string {
  const method = options.method ?? 'BidiGenerateContent';
  const param = method === 'BidiGenerateContentConstrained' ? 'access_token' : 'key';
  const query = options.key === undefined ? '' : `?${param}=${encodeURIComponent(options.key)}`;
  return `${options.prefix ?? '/'}/ws/google.ai.generativelanguage.${options.version ?? 'v1beta'}.GenerativeService.${method}${query}`;
}

export const VERTEX_PATH = '//ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent';

export type Json = Record<string, unknown>;
export type RunningSimulatorLike = Pick<RunningSimulator, 'url'>;

export interface Closed {
  code: number;
  reason: string;
}

/** A raw `ws` client that records every server frame, as a test double of nobody's client code. */
export class RawClient {
  readonly messages: Json[] = [];
  readonly frames: { binary: boolean; text: string }[] = [];
  readonly badFrames: string[] = [];
  readonly closed: Promise<Closed>;
  private readonly ws: WebSocket;
  private waiters: Array<() => void> = [];
  private closeInfo: Closed | undefined;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (data, isBinary) => {
      const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      const text = buffer.toString('utf8');
      this.frames.push({ binary: isBinary, text });
      try {
        this.messages.push(JSON.parse(text) as Json);
      } catch {
        this.badFrames.push(text);
      }
      this.wake();
    });
    this.ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.wake();
      });
    });
  }

  static async open(base: string, path: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const client = new RawClient(base.replace(/^http/, 'ws') + path, headers);
    await client.opened();
    return client;
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      this.ws.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  send(message: Json): void {
    this.ws.send(JSON.stringify(message));
  }

  /** A frame exactly as given, for malformed input. */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  sendSetup(setup: Json): void {
    this.send({ setup });
  }

  sendText(text: string): void {
    this.send({ clientContent: { turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true } });
  }

  sendAudio(pcm: Buffer, chunkBytes = 3200): void {
    for (let offset = 0; offset < pcm.length; offset += chunkBytes) {
      const data = pcm.subarray(offset, offset + chunkBytes).toString('base64');
      this.send({ realtimeInput: { audio: { data, mimeType: 'audio/pcm;rate=16000' } } });
    }
  }

  close(): void {
    this.ws.close();
  }

  /** Resolves with the first message (from `from` on) matching `predicate`; rejects if the socket closes first. */
  waitFor(predicate: (message: Json) => boolean, what: string, from = 0): Promise<Json> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.messages.slice(from).find(predicate);
        if (found) return resolve(found);
        if (this.closeInfo) return reject(new Error(`closed ${this.closeInfo.code} "${this.closeInfo.reason}" before ${what}`));
        this.waiters.push(check);
      };
      check();
    });
  }

  /** Index just after the n-th message matching `predicate` (1-based), once it has arrived. */
  async waitForCount(predicate: (message: Json) => boolean, count: number, what: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.messages.filter(predicate).length >= count) return resolve();
        if (this.closeInfo) return reject(new Error(`closed ${this.closeInfo.code} "${this.closeInfo.reason}" before ${what}`));
        this.waiters.push(check);
      };
      check();
    });
  }
}

export function serverContent(message: Json): Json | undefined {
  const content = message.serverContent;
  return typeof content === 'object' && content !== null ? (content as Json) : undefined;
}

export const isSetupComplete = (message: Json): boolean => 'setupComplete' in message;
export const isTurnComplete = (message: Json): boolean => serverContent(message)?.turnComplete === true;
export const isInterrupted = (message: Json): boolean => serverContent(message)?.interrupted === true;
export const isResumptionUpdate = (message: Json): boolean => 'sessionResumptionUpdate' in message;

/** Concatenated `modelTurn` text parts (thoughts excluded) of the given messages. */
export function replyText(messages: Json[]): string {
  return modelParts(messages)
    .filter((part) => typeof part.text === 'string' && part.thought !== true)
    .map((part) => String(part.text))
    .join('');
}

export function modelParts(messages: Json[]): Json[] {
  return messages.flatMap((message) => {
    const modelTurn = serverContent(message)?.modelTurn as { parts?: Json[] } | undefined;
    return modelTurn?.parts ?? [];
  });
}

export function transcription(messages: Json[], field: 'inputTranscription' | 'outputTranscription'): string {
  return messages
    .map((message) => (serverContent(message)?.[field] as { text?: string } | undefined)?.text ?? '')
    .join('');
}

/** Reply audio of the given messages, decoded and concatenated, with its mime types. */
export function replyAudio(messages: Json[]): { pcm: Buffer; mimeTypes: Set<string> } {
  const mimeTypes = new Set<string>();
  const chunks: Buffer[] = [];
  for (const part of modelParts(messages)) {
    const inline = part.inlineData as { mimeType?: string; data?: string } | undefined;
    if (!inline?.data) continue;
    mimeTypes.add(inline.mimeType ?? '');
    chunks.push(Buffer.from(inline.data, 'base64'));
  }
  return { pcm: Buffer.concat(chunks), mimeTypes };
}

export function rms(pcm: Buffer): number {
  let energy = 0;
  const samples = pcm.length >> 1;
  for (let i = 0; i < samples; i++) energy += pcm.readInt16LE(i * 2) ** 2;
  return samples === 0 ? 0 : Math.sqrt(energy / samples);
}

/** Real speech (espeak-ng) from test/fixtures/audio (copied from the workspace's shared samples, so a clone tests on its own). */
export function fixtureAudio(name: 'hello-16k.pcm' | 'silence-3s-16k.pcm'): Buffer {
  return readFileSync(join(import.meta.dirname, '..', 'fixtures', 'audio', name));
}

export function silence(seconds: number, rate = 16_000): Buffer {
  return Buffer.alloc(Math.round(seconds * rate) * 2);
}

export function textSetup(extra: Json = {}): Json {
  return { model: TEXT_MODEL, generationConfig: { responseModalities: ['TEXT'] }, ...extra };
}

export function audioSetup(extra: Json = {}): Json {
  return {
    model: NATIVE_MODEL,
    generationConfig: { responseModalities: ['AUDIO'] },
    inputAudioTranscription: {},
    outputAudioTranscription: {},
    ...extra,
  };
}

/** Opens a Gemini-API connection, sends `setup` and waits for `setupComplete`. */
export async function openSession(sim: RunningSimulator, setup: Json): Promise<RawClient> {
  const client = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY }));
  client.sendSetup(setup);
  await client.waitFor(isSetupComplete, 'setupComplete');
  return client;
}
