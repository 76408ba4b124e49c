import { render } from 'ink';
import { App } from './app.js';
import type { TuiCommand, TuiStore } from './state/tui-store.js';

export interface RenderTuiOptions {
  store: TuiStore;
  onCommand: (command: TuiCommand) => void;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  /** Upper bound on terminal writes per second (Ink throttles to it); default 15. */
  maxFps?: number;
  /** false: no colours; default true (chalk still honours NO_COLOR / FORCE_COLOR). */
  color?: boolean;
}

export interface TuiHandle {
  /** Stops drawing; the settled transcript stays on the terminal. */
  unmount(): void;
  waitUntilExit(): Promise<unknown>;
}

const DEFAULT_MAX_FPS = 15;
/** The App's own timer need not outrun what Ink will write. */
const CLOCK_FPS = 8;

/**
 * Draws the chat TUI. Ctrl+C is not Ink's to handle (exitOnCtrlC false): the App turns it into a
 * `quit` command so the caller can close the session cleanly; the console is not patched, so stray
 * writes elsewhere do not tear the frame apart silently.
 */
export function renderTui(options: RenderTuiOptions): TuiHandle {
  const maxFps = options.maxFps ?? DEFAULT_MAX_FPS;
  const instance = render(
    <App store={options.store} onCommand={options.onCommand} fps={Math.min(CLOCK_FPS, maxFps)} color={options.color ?? true} />,
    {
      exitOnCtrlC: false,
      maxFps,
      patchConsole: false,
      stdout: options.stdout,
      stdin: options.stdin,
      ...(options.stderr === undefined ? {} : { stderr: options.stderr }),
    },
  );
  return {
    unmount: () => instance.unmount(),
    waitUntilExit: () => instance.waitUntilExit(),
  };
}
