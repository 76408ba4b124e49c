/**
 * Flags and config → the tools of a run: MCP servers started and their tools listed, the setup's
 * declarations (with each tool's behaviour), Google Search and code execution checked against the
 * model's capabilities (src/live/models.ts), and the executor that answers calls.
 */
import { CliError } from '../core/errors.js';
import type { EventStream } from '../core/events.js';
import { lookupModel, type ModelToolSupport } from '../live/models.js';
import type { LiveToolsSetup, ToolBehaviorName, ToolScheduling } from '../live/tool-hooks.js';
import { ToolExecutor } from './executor.js';
import type { McpServerConnection, McpToolInfo } from './mcp-client.js';
import { ToolPolicy } from './policy.js';
import { ToolRegistry } from './registry.js';
import { type McpServerSpec, serversFromConfig, serversFromFlags } from './servers.js';
import { DEFAULT_TOOL_TIMEOUT_MS, type ToolSpec } from './types.js';

export interface ToolFlags {
  mcp?: string[];
  mcpUrl?: string[];
  allowTool?: string[];
  yes?: boolean;
  googleSearch?: boolean;
  codeExecution?: boolean;
  /** Seconds per call. */
  toolTimeout?: string;
  /** `NAME=blocking|non-blocking[:interrupt|when-idle|silent]`; NAME `*` sets every tool. */
  toolBehavior?: string[];
}

export interface ToolSet {
  setup: LiveToolsSetup;
  host: ToolExecutor;
  policy: ToolPolicy;
  registry: ToolRegistry;
  /** Things worth telling the user that do not stop the run (an --allow-tool no server offers). */
  warnings: string[];
  close(): Promise<void>;
}

interface BehaviorChoice {
  behavior: ToolBehaviorName;
  scheduling?: ToolScheduling;
}

const SCHEDULINGS: Record<string, ToolScheduling> = { interrupt: 'INTERRUPT', 'when-idle': 'WHEN_IDLE', silent: 'SILENT' };

/** The service's default for a NON_BLOCKING response that names none. */
const DEFAULT_SCHEDULING: ToolScheduling = 'WHEN_IDLE';

export function parseToolTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TOOL_TIMEOUT_MS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError('usage', `--tool-timeout must be a positive number of seconds, got "${value}"`);
  return seconds * 1000;
}

/** `--tool-behavior` values by tool name (`*` for the default). */
export function parseToolBehaviors(values: readonly string[] | undefined): Map<string, BehaviorChoice> {
  const choices = new Map<string, BehaviorChoice>();
  for (const value of values ?? []) {
    const match = /^([^=]+)=(blocking|non-blocking)(?::([a-z-]+))?$/.exec(value.trim());
    const scheduling = match?.[3] === undefined ? undefined : SCHEDULINGS[match[3]];
    if (!match?.[1] || (match[3] !== undefined && !scheduling) || (match[2] === 'blocking' && match[3] !== undefined)) {
      throw new CliError('usage', `--tool-behavior "${value}" is not NAME=blocking or NAME=non-blocking[:interrupt|when-idle|silent] (NAME * for every tool)`);
    }
    choices.set(match[1], match[2] === 'blocking' ? { behavior: 'BLOCKING' } : { behavior: 'NON_BLOCKING', ...(scheduling ? { scheduling } : {}) });
  }
  return choices;
}

/** Checks the built-in tools against the model; a usage error names the model and the way out. */
export function checkBuiltIns(flags: ToolFlags, model: string, support: ModelToolSupport): void {
  if (flags.googleSearch && !support.googleSearch) {
    throw new CliError('usage', `${model} does not support Google Search grounding: drop --google-search or pick another --model`);
  }
  if (flags.codeExecution && !support.codeExecution) {
    throw new CliError('usage', `${model} does not support code execution: drop --code-execution or use --model gemini-live-2.5-flash-preview`);
  }
}

/** A tool's behaviour: its own choice, else `*`, else the model's default. Refuses what the model cannot do. */
function behaviorFor(name: string, choices: Map<string, BehaviorChoice>, model: string, support: ModelToolSupport): BehaviorChoice {
  const chosen = choices.get(name) ?? choices.get('*');
  if (chosen?.behavior === 'NON_BLOCKING' && !support.nonBlocking) {
    throw new CliError('usage', `${model} takes synchronous (blocking) tools only: drop --tool-behavior ${name === '*' ? '*' : name}=non-blocking or pick another --model`);
  }
  const behavior = chosen?.behavior ?? support.defaultBehavior;
  if (behavior === 'BLOCKING') return { behavior };
  return { behavior, scheduling: chosen?.scheduling ?? DEFAULT_SCHEDULING };
}

function specFor(tool: McpToolInfo, server: McpServerConnection, choice: BehaviorChoice, nonBlockingDeclared: boolean): ToolSpec {
  return {
    declaration: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parametersJsonSchema: tool.inputSchema,
      ...(tool.outputSchema ? { responseJsonSchema: tool.outputSchema } : {}),
      // Declared explicitly whenever it is NON_BLOCKING (even as the model's default), so the
      // setup says what the responses' `scheduling` assumes; BLOCKING only when asked.
      ...(choice.behavior === 'NON_BLOCKING' || nonBlockingDeclared ? { behavior: choice.behavior } : {}),
    },
    source: server.spec.name,
    readOnly: tool.readOnly,
    timeoutMs: server.spec.timeoutMs,
    ...(choice.scheduling ? { scheduling: choice.scheduling } : {}),
    invoke: (args, signal, timeoutMs) => server.call(tool.name, args, signal, timeoutMs),
  };
}

/**
 * Starts every configured MCP server and lists its tools. Rejects with a usage error (exit 2) for
 * bad flags or config, a server that does not start, duplicate tool names, or a tool the model
 * cannot take; servers already started are closed first.
 */
export async function openTools(flags: ToolFlags, fileConfig: Record<string, unknown>, model: string, events: EventStream): Promise<ToolSet> {
  const support = lookupModel(model).tools;
  checkBuiltIns(flags, model, support);
  const timeoutMs = parseToolTimeout(flags.toolTimeout);
  const choices = parseToolBehaviors(flags.toolBehavior);
  const specs: McpServerSpec[] = [...serversFromConfig(fileConfig, timeoutMs), ...serversFromFlags(flags, timeoutMs)];
  const servers: McpServerConnection[] = [];
  const closeServers = (): Promise<void> => Promise.all(servers.map((server) => server.close())).then(() => undefined);
  const registry = new ToolRegistry();
  try {
    // The MCP SDK (zod, ajv, …) loads only when a server is configured: a plain chat never pays for it.
    const { McpServerConnection: Connection } = specs.length > 0 ? await import('./mcp-client.js') : { McpServerConnection: undefined };
    const opened = Connection ? await Promise.allSettled(specs.map((spec) => Connection.open(spec))) : [];
    for (const result of opened) if (result.status === 'fulfilled') servers.push(result.value);
    const failed = opened.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    for (const server of servers) {
      for (const tool of server.tools) {
        const choice = behaviorFor(tool.name, choices, model, support);
        registry.add(specFor(tool, server, choice, choices.has(tool.name) || choices.has('*')));
      }
    }
    for (const name of choices.keys()) {
      if (name !== '*' && !registry.get(name)) throw new CliError('usage', `--tool-behavior names ${name}, but no MCP server offers a tool by that name`);
    }
  } catch (error) {
    await closeServers();
    throw error;
  }
  const policy = new ToolPolicy({
    allow: new Set(flags.allowTool ?? []),
    yes: flags.yes === true,
    trusted: new Set(specs.filter((spec) => spec.trust).map((spec) => spec.name)),
  });
  const host = new ToolExecutor(registry, policy, events);
  const warnings = (flags.allowTool ?? [])
    .filter((name) => !registry.get(name))
    .map((name) => `--allow-tool ${name}: no MCP server offers a tool by that name (${registry.size ? `they offer ${registry.names.join(', ')}` : 'no tools are configured'})`);
  return {
    warnings,
    setup: { functions: registry.declarations(), googleSearch: flags.googleSearch === true, codeExecution: flags.codeExecution === true },
    host,
    policy,
    registry,
    close: async () => {
      host.abortAll();
      await closeServers();
    },
  };
}
