import { defineConfig } from "vitest/config";

/**
 * Files whose assertions rest on timing (rates, latency bounds, recovery, heartbeats, verdicts on small
 * differences): they run one at a time, after the rest, so no other test's load is in their figures.
 */
const TIMED = [
  "test/run.integration.test.ts",
  "test/faults.integration.test.ts",
  "test/run-faults.test.ts",
  "test/compare.integration.test.ts",
  "test/capacity.integration.test.ts",
  "test/ab.test.ts",
  "test/tenants.integration.test.ts",
  "test/agents.integration.test.ts",
  "test/run-composition.integration.test.ts",
  "test/fault-proxy.test.ts",
  "test/fault-timeline.test.ts",
  "test/recorder.test.ts",
  "test/drill.integration.test.ts",
  "test/slow-consumer.integration.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 30_000,
    projects: [
      {
        // Correctness of outputs, exit codes, errors, schemas: two files at a time on two cores.
        test: {
          name: "untimed",
          include: ["test/**/*.test.ts"],
          exclude: TIMED,
          maxWorkers: 2,
          testTimeout: 120_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: "timed",
          include: TIMED,
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 30_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
