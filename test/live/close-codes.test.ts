import { describe, expect, it } from 'vitest';
import { registerSecret } from '../../src/core/redact.js';
import { closeError, describeClose, describeNetworkError, describeSetupTimeout } from '../../src/live/close-codes.js';

const KEY = 'fake-close-codes-key-000111222';
registerSecret(KEY);

describe('describeClose', () => {
  it('1008 about the key → auth, exit 3, fatal', () => {
    const description = describeClose(1008, 'API key not valid. Please pass a valid API key.', 'setup');
    expect(description).toMatchObject({ code: 'auth', exitCode: 3, fatal: true, quota: false });
    expect(description.message).toBe(
      'the API key was rejected (close 1008: API key not valid. Please pass a valid API key.): check GEMINI_API_KEY (or GOOGLE_API_KEY)',
    );
  });

  it('1008 about permission → auth', () => {
    expect(describeClose(1008, 'The caller does not have permission', 'session').exitCode).toBe(3);
  });

  it('1008 naming a model → usage, exit 2, naming the model and --model', () => {
    const description = describeClose(1008, 'models/foo is not found for API version v1beta, or is not supported for bidiGenerateContent.', 'setup', { model: 'foo' });
    expect(description).toMatchObject({ code: 'usage', exitCode: 2, fatal: true });
    expect(description.message).toMatch(/^the endpoint rejected model foo \(close 1008: models\/foo is not found.*\): pick one this endpoint serves with --model$/);
  });

  it('1008 "operation not supported" → usage', () => {
    const description = describeClose(1008, 'Operation is not implemented, or supported, or enabled.', 'setup', { model: 'm' });
    expect(description.exitCode).toBe(2);
    // Not the model's fault (issue 11): the message must not say the model was rejected.
    expect(description.message).toMatch(/does not support something this session asked for/);
    expect(description.message).not.toMatch(/rejected model/);
  });

  it('1008 "session not found" → resumption handle rejected, exit 4, fatal', () => {
    const description = describeClose(1008, 'session not found', 'setup');
    expect(description).toMatchObject({ code: 'protocol', exitCode: 4, fatal: true });
    expect(description.message).toMatch(/resumption handle.*session not found/);
  });

  it('1008 with another reason is still fatal', () => {
    expect(describeClose(1008, 'policy', 'session')).toMatchObject({ exitCode: 4, fatal: true });
  });

  it('1007 → protocol, fatal, exit 4, with the reason', () => {
    const description = describeClose(1007, 'Request contains an invalid argument.', 'session');
    expect(description).toMatchObject({ code: 'protocol', exitCode: 4, fatal: true });
    expect(description.message).toBe('the service refused the request as invalid (close 1007: Request contains an invalid argument.)');
  });

  it('1007 for TEXT from a native-audio model says what to do', () => {
    expect(describeClose(1007, 'Cannot extract voices from a non-audio request.', 'setup').message).toMatch(/use --modality audio$/);
  });

  it.each([
    [1011, 'RESOURCE_EXHAUSTED'],
    [1008, 'You exceeded your current quota'],
    [1011, 'HTTP 429 Too Many Requests'],
  ])('%i "%s" → quota, exit 6, retryable', (code, reason) => {
    expect(describeClose(code, reason, 'session')).toMatchObject({ code: 'quota', exitCode: 6, fatal: false, quota: true });
  });

  it.each([
    [1011, 'Internal error encountered.', /internal error during the session/],
    [1006, '', /dropped without a close frame during the session \(close 1006\)/],
    [1001, 'going away', /went away/],
    [1000, '', /closed the connection without being asked/],
    [1005, '', /without being asked/],
    [4000, 'custom', /closed unexpectedly/],
  ])('%i → protocol, retryable, exit 4', (code, reason, message) => {
    const description = describeClose(code, reason, 'session');
    expect(description).toMatchObject({ code: 'protocol', exitCode: 4, fatal: false, quota: false });
    expect(description.message).toMatch(message);
  });

  it('says when it happened', () => {
    expect(describeClose(1011, 'x', 'setup').message).toMatch(/while setting up the session/);
  });

  it('redacts the reason and keeps it on one line', () => {
    const description = describeClose(1008, `API key not valid: ${KEY}\nsee ?key=${KEY}`, 'setup');
    expect(description.message).not.toContain(KEY);
    expect(description.message).not.toContain('\n');
  });
});

describe('describeNetworkError / describeSetupTimeout', () => {
  it('ECONNREFUSED → protocol, retryable, naming the endpoint', () => {
    const description = describeNetworkError('connect ECONNREFUSED 127.0.0.1:9', 'http://127.0.0.1:9/');
    expect(description).toMatchObject({ code: 'protocol', exitCode: 4, fatal: false });
    expect(description.message).toBe('could not connect to http://127.0.0.1:9/ (connect ECONNREFUSED 127.0.0.1:9): check --endpoint and the network');
  });

  it('HTTP 403 on upgrade → auth; 404 → usage; 429 → quota', () => {
    expect(describeNetworkError('Unexpected server response: 403', undefined).exitCode).toBe(3);
    expect(describeNetworkError('Unexpected server response: 404', undefined).exitCode).toBe(2);
    expect(describeNetworkError('Unexpected server response: 429', undefined).exitCode).toBe(6);
  });

  it('setup timeout → timeout, exit 4, fatal, saying how long it waited', () => {
    const description = describeSetupTimeout(15_000);
    expect(description).toMatchObject({ code: 'timeout', exitCode: 4, fatal: true });
    expect(description.message).toBe('no answer to the session setup after 15 s: check --endpoint and the network, or raise --connect-timeout');
  });

  it('closeError carries code, exit code and close code', () => {
    const error = closeError(describeClose(1008, 'API key not valid', 'setup'), 1008);
    expect(error).toMatchObject({ code: 'auth', exitCode: 3, closeCode: 1008 });
  });
});
