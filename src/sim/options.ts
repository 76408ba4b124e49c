/**
 * Simulator options: one table (`SIM_OPTION_SPECS`) drives both `live-cli sim --flag` and the
 * comma-separated `--sim=key=value,switch` form, so the two can never drift apart.
 */
export interface SimOptions {
  port: number;
  host: string;
  goAwayEvery?: number;
  goAwayTimeLeft: number;
  dropEvery?: number;
  dropAfterMessages?: number;
  closeCode?: number;
  /** The reason drops send with `close-code` (default "Simulated connection drop"). */
  closeReason?: string;
  /** Added to every lastConsumedClientMessageIndex (a server that claims more than it got). */
  consumedIndexOffset: number;
  latency: number;
  rejectKey: boolean;
  noSetupComplete: boolean;
  /** Every connection after the first one accepted is never answered: a reconnect that hangs. */
  stallReconnect: boolean;
  badFrameAfter?: number;
  quota: number;
  /** The first N connections with a credential close 1011 "Internal error encountered." (a passing outage). */
  setupError: number;
  /** With the setupComplete, in the same message, a goAway with this timeLeft (a raw duration string). */
  goAwayWithSetup?: string;
  /** Every goAway sends this timeLeft string as is instead of go-away-time-left (e.g. -5s, 99999999999s, soon). */
  goAwayRaw?: string;
  /** Each reply audio chunk is corrupted: `odd` (an odd number of bytes) or `bad` (not base64). */
  badAudio?: 'odd' | 'bad';
  /** After N client messages of a session, stop reading its socket (a server that applies backpressure forever). */
  stopReadingAfter?: number;
  rejectResume: boolean;
  allowOverlap: boolean;
  staleFrames: boolean;
  transparent: boolean;
  connectionCap: number;
  sessionCap: number;
  time: 'audio' | 'wall';
  /** While audio streams and nothing is generated, a fresh handle every this many clock seconds. */
  handleEvery: number;
  /** Every resumption update says `resumable: false` with no handle (a session that can never be resumed). */
  neverResumable: boolean;
  seed: number;
  report?: string;
  /** Keep issued handles in this directory, so a later simulator process can resume them. */
  handleDir?: string;
  /** A blocking tool call still unanswered this many ms after it was sent is cancelled (toolCallCancellation). */
  toolCancelAfter?: number;
  /** Output transcription and text pieces are cut to at most this many characters, mid-word (the service streams subword pieces). */
  pieceChars?: number;
  /** Directory for each session's kept audio (`<session>.pcm`) and its message sizes (`<session>.chunks.json`). */
  keptAudio?: string;
}

export interface SimOptionSpec {
  key: keyof SimOptions;
  flag: string;
  kind: 'number' | 'switch' | 'string' | 'enum';
  choices?: readonly string[];
  description: string;
  defaultValue?: number | string | boolean;
}

export const SIM_OPTION_SPECS: ReadonlyArray<SimOptionSpec> = [
  { key: 'port', flag: 'port', kind: 'number', description: 'TCP port to listen on (0 picks a free one)', defaultValue: 0 },
  { key: 'host', flag: 'host', kind: 'string', description: 'address to listen on', defaultValue: '127.0.0.1' },
  { key: 'goAwayEvery', flag: 'go-away-every', kind: 'number', description: 'send goAway every S seconds of session clock, then close 1011 after go-away-time-left' },
  { key: 'goAwayTimeLeft', flag: 'go-away-time-left', kind: 'number', description: 'timeLeft announced by goAway, in wall-clock seconds', defaultValue: 10 },
  { key: 'dropEvery', flag: 'drop-every', kind: 'number', description: 'drop the connection abruptly (no close frame: 1006) every S seconds of session clock' },
  { key: 'dropAfterMessages', flag: 'drop-after-messages', kind: 'number', description: 'drop the connection once per session, after the N-th client message' },
  { key: 'closeCode', flag: 'close-code', kind: 'number', description: 'drops send this close code instead of vanishing' },
  { key: 'closeReason', flag: 'close-reason', kind: 'string', description: 'the reason drops send with close-code (no commas inside --sim=)' },
  { key: 'consumedIndexOffset', flag: 'consumed-index-offset', kind: 'number', description: 'add N to every lastConsumedClientMessageIndex (claims messages never sent)', defaultValue: 0 },
  { key: 'latency', flag: 'latency', kind: 'number', description: 'delay every server frame by MS milliseconds', defaultValue: 0 },
  { key: 'rejectKey', flag: 'reject-key', kind: 'switch', description: 'reject every key with 1008 "API key not valid"', defaultValue: false },
  { key: 'noSetupComplete', flag: 'no-setup-complete', kind: 'switch', description: 'never answer setup', defaultValue: false },
  { key: 'stallReconnect', flag: 'stall-reconnect', kind: 'switch', description: 'never answer the setup of any connection after the first (a reconnect that hangs)', defaultValue: false },
  { key: 'badFrameAfter', flag: 'bad-frame-after', kind: 'number', description: "send one non-JSON frame after the N-th message of a session's first reply" },
  { key: 'quota', flag: 'quota', kind: 'number', description: 'the first N connection attempts close 1011 "RESOURCE_EXHAUSTED"', defaultValue: 0 },
  { key: 'setupError', flag: 'setup-error', kind: 'number', description: 'the first N connection attempts close 1011 "Internal error encountered."', defaultValue: 0 },
  { key: 'goAwayWithSetup', flag: 'go-away-with-setup', kind: 'string', description: 'send goAway{timeLeft: VALUE} in the same message as setupComplete' },
  { key: 'goAwayRaw', flag: 'go-away-raw', kind: 'string', description: 'scheduled goAways announce this timeLeft string as is (garbage, negative or huge values)' },
  { key: 'badAudio', flag: 'bad-audio', kind: 'enum', choices: ['odd', 'bad'], description: 'corrupt reply audio: odd = an odd byte count, bad = data that is not base64' },
  { key: 'stopReadingAfter', flag: 'stop-reading-after', kind: 'number', description: "stop reading a session's socket after its N-th client message (backpressure)" },
  { key: 'rejectResume', flag: 'reject-resume', kind: 'switch', description: 'refuse every resumption handle with 1008 "session not found"', defaultValue: false },
  { key: 'allowOverlap', flag: 'allow-overlap', kind: 'switch', description: 'accept a handle while the old connection of its session is still open', defaultValue: false },
  { key: 'staleFrames', flag: 'stale-frames', kind: 'switch', description: 'with allow-overlap: send a few late frames on the old connection after a handoff', defaultValue: false },
  { key: 'transparent', flag: 'transparent', kind: 'switch', description: 'honour sessionResumption.transparent: updates carry lastConsumedClientMessageIndex', defaultValue: false },
  { key: 'connectionCap', flag: 'connection-cap', kind: 'number', description: 'connection lifetime in seconds of session clock (goAway ahead, then 1011 "Deadline expired")', defaultValue: 600 },
  { key: 'sessionCap', flag: 'session-cap', kind: 'number', description: 'audio session lifetime without compression, in seconds (then 1000, handles rejected)', defaultValue: 900 },
  { key: 'handleEvery', flag: 'handle-every', kind: 'number', description: 'while audio streams and nothing is generated, issue a fresh handle every S seconds of session clock', defaultValue: 5 },
  { key: 'neverResumable', flag: 'never-resumable', kind: 'switch', description: 'every resumption update says resumable: false, with no handle', defaultValue: false },
  { key: 'time', flag: 'time', kind: 'enum', choices: ['audio', 'wall'], description: 'session clock: seconds of audio (received + reply) or wall-clock seconds', defaultValue: 'audio' },
  { key: 'seed', flag: 'seed', kind: 'number', description: 'seed for the deterministic pseudo-random choices', defaultValue: 1 },
  { key: 'report', flag: 'report', kind: 'string', description: 'append an NDJSON report of what arrived and what was done to FILE' },
  { key: 'handleDir', flag: 'handle-dir', kind: 'string', description: 'keep resumption handles in DIR (2 hours), so a later simulator can resume them (chat --sim uses $XDG_STATE_HOME/live-cli/sim-handles)' },
  { key: 'toolCancelAfter', flag: 'tool-cancel-after', kind: 'number', description: 'cancel (toolCallCancellation) a tool call still unanswered after MS milliseconds' },
  { key: 'pieceChars', flag: 'piece-chars', kind: 'number', description: 'cut output transcription and text pieces to at most N characters, mid-word, as the service streams subword pieces' },
  { key: 'keptAudio', flag: 'kept-audio', kind: 'string', description: "at close, write each session's kept audio to DIR/<session>.pcm and its message sizes to DIR/<session>.chunks.json" },
];

export function defaultSimOptions(): SimOptions {
  return {
    port: 0,
    host: '127.0.0.1',
    goAwayTimeLeft: 10,
    latency: 0,
    consumedIndexOffset: 0,
    rejectKey: false,
    noSetupComplete: false,
    stallReconnect: false,
    quota: 0,
    setupError: 0,
    rejectResume: false,
    allowOverlap: false,
    staleFrames: false,
    transparent: false,
    connectionCap: 600,
    sessionCap: 900,
    time: 'audio',
    handleEvery: 5,
    neverResumable: false,
    seed: 1,
  };
}

/** What each numeric option accepts; the message completes "expected …". */
interface NumberRule {
  integer: boolean;
  min: number;
  max?: number;
  exclusiveMin?: boolean;
  expected: string;
}

const NUMBER_RULES: Partial<Record<keyof SimOptions, NumberRule>> = {
  port: { integer: true, min: 0, max: 65_535, expected: 'a port number 0-65535' },
  goAwayEvery: { integer: false, min: 0, exclusiveMin: true, expected: 'seconds > 0' },
  goAwayTimeLeft: { integer: false, min: 0, expected: 'seconds >= 0' },
  dropEvery: { integer: false, min: 0, exclusiveMin: true, expected: 'seconds > 0' },
  dropAfterMessages: { integer: true, min: 1, expected: 'a whole number >= 1' },
  closeCode: { integer: true, min: 1000, max: 4999, expected: 'a sendable close code (1000-1003, 1007-1014, 3000-4999)' },
  latency: { integer: false, min: 0, expected: 'milliseconds >= 0' },
  consumedIndexOffset: { integer: true, min: 0, expected: 'a whole number >= 0' },
  badFrameAfter: { integer: true, min: 1, expected: 'a whole number >= 1' },
  quota: { integer: true, min: 0, expected: 'a whole number >= 0' },
  setupError: { integer: true, min: 0, expected: 'a whole number >= 0' },
  stopReadingAfter: { integer: true, min: 1, expected: 'a whole number >= 1' },
  connectionCap: { integer: false, min: 0, exclusiveMin: true, expected: 'seconds > 0' },
  sessionCap: { integer: false, min: 0, exclusiveMin: true, expected: 'seconds > 0' },
  handleEvery: { integer: false, min: 0, exclusiveMin: true, expected: 'seconds > 0' },
  seed: { integer: true, min: 0, max: 0xffff_ffff, expected: 'a whole number >= 0' },
  toolCancelAfter: { integer: false, min: 0, expected: 'milliseconds >= 0' },
  pieceChars: { integer: true, min: 1, expected: 'a whole number >= 1' },
};

/** Close codes a peer may put in a close frame (RFC 6455 §7.4; 1004-1006 and 1015 are reserved). */
function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

const SWITCH_VALUES: Readonly<Record<string, boolean>> = { true: true, yes: true, on: true, '1': true, false: false, no: false, off: false, '0': false };

function badValue(spec: SimOptionSpec, raw: string | undefined, expected: string): Error {
  const shown = raw === undefined ? 'no value' : JSON.stringify(raw);
  return new Error(`bad value for simulator option "${spec.flag}": ${shown} (expected ${expected})`);
}

function parseNumber(spec: SimOptionSpec, raw: string | undefined): number {
  const rule = NUMBER_RULES[spec.key] ?? { integer: false, min: 0, expected: 'a number >= 0' };
  const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  const tooSmall = rule.exclusiveMin ? value <= rule.min : value < rule.min;
  const invalid =
    !Number.isFinite(value) ||
    tooSmall ||
    (rule.max !== undefined && value > rule.max) ||
    (rule.integer && !Number.isInteger(value)) ||
    (spec.key === 'closeCode' && !isSendableCloseCode(value));
  if (invalid) throw badValue(spec, raw, rule.expected);
  return value;
}

/** Parses one value for `spec`; exported for the CLI, which gets flag values one at a time. */
export function parseSimOptionValue(spec: SimOptionSpec, raw: string | undefined): number | string | boolean {
  switch (spec.kind) {
    case 'number':
      return parseNumber(spec, raw);
    case 'switch': {
      if (raw === undefined) return true;
      const value = SWITCH_VALUES[raw.trim().toLowerCase()];
      if (value === undefined) throw badValue(spec, raw, 'true or false, or the bare name');
      return value;
    }
    case 'enum': {
      const choices = spec.choices ?? [];
      if (raw === undefined || !choices.includes(raw.trim())) throw badValue(spec, raw, `one of ${choices.join(', ')}`);
      return raw.trim();
    }
    case 'string':
      if (raw === undefined || raw.trim() === '') throw badValue(spec, raw, 'a non-empty value');
      return raw.trim();
  }
}

function validFlags(): string {
  return SIM_OPTION_SPECS.map((spec) => spec.flag).join(', ');
}

/**
 * Parses `go-away-every=20,reject-resume,seed=3` on top of `base` (defaults when omitted). Throws
 * an Error with a one-line message naming the bad option and the valid ones.
 */
export function parseSimOptions(spec: string, base: SimOptions = defaultSimOptions()): SimOptions {
  const options: SimOptions = { ...base };
  // Writing through a record view keeps the per-key types in the table above instead of a cast per key.
  const writable = options as unknown as Record<string, unknown>;
  for (const item of spec.split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    const flag = (eq === -1 ? trimmed : trimmed.slice(0, eq)).trim();
    const raw = eq === -1 ? undefined : trimmed.slice(eq + 1);
    const optionSpec = SIM_OPTION_SPECS.find((candidate) => candidate.flag === flag);
    if (!optionSpec) throw new Error(`unknown simulator option "${flag}"; valid options: ${validFlags()}`);
    writable[optionSpec.key] = parseSimOptionValue(optionSpec, raw);
  }
  return options;
}
