/** NATS subject matching: does `filter` (which may hold * and >) match the literal or pattern `subject`? */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split(".");
  const s = subject.split(".");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === ">") return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== "*" && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/** The subjects a publisher sends to, for matching: its first spread subject stands for all. */
export function publisherSubject(subject: string, spread: number, index: number): string {
  return spread > 1 ? `${subject}.${index % spread}` : subject;
}
