// Client-added latency on loopback, both directions, ours beside the pattern in Google's JS Live
// sample (onmessage pushes into a queue that a loop polls every 100 ms) and beside a bare `ws`
// client (the transport alone). Server and client share one process and one clock.
//
//   inbound:  server sends a frame → the client emits the event (text) / hands the audio to a sink
//   outbound: the client is handed text / audio → the server receives the frame
//
// Client-added = path through the client − the bare transport's time for the same frames.
import { WebSocketServer, WebSocket } from 'ws';
import { GoogleGenAI, Modality } from '@google/genai';
import { EventStream } from '../dist/core/events.js';
import { openLiveSession } from '../dist/live/session.js';
import { resolveLiveConfig } from '../dist/live/config.js';
import { percentile } from './stats.js';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 400);
const GAP_MS = 5;
const AUDIO_FRAME = Buffer.alloc(24000 * 2 * 0.04, 7); // 40 ms of 24 kHz audio, as the service sends
const MIC_FRAME = Buffer.alloc(16000 * 2 * 0.02, 3); // 20 ms of 16 kHz mic audio

/** A minimal Live endpoint: setupComplete, then on demand a burst of frames stamped at send time. */
function startServer() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  const state = { sentAt: new Map(), receivedAt: [], socket: undefined };
  wss.on('connection', (socket) => {
    state.socket = socket;
    socket.on('message', (data) => {
      const now = performance.now();
      const message = JSON.parse(data.toString());
      if (message.setup) {
        socket.send(Buffer.from(JSON.stringify({ setupComplete: {} })), { binary: true });
        return;
      }
      state.receivedAt.push({ now, message });
    });
  });
  return new Promise((resolve) => wss.on('listening', () => resolve({ wss, state, port: wss.address().port })));
}

/** Sends FRAMES frames, alternating text and audio, one every GAP_MS; records when each left. */
async function burst(state, kind) {
  state.sentAt.clear();
  for (let i = 0; i < FRAMES; i++) {
    const part = kind === 'audio'
      ? { inlineData: { mimeType: 'audio/pcm;rate=24000', data: AUDIO_FRAME.toString('base64') } }
      : { text: `#${i}` };
    const frame = Buffer.from(JSON.stringify({ serverContent: { modelTurn: { parts: [part] } }, seq: i }, null, 2));
    state.sentAt.set(i, performance.now());
    state.socket.send(frame, { binary: true });
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  await new Promise((r) => setTimeout(r, 250)); // let the 100 ms poller catch up
}

function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function inboundOurs(port, kind) {
  const server = await startServer();
  const events = new EventStream();
  const { config } = resolveLiveConfig(
    { model: 'gemini-live-2.5-flash-preview', modality: kind === 'audio' ? 'audio' : 'text' },
    {},
    {},
    { sim: true, endpoint: `http://127.0.0.1:${server.port}` },
  );
  const samples = [];
  let seq = 0;
  events.on((event) => {
    // The `extra` seq field identifies the frame; audio events are the sink hand-off.
    const s = event.extra?.seq;
    if ((kind === 'audio' && event.type === 'audio') || (kind === 'text' && event.type === 'text')) {
      const sent = server.state.sentAt.get(typeof s === 'number' ? s : seq);
      if (sent !== undefined) samples.push(performance.now() - sent);
      seq++;
    }
  });
  const session = await openLiveSession({ config, events, id: 'bench' });
  await burst(server.state, kind);
  await session.close();
  server.wss.close();
  return summarize(samples);
}

/** Google's sample: onmessage → responseQueue; waitMessage() polls the queue every 100 ms. */
async function inboundSamplePattern(kind) {
  const server = await startServer();
  const ai = new GoogleGenAI({ apiKey: 'bench', httpOptions: { baseUrl: `http://127.0.0.1:${server.port}`, apiVersion: 'v1beta' } });
  const queue = [];
  const session = await ai.live.connect({
    model: 'gemini-live-2.5-flash-preview',
    config: { responseModalities: [kind === 'audio' ? Modality.AUDIO : Modality.TEXT] },
    callbacks: { onmessage: (m) => queue.push(m), onerror: () => {}, onclose: () => {} },
  });
  const samples = [];
  let running = true;
  const poller = (async () => {
    while (running) {
      const message = queue.shift();
      if (message) {
        const seq = message.seq;
        const sent = server.state.sentAt.get(seq);
        if (sent !== undefined) samples.push(performance.now() - sent);
      } else {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  })();
  await burst(server.state, kind);
  running = false;
  await poller;
  session.close();
  server.wss.close();
  return summarize(samples);
}

/** The transport alone: a bare ws client, JSON.parse on arrival. */
async function inboundTransport(kind) {
  const server = await startServer();
  const samples = [];
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  await new Promise((r) => socket.on('open', r));
  socket.send(JSON.stringify({ setup: {} }));
  await new Promise((r) => socket.once('message', r));
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const sent = server.state.sentAt.get(message.seq);
    if (sent !== undefined) samples.push(performance.now() - sent);
  });
  await burst(server.state, kind);
  socket.close();
  server.wss.close();
  return summarize(samples);
}

/** Outbound: handed to the client → frame received by the server. */
async function outbound(kind, mode) {
  const server = await startServer();
  const url = `http://127.0.0.1:${server.port}`;
  let send;
  let close;
  if (mode === 'ours') {
    const events = new EventStream();
    const { config } = resolveLiveConfig({ model: 'gemini-live-2.5-flash-preview', modality: 'text' }, {}, {}, { sim: true, endpoint: url });
    const session = await openLiveSession({ config, events, id: 'bench' });
    send = (i) => (kind === 'audio' ? session.sendAudio({ data: MIC_FRAME, sampleRate: 16000, channels: 1 }) : session.sendText(`turn ${i}`));
    close = () => session.close();
  } else if (mode === 'sdk') {
    const ai = new GoogleGenAI({ apiKey: 'bench', httpOptions: { baseUrl: url, apiVersion: 'v1beta' } });
    const session = await ai.live.connect({
      model: 'gemini-live-2.5-flash-preview',
      config: { responseModalities: [Modality.TEXT] },
      callbacks: { onmessage: () => {}, onerror: () => {}, onclose: () => {} },
    });
    send = (i) =>
      kind === 'audio'
        ? session.sendRealtimeInput({ audio: { data: MIC_FRAME.toString('base64'), mimeType: 'audio/pcm;rate=16000' } })
        : session.sendClientContent({ turns: [{ role: 'user', parts: [{ text: `turn ${i}` }] }], turnComplete: true });
    close = async () => session.close();
  } else {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/`);
    await new Promise((r) => socket.on('open', r));
    socket.send(JSON.stringify({ setup: {} }));
    await new Promise((r) => socket.once('message', r));
    send = (i) =>
      socket.send(
        JSON.stringify(
          kind === 'audio'
            ? { realtimeInput: { audio: { data: MIC_FRAME.toString('base64'), mimeType: 'audio/pcm;rate=16000' } } }
            : { clientContent: { turns: [{ role: 'user', parts: [{ text: `turn ${i}` }] }], turnComplete: true } },
        ),
      );
    close = async () => socket.close();
  }
  const handedAt = [];
  server.state.receivedAt.length = 0;
  for (let i = 0; i < FRAMES; i++) {
    handedAt.push(performance.now());
    send(i);
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  await new Promise((r) => setTimeout(r, 100));
  await close();
  server.wss.close();
  const samples = server.state.receivedAt.map((r, i) => r.now - handedAt[i]).filter((x) => Number.isFinite(x));
  return summarize(samples);
}

export async function runLatencyBench() {
  const rows = [];
  for (const kind of ['text', 'audio']) {
    const transport = await inboundTransport(kind);
    const ours = await inboundOurs(0, kind);
    const sample = await inboundSamplePattern(kind);
    rows.push({ direction: 'in', kind, transport, ours, sample });
  }
  for (const kind of ['text', 'audio']) {
    const transport = await outbound(kind, 'transport');
    const ours = await outbound(kind, 'ours');
    const sample = await outbound(kind, 'sdk');
    rows.push({ direction: 'out', kind, transport, ours, sample });
  }
  return rows;
}
