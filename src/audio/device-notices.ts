/**
 * The one plain sentence the TUI shows when it goes on without sound: playback or the mic is off,
 * why, and what would bring it back. A player or recorder that exists but finds no sound device
 * (a server, a container, a VM) is not a missing package, and says so.
 */

/** What ALSA, sox, PulseAudio and PipeWire print when there is no device to open. */
const NO_DEVICE = /no default audio device|cannot find card|unknown pcm|no such device|audio open error|connection refused|host is down|no soundcards/i;

export function noSoundDevice(message: string): boolean {
  return NO_DEVICE.test(message);
}

/** The tool's own words: "sox exited with code 1: /usr/bin/sox FAIL sox: Sorry, …" → "sox: Sorry, …". */
function toolWords(message: string): string {
  return message
    .replace(/ \(check [^)]*\)$/, '')
    .replace(/^\S+ exited with code \d+: /, '')
    .replace(/^\S+ FAIL /, '');
}

/** `message` is the device error's own (it names the player and its last stderr line). */
export function playbackOffNotice(message: string): string {
  if (noSoundDevice(message)) {
    return `playback off: no sound output device (${toolWords(message)}); replies show as text · for sound pick one with --output-device (live-cli devices), or save them with --output FILE.wav`;
  }
  return `playback off: ${message}; replies show as text`;
}

export function micOffNotice(message: string): string {
  if (noSoundDevice(message)) {
    return `mic off: no capture device (${toolWords(message)}); type with t · for voice pick one with --input-device (live-cli devices)`;
  }
  return `mic off: ${message}; type with t`;
}
