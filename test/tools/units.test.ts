import { describe, expect, it } from 'vitest';
import { EventStream, type LiveEvent } from '../../src/core/events.js';
import { ToolTurnTracker } from '../../src/core/tool-turns.js';
import type { ToolResponseOut } from '../../src/live/tool-hooks.js';
import { splitCommandLine } from '../../src/tools/command-line.js';
import { ToolExecutor } from '../../src/tools/executor.js';
import { ToolPolicy } from '../../src/tools/policy.js';
import { ToolRegistry } from '../../src/tools/registry.js';
import { serversFromConfig, serversFromFlags } from '../../src/tools/servers.js';
import { parseToolBehaviors } from '../../src/tools/setup.js';
import type { ToolInvoke, ToolSpec } from '../../src/tools/types.js';

describe('splitCommandLine', () => {
  it.each([
    ['node server.js', ['node', 'server.js']],
    ['  npx -y  @scope/pkg ', ['npx', '-y', '@scope/pkg']],
    [`python3 "my server.py" --name 'a b'`, ['python3', 'my server.py', '--name', 'a b']],
    [String.raw`cmd a\ b "q\"x" ''`, ['cmd', 'a b', 'q"x', '']],
    ['node $HOME/x.js', ['node', '$HOME/x.js']],
  ])('%s', (line, argv) => {
    expect(splitCommandLine(line)).toEqual(argv);
  });

  it('refuses an unterminated quote', () => {
    expect(() => splitCommandLine('node "x.js')).toThrow(/unterminated " quote/);
  });
});

describe('MCP server specs', () => {
  it('names flag servers by position and keeps the timeout', () => {
    const specs = serversFromFlags({ mcp: ['node a.js', 'node b.js'], mcpUrl: ['http://127.0.0.1:3000/mcp'] }, 5000);
    expect(specs.map((spec) => spec.name)).toEqual(['mcp-1', 'mcp-2', 'mcp-url-1']);
    expect(specs[1]).toMatchObject({ transport: { kind: 'stdio', command: 'node', args: ['b.js'] }, timeoutMs: 5000, trust: false });
    expect(specs[2]).toMatchObject({ transport: { kind: 'http', url: 'http://127.0.0.1:3000/mcp' } });
  });

  it('reads mcpServers like gemini-cli', () => {
    const specs = serversFromConfig(
      {
        mcpServers: {
          notes: { command: 'node', args: ['notes.js'], env: { NOTES: '/tmp' }, cwd: '/srv', timeout: 1000, trust: true, excludeTools: ['rm'] },
          remote: { httpUrl: 'https://example.com/mcp', headers: { Authorization: 'Bearer x' } },
        },
      },
      20_000,
    );
    expect(specs).toEqual([
      { name: 'notes', transport: { kind: 'stdio', command: 'node', args: ['notes.js'], env: { NOTES: '/tmp' }, cwd: '/srv' }, timeoutMs: 1000, trust: true, excludeTools: ['rm'] },
      { name: 'remote', transport: { kind: 'http', url: 'https://example.com/mcp', headers: { Authorization: 'Bearer x' } }, timeoutMs: 20_000, trust: false },
    ]);
  });

  it.each([
    [{ mcpServers: [] }, /mcpServers must be an object/],
    [{ mcpServers: { a: { command: 'x', args: 'y' } } }, /mcpServers\.a\.args must be an array of strings/],
    [{ mcpServers: { a: { command: 'x', timeout: -1 } } }, /mcpServers\.a\.timeout must be a positive number/],
    [{ mcpServers: { a: { httpUrl: 'ftp://x' } } }, /must be an http:\/\/ or https:\/\/ URL/],
  ])('refuses %j', (config, message) => {
    expect(() => serversFromConfig(config, 1000)).toThrow(message);
  });

  it('parses --tool-behavior and refuses what it cannot mean', () => {
    expect([...parseToolBehaviors(['add=non-blocking:interrupt', '*=blocking', 'slow=non-blocking'])]).toEqual([
      ['add', { behavior: 'NON_BLOCKING', scheduling: 'INTERRUPT' }],
      ['*', { behavior: 'BLOCKING' }],
      ['slow', { behavior: 'NON_BLOCKING' }],
    ]);
    for (const bad of ['add', 'add=later', 'add=non-blocking:soon', 'add=blocking:silent']) {
      expect(() => parseToolBehaviors([bad])).toThrow(/--tool-behavior/);
    }
  });
});

function tool(name: string, invoke: ToolInvoke, extra: Partial<ToolSpec> = {}): ToolSpec {
  return { declaration: { name }, source: 'test', readOnly: true, timeoutMs: 1000, invoke, ...extra };
}

function harness(specs: ToolSpec[], policy = new ToolPolicy({ allow: new Set(), yes: false, trusted: new Set() })) {
  const registry = new ToolRegistry();
  for (const spec of specs) registry.add(spec);
  const events = new EventStream();
  const seen: LiveEvent[] = [];
  events.on((event) => seen.push(event));
  const executor = new ToolExecutor(registry, policy, events);
  const sent: ToolResponseOut[] = [];
  const respond = (response: ToolResponseOut): boolean => {
    sent.push(response);
    return true;
  };
  return { executor, seen, sent, respond };
}

const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 1));
};

describe('ToolExecutor', () => {
  it('answers with the response and the scheduling of a NON_BLOCKING tool', async () => {
    const { executor, seen, sent, respond } = harness([
      tool('add', (args) => Promise.resolve({ ok: true, response: { sum: Number(args.a) + Number(args.b) } }), { scheduling: 'SILENT', declaration: { name: 'add', behavior: 'NON_BLOCKING' } }),
    ]);
    executor.call({ id: 'c1', name: 'add', args: { a: 2, b: 3 } }, respond, 1);
    await until(() => sent.length === 1);
    expect(sent).toEqual([{ id: 'c1', name: 'add', response: { sum: 5 }, scheduling: 'SILENT' }]);
    expect(seen.map((event) => event.type)).toEqual(['tool.result']);
    expect(seen[0]).toMatchObject({ id: 'c1', conn: 1, scheduling: 'SILENT' });
  });

  it('cancellation aborts the call and nothing is ever sent for it, even when the tool finishes anyway', async () => {
    let signal: AbortSignal | undefined;
    let finish: () => void = () => undefined;
    const { executor, seen, sent, respond } = harness([
      tool('slow', (_args, given) => {
        signal = given;
        // A tool that ignores the abort and answers later: its answer must still be dropped.
        return new Promise((resolve) => (finish = () => resolve({ ok: true, response: { late: true } })));
      }),
    ]);
    executor.call({ id: 'c1', name: 'slow', args: {} }, respond, 2);
    await until(() => signal !== undefined);
    executor.cancel(['c1'], 1); // another connection's ids mean nothing here
    expect(signal?.aborted).toBe(false);
    executor.cancel(['c1'], 2);
    expect(signal?.aborted).toBe(true);
    finish();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sent).toEqual([]);
    expect(seen.map((event) => event.type)).toEqual(['tool.cancelled']);
    expect(executor.pending).toBe(0);
  });

  it('denies a tool that is not read-only without a prompt, and asks the prompt when there is one', async () => {
    const policy = new ToolPolicy({ allow: new Set(), yes: false, trusted: new Set() });
    const { executor, seen, sent, respond } = harness([tool('rm', () => Promise.resolve({ ok: true, response: { removed: true } }), { readOnly: false })], policy);
    executor.call({ id: 'c1', name: 'rm', args: {} }, respond, 1);
    await until(() => sent.length === 1);
    expect(sent[0]?.response).toEqual({ error: { status: 'DENIED', retryable: false, message: expect.stringContaining('--allow-tool rm') as string } });
    const asked: string[] = [];
    policy.prompt = (request) => {
      asked.push(request.name);
      return Promise.resolve(true);
    };
    executor.call({ id: 'c2', name: 'rm', args: {} }, respond, 1);
    await until(() => sent.length === 2);
    expect(asked).toEqual(['rm']);
    expect(sent[1]).toEqual({ id: 'c2', name: 'rm', response: { removed: true } });
    expect(seen.map((event) => event.type)).toEqual(['tool.error', 'tool.result']);
  });

  it('calls of a connection that closed are stopped with an UNAVAILABLE tool.error; others go on', async () => {
    const signals: AbortSignal[] = [];
    const { executor, seen, sent, respond } = harness([
      tool('slow', (_args, signal) => {
        signals.push(signal);
        return new Promise(() => undefined);
      }),
    ]);
    executor.call({ id: 'old', name: 'slow', args: {} }, respond, 1);
    executor.call({ id: 'new', name: 'slow', args: {} }, respond, 2);
    await until(() => signals.length === 2);
    executor.abandon(1);
    expect(signals.map((signal) => signal.aborted)).toEqual([true, false]);
    expect(seen).toEqual([expect.objectContaining({ type: 'tool.error', id: 'old', status: 'UNAVAILABLE', retryable: true, conn: 1 })]);
    expect(sent).toEqual([]);
    expect(executor.pending).toBe(1);
    executor.abortAll();
  });

  it('a response that cannot be sent (its connection closed) is reported', async () => {
    const { executor, seen } = harness([tool('add', () => Promise.resolve({ ok: true, response: {} }))]);
    executor.call({ id: 'c1', name: 'add', args: {} }, () => false, 1);
    await until(() => seen.length === 2);
    expect(seen[1]).toMatchObject({ type: 'error', code: 'protocol' });
  });

  it('two servers offering one name is a usage error', () => {
    const registry = new ToolRegistry();
    registry.add(tool('add', () => Promise.resolve({ ok: true, response: {} })));
    expect(() => registry.add({ ...tool('add', () => Promise.resolve({ ok: true, response: {} })), source: 'other' })).toThrow(/two MCP servers offer a tool named add \(test and other\)/);
  });
});

describe('ToolTurnTracker', () => {
  const stream = () => {
    const events = new EventStream();
    const tracker = new ToolTurnTracker(events);
    return { tracker, emit: (event: Parameters<EventStream['emit']>[0]) => events.emit(event, 1) };
  };

  it('a running call holds the turn; a blocking result owes nothing more', () => {
    const { tracker, emit } = stream();
    emit({ type: 'tool.call', id: 'a', name: 'add', args: {} });
    expect(tracker.idle).toBe(false);
    emit({ type: 'tool.result', id: 'a', name: 'add', response: {}, ms: 1 });
    expect(tracker.idle).toBe(true);
  });

  it('a WHEN_IDLE result is answered by a turn that begins after it, not by the turn under way', async () => {
    const { tracker, emit } = stream();
    emit({ type: 'tool.call', id: 'a', name: 'add', args: {} });
    emit({ type: 'text', text: 'Calling add' });
    await new Promise((resolve) => setTimeout(resolve, 2));
    emit({ type: 'tool.result', id: 'a', name: 'add', response: {}, ms: 1, scheduling: 'WHEN_IDLE' });
    emit({ type: 'text', text: ' in the background.' });
    emit({ type: 'turn.complete' });
    expect(tracker.idle).toBe(false);
    // The answering turn comes a network hop later (times are 0.1 ms apart at least).
    await new Promise((resolve) => setTimeout(resolve, 2));
    emit({ type: 'text', text: 'Tool add answered' });
    emit({ type: 'turn.complete' });
    expect(tracker.idle).toBe(true);
  });

  it('SILENT owes nothing; a cancelled call owes nothing', () => {
    const { tracker, emit } = stream();
    emit({ type: 'tool.call', id: 'a', name: 'add', args: {} });
    emit({ type: 'tool.result', id: 'a', name: 'add', response: {}, ms: 1, scheduling: 'SILENT' });
    emit({ type: 'tool.call', id: 'b', name: 'slow', args: {} });
    emit({ type: 'tool.cancelled', id: 'b', name: 'slow', ms: 5 });
    expect(tracker.idle).toBe(true);
  });
});
