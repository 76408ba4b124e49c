// `npm run bench`: every benchmark, several runs each, medians reported as a Markdown table ready
// for docs/benchmarks.md, with the machine it ran on.
import os from 'node:os';
import { formatBargeInTable, runBargeInBench } from './barge-in.js';
import { formatFirstRunTable, runFirstRunBench } from './first-run.js';
import { formatDenseTable, runDenseBench } from './dense.js';
import { formatHandoffTable, runHandoffBench } from './handoff.js';
import { runLatencyBench } from './latency.js';
import { formatStartupTable, runStartupBench } from './startup.js';
import { formatResamplerTable, runResamplerBench } from './resampler.js';
import { formatTranscribeTable, runTranscribeBench } from './transcribe.js';
import { formatToolsTable, runToolsBench } from './tools.js';
import { formatTuiTable, runTuiBench } from './tui.js';
import { median } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

const fmt = (ms) => (ms < 10 ? ms.toFixed(3) : ms.toFixed(1));

async function latency() {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await runLatencyBench());
  const lines = [
    `### Client-added latency on loopback (ms; medians of ${RUNS} runs of ${process.env.BENCH_FRAMES ?? 400} frames each)`,
    '',
    '| direction | payload | bare ws transport p50 / p99 | live-cli p50 / p99 | live-cli added p50 / p99 | Google sample pattern p50 / p99 | sample added p50 / p99 |',
    '|---|---|---|---|---|---|---|',
  ];
  for (let row = 0; row < runs[0].length; row++) {
    const pick = (who, stat) => median(runs.map((r) => r[row][who][stat]));
    const { direction, kind } = runs[0][row];
    const t50 = pick('transport', 'p50');
    const t99 = pick('transport', 'p99');
    const o50 = pick('ours', 'p50');
    const o99 = pick('ours', 'p99');
    const s50 = pick('sample', 'p50');
    const s99 = pick('sample', 'p99');
    const what = direction === 'in' ? (kind === 'audio' ? 'server audio frame → sink' : 'server text frame → event') : kind === 'audio' ? 'mic chunk → server' : 'text turn → server';
    lines.push(
      `| ${direction === 'in' ? 'server → client' : 'client → server'} | ${what} | ${fmt(t50)} / ${fmt(t99)} | ${fmt(o50)} / ${fmt(o99)} | ${fmt(Math.max(0, o50 - t50))} / ${fmt(Math.max(0, o99 - t99))} | ${fmt(s50)} / ${fmt(s99)} | ${fmt(Math.max(0, s50 - t50))} / ${fmt(Math.max(0, s99 - t99))} |`,
    );
  }
  return lines.join('\n');
}

const only = process.argv[2];
const sections = [`Machine: ${machine()}`, `Date: ${new Date().toISOString().slice(0, 10)}`, ''];
if (!only || only === 'latency') sections.push(await latency(), '');
if (!only || only === 'resampler') sections.push(formatResamplerTable(await runResamplerBench()), '');
if (!only || only === 'barge-in') sections.push(formatBargeInTable(await runBargeInBench()), '');
if (!only || only === 'transcribe') sections.push(formatTranscribeTable(await runTranscribeBench()), '');
if (!only || only === 'handoff') sections.push(formatHandoffTable(await runHandoffBench()), '');
if (!only || only === 'dense') sections.push(formatDenseTable(await runDenseBench()), '');
if (!only || only === 'startup') sections.push(formatStartupTable(await runStartupBench()), '');
if (!only || only === 'first-run') sections.push(formatFirstRunTable(await runFirstRunBench()), '');
if (!only || only === 'tools') sections.push(formatToolsTable(await runToolsBench()), '');
// Twenty minutes of real-time conversation (ten with the TUI, ten without): last, so the rest reports first.
if (!only || only === 'tui') sections.push(formatTuiTable(await runTuiBench()), '');
process.stdout.write(sections.join('\n') + '\n');
process.exit(0);
