/**
 * The Live models live-cli knows about. The catalogue is small on purpose: it exists to refuse
 * combinations the service would refuse anyway (TEXT output from a native-audio model closes with
 * 1007 "Cannot extract voices from a non-audio request") before a connection is spent on them, and
 * to size the context-window gauge.
 */
import { LIVE_INPUT_RATE, LIVE_OUTPUT_RATE } from '../audio/pcm.js';

/** How a model takes thinking configuration: none at all, `thinkingBudget` tokens, or `thinkingLevel`. */
export type ThinkingKind = 'none' | 'budget' | 'level';

/** Whether a native-audio option exists: not at all, only on `v1alpha`, on any version, or always on (cannot be turned off). */
export type FeatureSupport = 'no' | 'v1alpha' | 'yes' | 'always';

export type ToolBehavior = 'BLOCKING' | 'NON_BLOCKING';

export interface ModelToolSupport {
  /** Whether `behavior: NON_BLOCKING` function declarations are accepted. */
  nonBlocking: boolean;
  /** The behaviour of a declaration that names none. */
  defaultBehavior: ToolBehavior;
  googleSearch: boolean;
  codeExecution: boolean;
}

export interface LiveModelInfo {
  name: string;
  /** stable: served and supported; preview: may change; legacy: still served, superseded. */
  status: 'stable' | 'preview' | 'legacy';
  /** One line for `live-cli models`. */
  description: string;
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
  thinking: ThinkingKind;
  /** `enableAffectiveDialog`. */
  affective: FeatureSupport;
  /** `proactivity.proactiveAudio`. */
  proactive: FeatureSupport;
  tools: ModelToolSupport;
  /** Image and video frames (`realtimeInput.video`) accepted. */
  visualInput: boolean;
  /** `speechConfig.languageCode` accepted: native audio picks the language by itself and refuses it. */
  languageCode: boolean;
}

/**
 * The stable model: served under a stability promise since 2026-09 while the 2.5 native-audio
 * models are previews and 3.1 is legacy (README, "Models", says why in full).
 */
export const DEFAULT_MODEL = 'gemini-3.8-live';

/** The suggestion we make when someone wants TEXT replies. */
export const DEFAULT_TEXT_MODEL = 'gemini-live-2.5-flash-preview';

const NATIVE_CONTEXT = 128_000;
const HALF_CASCADE_CONTEXT = 32_000;

type ModelTraits = Omit<LiveModelInfo, 'name' | 'description' | 'inputRate' | 'outputRate'>;

/** The 2.5 native-audio previews: thinkingBudget, affective and proactive behind v1alpha, synchronous tools. */
const NATIVE_25: ModelTraits = {
  status: 'preview',
  nativeAudio: true,
  textOutput: false,
  contextWindow: NATIVE_CONTEXT,
  thinking: 'budget',
  affective: 'v1alpha',
  proactive: 'v1alpha',
  tools: { nonBlocking: false, defaultBehavior: 'BLOCKING', googleSearch: true, codeExecution: false },
  visualInput: true,
  languageCode: false,
};

/** Half-cascade: TEXT allowed, async tools accepted (blocking unless asked), code execution. */
const HALF_CASCADE: ModelTraits = {
  status: 'preview',
  nativeAudio: false,
  textOutput: true,
  contextWindow: HALF_CASCADE_CONTEXT,
  thinking: 'none',
  affective: 'no',
  proactive: 'no',
  tools: { nonBlocking: true, defaultBehavior: 'BLOCKING', googleSearch: true, codeExecution: true },
  visualInput: true,
  languageCode: true,
};

/** gemini-3.8-live (stable since 2026-09): audio out only, NON_BLOCKING tools by default, proactive audio always on, no affective dialog, no thinking config. */
const LIVE_38: ModelTraits = {
  status: 'stable',
  nativeAudio: true,
  textOutput: false,
  contextWindow: NATIVE_CONTEXT,
  thinking: 'none',
  affective: 'no',
  proactive: 'always',
  tools: { nonBlocking: true, defaultBehavior: 'NON_BLOCKING', googleSearch: true, codeExecution: false },
  visualInput: true,
  languageCode: false,
};

function model(name: string, description: string, traits: ModelTraits, extra: Partial<LiveModelInfo> = {}): LiveModelInfo {
  return { name, description, inputRate: LIVE_INPUT_RATE, outputRate: LIVE_OUTPUT_RATE, ...traits, ...extra };
}

export const LIVE_MODELS: readonly LiveModelInfo[] = [
  model('gemini-3.8-live', 'stable native audio; async tools by default, proactive audio always on', LIVE_38),
  model('gemini-3.8-live-extended-thinking', 'gemini-3.8-live with thinkingLevel low|medium|high', LIVE_38, { thinking: 'level' }),
  model('gemini-3.1-flash-live-preview', 'legacy native audio; synchronous tools only', LIVE_38, {
    status: 'legacy',
    thinking: 'level',
    proactive: 'no',
    tools: { nonBlocking: false, defaultBehavior: 'BLOCKING', googleSearch: true, codeExecution: false },
  }),
  model('gemini-2.5-flash-native-audio-preview-12-2025', 'native audio; thinkingBudget, affective and proactive (v1alpha)', NATIVE_25),
  model('gemini-2.5-flash-native-audio-preview-09-2025', 'native audio (older preview of the 12-2025 model)', NATIVE_25, { status: 'legacy' }),
  model('gemini-live-2.5-flash-preview', 'half-cascade: TEXT or AUDIO out, code execution', HALF_CASCADE),
  model('gemini-2.0-flash-live-001', 'half-cascade (2.0): TEXT or AUDIO out', HALF_CASCADE, { status: 'legacy' }),
  // The Vertex AI GA half-cascade model.
  model('gemini-live-2.5-flash', 'half-cascade, Vertex AI only', HALF_CASCADE, { status: 'stable', vertexOnly: true }),
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
  const guess = bare.includes('native-audio')
    ? model(name, 'unknown model (guessed: native audio)', NATIVE_25)
    : model(name, 'unknown model (guessed: half-cascade)', HALF_CASCADE);
  return { ...guess, known: false };
}
