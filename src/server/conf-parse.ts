/**
 * Reads the structure of a nats-server config file: its keys, values and includes, with where each
 * sits in the text. It follows the server's own lexer (conf/lex.go) value by value, so that a file the
 * server accepts reads the same here: `5s` and `1h30m` are unquoted strings, `1MB` and `64KiB` sizes,
 * `0.0.0.0:4222` an address, `$NAME` a variable. It does not judge values, and is lenient where the
 * server is strict, because the server checks the file itself (`nats-server -t`) before benchline reads it.
 */

/** A value and the span of text it was read from. */
export type ConfValue =
  | { kind: "map"; start: number; end: number; items: ConfItem[] }
  | { kind: "array"; start: number; end: number; items: ConfValue[] }
  /** Quoted, unquoted (escapes applied), an address such as `10.0.0.1:4222`, or a `( ... )` block. */
  | { kind: "string"; start: number; end: number; text: string }
  /** `$name`: defined earlier in an enclosing map or the file's top level, else from the environment. */
  | { kind: "variable"; start: number; end: number; name: string }
  /** An integer (with its size suffix, `1MB`), a float, a boolean or a Zulu date, as written. */
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
// Go's unicode.IsSpace, which the server's lexer uses between keys: JS's \s less the byte order mark.
const isSpace = (c: string) => c !== "" && c !== "\ufeff" && /\s/.test(c);
const isDigit = (c: string) => c >= "0" && c <= "9";
const isSeparator = (c: string) => c === "=" || c === ":";
/** Size suffixes: k, m, g, t, p, e in any case, each then optionally b or i (`1MB`, `64KiB`). */
const isSizeSuffix = (c: string) => c !== "" && "kmgtpeKMGTPE".includes(c);
/** Where an unquoted value ends (the server's lexString): `#` and `:` do not end one. */
const endsUnquoted = (c: string) => c === "" || isNewline(c) || isBlank(c) || ";,]}".includes(c);
/** Where a number ends: as above but for `]`, which the server takes into a string (`[1]` is "1]", unclosed). */
const endsNumber = (c: string) => c === "" || isNewline(c) || isBlank(c) || ";,}".includes(c);
const BOOLS = new Set(["true", "false", "yes", "no", "on", "off"]);
const ESCAPES: Record<string, string> = { t: "\t", n: "\n", r: "\r", '"': '"', "\\": "\\" };
const ZULU = /^\d\d-\d\dT\d\d:\d\d:\d\dZ/;

/** The items at the top level of a config text, in order. */
export function parseConf(text: string): ConfItem[] {
  return new Parser(text).top();
}

/**
 * Thrown where the server's lexer ends the file without an error: a quote that is the file's last
 * character, where a key or a value starts. Whatever is still open is then dropped, as by the server.
 */
const END_OF_INPUT = Symbol("end of input");

type Context = "top" | "map" | "array";

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  private c(offset = 0): string {
    return this.text[this.pos + offset] ?? "";
  }

  private fail(message: string): never {
    throw new ConfSyntaxError(message, this.text.slice(0, this.pos).split("\n").length);
  }

  /** At `#` or `//`: skips to the end of the line. Returns false when no comment starts here. */
  private comment(): boolean {
    if (this.c() === "#" || (this.c() === "/" && this.c(1) === "/")) {
      while (this.c() !== "" && !isNewline(this.c())) this.pos++;
      return true;
    }
    return false;
  }

  top(): ConfItem[] {
    const items: ConfItem[] = [];
    try {
      for (;;) {
        // The server lets a whole file sit in braces, JSON style.
        while (isSpace(this.c()) || this.c() === "{" || this.strayBrace()) this.pos++;
        if (this.comment()) continue;
        if (this.c() === "") return items;
        if (this.c() === "/") this.fail("unexpected '/' where a key should be");
        const item = this.item("top");
        if (!item) return items;
        items.push(item);
        this.valueEnd("top");
      }
    } catch (err) {
      if (err === END_OF_INPUT) return items;
      throw err;
    }
  }

  /**
   * A `}` where a top-level key starts: the end of a file in braces (newer servers), skipped, unless a
   * key runs on from it (`}x`) or a separator follows it, where nats-server 2.9 reads it as a key.
   */
  private strayBrace(): boolean {
    if (this.c() !== "}") return false;
    let i = this.pos + 1;
    if (!isSpace(this.text[i] ?? "") && !"{}".includes(this.text[i] ?? "")) return false;
    while (isSpace(this.text[i] ?? "")) i++;
    return !isSeparator(this.text[i] ?? "");
  }

  /**
   * A quote at `pos`: the text up to the next one. A quote that is the file's last character ends the
   * file at the top level, as in the server's lexer; in a map or an include path it is an error there too.
   */
  private quoted(what: string, where: Context = "top"): string {
    if (this.pos === this.text.length - 1 && where !== "map" && what !== "include path") throw END_OF_INPUT;
    const end = this.text.indexOf(this.c(), this.pos + 1);
    if (end < 0) this.fail(`unterminated ${what}`);
    const text = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return text;
  }

  /**
   * What may follow a value: blanks, a comment, then a new line, `,`, `;` (not in arrays), or the end of
   * the file, map or array. A lone `/` counts as a blank at the top level and as a separator in maps and
   * arrays, as in the server's lexer.
   */
  private valueEnd(where: Context): "next" | "close" {
    for (;;) {
      while (isBlank(this.c()) || (where === "top" && this.c() === "/" && this.c(1) !== "/")) this.pos++;
      if (!this.comment()) break;
    }
    const c = this.c();
    const close = where === "array" ? "]" : "}";
    if (c === "") return where === "top" ? "next" : this.fail(`unterminated ${where}`);
    if (isNewline(c) || c === "," || (c === ";" && where !== "array") || (c === "/" && where !== "top")) {
      this.pos++;
      return "next";
    }
    if (c === close || (c === "}" && where === "top")) {
      this.pos++;
      return where === "top" ? "next" : "close";
    }
    return this.fail(`expected a new line after a value, found '${c}'`);
  }

  /** A key and its value, or an include; undefined for a key alone at the end of the file (ignored). */
  private item(where: Context): ConfItem | undefined {
    const start = this.pos;
    let key: string;
    const quote = this.c();
    if (isSeparator(quote)) this.fail(`expected a key, found '${quote}'`);
    if (quote === '"' || quote === "'") key = this.quoted("quoted key", where);
    else {
      // As the server's lexer: a key runs to a space, `=` or `:`, so `jetstream{` is one key.
      while (this.c() !== "" && !isSpace(this.c()) && !isSeparator(this.c())) this.pos++;
      key = this.text.slice(start, this.pos);
      if (isSpace(this.c()) && key.toLowerCase() === "include") return this.include(start);
    }
    while (isSpace(this.c())) this.pos++;
    if (this.c() === "") return where === "top" ? undefined : this.fail(`unterminated ${where}`);
    if (isSeparator(this.c())) {
      this.pos++;
      // After `key:` the server looks for the value on the same line, except inside a map.
      while (where === "top" ? isBlank(this.c()) : isSpace(this.c())) this.pos++;
      if (isNewline(this.c())) this.fail(`expected a value after '${key}:' on the same line`);
    }
    const value = this.value();
    return { kind: "entry", key, start, end: value.end, value };
  }

  private include(start: number): ConfInclude {
    while (isBlank(this.c())) this.pos++;
    const c = this.c();
    let path: string;
    if (c === '"' || c === "'") path = this.quoted("include path");
    else {
      if (c === "" || isNewline(c) || "[{(-\\".includes(c) || isDigit(c))
        this.fail("include needs a file path after it");
      const from = this.pos;
      while (!endsUnquoted(this.c()) && this.c() !== "'") this.pos++;
      path = this.text.slice(from, this.pos);
      if (this.c() === "'") this.pos++;
    }
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
    if (c === "'") return { kind: "string", start, text: this.quoted("string"), end: this.pos };
    if (c === "(") return this.blockString(start);
    if (c === "-") return this.negative(start);
    if (isDigit(c)) return this.numberOrString(start);
    if (c === ".") this.fail("a value cannot start with '.' (the server reads a number); quote it");
    if (isNewline(c)) this.fail("expected a value");
    // At the end of the file (`key:` last), the server reads an empty string.
    return this.unquoted(start);
  }

  /** An unquoted string from `start`, read on from here; a boolean or a variable when it is one. */
  private unquoted(start: number): ConfValue {
    let text = "";
    let escaped = false;
    let from = start;
    while (!endsUnquoted(this.c()) && this.c() !== "'") {
      if (this.c() !== "\\") {
        this.pos++;
        continue;
      }
      text += this.text.slice(from, this.pos) + this.escape();
      escaped = true;
      from = this.pos;
    }
    text += this.text.slice(from, this.pos);
    // The server ends an unquoted string at a `'` and drops the quote.
    if (this.c() === "'") this.pos++;
    const end = this.pos;
    if (!escaped && BOOLS.has(text.toLowerCase())) return { kind: "scalar", start, end, raw: text };
    if (!escaped && text.startsWith("$")) return { kind: "variable", start, end, name: text.slice(1) };
    return { kind: "string", start, end, text };
  }

  /**
   * A value that starts with a digit: an integer (`4222`, `1MB`, `64KiB`), a float, a Zulu date, an IP
   * address (`0.0.0.0:4222`), or, as soon as a character fits none of them, an unquoted string (`5s`,
   * `10ms`, `1h30m`, `2m` aside: that is 2 million).
   */
  private numberOrString(start: number): ConfValue {
    this.pos++;
    while (isDigit(this.c())) this.pos++;
    const c = this.c();
    if (c === "-") {
      if (this.pos - start !== 4 || !ZULU.test(this.text.slice(this.pos + 1)))
        this.fail("a date must be in full Zulu form (2006-01-02T15:04:05Z); quote anything else");
      this.pos += 1 + 15;
      return this.scalar(start);
    }
    if (c === ".") return this.fraction(start);
    if (isSizeSuffix(c)) return this.sized(start);
    if (endsNumber(c)) return this.scalar(start);
    // The server takes the character that made it a string as it is, even a `]`, `'` or `\`.
    this.pos++;
    return this.unquoted(start);
  }

  private scalar(start: number): ConfValue {
    return { kind: "scalar", start, end: this.pos, raw: this.text.slice(start, this.pos) };
  }

  /** At a size suffix: a sized integer if the value ends after it, else an unquoted string (`10ms`). */
  private sized(start: number): ConfValue {
    this.pos++;
    while (this.c() !== "" && "bBiI".includes(this.c())) this.pos++;
    // A digit ends it too: `2m10s` is the integer 2m, then a stray `1` the server refuses.
    if (!endsNumber(this.c()) && !isDigit(this.c())) return this.unquoted(start);
    return this.scalar(start);
  }

  /** `-` then digits, a fraction or a size suffix; anything else after is left to the value's end. */
  private negative(start: number): ConfValue {
    this.pos++;
    if (!isDigit(this.c())) this.fail(`expected a digit after '-', found '${this.c()}'`);
    while (isDigit(this.c())) this.pos++;
    if (this.c() === ".") return this.fraction(start);
    if (isSizeSuffix(this.c())) return this.sized(start);
    return this.scalar(start);
  }

  /** At the `.` of a float, or of an IP address when a second `.` follows. */
  private fraction(start: number): ConfValue {
    this.pos++;
    if (!isDigit(this.c())) this.fail(`expected a digit after '.', found '${this.c()}'; quote the value`);
    while (isDigit(this.c())) this.pos++;
    if (this.c() !== ".") return this.scalar(start);
    while (isDigit(this.c()) || this.c() === "." || this.c() === ":" || this.c() === "-") this.pos++;
    return { kind: "string", start, end: this.pos, text: this.text.slice(start, this.pos) };
  }

  private array(start: number): ConfValue {
    this.pos++;
    const items: ConfValue[] = [];
    for (;;) {
      while (isSpace(this.c())) this.pos++;
      if (this.comment()) continue;
      if (this.c() === "") this.fail("unterminated array");
      // The server's lexer reads a value that starts with a single `/` as a stray `,`.
      if (this.c() === "," || this.c() === "/") this.fail(`unexpected '${this.c()}' in an array`);
      if (this.c() === "]") {
        this.pos++;
        return { kind: "array", start, end: this.pos, items };
      }
      items.push(this.value());
      if (this.valueEnd("array") === "close") return { kind: "array", start, end: this.pos, items };
    }
  }

  private mapItems(): ConfItem[] {
    const items: ConfItem[] = [];
    for (;;) {
      while (isSpace(this.c())) this.pos++;
      if (this.comment()) continue;
      if (this.c() === "") this.fail("unterminated map");
      if (this.c() === "]") this.fail("unexpected ']' in a map");
      if (this.c() === "}") {
        this.pos++;
        return items;
      }
      items.push(this.item("map")!);
      if (this.valueEnd("map") === "close") return items;
    }
  }

  /** At a `\` in a double-quoted or unquoted string: the character it stands for. */
  private escape(): string {
    const e = this.c(1);
    this.pos += 2;
    if (e === "x") {
      const hex = this.text.slice(this.pos, this.pos + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(hex))
        this.fail(`expected two hexadecimal digits after '\\x', found '${hex}'`);
      this.pos += 2;
      return String.fromCharCode(Number.parseInt(hex, 16));
    }
    const out = ESCAPES[e];
    if (out === undefined)
      this.fail(
        `invalid escape '\\${e}' (the server takes \\xXX, \\t, \\n, \\r, \\", \\\\); quote the value in '...'`,
      );
    return out;
  }

  private doubleQuoted(): string {
    let out = "";
    this.pos++;
    // Where the server's lexer last took text from: the end of the file right there ends the file quietly.
    let mark = this.pos;
    for (;;) {
      const c = this.c();
      if (c === "" && this.pos === mark) throw END_OF_INPUT;
      if (c === "") this.fail("unterminated string");
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === "\\") {
        out += this.escape();
        mark = this.pos;
      } else {
        out += c;
        this.pos++;
      }
    }
  }

  /** `(` then text until a `)` alone on its line; the text keeps the new line before the `)`. */
  private blockString(start: number): ConfValue {
    // Only "\n" counts around the `)`: the server finds no end to a block in a file with "\r\n" lines.
    const close = /\n\)(?=\n|$)/g;
    close.lastIndex = this.pos;
    const m = close.exec(this.text);
    if (!m) this.fail("unterminated ( block: end it with a ')' alone on a line");
    this.pos = m.index + 2;
    return { kind: "string", start, end: this.pos, text: this.text.slice(start + 1, m.index + 1) };
  }
}
