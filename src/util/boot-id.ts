/**
 * The kernel's boot id: two processes that report the same one run on one kernel, and so read one
 * monotonic clock. Empty where the kernel does not say (not Linux).
 */
import { readFileSync } from "node:fs";

export function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "";
  }
}
