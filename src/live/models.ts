/**
 * The Live models live-cli knows about. The catalogue is small on purpose: it exists to refuse
 * combinations the service would refuse anyway (TEXT output from a native-audio model closes with
 * 1007 "Cannot extract voices from a non-audio request") before a connection is spent on them, and
 * to size the context-window gauge.
 */
import { LIVE_INPUT_RATE, LIVE_OUTPUT_RATE } from '../audio/pcm.js';

export interface LiveModelInfo {
  name: string;
  /** Native-audio models speak directly; half-cascade models synthesise speech from text. */
  nativeAudio: boolean;
  /** Whether `responseModalities: ["TEXT"]` is accepted. */
  textOutput: boolean;
  /** Context window in tokens. */
  contextWindow: number;
  /** Sample rate the model expects for realtime audio input. */
  inputRate: number;
  /** Sample rate of the model's audio output. */
  outputRate: number;
  /** Only served by Vertex AI. */
  vertexOnly?: boolean;
}

export const DEFAULT_MODEL = 'gemini-2.5-flash-native-audio-preview-12-2025';

/** The suggestion we make when someone wants TEXT replies. */
export const DEFAULT_TEXT_MODEL = 'gemini-live-2.5-flash-preview';

const NATIVE_CONTEXT = 128_000;
const HALF_CASCADE_CONTEXT = 32_000;

function nativeAudio(name: string): LiveModelInfo {
  return {
    name,
    nativeAudio: true,
    textOutput: false,
    contextWindow: NATIVE_CONTEXT,
    inputRate: LIVE_INPUT_RATE,
    outputRate: LIVE_OUTPUT_RATE,
  };
}

function halfCascade(name: string, extra: Partial<LiveModelInfo> = {}): LiveModelInfo {
  return {
    name,
    nativeAudio: false,
    textOutput: true,
    contextWindow: HALF_CASCADE_CONTEXT,
    inputRate: LIVE_INPUT_RATE,
    outputRate: LIVE_OUTPUT_RATE,
    ...extra,
  };
}

export const LIVE_MODELS: readonly LiveModelInfo[] = [
  nativeAudio('gemini-2.5-flash-native-audio-preview-12-2025'),
  nativeAudio('gemini-2.5-flash-native-audio-preview-09-2025'),
  halfCascade('gemini-live-2.5-flash-preview'),
  halfCascade('gemini-2.0-flash-live-001'),
  // The Vertex AI GA half-cascade model.
  halfCascade('gemini-live-2.5-flash', { vertexOnly: true }),
];

export interface ModelLookup extends LiveModelInfo {
  /** False when the name is not in the catalogue and the entry is a guess from the name. */
  known: boolean;
}

/** Strips the `models/` or `publishers/google/models/` prefix the SDK and the service accept. */
export function bareModelName(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash === -1 ? name : name.slice(slash + 1);
}

/**
 * Finds a model in the catalogue. An unknown model is accepted: the service adds models faster
 * than we release, so we guess from the name (native audio iff it contains `native-audio`, as the
 * service's own naming does) and let the caller warn.
 */
export function lookupModel(name: string): ModelLookup {
  const bare = bareModelName(name);
  const entry = LIVE_MODELS.find((model) => model.name === bare);
  if (entry) return { ...entry, name, known: true };
  const guess = bare.includes('native-audio') ? nativeAudio(name) : halfCascade(name);
  return { ...guess, known: false };
}
