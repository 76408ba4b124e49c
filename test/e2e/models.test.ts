import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvents, repoRoot, runCli, stderrBesidesResumeHint } from '../helpers/cli.js';
import { fakeAudioPath } from '../helpers/fake-audio.js';

const work = mkdtempSync(join(tmpdir(), 'live-cli-models-'));
const IMAGE = join(repoRoot, 'test', 'fixtures', 'images', 'test-card.jpg');
const IMAGE_BYTES = readFileSync(IMAGE).length;
let runs = 0;

type Json = Record<string, unknown>;

function report(path: string): Json[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Json);
}

/** chat --json against an in-process simulator: the events, the report, and how it ended. */
async function chat(args: string[], env: Record<string, string | undefined> = {}) {
  const path = join(work, `report-${++runs}.ndjson`);
  const result = await runCli(['chat', `--sim=report=${path}`, '--json', ...args], { env });
  return { ...result, events: result.code === 0 ? parseEvents(result.stdout) : [], report: report(path) };
}

function setupOf(records: Json[]): Json {
  const setup = records.find((record) => record.type === 'setup');
  if (!setup) throw new Error('the simulator saw no setup');
  return setup;
}

describe('the setup the real CLI sends, per model family, as the simulator recorded it', () => {
  it('default gemini-3.8-live: v1beta, no thinking, affective or proactivity fields', async () => {
    const run = await chat(['--text', 'hi', '--proactive']);
    expect(run.code).toBe(0);
    expect(setupOf(run.report)).toMatchObject({
      model: 'models/gemini-3.8-live',
      modality: 'AUDIO',
      apiVersion: 'v1beta',
      thinking: null,
      affective: null,
      proactiveAudio: null,
      languageCode: null,
    });
  });

  it('2.5 native audio: affective and proactive on v1alpha, thinking budget, thought events', async () => {
    const run = await chat([
      '--model', 'gemini-2.5-flash-native-audio-preview-12-2025',
      '--affective', '--proactive', '--thinking-budget', '256', '--show-thoughts', '--text', 'hello',
    ]);
    expect(run.code).toBe(0);
    expect(setupOf(run.report)).toMatchObject({
      apiVersion: 'v1alpha',
      affective: true,
      proactiveAudio: true,
      thinking: { thinkingBudget: 256, includeThoughts: true },
    });
    const thoughts = run.events.filter((event) => event.type === 'thought');
    expect(thoughts.length).toBeGreaterThan(0);
    // Thoughts never leak into the spoken reply's transcript.
    const said = run.events.filter((event) => event.type === 'transcript.output').map((event) => event.text).join('');
    expect(said).toBe('You said: hello');
    expect(run.events.find((event) => event.type === 'usage')).toMatchObject({ thoughtsTokens: expect.any(Number) as number });
  });

  it('3.8 extended thinking: thinkingLevel', async () => {
    const run = await chat(['--model', 'gemini-3.8-live-extended-thinking', '--thinking-level', 'high', '--text', 'hi']);
    expect(run.code).toBe(0);
    expect(setupOf(run.report)).toMatchObject({ apiVersion: 'v1beta', thinking: { thinkingLevel: 'HIGH' } });
  });

  it('half-cascade: TEXT, a language code, VAD tuning and media resolution', async () => {
    const run = await chat([
      '--model', 'gemini-live-2.5-flash-preview', '--modality', 'text', '--language', 'de-DE',
      '--vad-start-sensitivity', 'high', '--vad-end-sensitivity', 'low', '--prefix-padding-ms', '20', '--silence-ms', '700',
      '--activity-handling', 'no-interrupt', '--turn-coverage', 'only-activity', '--media-resolution', 'medium', '--text', 'hi',
    ]);
    expect(run.code).toBe(0);
    expect(setupOf(run.report)).toMatchObject({
      modality: 'TEXT',
      languageCode: 'de-DE',
      vad: { startOfSpeechSensitivity: 'START_SENSITIVITY_HIGH', endOfSpeechSensitivity: 'END_SENSITIVITY_LOW', prefixPaddingMs: 20, silenceDurationMs: 700 },
      activityHandling: 'NO_INTERRUPTION',
      turnCoverage: 'TURN_INCLUDES_ONLY_ACTIVITY',
      mediaResolution: 'MEDIA_RESOLUTION_MEDIUM',
    });
  });
});

describe('impossible combinations are refused before connecting', () => {
  it.each([
    [['--affective'], '--affective is not supported by gemini-3.8-live'],
    [['--no-proactive'], '--no-proactive is not possible with gemini-3.8-live'],
    [['--thinking-budget', '100'], '--thinking-budget is not supported by gemini-3.8-live'],
    [['--show-thoughts'], '--show-thoughts is not supported by gemini-3.8-live'],
    [['--modality', 'text'], 'model gemini-3.8-live is native audio and cannot reply in TEXT'],
    [['--model', 'gemini-2.5-flash-native-audio-preview-12-2025', '--affective', '--api-version', 'v1beta'], 'needs --api-version v1alpha'],
    [['--push-to-talk', '--silence-ms', '300'], '--silence-ms tunes automatic activity detection'],
  ])('%j', async (args, message) => {
    const run = await chat(['--text', 'hi', ...args]);
    expect(run.code).toBe(2);
    const lines = stderrBesidesResumeHint(run.stderr).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(lines[0]).toMatch(/--model \S+|drop|use /);
    // Nothing reached the simulator: no connection was spent on it.
    expect(run.report.filter((record) => record.type === 'connection')).toEqual([]);
  });
});

describe('images and screen frames', () => {
  it('--image goes with the first turn and its tokens show in usage', async () => {
    const run = await chat(['--model', 'gemini-live-2.5-flash-preview', '--modality', 'text', '--image', IMAGE, '--text', 'what is this?']);
    expect(run.code).toBe(0);
    const types = run.events.map((event) => event.type);
    expect(types.indexOf('user.image')).toBeLessThan(types.indexOf('user.text'));
    expect(run.events.find((event) => event.type === 'user.image')).toMatchObject({ name: 'test-card.jpg', mimeType: 'image/jpeg', bytes: IMAGE_BYTES });
    const usage = run.events.find((event) => event.type === 'usage') as { byModality: { prompt: Json } } | undefined;
    expect(usage?.byModality.prompt.IMAGE).toBe(258);
    const frames = run.report.filter((record) => record.type === 'frame');
    expect(frames).toEqual([expect.objectContaining({ mimeType: 'image/jpeg', bytes: IMAGE_BYTES })]);
  });

  it('a bad --image is exit 2 before a key or a connection is needed', async () => {
    for (const path of [join(repoRoot, 'test', 'fixtures', 'images', 'not-an-image.jpg'), join(work, 'missing.png')]) {
      const result = await runCli(['chat', '--image', path, '--text', 'hi', '--json'], { env: { GEMINI_API_KEY: undefined } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--image ${path}:`);
    }
  });

  it('--screen streams ffmpeg JPEG frames at 1 FPS as realtimeInput.video', async () => {
    const argvLog = join(work, 'ffmpeg-argv.ndjson');
    const run = await chat(['--screen', '--input', join(repoRoot, 'test', 'fixtures', 'audio', 'hello-16k.pcm')], {
      PATH: fakeAudioPath(['ffmpeg']),
      FAKE_FFMPEG_FRAMES: '3',
      FAKE_FFMPEG_INTERVAL_MS: '100',
      FAKE_FFMPEG_ARGV_LOG: argvLog,
    });
    expect(run.code).toBe(0);
    const argv = JSON.parse(readFileSync(argvLog, 'utf8').trim()) as string[];
    expect(argv).toEqual(expect.arrayContaining(['x11grab', 'image2pipe', 'mjpeg']));
    expect(argv.join(' ')).toContain('fps=1');
    // The fake writes each JPEG cut inside its markers: every frame still arrives whole.
    const frames = run.report.filter((record) => record.type === 'frame');
    expect(frames).toHaveLength(3);
    for (const frame of frames) expect(frame).toMatchObject({ mimeType: 'image/jpeg', bytes: IMAGE_BYTES });
  });

  it('--camera without ffmpeg is exit 5 naming the package', async () => {
    const result = await runCli(['chat', '--sim', '--camera', '--text', 'hi'], { env: { PATH: fakeAudioPath([]) } });
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/--camera needs ffmpeg, which is not on the PATH: install it \(Debian\/Ubuntu: sudo apt install ffmpeg/);
  });
});

describe('models and voices', () => {
  it('live-cli models lists the capability table, the default marked', async () => {
    const json = await runCli(['models', '--json']);
    expect(json.code).toBe(0);
    const models = parseEvents(json.stdout);
    expect(models.find((model) => model.default === true)).toMatchObject({ name: 'gemini-3.8-live', status: 'stable', proactive: 'always', thinking: 'none' });
    expect(models.find((model) => model.name === 'gemini-2.5-flash-native-audio-preview-12-2025')).toMatchObject({ affective: 'v1alpha', thinking: 'budget' });
    const text = await runCli(['models']);
    expect(text.stdout).toMatch(/^gemini-3\.8-live \(default\)\s+stable\s+native audio · AUDIO out · thinking none/m);
  });

  it('live-cli voices lists the voices with a description', async () => {
    const json = await runCli(['voices', '--json']);
    const voices = parseEvents(json.stdout);
    expect(voices.length).toBe(30);
    expect(voices.find((voice) => voice.name === 'Kore')).toMatchObject({ description: 'firm', halfCascade: true });
    const text = await runCli(['voices']);
    expect(text.stdout).toMatch(/^Sulafat\s+warm \(native audio only\)$/m);
  });
});
