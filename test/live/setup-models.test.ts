import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { resolveLiveConfig } from '../../src/live/config.js';
import { DEFAULT_MODEL, LIVE_MODELS } from '../../src/live/models.js';
import { liveConnectConfig } from '../../src/live/sdk-options.js';
import type { RawLiveOptions } from '../../src/live/types.js';

const ENV = { GEMINI_API_KEY: 'fake-gemini-key-cccccccccccccccc' };
const NATIVE_25 = 'gemini-2.5-flash-native-audio-preview-12-2025';
const LIVE_38 = 'gemini-3.8-live';
const THINKING_38 = 'gemini-3.8-live-extended-thinking';
const HALF = 'gemini-live-2.5-flash-preview';

function resolved(flags: RawLiveOptions, file: Record<string, unknown> = {}) {
  return resolveLiveConfig(flags, ENV, file);
}

function connectConfig(flags: RawLiveOptions, file: Record<string, unknown> = {}) {
  return liveConnectConfig(resolved(flags, file).config);
}

function refusal(flags: RawLiveOptions, file: Record<string, unknown> = {}): CliError {
  try {
    resolved(flags, file);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error(`no refusal for ${JSON.stringify(flags)}`);
}

describe('setup per model family (the capability guide)', () => {
  it('gemini-3.8-live is the default: AUDIO, no thinking, affective or proactivity fields, v1beta', () => {
    expect(DEFAULT_MODEL).toBe(LIVE_38);
    const { config } = resolved({ proactive: true });
    expect(config).toMatchObject({ model: LIVE_38, nativeAudio: true, apiVersion: 'v1beta' });
    const setup = liveConnectConfig(config);
    expect(setup.responseModalities).toEqual(['AUDIO']);
    // Proactive audio is always on there: asking for it sends nothing.
    expect(setup).not.toHaveProperty('proactivity');
    expect(setup).not.toHaveProperty('thinkingConfig');
    expect(setup).not.toHaveProperty('enableAffectiveDialog');
  });

  it('gemini-3.8-live-extended-thinking takes thinkingLevel and thought summaries', () => {
    const setup = connectConfig({ model: THINKING_38, thinkingLevel: 'medium', showThoughts: true });
    expect(setup.thinkingConfig).toEqual({ thinkingLevel: 'MEDIUM', includeThoughts: true });
  });

  it('2.5 native audio takes thinkingBudget, and affective/proactive switch the API to v1alpha', () => {
    const { config } = resolved({ model: NATIVE_25, thinkingBudget: '1024', showThoughts: true, affective: true, proactive: true });
    expect(config.apiVersion).toBe('v1alpha');
    expect(liveConnectConfig(config)).toMatchObject({
      thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
      enableAffectiveDialog: true,
      proactivity: { proactiveAudio: true },
    });
    // Without those options it stays on v1beta.
    expect(resolved({ model: NATIVE_25, thinkingBudget: 0 }).config.apiVersion).toBe('v1beta');
  });

  it('Vertex serves affective dialog on v1beta1: no v1alpha there', () => {
    const config = resolveLiveConfig({ model: NATIVE_25, affective: true, vertex: true }, ENV, {}).config;
    expect(config.apiVersion).toBe('v1beta1');
    expect(liveConnectConfig(config).enableAffectiveDialog).toBe(true);
  });

  it('half-cascade takes TEXT and a language code', () => {
    const setup = connectConfig({ model: HALF, modality: 'text', language: 'de-DE' });
    expect(setup.responseModalities).toEqual(['TEXT']);
    expect(setup.speechConfig).toEqual({ languageCode: 'de-DE' });
  });

  it('VAD tuning, activity handling, turn coverage and media resolution map to the SDK enums', () => {
    const setup = connectConfig({
      vadStartSensitivity: 'low',
      vadEndSensitivity: 'high',
      prefixPaddingMs: '40',
      silenceMs: 800,
      activityHandling: 'no-interrupt',
      turnCoverage: 'all-input',
      mediaResolution: 'low',
      voice: 'Kore',
    });
    expect(setup.realtimeInputConfig).toEqual({
      automaticActivityDetection: {
        startOfSpeechSensitivity: 'START_SENSITIVITY_LOW',
        endOfSpeechSensitivity: 'END_SENSITIVITY_HIGH',
        prefixPaddingMs: 40,
        silenceDurationMs: 800,
      },
      activityHandling: 'NO_INTERRUPTION',
      turnCoverage: 'TURN_INCLUDES_ALL_INPUT',
    });
    expect(setup.mediaResolution).toBe('MEDIA_RESOLUTION_LOW');
    expect(setup.speechConfig).toEqual({ voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } } });
  });

  it('push-to-talk keeps activity handling next to disabled detection', () => {
    const setup = connectConfig({ pushToTalk: true, activityHandling: 'interrupt' });
    expect(setup.realtimeInputConfig).toEqual({ automaticActivityDetection: { disabled: true }, activityHandling: 'START_OF_ACTIVITY_INTERRUPTS' });
  });

  it('reads the options from the config file under their camelCase names, below flags', () => {
    const file = { model: NATIVE_25, thinkingBudget: 256, showThoughts: true, silenceMs: 700 };
    expect(connectConfig({}, file)).toMatchObject({ thinkingConfig: { thinkingBudget: 256, includeThoughts: true } });
    expect(connectConfig({ thinkingBudget: '64' }, file).thinkingConfig).toEqual({ thinkingBudget: 64, includeThoughts: true });
    expect(refusal({}, { model: NATIVE_25, thinkingBudget: true }).message).toBe('config file key "thinkingBudget" must be a number or string: fix it in the config file');
  });

  it('transcribe takes no model options: a config file written for chat cannot break it', () => {
    const { config } = resolveLiveConfig({ model: HALF }, ENV, { affective: true, showThoughts: true }, { modelOptions: false });
    expect(config.features).toBeUndefined();
  });

  it('warns about a voice it does not know, or one the half-cascade models do not speak', () => {
    expect(resolved({ voice: 'Kore' }).warnings).toEqual([]);
    expect(resolved({ voice: 'Robot' }).warnings).toEqual(['voice Robot is not one of the prebuilt voices (live-cli voices lists them)']);
    expect(resolved({ voice: 'Sulafat', model: HALF }).warnings).toEqual([
      `voice Sulafat is spoken by native-audio models only; ${HALF} may refuse it (live-cli voices)`,
    ]);
  });

  it('every catalogue row is self-consistent', () => {
    for (const model of LIVE_MODELS) {
      if (model.nativeAudio) expect(model.textOutput, model.name).toBe(false);
      if (model.nativeAudio) expect(model.languageCode, model.name).toBe(false);
    }
  });
});

describe('refusals before connecting: one line, the option, a model that supports it, exit 2', () => {
  const cases: Array<[string, RawLiveOptions, string]> = [
    ['affective on 3.8', { affective: true }, `--affective is not supported by ${LIVE_38} (no affective dialog); use --model ${NATIVE_25}`],
    [
      'proactive off on 3.8',
      { proactive: false },
      `--no-proactive is not possible with ${LIVE_38}: its proactive audio is always on (the service refuses proactive_audio: false); use --model ${NATIVE_25}`,
    ],
    ['proactive on half-cascade', { model: HALF, proactive: true }, `--proactive is not supported by ${HALF} (no proactive audio); use --model ${LIVE_38}`],
    ['thinking budget on 3.8', { thinkingBudget: '100' }, `--thinking-budget is not supported by ${LIVE_38} (no thinking configuration); use --model ${NATIVE_25}`],
    ['thinking level on 3.8', { thinkingLevel: 'low' }, `--thinking-level is not supported by ${LIVE_38} (no thinking configuration); use --model ${THINKING_38}`],
    ['thinking budget on a level model', { model: THINKING_38, thinkingBudget: 10 }, `--thinking-budget is not supported by ${THINKING_38}, which takes --thinking-level low|medium|high instead`],
    ['thinking level on a budget model', { model: NATIVE_25, thinkingLevel: 'high' }, `--thinking-level is not supported by ${NATIVE_25}, which takes --thinking-budget N instead`],
    ['thoughts without thinking', { showThoughts: true }, `--show-thoughts is not supported by ${LIVE_38} (it does not think); use --model ${THINKING_38}`],
    ['language on native audio', { language: 'en-US' }, `--language is not supported by ${LIVE_38} (native audio picks the language by itself); use --model ${HALF}`],
    ['VAD tuning with push-to-talk', { pushToTalk: true, silenceMs: 300 }, '--silence-ms tunes automatic activity detection, which --push-to-talk turns off: drop one of them'],
    ['affective with a conflicting --api-version', { model: NATIVE_25, affective: true, apiVersion: 'v1beta' }, `--affective on ${NATIVE_25} needs --api-version v1alpha, not v1beta: drop --api-version`],
    ['a budget out of range', { model: NATIVE_25, thinkingBudget: '99999' }, '--thinking-budget must be a whole number from -1 to 24576, not "99999"'],
    ['a bad language code', { model: HALF, language: 'English' }, '--language must be a BCP-47 code such as en-US or de-DE, not "English"'],
    ['a bad sensitivity from the config file', {}, '--vad-start-sensitivity must be high or low, not "medium"'],
  ];
  it.each(cases)('%s', (name, flags, message) => {
    const file = name.includes('config file') ? { vadStartSensitivity: 'medium' } : {};
    const error = refusal(flags, file);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain('\n');
    expect(error.exitCode).toBe(2);
  });
});
