import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEvents, repoRoot, runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/process.js';

const textModel = ['--model', 'gemini-live-2.5-flash-preview', '--modality', 'text'];
const fixture = join(repoRoot, 'test', 'fixtures', 'mcp-add.mjs');
const addServer = ['--mcp', `node ${fixture}`];
const work = mkdtempSync(join(tmpdir(), 'live-cli-tools-'));
let reports = 0;

type Record = { type: string } & { [key: string]: unknown };

function reportPath(): string {
  return join(work, `report-${++reports}.ndjson`);
}

function readReport(path: string): Record[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record);
}

function replyText(events: Record[]): string {
  return events
    .filter((event) => event.type === 'text')
    .map((event) => event.text as string)
    .join('');
}

/** A config home whose config.json holds `config`. */
function configHome(config: unknown): string {
  const home = mkdtempSync(join(work, 'config-'));
  mkdirSync(join(home, 'live-cli'));
  writeFileSync(join(home, 'live-cli', 'config.json'), JSON.stringify(config));
  return home;
}

describe('tools from a stdio MCP server, through the built binary and the simulator', () => {
  it('the issue\'s command as given: default model, a read-only add needs no approval; tool.call, tool.result 5, the reply names it', async () => {
    // chat --sim --mcp "node test/fixtures/mcp-add.mjs" --text 'call tool add {"a":2,"b":3}' --json
    const report = reportPath();
    const result = await runCli(['chat', `--sim=report=${report}`, '--mcp', 'node test/fixtures/mcp-add.mjs', '--text', 'call tool add {"a":2,"b":3}', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const events = parseEvents(result.stdout);
    const call = events.find((event) => event.type === 'tool.call');
    expect(call).toMatchObject({ name: 'add', args: { a: 2, b: 3 } });
    expect(events.find((event) => event.type === 'tool.result')).toMatchObject({ id: call?.id, name: 'add', response: { sum: 5 } });
    // gemini-3.8-live (the default) speaks: the reply is in its output transcription.
    const spoken = events
      .filter((event) => event.type === 'transcript.output')
      .map((event) => String(event.text))
      .join('');
    expect(spoken).toMatch(/Tool add returned \{"sum":5\}/);
    expect(readReport(report).filter((record) => record.type === 'tool-response')).toEqual([expect.objectContaining({ id: call?.id, name: 'add', response: { sum: 5 } })]);
  });

  it('runs a tool that is not read-only when allowed by name: tool.call, tool.result, the reply names it, and the sim got the id', async () => {
    const report = reportPath();
    const result = await runCli(['chat', `--sim=report=${report}`, ...textModel, ...addServer, '--allow-tool', 'note', '--text', 'call tool note {"text":"milk"}', '--json']);
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    const call = events.find((event) => event.type === 'tool.call');
    expect(call).toMatchObject({ name: 'note', args: { text: 'milk' } });
    const toolResult = events.find((event) => event.type === 'tool.result');
    expect(toolResult).toMatchObject({ id: call?.id, name: 'note', response: { noted: 'milk' } });
    expect(typeof toolResult?.ms).toBe('number');
    expect(events.some((event) => event.type === 'tool.error')).toBe(false);
    expect(replyText(events)).toBe('Tool note returned {"noted":"milk"}');
    const types = events.map((event) => event.type);
    expect(types.indexOf('tool.call')).toBeLessThan(types.indexOf('tool.result'));
    expect(types.indexOf('tool.result')).toBeLessThan(types.indexOf('text'));

    const records = readReport(report);
    const setup = records.find((record) => record.type === 'setup');
    expect(setup?.functions).toEqual(['add', 'slow', 'fail', 'note']);
    const responses = records.filter((record) => record.type === 'tool-response');
    expect(responses).toEqual([expect.objectContaining({ id: call?.id, name: 'note', matched: true, response: { noted: 'milk' } })]);
  });

  it('headless without --allow-tool or --yes denies a tool that is not read-only, and answers with an error carrying the id', async () => {
    const report = reportPath();
    const result = await runCli(['chat', `--sim=report=${report}`, ...textModel, ...addServer, '--text', 'call tool note {"text":"milk"}', '--json']);
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    const call = events.find((event) => event.type === 'tool.call');
    const error = events.find((event) => event.type === 'tool.error');
    expect(error).toMatchObject({ id: call?.id, name: 'note', status: 'DENIED', retryable: false });
    expect(error?.message).toContain('--allow-tool note');
    expect(events.some((event) => event.type === 'tool.result')).toBe(false);
    expect(replyText(events)).toContain('"status":"DENIED"');

    const responses = readReport(report).filter((record) => record.type === 'tool-response');
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ id: call?.id, matched: true, response: { error: { status: 'DENIED', retryable: false } } });
  });

  it('--yes runs every tool, and the plain transcript shows the call and the result as compact lines', async () => {
    const result = await runCli(['chat', '--sim', ...textModel, ...addServer, '--yes', '--text', 'call tool add {"a":20,"b":22}']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^tool add \{"a":20,"b":22\}$/m);
    expect(result.stdout).toMatch(/^tool add → \{"sum":42\} \([\d.]+ ms\)$/m);
    expect(result.stdout).toMatch(/^gemini: Tool add returned \{"sum":42\}$/m);
  });

  it('a read-only tool runs without asking; a failing tool and an unknown tool get informative error payloads', async () => {
    const result = await runCli(['chat', '--sim', ...textModel, ...addServer, '--text', 'call tool fail {}', '--text', 'call tool nope {}', '--json']);
    expect(result.code).toBe(0);
    const errors = parseEvents(result.stdout).filter((event) => event.type === 'tool.error');
    expect(errors).toEqual([
      expect.objectContaining({ name: 'fail', status: 'TOOL_ERROR', retryable: false, message: 'the fixture always fails' }),
      expect.objectContaining({ name: 'nope', status: 'NOT_FOUND', retryable: false }),
    ]);
    expect(errors[1]?.message).toContain('add, slow, fail, note');
  });

  it('a toolCallCancellation aborts the running MCP request: tool.cancelled, and the sim never gets a response for that id', async () => {
    const report = reportPath();
    const log = join(work, 'fixture-cancel.log');
    const home = configHome({ mcpServers: { fixture: { command: 'node', args: [fixture], env: { MCP_FIXTURE_LOG: log } } } });
    const result = await runCli(['chat', `--sim=tool-cancel-after=300,report=${report}`, ...textModel, '--text', 'call tool slow {"ms":20000}', '--json'], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    const call = events.find((event) => event.type === 'tool.call');
    expect(call).toMatchObject({ name: 'slow' });
    expect(events.find((event) => event.type === 'tool.cancelled')).toMatchObject({ id: call?.id, name: 'slow' });
    expect(events.some((event) => event.type === 'tool.result' || event.type === 'tool.error')).toBe(false);
    expect(replyText(events)).toBe('Tool slow was cancelled.');

    const records = readReport(report);
    expect(records.find((record) => record.type === 'tool-cancelled')).toMatchObject({ id: call?.id, cause: 'tool-cancel-after' });
    expect(records.filter((record) => record.type === 'tool-response')).toEqual([]);
    // The server itself saw the request aborted (MCP notifications/cancelled), not left running.
    await waitFor(() => readFileSync(log, 'utf8').includes('slow aborted'));
    expect(readFileSync(log, 'utf8')).not.toContain('slow finished');
  });

  it('a per-call timeout answers TIMEOUT (retryable) instead of waiting for the tool', async () => {
    const result = await runCli(['chat', '--sim', ...textModel, ...addServer, '--tool-timeout', '0.2', '--text', 'call tool slow {"ms":20000}', '--json']);
    expect(result.code).toBe(0);
    const error = parseEvents(result.stdout).find((event) => event.type === 'tool.error');
    expect(error).toMatchObject({ name: 'slow', status: 'TIMEOUT', retryable: true });
  });
});

describe('a streamable HTTP MCP server (--mcp-url)', () => {
  let server: ChildProcess | undefined;
  afterEach(() => {
    server?.kill();
    server = undefined;
  });

  it('lists its tools and runs add over HTTP', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'test', 'fixtures', 'mcp-add-http.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    server = child;
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.setEncoding('utf8').once('data', (line: string) => resolve((JSON.parse(line) as { url: string }).url));
      child.once('exit', (code) => reject(new Error(`the HTTP fixture exited (${code})`)));
    });
    const result = await runCli(['chat', '--sim', ...textModel, '--mcp-url', url, '--allow-tool', 'add', '--text', 'call tool add {"a":7,"b":8}', '--json']);
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.find((event) => event.type === 'tool.result')).toMatchObject({ name: 'add', response: { sum: 15 } });
    expect(replyText(events)).toBe('Tool add returned {"sum":15}');
  });

  it('an unreachable URL is a usage error naming the server by its origin only', async () => {
    const result = await runCli(['chat', '--sim', ...textModel, '--mcp-url', 'http://127.0.0.1:9/mcp?token=abc', '--text', 'hi']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MCP server mcp-url-1 (http://127.0.0.1:9) did not start');
    expect(result.stderr).not.toContain('token=abc');
  });
});

describe('tool configuration errors are one-line usage errors (exit 2) before connecting', () => {
  it('an MCP server that does not start names itself', async () => {
    const result = await runCli(['chat', '--sim', ...textModel, '--mcp', 'node /nonexistent/server.mjs', '--text', 'hi']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/MCP server mcp-1 \(node \/nonexistent\/server\.mjs\) did not start/);
  });

  it('--allow-tool naming a tool no server offers is a warning, not an error', async () => {
    const result = await runCli(['chat', '--sim', ...textModel, ...addServer, '--allow-tool', 'ad', '--text', 'hi']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: --allow-tool ad: no MCP server offers a tool by that name (they offer add, slow, fail, note)');
  });

  it('--code-execution on a model without it is refused, naming the model', async () => {
    const result = await runCli(['chat', '--sim', '--model', 'gemini-2.5-flash-native-audio-preview-12-2025', '--code-execution', '--text', 'hi']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('gemini-2.5-flash-native-audio-preview-12-2025 does not support code execution');
  });

  it('NON_BLOCKING on a synchronous-only model is refused', async () => {
    const result = await runCli(['chat', '--sim', '--model', 'gemini-3.1-flash-live-preview', ...addServer, '--tool-behavior', 'add=non-blocking', '--text', 'hi']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('takes synchronous (blocking) tools only');
  });

  it('a bad mcpServers entry in the config file names the key', async () => {
    const home = configHome({ mcpServers: { broken: { args: ['x'] } } });
    const result = await runCli(['chat', '--sim', ...textModel, '--text', 'hi'], { env: { XDG_CONFIG_HOME: home } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('mcpServers.broken needs "command"');
  });
});

describe('Google Search grounding', () => {
  it('declares googleSearch, and the grounded reply lists its sources in events and in the transcript', async () => {
    const report = reportPath();
    const json = await runCli(['chat', `--sim=report=${report}`, ...textModel, '--google-search', '--text', 'search live api', '--json']);
    expect(json.code).toBe(0);
    const grounding = parseEvents(json.stdout).find((event) => event.type === 'grounding');
    expect(grounding).toMatchObject({ queries: ['live api'] });
    expect((grounding?.sources as unknown[]).length).toBe(2);
    expect(readReport(report).find((record) => record.type === 'setup')).toMatchObject({ googleSearch: true, codeExecution: false });

    const text = await runCli(['chat', '--sim', ...textModel, '--google-search', '--text', 'search live api']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^searched "live api"; sources: \[1\] About live api <https:\/\/example\.com\/search\/live-api> \[2\] /m);
  });
});

describe('NON_BLOCKING tools', () => {
  const nonBlocking = (scheduling: string): string[] => ['--tool-behavior', `add=non-blocking:${scheduling}`];

  it('WHEN_IDLE: the model finishes what it was saying, then answers with the result in a turn of its own', async () => {
    const report = reportPath();
    const result = await runCli(['chat', `--sim=report=${report}`, ...textModel, ...addServer, '--yes', ...nonBlocking('when-idle'), '--text', 'call tool add {"a":2,"b":3}', '--json']);
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.find((event) => event.type === 'tool.result')).toMatchObject({ response: { sum: 5 }, scheduling: 'WHEN_IDLE' });
    expect(events.filter((event) => event.type === 'turn.complete')).toHaveLength(2);
    expect(replyText(events)).toBe('Calling add in the background.Tool add returned {"sum":5}');

    const records = readReport(report);
    expect(records.find((record) => record.type === 'setup')?.nonBlockingFunctions).toEqual(['add']);
    expect(records.find((record) => record.type === 'tool-call')).toMatchObject({ name: 'add', behavior: 'NON_BLOCKING' });
    expect(records.find((record) => record.type === 'tool-response')).toMatchObject({ matched: true, scheduling: 'WHEN_IDLE' });
    const replies = records.filter((record) => record.type === 'reply').map((record) => [record.source, record.outcome, record.text]);
    expect(replies).toEqual([
      ['text', 'complete', 'Calling add in the background.'],
      ['tool', 'complete', 'Tool add returned {"sum":5}'],
    ]);
  });

  it('INTERRUPT: the result is answered at once, and the run waits for that answer', async () => {
    const report = reportPath();
    const result = await runCli(['chat', `--sim=report=${report}`, ...textModel, ...addServer, '--yes', ...nonBlocking('interrupt'), '--text', 'call tool add {"a":2,"b":3}', '--json']);
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.find((event) => event.type === 'tool.result')).toMatchObject({ scheduling: 'INTERRUPT' });
    expect(replyText(events)).toContain('Tool add returned {"sum":5}');
    const last = readReport(report).filter((record) => record.type === 'reply').at(-1);
    expect(last).toMatchObject({ source: 'tool', outcome: 'complete', text: 'Tool add returned {"sum":5}' });
  });

  it('SILENT: the result only enters the context; no turn answers it', async () => {
    const report = reportPath();
    const result = await runCli(['chat', `--sim=report=${report}`, ...textModel, ...addServer, '--yes', ...nonBlocking('silent'), '--text', 'call tool add {"a":2,"b":3}', '--json']);
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.find((event) => event.type === 'tool.result')).toMatchObject({ scheduling: 'SILENT' });
    expect(replyText(events)).toBe('Calling add in the background.');
    const records = readReport(report);
    expect(records.find((record) => record.type === 'tool-response')).toMatchObject({ matched: true, scheduling: 'SILENT' });
    expect(records.filter((record) => record.type === 'reply')).toHaveLength(1);
  });

  it('gemini-3.8-live declares every tool NON_BLOCKING by default (WHEN_IDLE)', async () => {
    const report = reportPath();
    const result = await runCli(['chat', `--sim=report=${report}`, '--model', 'gemini-3.8-live', '--output', 'none', ...addServer, '--yes', '--text', 'call tool add {"a":2,"b":3}', '--json']);
    expect(result.code).toBe(0);
    const records = readReport(report);
    expect(records.find((record) => record.type === 'setup')?.nonBlockingFunctions).toEqual(['add', 'slow', 'fail', 'note']);
    expect(records.find((record) => record.type === 'tool-response')).toMatchObject({ matched: true, scheduling: 'WHEN_IDLE' });
    expect(records.filter((record) => record.type === 'reply').map((record) => record.source)).toEqual(['text', 'tool']);
  });
});

describe('code execution', () => {
  it('declares codeExecution, and the code and its result show as events and compact lines', async () => {
    const report = reportPath();
    const json = await runCli(['chat', `--sim=report=${report}`, ...textModel, '--code-execution', '--text', 'run code print(1 + 1)', '--json']);
    expect(json.code).toBe(0);
    const events = parseEvents(json.stdout);
    expect(events.find((event) => event.type === 'code')).toMatchObject({ language: 'PYTHON', code: 'print(1 + 1)' });
    expect(events.find((event) => event.type === 'code.result')).toMatchObject({ outcome: 'OUTCOME_OK' });
    expect(readReport(report).find((record) => record.type === 'setup')).toMatchObject({ codeExecution: true });

    const text = await runCli(['chat', '--sim', ...textModel, '--code-execution', '--text', 'run code print(1 + 1)']);
    expect(text.stdout).toMatch(/^code \(python\): print\(1 \+ 1\)$/m);
    expect(text.stdout).toMatch(/^code output: \(the simulator does not execute code\)$/m);
    expect(text.stdout).toMatch(/^gemini: The code ran\.$/m);
  });
});
