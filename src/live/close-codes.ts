/**
 * Turns the ways a Live connection ends into one sentence a user can act on, plus the decision
 * the caller needs: which error code and exit code, whether retrying could help (`fatal`), and
 * whether it is a rate limit (retried with a longer backoff). The rules are the contract's
 * "Connection failures" section; the reasons seen in the field are in LIVE-PROTOCOL.md.
 */
import type { ErrorCode } from '../core/events.js';
import { type ExitCodeValue, CliError, exitCodeFor } from '../core/errors.js';
import { redact } from '../core/redact.js';

export type ConnectionPhase = 'setup' | 'session';

export interface CloseDescription {
  code: ErrorCode;
  exitCode: ExitCodeValue;
  /** True when retrying cannot help (bad key, bad model, invalid request). */
  fatal: boolean;
  /** True for rate limits: retried, but with a longer backoff; exit 6 when the budget runs out. */
  quota: boolean;
  message: string;
}

export interface CloseContext {
  /** Names the model in "model rejected" messages. */
  model?: string;
}

const QUOTA = /RESOURCE_EXHAUSTED|quota|\b429\b|rate.?limit/i;
const KEY = /api.?key|\bkey\b|permission|unauthori[sz]ed|unauthenticated|credential|access.?token|auth_token/i;
const SESSION_NOT_FOUND = /session not found/i;
const MODEL = /model|not found|not supported|unsupported|not implemented|not enabled/i;
const NON_AUDIO = /non-audio request/i;
/** The service's words for a method or setup field this endpoint lacks (not about the model). */
const OPERATION = /operation is not (implemented|supported|enabled)|not implemented, or supported/i;

function describe(code: ErrorCode, fatal: boolean, message: string, quota = false): CloseDescription {
  return { code, exitCode: exitCodeFor(code), fatal, quota, message };
}

/** ` (code 1011: reason)` — the server's words, redacted, so a user can search for them. */
function detail(code: number, reason: string): string {
  const clean = redact(reason.replace(/\s+/g, ' ').trim());
  return clean ? ` (close ${code}: ${clean})` : ` (close ${code})`;
}

function where(phase: ConnectionPhase): string {
  return phase === 'setup' ? 'while setting up the session' : 'during the session';
}

/**
 * Describes a WebSocket close. `phase` says whether setupComplete had arrived: a close during
 * setup gets the same classification but says when it happened.
 */
export function describeClose(
  code: number,
  reason: string,
  phase: ConnectionPhase,
  context: CloseContext = {},
): CloseDescription {
  const said = detail(code, reason);
  // A rate limit can arrive under several close codes (1011 in the field, 1008 sometimes): the
  // reason decides, and it is never fatal: waiting helps.
  if (QUOTA.test(reason)) {
    return describe(
      'quota',
      false,
      `the service is rate limiting this key${said}: wait a minute and retry, or check the project's Live API quota`,
      true,
    );
  }
  switch (code) {
    case 1008:
      if (SESSION_NOT_FOUND.test(reason)) {
        return describe(
          'protocol',
          true,
          `the service refused the resumption handle${said}: the session has expired or was replaced; start a new session`,
        );
      }
      if (KEY.test(reason)) {
        return describe(
          'auth',
          true,
          `the API key was rejected${said}: check GEMINI_API_KEY (or GOOGLE_API_KEY)`,
        );
      }
      if (OPERATION.test(reason) && !/\bmodels?\b/i.test(reason)) {
        return describe(
          'usage',
          true,
          `the endpoint does not support something this session asked for${said}: a setup option (e.g. --compression, a tool, transparent resumption) or this --api-version; try --api-version v1alpha or fewer options`,
        );
      }
      if (MODEL.test(reason)) {
        const model = context.model ? `model ${context.model}` : 'the model';
        return describe(
          'usage',
          true,
          `the endpoint rejected ${model}${said}: pick one this endpoint serves with --model`,
        );
      }
      return describe('protocol', true, `the service refused the session for a policy reason${said}`);
    case 1007: {
      const hint = NON_AUDIO.test(reason) ? ': this model only replies with audio; use --modality audio' : '';
      return describe('protocol', true, `the service refused the request as invalid${said}${hint}`);
    }
    case 1011:
      return describe(
        'protocol',
        false,
        `the service ended the connection with an internal error ${where(phase)}${said}`,
      );
    case 1006:
      return describe(
        'protocol',
        false,
        `the connection dropped without a close frame ${where(phase)}${said}: a network problem or the service went away`,
      );
    case 1001:
      return describe('protocol', false, `the service went away ${where(phase)}${said}`);
    case 1000:
    case 1005:
      return describe('protocol', false, `the service closed the connection without being asked ${where(phase)}${said}`);
    default:
      return describe('protocol', false, `the connection closed unexpectedly ${where(phase)}${said}`);
  }
}

/**
 * Describes a failure to reach the endpoint at all (ECONNREFUSED, DNS, TLS, an HTTP status on
 * the upgrade). Network errors are retryable; an HTTP 401/403 on the upgrade is a credential
 * problem and 404 a wrong endpoint or API version, both fatal.
 */
export function describeNetworkError(errorMessage: string, endpoint: string | undefined): CloseDescription {
  const said = redact(errorMessage.replace(/\s+/g, ' ').trim()) || 'unknown network error';
  const target = endpoint ? redact(endpoint) : 'the Live API';
  const status = /Unexpected server response: (\d{3})/.exec(errorMessage)?.[1];
  if (status === '401' || status === '403') {
    return describe('auth', true, `${target} refused the connection with HTTP ${status}: check GEMINI_API_KEY (or GOOGLE_API_KEY)`);
  }
  if (status === '429') {
    return describe('quota', false, `${target} is rate limiting this key (HTTP 429): wait a minute and retry`, true);
  }
  if (status === '404') {
    return describe('usage', true, `${target} has no Live API at this address (HTTP 404): check --endpoint and --api-version`);
  }
  return describe('protocol', false, `could not connect to ${target} (${said}): check --endpoint and the network`);
}

/** The connection opened (or not) but setupComplete never came within the connect timeout. */
export function describeSetupTimeout(timeoutMs: number): CloseDescription {
  const seconds = Math.round(timeoutMs / 100) / 10;
  return describe(
    'timeout',
    true,
    `no answer to the session setup after ${seconds} s: check --endpoint and the network, or raise --connect-timeout`,
  );
}

export function closeError(description: CloseDescription, closeCode?: number): CliError {
  return new CliError(description.code, description.message, {
    exitCode: description.exitCode,
    ...(closeCode === undefined ? {} : { closeCode }),
  });
}
