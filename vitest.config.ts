import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Integration tests start real nats-server processes and load them; two cores cannot run many at once
    // without the measurements of one disturbing the other.
    fileParallelism: false,
  },
});
