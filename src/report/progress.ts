/**
 * The one-line progress display on stderr. Only listens to run events; shown only on a TTY so that
 * logs and CI output stay clean.
 */
import type { Tick } from "../engine/coordinator.js";
import type { RunEvents } from "../engine/run.js";
import { counted } from "../util/plural.js";
import { formatCount, formatUs } from "../util/units.js";

export function progressLine(tick: Tick, totalS: number, label = ""): string {
  const elapsed = `${tick.elapsedS.toFixed(0)}s${Number.isFinite(totalS) ? `/${totalS.toFixed(0)}s` : ""}`;
  return `${label ? `${label} ` : ""}${tick.phase.padEnd(7)} ${elapsed.padStart(9)}  pub ${formatCount(tick.publishedPerSec).padStart(7)}/s  sub ${formatCount(tick.consumedPerSec).padStart(7)}/s  errors ${tick.errors}${tick.p99Us === undefined ? "" : `  ${tick.p99Kind} p99 ${formatUs(tick.p99Us)}`}${waiting(tick) ? `  ${waiting(tick)}` : ""}`;
}

/** What a drain waits for, when it waits for something; "" otherwise. */
function waiting(tick: Tick): string {
  if (tick.phase !== "drain" || !tick.outstanding) return "";
  return `waiting for ${counted(tick.outstanding, "operation")} still out`;
}

/** Off a terminal, a drain that waits says so this often. */
const DRAIN_NOTE_EVERY_S = 5;

export function createProgress(
  stream: NodeJS.WriteStream,
  totalS: number,
  label = "",
): RunEvents & { done(): void } {
  const tty = stream.isTTY === true;
  let shown = false;
  const faultsOn = new Set<string>();
  let drainNotedS = Number.NEGATIVE_INFINITY;
  return {
    onPhase(phase, detail) {
      if (tty && shown) stream.write("\r\x1b[2K");
      shown = false;
      if (tty) stream.write(`${phase}: ${detail}\n`);
    },
    onFault(name, state, detail) {
      // Said on every stream, not only a terminal: a CI log should show when each fault was on.
      if (tty && shown) stream.write("\r\x1b[2K");
      shown = false;
      // A fault whose start failed ends without ever having been on: say so, not "off".
      const word = state === "start" ? "on" : faultsOn.delete(name) ? "off" : "failed";
      if (state === "start") faultsOn.add(name);
      stream.write(`fault ${name}: ${word}${detail ? ` (${detail})` : ""}\n`);
    },
    onTick(tick) {
      if (!tty) {
        // A log shows a drain that waits, so a silent pause is never mistaken for a hang.
        const note = waiting(tick);
        if (note && tick.elapsedS - drainNotedS >= DRAIN_NOTE_EVERY_S) {
          drainNotedS = tick.elapsedS;
          stream.write(`${label ? `${label} ` : ""}drain ${tick.elapsedS.toFixed(0)}s: ${note}\n`);
        }
        return;
      }
      stream.write(`\r\x1b[2K${progressLine(tick, totalS, label)}`);
      shown = true;
    },
    done() {
      if (tty && shown) stream.write("\r\x1b[2K");
    },
  };
}
