/**
 * What the simulator knows about each model family, by name, as the service behaves: which setup
 * fields it accepts and which it refuses. Written independently of src/live/models.ts on purpose
 * (the simulator shares no code with the client): a test passes only if both agree.
 */
export type SimSupport = 'no' | 'v1alpha' | 'yes' | 'always';

export interface SimModelTraits {
  family: string;
  nativeAudio: boolean;
  thinking: 'none' | 'budget' | 'level';
  affective: SimSupport;
  proactive: SimSupport;
}

/** The family of a model name (`models/…` and Vertex publisher paths included). */
export function simModelTraits(model: string): SimModelTraits {
  const name = model.slice(model.lastIndexOf('/') + 1);
  if (name.startsWith('gemini-3.8-live-extended-thinking')) {
    return { family: '3.8-extended-thinking', nativeAudio: true, thinking: 'level', affective: 'no', proactive: 'always' };
  }
  if (name.startsWith('gemini-3.8-live')) return { family: '3.8', nativeAudio: true, thinking: 'none', affective: 'no', proactive: 'always' };
  if (name.startsWith('gemini-3.1-') && name.includes('live')) {
    return { family: '3.1', nativeAudio: true, thinking: 'level', affective: 'no', proactive: 'no' };
  }
  if (name.includes('native-audio')) return { family: '2.5-native-audio', nativeAudio: true, thinking: 'budget', affective: 'v1alpha', proactive: 'v1alpha' };
  return { family: 'half-cascade', nativeAudio: false, thinking: 'none', affective: 'no', proactive: 'no' };
}
