// `node scripts/bundle.js` (run by `npm run build` after tsc): bundles the CLI into CommonJS files
// that bin/live-cli.js compiles through V8's code cache. Loading Ink, React and the SDK from
// node_modules opens hundreds of files (es-toolkit's barrel alone ~400); a few files compiled from
// a cache start in a fraction of the time. The tsc output in dist/ stays as it is: the tests and the
// library use it, and `LIVE_CLI_NO_BUNDLE=1` runs it instead.
//
//   dist/live-cli.cjs      the CLI: our code, commander and the small dependencies
//   dist/live-cli-ui.cjs   what src/ui imports (Ink, React): read only when drawing on a terminal
//   dist/live-cli-sdk.cjs  @google/genai and its dependencies: read only when connecting
//   dist/live-cli-mcp.cjs  @modelcontextprotocol/sdk (zod, ajv, …): read only when MCP servers are used
// Over half the code is the SDK and a quarter Ink and React; outside the main file they cost
// `--help` nothing, not even the reading. The main file asks for a chunk through
// `__liveCliChunk(name)`: bin/live-cli.js passes its cached loader, and a plain `require` of the
// main file falls back to requiring the chunk files.
//
// CommonJS, not ESM, because only a classic script can be compiled with `vm.Script` and cached
// data on Node 20 (no `NODE_COMPILE_CACHE` there). What that asks of the code is handled here:
// - `import.meta.url` is empty in CommonJS: each file of ours gets the URL its tsc output has in
//   dist/ (so `new URL('../../package.json', import.meta.url)` and `createRequire(import.meta.url)`
//   mean what they mean unbundled), computed from the bundle's own path at run time.
// - Top-level await is not possible in CommonJS. yoga-layout (Ink's layout engine) awaits its
//   WebAssembly instantiation at the top level; it is replaced by a synchronous instantiation of the
//   same binary. Ink's reconciler awaits only when `DEV=true` (React devtools), which the bundle
//   does not support; those two awaits are removed.
// - Dynamic `import()` of a bundled module becomes a lazily evaluated wrapper, so a module runs only
//   when a command gets to it. Every file of the heavy packages records its package in
//   `globalThis.__liveCliModules` when evaluated; `LIVE_CLI_DEBUG_STARTUP=1` makes bin/live-cli.js
//   print the set, which is how the tests check that `--help` evaluates none of them.
// `process.env.NODE_ENV` is "production" inside the bundle: React's production build, as a shipped
// CLI should run (from node_modules, with NODE_ENV unset, React runs its development build).
//
// `node scripts/bundle.js --analyze` also lists the bytes each package adds to each file.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const srcDir = join(root, 'src');
const distDir = join(root, 'dist');

/** Optional or native modules that must be resolved at run time from node_modules. */
const EXTERNAL = ['speaker', 'bufferutil', 'utf-8-validate'];

/** Which chunk a bare import from our code goes to, if not the main file. */
function chunkOf(specifier, importer) {
  if (specifier === '@google/genai' || specifier.startsWith('@google/genai/')) return 'sdk';
  if (specifier.startsWith('@modelcontextprotocol/sdk/')) return 'mcp';
  if (importer.startsWith(join(srcDir, 'ui') + sep)) return 'ui';
  return undefined;
}

/** Packages whose evaluation is recorded (see above): the heavy ones the start-up must not pay for. */
const TRACKED_PACKAGES = ['ink', 'react', 'react-reconciler', 'yoga-layout', 'es-toolkit', '@google/genai', 'google-auth-library', 'ws', '@modelcontextprotocol/sdk'];

/** Source text edits to third-party files; a missing pattern fails the build (the package changed). */
const PATCHES = [
  {
    file: /[\\/]node_modules[\\/]ink[\\/]build[\\/]reconciler\.js$/,
    edits: [
      // React devtools (DEV=true): not bundled; `LIVE_CLI_NO_BUNDLE=1 DEV=true live-cli …` has them.
      [/await import\('\.\/devtools\.js'\);/, "void 'devtools are not bundled';"],
      [/await loadPackageJson\(\)/, '{ name: undefined, version: undefined }'],
    ],
  },
  {
    file: /[\\/]node_modules[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/,
    edits: [
      [
        /const Yoga = wrapAssembly\(await loadYoga\(\)\);/,
        // Emscripten's `instantiateWasm` hook, answered synchronously, lets the module finish its
        // whole start-up inside the call: the module object it was given holds the bindings after.
        `import { yogaWasmBase64 } from 'live-cli:yoga-wasm';
const yogaModule = {
  instantiateWasm(imports, receiveInstance) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(yogaWasmBase64, 'base64')), imports);
    receiveInstance(instance);
    return instance.exports;
  },
};
loadYoga(yogaModule);
if (typeof yogaModule.Node !== 'function') throw new Error('yoga-layout did not start synchronously');
const Yoga = wrapAssembly(yogaModule);`,
      ],
    ],
  },
];

const YOGA_BINARY = /[\\/]node_modules[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/;
const DATA_URI = /data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/;

function loaderFor(path) {
  if (path.endsWith('.tsx')) return 'tsx';
  if (path.endsWith('.ts')) return 'ts';
  return 'js';
}

function packageOf(path) {
  const marker = `${sep}node_modules${sep}`;
  const at = path.lastIndexOf(marker);
  if (at < 0) return undefined;
  const parts = path.slice(at + marker.length).split(sep);
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Where a source file's tsc output lives, relative to dist/ (src/cli/main.ts → cli/main.js). */
function distPathOf(sourcePath) {
  return relative(srcDir, sourcePath).split(sep).join('/').replace(/\.tsx?$/, '.js');
}

/**
 * The edits above, the markers, `import.meta.url` for our files and, when `chunks` is given, the
 * bare imports that belong to another file (recorded in `chunks`: name → set of specifiers).
 */
function liveCliPlugin(chunks) {
  return {
    name: 'live-cli',
    setup(pluginBuild) {
      if (chunks) {
        pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
          if (isBuiltin(args.path) || !args.importer.startsWith(srcDir + sep)) return undefined;
          const chunk = chunkOf(args.path, args.importer);
          if (!chunk) return undefined;
          (chunks[chunk] ??= new Set()).add(args.path);
          return { path: args.path, namespace: 'live-cli-chunk', pluginData: { chunk } };
        });
        pluginBuild.onLoad({ filter: /.*/, namespace: 'live-cli-chunk' }, (args) => ({
          contents: `module.exports = __liveCliChunk(${JSON.stringify(args.pluginData.chunk)})[${JSON.stringify(args.path)}];`,
          loader: 'js',
        }));
      }

      // The bytes of yoga's WebAssembly, for the synchronous loader patched into its index.js.
      pluginBuild.onResolve({ filter: /^live-cli:yoga-wasm$/ }, (args) => ({
        path: resolve(dirname(args.importer), '..', 'binaries', 'yoga-wasm-base64-esm.js'),
        namespace: 'live-cli-yoga-wasm',
      }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'live-cli-yoga-wasm' }, (args) => {
        const match = DATA_URI.exec(readFileSync(args.path, 'utf8'));
        if (!match) throw new Error(`${relative(root, args.path)} holds no base64 WebAssembly: update scripts/bundle.js for the new version`);
        return { contents: `export const yogaWasmBase64 = ${JSON.stringify(match[1])};`, loader: 'js' };
      });

      // Our sources: `import.meta.url` → the URL of the same file's tsc output.
      pluginBuild.onLoad({ filter: /\.tsx?$/ }, (args) => {
        if (!args.path.startsWith(srcDir + sep)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const url = `__liveCliFileUrl(${JSON.stringify(distPathOf(args.path))})`;
        return { contents: text.replaceAll('import.meta.url', url), loader: loaderFor(args.path) };
      });

      pluginBuild.onLoad({ filter: /[\\/]node_modules[\\/].*\.(c|m)?js$/ }, (args) => {
        const name = packageOf(args.path);
        const patch = PATCHES.find((p) => p.file.test(args.path));
        const isYogaBinary = YOGA_BINARY.test(args.path);
        if (!patch && !isYogaBinary && !TRACKED_PACKAGES.includes(name)) return undefined;
        let text = readFileSync(args.path, 'utf8');
        for (const [pattern, replacement] of patch?.edits ?? []) {
          if (!pattern.test(text)) throw new Error(`${relative(root, args.path)} no longer contains ${pattern}: update scripts/bundle.js for the new version`);
          text = text.replace(pattern, replacement);
        }
        // Its bytes are in the synchronous loader above: an empty data URI stays behind.
        if (isYogaBinary) text = text.replace(DATA_URI, 'data:application/octet-stream;base64,');
        // Appended, not prepended: a statement before 'use strict' would turn the directive off.
        if (TRACKED_PACKAGES.includes(name)) text += `\n;(globalThis.__liveCliModules ??= new Set()).add(${JSON.stringify(name)});\n`;
        return { contents: text, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

// `__liveCliFileUrl(path)`: the file URL of `path` inside dist/, wherever the package is installed.
// Third-party `import.meta.url` (yoga's script directory, unused once its bytes are inline) gets the
// file's own URL. `__liveCliLoadChunk` is the loader bin/live-cli.js passes in.
const BANNER = `"use strict";
const __liveCliFileUrl = (path) => require("node:url").pathToFileURL(require("node:path").join(__dirname, path)).href;
const __liveCliBundleUrl = require("node:url").pathToFileURL(__filename).href;
const __liveCliChunk = typeof __liveCliLoadChunk === "function" ? __liveCliLoadChunk : (name) => require(require("node:path").join(__dirname, \`live-cli-\${name}.cjs\`));`;

const COMMON = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: EXTERNAL,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  // bin/live-cli.js reads the files as Latin-1, without decoding: only ASCII may be in them.
  charset: 'ascii',
  banner: { js: BANNER },
  define: {
    'import.meta.url': '__liveCliBundleUrl',
    // React's production build: smaller and faster than the development build it picks by default.
    'process.env.NODE_ENV': '"production"',
  },
  jsx: 'automatic',
  metafile: true,
  write: false,
  logLevel: 'warning',
};

/**
 * Writes the file with its content hash on the first line (bin/live-cli.js keys its code cache on
 * it), atomically: tests and other shells run the CLI while it is rebuilt.
 */
function writeStamped(outfile, code) {
  if (/[\u0080-\uffff]/.test(code)) throw new Error(`${relative(root, outfile)} is not ASCII; bin/live-cli.js reads it as Latin-1`);
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const temp = `${outfile}.${process.pid}.tmp`;
  writeFileSync(temp, `// live-cli bundle ${hash}\n${code}`);
  renameSync(temp, outfile);
  return { bytes: Buffer.byteLength(code), hash };
}

function bytesByPackage(metafile) {
  const byPackage = new Map();
  for (const [file, { bytesInOutput }] of Object.entries(Object.values(metafile.outputs)[0].inputs)) {
    const name = file.startsWith('live-cli-yoga-wasm:') ? 'yoga-layout (WebAssembly)' : (packageOf(resolve(root, file)) ?? 'live-cli (src)');
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]);
}

const started = performance.now();
const chunks = {};
const builds = [];
const main = await build({
  ...COMMON,
  entryPoints: [join(srcDir, 'cli', 'main.ts')],
  outfile: join(distDir, 'live-cli.cjs'),
  plugins: [liveCliPlugin(chunks)],
});
builds.push({ result: main });
for (const name of ['ui', 'sdk', 'mcp']) {
  const specifiers = [...(chunks[name] ?? [])].sort();
  if (specifiers.length === 0) continue;
  // Each specifier as our code would have required it: ESM packages come with `__esModule`, so the
  // main file's interop helpers treat them as they treat a bundled import.
  const contents = `module.exports = {\n${specifiers.map((s) => `  ${JSON.stringify(s)}: require(${JSON.stringify(s)}),`).join('\n')}\n};\n`;
  const result = await build({
    ...COMMON,
    stdin: { contents, resolveDir: srcDir, sourcefile: `live-cli-${name}-entry.js`, loader: 'js' },
    outfile: join(distDir, `live-cli-${name}.cjs`),
    plugins: [liveCliPlugin(undefined)],
  });
  builds.push({ result, specifiers });
}

// Chunks first, the main file last: a CLI started meanwhile finds the chunks its main file names.
mkdirSync(distDir, { recursive: true });
const lines = [];
for (const { result, specifiers } of builds.reverse()) {
  const [output] = result.outputFiles;
  const { bytes, hash } = writeStamped(output.path, output.text);
  const files = Object.keys(result.metafile.inputs).length;
  lines.push(`${relative(root, output.path)}: ${(bytes / 1024).toFixed(0)} KiB from ${files} files, ${hash}${specifiers ? ` (${specifiers.join(', ')})` : ''}`);
  if (process.argv.includes('--analyze')) {
    for (const [name, size] of bytesByPackage(result.metafile)) lines.push(`  ${(size / 1024).toFixed(0).padStart(6)} KiB  ${name}`);
  }
}
for (const name of ['ui', 'sdk', 'mcp']) if (!chunks[name]) rmSync(join(distDir, `live-cli-${name}.cjs`), { force: true });
lines.push(`bundled in ${(performance.now() - started).toFixed(0)} ms`);
process.stdout.write(lines.join('\n') + '\n');
