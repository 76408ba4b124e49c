import { describe, expect, it } from 'vitest';
import { defaultSimOptions, parseSimOptions, SIM_OPTION_SPECS } from '../../src/sim/index.js';

describe('simulator options', () => {
  it('has the contract defaults', () => {
    const options = defaultSimOptions();
    expect(options).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      goAwayTimeLeft: 10,
      connectionCap: 600,
      sessionCap: 900,
      time: 'audio',
      quota: 0,
      latency: 0,
      rejectKey: false,
    });
    expect(options.goAwayEvery).toBeUndefined();
    expect(options.dropEvery).toBeUndefined();
  });

  it('parses key=value pairs and bare switches on top of a base', () => {
    const options = parseSimOptions('go-away-every=20, reject-resume,seed=3,time=wall,report=/tmp/r.ndjson,close-code=4000');
    expect(options).toMatchObject({ goAwayEvery: 20, rejectResume: true, seed: 3, time: 'wall', report: '/tmp/r.ndjson', closeCode: 4000 });
    const layered = parseSimOptions('allow-overlap=false,latency=5', { ...defaultSimOptions(), allowOverlap: true });
    expect(layered.allowOverlap).toBe(false);
    expect(layered.latency).toBe(5);
    expect(parseSimOptions('')).toEqual(defaultSimOptions());
  });

  it('names the bad option and the valid ones in a one-line error', () => {
    expect(() => parseSimOptions('go-away-evry=3')).toThrow(/unknown simulator option "go-away-evry"; valid options: .*go-away-every/);
    expect(() => parseSimOptions('go-away-evry=3')).not.toThrow(/\n/);
    expect(() => parseSimOptions('drop-every=soon')).toThrow(/"drop-every": "soon"/);
    expect(() => parseSimOptions('drop-every')).toThrow(/"drop-every": no value/);
    expect(() => parseSimOptions('time=cpu')).toThrow(/one of audio, wall/);
    expect(() => parseSimOptions('quota=1.5')).toThrow(/"quota"/);
    expect(() => parseSimOptions('close-code=1006')).toThrow(/sendable close code/);
    expect(() => parseSimOptions('reject-key=maybe')).toThrow(/"reject-key"/);
    expect(() => parseSimOptions('go-away-every=0')).toThrow(/seconds > 0/);
  });

  it('describes every option once, in kebab case', () => {
    const flags = SIM_OPTION_SPECS.map((spec) => spec.flag);
    expect(new Set(flags).size).toBe(flags.length);
    for (const flag of flags) expect(flag).toMatch(/^[a-z]+(-[a-z]+)*$/);
    const keys = new Set(SIM_OPTION_SPECS.map((spec) => spec.key));
    for (const key of Object.keys(defaultSimOptions())) expect(keys.has(key as never)).toBe(true);
    for (const spec of SIM_OPTION_SPECS) {
      if (spec.defaultValue !== undefined) expect(defaultSimOptions()[spec.key]).toBe(spec.defaultValue);
    }
  });
});
