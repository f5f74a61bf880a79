/**
 * An agent's clock against the coordinator's, estimated as NTP does (RFC 5905, on-wire protocol): the
 * coordinator notes its time t0, asks, the agent answers with its own time t1, the coordinator notes t3.
 * Whatever the two legs took, the agent read its clock somewhere between t0 and t3, so
 * offset = t1 - (t0 + t3) / 2 is wrong by at most (t3 - t0) / 2. Of several samples the one with the
 * shortest round trip has the tightest bound: queueing only ever adds delay.
 */

/** One request/response: the coordinator's clock around the agent's reading, all monotonic ns. */
export interface ClockSample {
  sentNs: bigint;
  agentNs: bigint;
  receivedNs: bigint;
}

/** The agent's clock minus the coordinator's, and the bound on how wrong that is. */
export interface ClockEstimate {
  offsetNs: number;
  errorNs: number;
  rttNs: number;
}

export function estimateClock(samples: ClockSample[]): ClockEstimate {
  let best: ClockSample | undefined;
  for (const s of samples) {
    if (s.receivedNs < s.sentNs) throw new RangeError("a clock sample was received before it was sent");
    if (!best || s.receivedNs - s.sentNs < best.receivedNs - best.sentNs) best = s;
  }
  if (!best) throw new RangeError("no clock sample");
  const rtt = best.receivedNs - best.sentNs;
  // Twice the offset keeps the midpoint exact in integers; the halving happens once, in floating point.
  const twiceOffset = 2n * best.agentNs - best.sentNs - best.receivedNs;
  return { offsetNs: Number(twiceOffset) / 2, errorNs: Number(rtt) / 2, rttNs: Number(rtt) };
}

/** An estimate as a run uses it: `shared` when the agent reads the coordinator's very clock. */
export interface AgentClock extends ClockEstimate {
  shared: boolean;
}

/**
 * Processes on one kernel read one CLOCK_MONOTONIC (process.hrtime), so an agent on the coordinator's
 * kernel needs no correction at all: offset 0 with no error, rather than the round trip's bound. A
 * measurement that disagrees beyond its own bound (a container in a time namespace) is kept instead.
 */
export function agentClock(estimate: ClockEstimate, sameKernel: boolean): AgentClock {
  if (sameKernel && Math.abs(estimate.offsetNs) <= estimate.errorNs)
    return { offsetNs: 0, errorNs: 0, rttNs: estimate.rttNs, shared: true };
  return { ...estimate, shared: false };
}
