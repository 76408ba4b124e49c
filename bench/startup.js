// Start-up: how long the real binary takes to answer, run as a user runs it (a fresh process each
// time), with the peers beside it in the same run:
//   bundle + code cache    bin/live-cli.js as shipped: dist/live-cli.cjs through V8's code cache
//                          (warmed by one untimed run of each command first)
//   bundle, no code cache  LIVE_CLI_NO_CODE_CACHE=1: the same bundle compiled from source each time
//   tsc output             LIVE_CLI_NO_BUNDLE=1: dist/cli/main.js and node_modules, file by file
//   node baseline          `node -e 0` (and, on the terminal, a node that writes one byte and exits)
// Rows (ms from spawn; the variants take turns run by run, so machine load hits them alike):
//   --help, --version           wall time to exit
//   chat --json                 `chat --sim --text hi --json --no-log`: first byte on stdout or
//                               stderr, and the `session.open` line on stdout
//   TUI                         `chat --sim --no-log --output none` in a pseudo-terminal of
//                               100 × 30 (python3's pty: node is exec'd straight after the fork,
//                               timed from the fork): the first byte, and the first output matching
//                               BENCH_TUI_PATTERN (default /connect/i; escape sequences removed),
//                               the connection progress. Ended with Ctrl-C after.
// Medians and p90 of BENCH_STARTUP_RUNS runs (default 15). The children's environment drops
// NODE_EXTRA_CA_CERTS: Node 20 reads that bundle at every start (about 90 ms on a machine where it
// names the system store), which would hide what the CLI itself costs.
// `node bench/startup.js` prints the Markdown table; `runStartupBench()` returns the numbers.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEnv } from './env.js';
import { percentile } from './stats.js';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
const TUI_PATTERN = new RegExp(process.env.BENCH_TUI_PATTERN ?? 'connect', 'i');
/** A run that shows neither the pattern nor an exit in this time is ended and counted as missing. */
const TIMEOUT_MS = Number(process.env.BENCH_STARTUP_TIMEOUT_MS ?? 10_000);
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'live-cli.js');

export const VARIANTS = [
  { key: 'cached', label: 'bundle + code cache', env: {} },
  { key: 'uncached', label: 'bundle, no code cache', env: { LIVE_CLI_NO_CODE_CACHE: '1' } },
  { key: 'tsc', label: 'tsc output (no bundle)', env: { LIVE_CLI_NO_BUNDLE: '1' } },
  { key: 'node', label: 'node baseline', env: {} },
];

/** The environment of every child: nothing that reaches a real service or changes defaults. */
function childEnv(dirs, extra) {
  return { ...benchEnv(['NODE_EXTRA_CA_CERTS']), ...dirs, NO_COLOR: '1', ...extra };
}

/**
 * Spawns `command` and times it: the first byte on stdout or stderr, the first time the output
 * matches `until`, and the exit.
 */
function timeRun(command, args, { env, until }) {
  return new Promise((resolveRun) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const result = { firstByte: NaN, match: NaN, exit: NaN };
    let text = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    const onData = (chunk) => {
      const now = performance.now() - started;
      if (Number.isNaN(result.firstByte)) result.firstByte = now;
      if (!until || !Number.isNaN(result.match)) return;
      text += chunk.toString('utf8');
      if (until.test(text)) result.match = now;
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', () => {
      result.exit = performance.now() - started;
      clearTimeout(timer);
      resolveRun(result);
    });
  });
}

/**
 * The terminal harness (python3, argv: the command as JSON, the pattern or "", the timeout in s):
 * forks onto a pseudo-terminal of 100 × 30, execs the command, and times from the fork the first
 * byte and the first output matching the pattern (escape sequences removed); then it types Ctrl-C
 * and waits for the end (a hang-up, then SIGKILL, if it does not come). Prints one JSON line.
 */
const PTY_HARNESS = String.raw`
import fcntl, json, os, pty, re, select, signal, struct, sys, termios, time
argv, pattern, timeout = json.loads(sys.argv[1]), sys.argv[2], float(sys.argv[3])
pattern = re.compile(pattern, re.I) if pattern else None
ansi = re.compile(rb'\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])')
started = time.perf_counter()
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack('HHHH', 30, 100, 0, 0))
    os.execv(argv[0], argv)
first = match = None
text = b''
deadline = started + timeout
while True:
    ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.perf_counter()))
    if not ready:
        break
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    now = time.perf_counter()
    if first is None:
        first = now
    if pattern and match is None:
        text += data
        if pattern.search(ansi.sub(b'', text).decode('utf-8', 'replace')):
            match = now
            os.write(fd, b'')
            deadline = now + 3
for sig in (signal.SIGHUP, signal.SIGKILL):
    if os.waitpid(pid, os.WNOHANG) != (0, 0):
        break
    os.kill(pid, sig)
    time.sleep(0.5)
else:
    os.waitpid(pid, 0)
ms = lambda t: None if t is None else (t - started) * 1000
print(json.dumps({'firstByte': ms(first), 'match': ms(match)}))
`;

/** Runs `argv` in a pseudo-terminal (PTY_HARNESS); its first byte, and when `until` first matched. */
function timeInTerminal(argv, { env, until }) {
  const timeoutS = String(TIMEOUT_MS / 1000);
  const harness = spawnSync('python3', ['-c', PTY_HARNESS, JSON.stringify(argv), until?.source ?? '', timeoutS], { env, encoding: 'utf8' });
  const { firstByte, match } = JSON.parse(harness.stdout.trim().split('\n').at(-1) ?? '{}');
  return { firstByte: firstByte ?? NaN, match: match ?? NaN };
}

function hasPythonPty() {
  return spawnSync('python3', ['-c', 'import pty, fcntl, termios'], { stdio: 'ignore' }).status === 0;
}

/** One timed run of `row` for `variant`: the measured values by name. */
async function measure(row, variant, env) {
  const node = variant.key === 'node';
  if (row === 'help' || row === 'version') {
    const args = node ? ['-e', '0'] : [bin, row === 'help' ? '--help' : '--version'];
    const { exit } = await timeRun(process.execPath, args, { env });
    return { exit };
  }
  if (row === 'json') {
    if (node) return {};
    const { firstByte, match } = await timeRun(process.execPath, [bin, 'chat', '--sim', '--text', 'hi', '--json', '--no-log'], {
      env,
      until: /"type":"session\.open"/,
    });
    return { firstByte, open: match };
  }
  const argv = [process.execPath, ...(node ? ['-e', "process.stdout.write('x')"] : [bin, 'chat', '--sim', '--no-log', '--output', 'none'])];
  const { firstByte, match } = timeInTerminal(argv, { env, ...(node ? {} : { until: TUI_PATTERN }) });
  return node ? { firstByte } : { firstByte, shown: match };
}

/** The bundle's build (its first line) if it is what bin/live-cli.js runs: newer than the tsc output. */
function bundleBuild() {
  const bundle = join(root, 'dist', 'live-cli.cjs');
  const tscOutput = statSync(join(root, 'dist', 'cli', 'main.js'), { throwIfNoEntry: false });
  const stat = statSync(bundle, { throwIfNoEntry: false });
  if (!stat || (tscOutput && tscOutput.mtimeMs > stat.mtimeMs)) {
    throw new Error('dist/live-cli.cjs is missing or older than dist/cli/main.js, so the CLI would run the tsc output: run `npm run build` first');
  }
  return readFileSync(bundle, 'latin1').slice(0, 40).split('\n')[0];
}

export async function runStartupBench() {
  const build = bundleBuild();
  const rows = ['help', 'version', 'json', ...(hasPythonPty() ? ['tui'] : [])];
  const samples = {}; // samples[row][measure][variant] = ms[]
  const dirs = [];
  const envs = new Map();
  for (const variant of VARIANTS) {
    const base = mkdtempSync(join(tmpdir(), `live-cli-bench-startup-${variant.key}-`));
    dirs.push(base);
    const xdg = { XDG_CACHE_HOME: join(base, 'cache'), XDG_CONFIG_HOME: join(base, 'config'), XDG_STATE_HOME: join(base, 'state') };
    envs.set(variant.key, childEnv(xdg, variant.env));
  }
  try {
    // One untimed run of each, in order: writes each command's code cache (`--help` before
    // `--version`: they share one, and help compiles more of the program).
    for (const row of rows) for (const variant of VARIANTS) await measure(row, variant, envs.get(variant.key));
    for (let run = 0; run < RUNS; run++) {
      for (const row of rows) {
        for (const variant of VARIANTS) {
          const values = await measure(row, variant, envs.get(variant.key));
          for (const [name, ms] of Object.entries(values)) {
            ((samples[row] ??= {})[name] ??= {})[variant.key] ??= [];
            samples[row][name][variant.key].push(ms);
          }
        }
      }
    }
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  // A rebuild during the run (another shell's `npm run build`) mixes cold and warm caches, or runs.
  if (bundleBuild() !== build) throw new Error('the bundle was rebuilt during the run: its figures are mixed; run the bench again');
  const bundleBytes = ['live-cli.cjs', 'live-cli-ui.cjs', 'live-cli-sdk.cjs']
    .map((file) => [file, statSync(join(root, 'dist', file), { throwIfNoEntry: false })?.size])
    .filter(([, bytes]) => bytes !== undefined);
  return { samples, runs: RUNS, rows, bundleBytes, pattern: TUI_PATTERN };
}

/** p50 and p90 of the values that were measured; a missing value (the pattern never showed) is counted. */
function summary(values) {
  if (!values) return '—';
  const seen = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (seen.length === 0) return 'not seen';
  const missing = values.length - seen.length;
  return `${percentile(seen, 50).toFixed(0)} / ${percentile(seen, 90).toFixed(0)}${missing ? ` (${missing} of ${values.length} not seen)` : ''}`;
}

export function formatStartupTable({ samples, runs, rows, bundleBytes, pattern }) {
  const lines = [
    `### Start-up (ms from spawn, p50 / p90 of ${runs} runs; children without NODE_EXTRA_CA_CERTS)`,
    '',
    `| measure | target (p50) | ${VARIANTS.map((v) => v.label).join(' | ')} |`,
    `|---|---:|${VARIANTS.map(() => '---:').join('|')}|`,
  ];
  const names = {
    help: [['exit', '`--help`: exit', '≤ 100']],
    version: [['exit', '`--version`: exit', '']],
    json: [
      ['firstByte', '`chat --sim --text hi --json --no-log`: first output', ''],
      ['open', '… `session.open` on stdout', ''],
    ],
    tui: [
      ['firstByte', 'TUI `chat --sim --no-log --output none` (pty): first output', '≤ 60'],
      ['shown', `… connection progress shown (${pattern})`, '≤ 250'],
    ],
  };
  for (const row of rows) {
    for (const [name, label, target] of names[row]) {
      lines.push(`| ${label} | ${target} | ${VARIANTS.map((v) => summary(samples[row]?.[name]?.[v.key])).join(' | ')} |`);
    }
  }
  if (!rows.includes('tui')) lines.push('', 'The terminal rows were skipped: python3 with its pty module is needed.');
  if (bundleBytes) lines.push('', `Bundle: ${bundleBytes.map(([file, bytes]) => `${file} ${(bytes / 1024).toFixed(0)} KiB`).join(', ')}. In the terminal the node baseline writes one byte.`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(formatStartupTable(await runStartupBench()) + '\n');
  process.exit(0);
}
