/**
 * The LIVC the tests make through the registry (createLivc: audited, revision bumped): a code and a
 * name, founded 2019-01-01, no officers, unless the test gives other fields. Used by the registry,
 * awareness and partners tests (partners/testkit.ts makeLivc) and the intake and cases browser journeys.
 */
import { addMembership, createLivc, type LivcInput } from "../../src/modules/registry/service";
import type { AuditWho } from "../../src/platform/audit";
import type { Database } from "../../src/platform/db";

/** An LIVC form's fields: the given code and name, founded 2019-01-01, no chair, coordinator or information officer. */
export function livcInput(code: string, name: string, fields: Partial<LivcInput> = {}): LivcInput {
  return {
    code,
    name,
    founded_on: "2019-01-01",
    chair_user_id: null,
    chair_name: null,
    coordinator_user_id: null,
    coordinator_name: null,
    info_officer_user_id: null,
    info_officer_name: null,
    ...fields,
  };
}

/** Creates the LIVC and makes the municipalities (NIS codes) its members from joinedOn (default: its founding date), open-ended. */
export async function makeTestLivc(
  database: Database,
  who: AuditWho,
  input: LivcInput,
  nis: readonly string[] = [],
  joinedOn = input.founded_on ?? "2019-01-01",
): Promise<string> {
  const id = await createLivc(database, who, input);
  for (const n of nis) await addMembership(database, who, id, { nis: n, joined_on: joinedOn, left_on: null });
  return id;
}
