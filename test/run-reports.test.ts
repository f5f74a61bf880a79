import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../src/report/markdown.js";
import { createProgress, progressLine } from "../src/report/progress.js";
import { renderTable } from "../src/report/table.js";
import { workloadSections } from "../src/report/workload-rows.js";
import { fixtureRun } from "./fixtures/run-result.js";

describe("run reporters", () => {
  it("terminal table", () => {
    expect(renderTable(fixtureRun())).toMatchInlineSnapshot(`
      "benchline run fixture: complete, 10s measured, nats-server 2.9.10
      ┌────────────┬────────┬───────────┐
      │ throughput │ msgs/s │ bytes/s   │
      ├────────────┼────────┼───────────┤
      │ published  │ 10.0k  │ 1.2 MiB/s │
      │ consumed   │ 9999   │ 1.2 MiB/s │
      └────────────┴────────┴───────────┘
      ┌─────────┬───────┬──────┬───────┬────────┬─────────┬─────────┬─────────┬─────────┐
      │ latency │ count │ min  │ p50   │ p90    │ p99     │ p99.9   │ p99.99  │ max     │
      ├─────────┼───────┼──────┼───────┼────────┼─────────┼─────────┼─────────┼─────────┤
      │ pubAck  │ 60000 │ 40us │ 400us │ 800us  │ 21.00ms │ 42.00ms │ 63.00ms │ 84.00ms │
      │ e2e     │ 60000 │ 40us │ 500us │ 1.00ms │ 9.00ms  │ 18.00ms │ 27.00ms │ 36.00ms │
      └─────────┴───────┴──────┴───────┴────────┴─────────┴─────────┴─────────┴─────────┘
      ┌──────────────────────────────────┬────────┐
      │ counts (whole run)               │        │
      ├──────────────────────────────────┼────────┤
      │ published                        │ 110000 │
      │ acked                            │ 110000 │
      │ sent, not acknowledged           │ 0      │
      │ consumed                         │ 110000 │
      │ acknowledged, not consumed       │ 0      │
      │ duplicates / redeliveries        │ 0 / 0  │
      │ publish errors                   │ 0      │
      │ late sends (> 2 ms) / never sent │ 12 / 0 │
      └──────────────────────────────────┴────────┘
      ┌────────────┬────────┬─────────┬──────────┐
      │ threshold  │ limit  │ actual  │          │
      ├────────────┼────────┼─────────┼──────────┤
      │ pubAck.p99 │ < 20ms │ 21.00ms │ BREACHED │
      └────────────┴────────┴─────────┴──────────┘
      warning: the server ran on the same host as the load generator: they compete for its CPUs
      "
    `);
  });

  it("summary.md", () => {
    expect(renderMarkdown(fixtureRun())).toMatchInlineSnapshot(`
      "# benchline run: fixture

      Complete. Started 2026-11-22T10:00:00.000Z, 10 s measured against nats-server 2.9.10 from ci (2 CPUs, Node v20.20.2, nats.js 3.4.0).

      ## Throughput

      |  | msgs/s | bytes/s |
      | --- | ---: | ---: |
      | published | 10.0k | 1.2 MiB/s |
      | consumed | 9999 | 1.2 MiB/s |

      ## Latency

      | kind | count | p50 | p90 | p99 | p99.9 | max |
      | --- | ---: | ---: | ---: | ---: | ---: | ---: |
      | pubAck | 60000 | 400us | 800us | 21.00ms | 42.00ms | 84.00ms |
      | e2e | 60000 | 500us | 1.00ms | 9.00ms | 18.00ms | 36.00ms |

      ## Counts (whole run, warmup included)

      | published | acked | sent, not acknowledged | consumed | acknowledged, not consumed | duplicates | redeliveries | publish errors | late sends | never sent |
      | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |
      | 110000 | 110000 | 0 | 110000 | 0 | 0 | 0 | 0 | 12 | 0 |

      ## Thresholds

      | metric | limit | actual | verdict |
      | --- | --- | ---: | --- |
      | pubAck.p99 | < 20ms | 21.00ms | **breached** |

      ## Warnings

      - the server ran on the same host as the load generator: they compete for its CPUs
      "
    `);
  });

  it("an incomplete run says so first", () => {
    const r = { ...fixtureRun(), complete: false, abortReason: "interrupted by SIGINT" };
    expect(renderTable(r).split("\n")[0]).toBe(
      "benchline run fixture: INCOMPLETE (interrupted by SIGINT), 10s measured, nats-server 2.9.10",
    );
    expect(renderMarkdown(r)).toContain("**Incomplete**: interrupted by SIGINT.");
  });

  it("progress line: phase, elapsed, rates, errors, current p99", () => {
    expect(
      progressLine(
        {
          elapsedS: 4.2,
          phase: "measure",
          publishedPerSec: 10_012,
          consumedPerSec: 9_990,
          published: 1,
          consumed: 1,
          errors: 3,
          p99Us: 2500,
          p99Kind: "pubAck",
        },
        13,
        "run 2/10",
      ),
    ).toBe("run 2/10 measure    4s/13s  pub   10.0k/s  sub    9990/s  errors 3  pubAck p99 2.50ms");
  });
});

describe("fault lines on stderr", () => {
  it("says on and off for a fault that ran, and failed for one that never took effect", () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const progress = createProgress(stream, 10);
    progress.onFault?.("freeze", "start", "pause on node 1 for 2s");
    progress.onFault?.("freeze", "end", "");
    progress.onFault?.("down", "end", "command exited 1");
    expect(lines).toEqual([
      "fault freeze: on (pause on node 1 for 2s)\n",
      "fault freeze: off\n",
      "fault down: failed (command exited 1)\n",
    ]);
  });
});

describe("a drain that waits", () => {
  const tick = (elapsedS: number, phase: "measure" | "drain", outstanding: number) => ({
    elapsedS,
    phase,
    publishedPerSec: 0,
    consumedPerSec: 0,
    published: 10,
    consumed: 0,
    errors: 0,
    outstanding,
  });

  it("the progress line says how many operations it waits for", () => {
    expect(progressLine(tick(6, "drain", 3), 4)).toBe(
      "drain       6s/4s  pub       0/s  sub       0/s  errors 0  waiting for 3 operations still out",
    );
    expect(progressLine(tick(6, "drain", 0), 4)).not.toContain("waiting");
    expect(progressLine(tick(3, "measure", 3), 4)).not.toContain("waiting");
  });

  it("off a terminal, says so every 5 s while it waits, and nothing while nothing is out", () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const progress = createProgress(stream, 4, "run 1/3");
    for (const [s, phase, n] of [
      [3, "measure", 4],
      [4.5, "drain", 0],
      [5, "drain", 2],
      [7, "drain", 2],
      [10, "drain", 1],
      [11, "drain", 1],
    ] as const)
      progress.onTick?.(tick(s, phase, n));
    expect(lines).toEqual([
      "run 1/3 drain 5s: waiting for 2 operations still out\n",
      "run 1/3 drain 10s: waiting for 1 operation still out\n",
    ]);
  });
});

describe("a drain's two rates", () => {
  it("say what each is over: the measured phase, and the time to the backlog's last message", () => {
    const run = {
      ...fixtureRun(),
      measuredS: 1.714,
      drain: {
        backlogMsgs: 200_000,
        consumedMsgs: 200_000,
        drained: true,
        drainS: 1.696,
        drainedPerSec: 117_924,
      },
    };
    expect(renderTable(run)).toMatch(/│ consumed, over the 1.714 s measured │ 9999 +│/);
    // A consume-only run sent nothing: no row counts what was sent, acknowledged or lost of it.
    const consumeOnly = { ...run, profile: { ...run.profile, publishers: [] } };
    const counts = renderTable(consumeOnly).split("counts (whole run)")[1]!.split("└")[0]!;
    expect(counts).not.toMatch(/published|acked|not consumed|not acknowledged|late sends|publish errors/);
    expect(counts).toMatch(/│ consumed +│ \d+/);
    expect(renderMarkdown(run)).toContain("| consumed, over the 1.714 s measured | 9999 | 1.2 MiB/s |");
    expect(workloadSections(run)[0]!.rows.slice(2)).toEqual([
      ["drained in (to its last message)", "1.696 s"],
      ["drain rate (consumed of it / that time)", "117.9k msgs/s"],
    ]);
  });
});
