#!/usr/bin/env node
// The installed entry point: runs the compiled CLI and exits with its code. Kept tiny so that a
// missing build says so in one line instead of a stack trace.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('live-cli: the build is missing (dist/); run `npm run build` in the checkout\n');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv);
process.exit(code);
