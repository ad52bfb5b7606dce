// Loaded into the server by `npm run bench:alloc` (node --require): V8's sampling heap profiler, which by
// default keeps only the samples of objects still alive when it stops, here keeps the ones the young and the
// old generation collected too, so the profile is what was ALLOCATED (short-lived request garbage included).
// SIGUSR2 starts sampling; the second SIGUSR2 stops it and writes the profile to BENCH_ALLOC_OUT.
const fs = require("node:fs");
const inspector = require("node:inspector");

const session = new inspector.Session();
session.connect();
let sampling = false;
process.on("SIGUSR2", () => {
  if (!sampling) {
    sampling = true;
    session.post("HeapProfiler.startSampling", { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    return;
  }
  session.post("HeapProfiler.stopSampling", (error, result) => {
    fs.writeFileSync(process.env.BENCH_ALLOC_OUT, error ? JSON.stringify({ error: String(error) }) : JSON.stringify(result.profile));
  });
});
