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
}

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

/** One autocannon run; latencies in ms, percentiles exact over every response of the run. */
export function measure(target: BenchTarget, seconds: number): Promise<BenchResult> {
  const times: number[] = [];
  let bad = 0;
  const ok = new Set(target.okStatus ?? []);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: target.method ?? "GET",
        headers: target.headers,
        body: target.body,
        connections: target.connections ?? 32,
        duration: seconds,
      },
      (err, r) => {
        if (err) return reject(err);
        const sorted = Float64Array.from(times).sort();
        resolve({
          name: target.name,
          rps: Math.round(r.requests.average),
          p50: round(percentile(sorted, 50)),
          p95: round(percentile(sorted, 95)),
          p99: round(percentile(sorted, 99)),
          errors: r.errors + r.timeouts,
          non2xx: bad,
          bytes: Math.round(r.throughput.total / Math.max(1, r.requests.total)),
        });
      },
    );
    instance.on("response", (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      times.push(responseTime);
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
