/**
 * Which MCP servers a run uses: `--mcp "COMMAND ARGS"` and `--mcp-url URL` (each repeatable), and
 * the config file's `mcpServers` object, shaped like gemini-cli's:
 * `{"mcpServers": {"NAME": {"command", "args", "env", "cwd"} | {"httpUrl" | "url", "headers"},
 *   "timeout" (ms), "trust", "includeTools", "excludeTools"}}`. Bad entries are usage errors naming
 * the entry and the fix.
 */
import { CliError } from '../core/errors.js';
import { splitCommandLine } from './command-line.js';

export type McpTransportSpec =
  | { kind: 'stdio'; command: string; args: string[]; env?: Record<string, string>; cwd?: string }
  | { kind: 'http'; url: string; headers?: Record<string, string> };

export interface McpServerSpec {
  name: string;
  transport: McpTransportSpec;
  /** Per-call timeout, ms. */
  timeoutMs: number;
  /** The user trusts every tool of this server: no confirmation (gemini-cli's `trust`). */
  trust: boolean;
  includeTools?: string[];
  excludeTools?: string[];
}

export interface ServerFlags {
  mcp?: string[];
  mcpUrl?: string[];
}

export function serversFromFlags(flags: ServerFlags, timeoutMs: number): McpServerSpec[] {
  const specs: McpServerSpec[] = [];
  (flags.mcp ?? []).forEach((line, index) => {
    let argv: string[];
    try {
      argv = splitCommandLine(line);
    } catch (error) {
      throw new CliError('usage', `--mcp "${line}": ${(error as Error).message}; quote the command as one argument, e.g. --mcp "node server.js"`);
    }
    const [command, ...args] = argv;
    if (!command) throw new CliError('usage', '--mcp needs a command, e.g. --mcp "node server.js"');
    specs.push({ name: `mcp-${index + 1}`, transport: { kind: 'stdio', command, args }, timeoutMs, trust: false });
  });
  (flags.mcpUrl ?? []).forEach((url, index) => {
    specs.push({ name: `mcp-url-${index + 1}`, transport: { kind: 'http', url: checkUrl(url, '--mcp-url') }, timeoutMs, trust: false });
  });
  return specs;
}

/** The config file's `mcpServers` (absent: none). */
export function serversFromConfig(file: Record<string, unknown>, timeoutMs: number): McpServerSpec[] {
  const section = file.mcpServers;
  if (section === undefined) return [];
  if (!isObject(section)) throw configError('mcpServers', 'must be an object of named servers, e.g. {"add": {"command": "node", "args": ["add.js"]}}');
  return Object.entries(section).map(([name, value]) => serverFromConfig(name, value, timeoutMs));
}

function serverFromConfig(name: string, value: unknown, defaultTimeoutMs: number): McpServerSpec {
  const where = `mcpServers.${name}`;
  if (!isObject(value)) throw configError(where, 'must be an object with "command" or "httpUrl"');
  const timeout = value.timeout;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0))) throw configError(`${where}.timeout`, 'must be a positive number of milliseconds');
  const trust = value.trust;
  if (trust !== undefined && typeof trust !== 'boolean') throw configError(`${where}.trust`, 'must be true or false');
  const includeTools = stringList(value.includeTools, `${where}.includeTools`);
  const excludeTools = stringList(value.excludeTools, `${where}.excludeTools`);
  return {
    name,
    transport: transportFromConfig(where, value),
    timeoutMs: typeof timeout === 'number' ? timeout : defaultTimeoutMs,
    trust: trust === true,
    ...(includeTools ? { includeTools } : {}),
    ...(excludeTools ? { excludeTools } : {}),
  };
}

function transportFromConfig(where: string, value: Record<string, unknown>): McpTransportSpec {
  const url = value.httpUrl ?? value.url;
  if (typeof value.command === 'string' && value.command !== '') {
    const args = stringList(value.args, `${where}.args`) ?? [];
    const env = stringRecord(value.env, `${where}.env`);
    const cwd = value.cwd;
    if (cwd !== undefined && typeof cwd !== 'string') throw configError(`${where}.cwd`, 'must be a directory path');
    return { kind: 'stdio', command: value.command, args, ...(env ? { env } : {}), ...(typeof cwd === 'string' ? { cwd } : {}) };
  }
  if (typeof url === 'string') {
    const headers = stringRecord(value.headers, `${where}.headers`);
    return { kind: 'http', url: checkUrl(url, `${where}.httpUrl`), ...(headers ? { headers } : {}) };
  }
  throw configError(where, 'needs "command" (a stdio server) or "httpUrl" (streamable HTTP)');
}

function checkUrl(url: string, where: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError('usage', `${where} "${url}" is not a URL; give the server's streamable HTTP endpoint, e.g. http://127.0.0.1:3000/mcp`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError('usage', `${where} must be an http:// or https:// URL (streamable HTTP), got ${parsed.protocol}`);
  }
  return url;
}

function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw configError(where, 'must be an array of strings');
  return value as string[];
}

function stringRecord(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || Object.values(value).some((item) => typeof item !== 'string')) throw configError(where, 'must be an object of strings');
  return value as Record<string, string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function configError(where: string, problem: string): CliError {
  return new CliError('usage', `the config file's ${where} ${problem}`);
}
