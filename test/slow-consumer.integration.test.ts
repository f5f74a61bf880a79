/**
 * A slow consumer on benchline's own data path: a server whose max_pending is far below what its
 * subscribers are sent drops their connections. The run must go on through the reconnects (a closed-loop
 * core publisher's flushes are rejected by the disconnect), finish complete, and say what happened:
 * the server's slow-consumer count, the reconnects, and the messages sent and never consumed.
 *
 * Before it cuts a connection the server stalls its producers ("fast producer stall", 100 ms to 1 s a
 * delivery), so a window's PONG may take seconds: the publisher stops at the end of the measured phase
 * regardless and waits at most its ackTimeout for the last round trip. The server cut the first
 * connection 1.5-4.7 s after the first window here (nats-server 2.9.10 -D); 8 s leaves it room.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runJson, writeProfile } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";

describe("a slow consumer", () => {
  it("is dropped by the server, reconnects, and the run completes and says so, on the lean path", async () => {
    await using dir = await tempDir();
    const config = join(dir.path, "nats-server.conf");
    // As a user writes it: sizes and a duration unquoted.
    await writeFile(config, "max_pending: 64KB\nmax_payload: 8KB\nwrite_deadline: 10ms\n");
    const profile = await writeProfile(
      dir.path,
      "slow-consumer",
      `publishers:
  - {mode: core, subject: sc.x, count: 4, rate: max, maxInFlight: 4000, size: 4096, ackTimeout: 8s}
consumers:
  - {kind: core, subject: sc.x, count: 16}
warmup: 500ms
duration: 2s
drain: 1s
workers: 2
`,
    );
    const { result } = await runJson(profile, dir.path, ["--server-config", config]);
    expect(result.complete).toBe(true);
    expect(result.env.dataPath).toEqual({
      publish: "frames",
      parse: "fast",
      receive: "wire",
      deliver: "direct",
    });
    const flagged = result.server!.slowConsumersDuringRun;
    expect(flagged).toBeGreaterThanOrEqual(1);
    expect(result.counts.reconnects).toBeGreaterThanOrEqual(1);
    // A disconnect is not a publish failure: the windows it cut short are sent, not consumed.
    expect(result.counts.publishErrors).toEqual({});
    expect(result.counts.lost).toBeGreaterThan(0);
    expect(result.counts.published).toBeGreaterThan(16_000);
    expect(result.warnings).toContain(`the server flagged ${flagged} slow consumers`);
    expect(result.warnings).toContain(`${result.counts.reconnects} reconnects during the run`);
    expect(result.warnings).toContain(
      `${result.counts.lost} messages sent, not consumed: no consumer received them by the end of the drain`,
    );
  });
});
