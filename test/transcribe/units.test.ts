import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/core/events.js';
import { CompletionTracker } from '../../src/core/completion.js';
import { chooseModality, transcribeDefaults, TRANSCRIBE_MODEL } from '../../src/transcribe/config.js';
import { OrderedOutput } from '../../src/transcribe/ordered-output.js';
import { PartialFile } from '../../src/transcribe/partial-file.js';
import { progressSnapshot } from '../../src/transcribe/progress.js';
import { formatOffset, formatSegmentLine, TranscriptCollector } from '../../src/transcribe/segments.js';
import { reclaimSimValue } from '../../src/cli/commands/transcribe.js';

const event = (type: string, extra: Record<string, unknown> = {}): LiveEvent => ({ type, t: 0, conn: 1, ...extra }) as LiveEvent;

describe('TranscriptCollector', () => {
  it('splits segments at turn boundaries and keeps the pieces exactly as received', () => {
    const collector = new TranscriptCollector();
    collector.addPiece('[speech #1 @0.00s', 600);
    collector.addPiece(' 5.00s]', 5400);
    expect(collector.boundary()).toEqual({ startMs: 600, endMs: 5400, text: '[speech #1 @0.00s 5.00s]' });
    expect(collector.boundary()).toBeUndefined();
    collector.addPiece(' [speech #2', 9000);
    collector.addPiece(' 1.00s]', 10000);
    const segments = collector.finish();
    expect(segments).toHaveLength(2);
    expect(collector.text).toBe('[speech #1 @0.00s 5.00s] [speech #2 1.00s]');
    expect(segments.map((s) => s.text).join('')).toBe(collector.text);
  });

  it('formats offsets and lines', () => {
    expect(formatOffset(12_400)).toBe('00:12.40');
    expect(formatOffset(14_236)).toBe('00:14.24');
    expect(formatOffset(61_005)).toBe('01:01.01');
    expect(formatOffset(3_723_400)).toBe('1:02:03.40');
    expect(formatSegmentLine({ startMs: 12_400, endMs: 14_240, text: ' hello there' }, true)).toBe('[00:12.40 → 00:14.24] hello there\n');
    expect(formatSegmentLine({ startMs: 0, endMs: 1, text: ' hello' }, false)).toBe('hello\n');
  });
});

describe('OrderedOutput', () => {
  it('writes the earliest file through and holds later ones until the earlier finish', () => {
    const written: string[] = [];
    const out = new OrderedOutput(3, (text) => written.push(text));
    out.push(1, 'b1 ');
    out.push(2, 'c1 ');
    out.push(0, 'a1 ');
    expect(written).toEqual(['a1 ']);
    out.finish(2);
    out.push(1, 'b2 ');
    expect(written).toEqual(['a1 ']);
    out.finish(0);
    expect(written.join('')).toBe('a1 b1 b2 ');
    out.push(1, 'b3 ');
    out.finish(1);
    expect(written.join('')).toBe('a1 b1 b2 b3 c1 ');
  });
});

describe('CompletionTracker', () => {
  it('is done after the turn that follows the last transcription, once quiet for the settle period', () => {
    const tracker = new CompletionTracker({ settleMs: 100, quietMs: 1000 }, 0);
    tracker.observe(event('transcript.input', { text: 'x' }), 10);
    expect(tracker.state(500)).toBe('waiting');
    tracker.observe(event('text', { text: 'reply' }), 520);
    tracker.observe(event('turn.complete'), 530);
    expect(tracker.state(600)).toBe('waiting');
    expect(tracker.state(631)).toBe('done');
  });

  it('falls back to a longer quiet period when a turn never ends, and finishes silence quickly', () => {
    const stuck = new CompletionTracker({ settleMs: 100, quietMs: 1000 }, 0);
    stuck.observe(event('transcript.input', { text: 'x' }), 0);
    expect(stuck.state(999)).toBe('waiting');
    expect(stuck.state(1000)).toBe('done');
    const silent = new CompletionTracker({ settleMs: 100, quietMs: 1000 }, 0);
    expect(silent.state(100)).toBe('done');
  });
});

describe('transcribe defaults', () => {
  it('picks a TEXT-capable model unless one is named, and the modality from the model', () => {
    expect(transcribeDefaults({}, {}, {}).model).toBe(TRANSCRIBE_MODEL);
    expect(transcribeDefaults({}, { LIVE_CLI_MODEL: 'x' }, {}).model).toBeUndefined();
    expect(transcribeDefaults({ model: 'm' }, {}, {}).model).toBe('m');
    expect(transcribeDefaults({}, {}, {}).compression).toBe('25600:12800');
    expect(transcribeDefaults({}, {}, {}).system).toMatch(/reply with nothing/);
    expect(chooseModality(undefined, true)).toBe('text');
    expect(chooseModality(undefined, false)).toBe('audio');
    expect(chooseModality('audio', true)).toBe('audio');
  });

  it('takes `--sim FILE` as a file in its place, and --sim=OPTIONS as options', () => {
    const flags: { sim?: boolean | string } = { sim: 'b.wav' };
    expect(reclaimSimValue(['a.wav', 'c.wav'], flags, ['node', 'cli', 'transcribe', 'a.wav', '--sim', 'b.wav', 'c.wav'])).toEqual(['a.wav', 'b.wav', 'c.wav']);
    expect(flags.sim).toBe(true);
    const withOptions: { sim?: boolean | string } = { sim: 'seed=3' };
    expect(reclaimSimValue(['a.wav'], withOptions, ['node', 'cli', 'transcribe', '--sim=seed=3', 'a.wav'])).toEqual(['a.wav']);
    expect(withOptions.sim).toBe('seed=3');
  });
});

describe('progress and --out', () => {
  it('reports audio sent over the total, elapsed time and speed', () => {
    const snapshot = progressSnapshot(
      [
        { sentMs: 60_000, totalMs: 120_000, done: false },
        { sentMs: 0, totalMs: 60_000, done: false },
      ],
      4_000,
    );
    expect(snapshot.fraction).toBeCloseTo(1 / 3);
    expect(snapshot.label).toBe('1:00 / 3:00 audio · 0:04 elapsed · 15.0× real time · 0/2 files');
    expect(progressSnapshot([{ sentMs: 1000, done: false }], 1000).fraction).toBeUndefined();
  });

  it('writes FILE.partial as it goes and renames it only on success', () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-cli-partial-'));
    const good = new PartialFile(join(dir, 'good.txt'));
    good.write('one\n');
    expect(readFileSync(join(dir, 'good.txt.partial'), 'utf8')).toBe('one\n');
    good.close(true);
    expect(readFileSync(join(dir, 'good.txt'), 'utf8')).toBe('one\n');
    expect(existsSync(join(dir, 'good.txt.partial'))).toBe(false);
    const bad = new PartialFile(join(dir, 'bad.txt'));
    bad.write('half\n');
    bad.close(false);
    expect(existsSync(join(dir, 'bad.txt'))).toBe(false);
    expect(readFileSync(join(dir, 'bad.txt.partial'), 'utf8')).toBe('half\n');
  });
});

describe('TranscriptCollector across a resumption', () => {
  it('drops the pieces of the open segment that came after the handle the session resumed from', () => {
    const collector = new TranscriptCollector();
    collector.addPiece('[speech #1 @0.00s 1.00s]', 0);
    collector.boundary();
    collector.checkpoint();
    collector.addPiece(' [speech #2 @5.00s', 5000);
    collector.rollback(); // the server transcribes the unkept audio again
    collector.addPiece(' [speech #2 @5.00s', 5100);
    collector.addPiece(' 1.00s]', 6000);
    expect(collector.finish().map((s) => s.text)).toEqual(['[speech #1 @0.00s 1.00s]', ' [speech #2 @5.00s 1.00s]']);
    expect(collector.text).toBe('[speech #1 @0.00s 1.00s] [speech #2 @5.00s 1.00s]');
  });

  it('keeps what the handle covers, and segments already delivered', () => {
    const collector = new TranscriptCollector();
    collector.addPiece('a', 0);
    collector.checkpoint(); // the handle covers "a" of the open segment
    collector.addPiece('b', 10);
    collector.rollback();
    collector.addPiece('b', 20);
    collector.boundary();
    collector.checkpoint();
    collector.addPiece('c', 30);
    collector.boundary(); // delivered before the drop: stays
    collector.addPiece('d', 40);
    collector.rollback();
    expect(collector.finish().map((s) => s.text)).toEqual(['ab', 'c']);
    expect(collector.text).toBe('abc');
  });
});
