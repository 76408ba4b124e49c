import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../src/sim/routes.js';

const GEMINI = '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';

describe('matchRoute', () => {
  it('matches the SDK double slash and a base-URL path prefix, never reading ws as a host', () => {
    for (const prefix of ['', '/', '/p', '/a/b/']) {
      const route = matchRoute(`${prefix}${GEMINI}?key=abc123`, {});
      expect(route).toMatchObject({ api: 'gemini', version: 'v1beta', keyParam: 'key', key: 'abc123' });
    }
  });

  it('reads access_token for the constrained method and redacts credentials', () => {
    const route = matchRoute('//ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained?access_token=auth_tokens/xyz&alt=1', {});
    expect(route).toMatchObject({ method: 'BidiGenerateContentConstrained', keyParam: 'access_token', key: 'auth_tokens/xyz', version: 'v1alpha' });
    expect(route?.redactedPath).toBe('//ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained?access_token=REDACTED&alt=1');
    // The constrained method wants access_token: a key= does not count.
    expect(matchRoute('/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained?key=k', {})?.key).toBeUndefined();
  });

  it('takes the Vertex key from x-goog-api-key', () => {
    const route = matchRoute('//ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent', { 'x-goog-api-key': 'vk-1' });
    expect(route).toMatchObject({ api: 'vertex', keyParam: 'x-goog-api-key', key: 'vk-1' });
    expect(matchRoute('//ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent', {})?.key).toBeUndefined();
  });

  it('refuses other paths', () => {
    expect(matchRoute('/ws/google.ai.generativelanguage.v2.GenerativeService.BidiGenerateContent?key=k', {})).toBeUndefined();
    expect(matchRoute(`${GEMINI}/extra?key=k`, {})).toBeUndefined();
    expect(matchRoute('/', {})).toBeUndefined();
  });
});
