import { describe, expect, it } from 'vitest';
import { parseEvents, runCli } from '../helpers/cli.js';

const textModel = ['--model', 'gemini-live-2.5-flash-preview', '--modality', 'text'];

/**
 * Each fatal close code the service uses, injected by the simulator after the first client message,
 * must end the run with the contract's exit code and one actionable sentence that carries the
 * server's reason. Retryable closes (1006, 1011, 1001) and rate limits are reconnected: see
 * continuity-faults.test.ts for those and for the exit codes once the retry budget is spent.
 */
describe('close codes become actionable errors', () => {
  const cases: Array<{ sim: string; exit: number; code: string; pattern: RegExp }> = [
    { sim: 'drop-after-messages=1,close-code=1007', exit: 4, code: 'protocol', pattern: /invalid|1007/i },
    { sim: 'reject-key', exit: 3, code: 'auth', pattern: /API key/i },
  ];
  for (const { sim, exit, code, pattern } of cases) {
    it(`--sim=${sim} → exit ${exit} (${code})`, async () => {
      const result = await runCli(['chat', `--sim=${sim}`, ...textModel, '--text', 'hi', '--json']);
      expect(result.code).toBe(exit);
      const errors = parseEvents(result.stdout).filter((e) => e.type === 'error');
      expect(errors.length).toBeGreaterThanOrEqual(1);
      expect(errors[0]).toMatchObject({ code });
      expect(String(errors[0]?.message)).toMatch(pattern);
      // One line on stderr for people, the same sentence as the event.
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(parseEvents(result.stdout).at(-1)?.type).toBe('session.end');
    });
  }

  it('a model not in the catalogue is accepted with a warning on stderr', async () => {
    const result = await runCli(['chat', '--sim', '--model', 'my-native-audio-model', '--modality', 'audio', '--text', 'hi', '--json']);
    expect(result.stderr).toMatch(/not in live-cli's catalogue/);
    expect(result.code).toBe(0);
  });
});

describe('tools and Vertex', () => {
  it('a tool call with no tool to run gets an error toolResponse and the turn completes', async () => {
    const result = await runCli(['chat', '--sim', ...textModel, '--text', 'call tool get_weather {"city":"Paris"}', '--json']);
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    const call = events.find((e) => e.type === 'tool.call');
    expect(call).toMatchObject({ name: 'get_weather', args: { city: 'Paris' } });
    expect(typeof call?.id).toBe('string');
    expect(events.filter((e) => e.type === 'turn.complete')).toHaveLength(1);
  });

  it('--vertex with an API key (express mode) works against the simulator and keeps stdout pure NDJSON', async () => {
    const result = await runCli(['chat', '--sim', '--vertex', ...textModel, '--text', 'hello vertex', '--json'], {
      env: { GOOGLE_API_KEY: 'x' },
    });
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.find((e) => e.type === 'session.open')).toHaveProperty('sessionId');
    expect(events.map((e) => e.type)).toContain('turn.complete');
  });
});
