// The machine's ceiling, in its own process like the Schakel server: a bare Fastify "hello" route and a
// bare better-sqlite3 single-row read route. Prints {"hello": url, "sqlite": url} on stdout when ready.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import Fastify from "fastify";

const hello = Fastify();
hello.get("/", async () => ({ hello: "world" }));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ceiling-"));
const db = new SQLite(path.join(dir, "ceiling.db"));
db.pragma("journal_mode = WAL");
db.exec("create table t (id integer primary key, v text); insert into t (v) values ('x');");
const read = db.prepare("select v from t where id = 1");
const sqliteApp = Fastify();
sqliteApp.get("/", async () => read.get());
await hello.listen({ port: 0, host: "127.0.0.1" });
await sqliteApp.listen({ port: 0, host: "127.0.0.1" });
const url = (a: ReturnType<typeof hello.server.address>) => `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
console.log(JSON.stringify({ hello: url(hello.server.address()), sqlite: url(sqliteApp.server.address()) }));
process.on("SIGTERM", () => process.exit(0));
