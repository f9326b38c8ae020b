import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'e2e'],
    // The JSON report is what `.ci/run` reads to print its `N passed, N failed` line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    coverage: { provider: 'v8', include: ['packages/*/src/**'] },
  },
});
