import { Box, Text } from 'ink';

export interface InputLineProps {
  /** The line typed so far. */
  text: string;
  width?: number;
  color?: boolean;
}

/** The open text prompt: `> text▌`, wrapped to the width. Editing itself happens in the App's key handler. */
export function InputLine({ text, width, color = true }: InputLineProps) {
  return (
    <Box width={width}>
      <Text bold={color} color={color ? 'cyan' : undefined}>
        {'> '}
      </Text>
      <Text wrap="wrap">{`${text}▌`}</Text>
    </Box>
  );
}
