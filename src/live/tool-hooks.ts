/**
 * The seam between a Live session and whatever runs tools (src/tools). The session declares what
 * the setup offers (`LiveToolsSetup`) and hands every function call to a `ToolHost`, together with
 * a way to answer it on the connection that asked. Nothing here mentions the SDK or MCP.
 */
import type { ToolCallRequest } from './messages.js';

export type { ToolCallRequest } from './messages.js';

export type ToolBehaviorName = 'BLOCKING' | 'NON_BLOCKING';
/** How the model takes a NON_BLOCKING call's result (ignored for blocking calls). */
export type ToolScheduling = 'INTERRUPT' | 'WHEN_IDLE' | 'SILENT';

/** One function the model may call, as declared in the setup. */
export interface FunctionDeclarationSpec {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (MCP's `inputSchema` as is). */
  parametersJsonSchema?: unknown;
  /** JSON Schema of the response (MCP's `outputSchema`), when the tool has one. */
  responseJsonSchema?: unknown;
  /** Omitted: the model's default. */
  behavior?: ToolBehaviorName;
}

/** The `tools` of the setup. */
export interface LiveToolsSetup {
  functions: FunctionDeclarationSpec[];
  googleSearch: boolean;
  codeExecution: boolean;
}

/** A function response as it goes on the wire (`toolResponse.functionResponses[]`). */
export interface ToolResponseOut {
  id: string;
  name: string;
  response: Record<string, unknown>;
  scheduling?: ToolScheduling;
}

/**
 * Runs the model's function calls. `respond` sends the answer on the connection that asked, ahead
 * of any queued input, and returns false when that connection is gone (the call died with it).
 */
export interface ToolHost {
  call(call: ToolCallRequest, respond: (response: ToolResponseOut) => boolean, conn: number): void;
  /** toolCallCancellation: abort these calls; their results must never be sent. */
  cancel(ids: readonly string[], conn: number): void;
  /** Connection `conn` closed or was replaced: its calls can no longer be answered. */
  abandon?(conn: number): void;
}
