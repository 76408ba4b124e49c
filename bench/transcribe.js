// Transcribe throughput: how many minutes of audio `transcribe` gets through per minute of wall
// time, and the client's CPU per audio minute, against the simulator with no added latency.
//
// Input: a generated few-minute file (BENCH_TRANSCRIBE_MINUTES, default 4), made at run time from
// test/fixtures/audio/hello-16k.pcm and 1 s of silence repeated, so the simulator's VAD finds a speech
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
//
// The long run (BENCH_TRANSCRIBE_LONG_MINUTES, default 40; BENCH_TRANSCRIBE_LONG_RUNS, default 3,
// 0 skips it) is the command itself: `live-cli transcribe --endpoint <sim> --json FILE` as its own
// process (bin/live-cli.js, as a user runs it), against a simulator process with its default caps
// (a connection lasts 600 s of audio, goAway 10 s ahead) plus BENCH_TRANSCRIBE_LONG_SIM (default
// `drop-after-messages=40000`: one forced drop, about 13 minutes in), `time=audio`. Per run:
//   peak RSS   = the client process's maximum resident set size, from `/usr/bin/time -f %M` (the
//                figure `time -v` prints), or, without it, the last VmHWM polled from /proc/PID/status
//   CPU        = its user + system time (time's %U + %S, or /proc/PID/stat) / audio minutes
//   segments   = the numbered simulator segments (`[speech #N @start duration]`) found whole in
//                transcript.done, against the number of speech samples in the input: each must
//                appear exactly once, in order
// `node bench/transcribe.js` prints the Markdown tables; `runTranscribeBench()` returns the numbers.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventStream } from '../dist/core/events.js';
import { openLiveSession } from '../dist/live/session.js';
import { resolveLiveConfig } from '../dist/live/config.js';
import { openFileSource } from '../dist/audio/sources/file.js';
import { transcribeDefaults } from '../dist/transcribe/config.js';
import { transcribeFile } from '../dist/transcribe/transcribe-file.js';
import { simFlags, startSimProcess } from './sim-process.js';
import { benchEnv } from './env.js';
import { median } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MINUTES = Number(process.env.BENCH_TRANSCRIBE_MINUTES ?? 4);
const LONG_MINUTES = Number(process.env.BENCH_TRANSCRIBE_LONG_MINUTES ?? 40);
const LONG_RUNS = Number(process.env.BENCH_TRANSCRIBE_LONG_RUNS ?? 3);
const LONG_SIM = process.env.BENCH_TRANSCRIBE_LONG_SIM ?? 'drop-after-messages=40000';
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'live-cli.js');
const TIME = '/usr/bin/time';

/** `minutes` of speech (hello-16k.pcm, 4.03 s) and 1 s of silence, repeated: one VAD segment each. */
function makeInput(dir, minutes, name) {
  const speech = readFileSync(resolve(root, 'test', 'fixtures', 'audio', 'hello-16k.pcm'));
  const unit = Buffer.concat([speech, Buffer.alloc(32_000)]);
  const units = Math.ceil((minutes * 60 * 32_000) / unit.length);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(Array.from({ length: units }, () => unit)));
  return { path, audioMs: (units * unit.length) / 32, speeches: units };
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

/** The environment of a user with only a (fake) key: nothing of ours or the caller's config leaks in. */
function cliEnv(dir) {
  return { ...benchEnv(), GEMINI_API_KEY: 'bench-not-a-key', XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') };
}

/** /proc/PID/status VmHWM (kB) and /proc/PID/stat utime + stime (ms), or undefined once it is gone. */
function procSample(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks (100 Hz).
    return { hwmKb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN), cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
  } catch {
    return undefined;
  }
}

/**
 * Runs `node args…` as its own process and measures it: wall time, peak RSS and CPU from
 * /usr/bin/time when present, else by polling /proc every 20 ms.
 */
async function measureProcess(args, env, dir) {
  const timeFile = join(dir, 'time.txt');
  const withTime = existsSync(TIME);
  const command = withTime ? TIME : process.execPath;
  const commandArgs = withTime ? ['-o', timeFile, '-f', '%M %U %S', process.execPath, ...args] : args;
  const started = performance.now();
  const child = spawn(command, commandArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
  let polled;
  const poll = withTime ? undefined : setInterval(() => (polled = procSample(child.pid) ?? polled), 20);
  const code = await new Promise((done) => child.on('close', done));
  const wallMs = performance.now() - started;
  clearInterval(poll);
  if (withTime) {
    const [rssKb, user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
    return { code, stdout, stderr, wallMs, peakRssKb: rssKb, cpuMs: (user + system) * 1000, rssFrom: 'time' };
  }
  return { code, stdout, stderr, wallMs, peakRssKb: polled?.hwmKb ?? NaN, cpuMs: polled?.cpuMs ?? NaN, rssFrom: 'proc' };
}

/** Which numbered simulator segments transcript.done holds whole: each exactly once, in order, is right. */
function checkSegments(done, speeches) {
  const whole = done.segments.map((segment) => /^\[speech #(\d+) @\d+\.\d\ds \d+\.\d\ds\]$/.exec(segment.text.trim())?.[1]).filter(Boolean).map(Number);
  const seen = new Set(whole);
  const missing = Array.from({ length: speeches }, (_, i) => i + 1).filter((n) => !seen.has(n));
  return {
    segments: done.segments.length,
    whole: whole.length,
    missing,
    doubled: whole.length - seen.size,
    inOrder: whole.every((n, i) => i === 0 || n > (whole[i - 1] ?? 0)),
  };
}

async function longRun(url, input, dir) {
  const result = await measureProcess([bin, 'transcribe', '--endpoint', url, '--json', input.path], cliEnv(dir), dir);
  if (result.code !== 0) throw new Error(`live-cli transcribe exited ${result.code}: ${result.stderr.trim()}`);
  const events = result.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
  const done = events.find((event) => event.type === 'transcript.done');
  const reasons = events.filter((event) => event.type === 'reconnecting').map((event) => event.reason);
  const audioMinutes = done.audioMs / 60_000;
  return {
    throughput: audioMinutes / (result.wallMs / 60_000),
    wallMs: result.wallMs,
    cpuMsPerAudioMinute: result.cpuMs / audioMinutes,
    peakRssMb: result.peakRssKb / 1024,
    rssFrom: result.rssFrom,
    audioMs: done.audioMs,
    connections: 1 + reasons.length,
    goaways: reasons.filter((reason) => reason === 'goaway').length,
    drops: reasons.filter((reason) => reason === 'connection-lost').length,
    ...checkSegments(done, input.speeches),
  };
}

export async function runTranscribeBench() {
  const dir = mkdtempSync(join(tmpdir(), 'live-cli-bench-transcribe-'));
  const sim = await startSimProcess();
  try {
    const input = makeInput(dir, MINUTES, 'input.pcm');
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await oneRun(sim.url, input));
    const result = { runs, audioMs: input.audioMs, peakRssMb: process.resourceUsage().maxRSS / 1024 };
    if (LONG_RUNS <= 0) return result;
    const long = makeInput(dir, LONG_MINUTES, 'long.pcm');
    const longSim = await startSimProcess(simFlags(LONG_SIM));
    try {
      const longRuns = [];
      for (let i = 0; i < LONG_RUNS; i++) longRuns.push(await longRun(longSim.url, long, dir));
      return { ...result, long: { runs: longRuns, audioMs: long.audioMs, speeches: long.speeches, sim: LONG_SIM } };
    } finally {
      await longSim.close();
    }
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatTranscribeTable({ runs, audioMs, peakRssMb, long }) {
  const pick = (key) => median(runs.map((run) => run[key]));
  const lines = [
    `### Transcribe throughput (simulator in its own process, no added latency; ${(audioMs / 60_000).toFixed(1)}-minute generated input, medians of ${runs.length} runs)`,
    '',
    '| audio minutes per wall minute | wall time per file (s) | client CPU per audio minute (ms) | segments | client peak RSS (MB) |',
    '|---:|---:|---:|---:|---:|',
    `| ${pick('throughput').toFixed(1)} | ${(pick('wallMs') / 1000).toFixed(2)} | ${pick('cpuMsPerAudioMinute').toFixed(0)} | ${pick('segments')} | ${peakRssMb.toFixed(0)} |`,
  ];
  if (!long) return lines.join('\n');
  const pickLong = (key) => median(long.runs.map((run) => run[key]));
  const maxRss = Math.max(...long.runs.map((run) => run.peakRssMb));
  const whole = long.runs.map((run) => `${run.whole}${run.doubled > 0 ? ` (${run.doubled} doubled)` : ''}${run.inOrder ? '' : ' (out of order)'}`).join(', ');
  const missing = [...new Set(long.runs.flatMap((run) => run.missing))].sort((a, b) => a - b);
  const rssFrom = long.runs[0]?.rssFrom === 'time' ? '/usr/bin/time %M' : '/proc VmHWM, polled';
  lines.push(
    '',
    `### Transcribe, ${(long.audioMs / 60_000).toFixed(1)}-minute generated input through \`live-cli transcribe --json\` (its own process; simulator process with default caps + \`${long.sim}\`, time=audio; medians of ${long.runs.length} runs)`,
    '',
    `| audio minutes per wall minute | wall time (s) | client CPU per audio minute (ms) | client peak RSS (MB; ${rssFrom}), median (max) | connections (goAway / drop) | numbered segments whole, per run (of ${long.speeches}) |`,
    '|---:|---:|---:|---:|---|---|',
    `| ${pickLong('throughput').toFixed(1)} | ${(pickLong('wallMs') / 1000).toFixed(1)} | ${pickLong('cpuMsPerAudioMinute').toFixed(0)} | ${pickLong('peakRssMb').toFixed(0)} (${maxRss.toFixed(0)}) | ${pickLong('connections')} (${pickLong('goaways')} / ${pickLong('drops')}) | ${whole}${missing.length > 0 ? `; not whole: #${missing.join(', #')}` : ''} |`,
  );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(formatTranscribeTable(await runTranscribeBench()) + '\n');
  process.exit(0);
}
