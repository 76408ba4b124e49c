/**
 * What the tool layer works with: a tool the model can call, where it comes from, and how a call
 * ends. MCP's own types stay in mcp-client.ts.
 */
import type { FunctionDeclarationSpec, ToolScheduling } from '../live/tool-hooks.js';

/** Runs one call; rejects (or resolves with an error outcome) on failure; honours `signal`. */
export type ToolInvoke = (args: Record<string, unknown>, signal: AbortSignal, timeoutMs: number) => Promise<ToolOutput>;

/** A tool's answer: the object that becomes the function response, or a failure the tool reported. */
export type ToolOutput = { ok: true; response: Record<string, unknown> } | { ok: false; message: string };

export interface ToolSpec {
  declaration: FunctionDeclarationSpec;
  /** Where it comes from, for people: the MCP server's name. */
  source: string;
  /** The server annotated it read-only (`readOnlyHint`): it runs without asking. */
  readOnly: boolean;
  /** Per-call timeout in ms. */
  timeoutMs: number;
  /** Only for NON_BLOCKING declarations: how the model takes the result. */
  scheduling?: ToolScheduling;
  invoke: ToolInvoke;
}

/** Why a call got an error response; `retryable` says whether the same call may work later. */
export type ToolErrorStatus = 'NOT_FOUND' | 'DENIED' | 'TIMEOUT' | 'TOOL_ERROR' | 'UNAVAILABLE' | 'INVALID_ARGUMENT';

/** The error payload the model gets, so it can tell the user what happened (and whether to retry). */
export interface ToolErrorPayload {
  status: ToolErrorStatus;
  retryable: boolean;
  message: string;
}

const RETRYABLE: Record<ToolErrorStatus, boolean> = {
  NOT_FOUND: false,
  DENIED: false,
  TIMEOUT: true,
  TOOL_ERROR: false,
  UNAVAILABLE: true,
  INVALID_ARGUMENT: false,
};

/** A call that failed in a way the model should hear about: carries the error payload. */
export class ToolCallError extends Error {
  constructor(readonly payload: ToolErrorPayload) {
    super(payload.message);
    this.name = 'ToolCallError';
  }
}

export function toolError(status: ToolErrorStatus, message: string): ToolErrorPayload {
  return { status, retryable: RETRYABLE[status], message };
}

/** Default per-call timeout: long enough for a web request, short enough to fit in the default --turn-timeout (30 s). */
export const DEFAULT_TOOL_TIMEOUT_MS = 20_000;
