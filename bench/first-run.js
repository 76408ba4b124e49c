// A newcomer's first run: `npx live-cli …` in a fresh checkout installs the checkout into npm's npx
// cache, and npm runs its `prepare` script there. Timed, each a fresh process (median and max of
// BENCH_FIRST_RUNS runs, default 5):
//   npx, first run         `npx live-cli --version` with an empty npm cache (npm_config_cache in a
//                          new temp dir each run): what a first `npx live-cli chat --sim` pays
//                          before the CLI starts
//   npx, later run         the same with that cache kept from the first run
//   node bin/live-cli.js   the CLI alone, no npm
//   full build             `node scripts/build.js`: what `prepare` cost every first run before it
//                          learned to skip a current build (the peer: the old behaviour)
// `node bench/first-run.js` prints the Markdown table; `runFirstRunBench()` returns the numbers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEnv } from './env.js';
import { median } from './stats.js';

const RUNS = Number(process.env.BENCH_FIRST_RUNS ?? 5);
const root = resolve(import.meta.dirname, '..');

function timed(command, args, env) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.trim().split('\n').pop()}`);
  return ms;
}

export async function runFirstRunBench() {
  const env = { ...benchEnv(), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const rows = { npxFirst: [], npxLater: [], direct: [], build: [] };
  for (let i = 0; i < RUNS; i++) {
    const cache = mkdtempSync(join(tmpdir(), 'live-cli-npx-cache-'));
    try {
      const npxEnv = { ...env, npm_config_cache: cache };
      rows.npxFirst.push(timed('npx', ['live-cli', '--version'], npxEnv));
      rows.npxLater.push(timed('npx', ['live-cli', '--version'], npxEnv));
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
    rows.direct.push(timed(process.execPath, ['bin/live-cli.js', '--version'], env));
  }
  // Fewer of these: each is a whole tsc and esbuild run.
  for (let i = 0; i < Math.min(RUNS, 3); i++) rows.build.push(timed(process.execPath, ['scripts/build.js'], env));
  return { runs: RUNS, rows };
}

export function formatFirstRunTable({ runs, rows }) {
  const cell = (values) => `${median(values).toFixed(0)} / ${Math.max(...values).toFixed(0)}`;
  return [
    `### First run after install (ms, median / max of ${runs} runs; the full build of ${rows.build.length})`,
    '',
    '| what | ms |',
    '|---|---|',
    `| \`npx live-cli --version\`, first run (empty npm cache) | ${cell(rows.npxFirst)} |`,
    `| \`npx live-cli --version\`, later run | ${cell(rows.npxLater)} |`,
    `| \`node bin/live-cli.js --version\` | ${cell(rows.direct)} |`,
    `| full build (\`node scripts/build.js\`), which every first npx run paid before the build stamp | ${cell(rows.build)} |`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(formatFirstRunTable(await runFirstRunBench()) + '\n');
}
