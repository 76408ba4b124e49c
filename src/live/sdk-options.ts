/**
 * LiveConfig → the SDK's client options and LiveConnectConfig. Everything is passed explicitly:
 * the SDK would otherwise fill gaps from GOOGLE_API_KEY, GOOGLE_GEMINI_BASE_URL, … behind our back.
 */
import { Behavior, type FunctionDeclaration, type GoogleGenAIOptions, type LiveConnectConfig, Modality, type Tool } from '@google/genai';
import { featureConnectFields, realtimeInputConfig } from './sdk-features.js';
import type { LiveToolsSetup } from './tool-hooks.js';
import type { LiveConfig } from './types.js';

const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com/';
const VERTEX_GLOBAL_BASE_URL = 'https://aiplatform.googleapis.com/';
/** Locations the SDK serves from regional endpoints (`aiplatform.eu.rep…`). */
const MULTI_REGIONAL = new Set(['us', 'eu']);

/** The base URL the SDK would pick, computed here so that no env variable can change it. */
export function defaultBaseUrl(config: LiveConfig): string {
  if (!config.vertex) return GEMINI_BASE_URL;
  const location = config.location;
  if (config.apiKey || !location || location === 'global') return VERTEX_GLOBAL_BASE_URL;
  if (MULTI_REGIONAL.has(location)) return `https://aiplatform.${location}.rep.googleapis.com/`;
  return `https://${location}-aiplatform.googleapis.com/`;
}

export function clientOptions(config: LiveConfig): GoogleGenAIOptions {
  const httpOptions = { baseUrl: config.endpoint ?? defaultBaseUrl(config), apiVersion: config.apiVersion };
  if (config.apiKey) {
    // Gemini API, ephemeral token, or Vertex express mode: the key alone authenticates.
    return { vertexai: config.vertex, apiKey: config.apiKey, apiVersion: config.apiVersion, httpOptions };
  }
  // Vertex with Application Default Credentials (config validation guarantees project + location).
  return {
    vertexai: true,
    apiVersion: config.apiVersion,
    httpOptions,
    ...(config.project ? { project: config.project } : {}),
    ...(config.location ? { location: config.location } : {}),
  };
}

export function liveConnectConfig(config: LiveConfig): LiveConnectConfig {
  const audio = config.modality === 'audio';
  const compression = config.compression;
  const features = config.features ?? {};
  const speechConfig = {
    ...(audio && config.voice ? { voiceConfig: { prebuiltVoiceConfig: { voiceName: config.voice } } } : {}),
    ...(features.languageCode ? { languageCode: features.languageCode } : {}),
  };
  const realtimeInput = realtimeInputConfig(features, config.automaticActivityDetection);
  return {
    responseModalities: [audio ? Modality.AUDIO : Modality.TEXT],
    ...(Object.keys(speechConfig).length > 0 ? { speechConfig } : {}),
    ...featureConnectFields(features),
    ...(config.systemInstruction ? { systemInstruction: { parts: [{ text: config.systemInstruction }] } } : {}),
    ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
    ...(config.inputTranscription ? { inputAudioTranscription: {} } : {}),
    ...(config.outputTranscription ? { outputAudioTranscription: {} } : {}),
    // Always ask for resumption so the server issues handles; `{}` rather than `{handle: null}`,
    // which the 3.1 models refuse. An ephemeral token created with `uses: 1` cannot open a second
    // connection, so a handle obtained with one is only good with a fresh token.
    // Vertex alone accepts `transparent` (the SDK throws on the Gemini API): the server then says
    // which client message each handle covers, so a resume re-sends exactly the rest.
    sessionResumption: {
      ...(config.resumeHandle ? { handle: config.resumeHandle } : {}),
      ...(config.vertex ? { transparent: true } : {}),
    },
    ...(compression
      ? {
          // int64 fields travel as strings in the JSON mapping.
          contextWindowCompression: {
            triggerTokens: String(compression.triggerTokens),
            slidingWindow:
              compression.targetTokens === undefined ? {} : { targetTokens: String(compression.targetTokens) },
          },
        }
      : {}),
    ...(realtimeInput ? { realtimeInputConfig: realtimeInput } : {}),
    ...(config.tools ? toolsOf(config.tools) : {}),
  };
}

/** The setup's `tools`: one entry per kind, as the service documents them; nothing when empty. */
function toolsOf(setup: LiveToolsSetup): { tools?: Tool[] } {
  const tools: Tool[] = [];
  if (setup.functions.length > 0) {
    tools.push({
      functionDeclarations: setup.functions.map((spec): FunctionDeclaration => ({
        name: spec.name,
        ...(spec.description === undefined ? {} : { description: spec.description }),
        ...(spec.parametersJsonSchema === undefined ? {} : { parametersJsonSchema: spec.parametersJsonSchema }),
        ...(spec.responseJsonSchema === undefined ? {} : { responseJsonSchema: spec.responseJsonSchema }),
        ...(spec.behavior === undefined ? {} : { behavior: Behavior[spec.behavior] }),
      })),
    });
  }
  if (setup.googleSearch) tools.push({ googleSearch: {} });
  if (setup.codeExecution) tools.push({ codeExecution: {} });
  return tools.length > 0 ? { tools } : {};
}
