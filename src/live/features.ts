/**
 * The model-dependent options (affective dialog, proactive audio, thinking, VAD tuning, media
 * resolution, language): parsed from flags and the config file, then checked against the model's
 * row of the capability table. Every combination the service would refuse is a one-line usage
 * error here, naming the option and a model that supports it, so no connection is spent on it.
 * Some options exist only on `v1alpha` (the 2.5 native-audio previews' affective and proactive
 * audio): the check says which API version the setup needs.
 */
import { CliError } from '../core/errors.js';
import { LIVE_MODELS, type FeatureSupport, type LiveModelInfo } from './models.js';
import type { LiveFeatures, RawLiveOptions, Sensitivity, ThinkingLevelName, TurnCoverageName } from './types.js';

/** The 2.5 Flash thinking budget's range; -1 asks for a dynamic budget. */
export const THINKING_BUDGET_MAX = 24_576;
export const FEATURE_API_VERSION = 'v1alpha';
const MAX_VAD_MS = 60_000;

export interface FeatureCheck {
  features: LiveFeatures;
  /** Set when a requested option exists only on this API version (on the Gemini API). */
  apiVersion?: string;
  /** The option that needs `apiVersion`, for the message when --api-version says otherwise. */
  apiVersionFor?: string;
}

function usage(message: string): CliError {
  return new CliError('usage', message);
}

type FileValue = string | number | boolean | undefined;

/** A config-file value of an allowed type, or a usage error naming the key. */
function fileValue(file: Record<string, unknown>, key: string, kinds: ReadonlyArray<'string' | 'number' | 'boolean'>): FileValue {
  const value = file[key];
  if (value === undefined || value === null) return undefined;
  const kind = typeof value;
  if ((kind === 'string' || kind === 'number' || kind === 'boolean') && kinds.includes(kind)) return value as FileValue;
  throw usage(`config file key "${key}" must be a ${kinds.join(' or ')}: fix it in the config file`);
}

function flagOrFile(flags: RawLiveOptions, file: Record<string, unknown>, key: keyof RawLiveOptions, kinds: ReadonlyArray<'string' | 'number' | 'boolean'>): FileValue {
  const flag = flags[key];
  if (flag !== undefined) return flag;
  return fileValue(file, key, kinds);
}

function choice<T extends string>(value: FileValue, option: string, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim().toLowerCase();
  const found = choices.find((entry) => entry === text);
  if (!found) throw usage(`${option} must be ${choices.join(', ').replace(/, ([^,]*)$/, ' or $1')}, not "${String(value)}"`);
  return found;
}

function integer(value: FileValue, option: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'number' ? value : String(value).trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw usage(`${option} must be a whole number from ${min} to ${max}, not "${String(value)}"`);
  }
  return number;
}

function flag(value: FileValue): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** BCP-47, as the service takes it: `en-US`, `de-DE`, `cmn-CN`. */
function languageCode(value: FileValue): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(text)) {
    throw usage(`--language must be a BCP-47 code such as en-US or de-DE, not "${text}"`);
  }
  return text;
}

/** A catalogue model that has a capability: stable first, then preview, legacy last. */
export function modelSupporting(test: (model: LiveModelInfo) => boolean): string | undefined {
  const rank = { stable: 0, preview: 1, legacy: 2 } as const;
  return LIVE_MODELS.filter((model) => test(model) && !model.vertexOnly).sort((a, b) => rank[a.status] - rank[b.status])[0]?.name;
}

function unsupported(option: string, model: string, why: string, test: (model: LiveModelInfo) => boolean): CliError {
  const other = modelSupporting(test);
  return usage(`${option} is not supported by ${model} (${why})${other ? `; use --model ${other}` : ''}`);
}

const offered = (support: FeatureSupport): boolean => support !== 'no';

/**
 * Parses the options (flags > config file) and checks them against `info`. `pushToTalk` matters
 * because the VAD options tune the automatic activity detection that push-to-talk turns off.
 */
export function resolveFeatures(flags: RawLiveOptions, file: Record<string, unknown>, info: LiveModelInfo, pushToTalk: boolean): FeatureCheck {
  const model = info.name;
  const features: LiveFeatures = {};
  const check: FeatureCheck = { features };
  const needs = (support: FeatureSupport, option: string): void => {
    if (support === 'v1alpha' && check.apiVersion === undefined) {
      check.apiVersion = FEATURE_API_VERSION;
      check.apiVersionFor = option;
    }
  };

  const affective = flag(flagOrFile(flags, file, 'affective', ['boolean']));
  if (affective) {
    if (!offered(info.affective)) throw unsupported('--affective', model, 'no affective dialog', (m) => offered(m.affective));
    features.affective = true;
    needs(info.affective, '--affective');
  }

  const proactive = flag(flagOrFile(flags, file, 'proactive', ['boolean']));
  if (proactive === true) {
    if (!offered(info.proactive)) throw unsupported('--proactive', model, 'no proactive audio', (m) => offered(m.proactive));
    // Where it is always on the setup says nothing: the model does it anyway.
    if (info.proactive !== 'always') {
      features.proactiveAudio = true;
      needs(info.proactive, '--proactive');
    }
  } else if (proactive === false && info.proactive === 'always') {
    const other = modelSupporting((m) => m.proactive === 'v1alpha' || m.proactive === 'yes');
    throw usage(
      `--no-proactive is not possible with ${model}: its proactive audio is always on (the service refuses proactive_audio: false)${other ? `; use --model ${other}` : ''}`,
    );
  }

  const budget = integer(flagOrFile(flags, file, 'thinkingBudget', ['number', 'string']), '--thinking-budget', -1, THINKING_BUDGET_MAX);
  if (budget !== undefined) {
    if (info.thinking === 'level') {
      throw usage(`--thinking-budget is not supported by ${model}, which takes --thinking-level low|medium|high instead`);
    }
    if (info.thinking !== 'budget') throw unsupported('--thinking-budget', model, 'no thinking configuration', (m) => m.thinking === 'budget');
    features.thinkingBudget = budget;
  }

  const level = choice<ThinkingLevelName>(flagOrFile(flags, file, 'thinkingLevel', ['string']), '--thinking-level', ['low', 'medium', 'high']);
  if (level !== undefined) {
    if (info.thinking === 'budget') {
      throw usage(`--thinking-level is not supported by ${model}, which takes --thinking-budget N instead`);
    }
    if (info.thinking !== 'level') throw unsupported('--thinking-level', model, 'no thinking configuration', (m) => m.thinking === 'level');
    features.thinkingLevel = level;
  }

  const showThoughts = flag(flagOrFile(flags, file, 'showThoughts', ['boolean']));
  if (showThoughts) {
    if (info.thinking === 'none') throw unsupported('--show-thoughts', model, 'it does not think', (m) => m.thinking !== 'none');
    if (budget === 0) throw usage('--show-thoughts with --thinking-budget 0 shows nothing: thinking is off; drop one of them');
    features.includeThoughts = true;
  }

  const sensitivities = ['high', 'low'] as const;
  const startSensitivity = choice<Sensitivity>(flagOrFile(flags, file, 'vadStartSensitivity', ['string']), '--vad-start-sensitivity', sensitivities);
  const endSensitivity = choice<Sensitivity>(flagOrFile(flags, file, 'vadEndSensitivity', ['string']), '--vad-end-sensitivity', sensitivities);
  const prefixPaddingMs = integer(flagOrFile(flags, file, 'prefixPaddingMs', ['number', 'string']), '--prefix-padding-ms', 0, MAX_VAD_MS);
  const silenceDurationMs = integer(flagOrFile(flags, file, 'silenceMs', ['number', 'string']), '--silence-ms', 0, MAX_VAD_MS);
  const vadOptions: Array<[string, unknown]> = [
    ['--vad-start-sensitivity', startSensitivity],
    ['--vad-end-sensitivity', endSensitivity],
    ['--prefix-padding-ms', prefixPaddingMs],
    ['--silence-ms', silenceDurationMs],
  ];
  const vadOption = vadOptions.find(([, value]) => value !== undefined)?.[0];
  if (vadOption && pushToTalk) {
    throw usage(`${vadOption} tunes automatic activity detection, which --push-to-talk turns off: drop one of them`);
  }
  Object.assign(
    features,
    startSensitivity === undefined ? {} : { startSensitivity },
    endSensitivity === undefined ? {} : { endSensitivity },
    prefixPaddingMs === undefined ? {} : { prefixPaddingMs },
    silenceDurationMs === undefined ? {} : { silenceDurationMs },
  );

  const activityHandling = choice(flagOrFile(flags, file, 'activityHandling', ['string']), '--activity-handling', ['interrupt', 'no-interrupt'] as const);
  if (activityHandling !== undefined) features.activityHandling = activityHandling;
  const turnCoverage = choice<TurnCoverageName>(flagOrFile(flags, file, 'turnCoverage', ['string']), '--turn-coverage', [
    'only-activity',
    'all-input',
    'audio-activity-and-all-video',
  ]);
  if (turnCoverage !== undefined) features.turnCoverage = turnCoverage;

  const mediaResolution = choice(flagOrFile(flags, file, 'mediaResolution', ['string']), '--media-resolution', ['low', 'medium', 'high'] as const);
  if (mediaResolution !== undefined) {
    if (!info.visualInput) throw unsupported('--media-resolution', model, 'no image or video input', (m) => m.visualInput);
    features.mediaResolution = mediaResolution;
  }

  const language = languageCode(flagOrFile(flags, file, 'language', ['string']));
  if (language !== undefined) {
    if (!info.languageCode) {
      throw unsupported('--language', model, 'native audio picks the language by itself', (m) => m.languageCode);
    }
    features.languageCode = language;
  }
  return check;
}
