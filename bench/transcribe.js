// Transcribe throughput: how many minutes of audio `transcribe` gets through per minute of wall
// time, and the client's CPU per audio minute, against the simulator with no added latency.
//
// Input: a generated few-minute file (BENCH_TRANSCRIBE_MINUTES, default 4), made at run time from
// ../shared/audio/hello-16k.pcm and 1 s of silence repeated, so the simulator's VAD finds a speech
// segment every ~5 s (≈ 48 segments in 4 minutes) and answers each, as a long recording would.
//
// The simulator runs in a child process (`live-cli sim --port 0`), so this process holds only the
// client: the real transcribe pipeline from dist/ (file source → 16 kHz → resilient session →
// completion tracking), the same code the command runs. Measured per run, from opening the file
// to `transcript.done` (the end includes the 1.5 s quiet period that decides the transcript is
// complete):
//   throughput = audio minutes / wall minutes
//   CPU        = process.cpuUsage() (user + system) of this process / audio minutes
//   peak RSS   = this process's maxRSS after the runs (the bench's own overhead included)
// `node bench/transcribe.js` prints the Markdown table; `runTranscribeBench()` returns the numbers.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { EventStream } from '../dist/core/events.js';
import { openLiveSession } from '../dist/live/session.js';
import { resolveLiveConfig } from '../dist/live/config.js';
import { openFileSource } from '../dist/audio/sources/file.js';
import { transcribeDefaults } from '../dist/transcribe/config.js';
import { transcribeFile } from '../dist/transcribe/transcribe-file.js';
import { median } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MINUTES = Number(process.env.BENCH_TRANSCRIBE_MINUTES ?? 4);
const root = resolve(import.meta.dirname, '..');

function makeInput(dir) {
  const speech = readFileSync(resolve(root, '..', 'shared', 'audio', 'hello-16k.pcm'));
  const unit = Buffer.concat([speech, Buffer.alloc(32_000)]);
  const units = Math.ceil((MINUTES * 60 * 32_000) / unit.length);
  const path = join(dir, 'input.pcm');
  writeFileSync(path, Buffer.concat(Array.from({ length: units }, () => unit)));
  return { path, audioMs: (units * unit.length) / 32 };
}

async function startSimProcess() {
  const child = spawn(process.execPath, [join(root, 'bin', 'live-cli.js'), 'sim', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolveUrl, reject) => {
    child.once('exit', (code) => reject(new Error(`live-cli sim exited with ${code}`)));
    lines.once('line', (line) => resolveUrl(JSON.parse(line).url));
  });
  return { url, close: () => new Promise((done) => (child.once('exit', done), child.kill('SIGTERM'))) };
}

async function oneRun(url, input) {
  const { config } = resolveLiveConfig({ ...transcribeDefaults({}, {}, {}), modality: 'text' }, {}, {}, { sim: true, endpoint: url });
  config.outputTranscription = false;
  const out = new EventStream();
  let segments = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const source = await openFileSource(input.path, { pace: 'fast' });
  const result = await transcribeFile({
    source,
    openSession: (events) => openLiveSession({ config, events, id: 'bench' }),
    out,
    onSegment: () => segments++,
    signal: new AbortController().signal,
  });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const audioMinutes = result.audioMs / 60_000;
  return {
    throughput: audioMinutes / (wallMs / 60_000),
    cpuMsPerAudioMinute: (cpu.user + cpu.system) / 1000 / audioMinutes,
    wallMs,
    audioMs: result.audioMs,
    segments,
  };
}

export async function runTranscribeBench() {
  const dir = mkdtempSync(join(tmpdir(), 'live-cli-bench-transcribe-'));
  const sim = await startSimProcess();
  try {
    const input = makeInput(dir);
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await oneRun(sim.url, input));
    return { runs, audioMs: input.audioMs, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatTranscribeTable({ runs, audioMs, peakRssMb }) {
  const pick = (key) => median(runs.map((run) => run[key]));
  return [
    `### Transcribe throughput (simulator in its own process, no added latency; ${(audioMs / 60_000).toFixed(1)}-minute generated input, medians of ${runs.length} runs)`,
    '',
    '| audio minutes per wall minute | wall time per file (s) | client CPU per audio minute (ms) | segments | client peak RSS (MB) |',
    '|---:|---:|---:|---:|---:|',
    `| ${pick('throughput').toFixed(1)} | ${(pick('wallMs') / 1000).toFixed(2)} | ${pick('cpuMsPerAudioMinute').toFixed(0)} | ${pick('segments')} | ${peakRssMb.toFixed(0)} |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(formatTranscribeTable(await runTranscribeBench()) + '\n');
  process.exit(0);
}
