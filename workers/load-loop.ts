/**
 * The load loop publishers and operation clients share: when to send, how much may be outstanding, when
 * to give up, when a quota is met, and what a late send is evidence of. What a send is belongs to the
 * role (its Issuer): a PUB frame, a request, a KV operation.
 *
 * Open loop: message i is intended at schedule.at(i); the thread's Pacer calls `pace` when something is
 * due, and every send records its lag (sendLag) from the intended time. Closed loop (`max`): send while
 * the window has room, each message intended when it is sent. Either way at most maxInFlight are
 * outstanding; the issuer calls `release` as each completes or fails.
 */
import { setImmediate as yieldNow } from "node:timers/promises";
import type { ClientResult } from "../src/engine/protocol.js";
import { atInstant, untilInstant } from "../src/util/time.js";
import { DONE, type Paced, type Pacer, WAITING } from "./pacer.js";
import type { ThreadRecorder } from "./recorder.js";
import { openLoopSchedule, type Schedule } from "./schedule.js";

/** Sends in a burst at most this many messages before letting I/O (acks) run. */
const MAX_BURST = 256;
/** An open-loop client still behind this long after the measured phase stops sending. */
export const SEND_GRACE_NS = 1e9;

/** What a LoadLoop drives: one role's way of sending one message or starting one operation. */
export interface Issuer {
  /**
   * Sends one message (starts one operation) intended at `intendedRel` and sent at `nowRel` (ns after
   * the start instant). An acknowledged issuer calls the loop's `release` once it completes or fails.
   */
  issue(intendedRel: number, nowRel: number, measured: boolean): void;
  /** The end of a burst: its frames go to the connection, its counts to the shared counters. */
  endBurst(): void;
  /** A send threw (a closed connection): count it; the loop stops. */
  failed(err: Error): void;
  /** Closed loop, unacknowledged: the window is full; resolves when the client may send another window. */
  makeRoom?(): Promise<void>;
  /** Once the outstanding wait is over: what the issuer settles last (a flush, PubAcks that expired). */
  settle?(): Promise<void> | void;
}

/** How a LoadLoop paces and bounds one client. */
export interface LoopSpec {
  ratePerSec: number | "max";
  /** Open loop: when message 0 is intended, ns after the start instant (interleaves an entry's clients). */
  offsetNs: number;
  /** Open loop: send at the rate for `onMs` at the start of every `everyMs`, nothing between. */
  burst?: { onMs: number; everyMs: number };
  maxInFlight: number;
  /** Sends intended in the measured phase after which the client stops (a message-bounded run). */
  quota?: number;
  /** How long the end waits for outstanding work before giving up on it. */
  timeoutMs: number;
  /**
   * False where nothing answers a send (core publish): the open loop keeps no window, and the closed
   * loop counts maxInFlight sends and then asks the issuer to makeRoom.
   */
  acknowledged: boolean;
}

/** The recorder's part the loop uses (a fake one in tests). */
export type LoopRecorder = Pick<
  ThreadRecorder,
  "relNow" | "measureEndNs" | "inMeasure" | "record" | "lateSendThresholdNs"
>;

export class LoadLoop implements Paced {
  private stopped = false;
  private inFlight = 0;
  /** Sends whose intended time fell in the measured phase: what a quota counts. */
  private intendedInMeasure = 0;
  // Open loop: the schedule, the index of the next message, and whether the pacer waits on our window.
  private schedule: Schedule | undefined;
  private nextIndex = 0;
  private waitingForWindow = false;
  /** The window filled since the last send that went out on time: late sends until then are the server's. */
  private windowFull = false;
  private openLoopDone: (() => void) | undefined;
  private windowWaiter: (() => void) | undefined;
  private cancelPhaseEnd: (() => void) | undefined;
  /** Resolves the wait for outstanding work once none is left. */
  private drained: (() => void) | undefined;

  constructor(
    private readonly spec: LoopSpec,
    private readonly issuer: Issuer,
    private readonly rec: LoopRecorder,
    private readonly pacer: Pick<Pacer, "add" | "wake">,
    /** Where lateSends, lateSendsWindowFull and unsent are counted. */
    private readonly result: ClientResult,
  ) {}

  /** Runs the client to its end: its time or quota, then the wait for what is still outstanding. */
  async run(): Promise<void> {
    try {
      // "go" arrives a little before the common start instant; closed loop must not begin before it
      // (open loop never does: its first intended send time is the instant itself).
      // (Awaited only when early: at or past the instant the loop begins in this same tick.)
      if (this.rec.relNow() < 0) await untilInstant(this.rec, 0);
      if (this.spec.ratePerSec === "max") await this.closedLoop();
      else await this.openLoop(this.spec.ratePerSec);
      await this.outstanding();
    } catch (err) {
      this.fail(err as Error);
    } finally {
      this.issuer.endBurst();
    }
  }

  stop(): void {
    this.stopped = true;
    this.openWindow();
    if (this.openLoopDone) this.pacer.wake();
    this.drained?.();
  }

  /** One send or operation completed or failed: room in the window. */
  release(): void {
    this.inFlight--;
    if (this.inFlight >= this.spec.maxInFlight) return;
    if (this.windowWaiter) this.openWindow();
    if (this.waitingForWindow) {
      this.waitingForWindow = false;
      this.pacer.wake();
    }
    if (this.inFlight === 0) this.drained?.();
  }

  /**
   * A send or flush on a closed connection throws; the run is ending (the thread reports the fault), and
   * what the client did so far must still reach the result.
   */
  private fail(err: Error): void {
    this.issuer.failed(err);
    this.stopped = true;
  }

  /** True once the client has sent all it should: stopped, quota met, or past the measured phase. */
  private finished(intendedRel: number): boolean {
    if (this.stopped) return true;
    if (this.spec.quota !== undefined) return this.intendedInMeasure >= this.spec.quota;
    return intendedRel >= this.rec.measureEndNs();
  }

  /** Open loop: the thread's pacer calls `pace` whenever something is due; this resolves when done. */
  private openLoop(ratePerSec: number): Promise<void> {
    this.schedule = openLoopSchedule(this.spec.offsetNs, 1e9 / ratePerSec, this.spec.burst);
    return new Promise((resolve) => {
      this.openLoopDone = resolve;
      this.pacer.add(this);
    });
  }

  /** Sends every message due by now (one bounded burst); see Paced. */
  pace(): number {
    try {
      return this.paceBurst();
    } catch (err) {
      // Sends happen on the pacer's timer, outside run(): a throw here would take the thread down.
      this.fail(err as Error);
      return this.endOpenLoop();
    }
  }

  private paceBurst(): number {
    const schedule = this.schedule!;
    const rec = this.rec;
    const lateNs = rec.lateSendThresholdNs;
    let now = rec.relNow();
    const endNs = rec.measureEndNs();
    if (now >= endNs + SEND_GRACE_NS) return this.giveUp(now, endNs);
    let intended = schedule.at(this.nextIndex);
    let burst = 0;
    while (intended <= now && burst < MAX_BURST) {
      if (this.finished(intended)) return this.endOpenLoop();
      if (this.inFlight >= this.spec.maxInFlight) {
        this.waitingForWindow = true;
        this.windowFull = true;
        this.issuer.endBurst();
        return WAITING;
      }
      const lagNs = now - intended;
      const measured = rec.inMeasure(intended);
      rec.record("sendLag", lagNs / 1000, measured);
      if (lagNs > lateNs) {
        this.result.lateSends++;
        // Late because the server stopped answering (the window filled), not because we fell behind.
        if (this.windowFull) this.result.lateSendsWindowFull = (this.result.lateSendsWindowFull ?? 0) + 1;
      } else this.windowFull = false;
      if (measured) this.intendedInMeasure++;
      // Nothing acknowledges an unacknowledged send: the open loop keeps no window for it.
      if (this.spec.acknowledged) this.inFlight++;
      this.issuer.issue(intended, now, measured);
      this.nextIndex++;
      burst++;
      intended = schedule.at(this.nextIndex);
      if ((burst & 31) === 0) now = rec.relNow();
    }
    this.issuer.endBurst();
    if (this.finished(intended)) return this.endOpenLoop();
    return intended;
  }

  private endOpenLoop(): number {
    this.issuer.endBurst();
    this.openLoopDone?.();
    this.openLoopDone = undefined;
    return DONE;
  }

  /**
   * Too far behind to catch up: stop, count what was due in the run but never sent, and keep the
   * evidence: each such message of the measured phase goes into sendLag with the lag it had when the
   * generator gave up (a lower bound), so a generator that never caught up still shows how late it was.
   */
  private giveUp(nowNs: number, endNs: number): number {
    const schedule = this.schedule!;
    let due = schedule.dueBy(endNs);
    // A quota ends the run sooner than the phase does: messages past it were never due.
    if (this.spec.quota !== undefined) due = Math.min(due, this.nextIndex + this.quotaLeft());
    this.result.unsent = Math.max(0, due - this.nextIndex);
    for (let i = this.nextIndex; i < due; i++) {
      const intended = schedule.at(i);
      if (this.rec.inMeasure(intended)) this.rec.record("sendLag", (nowNs - intended) / 1000, true);
    }
    return this.endOpenLoop();
  }

  private quotaLeft(): number {
    return Math.max(0, this.spec.quota! - this.intendedInMeasure);
  }

  private async closedLoop(): Promise<void> {
    const max = this.spec.maxInFlight;
    // A full window may wait on the server for long (a fast-producer stall holds a core flush's PONG
    // for seconds): the wait ends with the measured phase, so the client stops on time either way.
    this.watchPhaseEnd();
    try {
      for (;;) {
        let burst = 0;
        while (burst < MAX_BURST && this.inFlight < max) {
          const now = this.rec.relNow();
          if (this.finished(now)) return;
          const measured = this.rec.inMeasure(now);
          if (measured) this.intendedInMeasure++;
          this.inFlight++;
          this.issuer.issue(now, now, measured);
          burst++;
        }
        this.issuer.endBurst();
        if (this.inFlight < max) await yieldNow();
        else if (this.spec.acknowledged) await this.windowOpened();
        else {
          // Nothing releases an unacknowledged window: the issuer makes room (a PING/PONG round trip
          // every maxInFlight messages keeps the client's buffer bounded) and the window starts afresh.
          let failure: Error | undefined;
          const room = (this.issuer.makeRoom?.() ?? yieldNow()).catch((err: Error) => {
            failure = err;
          });
          this.inFlight = 0;
          await this.windowOpened(room);
          if (failure) throw failure;
        }
        if (this.finished(this.rec.relNow())) return;
      }
    } finally {
      this.cancelPhaseEnd?.();
    }
  }

  /** Opens the window once the measured phase is over (atInstant: never before, though timers wake early). */
  private watchPhaseEnd(): void {
    const endNs = this.rec.measureEndNs();
    if (Number.isFinite(endNs)) this.cancelPhaseEnd = atInstant(this.rec, endNs, () => this.openWindow());
  }

  private openWindow(): void {
    const w = this.windowWaiter;
    this.windowWaiter = undefined;
    w?.();
  }

  /** Resolves when a send completes (release), `room` is made, the measured phase ends, or stop. */
  private windowOpened(room?: Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      this.windowWaiter = resolve;
      // A room made late (after the phase ended, say) must not open a later wait.
      room?.then(() => {
        if (this.windowWaiter === resolve) this.openWindow();
      });
    });
  }

  /** After the last send: wait for what is still due, at most the timeout (woken by the last, not polled). */
  private async outstanding(): Promise<void> {
    // The closed loop returns from inside a burst when its quota or time is up: send what it wrote.
    this.issuer.endBurst();
    if (this.spec.acknowledged && this.inFlight > 0 && !this.stopped) {
      let deadline: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        deadline = setTimeout(resolve, this.spec.timeoutMs + 100);
      });
      clearTimeout(deadline);
      this.drained = undefined;
    }
    await this.issuer.settle?.();
  }
}
