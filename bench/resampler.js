// Resampler bench: ours against the converters reachable from JavaScript, side by side in one run.
// Speed is audio-seconds per CPU-second (process.cpuUsage) converting 10 s of audio in 20 ms
// chunks, median of RUNS runs; quality is measured on every converter with the same code
// (dist/audio/dsp/quality.js, the code the unit tests use). `node bench/resampler.js` prints the
// Markdown table; `runResamplerBench()` returns the rows.
import { fileURLToPath } from 'node:url';
import libsamplerate from '@alexanderolsen/libsamplerate-js';
import SpeexResampler from '@echogarden/speex-resampler-wasm';
import SpeexResamplerSimd from '@echogarden/speex-resampler-wasm/simd';
import wavefile from 'wavefile';
import { clampS16 } from '../dist/audio/pcm.js';
import { Resampler } from '../dist/audio/resampler.js';
import { aliasRejectionDb, aliasSweep, sineInt16, sweepInt16, thdPlusNoiseDb } from '../dist/audio/dsp/quality.js';
import { median } from './stats.js';

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 5));
const PAIRS = [
  [48000, 16000],
  [44100, 16000],
  [22050, 16000],
  [16000, 24000],
];
const SPEED_SECONDS = 10;
const CHUNK_MS = 20;

function concat(parts) {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function chunks(samples, rate) {
  const size = Math.round((rate * CHUNK_MS) / 1000);
  const list = [];
  for (let i = 0; i < samples.length; i += size) list.push(samples.subarray(i, i + size));
  return list;
}

// Each converter: { name, streaming, open(from, to) → { push(Int16Array) → Int16Array, end() → Int16Array } }.
// Peers that delay their output are realigned (their own latency dropped, the tail flushed with
// silence) so the time-windowed alias measure compares like with like.

const ours = {
  name: 'live-cli Resampler (WASM SIMD polyphase)',
  streaming: true,
  open(from, to) {
    const resampler = new Resampler({ from, to });
    return { push: (s) => resampler.push(s), end: () => resampler.flush() };
  },
};

function speex(factory, label) {
  let module;
  return {
    name: label,
    streaming: true,
    async load() {
      module = await factory();
    },
    open(from, to) {
      const m = module;
      const error = m._malloc(4);
      const state = m._speex_resampler_init(1, from, to, 5, error);
      const capacity = 1 << 16;
      const inPtr = m._malloc(capacity * 2);
      const outPtr = m._malloc(capacity * 2);
      const inLen = m._malloc(4);
      const outLen = m._malloc(4);
      let skip = m._speex_resampler_get_output_latency(state);
      const latency = m._speex_resampler_get_input_latency(state);
      const run = (samples) => {
        m.HEAP16.set(samples, inPtr >> 1);
        m.HEAPU32[inLen >> 2] = samples.length;
        m.HEAPU32[outLen >> 2] = capacity;
        m._speex_resampler_process_int(state, 0, inPtr, inLen, outPtr, outLen);
        let out = m.HEAP16.slice(outPtr >> 1, (outPtr >> 1) + m.HEAPU32[outLen >> 2]);
        if (skip > 0) {
          const dropped = Math.min(skip, out.length);
          skip -= dropped;
          out = out.subarray(dropped);
        }
        return out;
      };
      return {
        push: run,
        end: () => {
          const out = run(new Int16Array(latency * 2));
          m._speex_resampler_destroy(state);
          for (const ptr of [error, inPtr, outPtr, inLen, outLen]) m._free(ptr);
          return out;
        },
      };
    },
  };
}

const libsamplerateFastest = {
  name: 'libsamplerate-js SINC_FASTEST',
  streaming: true,
  converters: new Map(),
  async load() {
    for (const [from, to] of PAIRS) {
      this.converters.set(`${from}:${to}`, await libsamplerate.create(1, from, to, { converterType: libsamplerate.ConverterType.SRC_SINC_FASTEST }));
    }
  },
  open(from, to) {
    // One converter per pair, reused: create() is async, and the bench only needs it reset.
    const src = this.converters.get(`${from}:${to}`);
    src.converterType = libsamplerate.ConverterType.SRC_SINC_FASTEST;
    const convert = (samples) => {
      const input = new Float32Array(samples.length);
      for (let i = 0; i < samples.length; i++) input[i] = samples[i] / 32768;
      const output = src.full(input);
      const out = new Int16Array(output.length);
      for (let i = 0; i < output.length; i++) out[i] = clampS16(output[i] * 32768);
      return out;
    };
    return { push: convert, end: () => convert(new Int16Array(Math.round(from / 100))) };
  },
};

const wavefileToSampleRate = {
  name: "wavefile toSampleRate (Google's JS sample; whole buffer, not streaming)",
  streaming: false,
  open(from, to) {
    const parts = [];
    return {
      push: (samples) => {
        parts.push(samples);
        return new Int16Array(0);
      },
      end: () => {
        const wav = new wavefile.WaveFile();
        wav.fromScratch(1, from, '16', concat(parts));
        wav.toSampleRate(to);
        return wav.getSamples(false, Int16Array);
      },
    };
  },
};

function convert(converter, samples, from, to) {
  const session = converter.open(from, to);
  const parts = converter.streaming ? chunks(samples, from).map((chunk) => session.push(chunk)) : [session.push(samples)];
  parts.push(session.end());
  return concat(parts);
}

function speed(converter, from, to) {
  const input = sweepInt16(from, 50, 0.45 * from, SPEED_SECONDS, -6);
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    const before = process.cpuUsage();
    convert(converter, input, from, to);
    const used = process.cpuUsage(before);
    runs.push(SPEED_SECONDS / ((used.user + used.system) / 1e6));
  }
  return median(runs);
}

function quality(converter, from, to) {
  const thd = thdPlusNoiseDb(convert(converter, sineInt16(from, 1000, 2, -6), from, to), to, 1000);
  if (to > from) return { thdPlusNoiseDb: thd, aliasRejectionDb: undefined };
  const sweep = aliasSweep(from, to);
  const input = sweepInt16(from, sweep.startHz, sweep.endHz, sweep.seconds, -6);
  return { thdPlusNoiseDb: thd, aliasRejectionDb: aliasRejectionDb(input, from, convert(converter, input, from, to), to, sweep) };
}

/** Every converter on every pair: [{ pair, converter, speed, thdPlusNoiseDb, aliasRejectionDb }]. */
export async function runResamplerBench() {
  const converters = [
    ours,
    speex(SpeexResampler, 'speex-resampler-wasm q5'),
    speex(SpeexResamplerSimd, 'speex-resampler-wasm q5 (SIMD build)'),
    libsamplerateFastest,
    wavefileToSampleRate,
  ];
  for (const converter of converters) await converter.load?.();
  const rows = [];
  for (const [from, to] of PAIRS) {
    for (const converter of converters) {
      convert(converter, sweepInt16(from, 50, 0.45 * from, 1, -6), from, to); // warm-up
      rows.push({ pair: `${from / 1000}k → ${to / 1000}k`, converter: converter.name, speed: speed(converter, from, to), ...quality(converter, from, to) });
    }
  }
  return rows;
}

export function formatResamplerTable(rows) {
  const db = (value) => (value === undefined ? '—' : value.toFixed(1));
  const lines = [
    `### Resampler: speed (audio-s per CPU-s, ${CHUNK_MS} ms chunks, median of ${RUNS} runs) and quality`,
    '',
    '| pair | converter | speed (× real time) | THD+N 1 kHz −6 dBFS (dB) | alias rejection (dB) |',
    '|---|---|---:|---:|---:|',
  ];
  for (const row of rows) lines.push(`| ${row.pair} | ${row.converter} | ${row.speed.toFixed(0)} | ${db(row.thdPlusNoiseDb)} | ${db(row.aliasRejectionDb)} |`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(formatResamplerTable(await runResamplerBench()) + '\n');
}
