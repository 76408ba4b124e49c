// TUI cost: what drawing the chat TUI on a terminal costs, over a long two-way voice conversation at
// real-time pace against the simulator (issue 6: ≤ 5 % of one core, RSS growth ≤ 10 MB).
//
// Both runs are the real binary (bin/live-cli.js) as a user runs it, talking to a simulator that
// runs as its own process (`live-cli sim --port 0 --json --time wall --report FILE`), so its CPU is
// not the client's. The fake audio tools of test/fixtures/bin stand in for the sound card: a PATH of
// a temp dir holding `node` and the fake `arecord` and `aplay` (then /usr/bin:/bin, so the shell
// works; the fakes come first). The fake mic loops "hello" (test/fixtures/audio/hello-16k.pcm, 4.03 s)
// and 2 s of silence at real-time pace (FAKE_MIC_LOOP=1), so the simulator's VAD hears a speech
// segment every ~6 s and answers it with synthesised speech, which the client plays through the
// fake aplay (real-time pace, discarded). Both runs use `--player aplay`, so the output path is the
// same (`auto` would probe the `speaker` module first).
//
//   A, TUI       `chat --endpoint URL --player aplay` in tmux (own -L socket, -f /dev/null, 110 × 36,
//                TERM=xterm-256color), as the pane's shell's child; ended with `q` (must exit 0).
//   B, headless  `chat --endpoint URL --no-tui --input mic --output speaker --player aplay
//                --duration S`: the same conversation without the TUI, stdin a pipe kept open until
//                the window ends, stdout (the plain transcript) drained by the bench.
//
// Per run, the live-cli process is found (A: the child of the pane's shell; B: the spawned process)
// and sampled every second: /proc/PID/stat utime + stime (clock ticks, `getconf CLK_TCK`),
// /proc/PID/status VmRSS and VmHWM, /proc/PID/io wchar. After a warm-up (default 30 s, from when the
// process is found), the window (default 10 minutes) is measured:
//   CPU      = (utime + stime) gained in the window / window length, as % of one core. The fake
//              tools are separate processes (children), so their CPU is not counted.
//   RSS      = VmRSS at the window's start and end, their difference, and the highest sample in it;
//              also a least-squares trend (MB per minute) over all samples of the window.
// A − B is the TUI's cost. The simulator process is sampled over the same window, for context, and
// so is the tmux server for A (the terminal emulator parsing what the TUI draws: not our process,
// but work our output causes).
// The conversation is checked from the simulator's report (docs/simulator.md): `speech` records
// (segments its VAD heard), `reply` records of source `speech` (`complete` / `interrupted`), and
// `connection` records (a handoff at the simulator's 600 s connection cap is part of a 10-minute
// session). A run whose window holds no completed reply throws: a dead conversation is not cheap.
//
// Options: `--minutes N` (env BENCH_TUI_MINUTES, default 10; fractions allowed for a smoke run),
// `--runs N` (BENCH_TUI_RUNS, default 1: each run pair takes twice the window plus warm-ups),
// `--warmup S` (BENCH_TUI_WARMUP_S, default 30). BENCH_TUI_SIM: more simulator options
// (`k=v,k2`, default `time=wall`). BENCH_TUI_NODE_ARGS: node flags for the two chat processes only,
// space-separated, before bin/live-cli.js (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile
// them; Node refuses --cpu-prof in NODE_OPTIONS). BENCH_TUI_SHOW_SCREEN=1 prints
// the TUI's screen at the end of each window to stderr.
// `node bench/tui.js` prints the Markdown table; `runTuiBench()` returns the numbers.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simFlags, startSimProcess } from './sim-process.js';
import { benchEnv } from './env.js';
import { median } from './stats.js';

const argv = process.argv.slice(2);
/** `--name V` or `--name=V` on the command line. */
function flag(name) {
  const at = argv.indexOf(name);
  if (at >= 0 && at + 1 < argv.length) return argv[at + 1];
  return argv.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
}

const MINUTES = Number(flag('--minutes') ?? process.env.BENCH_TUI_MINUTES ?? 10);
const RUNS = Number(flag('--runs') ?? process.env.BENCH_TUI_RUNS ?? 1);
const WARMUP_S = Number(flag('--warmup') ?? process.env.BENCH_TUI_WARMUP_S ?? 30);
const SIM_OPTIONS = process.env.BENCH_TUI_SIM ?? 'time=wall';
const CHAT_NODE_ARGS = (process.env.BENCH_TUI_NODE_ARGS ?? '').split(' ').filter((arg) => arg.length > 0);
const SAMPLE_MS = 1000;
const COLUMNS = 110;
const ROWS = 36;

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'live-cli.js');
const fakeBin = join(root, 'test', 'fixtures', 'bin');
const helloPcm = resolve(root, 'test', 'fixtures', 'audio', 'hello-16k.pcm');

const sleep = (ms) => new Promise((done) => setTimeout(done, Math.max(0, ms)));

function clockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
const CLK_TCK = clockTicks();

/** One look at a process: CPU ticks (utime + stime), VmRSS / VmHWM (kB), wchar (bytes); undefined once gone. */
function procSample(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let wchar = NaN;
    try {
      wchar = Number(/wchar:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
    } catch {
      // /proc/PID/io can be unreadable (hardened kernels); wchar is only context.
    }
    return {
      t: performance.now(),
      // utime and stime: fields 14 and 15 of stat, 12 and 13 after the state field (index 11, 12 here).
      ticks: Number(fields[11]) + Number(fields[12]),
      rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN),
      hwmKb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN),
      wchar,
    };
  } catch {
    return undefined;
  }
}

/** The parent pid and command name of a process, from /proc/PID/stat. */
function parentAndName(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) };
  } catch {
    return undefined;
  }
}

/** The node child of `parent` (the pane's shell runs live-cli as its only node child). */
function nodeChildOf(parent) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = parentAndName(Number(entry));
    if (info?.ppid === parent && info.comm === 'node') return Number(entry);
  }
  return undefined;
}

function loadAverage() {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

function startSim(report) {
  return startSimProcess(['--report', report, ...simFlags(SIM_OPTIONS)], baseEnv());
}

/** Also without what would change how the terminal or Node behaves under measurement. */
function baseEnv() {
  return benchEnv(['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS', 'TMUX', 'TMUX_PANE', 'NO_COLOR', 'FORCE_COLOR']);
}

/** A run's private world: fake tools on PATH, the mic signal, XDG dirs, a dummy key. */
function runWorld(base) {
  const fake = join(base, 'bin');
  mkdirSync(fake);
  symlinkSync(process.execPath, join(fake, 'node'));
  for (const tool of ['arecord', 'aplay']) symlinkSync(join(fakeBin, tool), join(fake, tool));
  const mic = join(base, 'mic-16k.pcm');
  // "hello" then two seconds of silence, looped: one speech segment (and one reply) every ~6 s.
  writeFileSync(mic, Buffer.concat([readFileSync(helloPcm), Buffer.alloc(64_000)]));
  const env = {
    ...baseEnv(),
    PATH: `${fake}:/usr/bin:/bin`,
    FAKE_MIC_FILE: mic,
    FAKE_MIC_LOOP: '1',
    GEMINI_API_KEY: 'bench-key',
    XDG_STATE_HOME: join(base, 'state'),
    XDG_CONFIG_HOME: join(base, 'config'),
    XDG_CACHE_HOME: join(base, 'cache'),
  };
  return { env, report: join(base, 'sim-report.ndjson') };
}

/**
 * Samples `pids` (name → pid) every second from `start` (ms, performance.now) for `windowMs`, on an
 * absolute schedule, plus the load average. Returns the samples per name.
 */
async function sampleWindow(pids, start, windowMs) {
  const samples = Object.fromEntries(Object.keys(pids).map((name) => [name, []]));
  const load = [];
  await sleep(start - performance.now());
  for (let k = 0; ; k++) {
    const due = Math.min(start + k * SAMPLE_MS, start + windowMs);
    await sleep(due - performance.now());
    for (const [name, pid] of Object.entries(pids)) {
      const sample = pid === undefined ? undefined : procSample(pid);
      if (sample) samples[name].push(sample);
    }
    load.push(loadAverage());
    if (due >= start + windowMs) break;
  }
  return { samples, load };
}

/** CPU % of one core, RSS (MB) at start / end / growth / peak and the trend (MB per minute) of one process's window. */
function summarise(samples) {
  if (!samples || samples.length < 2) return undefined;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const seconds = (last.t - first.t) / 1000;
  const mb = (kb) => kb / 1024;
  const xs = samples.map((s) => (s.t - first.t) / 60_000);
  const ys = samples.map((s) => mb(s.rssKb));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return {
    cpuPct: ((last.ticks - first.ticks) / CLK_TCK / seconds) * 100,
    rssStart: mb(first.rssKb),
    rssEnd: mb(last.rssKb),
    growth: mb(last.rssKb - first.rssKb),
    peak: Math.max(...ys),
    trendMbPerMin: den > 0 ? num / den : 0,
    hwm: mb(last.hwmKb),
    wcharPerS: (last.wchar - first.wchar) / seconds,
    seconds,
  };
}

/** What the simulator's report says happened: in the window (report clock) and over the whole run. */
function conversation(reportPath, sim, windowStart, windowMs) {
  const records = existsSync(reportPath)
    ? readFileSync(reportPath, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line))
    : [];
  // Report `t` is ms since the simulator started; its listening line came a moment after that.
  const from = windowStart - sim.startedAt;
  const to = from + windowMs;
  const inWindow = (record) => record.t >= from && record.t <= to;
  const replies = records.filter((r) => r.type === 'reply' && r.source === 'speech');
  const count = (list, keep) => ({ window: list.filter((r) => keep(r) && inWindow(r)).length, total: list.filter(keep).length });
  return {
    speech: count(records.filter((r) => r.type === 'speech'), () => true),
    complete: count(replies, (r) => r.outcome === 'complete'),
    interrupted: count(replies, (r) => r.outcome === 'interrupted'),
    replyAudioSeconds: replies.filter(inWindow).reduce((sum, r) => sum + (r.audioBytes ?? 0), 0) / 48_000,
    connections: records.filter((r) => r.type === 'connection').length,
  };
}

function shellQuote(value) {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/** Run A: chat in a real terminal (tmux), ended with `q`. */
async function runTui(base, sim, world) {
  const socket = `live-cli-bench-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const tmux = (args) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: world.env });
  const env = { ...world.env, TERM: 'xterm-256color' };
  const exitFile = join(base, 'tui-exit');
  const script = join(base, 'tui.sh');
  const exports = Object.entries(env)
    .filter(([name, value]) => value !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  const command = [process.execPath, ...CHAT_NODE_ARGS, bin, 'chat', '--endpoint', sim.url, '--player', 'aplay'].map(shellQuote).join(' ');
  writeFileSync(
    script,
    ['#!/bin/sh', ...exports, `cd ${shellQuote(root)}`, command, 'code=$?', `echo $code > ${shellQuote(exitFile)}`, 'echo "[exit $code]"', 'exec /bin/sleep 3600', ''].join('\n'),
    { mode: 0o700 },
  );
  tmux(['new-session', '-d', '-s', 'bench', '-x', String(COLUMNS), '-y', String(ROWS), `sh ${shellQuote(script)}`]);
  try {
    const shellPid = Number(tmux(['list-panes', '-t', 'bench', '-F', '#{pane_pid}']).trim());
    const serverPid = Number(tmux(['display-message', '-p', '-t', 'bench', '#{pid}']).trim());
    let pid;
    const deadline = performance.now() + 15_000;
    while (!pid && performance.now() < deadline) {
      pid = nodeChildOf(shellPid);
      if (!pid) await sleep(50);
    }
    if (!pid) throw new Error(`the TUI's live-cli process did not start; the screen was:\n${tmux(['capture-pane', '-p', '-t', 'bench'])}`);
    const start = performance.now() + WARMUP_S * 1000;
    const windowMs = MINUTES * 60_000;
    const { samples, load } = await sampleWindow({ client: pid, sim: sim.pid, terminal: serverPid }, start, windowMs);
    const screen = tmux(['capture-pane', '-p', '-t', 'bench']);
    tmux(['send-keys', '-t', 'bench', 'q']);
    let code;
    const exitDeadline = performance.now() + 30_000;
    while (code === undefined && performance.now() < exitDeadline) {
      if (existsSync(exitFile)) code = Number(readFileSync(exitFile, 'utf8').trim());
      else await sleep(100);
    }
    const after = tmux(['capture-pane', '-p', '-t', 'bench']);
    return { samples, load, start, windowMs, exitCode: code ?? null, screen, after };
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  }
}

/** Run B: the same conversation headless, ended by the mic's --duration and stdin's end. */
async function runHeadless(sim, world) {
  const windowMs = MINUTES * 60_000;
  const duration = WARMUP_S + windowMs / 1000 + 3;
  const child = spawn(
    process.execPath,
    [...CHAT_NODE_ARGS, bin, 'chat', '--endpoint', sim.url, '--no-tui', '--input', 'mic', '--output', 'speaker', '--player', 'aplay', '--duration', String(duration)],
    { cwd: root, env: world.env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const start = performance.now() + WARMUP_S * 1000;
  let stdoutBytes = 0;
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdoutBytes += chunk.length));
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr = (stderr + text).slice(-4000)));
  child.stdin.on('error', () => undefined);
  const exited = new Promise((done) => child.on('close', (code, signal) => done({ code, signal })));
  const { samples, load } = await sampleWindow({ client: child.pid, sim: sim.pid }, start, windowMs);
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGINT'), 30_000);
  const { code, signal } = await exited;
  clearTimeout(timer);
  return { samples, load, start, windowMs, exitCode: code ?? signal, stdoutBytes, stderr };
}

/** One pair of runs (A then B), each against its own simulator process. */
async function onePair() {
  const results = {};
  for (const kind of ['tui', 'headless']) {
    const base = mkdtempSync(join(os.tmpdir(), `live-cli-bench-tui-${kind}-`));
    try {
      const world = runWorld(base);
      const sim = await startSim(world.report);
      let run;
      try {
        run = kind === 'tui' ? await runTui(base, sim, world) : await runHeadless(sim, world);
      } finally {
        await sim.close();
      }
      const talk = conversation(world.report, sim, run.start, run.windowMs);
      const result = {
        client: summarise(run.samples.client),
        sim: summarise(run.samples.sim),
        terminal: run.samples.terminal ? summarise(run.samples.terminal) : undefined,
        load: run.load.reduce((a, b) => a + b, 0) / run.load.length,
        exitCode: run.exitCode,
        talk,
        ...(kind === 'tui' ? { screen: run.screen, after: run.after } : { stdoutBytes: run.stdoutBytes, stderr: run.stderr }),
      };
      if (!result.client) throw new Error(`${kind}: the live-cli process ended before the window did (exit ${run.exitCode}); ${run.after ?? run.stderr}`);
      if (talk.complete.window === 0) {
        throw new Error(`${kind}: no spoken reply completed in the window (speech segments heard: ${talk.speech.total}); ${run.screen ?? run.stderr}`);
      }
      if (kind === 'tui' && process.env.BENCH_TUI_SHOW_SCREEN === '1') process.stderr.write(`${run.screen}\n${run.after}\n`);
      results[kind] = result;
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }
  return results;
}

export async function runTuiBench() {
  const hasTmux = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
  if (!hasTmux) throw new Error('the TUI bench needs tmux');
  if (!existsSync('/proc/self/stat')) throw new Error('the TUI bench reads /proc (Linux only)');
  const runs = [];
  const loadBefore = os.loadavg();
  for (let i = 0; i < RUNS; i++) runs.push(await onePair());
  return { runs, minutes: MINUTES, warmupS: WARMUP_S, sim: SIM_OPTIONS, loadBefore, loadAfter: os.loadavg(), clkTck: CLK_TCK };
}

export function formatTuiTable({ runs, minutes, warmupS, sim, loadBefore, loadAfter, clkTck }) {
  const pick = (kind, part, key) => median(runs.map((run) => run[kind][part]?.[key]).filter((v) => v !== undefined && !Number.isNaN(v)));
  const diff = (key) => median(runs.map((run) => run.tui.client[key] - run.headless.client[key]));
  const turns = (kind) => median(runs.map((run) => run[kind].talk.complete.window));
  const pct = (v) => (Number.isNaN(v) ? '—' : v.toFixed(2));
  const mb = (v) => (Number.isNaN(v) ? '—' : v.toFixed(1));
  const signed = (v) => (Number.isNaN(v) ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(1)}`);
  const row = (label, cpu, start, end, growth, peak, turnCount) => `| ${label} | ${cpu} | ${start} | ${end} | ${growth} | ${peak} | ${turnCount} |`;
  const client = (kind, label) =>
    row(label, pct(pick(kind, 'client', 'cpuPct')), mb(pick(kind, 'client', 'rssStart')), mb(pick(kind, 'client', 'rssEnd')), signed(pick(kind, 'client', 'growth')), mb(pick(kind, 'client', 'peak')), turns(kind));
  const simRow = (kind, label) =>
    row(label, pct(pick(kind, 'sim', 'cpuPct')), mb(pick(kind, 'sim', 'rssStart')), mb(pick(kind, 'sim', 'rssEnd')), signed(pick(kind, 'sim', 'growth')), mb(pick(kind, 'sim', 'peak')), '—');
  const n = runs.length;
  const how = n === 1 ? '1 run (no median: a single measurement)' : `medians of ${n} runs`;
  const lines = [
    `### TUI cost: a ${minutes}-minute two-way voice conversation at real-time pace, TUI vs headless (${how}; window after ${warmupS} s warm-up)`,
    '',
    '| row | CPU % of one core | RSS start (MB) | RSS end (MB) | growth (MB) | peak (MB) | turns |',
    '|---|---:|---:|---:|---:|---:|---:|',
    client('tui', 'TUI (chat on a terminal)'),
    client('headless', 'headless (same audio, --no-tui)'),
    row('TUI cost (A − B)', pct(diff('cpuPct')), signed(diff('rssStart')), signed(diff('rssEnd')), signed(diff('growth')), signed(diff('peak')), '—'),
    simRow('tui', 'simulator process (during the TUI run)'),
    simRow('headless', 'simulator process (during the headless run)'),
    '',
    `turns: spoken exchanges the simulator answered in full (\`reply\` records, source speech, outcome complete) inside the window. Simulator: \`live-cli sim --port 0 --json --report FILE\` + \`${sim}\`, its own process. CLK_TCK ${clkTck}; /proc sampled every ${SAMPLE_MS / 1000} s.`,
    '',
  ];
  runs.forEach((run, i) => {
    for (const kind of ['tui', 'headless']) {
      const r = run[kind];
      const t = r.talk;
      const parts = [
        `run ${i + 1} ${kind === 'tui' ? 'TUI' : 'headless'}: exit ${r.exitCode}`,
        `CPU ${pct(r.client.cpuPct)} % over ${r.client.seconds.toFixed(0)} s`,
        `RSS ${mb(r.client.rssStart)} → ${mb(r.client.rssEnd)} MB (trend ${signed(r.client.trendMbPerMin)} MB/min, peak ${mb(r.client.peak)}, VmHWM ${mb(r.client.hwm)})`,
        `written ${(r.client.wcharPerS / 1024).toFixed(1)} KiB/s (wchar)`,
        `speech segments ${t.speech.window} in window / ${t.speech.total} in run, replies complete ${t.complete.window} / ${t.complete.total}, interrupted ${t.interrupted.window} / ${t.interrupted.total}, reply audio in window ${t.replyAudioSeconds.toFixed(0)} s, connections ${t.connections}`,
        `load average ${r.load.toFixed(2)}`,
      ];
      if (r.terminal) parts.push(`tmux server ${pct(r.terminal.cpuPct)} % of one core`);
      lines.push(`- ${parts.join('; ')}.`);
    }
  });
  lines.push(
    '',
    `Machine load (1-minute average) before ${loadBefore[0].toFixed(2)}, after ${loadAfter[0].toFixed(2)}; ${os.cpus().length} CPUs.`,
  );
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cpus = os.cpus();
  process.stdout.write(
    `Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}\nDate: ${new Date().toISOString().slice(0, 10)}\n\n`,
  );
  process.stdout.write(formatTuiTable(await runTuiBench()) + '\n');
  process.exit(0);
}
