import { defineConfig } from "vitest/config"

// Workspace packages resolve to their TypeScript sources, as in `tsc` (customConditions).
const conditions = ["@vendor-sdk/source"]

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "codegen/test/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
