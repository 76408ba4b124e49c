// Continuity under dense faults (issue 11): `live-cli chat --pace fast` with a goAway every 10 s
// and a drop every 7 s of the simulator's clock (handle-every=2), on the Gemini API and on Vertex
// with transparent resumption, one run per seed. The simulator dumps the audio it kept
// (`kept-audio`); each kept chunk is found in the input (a dithered speech file in which every
// stretch is unique), so:
//   lost bytes     = input the kept audio lacks (must be 0)
//   doubled / seam = input kept twice at each seam (a resume re-sent what the handle already had)
//   replies doubled = segments for which the user saw the reply's opening twice
//   switch gap     = the client's `resumed.gapMs` (old connection lost or left → new one resumed)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchEnv } from './env.js';
import { median, percentile } from './stats.js';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'live-cli.js');
const SEEDS = (process.env.BENCH_SEEDS ?? '1,2,3').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_DENSE_SECONDS ?? 90);
const SCHEDULE = 'go-away-every=10,go-away-time-left=2,drop-every=7,handle-every=2';

/** hello-16k.pcm and 1.5 s of silence, repeated, with a seeded ±3 LSB dither (as the tests build it). */
function uniqueSpeech(seconds) {
  const hello = readFileSync(join(root, 'test', 'fixtures', 'audio', 'hello-16k.pcm'));
  const parts = [];
  let length = 0;
  while (length < seconds * 32_000) {
    // 1.5 s pauses, as in test/e2e/continuity-dense.test.ts (which says why).
    parts.push(hello, Buffer.alloc(1.5 * 32_000));
    length += hello.length + 1.5 * 32_000;
  }
  const data = Buffer.concat(parts);
  let state = 1;
  for (let offset = 0; offset + 1 < data.length; offset += 2) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    data.writeInt16LE(Math.max(-32_768, Math.min(32_767, data.readInt16LE(offset) + (state >>> 29) - 3)), offset);
  }
  return data;
}

/** Walks the kept chunks against the input: what is missing, and what each seam doubled. */
function account(input, keptFile) {
  const kept = readFileSync(keptFile);
  const sizes = JSON.parse(readFileSync(keptFile.replace(/\.pcm$/, '.chunks.json'), 'utf8'));
  let covered = 0;
  let offset = 0;
  let lost = 0;
  const seams = [];
  for (const size of sizes) {
    const chunk = kept.subarray(offset, offset + size);
    offset += size;
    let at = input.subarray(covered, covered + size).equals(chunk) ? covered : input.indexOf(chunk, Math.max(0, covered - 4 * 32_000));
    if (at === -1) at = input.indexOf(chunk);
    if (at === -1) continue;
    if (at > covered) lost += at - covered;
    else if (at < covered) {
      const doubled = Math.min(covered, at + size) - at;
      const last = seams.at(-1);
      if (last && last.at === covered) last.doubled += doubled;
      else seams.push({ at: covered, doubled });
    }
    covered = Math.max(covered, at + size);
  }
  return { lost: lost + input.length - covered, seams };
}

function run(args, env) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...benchEnv(), ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout }));
  });
}

function repliesDoubled(events) {
  let doubled = 0;
  let text = '';
  const close = () => {
    if (text.split('I heard').length - 1 > 1) doubled++;
    text = '';
  };
  for (const event of events) {
    if (event.type === 'transcript.input' && String(event.text).includes('[speech #')) close();
    if (event.type === 'transcript.output') text += event.text;
  }
  close();
  return doubled;
}

async function oneRun(dir, input, inputPath, seed, vertex) {
  const kept = join(dir, `kept-${vertex ? 'v' : 'g'}-${seed}`);
  const sim = `--sim=${SCHEDULE},seed=${seed},kept-audio=${kept}${vertex ? ',transparent' : ''}`;
  const args = ['chat', sim, '--input', inputPath, '--pace', 'fast', '--json', '--no-log', ...(vertex ? ['--vertex'] : [])];
  const { code, stdout } = await run(args, vertex ? { GOOGLE_API_KEY: 'bench-vertex-key' } : { GEMINI_API_KEY: 'bench-key' });
  const events = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const { lost, seams } = account(input, join(kept, 's1.pcm'));
  const resumed = events.filter((event) => event.type === 'resumed');
  return { code, lost, seams, repliesDoubled: repliesDoubled(events), gaps: resumed.map((event) => event.gapMs), resumes: resumed.length };
}

/** SIGTERM while a reconnect hangs (`stall-reconnect`) → the process has exited, in ms. */
async function signalExitMs(dir) {
  const hello = join(root, 'test', 'fixtures', 'audio', 'hello-16k.pcm');
  const args = ['chat', '--sim=drop-every=2,stall-reconnect', '--input', hello, '--pace', 'fast', '--json', '--no-log'];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...benchEnv(), GEMINI_API_KEY: 'bench-key' }, stdio: ['ignore', 'pipe', 'ignore'] });
    let signalledAt;
    child.stdout.setEncoding('utf8').on('data', (text) => {
      if (signalledAt === undefined && text.includes('"type":"reconnecting"')) {
        // Let the attempt get under way (its backoff is about 100 ms), then stop.
        setTimeout(() => {
          signalledAt = performance.now();
          child.kill('SIGTERM');
        }, 300);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ ms: performance.now() - (signalledAt ?? NaN), code }));
  });
}

export async function runDenseBench() {
  const dir = mkdtempSync(join(tmpdir(), 'live-cli-bench-dense-'));
  const input = uniqueSpeech(SECONDS);
  const inputPath = join(dir, 'input.pcm');
  writeFileSync(inputPath, input);
  const rows = {};
  for (const vertex of [false, true]) {
    const runs = [];
    for (const seed of SEEDS) runs.push(await oneRun(dir, input, inputPath, seed, vertex));
    rows[vertex ? 'vertex' : 'gemini'] = runs;
  }
  rows.signal = [];
  for (let i = 0; i < 5; i++) rows.signal.push(await signalExitMs(dir));
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

export function formatDenseTable(rows) {
  const lines = [
    `### Dense faults (${SCHEDULE}; ${SECONDS} s of speech, \`--pace fast\`; seeds ${SEEDS.join(', ')}; one run each)`,
    '',
    '| API | exit codes | resumes | lost bytes (max) | doubled per seam, median / max | seams doubling | replies doubled (total) | switch gap p50 / p99 (`resumed.gapMs`) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, runs] of Object.entries(rows).filter(([key]) => key !== 'signal')) {
    const seams = runs.flatMap((r) => r.seams.map((s) => s.doubled / 32));
    const gaps = runs.flatMap((r) => r.gaps).sort((a, b) => a - b);
    const label = name === 'gemini' ? 'Gemini API' : 'Vertex, transparent';
    lines.push(
      `| ${label} | ${runs.map((r) => r.code).join(', ')} | ${runs.map((r) => r.resumes).join(', ')} | ${Math.max(...runs.map((r) => r.lost))} B | ${seams.length ? `${median(seams).toFixed(0)} / ${Math.max(...seams).toFixed(0)} ms` : '0 ms'} | ${seams.length} | ${runs.reduce((sum, r) => sum + r.repliesDoubled, 0)} | ${percentile(gaps, 50)} / ${percentile(gaps, 99)} ms |`,
    );
  }
  const signal = rows.signal ?? [];
  if (signal.length > 0) {
    lines.push(
      '',
      `SIGTERM during a reconnect that never completes (\`stall-reconnect\`) → exit: median ${median(signal.map((s) => s.ms)).toFixed(0)} ms, max ${Math.max(...signal.map((s) => s.ms)).toFixed(0)} ms over ${signal.length} runs (exit codes ${[...new Set(signal.map((s) => s.code))].join(', ')}; target ≤ 1 s).`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${formatDenseTable(await runDenseBench())}\n`);
}
