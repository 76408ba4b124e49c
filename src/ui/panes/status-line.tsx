import { Box, Text } from 'ink';
import { levelNow, meterCells } from '../state/derive.js';
import type { ConnectionState, LevelReading, MicMode, StatusMessage, TuiState } from '../state/tui-store.js';

export interface StatusLineProps {
  model: string;
  voice?: string;
  connection: ConnectionState;
  mic: MicMode;
  pushToTalk: boolean;
  levels: TuiState['levels'];
  message?: StatusMessage;
  /** The App's shared clock reading, for the meters' fall-off. */
  now: number;
  /** The input line is open: the hints say how to send or cancel instead. */
  typing?: boolean;
  color?: boolean;
}

export const METER_CELLS = 8;

const MIC_LABELS: Record<MicMode, string> = {
  live: 'mic live',
  muted: 'mic muted',
  'ptt-idle': 'push-to-talk idle',
  'ptt-talking': 'talking',
  off: 'mic off (text mode)',
};

const MESSAGE_COLORS = { info: undefined, warn: 'yellow', error: 'red' } as const;

/** The bottom of the screen: an optional message line, the session's state with meters, and the key hints. */
export function StatusLine(props: StatusLineProps) {
  const { connection, mic, color = true } = props;
  const connText = connection.generation > 0 ? `${connection.status} · conn ${connection.generation}` : connection.status;
  const connColor = connection.status === 'open' ? 'green' : connection.status === 'closed' ? 'red' : 'yellow';
  const micColor = mic === 'live' || mic === 'ptt-talking' ? 'green' : mic === 'muted' ? 'red' : undefined;
  return (
    <Box flexDirection="column">
      {props.message && (
        <Text color={color ? MESSAGE_COLORS[props.message.tone] : undefined}>
          {props.message.tone === 'info' ? props.message.text : `${props.message.tone}: ${props.message.text}`}
        </Text>
      )}
      {/* Segments wrap as whole units on narrow terminals, so a meter is never split across lines. */}
      <Box flexWrap="wrap" columnGap={1}>
        <Text bold={color}>{props.model}</Text>
        {props.voice !== undefined && <Text>{`· ${props.voice}`}</Text>}
        <Text>
          {'· '}
          <Text color={color ? connColor : undefined}>{connText}</Text>
        </Text>
        <Text>
          {'· '}
          <Text color={color ? micColor : undefined}>{MIC_LABELS[mic]}</Text>
          {mic !== 'off' && ' in '}
          {mic !== 'off' && <Meter reading={props.levels.input} now={props.now} color={color} />}
        </Text>
        <Text>
          {'out '}
          <Meter reading={props.levels.output} now={props.now} color={color} />
        </Text>
      </Box>
      <Text dimColor={color}>{keyHints(props.pushToTalk, mic, props.typing ?? false)}</Text>
    </Box>
  );
}

/** `▕█████░░░▏`, green, falling back toward empty when no audio arrives. */
function Meter({ reading, now, color }: { reading: LevelReading; now: number; color: boolean }) {
  const filled = meterCells(levelNow(reading, now), METER_CELLS);
  return (
    <Text>
      {'▕'}
      <Text color={color ? 'green' : undefined}>{'█'.repeat(filled)}</Text>
      {`${'░'.repeat(METER_CELLS - filled)}▏`}
    </Text>
  );
}

export function keyHints(pushToTalk: boolean, mic: MicMode, typing: boolean): string {
  if (typing) return 'Enter send · Esc cancel · Ctrl+C quit';
  const hints = [
    ...(pushToTalk ? ['Space talk'] : []),
    ...(mic === 'off' ? [] : [mic === 'muted' ? 'm unmute' : 'm mute']),
    't type',
    '? help',
    'q quit',
  ];
  return hints.join(' · ');
}
