/** A small seeded PRNG (mulberry32): the same seed gives the same data set, on any machine. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, maxInclusive: number): number {
    return min + Math.floor(this.next() * (maxInclusive - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A UUID-shaped id (version 4 layout) drawn from the stream, so ids are deterministic too. */
  id(): string {
    const hex = (n: number) => Math.floor(this.next() * 2 ** 32).toString(16).padStart(8, "0").slice(0, n);
    const a = hex(8);
    const b = hex(8);
    const c = hex(8);
    const d = hex(8);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${"89ab"[Number.parseInt(c[0], 16) & 3]}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
  }

  /** A child stream: each part of the data set draws from its own stream, so adding rows to one part does not shift another. */
  fork(label: string): Rng {
    let h = this.state ^ 0x811c9dc5;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
    return new Rng(h >>> 0);
  }
}

const DAY = 86_400_000;
export const dayNumber = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY);
export const dateOfDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
/** An ISO timestamp on that day, at a time drawn from the stream (office hours mostly). */
export const instantOn = (rng: Rng, date: string) => new Date(Date.parse(`${date}T07:00:00Z`) + Math.floor(rng.next() * 11 * 3600_000)).toISOString();
