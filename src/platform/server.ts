import type { FastifyInstance } from "fastify";
import type { AppContext } from "./context";
import { openKeyringAtStart, reloadKeyringEvery } from "./crypto/keyring";
import { startBackgroundCheckpoints } from "./db/checkpoint";
import { buildApp } from "./web/app";

export class StartupError extends Error {}

/** Listens, and shuts down gracefully on SIGTERM/SIGINT: in-flight requests finish, then the database closes. */
export async function startServer(ctx: AppContext & { close(): Promise<void> }, opts: { demoMode: boolean; started?: () => void }): Promise<FastifyInstance> {
  const started = performance.now();
  // Decision 0066: a wrong or unreadable master key stops the start here, before anything listens.
  try {
    await openKeyringAtStart(ctx);
  } catch (e) {
    await ctx.close();
    throw e;
  }
  const app = await buildApp(ctx, { demoMode: opts.demoMode });
  try {
    await app.listen({ port: ctx.config.PORT, host: ctx.config.HOST });
  } catch (e) {
    const code = (e as { code?: string }).code;
    await app.close().catch(() => {});
    await ctx.close();
    if (code === "EADDRINUSE") throw new StartupError(`Port ${ctx.config.PORT} is already in use (PORT): stop the other program or choose another port.`);
    if (code === "EACCES") throw new StartupError(`Not allowed to listen on port ${ctx.config.PORT} (PORT): choose a port above 1023.`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new StartupError(`Cannot listen on address ${ctx.config.HOST} (HOST): it is not an address of this machine.`);
    throw e;
  }
  // SQLite: WAL checkpoints in a worker thread, off the event loop (db/checkpoint.ts).
  const checkpoints = startBackgroundCheckpoints(ctx.database);
  // A data key started by another process becomes this server's key for new writes (decision 0072).
  const stopKeyReload = reloadKeyringEvery(ctx);
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : ctx.config.PORT;
  console.log(`Schakel listens on http://${ctx.config.HOST === "0.0.0.0" ? "localhost" : ctx.config.HOST}:${port} (${ctx.database.dialect}, ready in ${Math.round(performance.now() - started)} ms)`);
  // bin/schakel.js: the bundle's code cache is written now, when it first has none (decision 0073).
  opts.started?.();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: finishing open requests and closing the database.`);
    await app.close();
    stopKeyReload();
    await checkpoints?.stop();
    await ctx.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  return app;
}
