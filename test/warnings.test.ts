import { describe, expect, it } from "vitest";
import type { RunResult } from "../src/engine/result.js";
import { collectWarnings } from "../src/engine/warnings.js";
import type { Profile } from "../src/profile/profile.js";

/** The fields collectWarnings reads, for a clean consume-only run on a named server. */
function consumeOnly(drain: RunResult["drain"]): RunResult {
  return {
    complete: true,
    counts: {
      published: 0,
      lateSends: 0,
      unsent: 0,
      publishErrors: {},
      lost: 0,
      duplicates: 0,
      reconnects: 0,
    },
    latency: {},
    env: { embeddedServer: false },
    drain,
  } as unknown as RunResult;
}
const profile = { warmupMs: 1000 } as Profile;

describe("collectWarnings for a consume-only run", () => {
  it("says when there was no backlog to drain, and how to give it one", () => {
    const warnings = collectWarnings(
      consumeOnly({ backlogMsgs: 0, consumedMsgs: 0, drained: true, drainS: 0, drainedPerSec: 0 }),
      profile,
    );
    expect(warnings).toEqual([
      "the consumers found no backlog to drain: fill the stream first (the profile's comment shows how), or give it publishers",
    ]);
  });

  it("says when the backlog outlasted the measured phase, and is silent when it was drained", () => {
    const cut = { backlogMsgs: 9000, consumedMsgs: 4000, drained: false, drainS: 2, drainedPerSec: 2000 };
    expect(collectWarnings(consumeOnly(cut), profile)).toEqual([
      "the consumers read 4000 of a backlog of 9000 before the run ended: drainedPerSec is over the whole run",
    ]);
    const done = { backlogMsgs: 9000, consumedMsgs: 9000, drained: true, drainS: 1.5, drainedPerSec: 6000 };
    expect(collectWarnings(consumeOnly(done), profile)).toEqual([]);
    // A run that publishes has no drain figures, and no drain warning.
    expect(collectWarnings(consumeOnly(undefined), profile)).toEqual([]);
  });
});
