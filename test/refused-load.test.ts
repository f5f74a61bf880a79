import { describe, expect, it } from "vitest";
import { describeErrorCounts, describeErrorKind, errorKindMeaning } from "../src/contract/error-kinds.js";
import type { Counts, RunResult } from "../src/contract/result.js";
import { loadRefusal } from "../src/engine/refused-load.js";

function run(counts: Partial<Counts>, faults = false): RunResult {
  return {
    counts: { published: 1000, publishErrors: {}, ...counts },
    ...(faults && { faults: [{ name: "kill-1" }] }),
  } as unknown as RunResult;
}

describe("loadRefusal", () => {
  it("a JetStream load whose every publish timed out is the server's failure, not a pass", () => {
    expect(loadRefusal(run({ publishErrors: { timeout: 1005 }, published: 1005 }))).toBe(
      "the server failed 1005 of 1005 publishes (1005 timeout (no answer within the ack timeout)); the figures measure the failure, not the system: check that a stream captures the subjects and that the server is healthy",
    );
  });

  it("half the sends refused for want of permission names the subjects and the grant", () => {
    const refusals = [
      { operation: "publish" as const, subject: "B.x", count: 400, grant: "B.x" },
      { operation: "publish" as const, subject: "B.y", count: 100, grant: "B.y" },
    ];
    expect(loadRefusal(run({ permissionRefusals: refusals }))).toBe(
      'the server refused the load: 400 publishes to "B.x" (grant publish "B.x"), 100 publishes to "B.y" (grant publish "B.y") of 1000 sent; grant those subjects to the user, or point the profile at subjects it may use',
    );
  });

  it("is silent below half, on a run that sent nothing, and on failures inside a fault run", () => {
    expect(loadRefusal(run({ publishErrors: { timeout: 499 } }))).toBeUndefined();
    expect(loadRefusal(run({ published: 0 }))).toBeUndefined();
    expect(loadRefusal(run({ publishErrors: { timeout: 800 } }, true))).toBeUndefined();
  });
});

describe("error kinds carry their meaning", () => {
  it("names JetStream API codes and benchline's own kinds, and leaves the unknown as they are", () => {
    expect(describeErrorKind("api:10023")).toBe("api:10023 (insufficient resources)");
    expect(errorKindMeaning("api:10077")).toMatch(/stream limit/);
    expect(describeErrorKind("noResponders")).toMatch(/^noResponders \(nothing listens/);
    expect(describeErrorKind("api:99999")).toBe("api:99999");
    expect(describeErrorCounts({ timeout: 2, "api:10023": 5 })).toBe(
      "5 api:10023 (insufficient resources), 2 timeout (no answer within the ack timeout)",
    );
  });
});

describe("loadRefusal names whose failure it was", () => {
  it("a service that answered with errors is the service's, not the server's", () => {
    expect(loadRefusal(run({ publishErrors: { "serviceError:500": 800 }, published: 800 }))).toBe(
      "the service answered 800 of 800 requests with an error (800 serviceError:500 (the service answered with error code 500)); the figures measure its errors: check the service and the endpoint's handler",
    );
  });
});
