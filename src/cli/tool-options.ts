import type { Command } from 'commander';
import { collect } from './options.js';

/** Tools for `chat` / `resume`: MCP servers, approvals, built-in tools, behaviour (README "Tools"). */
export function addToolOptions(command: Command): Command {
  return command
    .option('--mcp <command>', 'a stdio MCP server whose tools the model may call, e.g. --mcp "node server.js" (repeatable)', collect)
    .option('--mcp-url <url>', 'a streamable HTTP MCP server (repeatable)', collect)
    .option('--allow-tool <name>', 'let the model run this tool without asking, also headless (repeatable)', collect)
    .option('--yes', 'let the model run every tool without asking, also headless')
    .option('--tool-timeout <seconds>', 'per tool call (default 20)')
    .option('--tool-behavior <name=behavior>', 'NAME=blocking or NAME=non-blocking[:interrupt|when-idle|silent]; NAME * for every tool (repeatable)', collect)
    .option('--google-search', 'let the model ground replies with Google Search (sources are listed)')
    .option('--code-execution', 'let the model run code (models that support it)');
}
