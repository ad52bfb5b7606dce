import autocannon from "autocannon";

export interface BenchResult {
  name: string;
  rps: number;
  p50: number;
  /** autocannon reports p90 and p97.5, not p95: this is p97.5, an upper bound of p95. */
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface BenchTarget {
  name: string;
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
}

/** One autocannon run; latencies in ms. */
export async function measure(target: BenchTarget, seconds: number): Promise<BenchResult> {
  const r = await autocannon({
    url: target.url,
    method: target.method ?? "GET",
    headers: target.headers,
    body: target.body,
    connections: target.connections ?? 32,
    duration: seconds,
  });
  return {
    name: target.name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p95: (r.latency as unknown as Record<string, number>).p97_5,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

/** Samples resident memory while a benchmark runs. */
export function memorySampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
