import { Text } from 'ink';
import { goAwayView } from '../state/derive.js';
import type { GoAwayState } from '../state/tui-store.js';

export interface GoAwayPaneProps {
  goAway: GoAwayState;
  /** The App's shared clock reading: the countdown and the resumed line's expiry come from it. */
  now: number;
  color?: boolean;
}

const ICONS = { warn: '⚠', info: '↻', ok: '✓' } as const;
const COLORS = { warn: 'yellow', info: 'yellow', ok: 'green' } as const;

/** One line while a handoff is under way: the goAway countdown, the reconnect, then "resumed" for a few seconds. */
export function GoAwayPane({ goAway, now, color = true }: GoAwayPaneProps) {
  const view = goAwayView(goAway, now);
  if (!view) return null;
  return <Text color={color ? COLORS[view.tone] : undefined}>{`${ICONS[view.tone]} ${view.text}`}</Text>;
}
