import { ExitCode } from '../../core/errors.js';
import { DEFAULT_MODEL, LIVE_MODELS, type FeatureSupport, type LiveModelInfo } from '../../live/models.js';
import type { Runtime } from '../runtime.js';

function support(value: FeatureSupport): string {
  return value === 'v1alpha' ? 'v1alpha' : value;
}

/** One line per model: what `--affective`, `--thinking-*`, `--modality text` … will accept. */
function describe(model: LiveModelInfo): string {
  const traits = [
    model.nativeAudio ? 'native audio' : 'half-cascade',
    model.textOutput ? 'TEXT+AUDIO out' : 'AUDIO out',
    `thinking ${model.thinking}`,
    `affective ${support(model.affective)}`,
    `proactive ${support(model.proactive)}`,
    `tools ${model.tools.defaultBehavior.toLowerCase()}`,
    `${model.contextWindow / 1000}k context`,
    ...(model.vertexOnly ? ['Vertex only'] : []),
  ];
  const name = `${model.name}${model.name === DEFAULT_MODEL ? ' (default)' : ''}`;
  return `${name.padEnd(56)} ${model.status.padEnd(7)} ${traits.join(' · ')}\n  ${model.description}\n`;
}

/** `live-cli models`: the capability table (src/live/models.ts) the setup is built from. */
export function runModels(json: boolean, runtime: Runtime): number {
  for (const model of LIVE_MODELS) {
    runtime.stdout.write(json ? `${JSON.stringify({ type: 'model', ...model, default: model.name === DEFAULT_MODEL })}\n` : describe(model));
  }
  if (!json) runtime.stdout.write('\nthinking: none | budget (--thinking-budget) | level (--thinking-level); v1alpha: live-cli switches the API version for you\n');
  return ExitCode.ok;
}
