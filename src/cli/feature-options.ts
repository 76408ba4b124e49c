import { Option, type Command } from 'commander';

/**
 * The model-dependent options of `chat` and `resume` (src/live/features.ts checks them against
 * the model), and the visual inputs. Kept apart from options.ts: one table of what a model can do.
 */
export function addFeatureOptions(command: Command): Command {
  return command
    .option('--affective', 'affective dialog: the model adapts to the tone of your voice (2.5 native audio; v1alpha is chosen for you)')
    .option('--proactive', 'proactive audio: the model may stay silent when not addressed (always on for gemini-3.8-live)')
    .option('--no-proactive', 'ask for proactive audio off (refused by models where it is always on)')
    .option('--thinking-budget <tokens>', 'thinking budget in tokens, 0 off, -1 dynamic (models that take thinkingBudget)')
    .addOption(new Option('--thinking-level <level>', 'thinking level (models that take thinkingLevel)').choices(['low', 'medium', 'high']))
    .option('--show-thoughts', 'ask for thought summaries: thought events, a dim line in the TUI')
    .addOption(new Option('--vad-start-sensitivity <s>', 'how readily speech is detected as starting').choices(['high', 'low']))
    .addOption(new Option('--vad-end-sensitivity <s>', 'how readily speech is detected as ended').choices(['high', 'low']))
    .option('--prefix-padding-ms <ms>', 'speech needed before its start is committed')
    .option('--silence-ms <ms>', 'silence that ends an utterance')
    .addOption(new Option('--activity-handling <mode>', 'whether your speech interrupts the reply').choices(['interrupt', 'no-interrupt']))
    .addOption(
      new Option('--turn-coverage <coverage>', 'what input a turn includes').choices(['only-activity', 'all-input', 'audio-activity-and-all-video']),
    )
    .addOption(new Option('--media-resolution <r>', 'resolution images and video frames are read at').choices(['low', 'medium', 'high']))
    .option('--language <code>', 'speech language, BCP-47 (half-cascade models; native audio picks its own)')
    .option('--image <file>', 'a JPEG or PNG image, sent with the first turn')
    .option('--screen', 'stream the screen as JPEG frames at 1 FPS (needs ffmpeg)')
    .option('--camera', 'stream the camera as JPEG frames at 1 FPS (needs ffmpeg)');
}
