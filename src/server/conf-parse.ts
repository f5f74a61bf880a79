/**
 * Reads the structure of a nats-server config file: its keys, values and includes, with where each
 * sits in the text. It follows the server's own lexer (conf/lex.go) so that a file the server accepts
 * reads the same here; it does not judge values, and is lenient where the server is strict, because the
 * server checks the file itself (`nats-server -t`) before benchline reads it.
 */

/** A value and the span of text it was read from. */
export type ConfValue =
  | { kind: "map"; start: number; end: number; items: ConfItem[] }
  | { kind: "array"; start: number; end: number }
  | { kind: "string"; start: number; end: number; text: string }
  | { kind: "variable"; start: number; end: number; name: string }
  | { kind: "scalar"; start: number; end: number; raw: string };

/** `key: value`; `start` is where the key begins, `end` where the value ends. */
export interface ConfEntry {
  kind: "entry";
  key: string;
  start: number;
  end: number;
  value: ConfValue;
}

/** `include path`, relative to the directory of the file it is in. */
export interface ConfInclude {
  kind: "include";
  path: string;
  start: number;
  end: number;
}

export type ConfItem = ConfEntry | ConfInclude;

/** The text is not a config the server's lexer would read; `line` is 1-based. */
export class ConfSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "ConfSyntaxError";
  }
}

const isBlank = (c: string) => c === " " || c === "\t";
const isNewline = (c: string) => c === "\n" || c === "\r";
const isSpace = (c: string) => isBlank(c) || isNewline(c) || c === "\v" || c === "\f";
const isDigit = (c: string) => c >= "0" && c <= "9";
const isSeparator = (c: string) => c === "=" || c === ":";
const BOOLS = new Set(["true", "false", "yes", "no", "on", "off"]);

/** The items at the top level of a config text, in order. */
export function parseConf(text: string): ConfItem[] {
  return new Parser(text).top();
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  private c(): string {
    return this.text[this.pos] ?? "";
  }

  private fail(message: string): never {
    throw new ConfSyntaxError(message, this.text.slice(0, this.pos).split("\n").length);
  }

  /** At `#` or `//`: skips to the end of the line. Returns false when no comment starts here. */
  private comment(): boolean {
    if (this.c() === "#" || (this.c() === "/" && this.text[this.pos + 1] === "/")) {
      while (this.c() !== "" && !isNewline(this.c())) this.pos++;
      return true;
    }
    return false;
  }

  top(): ConfItem[] {
    const items: ConfItem[] = [];
    for (;;) {
      // The server lets a whole file sit in braces, JSON style.
      while (isSpace(this.c()) || this.c() === "{" || this.c() === "}") this.pos++;
      if (this.comment()) continue;
      if (this.c() === "") return items;
      items.push(this.item());
      this.valueEnd(true);
    }
  }

  /** What may follow a value: blanks, a comment, then a newline, `,`, `;`, the end or a closing brace. */
  private valueEnd(top: boolean): "next" | "close" {
    while (isBlank(this.c())) this.pos++;
    this.comment();
    const c = this.c();
    if (c === "") return top ? "next" : this.fail("unexpected end of file in a map");
    if (isNewline(c) || c === "," || c === ";") {
      this.pos++;
      return "next";
    }
    if (c === "}") {
      this.pos++;
      return top ? "next" : "close";
    }
    return this.fail(`expected a new line after a value, found '${c}'`);
  }

  /** A key and its value, or an include. */
  private item(): ConfItem {
    const start = this.pos;
    let key: string;
    if (this.c() === '"' || this.c() === "'") {
      const quote = this.c();
      const end = this.text.indexOf(quote, this.pos + 1);
      if (end < 0) this.fail("unterminated quoted key");
      key = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      while (this.c() !== "" && !isSpace(this.c()) && !isSeparator(this.c())) this.pos++;
      key = this.text.slice(start, this.pos);
      if (isSpace(this.c()) && key.toLowerCase() === "include") return this.include(start);
    }
    while (isSpace(this.c())) this.pos++;
    if (isSeparator(this.c())) this.pos++;
    while (isSpace(this.c())) this.pos++;
    const value = this.value();
    return { kind: "entry", key, start, end: value.end, value };
  }

  private include(start: number): ConfInclude {
    while (isBlank(this.c())) this.pos++;
    let path: string;
    if (this.c() === '"' || this.c() === "'") {
      const end = this.text.indexOf(this.c(), this.pos + 1);
      if (end < 0) this.fail("unterminated include path");
      path = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      const from = this.pos;
      while (
        this.c() !== "" &&
        !isSpace(this.c()) &&
        this.c() !== ";" &&
        this.c() !== "}" &&
        this.c() !== "'"
      )
        this.pos++;
      path = this.text.slice(from, this.pos);
    }
    if (path === "") this.fail("include without a path");
    return { kind: "include", path, start, end: this.pos };
  }

  private value(): ConfValue {
    const start = this.pos;
    const c = this.c();
    if (c === "[") return this.array(start);
    if (c === "{") {
      this.pos++;
      const items = this.mapItems();
      return { kind: "map", start, end: this.pos, items };
    }
    if (c === '"') return { kind: "string", start, text: this.doubleQuoted(), end: this.pos };
    if (c === "'") {
      const end = this.text.indexOf("'", this.pos + 1);
      if (end < 0) this.fail("unterminated string");
      this.pos = end + 1;
      return { kind: "string", start, end: this.pos, text: this.text.slice(start + 1, end) };
    }
    if (c === "(") return this.blockString(start);
    if (isDigit(c) || c === "-") {
      this.number();
      return { kind: "scalar", start, end: this.pos, raw: this.text.slice(start, this.pos) };
    }
    if (c === "" || isNewline(c)) this.fail("expected a value");
    // As the server's lexer: an unquoted string ends at a blank, a new line or `;,]}'`, not at `#`.
    while (this.c() !== "" && !isSpace(this.c()) && !";,]}'".includes(this.c())) this.pos++;
    const raw = this.text.slice(start, this.pos);
    if (raw.startsWith("$")) return { kind: "variable", start, end: this.pos, name: raw.slice(1) };
    if (BOOLS.has(raw.toLowerCase())) return { kind: "scalar", start, end: this.pos, raw };
    return { kind: "string", start, end: this.pos, text: raw };
  }

  private array(start: number): ConfValue {
    this.pos++;
    for (;;) {
      while (isSpace(this.c()) || this.c() === ",") this.pos++;
      if (this.comment()) continue;
      if (this.c() === "") this.fail("unterminated array");
      if (this.c() === "]") {
        this.pos++;
        return { kind: "array", start, end: this.pos };
      }
      this.value();
      while (isBlank(this.c())) this.pos++;
      this.comment();
    }
  }

  private mapItems(): ConfItem[] {
    const items: ConfItem[] = [];
    for (;;) {
      while (isSpace(this.c())) this.pos++;
      if (this.comment()) continue;
      if (this.c() === "") this.fail("unterminated map");
      if (this.c() === "}") {
        this.pos++;
        return items;
      }
      items.push(this.item());
      if (this.valueEnd(false) === "close") return items;
    }
  }

  private doubleQuoted(): string {
    let out = "";
    this.pos++;
    const escapes: Record<string, string> = { t: "\t", n: "\n", r: "\r", '"': '"', "\\": "\\" };
    for (;;) {
      const c = this.c();
      if (c === "") this.fail("unterminated string");
      this.pos++;
      if (c === '"') return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.c();
      this.pos++;
      if (e === "x") {
        out += String.fromCharCode(Number.parseInt(this.text.slice(this.pos, this.pos + 2), 16));
        this.pos += 2;
      } else if (escapes[e] !== undefined) {
        out += escapes[e];
      } else {
        this.fail(`invalid escape '\\${e}'`);
      }
    }
  }

  /** `(` then text until a `)` alone on its line. */
  private blockString(start: number): ConfValue {
    const close = /\n\)(?=\r?\n|$)/g;
    close.lastIndex = this.pos;
    const m = close.exec(this.text);
    if (!m) this.fail("unterminated ( block");
    this.pos = m.index + 2;
    return { kind: "string", start, end: this.pos, text: this.text.slice(start + 1, m.index) };
  }

  /** An integer with an optional size suffix, a float, a Zulu date or an IP address with a port. */
  private number(): void {
    if (this.c() === "-") this.pos++;
    while (
      isDigit(this.c()) ||
      this.c() === "." ||
      this.c() === ":" ||
      this.c() === "-" ||
      /[TZ]/.test(this.c())
    )
      this.pos++;
    if (/[kmgKMG]/.test(this.c())) {
      this.pos++;
      while (this.c() === "b" || this.c() === "B") this.pos++;
    }
  }
}
