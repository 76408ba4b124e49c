import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from './cli.js';

const fakeBin = join(repoRoot, 'test', 'fixtures', 'bin');

/**
 * A PATH holding only `node` and the named fake audio tools (test/fixtures/bin), so the real
 * capture and playback code runs against them, and nothing on the machine (a real arecord or
 * aplay) can be picked up instead.
 */
export function fakeAudioPath(tools: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'live-cli-fakebin-'));
  symlinkSync(process.execPath, join(dir, 'node'));
  for (const tool of tools) symlinkSync(join(fakeBin, tool), join(dir, tool));
  return `${dir}:${dirname(process.execPath)}`.split(':')[0] ?? dir;
}
