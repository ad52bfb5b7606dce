import type { TestProject } from "vitest/node";
import { postgresAvailable, startCluster } from "../support/postgres-cluster";

/** Starts one PostgreSQL cluster for the whole run; each test file makes its own database in it. */
export default async function setup(project: TestProject) {
  if (process.env.SCHAKEL_SKIP_POSTGRES || !postgresAvailable()) {
    if (process.env.SCHAKEL_TEST_STRICT === "1") throw new Error("PostgreSQL 15 is not installed and SCHAKEL_TEST_STRICT=1: refusing to skip the PostgreSQL suite.");
    project.provide("pgAdminUrl", "");
    return;
  }
  const cluster = await startCluster();
  project.provide("pgAdminUrl", cluster.url);
  return () => cluster.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}
