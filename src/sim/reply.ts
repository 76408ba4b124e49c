import { SYNTH_RATE, synthesizeSpeech } from './synth.js';
import { textTokens } from './tokens.js';

/**
 * What the model says, decided deterministically from the turn, and the frames that say it. Pure:
 * the connection paces and sends the steps.
 */

export type TurnIntent =
  | { kind: 'answer'; text: string; thought?: string; search?: string; code?: string }
  | { kind: 'tool'; name: string; args: Record<string, unknown> };

/**
 * `call tool NAME {json}` asks for a tool call, `think …` adds a thought summary, anything else is
 * echoed back. Echoing keeps replies checkable without a model.
 */
export function intentForText(text: string): TurnIntent {
  const trimmed = text.trim();
  const tool = /^call tool (\S+)\s*([\s\S]*)$/.exec(trimmed);
  if (tool?.[1]) {
    const rest = (tool[2] ?? '').trim();
    try {
      const args: unknown = rest === '' ? {} : JSON.parse(rest);
      if (typeof args === 'object' && args !== null && !Array.isArray(args)) {
        return { kind: 'tool', name: tool[1], args: args as Record<string, unknown> };
      }
    } catch {
      // Not JSON: treated as an ordinary turn below, so the mistake is visible in the echo.
    }
  }
  const code = /^run code\s+([\s\S]+)$/i.exec(trimmed);
  if (code?.[1]) return { kind: 'answer', text: `You said: ${trimmed}`, code: code[1].trim() };
  const search = /^search\s+([\s\S]+)$/i.exec(trimmed);
  if (search?.[1]) return { kind: 'answer', text: `You said: ${trimmed}`, search: search[1].trim() };
  const think = /^think\s+([\s\S]*)$/i.exec(trimmed);
  if (think) {
    const topic = think[1] ?? '';
    return { kind: 'answer', text: `You said: ${topic}`, thought: `Thinking about how to answer "${topic}".` };
  }
  return { kind: 'answer', text: `You said: ${trimmed}` };
}

export function speechReplyText(speechNumber: number, durationSeconds: number): string {
  return `I heard speech #${speechNumber}, ${durationSeconds.toFixed(2)} seconds.`;
}

export function toolReplyText(name: string, response: unknown): string {
  return `Tool ${name} returned ${JSON.stringify(response ?? null)}`;
}

export interface ReplyStep {
  message: Record<string, unknown>;
  /** Seconds of reply audio in this step (advances the session clock and paces the next step). */
  audioSeconds: number;
  /** Reply text carried by this step in TEXT modality (for partial counts on interruption). */
  text?: string;
}

export interface ReplyPlan {
  steps: ReplyStep[];
  text: string;
  thought: string | undefined;
  modality: 'AUDIO' | 'TEXT';
  audioBytes: number;
}

const AUDIO_CHUNK_SECONDS = 0.08;
const AUDIO_MIME = `audio/pcm;rate=${SYNTH_RATE}`;

function content(serverContent: Record<string, unknown>): Record<string, unknown> {
  return { serverContent };
}

/**
 * Splits text into about `count` pieces on word boundaries, and with `maxChars` cuts any longer
 * piece every `maxChars` characters (mid-word, as the service's subword pieces are); the pieces
 * concatenate to the text.
 */
export function splitPieces(text: string, count: number, maxChars = 0): string[] {
  const words = text.match(/\s*\S+/g) ?? [text];
  const pieces: string[] = [];
  const per = Math.max(1, Math.ceil(words.length / Math.max(1, count)));
  for (let i = 0; i < words.length; i += per) {
    const piece = words.slice(i, i + per).join('');
    if (maxChars <= 0) pieces.push(piece);
    else for (let at = 0; at < piece.length; at += maxChars) pieces.push(piece.slice(at, at + maxChars));
  }
  return pieces;
}

/**
 * With Google Search in the setup, `search X` is answered as a grounded reply: a sentence naming
 * the query, then `groundingMetadata` (queries and two web sources derived from the query, on
 * example.com: the simulator searches nothing).
 */
export function groundingFor(query: string): Record<string, unknown> {
  const slug = encodeURIComponent(query.toLowerCase().replace(/\s+/g, '-'));
  return {
    webSearchQueries: [query],
    groundingChunks: [
      { web: { uri: `https://example.com/search/${slug}`, title: `About ${query}` } },
      { web: { uri: `https://example.org/wiki/${slug}`, title: `${query} (encyclopedia)` } },
    ],
    searchEntryPoint: { renderedContent: `<div>${query}</div>` },
  };
}

/** Which built-in tools the setup declared: they change how `search X` and `run code X` are answered. */
export interface BuiltInTools {
  googleSearch: boolean;
  codeExecution: boolean;
}

/** The simulator runs no code: its result says so rather than pretend. */
export const SIM_CODE_OUTPUT = '(the simulator does not execute code)';

export function planReply(
  intent: { text: string; thought?: string; search?: string; code?: string },
  modality: 'AUDIO' | 'TEXT',
  outputTranscription: boolean,
  seed: number,
  tools: BuiltInTools = { googleSearch: false, codeExecution: false },
  pieceChars = 0,
): ReplyPlan {
  if (intent.code !== undefined && tools.codeExecution) {
    const ran = planReply({ text: 'The code ran.' }, modality, outputTranscription, seed, undefined, pieceChars);
    ran.steps.unshift(
      { message: content({ modelTurn: { parts: [{ executableCode: { language: 'PYTHON', code: intent.code } }] } }), audioSeconds: 0 },
      { message: content({ modelTurn: { parts: [{ codeExecutionResult: { outcome: 'OUTCOME_OK', output: SIM_CODE_OUTPUT } }] } }), audioSeconds: 0 },
    );
    return ran;
  }
  const googleSearch = tools.googleSearch;
  if (intent.search !== undefined && googleSearch) {
    const grounded = planReply({ text: `A search for "${intent.search}" found 2 sources.` }, modality, outputTranscription, seed, undefined, pieceChars);
    grounded.steps.push({ message: content({ groundingMetadata: groundingFor(intent.search) }), audioSeconds: 0 });
    return grounded;
  }
  const steps: ReplyStep[] = [];
  if (intent.thought !== undefined) {
    steps.push({ message: content({ modelTurn: { parts: [{ text: intent.thought, thought: true }] } }), audioSeconds: 0 });
  }
  if (modality === 'TEXT') {
    for (const piece of splitPieces(intent.text, 3, pieceChars)) {
      steps.push({ message: content({ modelTurn: { parts: [{ text: piece }] } }), audioSeconds: 0, text: piece });
    }
    return { steps, text: intent.text, thought: intent.thought, modality, audioBytes: 0 };
  }
  const pcm = synthesizeSpeech(intent.text, seed);
  const chunkBytes = Math.round(SYNTH_RATE * AUDIO_CHUNK_SECONDS) * 2;
  const chunkCount = Math.ceil(pcm.length / chunkBytes);
  // Transcription pieces are spread over the audio, as the service interleaves them.
  const pieces = outputTranscription ? splitPieces(intent.text, Math.max(1, Math.ceil(textTokens(intent.text) / 2)), pieceChars) : [];
  let pieceIndex = 0;
  for (let chunk = 0; chunk < chunkCount; chunk++) {
    while (pieceIndex < pieces.length && Math.floor((pieceIndex * chunkCount) / pieces.length) <= chunk) {
      steps.push({ message: content({ outputTranscription: { text: pieces[pieceIndex] } }), audioSeconds: 0 });
      pieceIndex++;
    }
    const data = pcm.subarray(chunk * chunkBytes, (chunk + 1) * chunkBytes);
    steps.push({
      message: content({ modelTurn: { parts: [{ inlineData: { mimeType: AUDIO_MIME, data: data.toString('base64') } }] } }),
      audioSeconds: data.length / 2 / SYNTH_RATE,
    });
  }
  return { steps, text: intent.text, thought: intent.thought, modality, audioBytes: pcm.length };
}
