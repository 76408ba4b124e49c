/**
 * Every tool of a run by the name the model calls it. Names are the model's only handle on a tool,
 * so two servers offering the same name is a usage error, not a silent pick.
 */
import { CliError } from '../core/errors.js';
import type { FunctionDeclarationSpec } from '../live/tool-hooks.js';
import type { ToolSpec } from './types.js';

export class ToolRegistry {
  private readonly tools = new Map<string, ToolSpec>();

  add(spec: ToolSpec): void {
    const name = spec.declaration.name;
    const existing = this.tools.get(name);
    if (existing) {
      throw new CliError('usage', `two MCP servers offer a tool named ${name} (${existing.source} and ${spec.source}); leave one out with "excludeTools" in mcpServers`);
    }
    this.tools.set(name, spec);
  }

  get(name: string): ToolSpec | undefined {
    return this.tools.get(name);
  }

  get names(): string[] {
    return [...this.tools.keys()];
  }

  get size(): number {
    return this.tools.size;
  }

  declarations(): FunctionDeclarationSpec[] {
    return [...this.tools.values()].map((spec) => spec.declaration);
  }
}
