import { Box, Text } from 'ink';

export interface HelpOverlayProps {
  pushToTalk: boolean;
  color?: boolean;
}

/** Every key the App answers to, in the order a newcomer needs them. */
export function keyHelp(pushToTalk: boolean): Array<[key: string, action: string]> {
  return [
    ...(pushToTalk ? [['Space', 'push-to-talk: start / stop talking'] as [string, string]] : []),
    ['m', 'mute / unmute the microphone'],
    ['t, Enter', 'type a message'],
    ['  Enter', 'send the typed message'],
    ['  Esc', 'cancel typing'],
    ['  Backspace', 'delete the last character'],
    ['  /image PATH', 'typed and sent: a JPEG or PNG for the model to see'],
    ['y / n', 'run / decline the tool call the prompt asks about'],
    ['?', 'show / hide this help'],
    ['q', 'quit'],
    ['Ctrl+C', 'quit (also while typing)'],
  ];
}

export function HelpOverlay({ pushToTalk, color = true }: HelpOverlayProps) {
  const rows = keyHelp(pushToTalk);
  const keyWidth = Math.max(...rows.map(([key]) => key.length)) + 2;
  return (
    <Box flexDirection="column" alignSelf="flex-start" borderStyle="round" borderColor={color ? 'gray' : undefined} paddingX={1}>
      <Text bold={color}>keys</Text>
      {rows.map(([key, action]) => (
        <Text key={key}>
          <Text color={color ? 'cyan' : undefined}>{key.padEnd(keyWidth)}</Text>
          {action}
        </Text>
      ))}
    </Box>
  );
}
