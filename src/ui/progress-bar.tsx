import { Box, Text } from 'ink';
import type { ProgressSnapshot } from '../transcribe/progress.js';

export interface ProgressBarProps {
  snapshot: ProgressSnapshot;
  /** Cells of the bar itself (default 30). */
  width?: number;
}

/** `[██████████░░░░░░░░░░]  1:12 / 3:00 audio · 0:04 elapsed · 18.0× real time`. */
export function ProgressBar({ snapshot, width = 30 }: ProgressBarProps) {
  const filled = snapshot.fraction === undefined ? 0 : Math.round(snapshot.fraction * width);
  const bar = snapshot.fraction === undefined ? '' : `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] `;
  return (
    <Box>
      <Text>
        {bar}
        {snapshot.label}
      </Text>
    </Box>
  );
}
