/**
 * One MCP server, through @modelcontextprotocol/sdk: started (stdio) or reached (streamable HTTP),
 * its tools listed, and calls made with the caller's AbortSignal (the SDK turns an abort into an
 * MCP `notifications/cancelled`, so the server stops too) and a per-call timeout.
 *
 * A stdio server gets the SDK's minimal environment (HOME, PATH, …) plus what its config names,
 * never ours: the API key must not reach a third-party process.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { CliError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import type { McpServerSpec } from './servers.js';
import { ToolCallError, type ToolErrorPayload, type ToolOutput, toolError } from './types.js';

/** How long a server may take to start and answer `initialize` + `tools/list`. */
export const MCP_CONNECT_TIMEOUT_MS = 15_000;
const STDERR_TAIL_BYTES = 2_000;

/** A tool as the server lists it, with what we read from its annotations. */
export interface McpToolInfo {
  name: string;
  description?: string;
  inputSchema: unknown;
  outputSchema?: unknown;
  readOnly: boolean;
}

export class McpServerConnection {
  private constructor(
    readonly spec: McpServerSpec,
    private readonly client: Client,
    readonly tools: readonly McpToolInfo[],
  ) {}

  /** Starts or reaches the server and lists its tools; a CliError (usage) names the server when it cannot. */
  static async open(spec: McpServerSpec): Promise<McpServerConnection> {
    const stderr: { tail: string } = { tail: '' };
    const transport = makeTransport(spec, stderr);
    const client = new Client({ name: 'live-cli', version: '0.1.0' });
    try {
      await client.connect(transport, { timeout: MCP_CONNECT_TIMEOUT_MS });
      const tools = await listAll(client);
      return new McpServerConnection(spec, client, tools.filter((tool) => wanted(spec, tool.name)).map(toolInfo));
    } catch (error) {
      await client.close().catch(() => undefined);
      const said = stderr.tail.trim().split('\n').at(-1);
      throw new CliError(
        'usage',
        `the MCP server ${spec.name} (${describeSpec(spec)}) did not start: ${errorText(error)}${said ? ` (it said: ${redact(said)})` : ''}; check --mcp / --mcp-url or mcpServers in the config file`,
      );
    }
  }

  /** One `tools/call`. Rejects with the abort reason when `signal` aborts; other failures become outputs. */
  async call(name: string, args: Record<string, unknown>, signal: AbortSignal, timeoutMs: number): Promise<ToolOutput> {
    let result: CallToolResult;
    try {
      result = (await this.client.callTool({ name, arguments: args }, undefined, { signal, timeout: timeoutMs })) as CallToolResult;
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ToolCallError(classify(error, name, timeoutMs));
    }
    return outputOf(result);
  }

  close(): Promise<void> {
    return this.client.close().catch(() => undefined);
  }
}

function makeTransport(spec: McpServerSpec, stderr: { tail: string }): Transport {
  if (spec.transport.kind === 'http') {
    const headers = spec.transport.headers;
    return new StreamableHTTPClientTransport(new URL(spec.transport.url), headers ? { requestInit: { headers } } : {});
  }
  const transport = new StdioClientTransport({
    command: spec.transport.command,
    args: spec.transport.args,
    env: { ...getDefaultEnvironment(), ...spec.transport.env },
    ...(spec.transport.cwd ? { cwd: spec.transport.cwd } : {}),
    // Piped, not inherited: the server's chatter would tear the TUI; its last line explains a failed start.
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr.tail = (stderr.tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  return transport;
}

async function listAll(client: Client): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: MCP_CONNECT_TIMEOUT_MS });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

function wanted(spec: McpServerSpec, name: string): boolean {
  if (spec.includeTools && !spec.includeTools.includes(name)) return false;
  return !spec.excludeTools?.includes(name);
}

function toolInfo(tool: Tool): McpToolInfo {
  return {
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    readOnly: tool.annotations?.readOnlyHint === true,
  };
}

/**
 * The function response for a result: structured content as is (the tool's own schema), else the
 * text parts joined under `output`; an `isError` result is a failure with that text.
 */
export function outputOf(result: CallToolResult): ToolOutput {
  const texts = (result.content ?? []).flatMap((part) => (part.type === 'text' ? [part.text] : []));
  const others = (result.content ?? []).filter((part) => part.type !== 'text').map((part) => part.type);
  if (result.isError) return { ok: false, message: texts.join('\n') || 'the tool reported an error' };
  if (result.structuredContent) return { ok: true, response: { ...result.structuredContent } };
  return {
    ok: true,
    response: { output: texts.join('\n'), ...(others.length ? { omittedContent: others } : {}) },
  };
}

function classify(error: unknown, name: string, timeoutMs: number): ToolErrorPayload {
  if (error instanceof McpError) {
    if (error.code === Number(ErrorCode.RequestTimeout)) return toolError('TIMEOUT', `${name} did not answer within ${timeoutMs / 1000} s`);
    if (error.code === Number(ErrorCode.ConnectionClosed)) return toolError('UNAVAILABLE', `the MCP server of ${name} closed the connection`);
    if (error.code === Number(ErrorCode.InvalidParams)) return toolError('INVALID_ARGUMENT', redact(error.message));
    if (error.code === Number(ErrorCode.MethodNotFound)) return toolError('NOT_FOUND', redact(error.message));
  }
  const message = errorText(error);
  if (/not connected|closed|EPIPE|ECONNREFUSED|fetch failed/i.test(message)) return toolError('UNAVAILABLE', `the MCP server of ${name} is unavailable: ${message}`);
  return toolError('TOOL_ERROR', message);
}

function errorText(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}

/** For messages: the command or the URL's origin (a URL's path or query may carry a token). */
export function describeSpec(spec: McpServerSpec): string {
  if (spec.transport.kind === 'stdio') return [spec.transport.command, ...spec.transport.args].join(' ');
  try {
    return new URL(spec.transport.url).origin;
  } catch {
    return 'an HTTP URL';
  }
}
