/**
 * A minimal Live API stand-in for the connect/session tests: a real `ws` server on port 0 that
 * answers setup with setupComplete as a binary JSON frame (as the service does) and lets each
 * test script what happens next. Deliberately tiny and independent of src/sim.
 */
import type { IncomingMessage } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

export interface FakeConnection {
  socket: WebSocket;
  /** Request path with query (contains the key: tests only compare it, never print it). */
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed client messages, in order. */
  received: Array<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  /** Sends a JSON message as a binary frame, as the service does. */
  sendJson(message: unknown): void;
}

export interface FakeBehaviour {
  /** Called for each client message; default: answer `setup` with setupComplete. */
  onMessage?(connection: FakeConnection, message: Record<string, unknown>): void;
  /** Called when a connection opens, before any message. */
  onConnection?(connection: FakeConnection): void;
}

export interface FakeServer {
  endpoint: string;
  connections: FakeConnection[];
  /** Resolves with the next connection (or the existing one at `index`). */
  connection(index?: number): Promise<FakeConnection>;
  close(): Promise<void>;
}

export function answerSetup(connection: FakeConnection, message: Record<string, unknown>): boolean {
  if (!('setup' in message)) return false;
  connection.sendJson({ setupComplete: {} });
  return true;
}

export async function startFakeServer(behaviour: FakeBehaviour = {}): Promise<FakeServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected address');
  const connections: FakeConnection[] = [];
  const waiters: Array<() => void> = [];

  server.on('connection', (socket, request) => {
    let onClosed: (value: { code: number; reason: string }) => void = () => undefined;
    const connection: FakeConnection = {
      socket,
      path: request.url ?? '',
      headers: request.headers,
      received: [],
      closed: new Promise((resolve) => (onClosed = resolve)),
      sendJson: (message) => socket.send(Buffer.from(JSON.stringify(message, null, 2)), { binary: true }),
    };
    socket.on('close', (code, reason) => onClosed({ code, reason: reason.toString() }));
    socket.on('message', (data) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      const message = JSON.parse(text) as Record<string, unknown>;
      connection.received.push(message);
      if (behaviour.onMessage) behaviour.onMessage(connection, message);
      else answerSetup(connection, message);
    });
    connections.push(connection);
    behaviour.onConnection?.(connection);
    for (const wake of waiters.splice(0)) wake();
  });

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    connections,
    async connection(index = 0) {
      while (!connections[index]) await new Promise<void>((resolve) => waiters.push(resolve));
      return connections[index];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when `predicate` holds, polling briefly; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('waitFor timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
