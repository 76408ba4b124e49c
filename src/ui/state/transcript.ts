import { redact } from '../../core/redact.js';
import type { LiveEvent } from '../../core/events.js';
import { toolLine } from '../../output/tool-lines.js';

/** `tool`: a compact line for a tool call, result, error or cancellation, or a reply's search sources. */
export type Speaker = 'user' | 'model' | 'tool';

/** One turn of the conversation as the TUI shows it. */
export interface Turn {
  /** Stable and increasing in display order (the `<Static>` key). */
  readonly id: number;
  readonly speaker: Speaker;
  /** The pieces exactly as received, concatenated. */
  readonly text: string;
  /** Thought summaries of a model turn (shown dim); '' when none. */
  readonly thought: string;
  /** A user turn sent as text (`user.text`) rather than spoken. */
  readonly typed: boolean;
  /** The user cut in: the model turn ends where the text stops. */
  readonly interrupted: boolean;
  /** Replayed from an earlier connection of the session (`history: true`), shown dim. */
  readonly history: boolean;
  /** Why the turn ended early, e.g. `connection-lost` (turn.complete's reason). */
  readonly endReason?: string;
}

export interface TranscriptState {
  /** Finished turns, append-only: render with `<Static>`, each exactly once. */
  readonly settled: readonly Turn[];
  /** Turns still growing (at most a few), rendered below the settled ones. */
  readonly live: readonly Turn[];
}

type DraftTurn = { -readonly [K in keyof Turn]: Turn[K] };

interface OpenTurn {
  turn: DraftTurn;
  /** Still accepts pieces. A closed turn waits in `live` until every turn before it has closed. */
  open: boolean;
}

/**
 * Builds turns from events. Settling is strictly in order (only a closed prefix of `live` moves to
 * `settled`), because `<Static>` prints each item once and can never revise it.
 *
 * A spoken user turn stays open until its exchange ends (turn.complete or interrupted), not
 * merely until the reply starts: input transcription often lags the reply, and its late pieces
 * belong to that user turn. It is still shown above the reply, since it was created first.
 */
export class TranscriptBuilder {
  private nextId = 1;
  private settled: readonly Turn[] = [];
  private live: OpenTurn[] = [];
  private historyOpen = false;
  /** After `interrupted`, output of the cut-off reply is dropped until the next exchange starts. */
  private discardOutput = false;
  private cached: TranscriptState | undefined;

  /** Applies one event; returns whether the transcript changed. */
  apply(event: LiveEvent): boolean {
    if ('history' in event && event.history === true) return this.applyHistory(event);
    let changed = false;
    if (this.historyOpen) changed = this.closeWhere((entry) => entry.turn.history);
    switch (event.type) {
      case 'user.text':
        this.discardOutput = false;
        this.closeWhere((entry) => entry.turn.speaker === 'user');
        this.push('user', event.text, { typed: true, open: false });
        return this.changed();
      case 'user.image':
        this.discardOutput = false;
        this.closeWhere((entry) => entry.turn.speaker === 'user');
        this.push('user', `[image ${event.name} · ${(event.bytes / 1024).toFixed(1)} KB]`, { typed: true, open: false });
        return this.changed();
      case 'transcript.input': {
        this.discardOutput = false;
        const turn = this.findOpen((entry) => entry.turn.speaker === 'user' && !entry.turn.typed) ?? this.push('user', '', {});
        turn.text += event.text;
        return this.changed();
      }
      case 'transcript.output':
      case 'text':
        if (this.discardOutput) return this.finish(changed);
        this.currentModelTurn().text += event.text;
        return this.changed();
      case 'thought':
        if (this.discardOutput) return this.finish(changed);
        this.currentModelTurn().thought += event.text;
        return this.changed();
      case 'interrupted': {
        const model = this.findOpen((entry) => entry.turn.speaker === 'model');
        if (model) model.interrupted = true;
        this.closeWhere(() => true);
        this.discardOutput = true;
        return this.changed();
      }
      case 'turn.complete': {
        const model = this.findOpen((entry) => entry.turn.speaker === 'model');
        if (model && event.reason) model.endReason = event.reason;
        this.closeWhere(() => true);
        this.discardOutput = false;
        return this.changed();
      }
      case 'tool.call':
      case 'tool.result':
      case 'tool.error':
      case 'tool.cancelled':
      case 'grounding':
      case 'code':
      case 'code.result':
        // A line of its own between the turns, in arrival order; model text after it starts a new model turn.
        this.push('tool', toolLine(event) ?? event.type, { open: false });
        return this.changed();
      case 'session.open':
        // A new connection starts no reply of the old one: whatever it sends is new.
        this.discardOutput = false;
        return this.finish(changed);
      case 'session.end':
        this.closeWhere(() => true);
        return this.changed();
      default:
        return this.finish(changed);
    }
  }

  snapshot(): TranscriptState {
    this.cached ??= { settled: this.settled, live: this.live.map((entry) => shown(entry.turn)) };
    return this.cached;
  }

  /** History arrives as a burst of pieces with no turn.complete between turns: a speaker change ends a turn. */
  private applyHistory(event: LiveEvent): boolean {
    const speaker: Speaker | undefined =
      event.type === 'user.text' || event.type === 'transcript.input' ? 'user' : event.type === 'transcript.output' || event.type === 'text' ? 'model' : undefined;
    if (!speaker || !('text' in event)) return false;
    const last = this.live.at(-1);
    const typed = event.type === 'user.text';
    if (!typed && last?.open && last.turn.history && last.turn.speaker === speaker && !last.turn.typed) {
      last.turn.text += event.text;
    } else {
      this.closeWhere((entry) => entry.turn.history);
      this.push(speaker, event.text, { typed, history: true, open: !typed });
      this.historyOpen = !typed;
    }
    return this.changed();
  }

  /** The model turn output pieces belong to: the open one, unless a user turn has begun after it. */
  private currentModelTurn(): DraftTurn {
    const last = this.live.at(-1);
    if (last?.open && last.turn.speaker === 'model') return last.turn;
    this.closeWhere((entry) => entry.turn.speaker === 'model');
    return this.push('model', '', {});
  }

  private push(speaker: Speaker, text: string, options: { typed?: boolean; history?: boolean; open?: boolean }): DraftTurn {
    const turn: DraftTurn = {
      id: this.nextId++,
      speaker,
      text,
      thought: '',
      typed: options.typed ?? false,
      interrupted: false,
      history: options.history ?? false,
    };
    this.live.push({ turn, open: options.open ?? true });
    return turn;
  }

  private findOpen(match: (entry: OpenTurn) => boolean): DraftTurn | undefined {
    for (let i = this.live.length - 1; i >= 0; i--) {
      const entry = this.live[i];
      if (entry?.open && match(entry)) return entry.turn;
    }
    return undefined;
  }

  private closeWhere(match: (entry: OpenTurn) => boolean): boolean {
    let closed = false;
    for (const entry of this.live) {
      if (entry.open && match(entry)) {
        entry.open = false;
        closed = true;
      }
    }
    if (closed) this.historyOpen = this.live.some((entry) => entry.open && entry.turn.history);
    return closed;
  }

  private finish(changed: boolean): boolean {
    return changed ? this.changed() : false;
  }

  /** Moves the closed prefix of `live` to `settled` and drops the cached snapshot. */
  private changed(): true {
    let count = 0;
    while (count < this.live.length && this.live[count]?.open === false) count++;
    if (count > 0) {
      this.settled = [...this.settled, ...this.live.slice(0, count).map((entry) => shown(entry.turn))];
      this.live = this.live.slice(count);
    }
    this.cached = undefined;
    return true;
  }
}

/** A turn as drawn: a key the server echoed back is masked (the whole text, so a split key is caught too). */
function shown(turn: Turn): Turn {
  return { ...turn, text: redact(turn.text) };
}
