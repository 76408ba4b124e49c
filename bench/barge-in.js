// Barge-in bench: how fast playback stops when the server sends `serverContent.interrupted`, and how
// much audio had been written ahead into the player at that moment. live-cli's paced player sink
// (src/audio/sinks/paced.ts + player.ts) beside the naive pattern of most Live API samples: write
// every received chunk straight into the player's stdin, kill the player on interrupt.
//
// Per barge-in: a local Live endpoint streams a 3 s reply of 24 kHz audio in 40–80 ms frames at
// 4× real time, then, a seeded random 300–1500 ms after the reply's first frame, sends
// `interrupted` (and no more audio). The client is a real live-cli session; its events drive the
// sink as `chat` does (audio → write, interrupted → flush). Both sinks spawn the fake aplay
// (test/fixtures/bin/aplay: a 100 ms device buffer played out in real time), put first on the
// spawned process's PATH, with FAKE_PLAYER_LOG so that each player records what it received and played.
//
// Measured, server, client and sinks sharing one process and one clock:
//   silence: `interrupted` sent → sink.flush() returned (the player has been sent SIGKILL)
//   exit:    `interrupted` sent → Node saw the player process exit
//   ahead:   audio the client had written to the player's stdin − audio the player had played, by
//            the player's own log (the bytes in its device buffer + those still in the pipe)
// `node bench/barge-in.js` prints the Markdown table; `runBargeInBench()` returns the rows.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { EventStream } from '../dist/core/events.js';
import { openLiveSession } from '../dist/live/session.js';
import { resolveLiveConfig } from '../dist/live/config.js';
import { openPlayerSink, playerArgs } from '../dist/audio/sinks/player.js';
import { createRandom } from '../dist/sim/random.js';
import { median, percentile } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BARGE_INS = Number(process.env.BENCH_BARGE_INS ?? 20);
const RATE = 24000;
const BYTES_PER_MS = (RATE * 2) / 1000;
const REPLY_MS = 3000;
const SPEEDUP = 4;
const FAKE_BIN = fileURLToPath(new URL('../test/fixtures/bin', import.meta.url));

// The simulator's seeded generator, so every run of the bench sees the same barge-in schedule.
const rng = createRandom;

/** One barge-in: the reply's frame lengths (ms, 40–80, summing to REPLY_MS) and when to interrupt. */
function plan(random) {
  const frames = [];
  let total = 0;
  while (total < REPLY_MS) {
    const ms = Math.min(REPLY_MS - total, 40 + Math.floor(random() * 41));
    frames.push(ms);
    total += ms;
  }
  return { frames, interruptAtMs: 300 + Math.floor(random() * 1201) };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A minimal Live endpoint: setupComplete, then replies streamed and interrupted on demand. */
function startServer() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  const state = { socket: undefined };
  wss.on('connection', (socket) => {
    state.socket = socket;
    socket.on('message', (data) => {
      if (JSON.parse(data.toString()).setup) socket.send(Buffer.from(JSON.stringify({ setupComplete: {} })), { binary: true });
    });
  });
  return new Promise((resolve) => wss.on('listening', () => resolve({ wss, state, port: wss.address().port })));
}

/**
 * Streams the reply's frames at SPEEDUP × real time on an absolute schedule, stopping when the
 * interrupt is due; sends `interrupted` then. Resolves with the send time of `interrupted`.
 */
async function streamAndInterrupt(socket, { frames, interruptAtMs }) {
  const start = performance.now();
  let due = 0;
  for (const ms of frames) {
    if (due >= interruptAtMs) break;
    const wait = start + due - performance.now();
    if (wait > 0) await sleep(wait);
    const data = Buffer.alloc(ms * BYTES_PER_MS, 1).toString('base64');
    socket.send(Buffer.from(JSON.stringify({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: `audio/pcm;rate=${RATE}`, data } }] } } })), { binary: true });
    due += ms / SPEEDUP;
  }
  const wait = start + interruptAtMs - performance.now();
  if (wait > 0) await sleep(wait);
  const sentAt = performance.now();
  socket.send(Buffer.from(JSON.stringify({ serverContent: { interrupted: true } })), { binary: true });
  return sentAt;
}

/** The peer: every chunk straight into the player's stdin as it arrives; interrupt kills the player. */
class NaiveSink {
  label = 'naive: write each chunk to aplay stdin, kill on interrupt';
  child = undefined;
  writtenBytes = 0;

  constructor(env) {
    this.env = env;
  }

  write(chunk) {
    if (!this.child) {
      this.child = spawn('aplay', playerArgs('aplay', { sampleRate: chunk.sampleRate, channels: chunk.channels }), { env: this.env, stdio: ['pipe', 'ignore', 'ignore'] });
      this.child.stdin.on('error', () => undefined);
    }
    this.child.stdin.write(chunk.data);
    this.writtenBytes += chunk.data.length;
  }

  flush() {
    this.child?.kill('SIGKILL');
    return 0;
  }

  close() {
    this.child?.kill('SIGKILL');
    return Promise.resolve();
  }
}

const SINKS = {
  ours: {
    label: 'live-cli PlayerSink (paced, 100 ms lead)',
    open: (env) => openPlayerSink('aplay', 'aplay', { env }),
    // PlayerDevice keeps its process private; the bench reads it to see the exit.
    child: (sink) => sink.player.child,
    writtenMs: (sink) => sink.stats().writtenMs,
    sinkAheadMs: (sink) => sink.stats().aheadMs,
    queuedMs: (sink) => sink.stats().queuedMs,
  },
  naive: {
    label: 'naive peer (unpaced: every chunk to stdin, SIGKILL on interrupt)',
    open: (env) => new NaiveSink(env),
    child: (sink) => sink.child,
    writtenMs: (sink) => sink.writtenBytes / BYTES_PER_MS,
    sinkAheadMs: () => undefined,
    queuedMs: () => 0,
  },
};

function playerLog(dir, pid) {
  const base = path.join(dir, `aplay-${pid}`);
  // No record: the player was killed before it had started (Node start-up on a loaded machine).
  const record = fs.existsSync(`${base}.json`) ? JSON.parse(fs.readFileSync(`${base}.json`, 'utf8')) : { playedBytes: 0, endedBy: null };
  return { record, rawBytes: rawSize(dir, pid) };
}

/** One barge-in with a fresh sink; returns its measurements (ms unless named otherwise). */
async function bargeIn(ctx, kind, schedule) {
  const which = SINKS[kind];
  const sink = which.open(ctx.env);
  let interrupt;
  let spawnedAt; // wall clock (the fake player logs Date.now()) of the first write, which spawns the player
  const flushed = new Promise((resolve) => {
    ctx.route = {
      audio: (event) => {
        spawnedAt ??= Date.now();
        sink.write({ data: event.pcm, sampleRate: event.sampleRate, channels: 1 });
      },
      interrupted: () => {
        const child = which.child(sink);
        const writtenMs = which.writtenMs(sink);
        const sinkAheadMs = which.sinkAheadMs(sink);
        const queuedMs = which.queuedMs(sink);
        sink.flush();
        const flushedAt = performance.now();
        // Bytes the player has received so far; compared after its exit to see whether any more arrived.
        const rawAtFlush = child ? rawSize(ctx.logDir, child.pid) : 0;
        const exited = child && child.exitCode === null && child.signalCode === null
          ? new Promise((r) => child.once('exit', () => r(performance.now())))
          : Promise.resolve(flushedAt);
        interrupt = { child, writtenMs, sinkAheadMs, queuedMs, flushedAt, rawAtFlush, exited };
        resolve();
      },
    };
  });
  const sentAt = await streamAndInterrupt(ctx.socket, schedule);
  await flushed;
  const exitedAt = await interrupt.exited;
  await sleep(50); // anything still on its way to a dead player would show in its .raw by now
  ctx.route = undefined;
  await sink.close({ discard: true }).catch(() => undefined);
  const { child } = interrupt;
  if (!child) throw new Error(`${kind}: no player was running at the interrupt`);
  const log = playerLog(ctx.logDir, child.pid);
  const playerStarted = log.record.tool !== undefined;
  if (playerStarted && log.record.tool !== 'aplay') throw new Error('the fake aplay did not run (is test/fixtures/bin first on PATH?)');
  const playedMs = log.record.playedBytes / BYTES_PER_MS;
  const receivedMs = log.rawBytes / BYTES_PER_MS;
  return {
    silenceMs: interrupt.flushedAt - sentAt,
    exitMs: exitedAt - sentAt,
    aheadMs: interrupt.writtenMs - playedMs,
    inDeviceMs: receivedMs - playedMs,
    inPipeMs: interrupt.writtenMs - receivedMs,
    sinkAheadMs: interrupt.sinkAheadMs,
    queuedMs: interrupt.queuedMs,
    startupMs: log.record.startedAt === undefined ? undefined : log.record.startedAt - spawnedAt,
    playerStarted,
    bytesAfterKill: log.rawBytes - interrupt.rawAtFlush,
    notKilled: log.record.endedBy !== null,
  };
}

function rawSize(dir, pid) {
  const raw = path.join(dir, `aplay-${pid}.raw`);
  return fs.existsSync(raw) ? fs.statSync(raw).size : 0;
}

/** One run: BARGE_INS barge-ins per sink, interleaved, on the same seeded schedule for both. */
async function oneRun(seed) {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-cli-barge-in-'));
  const env = { ...process.env, PATH: `${FAKE_BIN}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_PLAYER_LOG: logDir };
  const server = await startServer();
  const events = new EventStream();
  const { config } = resolveLiveConfig(
    { model: 'gemini-live-2.5-flash-preview', modality: 'audio' },
    {},
    {},
    { sim: true, endpoint: `http://127.0.0.1:${server.port}` },
  );
  const ctx = { env, logDir, route: undefined, socket: undefined };
  events.on((event) => {
    if (event.type === 'audio' && Buffer.isBuffer(event.pcm)) ctx.route?.audio(event);
    else if (event.type === 'interrupted') ctx.route?.interrupted(event);
  });
  const session = await openLiveSession({ config, events, id: 'bench' });
  ctx.socket = server.state.socket;
  const random = rng(seed);
  const results = { ours: [], naive: [] };
  const warmUp = plan(random);
  for (const kind of ['ours', 'naive']) await bargeIn(ctx, kind, warmUp); // first spawns, JIT
  for (let i = 0; i < BARGE_INS; i++) {
    const schedule = plan(random);
    for (const kind of ['ours', 'naive']) results[kind].push(await bargeIn(ctx, kind, schedule));
  }
  await session.close();
  server.wss.close();
  fs.rmSync(logDir, { recursive: true, force: true });
  return results;
}

function stat(samples, key) {
  const values = samples.map((s) => s[key]).filter((v) => v !== undefined).sort((a, b) => a - b);
  if (values.length === 0) return undefined;
  return { p50: percentile(values, 50), p90: percentile(values, 90), max: values[values.length - 1] };
}

const KEYS = ['silenceMs', 'exitMs', 'aheadMs', 'inDeviceMs', 'inPipeMs', 'sinkAheadMs', 'queuedMs', 'startupMs'];

/** RUNS runs of BARGE_INS barge-ins per sink: per row, the median over runs of each run's p50 / p90. */
export async function runBargeInBench() {
  const runs = [];
  for (let run = 0; run < RUNS; run++) runs.push(await oneRun(0xb0a9e + run));
  return Object.entries(SINKS).map(([kind, { label }]) => {
    const perRun = runs.map((r) => r[kind]);
    const row = { sink: label, runs: RUNS, bargeIns: BARGE_INS };
    for (const key of KEYS) {
      const stats = perRun.map((samples) => stat(samples, key));
      if (stats.some((s) => s === undefined)) continue;
      row[key] = { p50: median(stats.map((s) => s.p50)), p90: median(stats.map((s) => s.p90)), max: Math.max(...stats.map((s) => s.max)) };
    }
    const all = perRun.flat();
    row.bytesAfterKillMax = Math.max(...all.map((s) => s.bytesAfterKill));
    row.notKilled = all.filter((s) => s.notKilled).length;
    row.playerNotStarted = all.filter((s) => !s.playerStarted).length;
    if (row.playerNotStarted === all.length) throw new Error('no fake aplay ever ran (is test/fixtures/bin first on PATH?)');
    return row;
  });
}

export function formatBargeInTable(rows) {
  const fmt = (ms) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));
  const cell = (s) => (s ? `${fmt(s.p50)} / ${fmt(s.p90)} (${fmt(s.max)})` : '—');
  const lines = [
    `### Barge-in: \`interrupted\` → silent player, and audio written ahead (ms; median over ${rows[0]?.runs} runs of each run's p50 / p90 over ${rows[0]?.bargeIns} barge-ins; worst of all in brackets)`,
    '',
    '| sink | interrupted sent → flush returned, player SIGKILLed | → player exit seen by Node | written ahead of playback at interrupt (player log) | of which in the player\'s device buffer | of which in pipe / stdin buffer | sink\'s own estimate of ahead | held in the client, never written | fake player start-up (spawn → running) | bytes reaching the player after the kill (max) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.sink} | ${cell(row.silenceMs)} | ${cell(row.exitMs)} | ${cell(row.aheadMs)} | ${cell(row.inDeviceMs)} | ${cell(row.inPipeMs)} | ${cell(row.sinkAheadMs)} | ${cell(row.queuedMs)} | ${cell(row.startupMs)} | ${row.bytesAfterKillMax} |`,
    );
  }
  lines.push('');
  for (const row of rows) {
    lines.push(
      `${row.sink}: ${row.runs * row.bargeIns} barge-ins; fake player not yet running at the interrupt (no log, counted as 0 ms played): ${row.playerNotStarted}; player ended other than by the kill: ${row.notKilled}.`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(formatBargeInTable(await runBargeInBench()) + '\n');
  process.exit(0);
}
