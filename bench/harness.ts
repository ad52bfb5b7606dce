import fs from "node:fs";
import autocannon from "autocannon";

export interface BenchResult {
  name: string;
  rps: number;
  p50: number;
  /** Computed from every response time recorded in the run (autocannon itself reports p90 and p97.5). */
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Mean response body size (bytes, as sent on the wire). */
  bytes: number;
  /** Slowest response to a request sent during the warm-up (not counted above): the new connections' cost. */
  coldMax: number;
  /** Every response of the run, warm-up included (bench/cpu.ts divides the server's CPU by it). */
  answered: number;
}

/**
 * Seconds of load before the measured window (BENCH_WARMUP, default 1). The 32 connections are opened
 * together at the start; Node 20's libuv (>= 1.45) accepts ONE new connection per event-loop turn, and
 * a turn of a loaded server serves every open connection once, so on a case page the 32nd connection
 * was accepted ~1 s after the first (measured: docs/BENCHMARKS.md, session 8). Requests sent during the
 * warm-up are not counted: the figures are the steady state of 32 open connections (what a reverse
 * proxy's keep-alive pool gives). Their slowest response is reported apart as `coldMax`.
 */
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 1);

export interface BenchTarget {
  name: string;
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  /** Status codes that count as success besides 2xx (e.g. 303 after a form POST). */
  okStatus?: number[];
}

const percentile = (sorted: Float64Array, p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0);
const round = (n: number) => Math.round(n * 100) / 100;

/**
 * One autocannon run of `warmup + seconds`; latencies in ms, percentiles exact over every response to a
 * request sent after the warm-up; requests/s are those responses per measured second. Errors and
 * non-2xx answers count over the whole run, warm-up included.
 */
export function measure(target: BenchTarget, seconds: number, warmup = WARMUP_SECONDS): Promise<BenchResult> {
  const times: number[] = [];
  let coldMax = 0;
  let bad = 0;
  let t0 = 0;
  const ok = new Set(target.okStatus ?? []);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: target.method ?? "GET",
        headers: target.headers,
        body: target.body,
        connections: target.connections ?? 32,
        duration: seconds + warmup,
      },
      (err, r) => {
        if (err) return reject(err);
        const sorted = Float64Array.from(times).sort();
        resolve({
          name: target.name,
          rps: Math.round(warmup > 0 ? times.length / seconds : r.requests.average),
          p50: round(percentile(sorted, 50)),
          p95: round(percentile(sorted, 95)),
          p99: round(percentile(sorted, 99)),
          errors: r.errors + r.timeouts,
          non2xx: bad,
          bytes: Math.round(r.throughput.total / Math.max(1, r.requests.total)),
          coldMax: round(coldMax),
          answered: r.requests.total,
        });
      },
    );
    t0 = performance.now();
    instance.on("response", (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      // Sent (now - its response time) during the warm-up: not counted.
      if (performance.now() - responseTime - t0 < warmup * 1000) coldMax = Math.max(coldMax, responseTime);
      else times.push(responseTime);
      if ((status < 200 || status >= 300) && !ok.has(status)) bad++;
    });
  });
}

/** Peak resident memory of another process (Linux VmHWM), in MB. */
export function peakRssMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** Current resident memory of another process (Linux VmRSS), in MB. */
export function rssMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) another process has used so far (Linux /proc; USER_HZ = 100). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds of every PostgreSQL process on this machine: each live one's own, plus what the postmaster
 * was given of its children that have ended (cutime, cstime). Only meaningful with one cluster running and
 * nothing else using it (bench:ab on PostgreSQL).
 */
export function postgresCpuSeconds(): number {
  let ticks = 0;
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // ended while listed
    }
    if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) !== "postgres") continue;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks / 100;
}
