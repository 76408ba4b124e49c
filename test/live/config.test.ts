import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { redact } from '../../src/core/redact.js';
import {
  SIM_API_KEY,
  configFilePath,
  loadConfigFile,
  parseCompression,
  resolveLiveConfig,
} from '../../src/live/config.js';
import type { RawLiveOptions } from '../../src/live/types.js';

const GEMINI = 'fake-gemini-key-aaaaaaaaaaaaaaaa';
const GOOGLE = 'fake-google-key-bbbbbbbbbbbbbbbb';
const KEY_ENV = { GEMINI_API_KEY: GEMINI };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'live-cli-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function usageError(flags: RawLiveOptions, env: Record<string, string> = KEY_ENV, file: Record<string, unknown> = {}): string {
  try {
    resolveLiveConfig(flags, env, file);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    const cliError = error as CliError;
    expect(cliError.exitCode).toBe(2);
    expect(cliError.message).not.toContain('\n');
    expect(cliError.message).not.toContain(GEMINI);
    return cliError.message;
  }
  throw new Error('expected a usage error');
}

describe('loadConfigFile', () => {
  it('reads $XDG_CONFIG_HOME/live-cli/config.json', () => {
    mkdirSync(join(dir, 'live-cli'));
    writeFileSync(join(dir, 'live-cli', 'config.json'), '{"model": "m", "voice": "Kore"}');
    expect(loadConfigFile({ XDG_CONFIG_HOME: dir })).toEqual({ model: 'm', voice: 'Kore' });
  });

  it('falls back to ~/.config and treats a missing file as empty', () => {
    expect(configFilePath({ HOME: dir, XDG_CONFIG_HOME: '' })).toBe(join(dir, '.config', 'live-cli', 'config.json'));
    expect(loadConfigFile({ HOME: dir })).toEqual({});
  });

  it('names the file and the problem for invalid JSON', () => {
    mkdirSync(join(dir, 'live-cli'));
    const path = join(dir, 'live-cli', 'config.json');
    writeFileSync(path, '{"model": ');
    expect(() => loadConfigFile({ XDG_CONFIG_HOME: dir })).toThrow(CliError);
    try {
      loadConfigFile({ XDG_CONFIG_HOME: dir });
    } catch (error) {
      expect((error as CliError).exitCode).toBe(2);
      expect((error as CliError).message).toMatch(new RegExp(`^the config file ${path} is not valid JSON \\(.+\\): fix or remove it$`));
    }
  });

  it('refuses JSON that is not an object', () => {
    mkdirSync(join(dir, 'live-cli'));
    writeFileSync(join(dir, 'live-cli', 'config.json'), '[1]');
    expect(() => loadConfigFile({ XDG_CONFIG_HOME: dir })).toThrow(/must hold a JSON object/);
  });
});

describe('resolveLiveConfig: defaults and precedence', () => {
  it('has the contract defaults', () => {
    const { config, warnings } = resolveLiveConfig({}, KEY_ENV, {});
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      model: 'gemini-3.8-live',
      nativeAudio: true,
      modality: 'audio',
      apiVersion: 'v1beta',
      vertex: false,
      apiKey: GEMINI,
      ephemeralToken: false,
      connectTimeoutMs: 15_000,
      compression: { triggerTokens: 25_600, targetTokens: 12_800 },
      inputTranscription: true,
      outputTranscription: true,
      automaticActivityDetection: true,
      contextWindowTokens: 128_000,
    });
    expect(config.endpoint).toBeUndefined();
  });

  it('flags > env > file > default for the model and endpoint', () => {
    const file = { model: 'gemini-2.0-flash-live-001', endpoint: 'http://file:1' };
    const env = { ...KEY_ENV, LIVE_CLI_MODEL: 'gemini-live-2.5-flash-preview', LIVE_CLI_ENDPOINT: 'http://env:2' };
    expect(resolveLiveConfig({}, KEY_ENV, file).config).toMatchObject({ model: 'gemini-2.0-flash-live-001', endpoint: 'http://file:1/' });
    expect(resolveLiveConfig({}, env, file).config).toMatchObject({ model: 'gemini-live-2.5-flash-preview', endpoint: 'http://env:2/' });
    expect(resolveLiveConfig({ model: 'gemini-2.5-flash-native-audio-preview-09-2025', endpoint: 'http://flag:3' }, env, file).config).toMatchObject({
      model: 'gemini-2.5-flash-native-audio-preview-09-2025',
      endpoint: 'http://flag:3/',
    });
  });

  it('treats empty env values as unset', () => {
    expect(resolveLiveConfig({}, { ...KEY_ENV, LIVE_CLI_MODEL: '', GOOGLE_API_KEY: '' }, {}).config.model).toBe(
      'gemini-3.8-live',
    );
  });

  it('reads other options from the file, below flags', () => {
    const file = { voice: 'Puck', temperature: 1.5, connectTimeout: 3, compression: 'off', pushToTalk: true, system: 'file system' };
    const { config } = resolveLiveConfig({ voice: 'Kore' }, KEY_ENV, file);
    expect(config).toMatchObject({ voice: 'Kore', temperature: 1.5, connectTimeoutMs: 3_000, systemInstruction: 'file system', automaticActivityDetection: false });
    expect(config.compression).toBeUndefined();
  });

  it('names a config file key of the wrong type', () => {
    expect(usageError({}, KEY_ENV, { model: 42 })).toBe('config file key "model" must be a string: fix it in the config file');
  });

  it('warns about an unknown model and guesses from its name', () => {
    const unknown = resolveLiveConfig({ model: 'gemini-4-live' }, KEY_ENV, {});
    expect(unknown.config.nativeAudio).toBe(false);
    expect(unknown.warnings).toEqual(["model gemini-4-live is not in live-cli's catalogue; treating it as half-cascade (TEXT output allowed)"]);
    const native = resolveLiveConfig({ model: 'gemini-4-native-audio' }, KEY_ENV, {});
    expect(native.config.nativeAudio).toBe(true);
    expect(native.warnings[0]).toMatch(/treating it as native audio/);
  });

  it('text modality: no default compression, no output transcription', () => {
    const { config } = resolveLiveConfig({ modality: 'text', model: 'gemini-live-2.5-flash-preview' }, KEY_ENV, {});
    expect(config.compression).toBeUndefined();
    expect(config.outputTranscription).toBe(false);
    expect(config.contextWindowTokens).toBe(32_000);
  });

  it('normalises ws:// endpoints to http:// (the SDK would turn ws: into wss:)', () => {
    expect(resolveLiveConfig({ endpoint: 'ws://127.0.0.1:9000' }, KEY_ENV, {}).config.endpoint).toBe('http://127.0.0.1:9000/');
    expect(resolveLiveConfig({ endpoint: 'wss://example.com/p' }, KEY_ENV, {}).config.endpoint).toBe('https://example.com/p');
  });
});

describe('resolveLiveConfig: keys', () => {
  it('GOOGLE_API_KEY wins over GEMINI_API_KEY, with a warning naming neither key', () => {
    const { config, warnings } = resolveLiveConfig({}, { GEMINI_API_KEY: GEMINI, GOOGLE_API_KEY: GOOGLE }, {});
    expect(config.apiKey).toBe(GOOGLE);
    expect(warnings).toEqual(['both GOOGLE_API_KEY and GEMINI_API_KEY are set; using GOOGLE_API_KEY']);
    expect(warnings.join()).not.toContain(GEMINI);
    expect(warnings.join()).not.toContain(GOOGLE);
  });

  it('registers both keys as secrets', () => {
    resolveLiveConfig({}, { GEMINI_API_KEY: GEMINI, GOOGLE_API_KEY: GOOGLE }, {});
    expect(redact(`${GEMINI} ${GOOGLE}`)).toBe('*** ***');
  });

  it('no key → auth error (exit 3) suggesting --sim', () => {
    try {
      resolveLiveConfig({}, {}, {});
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toMatchObject({ code: 'auth', exitCode: 3 });
      expect((error as Error).message).toBe('no API key: set GEMINI_API_KEY (or GOOGLE_API_KEY), or try it offline with --sim');
    }
  });

  it('--sim needs no key, uses the simulator endpoint and never sends the real key', () => {
    const bare = resolveLiveConfig({}, {}, {}, { sim: true, endpoint: 'http://127.0.0.1:4321' });
    expect(bare.config).toMatchObject({ apiKey: SIM_API_KEY, endpoint: 'http://127.0.0.1:4321/' });
    const withKey = resolveLiveConfig({}, { ...KEY_ENV, LIVE_CLI_ENDPOINT: 'http://elsewhere:1' }, {}, { sim: true, endpoint: 'http://127.0.0.1:4321' });
    expect(withKey.config).toMatchObject({ apiKey: SIM_API_KEY, endpoint: 'http://127.0.0.1:4321/' });
  });

  it('--sim with --endpoint is a usage error', () => {
    expect(() => resolveLiveConfig({ endpoint: 'http://x:1' }, {}, {}, { sim: true, endpoint: 'http://127.0.0.1:1' })).toThrow(/drop --endpoint/);
  });

  it('an auth_tokens/ key is an ephemeral token on v1alpha', () => {
    const { config, warnings } = resolveLiveConfig({}, { GEMINI_API_KEY: 'auth_tokens/abc123' }, {});
    expect(config).toMatchObject({ ephemeralToken: true, apiVersion: 'v1alpha' });
    expect(warnings).toEqual([]);
    const explicit = resolveLiveConfig({ apiVersion: 'v1beta' }, { GEMINI_API_KEY: 'auth_tokens/abc123' }, {});
    expect(explicit.warnings[0]).toMatch(/v1alpha only/);
  });

  it('--api-version overrides the default', () => {
    expect(resolveLiveConfig({ apiVersion: 'v1alpha' }, KEY_ENV, {}).config.apiVersion).toBe('v1alpha');
  });
});

describe('resolveLiveConfig: Vertex', () => {
  it('--vertex with a key is express mode (no project/location, v1beta1)', () => {
    const { config } = resolveLiveConfig({ vertex: true }, { ...KEY_ENV, GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_LOCATION: 'us-central1' }, {});
    expect(config).toMatchObject({ vertex: true, apiKey: GEMINI, apiVersion: 'v1beta1' });
    expect(config.project).toBeUndefined();
  });

  it('GOOGLE_GENAI_USE_VERTEXAI=true without a key uses ADC with project and location', () => {
    const { config } = resolveLiveConfig({}, { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'proj', GOOGLE_CLOUD_LOCATION: 'europe-west4' }, {});
    expect(config).toMatchObject({ vertex: true, project: 'proj', location: 'europe-west4' });
    expect(config.apiKey).toBeUndefined();
  });

  it('Vertex without a key needs project and location', () => {
    expect(usageError({ vertex: true, project: 'p' }, {})).toMatch(/--project and --location .* GEMINI_API_KEY for express mode/);
  });

  it('flags override the env', () => {
    const { config } = resolveLiveConfig({ project: 'flag-p', location: 'us' }, { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'env-p', GOOGLE_CLOUD_LOCATION: 'eu' }, {});
    expect(config).toMatchObject({ project: 'flag-p', location: 'us' });
  });
});

describe('resolveLiveConfig: validation messages', () => {
  it('--modality', () => {
    expect(usageError({ modality: 'video' })).toBe('--modality must be audio or text, not "video"');
  });

  it('--modality text with a native-audio model, before connecting', () => {
    expect(usageError({ modality: 'text' })).toBe(
      'model gemini-3.8-live is native audio and cannot reply in TEXT; use --modality audio or --model gemini-live-2.5-flash-preview',
    );
  });

  it('--temperature', () => {
    expect(usageError({ temperature: '3' })).toBe('--temperature must be between 0 and 2, not 3');
    expect(usageError({ temperature: 'hot' })).toBe('--temperature must be a number, not "hot"');
    expect(resolveLiveConfig({ temperature: '0' }, KEY_ENV, {}).config.temperature).toBe(0);
  });

  it('--connect-timeout', () => {
    expect(usageError({ connectTimeout: '0' })).toBe('--connect-timeout must be more than 0 seconds, not 0');
    expect(usageError({ connectTimeout: 'soon' })).toBe('--connect-timeout must be a number of seconds, not "soon"');
    expect(resolveLiveConfig({ connectTimeout: '2.5' }, KEY_ENV, {}).config.connectTimeoutMs).toBe(2_500);
  });

  it('--compression', () => {
    expect(parseCompression('off')).toBeUndefined();
    expect(parseCompression('20000')).toEqual({ triggerTokens: 20_000 });
    expect(parseCompression('20000:1000')).toEqual({ triggerTokens: 20_000, targetTokens: 1_000 });
    expect(usageError({ compression: 'lots' })).toMatch(/^--compression "lots" is not TRIGGER\[:TARGET\] or off: use --compression/);
    expect(usageError({ compression: '4999' })).toMatch(/^--compression trigger must be between 5000 and 128000 tokens, not 4999/);
    expect(usageError({ compression: '128001' })).toMatch(/not 128001/);
    expect(usageError({ compression: '10000:10000' })).toMatch(/^--compression target \(10000\) must be below the trigger \(10000\)/);
  });

  it('--system TEXT and @FILE', () => {
    const path = join(dir, 'system.txt');
    writeFileSync(path, 'You are terse.\n');
    expect(resolveLiveConfig({ system: 'Be kind.' }, KEY_ENV, {}).config.systemInstruction).toBe('Be kind.');
    expect(resolveLiveConfig({ system: `@${path}` }, KEY_ENV, {}).config.systemInstruction).toBe('You are terse.\n');
    const missing = join(dir, 'nope.txt');
    expect(usageError({ system: `@${missing}` })).toBe(`cannot read the system instruction file ${missing}: no such file`);
  });

  it('--endpoint', () => {
    expect(usageError({ endpoint: 'not a url' })).toMatch(/^--endpoint "not a url" is not a URL/);
    expect(usageError({ endpoint: 'ftp://x' })).toMatch(/must be an http\(s\) or ws\(s\) URL/);
  });

  it('warns that --voice does nothing in TEXT', () => {
    const { warnings } = resolveLiveConfig({ voice: 'Kore', modality: 'text', model: 'gemini-live-2.5-flash-preview' }, KEY_ENV, {});
    expect(warnings).toEqual(['--voice has no effect with --modality text']);
  });
});

describe('resolveLiveConfig: Vertex-only models', () => {
  it('warns when a Vertex-only model is used on the Gemini API', () => {
    expect(resolveLiveConfig({ model: 'gemini-live-2.5-flash' }, KEY_ENV, {}).warnings).toEqual([
      'model gemini-live-2.5-flash is served by Vertex AI only; add --vertex (and a project, or an API key for express mode)',
    ]);
    expect(resolveLiveConfig({ model: 'gemini-live-2.5-flash', vertex: true }, KEY_ENV, {}).warnings).toEqual([]);
  });
});
