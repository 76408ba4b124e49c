import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Real processes and sockets: give slow CI machines room, but never hang forever.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
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
