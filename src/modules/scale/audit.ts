import type { Database } from "../../platform/db";
import { entryHash, GENESIS_HASH } from "../../platform/audit/chain";
import { dayNumber, type Rng } from "./random";
import type { Structure } from "./structure";
import type { BulkWriter } from "./writer";
import { extend } from "../../platform/objects";

/**
 * Audit history: logins, case and report reads (with the personal-data read entries the real path
 * writes), changes and exports, spread over the period in time order. The entries continue the
 * existing chain (same hash function as src/platform/audit), so `schakel audit verify` checks them.
 */
export async function seedAudit(database: Database, w: BulkWriter, rng: Rng, s: Structure, ids: { caseIds: string[]; caseLivc: number[] }, opts: { entries: number; start: string; until: string }) {
  const last = await database.db.selectFrom("audit_entry").select(["seq", "hash"]).orderBy("seq", "desc").limit(1).executeTakeFirst();
  let seq = last ? Number(last.seq) : 0;
  let prev = last?.hash ?? GENESIS_HASH;
  const from = dayNumber(opts.start) * 86_400_000;
  const span = (dayNumber(opts.until) - dayNumber(opts.start)) * 86_400_000;
  const BATCH = 20_000;
  const addresses = Array.from({ length: 64 }, (_, i) => `10.${(i >> 4) & 255}.${i & 15}.${(i * 7) % 250}`);
  for (let done = 0; done < opts.entries; ) {
    const rows: Record<string, unknown>[] = [];
    const n = Math.min(BATCH, opts.entries - done);
    for (let j = 0; j < n; j++, done++) {
      const at = new Date(from + Math.floor((done / opts.entries) * span)).toISOString();
      const r = rng.next();
      const c = Math.floor(rng.next() * ids.caseIds.length);
      const k = ids.caseLivc[c] ?? 0;
      const leads = s.leadsOf[k];
      const actor = leads[Math.floor(rng.next() * leads.length)];
      let e: { actor_id: string | null; actor_role: string | null; livc_id: string | null; action: string; resource_type: string; resource_id: string | null; outcome: string };
      if (r < 0.45) e = { actor_id: actor, actor_role: "chair", livc_id: s.livcs[k].id, action: "personal_data.read", resource_type: "case_file", resource_id: ids.caseIds[c], outcome: "allowed" };
      else if (r < 0.7) e = { actor_id: actor, actor_role: "chair", livc_id: s.livcs[k].id, action: "case.view", resource_type: "case", resource_id: ids.caseIds[c], outcome: "success" };
      else if (r < 0.85) e = { actor_id: s.users[Math.floor(rng.next() * s.users.length)].id, actor_role: null, livc_id: null, action: "login.success", resource_type: "session", resource_id: null, outcome: "success" };
      else if (r < 0.95) e = { actor_id: actor, actor_role: "coordinator", livc_id: s.livcs[k].id, action: "personal_data.read", resource_type: "report", resource_id: ids.caseIds[c], outcome: "allowed" };
      else if (r < 0.99) e = { actor_id: actor, actor_role: "member", livc_id: s.livcs[k].id, action: "personal_data.write", resource_type: "case_action", resource_id: ids.caseIds[c], outcome: "success" };
      else e = { actor_id: s.users[Math.floor(rng.next() * s.users.length)].id, actor_role: "member", livc_id: s.livcs[k].id, action: "authz.route", resource_type: "route", resource_id: "/cases", outcome: "denied" };
      seq++;
      const entry = { seq, at, ...e, outcome: e.outcome as "allowed", client_address: addresses[seq & 63], correlation_id: `req-${seq.toString(36)}`, prev_hash: prev };
      prev = entryHash(entry);
      rows.push(extend(entry, { hash: prev }));
    }
    await w.write([["audit_entry", rows]]);
  }
  return seq;
}
