import { describe, expect, it } from "vitest";
import type { Baseline } from "../src/baseline/format.js";
import { summarizeBaseline } from "../src/baseline/summary.js";
import { type QuickArgs, quickProfile } from "../src/commands/quick.js";
import type { Profile } from "../src/contract/profile.js";
import type { RunResult } from "../src/contract/result.js";
import {
  collectWarnings,
  lateSendWarnings,
  runSpans,
  seriesLateSendWarnings,
} from "../src/engine/warnings.js";
import { parseProfileText } from "../src/profile/loader.js";
import { renderBaselineMarkdown } from "../src/report/baseline-markdown.js";
import { renderBaselineShow } from "../src/report/baseline-show.js";
import { fixtureBaseline } from "./fixtures/baseline.js";

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
  it("says nothing of a missing warmup: a drain is timed from the start by design (drain.yaml)", () => {
    const drained = { backlogMsgs: 9000, consumedMsgs: 9000, drained: true, drainS: 2, drainedPerSec: 4500 };
    expect(collectWarnings(consumeOnly(drained), { warmupMs: 0 } as Profile)).toEqual([]);
    // A run that publishes still hears of it: its first second's latency includes start-up.
    const publishing = {
      ...consumeOnly(undefined),
      counts: { ...consumeOnly(undefined).counts, published: 10 },
    };
    expect(collectWarnings(publishing as RunResult, { warmupMs: 0 } as Profile)).toEqual([
      "no warmup: the first second includes connection and JIT start-up",
    ]);
  });

  it("says nothing of a missing warmup for the fill drain.yaml asks for (quick js-pub --keep --warmup 0s)", () => {
    const fill = (keep: boolean) =>
      parseProfileText(
        JSON.stringify(
          quickProfile({
            kind: "js-pub",
            stream: "ORDERS",
            subject: "orders.new",
            msgs: 200_000,
            warmup: "0s",
            keep,
            rate: "max",
            size: "128",
            clients: 1,
            subs: 1,
            duration: "10s",
            storage: "file",
            replicas: 1,
          } as QuickArgs),
        ),
        "quick js-pub",
        {},
      ).profile;
    const publishing = {
      ...consumeOnly(undefined),
      counts: { ...consumeOnly(undefined).counts, published: 200_000 },
    } as RunResult;
    // A warmup's messages would be kept with the fill's, and drained after it.
    expect(collectWarnings(publishing, fill(true))).toEqual([]);
    // Without --keep the stream is purged and deleted: a measurement like any other, which hears of it.
    expect(collectWarnings(publishing, fill(false))).toEqual([
      "no warmup: the first second includes connection and JIT start-up",
    ]);
  });

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

describe("late sends", () => {
  const counts = (lateSends: number, lateSendsWindowFull?: number) =>
    ({ published: 28_000, lateSends, lateSendsWindowFull }) as RunResult["counts"];

  it("blames a server that stopped answering, not the generator, when the in-flight window was full", () => {
    // pause.yaml: the server froze for 2 s, acks stopped, the window filled and sends waited on it.
    expect(lateSendWarnings(counts(2660, 2660))).toEqual([
      "9.5% of sends were more than 2 ms late waiting for the server: the in-flight window (maxInFlight) was full of unanswered publishes (a server that stalled, or a window too small for the rate times the latency), not a generator short of CPU; latency counts from the intended send time, so it includes the wait",
    ]);
  });

  it("blames the generator for sends late with the window open, and says each cause apart", () => {
    expect(lateSendWarnings(counts(1000, 0))).toEqual([
      "3.6% of sends were more than 2 ms late: the load generator could not hold the rate, so latency includes its own delay (see sendLag)",
    ]);
    expect(lateSendWarnings(counts(3000, 1500))).toEqual([
      "5.4% of sends were more than 2 ms late waiting for the server: the in-flight window (maxInFlight) was full of unanswered publishes (a server that stalled, or a window too small for the rate times the latency), not a generator short of CPU; latency counts from the intended send time, so it includes the wait",
      "5.4% of sends were more than 2 ms late with the in-flight window open: the load generator could not hold the rate, so latency includes its own delay (see sendLag)",
    ]);
    // A share at or below 1% is no warning.
    expect(lateSendWarnings(counts(280, 0))).toEqual([]);
  });

  it("a result from before the causes were told apart reads as before", () => {
    expect(lateSendWarnings(counts(1000))).toEqual(lateSendWarnings(counts(1000, 0)));
  });
});

describe("late sends of a series of runs: baseline record and show, compare, ab", () => {
  const late = { published: 28_000, lateSends: 1000, lateSendsWindowFull: 0 } as RunResult["counts"];
  const onTime = { published: 28_000, lateSends: 0, lateSendsWindowFull: 0 } as RunResult["counts"];

  it("says each run's warning in run's own words, named by the run", () => {
    expect(seriesLateSendWarnings([{ counts: onTime }, { counts: late }, { counts: onTime }], "run")).toEqual(
      [
        "run 2 of 3: 3.6% of sends were more than 2 ms late: the load generator could not hold the rate, so latency includes its own delay (see sendLag)",
      ],
    );
    expect(seriesLateSendWarnings([{ counts: onTime }], "candidate")).toEqual([]);
    expect(runSpans([1, 2, 3, 5, 7, 8])).toEqual(["1-3", "5", "7-8"]);
    // The run's warnings read the generator's CPU: idle under half its threads' cores, busy above.
    const withCpu = (cpuPercent: number) => {
      const r = consumeOnly(undefined);
      return collectWarnings(
        {
          ...r,
          counts: { ...r.counts, published: 28_000, lateSends: 1000 },
          env: { ...r.env, workerThreads: 2 },
          generator: { cpuPercent },
        } as RunResult,
        profile,
      ).filter((w) => w.includes("2 ms late"));
    };
    expect(withCpu(60)[0]).toMatch(/late while the load generator used 60% of one core: not short of CPU/);
    expect(withCpu(140)[0]).toMatch(/late: the load generator could not hold the rate/);
    // A generator that was mostly idle was not short of CPU: the warning says whose delay it was.
    expect(lateSendWarnings(late, 17.9)).toEqual([
      "3.6% of sends were more than 2 ms late while the load generator used 17.9% of one core: not short of CPU, its threads waited for the host's scheduler (the server or other processes beside it); latency counts from the intended send time, so it includes the delay (see sendLag)",
    ]);
    const many = Array.from({ length: 20 }, (_, i) => ({ counts: i === 0 ? onTime : late }));
    expect(seriesLateSendWarnings(many, "run")[0]).toMatch(
      /^runs 2-20 of 20 \(the worst, 2\): 3\.6% of sends/,
    );
    // Several late runs: one line, naming them all, in the words of the worst.
    const worse = { ...late, lateSends: late.lateSends * 2 };
    expect(
      seriesLateSendWarnings([{ counts: late }, { counts: onTime }, { counts: worse }], "candidate"),
    ).toEqual([`candidates 1 and 3 of 3 (the worst, 3): ${lateSendWarnings(worse)[0]}`]);
  });

  it("reaches baseline record's and show's output and the baseline's Markdown", () => {
    const b = fixtureBaseline();
    const bad: Baseline = {
      ...b,
      runs: b.runs.map((r, i) => (i === 1 ? { ...r, counts: { ...r.counts, ...late } } : r)),
    };
    const warning = `warning: run 2 of ${b.runs.length}: 3.6% of sends were more than 2 ms late: the load generator could not hold the rate, so latency includes its own delay (see sendLag)`;
    const shown = renderBaselineShow(bad, summarizeBaseline(bad), new Date(b.createdAt)).split("\n");
    expect(shown.at(-2)).toBe(warning);
    expect(renderBaselineShow(b, summarizeBaseline(b), new Date(b.createdAt))).not.toContain("warning:");
    expect(renderBaselineMarkdown(bad)).toContain(`**Warnings**\n\n- ${warning.replace("warning: ", "")}\n`);
  });
});
