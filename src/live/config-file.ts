/**
 * The optional user config file, `$XDG_CONFIG_HOME/live-cli/config.json` (falling back to
 * `~/.config/live-cli/config.json`). Keys are long option names in camelCase; it sits below flags
 * and env in precedence (contract: Common options).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../core/errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** An env value, with empty and blank strings treated as unset (test runners and shells set `VAR=`). */
export function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function configFilePath(env: Env): string {
  const base = envValue(env, 'XDG_CONFIG_HOME') ?? join(envValue(env, 'HOME') ?? homedir(), '.config');
  return join(base, 'live-cli', 'config.json');
}

/** Reads the config file: missing = `{}`; unreadable or not a JSON object = a usage error naming it. */
export function loadConfigFile(env: Env): Record<string, unknown> {
  const path = configFilePath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return {};
    throw new CliError('usage', `cannot read the config file ${path}: ${errnoText(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const problem = error instanceof Error ? error.message.split('\n')[0] : 'invalid JSON';
    throw new CliError('usage', `the config file ${path} is not valid JSON (${problem}): fix or remove it`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError('usage', `the config file ${path} must hold a JSON object such as {"model": "…"}: fix or remove it`);
  }
  return parsed as Record<string, unknown>;
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

export function errnoText(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? error.message;
}

/**
 * Every key the config file may hold (long option names in camelCase). A key outside this list is
 * most likely a typo that silently does nothing, so it earns a warning naming it. Add a key here
 * when an option learns to read it from the file (test/live/config-file.test.ts checks the reads).
 */
export const CONFIG_FILE_KEYS: readonly string[] = [
  'model',
  'modality',
  'voice',
  'system',
  'temperature',
  'connectTimeout',
  'compression',
  'pushToTalk',
  'endpoint',
  'vertex',
  'project',
  'location',
  'apiVersion',
  // src/live/features.ts: model capabilities (native audio, thinking, VAD, media).
  'affective',
  'proactive',
  'thinkingBudget',
  'thinkingLevel',
  'showThoughts',
  'vadStartSensitivity',
  'vadEndSensitivity',
  'prefixPaddingMs',
  'silenceMs',
  'activityHandling',
  'turnCoverage',
  'mediaResolution',
  'language',
  // src/tools/servers.ts: MCP servers, in gemini-cli's shape.
  'mcpServers',
];

/** One warning per key the file holds that live-cli does not read, with the nearest known key. */
export function unknownConfigKeyWarnings(file: Record<string, unknown>, env: Env): string[] {
  const path = configFilePath(env);
  return Object.keys(file)
    .filter((key) => !CONFIG_FILE_KEYS.includes(key))
    .map((key) => {
      const near = nearestKey(key);
      return `config file key "${key}" is not an option live-cli reads${near ? ` (did you mean "${near}"?)` : ''}; it is ignored (${path})`;
    });
}

function nearestKey(key: string): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const known of CONFIG_FILE_KEYS) {
    const distance = editDistance(key.toLowerCase(), known.toLowerCase());
    if (!best || distance < best.distance) best = { key: known, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

/** Levenshtein distance: small inputs (option names), so the plain table is fine. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
