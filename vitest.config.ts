import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Real processes and sockets: give slow CI machines room, but never hang forever.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files wait on real time (paced audio, simulator timers, a terminal under tmux) rather
    // than compute: on 2 cores three at once finish much sooner than vitest's default (cores − 1).
    maxWorkers: 3,
    // Tests must never reach a real service or pick up a developer's key.
    env: {
      GEMINI_API_KEY: '',
      GOOGLE_API_KEY: '',
      GOOGLE_GENAI_USE_VERTEXAI: '',
      GOOGLE_GEMINI_BASE_URL: '',
      GOOGLE_VERTEX_BASE_URL: '',
      GOOGLE_CLOUD_PROJECT: '',
      GOOGLE_CLOUD_LOCATION: '',
      LIVE_CLI_MODEL: '',
      LIVE_CLI_ENDPOINT: '',
    },
  },
});
