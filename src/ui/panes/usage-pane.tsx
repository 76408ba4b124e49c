import { Box, Text } from 'ink';
import { contextFill, formatModalities, formatTokens, type ContextFill } from '../state/derive.js';
import type { UsageState } from '../state/tui-store.js';

export interface UsagePaneProps {
  usage: UsageState;
  /** Terminal columns: the gauge shrinks on narrow terminals. */
  width?: number;
  color?: boolean;
}

/**
 * Two lines: the last turn's tokens by modality with the session's summed responses, and the
 * context fill gauge with the compression trigger marked (`│`).
 */
export function UsagePane({ usage, width = 80, color = true }: UsagePaneProps) {
  const last = usage.last;
  if (!last) return <Text dimColor={color}>tokens: none yet</Text>;
  const split = (counts: typeof last.byModality.prompt): string => {
    const text = formatModalities(counts);
    return text ? ` (${text})` : '';
  };
  const thoughts = last.thoughtsTokens === undefined ? '' : ` · thoughts ${formatTokens(last.thoughtsTokens)}`;
  const fill = contextFill(usage);
  return (
    <Box flexDirection="column">
      <Text dimColor={color}>
        {`tokens: prompt ${formatTokens(last.promptTokens)}${split(last.byModality.prompt)}` +
          ` · response ${formatTokens(last.responseTokens)}${split(last.byModality.response)}${thoughts}` +
          ` · total ${formatTokens(last.totalTokens)} · session responses ${formatTokens(usage.sessionResponseTokens)}`}
      </Text>
      {fill && <ContextLine fill={fill} trigger={usage.compressionTriggerTokens} width={width} color={color} />}
    </Box>
  );
}

function ContextLine({ fill, trigger, width, color }: { fill: ContextFill; trigger: number | undefined; width: number; color: boolean }) {
  if (fill.window === undefined || fill.fraction === undefined) {
    return <Text dimColor={color}>{`context: ${formatTokens(fill.used)} tokens`}</Text>;
  }
  const cells = Math.max(10, Math.min(30, width - 60));
  const percent = (fill.fraction * 100).toFixed(1);
  const triggerText = trigger === undefined ? '' : ` · compresses at ${formatTokens(trigger)}`;
  const overTrigger = fill.triggerFraction !== undefined && fill.fraction >= fill.triggerFraction;
  return (
    <Text>
      <Text dimColor={color}>{'context '}</Text>
      <Text color={color ? (overTrigger ? 'yellow' : 'blue') : undefined}>{gauge(fill.fraction, fill.triggerFraction, cells)}</Text>
      <Text dimColor={color}>{` ${formatTokens(fill.used)} / ${formatTokens(fill.window)} (${percent}%)${triggerText}`}</Text>
    </Text>
  );
}

/** `▕████░░│░░▏`: filled cells, then empty ones, with the trigger's cell drawn as `│`. */
export function gauge(fraction: number, triggerFraction: number | undefined, cells: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * cells);
  const mark = triggerFraction === undefined ? -1 : Math.min(cells - 1, Math.round(triggerFraction * cells));
  let bar = '';
  for (let i = 0; i < cells; i++) bar += i === mark ? '│' : i < filled ? '█' : '░';
  return `▕${bar}▏`;
}
