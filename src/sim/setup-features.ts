import { simModelTraits } from './models.js';

/**
 * The model-dependent part of a setup (thinking, affective dialog, proactive audio, VAD tuning,
 * media resolution, language), as sent, and the refusals the service makes for models that do
 * not take it. Field names in the report are the wire's.
 */
export interface SetupFeatures {
  thinking: { thinkingBudget?: number; thinkingLevel?: string; includeThoughts?: boolean } | undefined;
  affective: boolean | undefined;
  proactiveAudio: boolean | undefined;
  /** `proactivity` was present (even empty). */
  proactivity: boolean;
  vad: { startOfSpeechSensitivity?: string; endOfSpeechSensitivity?: string; prefixPaddingMs?: number; silenceDurationMs?: number } | undefined;
  activityHandling: string | undefined;
  turnCoverage: string | undefined;
  mediaResolution: string | undefined;
  languageCode: string | undefined;
}

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function defined<T extends Json>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, entry]) => entry !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}

export function parseSetupFeatures(setup: unknown): SetupFeatures {
  const root = object(setup) ?? {};
  const generation = object(root.generationConfig) ?? {};
  const thinking = object(generation.thinkingConfig);
  const proactivity = object(root.proactivity);
  const realtime = object(root.realtimeInputConfig) ?? {};
  const detection = object(realtime.automaticActivityDetection) ?? {};
  const affective = generation.enableAffectiveDialog;
  const proactive = proactivity?.proactiveAudio;
  return {
    thinking: thinking
      ? {
          ...(number(thinking.thinkingBudget) === undefined ? {} : { thinkingBudget: number(thinking.thinkingBudget) }),
          ...(text(thinking.thinkingLevel) === undefined ? {} : { thinkingLevel: text(thinking.thinkingLevel) }),
          ...(typeof thinking.includeThoughts === 'boolean' ? { includeThoughts: thinking.includeThoughts } : {}),
        }
      : undefined,
    affective: typeof affective === 'boolean' ? affective : undefined,
    proactiveAudio: typeof proactive === 'boolean' ? proactive : undefined,
    proactivity: proactivity !== undefined,
    vad: defined({
      startOfSpeechSensitivity: text(detection.startOfSpeechSensitivity),
      endOfSpeechSensitivity: text(detection.endOfSpeechSensitivity),
      prefixPaddingMs: number(detection.prefixPaddingMs),
      silenceDurationMs: number(detection.silenceDurationMs),
    }),
    activityHandling: text(realtime.activityHandling),
    turnCoverage: text(realtime.turnCoverage),
    mediaResolution: text(generation.mediaResolution),
    languageCode: text(object(generation.speechConfig)?.languageCode),
  };
}

/** The v1beta proto has no such field: the service refuses it as it refuses any unknown name. */
function unknownField(name: string, at: string): string {
  return `Invalid JSON payload received. Unknown name "${name}" at '${at}': Cannot find field.`;
}

/**
 * Why the service would refuse this setup (a 1007 reason), or undefined. `version` is the API
 * version in the URL path; `vertex` setups are not version-gated (Vertex serves these fields on
 * v1beta1).
 */
export function setupRefusal(model: string, modality: 'AUDIO' | 'TEXT', features: SetupFeatures, version: string, vertex: boolean): string | undefined {
  const traits = simModelTraits(model);
  if (modality === 'TEXT' && traits.nativeAudio) return 'Cannot extract voices from a non-audio request';
  const gated = !vertex && version !== 'v1alpha';
  if (features.affective !== undefined) {
    if (traits.affective === 'no') return 'enable_affective_dialog is not supported for this model.';
    if (traits.affective === 'v1alpha' && gated) return unknownField('enableAffectiveDialog', 'setup.generation_config');
  }
  if (features.proactivity) {
    if (traits.proactive === 'no') return 'proactivity is not supported for this model.';
    if (traits.proactive === 'v1alpha' && gated) return unknownField('proactivity', 'setup');
    if (traits.proactive === 'always' && features.proactiveAudio === false) return 'proactive_audio cannot be disabled for this model.';
  }
  const thinking = features.thinking;
  if (thinking) {
    if (traits.thinking === 'none') return 'thinking_config is not supported for this model.';
    if (traits.thinking === 'level' && thinking.thinkingBudget !== undefined) return 'thinking_budget is not supported for this model; use thinking_level.';
    if (traits.thinking === 'budget' && thinking.thinkingLevel !== undefined) return 'thinking_level is not supported for this model; use thinking_budget.';
  }
  if (features.languageCode !== undefined && traits.nativeAudio) return 'language_code is not supported for native audio output models.';
  return undefined;
}

/** Thought summaries are sent when the setup asks for them and the model thinks (and the budget is not 0). */
export function wantsThoughts(model: string, features: SetupFeatures): boolean {
  const thinking = features.thinking;
  return simModelTraits(model).thinking !== 'none' && thinking?.includeThoughts === true && thinking.thinkingBudget !== 0;
}

/** The setup's feature fields for the report (`null` when not sent). */
export function reportFeatures(features: SetupFeatures): Record<string, unknown> {
  return {
    thinking: features.thinking ?? null,
    affective: features.affective ?? null,
    proactiveAudio: features.proactiveAudio ?? null,
    vad: features.vad ?? null,
    activityHandling: features.activityHandling ?? null,
    turnCoverage: features.turnCoverage ?? null,
    mediaResolution: features.mediaResolution ?? null,
    languageCode: features.languageCode ?? null,
  };
}
