// `npm run build` (node scripts/build.js): the tsc output in dist/, then the bundle
// (scripts/bundle.js), then a stamp of what was built from. `npm install`'s `prepare` runs it with
// `--if-stale`, which builds only when the stamp does not match the sources. Why: `npx live-cli` in
// a checkout installs the checkout into npm's npx cache, and npm runs `prepare` there, so without the
// stamp a newcomer's first `npx live-cli chat --sim` waited for a whole tsc and esbuild run (5–30 s)
// before the first frame.
//
// Without esbuild's platform package (`npm install --omit=optional` leaves it out, esbuild's binary
// being an optional dependency of esbuild) the bundle cannot be made: this says so once, removes any
// older bundle, and bin/live-cli.js runs the tsc output, which starts slower but does the same.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const stampPath = join(dist, '.build-inputs');
const BUNDLE_FILES = ['live-cli.cjs', 'live-cli-ui.cjs', 'live-cli-sdk.cjs', 'live-cli-mcp.cjs'];

/** Every file the build reads from the checkout, hashed by path and content. */
function inputsHash() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  walk(join(root, 'src'));
  for (const name of ['scripts/build.js', 'scripts/bundle.js', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json']) {
    if (existsSync(join(root, name))) files.push(join(root, name));
  }
  const hash = createHash('sha256');
  for (const file of files.sort()) hash.update(`${relative(root, file)}\0`).update(readFileSync(file)).update('\0');
  hash.update(process.version);
  return hash.digest('hex').slice(0, 32);
}

/** The stamp, if it matches these inputs and what it says was built is still there. */
function isFresh(hash) {
  let stamp;
  try {
    stamp = readFileSync(stampPath, 'utf8').trim().split(' ');
  } catch {
    return false;
  }
  const [built, mode] = stamp;
  if (built !== hash || !existsSync(join(dist, 'cli', 'main.js'))) return false;
  // A build without the bundle is tried again: esbuild's binary may have been installed since.
  return mode === 'bundle' && BUNDLE_FILES.every((file) => existsSync(join(dist, file)));
}

function fail(message) {
  process.stderr.write(`live-cli build: ${message}\n`);
  process.exit(1);
}

function runNode(args, what) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) fail(`${what} failed (exit ${result.status ?? result.signal})`);
}

/** True when esbuild can build here: its platform binary is an optional dependency. */
async function esbuildWorks() {
  try {
    const { build } = await import('esbuild');
    await build({ stdin: { contents: '' }, write: false, logLevel: 'silent' });
    return true;
  } catch {
    return false;
  }
}

const hash = inputsHash();
// --check: only say whether dist/ is current (exit 0) or not (exit 1); never builds.
if (process.argv.includes('--check')) process.exit(isFresh(hash) ? 0 : 1);
if (process.argv.includes('--if-stale') && isFresh(hash)) process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  fail('TypeScript is not installed: run `npm install` (with dev dependencies) in the checkout');
}
runNode([tsc, '-p', 'tsconfig.build.json'], 'tsc -p tsconfig.build.json');

let mode = 'bundle';
if (await esbuildWorks()) {
  runNode([join(root, 'scripts', 'bundle.js'), ...process.argv.slice(2).filter((arg) => arg === '--analyze')], 'scripts/bundle.js');
} else {
  mode = 'tsc';
  // An older bundle would be newer than nothing we just built and could be run instead.
  for (const file of BUNDLE_FILES) rmSync(join(dist, file), { force: true });
  process.stderr.write(
    "live-cli build: esbuild's platform package is not installed (npm install --omit=optional leaves it out), so live-cli runs from the tsc output and starts slower; `npm install` adds it\n",
  );
}
writeFileSync(stampPath, `${hash} ${mode}\n`);
