// The environment the benches give the processes they time.

/**
 * The caller's environment without anything that reaches a real service or changes live-cli's
 * defaults (keys, endpoints, LIVE_CLI_*), and without the further `names` a bench must keep out.
 */
export function benchEnv(names = []) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(GEMINI_|GOOGLE_|LIVE_CLI_)/.test(name) || names.includes(name)) delete env[name];
  }
  return env;
}
