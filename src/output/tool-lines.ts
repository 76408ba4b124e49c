/**
 * One compact line per tool event and per grounding, for the plain-text transcript and the TUI:
 * `tool add {"a":2,"b":3}`, `tool add → {"sum":5} (4.1 ms)`, `tool add denied: …`, `tool slow
 * cancelled`, `sources: [1] title <uri> …`. Long JSON is cut so a line stays a line.
 */
import type { LiveEvent } from '../core/events.js';

const MAX_JSON = 160;

function brief(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  return json.length > MAX_JSON ? `${json.slice(0, MAX_JSON - 1)}…` : json;
}

/** Code and its output on one line: line breaks shown as ⏎, long text cut. */
function oneLine(text: string): string {
  const flat = text.trimEnd().replace(/\r?\n/g, ' ⏎ ');
  return flat.length > MAX_JSON ? `${flat.slice(0, MAX_JSON - 1)}…` : flat;
}

const FAILURE_WORDS: Record<string, string> = {
  DENIED: 'denied',
  NOT_FOUND: 'not found',
  TIMEOUT: 'timed out',
  UNAVAILABLE: 'unavailable',
  INVALID_ARGUMENT: 'bad arguments',
  TOOL_ERROR: 'failed',
};

export function toolLine(event: LiveEvent): string | undefined {
  switch (event.type) {
    case 'tool.call':
      return `tool ${event.name} ${brief(event.args)}`;
    case 'tool.result':
      return `tool ${event.name} → ${brief(event.response)} (${event.ms} ms)`;
    case 'tool.error':
      return `tool ${event.name} ${FAILURE_WORDS[event.status] ?? 'failed'}: ${event.message}`;
    case 'tool.cancelled':
      return `tool ${event.name} cancelled by the model after ${event.ms} ms`;
    case 'code':
      return `code (${event.language.toLowerCase()}): ${oneLine(event.code)}`;
    case 'code.result':
      return `code ${event.outcome === 'OUTCOME_OK' ? 'output' : event.outcome.toLowerCase()}: ${oneLine(event.output)}`;
    case 'grounding': {
      const sources = event.sources.map((source, index) => `[${index + 1}] ${source.title ? `${source.title} ` : ''}<${source.uri}>`);
      const searched = event.queries.length ? `searched ${event.queries.map((query) => JSON.stringify(query)).join(', ')}` : 'grounded';
      return sources.length ? `${searched}; sources: ${sources.join(' ')}` : searched;
    }
    default:
      return undefined;
  }
}
