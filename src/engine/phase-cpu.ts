/** The CPU a process used over a run's measured phase, as a loop that polls the run sees it. */

/**
 * The process's CPU time between the start and the end of the measured phase, as the coordinator's
 * quarter-second loop sees them: both ends move by the same quarter second at most, and the time
 * between them is measured, not assumed.
 */
export class PhaseCpu {
  private from: { cpu: NodeJS.CpuUsage; ns: number } | undefined;
  private to: { cpu: NodeJS.CpuUsage; ns: number } | undefined;

  begin(nowNs: number): void {
    if (!this.from) this.from = { cpu: process.cpuUsage(), ns: nowNs };
  }

  end(nowNs: number): void {
    if (this.from && !this.to) this.to = { cpu: process.cpuUsage(), ns: nowNs };
  }

  percent(): number | undefined {
    if (!this.from || !this.to || this.to.ns <= this.from.ns) return undefined;
    const usedUs = this.to.cpu.user + this.to.cpu.system - this.from.cpu.user - this.from.cpu.system;
    return Math.round((usedUs / ((this.to.ns - this.from.ns) / 1e3)) * 1000) / 10;
  }
}
