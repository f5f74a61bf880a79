import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FaultProxy } from "../src/faults/proxy/fault-proxy.js";
import { BandwidthToxic } from "../src/faults/proxy/toxics/bandwidth.js";
import { LatencyToxic } from "../src/faults/proxy/toxics/latency.js";
import { LossToxic, RTO_MS } from "../src/faults/proxy/toxics/loss.js";

describe("toxics", () => {
  it("latency adds the delay and up to the jitter", () => {
    expect(new LatencyToxic(20, 10, () => 0.5).release(100, 1e9)).toBe(1e9 + 25e6);
  });

  it("a lost segment leaves one retransmission timeout later", () => {
    const draws = [0.001, 0.5];
    const loss = new LossToxic(0.01, () => draws.shift()!);
    expect(loss.release(100, 0)).toBe(RTO_MS * 1e6);
    expect(loss.release(100, 0)).toBe(0);
  });

  it("bandwidth spaces chunks by their size", () => {
    const bw = new BandwidthToxic(10_000);
    expect(bw.release(1000, 0)).toBe(100e6);
    // The link is busy until then, so the next chunk queues behind it.
    expect(bw.release(1000, 50e6)).toBe(200e6);
    expect(bw.release(500, 1e9)).toBe(1.05e9);
  });
});

/** An echo server through a fault proxy; `roundTrip` times one message there and back. */
describe("fault proxy", () => {
  let echo: Server;
  let proxy: FaultProxy;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    echo = createServer((s) => s.on("error", () => {}).pipe(s));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    const port = (echo.address() as { port: number }).port;
    proxy = await FaultProxy.start(`nats://127.0.0.1:${port}`);
  });
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    await proxy.close();
    await new Promise((r) => echo.close(r));
  });

  const open = async (): Promise<Socket> => {
    const { port } = new URL(proxy.url);
    const s = tcpConnect({ host: "127.0.0.1", port: Number(port) });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => s.once("connect", resolve).once("error", reject));
    return s;
  };
  const received = (s: Socket, bytes: number) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      const onData = (c: Buffer) => {
        chunks.push(c);
        if (Buffer.concat(chunks).length >= bytes) {
          s.off("data", onData);
          resolve(Buffer.concat(chunks));
        }
      };
      s.on("data", onData);
    });
  const roundTripMs = async (s: Socket, text = "ping") => {
    const t0 = performance.now();
    const back = received(s, text.length);
    s.write(text);
    expect((await back).toString()).toBe(text);
    return performance.now() - t0;
  };

  it("adds its delay each way while the effect is on, and none after", async () => {
    const s = await open();
    proxy.apply({ delayMs: 40 });
    // 40 ms to the server and 40 ms back: timers never fire early.
    expect(await roundTripMs(s)).toBeGreaterThanOrEqual(80);
    proxy.clear();
    expect(await roundTripMs(s)).toBeLessThan(80);
  });

  it("blackholes: nothing passes, the connection stays, and what was held arrives in order after", async () => {
    const s = await open();
    proxy.apply({ blackhole: true });
    const back = received(s, 6);
    s.write("abc");
    s.write("def");
    const early = await Promise.race([
      back.then(() => "arrived"),
      new Promise((r) => setTimeout(() => r("held"), 300)),
    ]);
    expect(early).toBe("held");
    proxy.clear();
    expect((await back).toString()).toBe("abcdef");
  });

  it("resets every connection, refuses new ones while it lasts, and lets them through after", async () => {
    const s = await open();
    const closed = new Promise((r) => s.once("close", r));
    s.on("error", () => {});
    proxy.apply({ reset: true });
    await closed;
    const refused = tcpConnect({ host: "127.0.0.1", port: Number(new URL(proxy.url).port) });
    refused.on("error", () => {});
    sockets.push(refused);
    await new Promise((r) => refused.once("close", r));
    expect(proxy.resets).toBe(2);
    proxy.clear();
    expect(await roundTripMs(await open())).toBeLessThan(1000);
  });

  it("limits bandwidth: 20 KB at 40 KB/s each way takes at least half a second", async () => {
    const s = await open();
    proxy.apply({ bandwidthBytesPerSec: 40_000 });
    const text = "x".repeat(20_000);
    expect(await roundTripMs(s, text)).toBeGreaterThanOrEqual(450);
  });
});
