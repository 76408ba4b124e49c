/**
 * Resumption handles that outlive the simulator's process (`handle-dir`). `live-cli chat --sim`
 * runs a simulator inside the CLI, which ends with it; without this, the `live-cli resume <id>` it
 * suggests would meet a simulator that never issued the handle. The service keeps a session ~2 hours
 * after its last handle; so does this store.
 *
 * One file per handle, `<sha256(handle)>.json` (the name says nothing of the handle), directory 0700
 * and files 0600. A file holds what the handle captured, in plain data: the running SHA-256 of the
 * kept audio and the speech detector are process state and start afresh in the simulator that
 * restores the handle (its summary's `keptAudioSha256` then covers the audio since the restore).
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyKeptState, type KeptState, type OpenSpeech } from './session.js';
import type { HistoryTurn } from './tokens.js';

/** How long a stored handle stays valid, as on the service. */
export const HANDLE_TTL_MS = 2 * 60 * 60 * 1000;

export interface StoredHandle {
  /** The session's service-side id (reported in the simulator's summaries). */
  sessionId: string;
  kept: KeptState;
}

interface HandleFile {
  version: 1;
  sessionId: string;
  kept: {
    messageIndex: number;
    audioBytes: number;
    audioSeconds: number;
    textTurns: string[];
    history: HistoryTurn[];
    pendingAudioSeconds: number;
    speechCount: number;
    speech?: OpenSpeech;
  };
}

export class HandleStore {
  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  save(handle: string, sessionId: string, kept: KeptState): void {
    const file: HandleFile = {
      version: 1,
      sessionId,
      kept: {
        messageIndex: kept.messageIndex,
        audioBytes: kept.audioBytes,
        audioSeconds: kept.audioSeconds,
        textTurns: kept.textTurns,
        history: kept.history,
        pendingAudioSeconds: kept.pendingAudioSeconds,
        speechCount: kept.speechCount,
        ...(kept.speech ? { speech: kept.speech } : {}),
      },
    };
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const path = this.pathOf(handle);
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(file), { mode: 0o600 });
    renameSync(temp, path);
  }

  /** The handle's state, if it was stored here less than HANDLE_TTL_MS ago and reads back whole. */
  load(handle: string): StoredHandle | undefined {
    const path = this.pathOf(handle);
    try {
      if (this.now() - statSync(path).mtimeMs > HANDLE_TTL_MS) return undefined;
      const file = JSON.parse(readFileSync(path, 'utf8')) as Partial<HandleFile>;
      if (file.version !== 1 || typeof file.sessionId !== 'string' || !file.kept) return undefined;
      const kept = emptyKeptState();
      Object.assign(kept, {
        messageIndex: file.kept.messageIndex,
        audioBytes: file.kept.audioBytes,
        audioSeconds: file.kept.audioSeconds,
        textTurns: [...file.kept.textTurns],
        history: file.kept.history.map((turn) => ({ ...turn })),
        pendingAudioSeconds: file.kept.pendingAudioSeconds,
        speechCount: file.kept.speechCount,
        // A new detector starts where the kept audio ends.
        vadBaseSeconds: file.kept.audioSeconds,
        ...(file.kept.speech ? { speech: { ...file.kept.speech } } : {}),
      });
      return { sessionId: file.sessionId, kept };
    } catch {
      return undefined;
    }
  }

  /** Removes handles past their validity; a store nobody can read is left alone. */
  prune(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        if (this.now() - statSync(path).mtimeMs > HANDLE_TTL_MS) rmSync(path, { force: true });
      } catch {
        // gone meanwhile
      }
    }
  }

  private pathOf(handle: string): string {
    return join(this.dir, `${createHash('sha256').update(handle).digest('hex').slice(0, 40)}.json`);
  }
}
