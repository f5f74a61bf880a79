/** "1 run", "3 runs": a count with its noun, as a person writes it. */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
