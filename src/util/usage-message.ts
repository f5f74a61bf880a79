/**
 * yargs' parse failures, said once and pointing at the right help. yargs expands every flag it does not
 * know into its camelCase twin as well, so `--foo-bar` came back as "Unknown arguments: foo-bar, fooBar".
 */

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** "Unknown arguments: foo-bar, fooBar" -> "Unknown argument: foo-bar"; any other message unchanged. */
export function withoutCamelTwins(message: string): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m) return message;
  const names = m[1]!.split(", ");
  const twins = new Set(names.filter((n) => n.includes("-")).map(camel));
  const kept = names.filter((n) => !twins.has(n) || n.includes("-"));
  return `Unknown argument${kept.length > 1 ? "s" : ""}: ${kept.join(", ")}`;
}

/** The help that explains the failed command line: `benchline run --help` for a run, else the top. */
export function helpFor(argv: string[], commands: Iterable<string>): string {
  const first = argv.find((a) => !a.startsWith("-"));
  return first !== undefined && new Set(commands).has(first)
    ? `benchline ${first} --help`
    : "benchline --help";
}
