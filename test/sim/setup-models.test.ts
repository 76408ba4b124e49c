import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RawClient,
  geminiPath,
  isSetupComplete,
  isTurnComplete,
  modelParts,
  readReport,

  startSim,
  tempReportPath,
  TEST_KEY,
  VERTEX_PATH,
  type Json,
} from './helpers.js';

const LIVE_38 = 'models/gemini-3.8-live';
const THINKING_38 = 'models/gemini-3.8-live-extended-thinking';
const LIVE_31 = 'models/gemini-3.1-flash-live-preview';
const NATIVE_25 = 'models/gemini-2.5-flash-native-audio-preview-12-2025';
const HALF = 'models/gemini-live-2.5-flash-preview';
const JPEG = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'images', 'test-card.jpg'));

function audioSetup(model: string, generationConfig: Json = {}, rest: Json = {}): Json {
  return { model, generationConfig: { responseModalities: ['AUDIO'], ...generationConfig }, ...rest };
}

async function refusedWith(setup: Json, version = 'v1beta'): Promise<{ code: number; reason: string; report: Json[] }> {
  const report = tempReportPath();
  const sim = await startSim(`report=${report}`);
  const client = await RawClient.open(sim.url, geminiPath({ key: TEST_KEY, version }));
  client.sendSetup(setup);
  const closed = await client.closed;
  expect(client.messages.some(isSetupComplete)).toBe(false);
  return { ...closed, report: readReport(report) };
}

async function accepted(setup: Json, path = geminiPath({ key: TEST_KEY })): Promise<{ client: RawClient; report: string }> {
  const report = tempReportPath();
  const sim = await startSim(`report=${report}`);
  const client = await RawClient.open(sim.url, path, path === VERTEX_PATH ? { 'x-goog-api-key': TEST_KEY } : {});
  client.sendSetup(setup);
  await client.waitFor(isSetupComplete, 'setupComplete');
  return { client, report };
}

describe('the simulator refuses what each model family refuses (1007, before setupComplete)', () => {
  const cases: Array<[string, Json, string, string?]> = [
    ['TEXT from 3.8 (native audio)', { model: LIVE_38, generationConfig: { responseModalities: ['TEXT'] } }, 'Cannot extract voices from a non-audio request'],
    ['affective dialog on 3.8', audioSetup(LIVE_38, { enableAffectiveDialog: true }), 'enable_affective_dialog is not supported for this model.'],
    ['proactive audio off on 3.8', audioSetup(LIVE_38, {}, { proactivity: { proactiveAudio: false } }), 'proactive_audio cannot be disabled for this model.'],
    ['thinkingConfig on 3.8', audioSetup(LIVE_38, { thinkingConfig: { includeThoughts: true } }), 'thinking_config is not supported for this model.'],
    ['thinkingBudget on the extended-thinking model', audioSetup(THINKING_38, { thinkingConfig: { thinkingBudget: 100 } }), 'thinking_budget is not supported for this model; use thinking_level.'],
    ['thinkingLevel on 2.5 native audio', audioSetup(NATIVE_25, { thinkingConfig: { thinkingLevel: 'LOW' } }), 'thinking_level is not supported for this model; use thinking_budget.'],
    ['proactivity on 3.1', audioSetup(LIVE_31, {}, { proactivity: { proactiveAudio: true } }), 'proactivity is not supported for this model.'],
    [
      'affective on 2.5 without v1alpha',
      audioSetup(NATIVE_25, { enableAffectiveDialog: true }),
      `Invalid JSON payload received. Unknown name "enableAffectiveDialog" at 'setup.generation_config': Cannot find field.`,
    ],
    ['proactivity on 2.5 without v1alpha', audioSetup(NATIVE_25, {}, { proactivity: { proactiveAudio: true } }), `Invalid JSON payload received. Unknown name "proactivity" at 'setup': Cannot find field.`],
    ['a language code on native audio', audioSetup(NATIVE_25, { speechConfig: { languageCode: 'de-DE' } }), 'language_code is not supported for native audio output models.'],
  ];
  it.each(cases)('%s', async (_name, setup, reason) => {
    const result = await refusedWith(setup);
    expect(result).toMatchObject({ code: 1007, reason });
    const refused = result.report.find((record) => record.type === 'setup-refused');
    expect(refused).toMatchObject({ model: setup.model, apiVersion: 'v1beta', reason });
    expect(result.report.some((record) => record.type === 'setup')).toBe(false);
  });
});

describe('setups the guide allows are accepted and recorded as sent', () => {
  it('2.5 native audio on v1alpha: affective, proactive, thinking budget with thoughts', async () => {
    const setup = audioSetup(NATIVE_25, { enableAffectiveDialog: true, thinkingConfig: { thinkingBudget: 512, includeThoughts: true } }, { proactivity: { proactiveAudio: true } });
    const { client, report } = await accepted(setup, geminiPath({ key: TEST_KEY, version: 'v1alpha' }));
    client.sendText('hello');
    await client.waitFor(isTurnComplete, 'turnComplete');
    const parts = modelParts(client.messages);
    // The thought summary comes first, marked, and is counted as thoughts.
    expect(parts[0]).toMatchObject({ thought: true });
    const usage = client.messages.find(isTurnComplete)?.usageMetadata as Json;
    expect(usage.thoughtsTokenCount).toBeGreaterThan(0);
    client.close();
    expect(readReport(report).find((record) => record.type === 'setup')).toMatchObject({
      apiVersion: 'v1alpha',
      affective: true,
      proactiveAudio: true,
      thinking: { thinkingBudget: 512, includeThoughts: true },
    });
  });

  it('no thoughts unless includeThoughts is asked', async () => {
    const { client } = await accepted(audioSetup(NATIVE_25, { thinkingConfig: { thinkingBudget: 512 } }));
    client.sendText('hello');
    await client.waitFor(isTurnComplete, 'turnComplete');
    expect(modelParts(client.messages).some((part) => part.thought === true)).toBe(false);
    client.close();
  });

  it('3.8: proactive audio on is accepted (it is always on); the extended-thinking model takes thinkingLevel', async () => {
    const first = await accepted(audioSetup(LIVE_38, {}, { proactivity: { proactiveAudio: true } }));
    first.client.close();
    const { client, report } = await accepted(audioSetup(THINKING_38, { thinkingConfig: { thinkingLevel: 'HIGH', includeThoughts: true } }));
    client.sendText('plan a trip');
    await client.waitFor(isTurnComplete, 'turnComplete');
    expect(modelParts(client.messages)[0]).toMatchObject({ thought: true });
    client.close();
    expect(readReport(report).find((record) => record.type === 'setup')).toMatchObject({ thinking: { thinkingLevel: 'HIGH', includeThoughts: true }, proactiveAudio: null });
  });

  it('Vertex is not version-gated: affective dialog on v1beta1', async () => {
    const { client } = await accepted(audioSetup(NATIVE_25, { enableAffectiveDialog: true }), VERTEX_PATH);
    client.close();
  });

  it('half-cascade takes a language code; VAD, activity handling, turn coverage and media resolution are recorded', async () => {
    const setup = {
      model: HALF,
      generationConfig: { responseModalities: ['TEXT'], mediaResolution: 'MEDIA_RESOLUTION_LOW', speechConfig: { languageCode: 'fr-FR' } },
      realtimeInputConfig: {
        automaticActivityDetection: { startOfSpeechSensitivity: 'START_SENSITIVITY_LOW', silenceDurationMs: 300 },
        activityHandling: 'NO_INTERRUPTION',
        turnCoverage: 'TURN_INCLUDES_ALL_INPUT',
      },
    };
    const { client, report } = await accepted(setup);
    client.close();
    await client.closed;
    expect(readReport(report).find((record) => record.type === 'setup')).toMatchObject({
      languageCode: 'fr-FR',
      mediaResolution: 'MEDIA_RESOLUTION_LOW',
      vad: { startOfSpeechSensitivity: 'START_SENSITIVITY_LOW', silenceDurationMs: 300 },
      activityHandling: 'NO_INTERRUPTION',
      turnCoverage: 'TURN_INCLUDES_ALL_INPUT',
    });
  });
});

describe('image and video frames', () => {
  it('are counted in the next turn’s prompt under IMAGE (258 each, 66 at low resolution)', async () => {
    for (const [resolution, perFrame] of [[undefined, 258], ['MEDIA_RESOLUTION_LOW', 66]] as const) {
      const generationConfig = { responseModalities: ['TEXT'], ...(resolution ? { mediaResolution: resolution } : {}) };
      const { client, report } = await accepted({ model: HALF, generationConfig });
      const data = JPEG.toString('base64');
      client.send({ realtimeInput: { video: { data, mimeType: 'image/jpeg' } } });
      client.send({ realtimeInput: { video: { data, mimeType: 'image/jpeg' } } });
      client.sendText('what is this?');
      const done = await client.waitFor(isTurnComplete, 'turnComplete');
      const usage = done.usageMetadata as { promptTokensDetails: Array<{ modality: string; tokenCount: number }> };
      expect(usage.promptTokensDetails).toContainEqual({ modality: 'IMAGE', tokenCount: 2 * perFrame });
      client.close();
      const frames = readReport(report).filter((record) => record.type === 'frame');
      expect(frames).toHaveLength(2);
      expect(frames[0]).toMatchObject({ mimeType: 'image/jpeg', bytes: JPEG.length });
    }
  });

  it('a video frame without data is refused', async () => {
    const { client } = await accepted({ model: HALF, generationConfig: { responseModalities: ['TEXT'] } });
    client.send({ realtimeInput: { video: { mimeType: 'image/jpeg' } } });
    expect(await client.closed).toMatchObject({ code: 1007, reason: 'realtime_input.video.data is required.' });
  });
});

describe('VAD tuning is honoured by the detector', () => {
  /** 16 kHz s16le: a 300 Hz tone at about -12 dBFS, or silence. */
  function tone(seconds: number, amplitude = 8000): Buffer {
    const samples = Math.round(seconds * 16_000);
    const pcm = Buffer.alloc(samples * 2);
    for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * 300 * i) / 16_000)), i * 2);
    return pcm;
  }
  const silence = (seconds: number): Buffer => Buffer.alloc(Math.round(seconds * 16_000) * 2);

  async function segments(detection: Json | undefined, audio: Buffer): Promise<number> {
    const realtimeInputConfig = detection ? { realtimeInputConfig: { automaticActivityDetection: detection } } : {};
    const { client, report } = await accepted({ model: HALF, generationConfig: { responseModalities: ['TEXT'] }, ...realtimeInputConfig });
    client.sendAudio(audio);
    client.send({ realtimeInput: { audioStreamEnd: true } });
    // The stream end closes any open segment; a text turn after it is answered last, whatever
    // the detector found (zero segments included).
    client.sendText('done');
    const records = (): Json[] => readReport(report);
    await client.waitFor(
      (message) => isTurnComplete(message) && records().some((record) => record.type === 'reply' && record.text === 'You said: done' && record.outcome === 'complete'),
      'the reply to the text turn',
    );
    const count = (): number => records().filter((record) => record.type === 'speech').length;
    client.close();
    return count();
  }

  it('silenceDurationMs: a 400 ms pause splits speech only when silence is set below it', async () => {
    const audio = Buffer.concat([tone(0.6), silence(0.4), tone(0.6), silence(1)]);
    expect(await segments(undefined, audio)).toBe(1);
    expect(await segments({ silenceDurationMs: 300 }, audio)).toBe(2);
  });

  it('prefixPaddingMs: a 100 ms blip starts speech by default but not with 200 ms of padding', async () => {
    const audio = Buffer.concat([tone(0.1), silence(1), tone(0.8), silence(1)]);
    expect(await segments(undefined, audio)).toBe(2);
    expect(await segments({ prefixPaddingMs: 200 }, audio)).toBe(1);
  });

  it('startOfSpeechSensitivity: quiet speech (-45..-40 dBFS) starts only with high sensitivity', async () => {
    const quiet = Buffer.concat([tone(0.8, 300), silence(1)]); // ≈ -43 dBFS RMS
    expect(await segments({ startOfSpeechSensitivity: 'START_SENSITIVITY_LOW' }, quiet)).toBe(0);
    expect(await segments({ startOfSpeechSensitivity: 'START_SENSITIVITY_HIGH' }, quiet)).toBe(1);
  });
});



