/**
 * One parsed server message → the events it means (contract: Events). Pure: no I/O, no clock, no
 * SDK. The message is validated here, at the boundary: a message that is not an object, or a
 * modelled field of the wrong type, throws ServerMessageError, which the session reports as an
 * `error{code:'protocol'}` event before carrying on.
 *
 * Unknown fields are never dropped; they go into `extra`:
 * - unknown keys of an object that yields one event (a part, a transcription, usageMetadata,
 *   goAway, sessionResumptionUpdate, a function call) go on that event, keyed as in that object;
 * - unknown top-level keys, unknown keys of serverContent / modelTurn / setupComplete, and parts we
 *   do not model (executableCode, …) go on the first event of the message, keyed by their path
 *   from the message root (e.g. `{serverContent: {waitingForInput: true}}`);
 * - when a message yields no event at all they are returned as `unattachedExtra`: there is no
 *   event to carry them, and inventing one would break the contract's event list.
 */
import type { EventInput, ModalityCounts } from '../core/events.js';
import { pcmBytesToMs, rateFromMimeType } from '../audio/pcm.js';

export class ServerMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerMessageError';
  }
}

/** An event as produced here; audio events carry their decoded samples in `pcm`. */
export type MappedEvent = EventInput & { pcm?: Buffer };

export interface ToolCallRequest {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export interface ResumptionUpdate {
  /** Present only when the server issued a new handle. */
  handle?: string;
  resumable: boolean;
  /** int64 as a decimal string; sent only in `transparent` mode (Vertex). */
  lastConsumedClientMessageIndex?: string;
}

export interface MappedServerMessage {
  events: MappedEvent[];
  /** Present when this message completed the setup (first message of a connection). */
  setupComplete?: { sessionId?: string };
  /** The function calls of a `toolCall` (each also appears as a `tool.call` event). */
  toolCalls: ToolCallRequest[];
  /** Ids from a `toolCallCancellation`. */
  toolCallCancellations: string[];
  resumption?: ResumptionUpdate;
  /** From `goAway`: how long this connection has left. */
  goAwayMs?: number;
  /** Unknown fields of a message that yielded no event (see the file comment). */
  unattachedExtra?: Record<string, unknown>;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: unknown, path: string): Json {
  if (!isObject(value)) throw new ServerMessageError(`${path} is not an object`);
  return value;
}

function optionalObject(parent: Json, key: string, path: string): Json | undefined {
  const value = parent[key];
  return value === undefined || value === null ? undefined : objectAt(value, `${path}.${key}`);
}

function optionalString(parent: Json, key: string, path: string): string | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ServerMessageError(`${path}.${key} is not a string`);
  return value;
}

function optionalBoolean(parent: Json, key: string, path: string): boolean | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ServerMessageError(`${path}.${key} is not a boolean`);
  return value;
}

/** Token counts are int32 (JSON numbers); int64 fields arrive as strings. Accept both forms. */
function optionalCount(parent: Json, key: string, path: string): number | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw new ServerMessageError(`${path}.${key} is not a number`);
  }
  return number;
}

function optionalArray(parent: Json, key: string, path: string): unknown[] | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new ServerMessageError(`${path}.${key} is not an array`);
  return value as unknown[];
}

/** The keys of `object` not in `known`, or undefined when there are none. */
function unknownKeys(object: Json, known: ReadonlySet<string>): Json | undefined {
  let extra: Json | undefined;
  for (const [key, value] of Object.entries(object)) {
    if (known.has(key)) continue;
    extra ??= {};
    extra[key] = value;
  }
  return extra;
}

function withExtra<T extends MappedEvent>(event: T, extra: Json | undefined): T {
  return extra ? { ...event, extra: { ...event.extra, ...extra } } : event;
}

/** `interrupted` and `generation.complete` carry no fields of their own. */
function signal(type: 'interrupted' | 'generation.complete'): MappedEvent {
  return { type };
}

const TOP_KEYS = new Set([
  'setupComplete',
  'serverContent',
  'toolCall',
  'toolCallCancellation',
  'goAway',
  'sessionResumptionUpdate',
  'usageMetadata',
]);
const SETUP_KEYS = new Set(['sessionId']);
const CONTENT_KEYS = new Set([
  'modelTurn',
  'inputTranscription',
  'outputTranscription',
  'interrupted',
  'generationComplete',
  'turnComplete',
  'turnCompleteReason',
  'groundingMetadata',
]);
const GROUNDING_KEYS = new Set(['webSearchQueries', 'groundingChunks']);
const TURN_KEYS = new Set(['parts', 'role']);
const TEXT_PART_KEYS = new Set(['text', 'thought']);
const AUDIO_PART_KEYS = new Set(['inlineData']);
const CODE_PART_KEYS = new Set(['executableCode']);
const CODE_RESULT_PART_KEYS = new Set(['codeExecutionResult']);
const INLINE_KEYS = new Set(['mimeType', 'data']);
const TRANSCRIPTION_KEYS = new Set(['text']);
const USAGE_KEYS = new Set([
  'promptTokenCount',
  'responseTokenCount',
  'totalTokenCount',
  'thoughtsTokenCount',
  'promptTokensDetails',
  'responseTokensDetails',
]);
const GO_AWAY_KEYS = new Set(['timeLeft']);
const RESUMPTION_KEYS = new Set(['newHandle', 'resumable', 'lastConsumedClientMessageIndex']);
const CALL_KEYS = new Set(['id', 'name', 'args']);
const MODALITIES = new Set<keyof ModalityCounts>(['AUDIO', 'TEXT', 'IMAGE', 'VIDEO']);

/** Collects root-relative unknown fields for the first event of the message. */
class RootExtra {
  value: Json | undefined;

  add(path: readonly string[], extra: Json | undefined): void {
    if (!extra) return;
    this.value ??= {};
    let node = this.value;
    for (const key of path) {
      const next = node[key];
      if (isObject(next)) {
        node = next;
      } else {
        const created: Json = {};
        node[key] = created;
        node = created;
      }
    }
    Object.assign(node, extra);
  }

  addPart(part: Json): void {
    this.value ??= {};
    const content = (this.value.serverContent ??= {}) as Json;
    const turn = (content.modelTurn ??= {}) as Json;
    const parts = (turn.parts ??= []) as unknown[];
    parts.push(part);
  }
}

/**
 * A protobuf Duration in JSON: `"50s"`, `"1.5s"`; some encoders send `{seconds, nanos}`.
 * Absent means zero: the connection may end at any moment.
 */
/** A goAway never leaves more than this (a connection lasts about 10 minutes). */
export const MAX_GO_AWAY_MS = 15 * 60 * 1000;

export function parseDurationMs(value: unknown, path = 'duration'): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string') {
    const match = /^(-?\d+(?:\.\d+)?)s$/.exec(value.trim());
    if (!match) throw new ServerMessageError(`${path} "${value}" is not a duration`);
    return Math.max(0, Math.round(Number(match[1]) * 1000));
  }
  if (isObject(value)) {
    const seconds = optionalCount(value, 'seconds', path) ?? 0;
    const nanos = optionalCount(value, 'nanos', path) ?? 0;
    return Math.max(0, Math.round(seconds * 1000 + nanos / 1e6));
  }
  throw new ServerMessageError(`${path} is not a duration`);
}

/** Standard base64, padded (as the service sends it); whitespace is not allowed either. */
function isBase64(data: string): boolean {
  return data.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(data);
}

function mapPart(value: unknown, path: string, root: RootExtra): MappedEvent | MappedEvent[] | undefined {
  const part = objectAt(value, path);
  const text = optionalString(part, 'text', path);
  if (text !== undefined) {
    const thought = optionalBoolean(part, 'thought', path) ?? false;
    // A thought summary is a text part marked `thought`: it must never reach the reply text.
    const event: MappedEvent = thought ? { type: 'thought', text } : { type: 'text', text };
    return withExtra(event, unknownKeys(part, TEXT_PART_KEYS));
  }
  const inline = optionalObject(part, 'inlineData', path);
  if (inline) {
    const mimeType = optionalString(inline, 'mimeType', `${path}.inlineData`) ?? 'audio/pcm';
    const data = optionalString(inline, 'data', `${path}.inlineData`) ?? '';
    if (mimeType.startsWith('audio/pcm')) {
      // Bare `audio/pcm` is what the service sends too: it means 24 kHz.
      const sampleRate = rateFromMimeType(mimeType);
      // Buffer.from() decodes anything, skipping what is not base64: check first, so garbage never
      // reaches the speaker or the WAV file as noise.
      if (!isBase64(data)) {
        return { type: 'error', code: 'protocol', message: `the service sent reply audio that is not base64 (${data.length} characters); dropped it` };
      }
      let pcm = Buffer.from(data, 'base64');
      let problem: MappedEvent | undefined;
      if (pcm.length % 2 !== 0) {
        // s16le samples are two bytes: a stray byte would shift every later sample of the stream.
        problem = { type: 'error', code: 'protocol', message: `the service sent reply audio with an odd number of bytes (${pcm.length}); dropped the last byte` };
        pcm = pcm.subarray(0, pcm.length - 1);
      }
      const event: MappedEvent = {
        type: 'audio',
        bytes: pcm.length,
        sampleRate,
        ms: pcmBytesToMs(pcm.length, sampleRate),
        pcm,
      };
      const extra = { ...unknownKeys(part, AUDIO_PART_KEYS), ...unknownKeys(inline, INLINE_KEYS) };
      const audio = withExtra(event, Object.keys(extra).length ? extra : undefined);
      return problem ? [problem, audio] : audio;
    }
  }
  // Code execution (`--code-execution`): the code the model ran and what came of it.
  const executable = optionalObject(part, 'executableCode', path);
  if (executable) {
    const code = optionalString(executable, 'code', `${path}.executableCode`) ?? '';
    const language = optionalString(executable, 'language', `${path}.executableCode`) ?? 'UNSPECIFIED';
    return withExtra({ type: 'code', language, code }, unknownKeys(part, CODE_PART_KEYS));
  }
  const result = optionalObject(part, 'codeExecutionResult', path);
  if (result) {
    const outcome = optionalString(result, 'outcome', `${path}.codeExecutionResult`) ?? 'OUTCOME_UNSPECIFIED';
    const output = optionalString(result, 'output', `${path}.codeExecutionResult`) ?? '';
    return withExtra({ type: 'code.result', outcome, output }, unknownKeys(part, CODE_RESULT_PART_KEYS));
  }
  // Non-audio inline data, file data…: kept, not modelled.
  root.addPart(part);
  return undefined;
}

function mapTranscription(
  content: Json,
  key: 'inputTranscription' | 'outputTranscription',
  root: RootExtra,
): MappedEvent | undefined {
  const path = `serverContent.${key}`;
  const transcription = optionalObject(content, key, 'serverContent');
  if (!transcription) return undefined;
  const text = optionalString(transcription, 'text', path);
  const extra = unknownKeys(transcription, TRANSCRIPTION_KEYS);
  // An empty piece (`{}`, seen in a recorded Vertex session) says nothing; keep its other fields.
  if (!text) {
    root.add(['serverContent', key], extra);
    return undefined;
  }
  // Pieces are passed on exactly as received: consumers concatenate them and add nothing.
  const event: MappedEvent =
    key === 'inputTranscription' ? { type: 'transcript.input', text } : { type: 'transcript.output', text };
  return withExtra(event, extra);
}

function modalityCounts(details: unknown[] | undefined, path: string): { counts: ModalityCounts; unknown: unknown[] } {
  const counts: ModalityCounts = {};
  const unknown: unknown[] = [];
  (details ?? []).forEach((value, index) => {
    const detail = objectAt(value, `${path}[${index}]`);
    const modality = optionalString(detail, 'modality', `${path}[${index}]`);
    const tokens = optionalCount(detail, 'tokenCount', `${path}[${index}]`) ?? 0;
    if (modality && MODALITIES.has(modality as keyof ModalityCounts)) {
      const key = modality as keyof ModalityCounts;
      counts[key] = (counts[key] ?? 0) + tokens;
    } else {
      unknown.push(detail);
    }
  });
  return { counts, unknown };
}

function mapUsage(value: unknown): MappedEvent {
  const path = 'usageMetadata';
  const usage = objectAt(value, path);
  const prompt = modalityCounts(optionalArray(usage, 'promptTokensDetails', path), `${path}.promptTokensDetails`);
  const response = modalityCounts(optionalArray(usage, 'responseTokensDetails', path), `${path}.responseTokensDetails`);
  const thoughtsTokens = optionalCount(usage, 'thoughtsTokenCount', path);
  const event: MappedEvent = {
    type: 'usage',
    promptTokens: optionalCount(usage, 'promptTokenCount', path) ?? 0,
    responseTokens: optionalCount(usage, 'responseTokenCount', path) ?? 0,
    totalTokens: optionalCount(usage, 'totalTokenCount', path) ?? 0,
    ...(thoughtsTokens === undefined ? {} : { thoughtsTokens }),
    byModality: { prompt: prompt.counts, response: response.counts },
  };
  const extra: Json = { ...unknownKeys(usage, USAGE_KEYS) };
  if (prompt.unknown.length) extra.promptTokensDetails = prompt.unknown;
  if (response.unknown.length) extra.responseTokensDetails = response.unknown;
  return withExtra(event, Object.keys(extra).length ? extra : undefined);
}

function mapServerContent(value: unknown, usage: MappedEvent | undefined, root: RootExtra): MappedEvent[] {
  const path = 'serverContent';
  const content = objectAt(value, path);
  const events: MappedEvent[] = [];
  root.add([path], unknownKeys(content, CONTENT_KEYS));

  const input = mapTranscription(content, 'inputTranscription', root);
  if (input) events.push(input);

  const turn = optionalObject(content, 'modelTurn', path);
  if (turn) {
    const turnPath = `${path}.modelTurn`;
    root.add([path, 'modelTurn'], unknownKeys(turn, TURN_KEYS));
    optionalString(turn, 'role', turnPath);
    const parts = optionalArray(turn, 'parts', turnPath) ?? [];
    parts.forEach((part, index) => {
      const event = mapPart(part, `${turnPath}.parts[${index}]`, root);
      if (Array.isArray(event)) events.push(...event);
      else if (event) events.push(event);
    });
  }

  const output = mapTranscription(content, 'outputTranscription', root);
  if (output) events.push(output);

  const grounding = optionalObject(content, 'groundingMetadata', path);
  if (grounding) events.push(mapGrounding(grounding));

  if (optionalBoolean(content, 'interrupted', path)) events.push(signal('interrupted'));
  if (optionalBoolean(content, 'generationComplete', path)) events.push(signal('generation.complete'));

  const reason = optionalString(content, 'turnCompleteReason', path);
  if (optionalBoolean(content, 'turnComplete', path)) {
    // The service sends a turn's usage in the message that completes it: usage comes first so a
    // consumer that finishes on turn.complete has already seen the numbers.
    if (usage) events.push(usage);
    events.push(reason ? { type: 'turn.complete', reason } : { type: 'turn.complete' });
  } else if (usage) {
    events.push(usage);
  }
  return events;
}

/**
 * Google Search grounding: the queries and the web sources (title, uri). The rest (search entry
 * point, supports) rides in `extra`; chunks that are not web pages are kept there too.
 */
function mapGrounding(grounding: Json): MappedEvent {
  const path = 'serverContent.groundingMetadata';
  const queries = (optionalArray(grounding, 'webSearchQueries', path) ?? []).filter((query): query is string => typeof query === 'string');
  const sources: Array<{ title?: string; uri: string }> = [];
  const otherChunks: unknown[] = [];
  for (const chunk of optionalArray(grounding, 'groundingChunks', path) ?? []) {
    const web = isObject(chunk) && isObject(chunk.web) ? chunk.web : undefined;
    const uri = web && typeof web.uri === 'string' ? web.uri : undefined;
    if (web && uri) sources.push(typeof web.title === 'string' ? { title: web.title, uri } : { uri });
    else otherChunks.push(chunk);
  }
  const extra: Json = { ...unknownKeys(grounding, GROUNDING_KEYS) };
  if (otherChunks.length) extra.groundingChunks = otherChunks;
  return withExtra({ type: 'grounding', queries, sources }, Object.keys(extra).length ? extra : undefined);
}

function mapToolCall(value: unknown): { events: MappedEvent[]; calls: ToolCallRequest[]; extra?: Json } {
  const path = 'toolCall';
  const toolCall = objectAt(value, path);
  const calls: ToolCallRequest[] = [];
  const events: MappedEvent[] = [];
  const functionCalls = optionalArray(toolCall, 'functionCalls', path) ?? [];
  functionCalls.forEach((item, index) => {
    const callPath = `${path}.functionCalls[${index}]`;
    const call = objectAt(item, callPath);
    const name = optionalString(call, 'name', callPath);
    if (name === undefined) throw new ServerMessageError(`${callPath}.name is missing`);
    const id = optionalString(call, 'id', callPath) ?? '';
    const args = optionalObject(call, 'args', callPath) ?? {};
    calls.push({ id, name, args });
    events.push(withExtra({ type: 'tool.call', id, name, args }, unknownKeys(call, CALL_KEYS)));
  });
  const extra = unknownKeys(toolCall, new Set(['functionCalls']));
  return extra ? { events, calls, extra } : { events, calls };
}

function mapCancellation(value: unknown): string[] {
  const path = 'toolCallCancellation';
  const cancellation = objectAt(value, path);
  return (optionalArray(cancellation, 'ids', path) ?? []).map((id, index) => {
    if (typeof id !== 'string') throw new ServerMessageError(`${path}.ids[${index}] is not a string`);
    return id;
  });
}

function mapResumption(value: unknown, root: RootExtra): { update: ResumptionUpdate; event?: MappedEvent } {
  const path = 'sessionResumptionUpdate';
  const update = objectAt(value, path);
  const handle = optionalString(update, 'newHandle', path);
  const resumable = optionalBoolean(update, 'resumable', path) ?? false;
  const index = update.lastConsumedClientMessageIndex;
  if (index !== undefined && index !== null && typeof index !== 'string' && typeof index !== 'number') {
    throw new ServerMessageError(`${path}.lastConsumedClientMessageIndex is not an integer`);
  }
  const result: ResumptionUpdate = {
    resumable,
    ...(handle ? { handle } : {}),
    ...(index === undefined || index === null ? {} : { lastConsumedClientMessageIndex: String(index) }),
  };
  const extra = unknownKeys(update, RESUMPTION_KEYS);
  if (!handle) {
    root.add([path], extra);
    return { update: result };
  }
  const event = withExtra({ type: 'resumption', handle, resumable }, extra);
  return { update: result, event };
}

/** Maps one parsed server message. Throws ServerMessageError when it is malformed. */
export function mapServerMessage(message: unknown): MappedServerMessage {
  const root = objectAt(message, 'server message');
  const extra = new RootExtra();
  extra.add([], unknownKeys(root, TOP_KEYS));
  const result: MappedServerMessage = { events: [], toolCalls: [], toolCallCancellations: [] };

  const setup = optionalObject(root, 'setupComplete', 'server message');
  if (setup) {
    const sessionId = optionalString(setup, 'sessionId', 'setupComplete');
    result.setupComplete = sessionId ? { sessionId } : {};
    extra.add(['setupComplete'], unknownKeys(setup, SETUP_KEYS));
  }

  const usage = root.usageMetadata === undefined || root.usageMetadata === null ? undefined : mapUsage(root.usageMetadata);
  if (root.serverContent !== undefined && root.serverContent !== null) {
    result.events.push(...mapServerContent(root.serverContent, usage, extra));
  } else if (usage) {
    result.events.push(usage);
  }

  if (root.toolCall !== undefined && root.toolCall !== null) {
    const mapped = mapToolCall(root.toolCall);
    result.events.push(...mapped.events);
    result.toolCalls = mapped.calls;
    extra.add(['toolCall'], mapped.extra);
  }
  if (root.toolCallCancellation !== undefined && root.toolCallCancellation !== null) {
    result.toolCallCancellations = mapCancellation(root.toolCallCancellation);
  }

  const goAway = optionalObject(root, 'goAway', 'server message');
  if (goAway) {
    let timeLeftMs: number;
    try {
      // Negative means now; more than a connection can last is not believed (and would overflow a timer).
      timeLeftMs = Math.min(MAX_GO_AWAY_MS, parseDurationMs(goAway.timeLeft, 'goAway.timeLeft'));
    } catch (error) {
      if (!(error instanceof ServerMessageError)) throw error;
      // The connection is ending, only we cannot tell when: hand over now rather than ignore it.
      timeLeftMs = 0;
      result.events.push({ type: 'error', code: 'protocol', message: `the service sent a goAway whose ${error.message}; handing over now` });
    }
    result.goAwayMs = timeLeftMs;
    result.events.push(withExtra({ type: 'goaway', timeLeftMs }, unknownKeys(goAway, GO_AWAY_KEYS)));
  }

  if (root.sessionResumptionUpdate !== undefined && root.sessionResumptionUpdate !== null) {
    const mapped = mapResumption(root.sessionResumptionUpdate, extra);
    result.resumption = mapped.update;
    if (mapped.event) result.events.push(mapped.event);
  }

  if (extra.value) {
    const [first, ...rest] = result.events;
    if (first) result.events = [withExtra(first, extra.value), ...rest];
    else result.unattachedExtra = extra.value;
  }
  return result;
}
