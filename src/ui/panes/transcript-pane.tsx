import { Box, Static, Text } from 'ink';
import type { TranscriptState, Turn } from '../state/tui-store.js';

export interface TranscriptPaneProps {
  transcript: TranscriptState;
  /** false: no colours or dim/bold, only text (history is then labelled instead of dimmed). */
  color?: boolean;
}

const LABELS = { user: 'you', model: 'gemini', tool: 'tool' } as const;
const COLORS = { user: 'cyan', model: 'green', tool: 'magenta' } as const;

/**
 * Settled turns go through `<Static>`: Ink prints each once, above the live area, so the cost of a
 * render grows only with the turns still growing, not with the length of the conversation.
 */
export function TranscriptPane({ transcript, color = true }: TranscriptPaneProps) {
  return (
    <>
      {/* Static never mutates its items; the cast only drops `readonly` from the type. */}
      <Static items={transcript.settled as Turn[]}>{(turn) => <TurnView key={turn.id} turn={turn} color={color} />}</Static>
      {transcript.live.map((turn) => (
        <TurnView key={turn.id} turn={turn} color={color} />
      ))}
    </>
  );
}

export interface TurnViewProps {
  turn: Turn;
  color: boolean;
}

/** `gemini: You said: hello there ⏹ interrupted`, with a dim thought line above when there is one. */
export function TurnView({ turn, color }: TurnViewProps) {
  // Tool lines are compact and already say what they are (`tool add → {"sum":5} (0.4 ms)`).
  if (turn.speaker === 'tool') return <Text color={color ? COLORS.tool : undefined}>{`  ${turn.text}`}</Text>;
  const dim = color && turn.history;
  const label = !color && turn.history ? `(earlier) ${LABELS[turn.speaker]}` : LABELS[turn.speaker];
  return (
    <Box flexDirection="column">
      {turn.thought.length > 0 && (
        <Text dimColor={color} italic={color}>
          {`${label} (thinking): ${turn.thought}`}
        </Text>
      )}
      {(turn.text.length > 0 || turn.interrupted || turn.endReason !== undefined || turn.thought.length === 0) && (
        <Text dimColor={dim}>
          <Text bold={color} color={color ? COLORS[turn.speaker] : undefined}>
            {`${label}:`}
          </Text>
          {/* Pieces are kept exactly as received; only the space that separated this turn's first
              piece from the previous turn's last is dropped, as the label already separates them. */}
          {` ${turn.text.trimStart()}`}
          {turn.interrupted && <Text color={color ? 'yellow' : undefined}>{' ⏹ interrupted'}</Text>}
          {turn.endReason !== undefined && <Text color={color ? 'yellow' : undefined}>{` [${turn.endReason}]`}</Text>}
        </Text>
      )}
    </Box>
  );
}
