/**
 * Which calls may run. A tool its server marks read-only runs; one from a trusted server
 * (`"trust": true` in mcpServers) runs; otherwise the user decides: in the TUI a y/n question,
 * headless only a tool named by `--allow-tool NAME` (or every tool with `--yes`). A denied call is
 * answered with a DENIED error, so the model can say it was not allowed.
 */
import type { ToolCallRequest } from '../live/tool-hooks.js';
import type { ToolSpec } from './types.js';

/** Asks the user about one call; resolves true to run it. Aborts when the call is cancelled. */
export type ApprovalPrompt = (request: ApprovalRequest, signal: AbortSignal) => Promise<boolean>;

export interface ApprovalRequest {
  id: string;
  name: string;
  args: Record<string, unknown>;
  source: string;
}

export interface PolicyOptions {
  allow: ReadonlySet<string>;
  yes: boolean;
  /** Trusted server names. */
  trusted: ReadonlySet<string>;
}

export type Decision = { run: true } | { run: false; message: string };

export class ToolPolicy {
  /** Set by the TUI once it can ask; headless runs have none. */
  prompt: ApprovalPrompt | undefined;

  constructor(private readonly options: PolicyOptions) {}

  /** Whether `spec` may run without asking anyone. */
  preapproved(spec: ToolSpec): boolean {
    return spec.readOnly || this.options.yes || this.options.allow.has(spec.declaration.name) || this.options.trusted.has(spec.source);
  }

  async decide(spec: ToolSpec, call: ToolCallRequest, signal: AbortSignal): Promise<Decision> {
    if (this.preapproved(spec)) return { run: true };
    const name = spec.declaration.name;
    if (!this.prompt) {
      return { run: false, message: `${name} may change things and was not allowed: the user can rerun with --allow-tool ${name} (or --yes)` };
    }
    const approved = await this.prompt({ id: call.id, name, args: call.args, source: spec.source }, signal);
    return approved ? { run: true } : { run: false, message: `the user declined to run ${name}` };
  }
}
