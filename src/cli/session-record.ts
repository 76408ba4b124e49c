import type { EventStream } from '../core/events.js';
import type { LiveConfig } from '../live/types.js';
import type { ResolvedSession, SessionLog, SessionRegistry } from '../registry/index.js';

export interface RecordedSession {
  registry: SessionRegistry;
  log: SessionLog;
}

/**
 * Records a chat/resume run in the registry: its record (what `sessions` lists and `resume` needs)
 * and, unless `--no-log`, its event log. A registry that cannot be written (read-only home, full
 * disk) costs the user resumability, not the conversation: it is reported once on stderr.
 */
export async function recordSession(
  events: EventStream,
  id: string,
  config: LiveConfig,
  options: { log: boolean; sim: boolean; resumedFrom?: ResolvedSession; warn: (message: string) => void },
): Promise<RecordedSession | undefined> {
  const { openRegistry, attachSessionLog } = await import('../registry/index.js');
  try {
    const registry = openRegistry(process.env);
    const continuing = options.resumedFrom?.record?.id === id ? registry.get(id) : undefined;
    if (continuing) {
      registry.update(id, { endedAt: undefined, pid: process.pid, log: options.log });
    } else {
      registry.create({
        id,
        model: config.model,
        endpoint: options.sim ? 'sim' : config.vertex ? 'vertex' : 'gemini',
        modality: config.modality,
        ...(config.systemInstruction ? { systemInstruction: config.systemInstruction } : {}),
        ...(options.resumedFrom?.record ? { resumedFrom: options.resumedFrom.record.id } : {}),
        log: options.log,
      });
    }
    const log = attachSessionLog(events, registry, id, {
      log: options.log,
      onError: (error) => options.warn(`the session log could not be written (${error.message}); this session may not be resumable`),
    });
    return { registry, log };
  } catch (error) {
    options.warn(`the session registry could not be written (${(error as Error).message}); this session will not be resumable`);
    return undefined;
  }
}
