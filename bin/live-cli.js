#!/usr/bin/env node
// The installed entry point: runs the CLI and exits with its code. It loads nothing heavy itself.
//
// - A conversation about to be drawn on a terminal (chat or resume under the TUI's conditions)
//   gets a plain status line on stderr at once, before anything loads; the first thing the CLI
//   then writes, to either stream, erases it first. Nothing is written to stdout from here.
// - The CLI is the bundle scripts/bundle.js makes: dist/live-cli.cjs, and the chunks it asks for
//   (live-cli-ui.cjs for Ink and React, live-cli-sdk.cjs for the SDK). Each is compiled through
//   `vm.Script` with V8's code cache, as Node 20 has no NODE_COMPILE_CACHE. The cache lives in
//   `$XDG_CACHE_HOME/live-cli/` (else `~/.cache/live-cli/`), directory 0700 and files 0600: one
//   file per bundle file, installation, build, Node version, architecture and command, because a
//   cache holds what its run compiled and `--help` compiles little of what `chat` needs (nor the
//   headless chat of what the TUI needs). It is written at exit after a run that had none or whose
//   cache V8 rejected, unless the run failed; an unreadable, foreign or corrupt cache costs only the
//   compile.
// - Without the bundle, with a bundle older than the tsc output (a `tsc` run since the last
//   `npm run build`), or with LIVE_CLI_NO_BUNDLE=1, it imports the tsc output, dist/cli/main.js.
//
// LIVE_CLI_NO_CODE_CACHE=1 neither reads nor writes the cache. LIVE_CLI_DEBUG_STARTUP=1 prints one
// JSON line to stderr at exit: which build ran, what became of each file's cache, and which of the
// heavy packages (Ink, React, the SDK, …) were evaluated.
//
// CommonJS on purpose (bin/package.json): an ES-module entry costs ~10 ms more on every start.
'use strict';
const { chmodSync, closeSync, fchmodSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } = require('node:fs');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { basename, dirname, isAbsolute, join } = require('node:path');
const { isatty } = require('node:tty');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

const args = process.argv.slice(2);
const env = process.env;
const startup = { entry: 'none', codeCache: null, evaluated: null };

/** Work for the exit (given the exit code), in order; then the status line goes and the debug line is printed. */
const atExit = [];
process.on('exit', (code) => {
  for (const task of atExit) task(code);
  eraseStatusLine();
  if (env.LIVE_CLI_DEBUG_STARTUP === '1') writeSync(2, `live-cli: start-up ${JSON.stringify(startup)}\n`);
});

const drawsConversation = willDrawConversation(args);
const eraseStatusLine = drawsConversation ? showStatusLine('live-cli: starting…') : () => undefined;

const dist = join(dirname(__dirname), 'dist');
const bundle = statSync(join(dist, 'live-cli.cjs'), { throwIfNoEntry: false });
const tscOutput = statSync(join(dist, 'cli', 'main.js'), { throwIfNoEntry: false });

void run();

async function run() {
  let main;
  if (bundle && env.LIVE_CLI_NO_BUNDLE !== '1' && !(tscOutput && tscOutput.mtimeMs > bundle.mtimeMs)) {
    main = loadBundle(join(dist, 'live-cli.cjs'));
  } else if (tscOutput) {
    startup.entry = 'tsc';
    ({ main } = await import(pathToFileURL(join(dist, 'cli', 'main.js')).href));
  } else {
    eraseStatusLine();
    process.stderr.write('live-cli: the build is missing (dist/); run `npm run build` in the checkout\n');
    process.exit(1);
  }
  const code = await main(process.argv);
  process.exit(code);
}

/**
 * chat and resume draw the TUI when stdin and stdout are terminals and neither --json nor --no-tui
 * is given (src/cli/chat-tui.ts); the status line also needs stderr to be one.
 */
function willDrawConversation(argv) {
  if (argv[0] !== 'chat' && argv[0] !== 'resume') return false;
  if (argv.some((arg) => arg === '--json' || arg === '--no-tui' || arg === '--help' || arg === '-h')) return false;
  return isatty(0) && isatty(1) && isatty(2);
}

/**
 * Writes `text` (no newline) on the terminal's stderr and returns the function that erases it.
 * The first write to stdout or stderr calls that function before it goes out, so the TUI's first
 * frame, or anything else, starts on a clean line.
 */
function showStatusLine(text) {
  if (!writeQuietly(text)) return () => undefined;
  let shown = true;
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  const erase = () => {
    if (!shown) return;
    shown = false;
    streams.forEach((stream, i) => (stream.write = writes[i]));
    writeQuietly('\r\x1b[2K'); // carriage return, erase the line
  };
  streams.forEach((stream, i) => {
    stream.write = function writeAfterErasing(...rest) {
      erase();
      return writes[i].apply(this, rest);
    };
  });
  return erase;
}

/** A courtesy on stderr: a terminal that does not take it costs nothing. */
function writeQuietly(text) {
  try {
    writeSync(2, text);
    return true;
  } catch {
    return false;
  }
}

/** Runs the bundle's main file; the chunks it asks for (Ink, the SDK) come through the same loader. */
function loadBundle(path) {
  startup.entry = 'bundle';
  startup.codeCache = {};
  const chunks = new Map();
  const loadChunk = (name) => {
    if (!chunks.has(name)) chunks.set(name, runCompiled(name, join(dirname(path), `live-cli-${name}.cjs`), loadChunk));
    return chunks.get(name);
  };
  atExit.push(() => (startup.evaluated = [...(globalThis.__liveCliModules ?? [])]));
  return runCompiled('main', path, loadChunk).main;
}

/** Compiles one bundle file with its code cache (see the top), runs it and returns its exports. */
function runCompiled(name, path, loadChunk) {
  const source = readFileSync(path, 'latin1'); // ASCII (scripts/bundle.js checks), read without decoding
  // scripts/bundle.js puts the content hash on the first line; mtime and size stand in without it.
  const build = /^\/\/ live-cli bundle ([0-9a-f]+)/.exec(source)?.[1] ?? fallbackBuildId(path);
  const cache = env.LIVE_CLI_NO_CODE_CACHE === '1' ? undefined : codeCachePlace(path, build);
  const cachedData = cache && readPrivateFile(cache.path);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __liveCliLoadChunk) {${source}\n})`, {
    filename: path,
    ...(cachedData ? { cachedData } : {}),
    // The SDK keeps one `import()` (of a Node built-in, in a fallback path of a dependency).
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  startup.codeCache[name] = !cache ? 'off' : !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
  if (cache && startup.codeCache[name] !== 'accepted') {
    atExit.push((code) => {
      // A run that failed (exit 1–6: usage, auth, connection…) may have stopped before most of the
      // code it usually runs; a signal (128 + n) is how a conversation often ends.
      if ((code === 0 || code >= 128) && writeCodeCache(cache, script)) startup.codeCache[name] += ', written';
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(path), module, path, dirname(path), loadChunk);
  return module.exports;
}

function fallbackBuildId(path) {
  const fd = openSync(path, 'r');
  try {
    const { mtimeMs, size } = fstatSync(fd);
    return `${Math.round(mtimeMs)}-${size}`;
  } finally {
    closeSync(fd);
  }
}

/**
 * The cache file for a bundle file of this installation (its directory, hashed), its build, the
 * Node version, architecture and command. A rebuild replaces its installation's files; other
 * installations keep theirs.
 */
function codeCachePlace(path, build) {
  const xdg = env.XDG_CACHE_HOME;
  const dir = join(xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.cache'), 'live-cli');
  const command = args.some((arg) => /^(-h|--help|-V|--version)$/.test(arg)) || !/^[a-z]+$/.test(args[0] ?? '') ? 'help' : drawsConversation ? `${args[0]}-tui` : args[0];
  const file = `${basename(path, '.cjs')}-${fnv1a(dirname(path))}-`;
  return { dir, file, build, path: join(dir, `${file}${build}-${process.version}-${process.arch}-${command}.v8cache`) };
}

/** 32-bit FNV-1a of a string, in hex: a name for an installation path, not a security measure. */
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** The file's bytes, if it is a regular file that is ours and nobody else can write. */
function readPrivateFile(path) {
  let fd;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile() || (process.getuid && stat.uid !== process.getuid()) || (stat.mode & 0o022) !== 0) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Runs at exit: the code the run compiled, replaced atomically; other builds' caches of the file go. */
function writeCodeCache(cache, script) {
  const temp = `${cache.path}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    mkdirSync(cache.dir, { recursive: true, mode: 0o700 });
    chmodSync(cache.dir, 0o700); // only the directory named: its parent belongs to the user
    const fd = openSync(temp, 'wx', 0o600);
    try {
      fchmodSync(fd, 0o600); // whatever the umask took away, exactly 0600
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, cache.path);
    for (const name of readdirSync(cache.dir)) {
      if (name.startsWith(cache.file) && !name.startsWith(`${cache.file}${cache.build}-`)) rmSync(join(cache.dir, name), { force: true });
    }
    return true;
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // an unwritable cache directory: nothing was left behind
    }
    return false;
  }
}
