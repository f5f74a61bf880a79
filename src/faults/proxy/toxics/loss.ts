/**
 * Loss on a TCP stream. A byte stream cannot lose bytes; a lost segment is sent again after the
 * retransmission timeout, and everything behind it waits (head-of-line blocking). So each chunk is
 * lost with probability `share`, and a lost one leaves one RTO later; the pipe keeps the rest behind it.
 */
import type { Toxic } from "../toxic.js";

/** Linux's minimum retransmission timeout (TCP_RTO_MIN): what a first loss on a fast link costs. */
export const RTO_MS = 200;

export class LossToxic implements Toxic {
  constructor(
    private readonly share: number,
    private readonly random: () => number = Math.random,
  ) {}

  release(_bytes: number, readyNs: number): number {
    return this.random() < this.share ? readyNs + RTO_MS * 1e6 : readyNs;
  }
}
