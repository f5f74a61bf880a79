/** The drill's timeline reducer, its verdicts, the webhook parser, the rule scaling and the --expect checks. */
import { describe, expect, it } from "vitest";
import { checkExpectedNames, parseExpect } from "../src/commands/drill.js";
import { alertNamesOf, drillRules, promDurationS, scaleRulesYaml } from "../src/drill/drill-rules.js";
import { drillVerdict, watchDone } from "../src/drill/verdict.js";
import { type DrillObservation, emptyWatch, observe, type WatchState } from "../src/drill/watch.js";
import { parseWebhook } from "../src/drill/webhook.js";
import { firingNotification, resolvedNotification } from "./fixtures/alertmanager-webhook.js";

const A = "NatsPublishStalled";
const prom = (atMs: number, state?: "pending" | "firing", name = A) => ({
  source: "prometheus" as const,
  atMs,
  alerts: state ? [{ name, state, labels: { alertname: name } }] : [],
});
const am = (atMs: number, name = A): DrillObservation => ({
  source: "alertmanager",
  atMs,
  alerts: [{ name, state: "active", receivers: ["team-pager"], silenced: false, inhibited: false }],
});
const hook = (atMs: number, body: unknown): DrillObservation => ({
  source: "webhook",
  atMs,
  ...parseWebhook(body),
});
const replay = (obs: DrillObservation[]): WatchState => obs.reduce(observe, emptyWatch());

/** Load at 1000, fault 10000..12000; pending 13000, firing 15000, AM 15250, hook 16100, resolved 19000. */
const HAPPY: DrillObservation[] = [
  { ...prom(900), initial: true },
  { source: "load", atMs: 1000, state: "start" },
  prom(5000),
  { source: "fault", atMs: 10_000, name: "freeze", state: "start" },
  { source: "fault", atMs: 12_000, name: "freeze", state: "end" },
  prom(13_000, "pending"),
  prom(14_000, "pending"),
  prom(15_000, "firing"),
  am(15_250),
  hook(16_100, firingNotification),
  prom(18_750, "firing"),
  prom(19_000),
  hook(19_500, resolvedNotification),
];
const opts = { watched: new Set([A]), resolveWithinMs: 20_000, webhook: true };

describe("drill timeline", () => {
  it("times each stage from the fault's start", () => {
    const v = drillVerdict(replay(HAPPY), [{ name: A, deadlineMs: 10_000 }], opts);
    expect(v.passed).toBe(true);
    expect(v.alerts).toEqual([
      {
        name: A,
        expected: true,
        deadlineMs: 10_000,
        pendingMs: 3000,
        firingMs: 5000,
        routedMs: 5250,
        notifiedMs: 6100,
        resolvedMs: 9000,
        resolvedNotifiedMs: 9500,
        receivers: ["team-pager"],
        amState: "active",
        silenced: false,
        inhibited: false,
        passed: true,
        verdict: "fired at 5.0 s, notified at 6.1 s, resolved at 9.0 s",
      },
    ]);
  });

  it("leaves the state it was given as it was", () => {
    const before = replay(HAPPY.slice(0, 5));
    const copy = structuredClone(before);
    observe(before, prom(13_000, "firing"));
    expect(before).toEqual(copy);
  });

  it("fails an alert that fires after its deadline, naming it", () => {
    const v = drillVerdict(replay(HAPPY), [{ name: A, deadlineMs: 4000 }], opts);
    expect(v.passed).toBe(false);
    expect(v.failures).toEqual([
      `${A} failed: did not fire within 4.0 s of the fault's start: fired only at 5.0 s`,
    ]);
  });

  it("fails an alert that never fires, saying whether it was pending", () => {
    const v = drillVerdict(replay(HAPPY.slice(0, 7)), [{ name: A, deadlineMs: 10_000 }], opts);
    expect(v.failures).toEqual([
      `${A} failed: did not fire within 10.0 s of the fault's start: never fired (pending at 3.0 s)`,
    ]);
  });

  it("fails an alert that fires on the clean warm-up, expected or watched", () => {
    const early = [...HAPPY.slice(0, 3), prom(6000, "firing", "Other"), ...HAPPY.slice(3)];
    const v = drillVerdict(replay(early), [{ name: A, deadlineMs: 10_000 }], {
      ...opts,
      watched: new Set([A, "Other"]),
    });
    expect(v.failures).toEqual(["Other failed: fired on the clean warm-up, 4.0 s before the first fault"]);
    // Someone else's alert is shown, never held against the drill.
    const theirs = drillVerdict(replay(early), [{ name: A, deadlineMs: 10_000 }], opts);
    expect(theirs.passed).toBe(true);
    expect(theirs.alerts.map((a) => [a.name, a.passed])).toEqual([
      [A, true],
      ["Other", true],
    ]);
  });

  it("fails an alert still firing the stated time after recovery", () => {
    const v = drillVerdict(replay(HAPPY.slice(0, 11)), [{ name: A, deadlineMs: 10_000 }], {
      ...opts,
      resolveWithinMs: 5000,
    });
    expect(v.failures).toEqual([
      `${A} failed: still firing 5.0 s after recovery (the last fault ended at 2.0 s)`,
    ]);
  });

  it("fails an alert that fired but never reached the webhook", () => {
    const noHook = HAPPY.filter((o) => o.source !== "webhook");
    const v = drillVerdict(replay(noHook), [{ name: A, deadlineMs: 10_000 }], opts);
    expect(v.failures).toEqual([`${A} failed: fired at 5.0 s but no webhook notification arrived`]);
    expect(
      drillVerdict(replay(noHook), [{ name: A, deadlineMs: 10_000 }], { ...opts, webhook: false }).passed,
    ).toBe(true);
  });

  it("ignores alerts firing before the drill began, and fails an expected one among them", () => {
    const pre = [
      { ...prom(900, "firing", "Watchdog"), initial: true },
      ...HAPPY.slice(1).map((o) =>
        o.source === "prometheus"
          ? { ...o, alerts: [...o.alerts, { name: "Watchdog", state: "firing" as const, labels: {} }] }
          : o,
      ),
    ];
    const ok = drillVerdict(replay(pre), [{ name: A, deadlineMs: 10_000 }], {
      ...opts,
      watched: new Set([A, "Watchdog"]),
    });
    expect(ok.passed).toBe(true);
    expect(ok.alerts.map((a) => a.name)).toEqual([A]);
    const v = drillVerdict(replay(pre), [{ name: "Watchdog", deadlineMs: 10_000 }], opts);
    expect(v.failures).toEqual(["Watchdog failed: already pending or firing before the drill began"]);
  });

  it("a clean run that fires nothing passes with no rows", () => {
    const clean = replay([
      prom(0),
      { source: "load", atMs: 100, state: "start" },
      prom(5000),
      { source: "load", atMs: 9000, state: "end" },
    ]);
    expect(drillVerdict(clean, [], opts)).toEqual({ alerts: [], passed: true, failures: [] });
  });

  it("keeps watching until the expected alert fired, notified and resolved, or time ran out", () => {
    const e = [{ name: A, deadlineMs: 10_000 }];
    const w = { resolveWithinMs: 20_000, webhook: true };
    expect(watchDone(replay(HAPPY.slice(0, 8)), e, 15_000, w)).toBe(false);
    expect(watchDone(replay(HAPPY.slice(0, 11)), e, 18_750, w)).toBe(false);
    expect(watchDone(replay(HAPPY), e, 19_500, w)).toBe(true);
    expect(watchDone(replay(HAPPY.slice(0, 5)), e, 20_001, w)).toBe(true);
  });
});

describe("webhook parser", () => {
  it("reads Alertmanager's webhook JSON", () => {
    expect(parseWebhook(firingNotification)).toEqual({
      receiver: "team-pager",
      status: "firing",
      alerts: [{ name: A, status: "firing" }],
    });
    expect(parseWebhook(resolvedNotification).alerts).toEqual([{ name: A, status: "resolved" }]);
  });

  it("refuses anything else", () => {
    expect(() => parseWebhook({ text: "hi" })).toThrow(
      "not an Alertmanager webhook payload (needs receiver and alerts)",
    );
    expect(() => parseWebhook({ ...firingNotification, status: "weird" })).toThrow(
      "alert status weird is not firing or resolved",
    );
  });
});

describe("drill rules", () => {
  it("has a short p99 rule per latency kind the profile produces", () => {
    const r = drillRules(["pubAck", "pubAckRaw", "e2e"]);
    expect(r.alerts).toEqual(["BenchlineDrillPubAckP99High", "BenchlineDrillE2eP99High"]);
    expect(alertNamesOf(r.yaml)).toEqual(r.alerts);
    expect(r.yaml).toContain(
      "expr: histogram_quantile(0.99, sum by (le) (rate(benchline_pub_ack_latency_seconds_bucket[5s]))) > 0.25",
    );
    expect(r.description).toBe("drill rules: p99 above 250 ms over rate windows of 5 s, for 2 s");
  });

  it("scales the proposed rules' windows and for:", () => {
    expect(promDurationS("1h30m")).toBe(5400);
    expect(promDurationS("5x")).toBeUndefined();
    const text = `groups:
  - name: g
    interval: 30s
    rules:
      - record: x:rate5m
        expr: sum(rate(a[5m])) / sum(rate(b[1h]))
      - alert: Slow
        expr: x:rate5m > 1 and max_over_time(c[30m:1m]) > 2
        for: 10m
`;
    expect(scaleRulesYaml(text, 60)).toBe(`groups:
  - name: g
    rules:
      - record: x:rate5m
        expr: sum(rate(a[5s])) / sum(rate(b[60s]))
      - alert: Slow
        expr: x:rate5m > 1 and max_over_time(c[30s:1s]) > 2
        for: 10s
`);
  });
});

describe("--expect", () => {
  it("takes NAME or NAME=DEADLINE", () => {
    expect(parseExpect("Stalled", 20_000)).toEqual({ name: "Stalled", deadlineMs: 20_000 });
    expect(parseExpect("Stalled=45s", 20_000)).toEqual({ name: "Stalled", deadlineMs: 45_000 });
    expect(() => parseExpect("no good=1s", 1)).toThrow(
      "--expect no good=1s: write ALERT or ALERT=DEADLINE, e.g. --expect NatsPublishStalled=30s",
    );
  });

  it("refuses a name no rule defines, with the names that exist", () => {
    expect(() => checkExpectedNames([{ name: "Nope", deadlineMs: 1 }], ["B", "A"])).toThrow(
      "--expect Nope: no alert rule defines it; the rules define: A, B",
    );
  });
});
