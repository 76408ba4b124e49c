import { Box, useInput, useStdin, useStdout, type Key } from 'ink';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { INITIAL_KEY_STATE, handleKey, type KeyState } from './keys.js';
import { GoAwayPane } from './panes/goaway-pane.js';
import { HelpOverlay } from './panes/help-overlay.js';
import { ApprovalPrompt } from './panes/approval-prompt.js';
import { InputLine } from './panes/input-line.js';
import { StatusLine } from './panes/status-line.js';
import { TranscriptPane } from './panes/transcript-pane.js';
import { UsagePane } from './panes/usage-pane.js';
import { goAwayView, levelNow, meterCells } from './state/derive.js';
import type { TuiCommand, TuiState, TuiStore } from './state/tui-store.js';
import { METER_CELLS } from './panes/status-line.js';

export interface AppProps {
  store: TuiStore;
  onCommand: (command: TuiCommand) => void;
  /** Redraws per second of the one shared timer (countdown, meters); default 8. */
  fps?: number;
  /** false: no colours at all (NO_COLOR / FORCE_COLOR=0 are honoured by chalk anyway); default true. */
  color?: boolean;
}

/** Layout and keys only: state comes from the store, calculations from state/derive. */
export function App({ store, onCommand, fps = 8, color = true }: AppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  useSharedClock(store, fps);
  const columns = useColumns();
  const keys = useKeys(state.pushToTalk, state.approval !== undefined, onCommand);
  const now = store.now();
  return (
    <Box flexDirection="column" width={columns}>
      <TranscriptPane transcript={state.transcript} color={color} />
      {keys.help && <HelpOverlay pushToTalk={state.pushToTalk} color={color} />}
      <GoAwayPane goAway={state.goAway} now={now} color={color} />
      <UsagePane usage={state.usage} width={columns} color={color} />
      {state.approval && <ApprovalPrompt approval={state.approval} width={columns} color={color} />}
      {keys.draft !== undefined && <InputLine text={keys.draft} width={columns} color={color} />}
      <StatusLine
        model={state.model}
        {...(state.voice === undefined ? {} : { voice: state.voice })}
        connection={state.connection}
        mic={state.mic}
        pushToTalk={state.pushToTalk}
        levels={state.levels}
        {...(state.message === undefined ? {} : { message: state.message })}
        now={now}
        typing={keys.draft !== undefined}
        color={color}
      />
    </Box>
  );
}

/**
 * The one timer of the whole UI. It looks `fps` times a second at what time changes on screen (the
 * goAway countdown and "resumed" line, the two meters) and re-renders only when that differs from
 * the last frame: composing a frame is most of the TUI's cost (Ink re-tokenises every line), and a
 * quiet conversation changes nothing between ticks.
 */
function useSharedClock(store: TuiStore, fps: number): void {
  const [, setTick] = useState(0);
  const shown = useRef('');
  useEffect(() => {
    const timer = setInterval(() => {
      const view = timeDependentView(store.getSnapshot(), store.now());
      if (view === shown.current) return;
      shown.current = view;
      setTick((tick) => (tick + 1) % 1_000_000);
    }, Math.max(1, Math.round(1000 / fps)));
    return () => clearInterval(timer);
  }, [store, fps]);
}

/** Everything on screen that moves with the clock alone, as one comparable string. */
export function timeDependentView(state: TuiState, now: number): string {
  const { input, output } = state.levels;
  return [
    goAwayView(state.goAway, now)?.text ?? '',
    meterCells(levelNow(input, now), METER_CELLS),
    meterCells(levelNow(output, now), METER_CELLS),
  ].join('|');
}

/** Terminal width, following resizes. */
function useColumns(): number {
  const { stdout } = useStdout();
  const [columns, setColumns] = useState(stdout.columns || 80);
  useEffect(() => {
    const onResize = (): void => setColumns(stdout.columns || 80);
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return columns;
}

/**
 * The key state lives in a ref so that keys arriving before React re-renders (fast typing) still
 * see the latest line; the state copy only triggers the render.
 */
function useKeys(pushToTalk: boolean, approving: boolean, onCommand: (command: TuiCommand) => void): KeyState {
  const current = useRef<KeyState>(INITIAL_KEY_STATE);
  const [view, setView] = useState<KeyState>(INITIAL_KEY_STATE);
  const { isRawModeSupported } = useStdin();
  const onKey = useCallback(
    (input: string, key: Key) => {
      const outcome = handleKey(current.current, input, key, pushToTalk, approving);
      if (outcome.state !== current.current) {
        current.current = outcome.state;
        setView(outcome.state);
      }
      if (outcome.command) onCommand(outcome.command);
    },
    [pushToTalk, approving, onCommand],
  );
  // Without a TTY on stdin there are no keys to read (and Ink would throw enabling raw mode).
  useInput(onKey, { isActive: isRawModeSupported });
  return view;
}
