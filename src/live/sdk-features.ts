/**
 * LiveFeatures → the LiveConnectConfig fields the SDK splits into the setup message
 * (generationConfig.thinkingConfig / enableAffectiveDialog / mediaResolution / speechConfig,
 * proactivity, realtimeInputConfig). Only what was asked is sent: the service's defaults stay
 * its own, and a model that refuses a field never sees it unless the user insisted (and then
 * config validation has already refused the combination).
 */
import {
  ActivityHandling,
  EndSensitivity,
  type LiveConnectConfig,
  MediaResolution,
  type RealtimeInputConfig,
  StartSensitivity,
  ThinkingLevel,
  TurnCoverage,
} from '@google/genai';
import type { LiveFeatures } from './types.js';

const THINKING_LEVELS = { low: ThinkingLevel.LOW, medium: ThinkingLevel.MEDIUM, high: ThinkingLevel.HIGH } as const;
const START = { high: StartSensitivity.START_SENSITIVITY_HIGH, low: StartSensitivity.START_SENSITIVITY_LOW } as const;
const END = { high: EndSensitivity.END_SENSITIVITY_HIGH, low: EndSensitivity.END_SENSITIVITY_LOW } as const;
const ACTIVITY = { interrupt: ActivityHandling.START_OF_ACTIVITY_INTERRUPTS, 'no-interrupt': ActivityHandling.NO_INTERRUPTION } as const;
const COVERAGE = {
  'only-activity': TurnCoverage.TURN_INCLUDES_ONLY_ACTIVITY,
  'all-input': TurnCoverage.TURN_INCLUDES_ALL_INPUT,
  'audio-activity-and-all-video': TurnCoverage.TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO,
} as const;
const RESOLUTION = {
  low: MediaResolution.MEDIA_RESOLUTION_LOW,
  medium: MediaResolution.MEDIA_RESOLUTION_MEDIUM,
  high: MediaResolution.MEDIA_RESOLUTION_HIGH,
} as const;

/** Generation-config and proactivity fields (everything but speech and realtime input). */
export function featureConnectFields(features: LiveFeatures): Partial<LiveConnectConfig> {
  const thinking = {
    ...(features.thinkingBudget === undefined ? {} : { thinkingBudget: features.thinkingBudget }),
    ...(features.thinkingLevel === undefined ? {} : { thinkingLevel: THINKING_LEVELS[features.thinkingLevel] }),
    ...(features.includeThoughts ? { includeThoughts: true } : {}),
  };
  return {
    ...(Object.keys(thinking).length > 0 ? { thinkingConfig: thinking } : {}),
    ...(features.affective ? { enableAffectiveDialog: true } : {}),
    ...(features.proactiveAudio === undefined ? {} : { proactivity: { proactiveAudio: features.proactiveAudio } }),
    ...(features.mediaResolution ? { mediaResolution: RESOLUTION[features.mediaResolution] } : {}),
  };
}

/** `realtimeInputConfig`, or undefined when nothing about input handling was asked. */
export function realtimeInputConfig(features: LiveFeatures, automaticActivityDetection: boolean): RealtimeInputConfig | undefined {
  const detection = automaticActivityDetection
    ? {
        ...(features.startSensitivity ? { startOfSpeechSensitivity: START[features.startSensitivity] } : {}),
        ...(features.endSensitivity ? { endOfSpeechSensitivity: END[features.endSensitivity] } : {}),
        ...(features.prefixPaddingMs === undefined ? {} : { prefixPaddingMs: features.prefixPaddingMs }),
        ...(features.silenceDurationMs === undefined ? {} : { silenceDurationMs: features.silenceDurationMs }),
      }
    : { disabled: true };
  const config: RealtimeInputConfig = {
    ...(Object.keys(detection).length > 0 ? { automaticActivityDetection: detection } : {}),
    ...(features.activityHandling ? { activityHandling: ACTIVITY[features.activityHandling] } : {}),
    ...(features.turnCoverage ? { turnCoverage: COVERAGE[features.turnCoverage] } : {}),
  };
  return Object.keys(config).length > 0 ? config : undefined;
}
