/**
 * Flags + env + config file → one validated LiveConfig, with precedence flags > env > file >
 * defaults (contract: Common options). Every problem is a one-line CliError naming the problem and
 * the fix, raised here, before any connection is attempted.
 */
import { readFileSync } from 'node:fs';
import { CliError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { type Env, envValue, errnoText, unknownConfigKeyWarnings } from './config-file.js';
import { resolveFeatures } from './features.js';
import { DEFAULT_MODEL, DEFAULT_TEXT_MODEL, lookupModel } from './models.js';
import type { LiveConfig, Modality, RawLiveOptions } from './types.js';
import { findVoice } from './voices.js';

export { configFilePath, loadConfigFile } from './config-file.js';
export type { Env } from './config-file.js';

export interface ResolveOptions {
  /** `--sim`: an in-process simulator at `endpoint`; no real key is needed or sent. */
  sim?: boolean;
  endpoint?: string;
  /**
   * Whether the model options (features.ts) apply: false for `transcribe`, which takes none, so a
   * config file written for `chat` (`"affective": true`) cannot break a transcription.
   */
  modelOptions?: boolean;
}

export interface ResolvedLiveConfig {
  config: LiveConfig;
  /** One line each, for stderr. Never contains a key. */
  warnings: string[];
}

export const DEFAULT_CONNECT_TIMEOUT_S = 15;
export const DEFAULT_API_VERSION = 'v1beta';
/** Vertex AI serves the Live API as `aiplatform.v1beta1.LlmBidiService`: `v1beta` there is a 404. */
export const DEFAULT_VERTEX_API_VERSION = 'v1beta1';
/** Ephemeral tokens are only served on v1alpha (BidiGenerateContentConstrained). */
export const EPHEMERAL_API_VERSION = 'v1alpha';
export const DEFAULT_AUDIO_COMPRESSION = { triggerTokens: 25_600, targetTokens: 12_800 } as const;
export const COMPRESSION_TRIGGER_RANGE = { min: 5_000, max: 128_000 } as const;
/** Sent to the simulator instead of a real key: the user's key never leaves for a test double. */
export const SIM_API_KEY = 'sim-key';

/** `--sim` with `--endpoint`: one usage error, said the same wherever it is caught. */
export const SIM_WITH_ENDPOINT = '--sim starts its own simulator: drop --endpoint, or drop --sim to use that endpoint';
const EPHEMERAL_PREFIX = 'auth_tokens/';

function usage(message: string): CliError {
  return new CliError('usage', message);
}

type FileKind = 'string' | 'number' | 'boolean';

/** A value from the config file, checked for the type the option takes. */
function fileValue(file: Record<string, unknown>, key: string, kinds: readonly FileKind[]): unknown {
  const value = file[key];
  if (value === undefined || value === null) return undefined;
  const kind = typeof value;
  if ((kind === 'string' || kind === 'number' || kind === 'boolean') && kinds.includes(kind)) return value;
  throw usage(`config file key "${key}" must be a ${kinds.join(' or ')}: fix it in the config file`);
}

function fileString(file: Record<string, unknown>, key: string): string | undefined {
  const value = fileValue(file, key, ['string']);
  return typeof value === 'string' && value.trim() ? value : undefined;
}

function fileNumeric(file: Record<string, unknown>, key: string): string | number | undefined {
  const value = fileValue(file, key, ['number', 'string']);
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

function fileBoolean(file: Record<string, unknown>, key: string): boolean | undefined {
  const value = fileValue(file, key, ['boolean']);
  return typeof value === 'boolean' ? value : undefined;
}

function pick<T>(...values: Array<T | undefined>): T | undefined {
  return values.find((value) => value !== undefined);
}

function parseBoolean(value: string): boolean {
  return /^(true|1|yes)$/i.test(value.trim());
}

function parseModality(value: string): Modality {
  const modality = value.trim().toLowerCase();
  if (modality === 'audio' || modality === 'text') return modality;
  throw usage(`--modality must be audio or text, not "${value}"`);
}

function parseNumber(value: string | number, option: string, unit = ''): number {
  const number = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(number)) throw usage(`${option} must be a number${unit}, not "${value}"`);
  return number;
}

function parseTemperature(value: string | number): number {
  const temperature = parseNumber(value, '--temperature');
  if (temperature < 0 || temperature > 2) {
    throw usage(`--temperature must be between 0 and 2, not ${temperature}`);
  }
  return temperature;
}

function parseConnectTimeoutMs(value: string | number): number {
  const seconds = parseNumber(value, '--connect-timeout', ' of seconds');
  if (seconds <= 0) throw usage(`--connect-timeout must be more than 0 seconds, not ${seconds}`);
  return Math.round(seconds * 1000);
}

/** `TRIGGER[:TARGET]` or `off`. */
export function parseCompression(value: string | number): LiveConfig['compression'] {
  const text = String(value).trim();
  if (text.toLowerCase() === 'off') return undefined;
  const match = /^(\d+)(?::(\d+))?$/.exec(text);
  const hint = 'use --compression TRIGGER[:TARGET] (e.g. 25600:12800) or --compression off';
  if (!match) throw usage(`--compression "${text}" is not TRIGGER[:TARGET] or off: ${hint}`);
  const triggerTokens = Number(match[1]);
  const { min, max } = COMPRESSION_TRIGGER_RANGE;
  if (triggerTokens < min || triggerTokens > max) {
    throw usage(`--compression trigger must be between ${min} and ${max} tokens, not ${triggerTokens}: ${hint}`);
  }
  if (match[2] === undefined) return { triggerTokens };
  const targetTokens = Number(match[2]);
  if (targetTokens >= triggerTokens) {
    throw usage(`--compression target (${targetTokens}) must be below the trigger (${triggerTokens}): ${hint}`);
  }
  return { triggerTokens, targetTokens };
}

/** `TEXT` or `@FILE`; an empty instruction means none. */
function readSystemInstruction(value: string): string | undefined {
  if (!value.startsWith('@')) return value.trim() ? value : undefined;
  const path = value.slice(1);
  if (!path) throw usage('--system @FILE needs a file name after the @');
  try {
    const text = readFileSync(path, 'utf8');
    return text.trim() ? text : undefined;
  } catch (error) {
    throw usage(`cannot read the system instruction file ${path}: ${errnoText(error)}`);
  }
}

/**
 * The SDK turns the base URL into a WebSocket URL by mapping `http:` to `ws:` and everything else
 * to `wss:`, so a `ws://` endpoint would silently become `wss://`: normalise to http(s) here.
 */
export function normaliseEndpoint(value: string, option = '--endpoint'): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw usage(`${option} "${value}" is not a URL: use e.g. --endpoint http://127.0.0.1:8080`);
  }
  const protocols: Record<string, string> = { 'http:': 'http:', 'ws:': 'http:', 'https:': 'https:', 'wss:': 'https:' };
  const protocol = protocols[url.protocol];
  if (!protocol) throw usage(`${option} must be an http(s) or ws(s) URL, not "${url.protocol}"`);
  url.protocol = protocol;
  return url.toString();
}

interface KeyChoice {
  apiKey?: string;
  warning?: string;
}

/** The SDK's own precedence: GOOGLE_API_KEY wins when both are set. */
function chooseKey(env: Env): KeyChoice {
  const google = envValue(env, 'GOOGLE_API_KEY');
  const gemini = envValue(env, 'GEMINI_API_KEY');
  // Both are secrets even when only one is used: neither may ever be printed.
  registerSecret(google);
  registerSecret(gemini);
  if (google && gemini) {
    return { apiKey: google, warning: 'both GOOGLE_API_KEY and GEMINI_API_KEY are set; using GOOGLE_API_KEY' };
  }
  const apiKey = google ?? gemini;
  return apiKey ? { apiKey } : {};
}

export function resolveLiveConfig(
  flags: RawLiveOptions,
  env: Env,
  fileConfig: Record<string, unknown>,
  opts: ResolveOptions = {},
): ResolvedLiveConfig {
  const file = fileConfig;
  const warnings: string[] = unknownConfigKeyWarnings(file, env);

  const model = pick(flags.model?.trim() || undefined, envValue(env, 'LIVE_CLI_MODEL'), fileString(file, 'model')) ?? DEFAULT_MODEL;
  const info = lookupModel(model);
  if (!info.known) {
    const kind = info.nativeAudio ? 'native audio' : 'half-cascade (TEXT output allowed)';
    warnings.push(`model ${model} is not in live-cli's catalogue; treating it as ${kind}`);
  }

  const modality = parseModality(pick(flags.modality, fileString(file, 'modality')) ?? 'audio');
  if (modality === 'text' && !info.textOutput) {
    throw usage(
      `model ${model} is native audio and cannot reply in TEXT; use --modality audio or --model ${DEFAULT_TEXT_MODEL}`,
    );
  }

  const voice = pick(flags.voice?.trim() || undefined, fileString(file, 'voice'));
  if (voice && modality === 'text') warnings.push('--voice has no effect with --modality text');
  const knownVoice = voice === undefined ? undefined : findVoice(voice);
  if (voice && !knownVoice) warnings.push(`voice ${voice} is not one of the prebuilt voices (live-cli voices lists them)`);
  if (knownVoice && !knownVoice.halfCascade && !info.nativeAudio) {
    warnings.push(`voice ${knownVoice.name} is spoken by native-audio models only; ${model} may refuse it (live-cli voices)`);
  }

  const systemRaw = pick(flags.system, fileString(file, 'system'));
  const systemInstruction = systemRaw === undefined ? undefined : readSystemInstruction(systemRaw);

  const temperatureRaw = pick(flags.temperature, fileNumeric(file, 'temperature'));
  const temperature = temperatureRaw === undefined ? undefined : parseTemperature(temperatureRaw);

  const timeoutRaw = pick(flags.connectTimeout, fileNumeric(file, 'connectTimeout'));
  const connectTimeoutMs = timeoutRaw === undefined ? DEFAULT_CONNECT_TIMEOUT_S * 1000 : parseConnectTimeoutMs(timeoutRaw);

  const compressionRaw = pick<string | number>(flags.compression, fileNumeric(file, 'compression'));
  // Compression matters for audio: audio costs ~25 tokens/s and an audio session without it is
  // capped at 15 minutes. Text sessions rarely fill a window, so they get none unless asked.
  const compression =
    compressionRaw === undefined
      ? modality === 'audio'
        ? { ...DEFAULT_AUDIO_COMPRESSION }
        : undefined
      : parseCompression(compressionRaw);
  if (compression && compression.triggerTokens > info.contextWindow) {
    warnings.push(
      `--compression trigger ${compression.triggerTokens} is above ${model}'s ${info.contextWindow}-token context window`,
    );
  }

  const pushToTalk = pick(flags.pushToTalk, fileBoolean(file, 'pushToTalk')) ?? false;
  // Model-dependent options: refused here, before connecting, where the model cannot take them.
  const featureCheck = opts.modelOptions === false ? { features: {} } : resolveFeatures(flags, file, info, pushToTalk);

  // Endpoint and credentials.
  if (opts.sim && flags.endpoint) throw usage(SIM_WITH_ENDPOINT);
  const endpointRaw = opts.sim ? opts.endpoint : pick(flags.endpoint?.trim() || undefined, envValue(env, 'LIVE_CLI_ENDPOINT'), fileString(file, 'endpoint'));
  const endpoint = endpointRaw === undefined ? undefined : normaliseEndpoint(endpointRaw);

  const vertexEnv = envValue(env, 'GOOGLE_GENAI_USE_VERTEXAI');
  const vertex = pick(flags.vertex, vertexEnv === undefined ? undefined : parseBoolean(vertexEnv), fileBoolean(file, 'vertex')) ?? false;
  const project = pick(flags.project?.trim() || undefined, envValue(env, 'GOOGLE_CLOUD_PROJECT'), fileString(file, 'project'));
  const location = pick(flags.location?.trim() || undefined, envValue(env, 'GOOGLE_CLOUD_LOCATION'), fileString(file, 'location'));

  if (info.vertexOnly && !vertex && !opts.sim) {
    warnings.push(`model ${model} is served by Vertex AI only; add --vertex (and a project, or an API key for express mode)`);
  }

  const keyChoice = chooseKey(env);
  if (keyChoice.warning && !opts.sim) warnings.push(keyChoice.warning);
  const apiKey = opts.sim ? SIM_API_KEY : keyChoice.apiKey;
  if (!apiKey) {
    if (!vertex) {
      throw new CliError('auth', 'no API key: set GEMINI_API_KEY (or GOOGLE_API_KEY), or try it offline with --sim');
    }
    // Vertex with Application Default Credentials needs both to build the regional endpoint.
    if (!project || !location) {
      throw usage(
        'Vertex AI without an API key needs --project and --location (or GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION), or set GEMINI_API_KEY for express mode',
      );
    }
  }
  if (vertex && apiKey && (flags.project || flags.location)) {
    warnings.push('--project and --location are ignored in Vertex AI express mode (an API key is set)');
  }

  const ephemeralToken = !opts.sim && !vertex && Boolean(apiKey?.startsWith(EPHEMERAL_PREFIX));
  const explicitApiVersion = pick(flags.apiVersion?.trim() || undefined, fileString(file, 'apiVersion'));
  // Vertex serves these options on its own v1beta1; only the Gemini API keeps them behind v1alpha.
  const featureApiVersion = vertex ? undefined : featureCheck.apiVersion;
  if (featureApiVersion && explicitApiVersion && explicitApiVersion !== featureApiVersion) {
    throw usage(`${featureCheck.apiVersionFor ?? 'this option'} on ${model} needs --api-version ${featureApiVersion}, not ${explicitApiVersion}: drop --api-version`);
  }
  const apiVersion =
    explicitApiVersion ??
    featureApiVersion ??
    (vertex ? DEFAULT_VERTEX_API_VERSION : ephemeralToken ? EPHEMERAL_API_VERSION : DEFAULT_API_VERSION);
  if (ephemeralToken && apiVersion !== EPHEMERAL_API_VERSION) {
    warnings.push(`ephemeral tokens are served on ${EPHEMERAL_API_VERSION} only; --api-version ${apiVersion} will likely be refused`);
  }

  const config: LiveConfig = {
    model,
    nativeAudio: info.nativeAudio,
    modality,
    apiVersion,
    vertex,
    ephemeralToken,
    connectTimeoutMs,
    inputTranscription: true,
    // Output transcription describes spoken replies; a TEXT reply has nothing to transcribe.
    outputTranscription: modality === 'audio',
    automaticActivityDetection: !pushToTalk,
    contextWindowTokens: info.contextWindow,
    ...(Object.keys(featureCheck.features).length > 0 ? { features: featureCheck.features } : {}),
    ...(voice === undefined ? {} : { voice }),
    ...(systemInstruction === undefined ? {} : { systemInstruction }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(compression === undefined ? {} : { compression }),
    // Express mode authenticates with the key alone; project and location would contradict it.
    ...(vertex && !apiKey ? { project, location } : {}),
  };
  return { config, warnings };
}
