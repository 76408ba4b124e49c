/**
 * The prebuilt voices of the Live API (`speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName`),
 * each with the one-word character Google's voice guide gives it. Native-audio models speak all
 * of them; the half-cascade models only the first eight.
 */
export interface VoiceInfo {
  name: string;
  description: string;
  /** Offered by the half-cascade models too (their synthesiser has only these). */
  halfCascade: boolean;
}

const HALF_CASCADE_VOICES = new Set(['Puck', 'Charon', 'Kore', 'Fenrir', 'Aoede', 'Leda', 'Orus', 'Zephyr']);

const VOICE_TABLE: ReadonlyArray<[string, string]> = [
  ['Puck', 'upbeat'],
  ['Charon', 'informative'],
  ['Kore', 'firm'],
  ['Fenrir', 'excitable'],
  ['Aoede', 'breezy'],
  ['Leda', 'youthful'],
  ['Orus', 'firm'],
  ['Zephyr', 'bright'],
  ['Callirrhoe', 'easy-going'],
  ['Autonoe', 'bright'],
  ['Enceladus', 'breathy'],
  ['Iapetus', 'clear'],
  ['Umbriel', 'easy-going'],
  ['Algieba', 'smooth'],
  ['Despina', 'smooth'],
  ['Erinome', 'clear'],
  ['Algenib', 'gravelly'],
  ['Rasalgethi', 'informative'],
  ['Laomedeia', 'upbeat'],
  ['Achernar', 'soft'],
  ['Alnilam', 'firm'],
  ['Schedar', 'even'],
  ['Gacrux', 'mature'],
  ['Pulcherrima', 'forward'],
  ['Achird', 'friendly'],
  ['Zubenelgenubi', 'casual'],
  ['Vindemiatrix', 'gentle'],
  ['Sadachbia', 'lively'],
  ['Sadaltager', 'knowledgeable'],
  ['Sulafat', 'warm'],
];

export const LIVE_VOICES: readonly VoiceInfo[] = VOICE_TABLE.map(([name, description]) => ({
  name,
  description,
  halfCascade: HALF_CASCADE_VOICES.has(name),
}));

/** The voice by name, case-insensitively (the service matches names exactly: use the returned spelling). */
export function findVoice(name: string): VoiceInfo | undefined {
  const wanted = name.trim().toLowerCase();
  return LIVE_VOICES.find((voice) => voice.name.toLowerCase() === wanted);
}
