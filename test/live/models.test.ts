import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, LIVE_MODELS, bareModelName, lookupModel } from '../../src/live/models.js';

describe('model catalogue', () => {
  it('knows the default native-audio model', () => {
    const model = lookupModel(DEFAULT_MODEL);
    expect(model).toMatchObject({
      known: true,
      nativeAudio: true,
      textOutput: false,
      contextWindow: 128_000,
      inputRate: 16_000,
      outputRate: 24_000,
    });
  });

  it.each([
    ['gemini-2.5-flash-native-audio-preview-09-2025', true],
    ['gemini-live-2.5-flash-preview', false],
    ['gemini-2.0-flash-live-001', false],
    ['gemini-live-2.5-flash', false],
  ])('knows %s (native audio: %s)', (name, native) => {
    const model = lookupModel(name);
    expect(model.known).toBe(true);
    expect(model.nativeAudio).toBe(native);
    expect(model.textOutput).toBe(!native);
    expect(model.contextWindow).toBe(native ? 128_000 : 32_000);
  });

  it('marks the Vertex GA model as Vertex-only', () => {
    expect(lookupModel('gemini-live-2.5-flash').vertexOnly).toBe(true);
  });

  it('accepts prefixed names and keeps the name as given', () => {
    const model = lookupModel('models/gemini-live-2.5-flash-preview');
    expect(model).toMatchObject({ known: true, name: 'models/gemini-live-2.5-flash-preview', textOutput: true });
    expect(bareModelName('publishers/google/models/x')).toBe('x');
  });

  it('guesses unknown models from the name', () => {
    expect(lookupModel('gemini-3.1-flash-native-audio-preview')).toMatchObject({ known: false, nativeAudio: true, textOutput: false, contextWindow: 128_000 });
    expect(lookupModel('gemini-9-live')).toMatchObject({ known: false, nativeAudio: false, textOutput: true, contextWindow: 32_000 });
  });

  it('has no duplicate names', () => {
    const names = LIVE_MODELS.map((model) => model.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
