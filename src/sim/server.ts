import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { SimConnection } from './connection.js';
import type { HandleEntry, SimContext } from './context.js';
import type { SimOptions } from './options.js';
import { createRandom } from './random.js';
import { SimRecorder } from './report.js';
import { HandleStore } from './handle-store.js';
import { keptAudioSha256, SimSession } from './session.js';
import { matchRoute, redactTarget, type Route } from './routes.js';

export interface RunningSimulator {
  /** Base URL for the SDK's `httpOptions.baseUrl`, e.g. `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Ends every socket and timer, writes the per-session summaries and closes the report. */
  close(): Promise<void>;
}

/** In time=wall the clock moves without input, so schedules are polled. */
const WALL_TICK_MS = 100;

class Simulator implements SimContext {
  readonly recorder: SimRecorder;
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly random: () => number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<WebSocket>();
  private readonly rawSockets = new Set<Socket>();
  private readonly sessions: SimSession[] = [];
  private readonly handles = new Map<string, HandleEntry>();
  /** handle-dir: handles this process issued are also kept there, and ones it did not are looked up there. */
  private readonly handleStore: HandleStore | undefined;
  private connectionCount = 0;
  private quotaLeft: number;
  private setupErrorsLeft: number;
  private ticker: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly options: SimOptions,
    log: NodeJS.WritableStream | undefined,
  ) {
    this.recorder = new SimRecorder(options.report, log);
    this.random = createRandom(options.seed);
    this.quotaLeft = options.quota;
    this.handleStore = options.handleDir ? new HandleStore(options.handleDir) : undefined;
    this.handleStore?.prune();
    this.setupErrorsLeft = options.setupError;
    this.http = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found: this is a Live API simulator (WebSocket only).\n');
    });
    this.http.on('connection', (socket) => {
      this.rawSockets.add(socket);
      socket.on('close', () => this.rawSockets.delete(socket));
    });
    this.http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(request, socket, head));
  }

  async listen(): Promise<RunningSimulator> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const port = (this.http.address() as AddressInfo).port;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    const url = `http://${host}:${port}`;
    if (this.options.time === 'wall') {
      this.ticker = setInterval(() => {
        for (const session of this.sessions) if (!session.ended) this.checkSchedules(session);
      }, WALL_TICK_MS);
    }
    const { report: _report, ...shown } = this.options;
    this.recorder.record({ type: 'start', url, options: shown });
    this.recorder.info(`listening on ${url}`);
    return { url, port, close: () => this.close() };
  }

  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = request.url ?? '';
    const route = matchRoute(target, request.headers);
    if (!route) {
      this.recorder.record({ type: 'http-404', path: redactTarget(target) });
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.recorder.addSecret(route.key);
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, route));
  }

  /** The service accepts the socket first and refuses in a close frame, so the client reads why. */
  private accept(ws: WebSocket, route: Route): void {
    const id = ++this.connectionCount;
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    this.recorder.record({
      type: 'connection',
      conn: id,
      path: route.redactedPath,
      api: route.api,
      method: route.method,
      version: route.version,
      keyParam: route.keyParam,
      keyPresent: route.key !== undefined,
    });
    const refuse = (code: number, reason: string, cause: string): void => {
      this.recorder.record({ type: 'rejected', conn: id, code, reason, cause });
      this.recorder.info(`conn ${id}: refused ${code} ${reason}`);
      ws.on('error', () => undefined);
      ws.close(code, reason);
    };
    if (route.key === undefined) {
      const reason =
        route.keyParam === 'access_token'
          ? 'Missing access_token: pass the ephemeral token as ?access_token=.'
          : route.api === 'vertex'
            ? 'Missing API key: pass it in the x-goog-api-key header (or a bearer token).'
            : 'Missing API key: pass it as the key= query parameter.';
      refuse(1008, reason, 'missing-key');
      return;
    }
    if (this.options.rejectKey) {
      refuse(1008, 'API key not valid. Please pass a valid API key.', 'reject-key');
      return;
    }
    if (this.setupErrorsLeft > 0) {
      this.setupErrorsLeft--;
      this.recorder.record({ type: 'fault', fault: 'setup-error', conn: id, session: null, clock: 0 });
      refuse(1011, 'Internal error encountered.', 'setup-error');
      return;
    }
    if (this.quotaLeft > 0) {
      this.quotaLeft--;
      this.recorder.record({ type: 'fault', fault: 'quota', conn: id, session: null, clock: 0 });
      refuse(1011, 'RESOURCE_EXHAUSTED: quota exceeded', 'quota');
      return;
    }
    this.recorder.info(`conn ${id}: open ${route.redactedPath}`);
    new SimConnection(this, ws, id, route);
  }

  // ---- SimContext ------------------------------------------------------------------------------

  randomHex(): string {
    return Math.floor(this.random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  }

  later(action: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  createSession(sessionId?: string): SimSession {
    const number = this.sessions.length + 1;
    const id = sessionId ?? `sim-session-${number}-${this.randomHex()}`;
    const session = new SimSession(`s${number}`, id, this.options.time, this.options.goAwayEvery, this.options.dropEvery, this.options.keptAudio !== undefined);
    this.sessions.push(session);
    return session;
  }

  findHandle(handle: string): HandleEntry | undefined {
    const known = this.handles.get(handle);
    if (known) return known;
    // Issued by an earlier simulator process (chat --sim ends with its CLI): its session continues here.
    const stored = this.handleStore?.load(handle);
    if (!stored) return undefined;
    const session = this.sessions.find((s) => s.sessionId === stored.sessionId) ?? this.createSession(stored.sessionId);
    const entry = { session, kept: stored.kept };
    this.handles.set(handle, entry);
    this.recorder.info(`restored handle of session ${stored.sessionId} from handle-dir`);
    return entry;
  }

  storeHandle(handle: string, entry: HandleEntry): void {
    this.handles.set(handle, entry);
    try {
      this.handleStore?.save(handle, entry.session.sessionId, entry.kept);
    } catch (error) {
      // The live session goes on: only a later process's resume of this handle is lost.
      this.recorder.info(`handle-dir: cannot store a handle (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }

  checkSchedules(session: SimSession): void {
    if (this.closing) return;
    const options = this.options;
    const clock = session.clock();
    const current = session.current?.isOpen() ? session.current : undefined;
    // Thresholds advance even with no connection to hit, so a fault never fires twice for one instant.
    if (options.dropEvery !== undefined) {
      while (clock >= session.nextDropAt) {
        session.nextDropAt += options.dropEvery;
        current?.drop('drop-every');
      }
    }
    if (options.goAwayEvery !== undefined) {
      while (clock >= session.nextGoAwayAt) {
        session.nextGoAwayAt += options.goAwayEvery;
        current?.goAway('go-away-every');
      }
    }
    if (current?.isOpen() && clock - current.startClock >= Math.max(0, options.connectionCap - options.goAwayTimeLeft)) {
      current.goAway('connection-cap');
    }
    if (!session.ended && session.usesAudio && !session.compressed && clock >= options.sessionCap) {
      session.ended = true;
      session.faults.push('session-cap');
      this.recorder.record({ type: 'fault', fault: 'session-cap', conn: current?.id ?? null, session: session.id, clock });
      current?.closeWith(1000, 'session duration limit');
    }
  }

  private writeKeptAudio(session: SimSession): string | undefined {
    const dir = this.options.keptAudio;
    return dir === undefined ? undefined : writeKeptAudioFiles(dir, session);
  }

  // ---- shutdown --------------------------------------------------------------------------------

  private close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = [...this.sockets].map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
    for (const ws of this.sockets) ws.terminate();
    await Promise.all(closed);
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      for (const socket of this.rawSockets) socket.destroy();
    });
    for (const timer of this.timers) clearTimeout(timer);
    for (const session of this.sessions) {
      const keptAudioFile = this.writeKeptAudio(session);
      this.recorder.record({
        type: 'summary',
        session: session.id,
        sessionId: session.sessionId,
        connections: session.connections,
        resumes: session.resumes,
        messagesReceived: session.receivedMessages,
        messageIndex: session.kept.messageIndex,
        audioBytesReceived: session.receivedAudioBytes,
        audioBytesKept: session.kept.audioBytes,
        audioSecondsKept: Number(session.kept.audioSeconds.toFixed(3)),
        keptAudioSha256: keptAudioSha256(session.kept),
        textTurnsReceived: session.textTurnsReceived,
        textTurnsKept: session.kept.textTurns,
        speechSegments: session.kept.speechCount,
        handlesIssued: session.handlesIssued,
        replies: session.replies,
        interruptions: session.interruptions,
        faults: session.faults,
        ended: session.ended,
        clock: Number(session.clock().toFixed(3)),
        ...(keptAudioFile === undefined ? {} : { keptAudioFile }),
      });
    }
    this.recorder.info('closed');
    this.recorder.close();
  }
}

/** `kept-audio=DIR`: the session's kept audio as raw PCM, and the size of each message it came in. */
function writeKeptAudioFiles(dir: string, session: SimSession): string | undefined {
  const chunks = session.kept.audioChunks;
  if (!chunks) return undefined;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${session.id}.pcm`);
  writeFileSync(file, Buffer.concat(chunks));
  writeFileSync(join(dir, `${session.id}.chunks.json`), JSON.stringify(chunks.map((chunk) => chunk.length)));
  return file;
}

export async function startSimulator(options: SimOptions, log?: NodeJS.WritableStream): Promise<RunningSimulator> {
  return new Simulator(options, log).listen();
}
