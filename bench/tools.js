// Tool round trip on loopback: a minimal Live endpoint sends `toolCall` frames one at a time and
// stamps when each went out and when its `toolResponse` came back; the client is the real session
// (openLiveSession over the SDK) with the real tool layer (openTools) calling the `add` tool of the
// stdio MCP fixture (test/fixtures/mcp-add.mjs, a separate Node process).
//
//   round trip  = toolCall sent → toolResponse received (server clock; both ws directions included)
//   tool's time = the MCP call itself (request written → result read), the `ms` of `tool.result`
//   added       = round trip − tool's time: what live-cli adds around the tool
//
// Server and client share one process and one clock.
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { EventStream } from '../dist/core/events.js';
import { openLiveSession } from '../dist/live/session.js';
import { resolveLiveConfig } from '../dist/live/config.js';
import { openTools } from '../dist/tools/index.js';
import { percentile, median } from './stats.js';

const CALLS = Number(process.env.BENCH_TOOL_CALLS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FIXTURE = join(import.meta.dirname, '..', 'test', 'fixtures', 'mcp-add.mjs');
export const TOOLS_COMMAND = `node ${FIXTURE}`;

function startServer() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  const state = { socket: undefined, waiting: undefined };
  wss.on('connection', (socket) => {
    state.socket = socket;
    socket.on('message', (data) => {
      const now = performance.now();
      const message = JSON.parse(data.toString());
      if (message.setup) {
        socket.send(Buffer.from(JSON.stringify({ setupComplete: {} })), { binary: true });
        return;
      }
      if (message.toolResponse && state.waiting) {
        const waiting = state.waiting;
        state.waiting = undefined;
        waiting({ at: now, response: message.toolResponse.functionResponses[0] });
      }
    });
  });
  return new Promise((resolve) => wss.on('listening', () => resolve({ wss, state, port: wss.address().port })));
}

function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function oneRun() {
  const server = await startServer();
  const events = new EventStream();
  const { config } = resolveLiveConfig(
    { model: 'gemini-live-2.5-flash-preview', modality: 'text' },
    {},
    {},
    { sim: true, endpoint: `http://127.0.0.1:${server.port}` },
  );
  const tools = await openTools({ mcp: [TOOLS_COMMAND], allowTool: ['add'] }, {}, config.model, events);
  config.tools = tools.setup;
  const toolMs = new Map();
  events.on((event) => {
    if (event.type === 'tool.result') toolMs.set(event.id, event.ms);
  });
  const session = await openLiveSession({ config, events, id: 'bench', toolHost: tools.host, reconnect: false });
  const roundTrip = [];
  const own = [];
  const added = [];
  // A few calls first: the fixture's JIT and the first spawn costs are not what a turn pays.
  for (let i = -10; i < CALLS; i++) {
    const id = `call-${i}`;
    const answered = new Promise((resolve) => (server.state.waiting = resolve));
    const sentAt = performance.now();
    server.state.socket.send(Buffer.from(JSON.stringify({ toolCall: { functionCalls: [{ id, name: 'add', args: { a: i, b: 1 } }] } })), { binary: true });
    const { at, response } = await answered;
    if (response.id !== id || response.response.sum !== i + 1) throw new Error(`bad tool response ${JSON.stringify(response)}`);
    if (i < 0) continue;
    const ms = toolMs.get(id);
    roundTrip.push(at - sentAt);
    own.push(ms);
    added.push(at - sentAt - ms);
  }
  await session.close();
  await tools.close();
  server.wss.close();
  return { roundTrip: summarize(roundTrip), own: summarize(own), added: summarize(added) };
}

export async function runToolsBench() {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await oneRun());
  const pick = (key, stat) => median(runs.map((run) => run[key][stat]));
  return {
    runs: RUNS,
    calls: CALLS,
    roundTrip: { p50: pick('roundTrip', 'p50'), p99: pick('roundTrip', 'p99') },
    own: { p50: pick('own', 'p50'), p99: pick('own', 'p99') },
    added: { p50: pick('added', 'p50'), p99: pick('added', 'p99') },
  };
}

export function formatToolsTable(result) {
  const fmt = (ms) => ms.toFixed(2);
  return [
    `### Tool round trip, local stdio MCP \`add\` (ms; medians of ${result.runs} runs of ${result.calls} calls each)`,
    '',
    '| measure | p50 | p99 |',
    '|---|---|---|',
    `| toolCall sent → toolResponse received (server clock) | ${fmt(result.roundTrip.p50)} | ${fmt(result.roundTrip.p99)} |`,
    `| the MCP call itself (tool.result \`ms\`) | ${fmt(result.own.p50)} | ${fmt(result.own.p99)} |`,
    `| added by live-cli (round trip − MCP call, per call) | ${fmt(result.added.p50)} | ${fmt(result.added.p99)} |`,
  ].join('\n');
}
