import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE_KEYS, unknownConfigKeyWarnings } from '../../src/live/config-file.js';
import { resolveLiveConfig } from '../../src/live/config.js';
import { repoRoot } from '../helpers/cli.js';

const ENV = { GEMINI_API_KEY: 'fake-gemini-key-cccccccccccccccc', XDG_CONFIG_HOME: '/home/u/.config' };

describe('config file keys', () => {
  it('a key live-cli does not read is named in a warning, with the nearest known key', () => {
    const { warnings } = resolveLiveConfig({}, ENV, { modle: 'x', temperature: 0.5, colour: 'blue' });
    expect(warnings).toContain('config file key "modle" is not an option live-cli reads (did you mean "model"?); it is ignored (/home/u/.config/live-cli/config.json)');
    expect(warnings).toContain('config file key "colour" is not an option live-cli reads; it is ignored (/home/u/.config/live-cli/config.json)');
    expect(warnings.filter((w) => w.includes('temperature'))).toEqual([]);
  });

  it('every known key passes without a warning', () => {
    const file = Object.fromEntries(CONFIG_FILE_KEYS.map((key) => [key, null]));
    expect(unknownConfigKeyWarnings(file, ENV)).toEqual([]);
  });

  it('every key src/live/config.ts and features.ts read from the file is in CONFIG_FILE_KEYS', () => {
    const source = ['config.ts', 'features.ts'].map((name) => readFileSync(join(repoRoot, 'src', 'live', name), 'utf8')).join('\n');
    const read = [...source.matchAll(/(?:file(?:String|Numeric|Boolean|Value)\(file|flagOrFile\(flags, file), '([A-Za-z]+)'/g)].map((m) => m[1]);
    expect(read.length).toBeGreaterThan(20);
    for (const key of read) expect(CONFIG_FILE_KEYS, key).toContain(key);
    // Read elsewhere: the tools' server list.
    expect(readFileSync(join(repoRoot, 'src', 'tools', 'servers.ts'), 'utf8')).toContain('file.mcpServers');
    expect(CONFIG_FILE_KEYS).toContain('mcpServers');
  });
});
