// A key a server echoes back (the simulator repeats what it is told) never reaches stdout, in
// either its plain or its URL-encoded form, whole or split across transcript pieces; and what we
// serialise stays bounded whatever the server sends.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerSecret, StreamRedactor } from '../../src/core/redact.js';
import type { LiveEvent } from '../../src/core/events.js';
import { MAX_EVENT_DEPTH, MAX_EVENT_STRING, serializeEvent } from '../../src/output/ndjson.js';
import { parseEvents, runCli } from '../helpers/cli.js';

const KEY = 'k+y/Secret=9f3e1d7c5b';
const ENCODED = encodeURIComponent(KEY);

describe('StreamRedactor', () => {
  registerSecret(KEY);

  it('masks a secret split across pieces, holding back only a tail that could begin one', () => {
    const redactor = new StreamRedactor();
    const pieces = ['the key ', 'is k+y/Se', 'cret=9f3e', '1d7c5b', ' and ', ENCODED.slice(0, 5), ENCODED.slice(5), ' done'];
    const out = pieces.map((piece) => redactor.push(piece)).join('') + redactor.flush();
    expect(out).toBe('the key is *** and *** done');
  });

  it('passes text with no secret prefix at its end straight through', () => {
    const redactor = new StreamRedactor();
    expect(redactor.push('{"type":"text","text":"hi"}\n')).toBe('{"type":"text","text":"hi"}\n');
    expect(redactor.push('ends in k+')).toBe('ends in ');
    expect(redactor.flush()).toBe('k+');
  });
});

describe('serializeEvent bounds', () => {
  it('cuts nesting deeper than MAX_EVENT_DEPTH and strings longer than MAX_EVENT_STRING', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 50; i++) deep = { deeper: deep };
    const event = { type: 'text', text: 'x'.repeat(MAX_EVENT_STRING + 10), t: 1, conn: 1, extra: deep } as unknown as LiveEvent;
    const line = serializeEvent(event);
    const parsed = JSON.parse(line) as { text: string; extra: Record<string, unknown> };
    expect(parsed.text).toMatch(/…\[10 more characters\]$/);
    let node: unknown = parsed.extra;
    let depth = 1;
    while (typeof node === 'object' && node !== null) {
      node = (node as { deeper?: unknown }).deeper;
      depth++;
    }
    expect(node).toBe('[nested too deep]');
    expect(depth).toBe(MAX_EVENT_DEPTH);
    expect(line.length).toBeLessThan(MAX_EVENT_STRING + 1000);
  });
});

describe('a key echoed by the server', () => {
  const said = `remember ${KEY} and ${ENCODED}`;

  it.each([
    ['--json', ['--json']],
    ['plain text', []],
  ])('is masked on stdout (%s)', async (_name, mode) => {
    const result = await runCli(['chat', '--sim', '--text', said, '--no-log', ...mode], { env: { GEMINI_API_KEY: KEY } });
    expect(result.code, result.stderr).toBe(0);
    for (const text of [result.stdout, result.stderr]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(ENCODED);
    }
    // The reply did come back, masked: the simulator repeats what it was told.
    const reply =
      mode.length > 0
        ? parseEvents(result.stdout)
            .filter((e) => e.type === 'transcript.output')
            .map((e) => String(e.text))
            .join(' ')
        : result.stdout;
    expect(reply.replace(/\s+/g, ' ')).toMatch(/You said: remember \*\*\* and \*\*\*/);
  });

  it.each([
    ['transcript.output', 'audio'],
    ['text', 'text'],
  ])('is masked when the service splits it across %s events, in the events and the session log', async (type, modality) => {
    const state = mkdtempSync(join(tmpdir(), 'live-cli-redact-'));
    try {
      // piece-chars=4 cuts the echoed key into five events, as the service's subword pieces would.
      const result = await runCli(['chat', '--sim=piece-chars=4', '--model', 'gemini-live-2.5-flash-preview', '--modality', modality, '--text', said, '--json'], {
        env: { GEMINI_API_KEY: KEY, XDG_STATE_HOME: state },
      });
      expect(result.code, result.stderr).toBe(0);
      const events = parseEvents(result.stdout);
      const pieces = events.filter((e) => e.type === type).map((e) => String(e.text));
      expect(pieces.length).toBeGreaterThan(8);
      const joined = pieces.join('');
      expect(joined).toMatch(/You said: remember \*\*\* and \*\*\*/);
      expect(joined).not.toContain(KEY.slice(0, 6));
      const logs = readdirSync(join(state, 'live-cli', 'sessions')).filter((name) => name.endsWith('.jsonl'));
      expect(logs).toHaveLength(1);
      const logged = parseEvents(readFileSync(join(state, 'live-cli', 'sessions', logs[0] ?? ''), 'utf8'))
        .filter((e) => e.type === type)
        .map((e) => String(e.text))
        .join('');
      expect(logged).toBe(joined);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});
