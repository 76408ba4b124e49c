import type { Runtime } from '../runtime.js';
import type { ChatFlags, ResumeTarget } from './chat.js';

/**
 * `live-cli resume <handle|id|last>`: finds the session (or takes a raw handle), then runs `chat`
 * with it: the earlier transcript first, then the conversation continues on the resumed session.
 */
export async function runResume(ref: string, flags: ChatFlags, runtime: Runtime): Promise<number> {
  const { openRegistry, readTranscript, historyEvents, handleValid } = await import('../../registry/index.js');
  const { CliError } = await import('../../core/errors.js');
  let target: ResumeTarget;
  try {
    const registry = openRegistry(process.env);
    const resolved = registry.resolve(ref);
    const record = resolved.record;
    target = {
      ...resolved,
      history: record && record.log ? historyEvents(readTranscript(registry, record.id)) : [],
      valid: record ? handleValid(record) : true,
    };
    // A recorded session's own model and modality, unless the flags say otherwise.
    if (record) {
      flags.model ??= record.model;
      if (record.modality) flags.modality ??= record.modality;
      if (record.systemInstruction && flags.system === undefined) flags.system = record.systemInstruction;
    }
  } catch (error) {
    if (error instanceof CliError) {
      runtime.stderr.write(`live-cli: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  const { runChat } = await import('./chat.js');
  return runChat(flags, runtime, target);
}
