/**
 * Payload and header templates: text with per-message fields in double braces. Compiled once (a field
 * that does not exist is an error naming it, when the profile loads), rendered per message in workers.
 *
 *   {{seq}}            the publisher's message sequence, from 0
 *   {{publisher}}      the publisher's id
 *   {{unixMs}}         wall clock, ms since the epoch;  {{unixNs}} the same in ns;  {{iso}} ISO-8601
 *   {{uuid}}           a random UUID
 *   {{int:MIN:MAX}}    a random integer in [MIN, MAX]
 *   {{choice:a|b|c}}   one of the choices at random
 *   {{hex:N}}          N random hex digits
 */
import { randomUUID } from "node:crypto";

export const TEMPLATE_FIELDS = [
  "seq",
  "publisher",
  "unixMs",
  "unixNs",
  "iso",
  "uuid",
  "int",
  "choice",
  "hex",
];

/** Why a template cannot be compiled; the caller adds the file and key. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}

/** What a rendered message knows about itself. */
export interface TemplateContext {
  seq: number;
  publisher: number;
}

type Part = string | ((ctx: TemplateContext) => string);

export interface CompiledTemplate {
  /** Whether any field varies per message (a constant template renders once). */
  readonly varies: boolean;
  render(ctx: TemplateContext): string;
}

const HEX = "0123456789abcdef";

function field(spec: string): Part {
  const [name, ...args] = spec.trim().split(":");
  const arg = args.join(":");
  switch (name) {
    case "seq":
      return (c) => String(c.seq);
    case "publisher":
      return (c) => String(c.publisher);
    case "unixMs":
      return () => String(Date.now());
    case "unixNs":
      return () => String(BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n));
    case "iso":
      return () => new Date().toISOString();
    case "uuid":
      return () => randomUUID();
    case "int": {
      const [lo, hi] = args.map(Number);
      if (args.length !== 2 || !Number.isInteger(lo) || !Number.isInteger(hi) || hi! < lo!)
        throw new TemplateError(`{{${spec}}}: write {{int:MIN:MAX}} with whole numbers, MIN <= MAX`);
      return () => String(lo! + Math.floor(Math.random() * (hi! - lo! + 1)));
    }
    case "choice": {
      const choices = arg.split("|");
      if (arg === "") throw new TemplateError(`{{${spec}}}: write {{choice:a|b|c}}`);
      return () => choices[Math.floor(Math.random() * choices.length)]!;
    }
    case "hex": {
      const n = Number(arg);
      if (!Number.isInteger(n) || n < 1 || n > 4096)
        throw new TemplateError(`{{${spec}}}: write {{hex:N}} with N from 1 to 4096`);
      return () => {
        let s = "";
        for (let i = 0; i < n; i++) s += HEX[Math.floor(Math.random() * 16)];
        return s;
      };
    }
    default:
      throw new TemplateError(
        `{{${spec}}}: no such field "${name}"; fields: ${TEMPLATE_FIELDS.map((f) => `{{${f}}}`).join(" ")}`,
      );
  }
}

export function compileTemplate(text: string): CompiledTemplate {
  const parts: Part[] = [];
  let at = 0;
  for (;;) {
    const open = text.indexOf("{{", at);
    if (open < 0) break;
    const close = text.indexOf("}}", open + 2);
    if (close < 0) throw new TemplateError(`"{{" at offset ${open} is never closed with "}}"`);
    if (open > at) parts.push(text.slice(at, open));
    parts.push(field(text.slice(open + 2, close)));
    at = close + 2;
  }
  if (at < text.length) parts.push(text.slice(at));
  const varies = parts.some((p) => typeof p !== "string");
  return {
    varies,
    render: (ctx) => {
      let s = "";
      for (const p of parts) s += typeof p === "string" ? p : p(ctx);
      return s;
    },
  };
}

/** Whether a header value is a template rather than a constant. */
export function isTemplate(text: string): boolean {
  return text.includes("{{");
}
