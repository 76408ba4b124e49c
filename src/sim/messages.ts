import { parseSetupFeatures, type SetupFeatures } from './setup-features.js';
import type { Compression } from './tokens.js';

/**
 * Client messages, validated at the boundary the way the service does it: one known top-level
 * field per message, unknown names refused (1007). Only what the simulator acts on is extracted.
 */

export interface SetupSummary {
  model: string;
  modality: 'AUDIO' | 'TEXT';
  inputTranscription: boolean;
  outputTranscription: boolean;
  /** The setup asked for resumption updates (a `sessionResumption` object was present). */
  resumption: boolean;
  handle: string | undefined;
  transparent: boolean;
  compression: Compression | undefined;
  manualActivity: boolean;
  systemText: string;
  /** generationConfig.speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName, as sent. */
  voice: string | undefined;
  temperature: number | undefined;
  functionNames: string[];
  /** Thinking, affective, proactive, VAD tuning, media resolution, language: as sent. */
  features: SetupFeatures;
  /** Declarations with `behavior: NON_BLOCKING`: their calls do not hold the reply. */
  nonBlockingFunctions: string[];
  googleSearch: boolean;
  codeExecution: boolean;
}

export type RealtimePart =
  | { kind: 'audio'; data: Buffer; sampleRate: number }
  | { kind: 'audioStreamEnd' }
  | { kind: 'text'; text: string }
  | { kind: 'activityStart' }
  | { kind: 'activityEnd' }
  | { kind: 'video'; bytes: number; mimeType: string };

export interface ContentTurn {
  role: string;
  text: string;
}

export interface FunctionResponse {
  id: string | undefined;
  name: string | undefined;
  response: unknown;
  /** NON_BLOCKING responses: INTERRUPT, WHEN_IDLE (the default) or SILENT. */
  scheduling: string | undefined;
}

export type ClientMessage =
  | { kind: 'setup'; setup: SetupSummary }
  | { kind: 'clientContent'; turns: ContentTurn[]; turnComplete: boolean }
  | { kind: 'realtimeInput'; parts: RealtimePart[] }
  | { kind: 'toolResponse'; responses: FunctionResponse[] }
  | { kind: 'contextUpdate' };

/** A message the service would refuse: the connection closes 1007 with `reason`. */
export interface InvalidMessage {
  kind: 'invalid';
  reason: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, name: string): unknown {
  return isObject(value) ? value[name] : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** int64 fields arrive as strings (proto3 JSON) or, from hand-written clients, as numbers. */
function asInt64(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(number) ? number : undefined;
}

/** Close reasons are limited to 123 bytes; client-chosen names are shortened to fit. */
function unknownName(name: string): InvalidMessage {
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return { kind: 'invalid', reason: `Invalid JSON payload received. Unknown name "${shown}": Cannot find field.` };
}

function partsText(content: unknown): string {
  const parts = field(content, 'parts');
  if (!Array.isArray(parts)) return '';
  return parts.map((part) => asString(field(part, 'text')) ?? '').join('');
}

function parseSetup(value: unknown): SetupSummary | InvalidMessage {
  const model = asString(field(value, 'model'));
  if (!model) return { kind: 'invalid', reason: 'setup.model is required.' };
  const generationConfig = field(value, 'generationConfig');
  const modalities = field(generationConfig, 'responseModalities');
  const first = Array.isArray(modalities) ? asString(modalities[0]) : undefined;
  const modality = first?.toUpperCase() === 'TEXT' ? 'TEXT' : 'AUDIO';
  const resumption = field(value, 'sessionResumption');
  const compression = field(value, 'contextWindowCompression');
  const triggerTokens = asInt64(field(compression, 'triggerTokens'));
  const targetTokens = asInt64(field(field(compression, 'slidingWindow'), 'targetTokens'));
  const tools = field(value, 'tools');
  const functionNames: string[] = [];
  const nonBlockingFunctions: string[] = [];
  let googleSearch = false;
  let codeExecution = false;
  if (Array.isArray(tools)) {
    for (const tool of tools) {
      if (isObject(field(tool, 'googleSearch'))) googleSearch = true;
      if (isObject(field(tool, 'codeExecution'))) codeExecution = true;
      const declarations = field(tool, 'functionDeclarations');
      if (Array.isArray(declarations)) {
        for (const declaration of declarations) {
          const name = asString(field(declaration, 'name'));
          if (name) functionNames.push(name);
          if (name && field(declaration, 'behavior') === 'NON_BLOCKING') nonBlockingFunctions.push(name);
        }
      }
    }
  }
  const handle = asString(field(resumption, 'handle'));
  return {
    model,
    modality,
    inputTranscription: isObject(field(value, 'inputAudioTranscription')),
    outputTranscription: isObject(field(value, 'outputAudioTranscription')),
    resumption: isObject(resumption),
    handle: handle === '' ? undefined : handle,
    transparent: field(resumption, 'transparent') === true,
    // The service's default trigger is 80% of the context window; the simulator only compresses
    // when asked, and defaults the target to half the trigger.
    compression: isObject(compression)
      ? { triggerTokens: triggerTokens ?? 25_600, targetTokens: targetTokens ?? Math.floor((triggerTokens ?? 25_600) / 2) }
      : undefined,
    manualActivity: field(field(field(value, 'realtimeInputConfig'), 'automaticActivityDetection'), 'disabled') === true,
    systemText: partsText(field(value, 'systemInstruction')),
    voice: asString(field(field(field(field(generationConfig, 'speechConfig'), 'voiceConfig'), 'prebuiltVoiceConfig'), 'voiceName')),
    temperature: ((t) => (typeof t === 'number' ? t : undefined))(field(generationConfig, 'temperature')),
    functionNames,
    features: parseSetupFeatures(value),
    nonBlockingFunctions,
    googleSearch,
    codeExecution,
  };
}

const REALTIME_FIELDS = new Set(['audio', 'audioStreamEnd', 'text', 'activityStart', 'activityEnd', 'video', 'mediaChunks']);

function parseRealtimeInput(value: unknown): ClientMessage | InvalidMessage {
  if (!isObject(value)) return { kind: 'invalid', reason: 'Invalid JSON payload received. realtimeInput must be an object.' };
  const parts: RealtimePart[] = [];
  for (const name of Object.keys(value)) {
    if (!REALTIME_FIELDS.has(name)) return unknownName(`realtime_input.${name}`);
  }
  if ('mediaChunks' in value) {
    return { kind: 'invalid', reason: 'realtime_input.media_chunks is deprecated. Use audio, video, or text instead.' };
  }
  // Manual activity first: an activityStart sent with audio marks the start of that audio.
  if (isObject(value.activityStart)) parts.push({ kind: 'activityStart' });
  const audio = value.audio;
  if (audio !== undefined) {
    const data = asString(field(audio, 'data'));
    if (data === undefined) return { kind: 'invalid', reason: 'realtime_input.audio.data is required.' };
    const rate = /rate=(\d+)/.exec(asString(field(audio, 'mimeType')) ?? '');
    parts.push({ kind: 'audio', data: Buffer.from(data, 'base64'), sampleRate: rate ? Number(rate[1]) : 16_000 });
  }
  if (value.video !== undefined) {
    const data = asString(field(value.video, 'data'));
    if (data === undefined) return { kind: 'invalid', reason: 'realtime_input.video.data is required.' };
    parts.push({ kind: 'video', bytes: Buffer.byteLength(data, 'base64'), mimeType: asString(field(value.video, 'mimeType')) ?? '' });
  }
  const text = asString(value.text);
  if (text !== undefined) parts.push({ kind: 'text', text });
  if (isObject(value.activityEnd)) parts.push({ kind: 'activityEnd' });
  if (value.audioStreamEnd === true) parts.push({ kind: 'audioStreamEnd' });
  return { kind: 'realtimeInput', parts };
}

function parseClientContent(value: unknown): ClientMessage {
  const turns = field(value, 'turns');
  const list = Array.isArray(turns) ? turns : [];
  return {
    kind: 'clientContent',
    turns: list.map((turn) => ({ role: asString(field(turn, 'role')) ?? 'user', text: partsText(turn) })),
    turnComplete: field(value, 'turnComplete') === true,
  };
}

function parseToolResponse(value: unknown): ClientMessage {
  const responses = field(value, 'functionResponses');
  const list = Array.isArray(responses) ? responses : [];
  return {
    kind: 'toolResponse',
    responses: list.map((response) => ({
      id: asString(field(response, 'id')),
      name: asString(field(response, 'name')),
      response: field(response, 'response'),
      scheduling: asString(field(response, 'scheduling')),
    })),
  };
}

/** Classifies one parsed client frame. */
export function parseClientMessage(value: unknown): ClientMessage | InvalidMessage {
  if (!isObject(value)) return { kind: 'invalid', reason: 'Invalid JSON payload received. Expected an object.' };
  const names = Object.keys(value);
  const unknown = names.find((name) => !['setup', 'clientContent', 'realtimeInput', 'toolResponse', 'contextUpdate'].includes(name));
  if (unknown !== undefined) return unknownName(unknown);
  if (names.length !== 1) return { kind: 'invalid', reason: 'Invalid JSON payload received. Exactly one message type is allowed per message.' };
  if ('setup' in value) {
    const setup = parseSetup(value.setup);
    return 'kind' in setup ? setup : { kind: 'setup', setup };
  }
  if ('clientContent' in value) return parseClientContent(value.clientContent);
  if ('realtimeInput' in value) return parseRealtimeInput(value.realtimeInput);
  if ('toolResponse' in value) return parseToolResponse(value.toolResponse);
  return { kind: 'contextUpdate' };
}

/** The report's name for a message: `realtimeInput.audio`, `clientContent`, … */
export function messageKindName(message: ClientMessage): string {
  if (message.kind !== 'realtimeInput') return message.kind;
  return message.parts.length === 0 ? 'realtimeInput' : message.parts.map((part) => `realtimeInput.${part.kind}`).join('+');
}
