import type { IncomingHttpHeaders } from 'node:http';

/**
 * Which Live API endpoint an upgrade request names, and where its credential is. Matched on the
 * path's suffix because the SDK sends `//ws/…` (and `/prefix/ws/…` for a base URL with a path):
 * `new URL('//ws/…', base)` would read `ws` as a host, so the path is never parsed as a URL.
 */
export type KeyParam = 'key' | 'access_token' | 'x-goog-api-key' | 'authorization';

export interface Route {
  api: 'gemini' | 'vertex';
  version: string;
  method: 'BidiGenerateContent' | 'BidiGenerateContentConstrained';
  /** Where the credential must be (the first of these for the error message). */
  keyParam: KeyParam;
  /** The credential, or undefined when absent or empty. Never logged or reported. */
  key: string | undefined;
  /** The request path and query with every credential replaced by REDACTED. */
  redactedPath: string;
}

const GEMINI_PATH = /\/ws\/google\.ai\.generativelanguage\.(v1beta|v1alpha|v1)\.GenerativeService\.(BidiGenerateContent|BidiGenerateContentConstrained)$/;
const VERTEX_PATH = /\/ws\/google\.cloud\.aiplatform\.(v1beta1|v1)\.LlmBidiService\/BidiGenerateContent$/;

function queryParams(query: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    const raw = eq === -1 ? '' : pair.slice(eq + 1);
    let value = raw;
    try {
      value = decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      // A malformed escape is kept raw: the key check only needs to know it is non-empty.
    }
    params.set(name, value);
  }
  return params;
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => (/^(key|access_token)=/i.test(pair) ? pair.replace(/=.*/, '=REDACTED') : pair))
    .join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

/** The request target with credentials masked, for reports and logs of any path. */
export function redactTarget(target: string): string {
  const questionMark = target.indexOf('?');
  return questionMark === -1 ? target : `${target.slice(0, questionMark)}?${redactQuery(target.slice(questionMark + 1))}`;
}

/** Returns the route for a request target (`req.url`), or undefined for any other path (HTTP 404). */
export function matchRoute(target: string, headers: IncomingHttpHeaders): Route | undefined {
  const questionMark = target.indexOf('?');
  const path = questionMark === -1 ? target : target.slice(0, questionMark);
  const query = questionMark === -1 ? '' : target.slice(questionMark + 1);
  const redactedPath = redactTarget(target);
  const gemini = GEMINI_PATH.exec(path);
  if (gemini) {
    const method = gemini[2] === 'BidiGenerateContentConstrained' ? 'BidiGenerateContentConstrained' : 'BidiGenerateContent';
    const keyParam = method === 'BidiGenerateContentConstrained' ? 'access_token' : 'key';
    const key = queryParams(query).get(keyParam);
    return { api: 'gemini', version: gemini[1] ?? 'v1beta', method, keyParam, key: key === '' ? undefined : key, redactedPath };
  }
  const vertex = VERTEX_PATH.exec(path);
  if (vertex) {
    // Express mode puts an API key in x-goog-api-key; ADC puts a bearer token in Authorization.
    const apiKey = headerValue(headers, 'x-goog-api-key');
    const bearer = headerValue(headers, 'authorization')?.replace(/^Bearer\s+/i, '');
    const keyParam: KeyParam = apiKey === undefined && bearer ? 'authorization' : 'x-goog-api-key';
    return {
      api: 'vertex',
      version: vertex[1] ?? 'v1beta1',
      method: 'BidiGenerateContent',
      keyParam,
      key: apiKey ?? (bearer === '' ? undefined : bearer),
      redactedPath,
    };
  }
  return undefined;
}
