/**
 * Payloads the user shapes: a file's bytes, the files of a directory taken in turn, or a template
 * rendered per message. The user's bytes are sent as they are: benchline's timing and identity travel in
 * the Benchline-Timing header instead (timing: header), or nowhere (timing: off).
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PayloadSpec } from "../src/contract/workloads.js";
import { compileTemplate } from "../src/profile/template.js";

const encoder = new TextEncoder();

export class ShapedPayloads {
  private samples: Uint8Array[] = [];
  private render: ((seq: number) => Uint8Array) | undefined;

  constructor(
    private readonly spec: PayloadSpec,
    private readonly publisherId: number,
  ) {}

  /** Reads the file or directory once, before the run. */
  async prepare(): Promise<void> {
    const spec = this.spec;
    if (spec.kind === "file") this.samples = [await readFile(spec.path)];
    else if (spec.kind === "dir") {
      const entries = (await readdir(spec.path, { withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => e.name)
        .sort();
      this.samples = await Promise.all(entries.map((name) => readFile(join(spec.path, name))));
    } else {
      const t = compileTemplate(spec.text);
      if (t.varies) this.render = (seq) => encoder.encode(t.render({ seq, publisher: this.publisherId }));
      else this.samples = [encoder.encode(t.render({ seq: 0, publisher: this.publisherId }))];
    }
  }

  make(seq: number): Uint8Array {
    return this.render ? this.render(seq) : this.samples[seq % this.samples.length]!;
  }
}

/** The Benchline-Timing header's value: intended send time (absolute ns), publisher id, sequence. */
export function timingHeaderValue(intendedNs: number, publisherId: number, seq: number): string {
  return `${Math.round(intendedNs)}.${publisherId}.${seq}`;
}

/** The three numbers of a Benchline-Timing header, or undefined when it is absent or malformed. */
export function parseTimingHeader(
  value: string | undefined,
): { intendedNs: number; publisherId: number; seq: number } | undefined {
  if (!value) return undefined;
  const [a, b, c] = value.split(".");
  const intendedNs = Number(a);
  const publisherId = Number(b);
  const seq = Number(c);
  if (![intendedNs, publisherId, seq].every(Number.isSafeInteger)) return undefined;
  return { intendedNs, publisherId, seq };
}
