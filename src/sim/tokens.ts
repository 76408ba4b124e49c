/**
 * Token arithmetic, roughly as the service bills it: about 25 tokens per second of audio and one
 * token per four characters of text. The prompt of every turn includes the whole kept history.
 */
export type TokenModality = 'TEXT' | 'AUDIO' | 'IMAGE';

export interface HistoryTurn {
  role: 'user' | 'model';
  modality: TokenModality;
  tokens: number;
}

export const AUDIO_TOKENS_PER_SECOND = 25;

export function textTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

export function audioTokens(seconds: number): number {
  return Math.round(seconds * AUDIO_TOKENS_PER_SECOND);
}

/**
 * Tokens of one image or video frame: 258 at the default (medium) resolution, 66 at
 * `MEDIA_RESOLUTION_LOW`, as the service bills frames. Every frame is counted under IMAGE.
 */
export function frameTokens(mediaResolution: string | undefined): number {
  return mediaResolution === 'MEDIA_RESOLUTION_LOW' ? 66 : 258;
}

export function historyTokens(history: readonly HistoryTurn[]): number {
  return history.reduce((sum, turn) => sum + turn.tokens, 0);
}

export interface Compression {
  triggerTokens: number;
  targetTokens: number;
}

/**
 * Sliding-window compression: once the context passes `triggerTokens`, the oldest turns go until
 * it fits `targetTokens` (the system instruction always stays). Returns how many turns went.
 */
export function compressHistory(history: HistoryTurn[], fixedTokens: number, compression: Compression | undefined): number {
  if (!compression || fixedTokens + historyTokens(history) <= compression.triggerTokens) return 0;
  let dropped = 0;
  // The newest turn is what is being answered: it is never dropped.
  while (history.length > 1 && fixedTokens + historyTokens(history) > compression.targetTokens) {
    history.shift();
    dropped++;
  }
  return dropped;
}

interface ModalityCount {
  modality: TokenModality;
  tokenCount: number;
}

function byModality(turns: readonly { modality: TokenModality; tokens: number }[]): ModalityCount[] {
  const counts: ModalityCount[] = [];
  for (const modality of ['TEXT', 'AUDIO', 'IMAGE'] as const) {
    const tokenCount = turns.filter((turn) => turn.modality === modality).reduce((sum, turn) => sum + turn.tokens, 0);
    if (tokenCount > 0) counts.push({ modality, tokenCount });
  }
  return counts;
}

export interface UsageMetadata {
  promptTokenCount: number;
  responseTokenCount: number;
  totalTokenCount: number;
  thoughtsTokenCount?: number;
  promptTokensDetails: ModalityCount[];
  responseTokensDetails: ModalityCount[];
}

/** The per-turn usage the service sends with `turnComplete`: prompt = system + whole kept history. */
export function usageFor(
  systemTokens: number,
  promptHistory: readonly HistoryTurn[],
  response: { modality: TokenModality; tokens: number },
  thoughtsTokens: number,
): UsageMetadata {
  const prompt = [{ modality: 'TEXT' as const, tokens: systemTokens }, ...promptHistory];
  const promptTokenCount = prompt.reduce((sum, turn) => sum + turn.tokens, 0);
  const usage: UsageMetadata = {
    promptTokenCount,
    responseTokenCount: response.tokens,
    totalTokenCount: promptTokenCount + response.tokens + thoughtsTokens,
    promptTokensDetails: byModality(prompt),
    responseTokensDetails: byModality([response]),
  };
  if (thoughtsTokens > 0) usage.thoughtsTokenCount = thoughtsTokens;
  return usage;
}

/**
 * Vertex spells the response counts `candidatesTokenCount` / `candidatesTokensDetails` on the
 * wire (the SDK renames them to `response…`); the Gemini API sends `response…` directly.
 */
export function vertexUsage(usage: UsageMetadata): Record<string, unknown> {
  const { responseTokenCount, responseTokensDetails, ...rest } = usage;
  return { ...rest, candidatesTokenCount: responseTokenCount, candidatesTokensDetails: responseTokensDetails };
}
