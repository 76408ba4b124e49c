/**
 * Runs the model's function calls: looks the tool up, asks the policy, invokes it with a per-call
 * timeout and an AbortSignal, and answers on the connection that asked. Every call ends in exactly
 * one of `tool.result` (response sent), `tool.error` (error response sent) or `tool.cancelled`
 * (the server withdrew it: aborted, and nothing is ever sent for it).
 */
import type { EventStream } from '../core/events.js';
import type { ToolCallRequest, ToolHost, ToolResponseOut } from '../live/tool-hooks.js';
import type { ToolPolicy } from './policy.js';
import type { ToolRegistry } from './registry.js';
import { ToolCallError, type ToolErrorPayload, toolError } from './types.js';

interface RunningCall {
  name: string;
  conn: number;
  controller: AbortController;
  started: number;
}

export class ToolExecutor implements ToolHost {
  private readonly running = new Map<string, RunningCall>();

  constructor(
    private readonly registry: ToolRegistry,
    private readonly policy: ToolPolicy,
    private readonly events: EventStream,
  ) {}

  /** Calls still running (tests, shutdown). */
  get pending(): number {
    return this.running.size;
  }

  call(call: ToolCallRequest, respond: (response: ToolResponseOut) => boolean, conn: number): void {
    void this.run(call, respond, conn);
  }

  cancel(ids: readonly string[], conn: number): void {
    for (const id of ids) {
      const running = this.running.get(id);
      if (!running || running.conn !== conn) continue;
      this.running.delete(id);
      running.controller.abort(new Error('cancelled by the server'));
      this.events.emit({ type: 'tool.cancelled', id, name: running.name, ms: elapsed(running.started) }, conn);
    }
  }

  /** The connection closed or was replaced: its running calls are stopped, each with a `tool.error`. */
  abandon(conn: number): void {
    for (const [id, running] of this.running) {
      if (running.conn !== conn) continue;
      this.running.delete(id);
      running.controller.abort(new Error('the connection closed'));
      const payload = toolError('UNAVAILABLE', `the connection that asked for ${running.name} closed before it finished; the call was stopped`);
      this.events.emit({ type: 'tool.error', id, name: running.name, ...payload }, conn);
    }
  }

  /** Ends the run: aborts every call still going (their connection is closing anyway). */
  abortAll(): void {
    for (const running of this.running.values()) running.controller.abort(new Error('the session ended'));
    this.running.clear();
  }

  private async run(call: ToolCallRequest, respond: (response: ToolResponseOut) => boolean, conn: number): Promise<void> {
    const spec = this.registry.get(call.name);
    if (!spec) {
      const known = this.registry.names;
      const offer = known.length ? `the tools are ${known.join(', ')}` : 'no tools are configured (--mcp, --mcp-url or mcpServers)';
      this.fail(call, respond, conn, toolError('NOT_FOUND', `there is no tool named ${call.name}: ${offer}`));
      return;
    }
    const running: RunningCall = { name: call.name, conn, controller: new AbortController(), started: performance.now() };
    this.running.set(call.id, running);
    const signal = running.controller.signal;
    const live = (): boolean => this.running.get(call.id) === running;
    try {
      const decision = await this.policy.decide(spec, call, signal);
      if (!live()) return;
      if (!decision.run) {
        this.running.delete(call.id);
        this.fail(call, respond, conn, toolError('DENIED', decision.message));
        return;
      }
      running.started = performance.now();
      const output = await spec.invoke(call.args, signal, spec.timeoutMs);
      if (!live()) return;
      this.running.delete(call.id);
      if (!output.ok) {
        this.fail(call, respond, conn, toolError('TOOL_ERROR', output.message));
        return;
      }
      const scheduling = spec.scheduling;
      const ms = elapsed(running.started);
      // The event first: its time is when the answer leaves (the send is synchronous).
      this.events.emit({ type: 'tool.result', id: call.id, name: call.name, response: output.response, ms, ...(scheduling ? { scheduling } : {}) }, conn);
      if (!respond({ id: call.id, name: call.name, response: output.response, ...(scheduling ? { scheduling } : {}) })) this.lost(call, conn);
    } catch (error) {
      // A cancelled call already said so; its result (or failure) is never sent.
      if (!live()) return;
      this.running.delete(call.id);
      const payload = error instanceof ToolCallError ? error.payload : toolError('TOOL_ERROR', error instanceof Error ? error.message : String(error));
      this.fail(call, respond, conn, payload);
    }
  }

  /** An error response; a NON_BLOCKING call's carries its scheduling like a result would. */
  private fail(call: ToolCallRequest, respond: (response: ToolResponseOut) => boolean, conn: number, payload: ToolErrorPayload): void {
    const scheduling = this.registry.get(call.name)?.scheduling;
    const when = scheduling ? { scheduling } : {};
    this.events.emit({ type: 'tool.error', id: call.id, name: call.name, ...payload, ...when }, conn);
    if (!respond({ id: call.id, name: call.name, response: { error: payload }, ...when })) this.lost(call, conn);
  }

  /** The connection that asked is gone: the answer cannot reach the model (its id died with it). */
  private lost(call: ToolCallRequest, conn: number): void {
    this.events.emit(
      { type: 'error', code: 'protocol', message: `the answer to ${call.name} (${call.id}) could not be sent: its connection had closed` },
      conn,
    );
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
