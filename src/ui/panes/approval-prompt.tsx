import { Box, Text } from 'ink';
import type { ApprovalView } from '../state/tui-store.js';

export interface ApprovalPromptProps {
  approval: ApprovalView;
  width?: number;
  color?: boolean;
}

const MAX_ARGS = 200;

/** `run tool add {"a":2,"b":3} from mcp-1? [y/n]`: a tool that may change things waits for the user. */
export function ApprovalPrompt({ approval, width, color = true }: ApprovalPromptProps) {
  const args = JSON.stringify(approval.args);
  const shown = args.length > MAX_ARGS ? `${args.slice(0, MAX_ARGS - 1)}…` : args;
  return (
    <Box width={width}>
      <Text wrap="wrap">
        <Text bold={color} color={color ? 'yellow' : undefined}>
          {`run tool ${approval.name}`}
        </Text>
        {` ${shown} from ${approval.source}? `}
        <Text bold={color}>{'[y/n]'}</Text>
      </Text>
    </Box>
  );
}
