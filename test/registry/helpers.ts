import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Runtime } from '../../src/cli/runtime.js';
import { createLineWriter } from '../../src/output/stdout.js';
import { openRegistry, type SessionRegistry } from '../../src/registry/store.js';

/** A registry in a fresh temp `XDG_STATE_HOME`. */
export function tempRegistry(): { registry: SessionRegistry; env: NodeJS.ProcessEnv; stateHome: string } {
  const stateHome = mkdtempSync(join(tmpdir(), 'live-cli-registry-'));
  const env = { XDG_STATE_HOME: stateHome, HOME: '/nonexistent' };
  return { registry: openRegistry(env), env, stateHome };
}

/** Every file under `dir` (recursively) with its contents. */
export function allFiles(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path, text: readFileSync(path, 'utf8') };
    });
}

/** A Runtime whose stdout and stderr are collected as strings. */
export function captureRuntime(): { runtime: Runtime; stdout: () => string; stderr: () => string } {
  const collect = (): { stream: PassThrough; text: () => string } => {
    const stream = new PassThrough();
    let text = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    return { stream, text: () => text };
  };
  const out = collect();
  const err = collect();
  const runtime: Runtime = {
    stdout: createLineWriter(out.stream, () => undefined),
    stderr: createLineWriter(err.stream, () => undefined),
    shutdown: new AbortController(),
    signal: undefined,
  };
  return { runtime, stdout: out.text, stderr: err.text };
}

export const HOUR = 60 * 60 * 1000;
