/**
 * One open-loop pacer per worker thread: it sleeps on a timer until the earliest send any of its
 * publishers has due, lets each send everything due in one go, and sleeps again. It never spins, so the
 * generator's CPU grows with the rate, not with the number of publishers or with how idle it is.
 *
 * Timers wake to the millisecond at best, so a send may leave up to about a millisecond after its
 * intended time; latency still counts from the intended time and the lag is recorded as sendLag.
 * Every wake costs the host a context switch (about 50-100 us of CPU on a VM), so the pacer aims to wake
 * once per due instant, not early: a timer of d ms fires d ms after it is set plus the host's own wake
 * latency (measured here: 1.16 ms for d = 1, whatever the phase of the clock), which the pacer learns as
 * it goes and takes off the wait.
 */

/** What a pacer drives. */
export interface Paced {
  /**
   * Sends what is due now (a bounded burst). Returns the intended time (ns after the start instant) of
   * its next unsent message, WAITING while its window is full (it calls the pacer's `wake` when the
   * window opens), or DONE when it has sent all it will.
   */
  pace(): number;
}

/** A paced publisher waits for acks before it may send again: no timer for it. */
export const WAITING = Number.POSITIVE_INFINITY;
/** A paced publisher has finished. */
export const DONE = -1;

const INITIAL_TIMER_LATENESS_NS = 150_000;
/** A lateness beyond this is a stall, not the timer's habit: it would make every wake come early. */
const MAX_TIMER_LATENESS_NS = 500_000;

export class Pacer {
  private readonly members: Paced[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** Wake-ups so far: the bench and the tests read how often the pacer ran. */
  wakeups = 0;
  /** When the armed timer should fire, by its delay alone (ns after the start instant). */
  private expectedNs = 0;
  /** A running mean of how late timers fire, clamped to [0, MAX_TIMER_LATENESS_NS]. */
  private latenessNs = INITIAL_TIMER_LATENESS_NS;

  /** @param clock the publishers' clock: ns after the start instant, and that instant (absolute monotonic ns). */
  constructor(private readonly clock: { relNow(): number; readonly startNs: number }) {}

  add(member: Paced): void {
    this.members.push(member);
    this.wake();
  }

  /** Serve every member as soon as I/O allows: a window opened, or a publisher was told to stop. */
  wake(): void {
    if (this.immediate || this.members.length === 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.immediate = setImmediate(this.tick);
  }

  private readonly tick = (): void => {
    if (this.timer) {
      const late = this.clock.relNow() - this.expectedNs;
      this.latenessNs += (Math.min(MAX_TIMER_LATENESS_NS, Math.max(0, late)) - this.latenessNs) / 16;
    }
    this.immediate = undefined;
    this.timer = undefined;
    this.wakeups++;
    let next = WAITING;
    for (let k = 0; k < this.members.length; ) {
      let due: number;
      try {
        due = this.members[k]!.pace();
      } catch {
        // A member that throws has finished; it is the member's to report why (Publisher does).
        due = DONE;
      }
      if (due === DONE) {
        this.members.splice(k, 1);
        continue;
      }
      if (due < next) next = due;
      k++;
    }
    // Every member waits for its window (or none is left): the acks that open a window wake us.
    if (next === WAITING) return;
    const now = this.clock.relNow();
    // Still due after a burst: let I/O (acks) run, then go on. This is work, not a spin: every member
    // that has something due sends at least one message per tick.
    if (next <= now) {
      this.immediate = setImmediate(this.tick);
      return;
    }
    const delayMs = Math.max(1, Math.ceil((next - now - this.latenessNs) / 1e6));
    this.expectedNs = now + delayMs * 1e6;
    this.timer = setTimeout(this.tick, delayMs);
  };

  /** Stops the timers; members left unserved are the caller's to finish. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.members.length = 0;
  }
}
