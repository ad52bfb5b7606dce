import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import { describeEachDialect, queriesOf } from "../../../test/support/db";
import type { Actor } from "../../platform/policy/actor";
import { caseGrants, visibleCases } from "./policy";
import {
  actionsOfCase,
  addActions,
  setActionStatus,
  CaseError,
  getCase,
  listCases,
  readScope,
  visibleCase,
  openCaseFromScreening,
  overdueFor,
  purgeLog,
  runPurge,
  setLegalHold,
  timeline,
  transitionCase,
  dueReviewsFor,
} from "./service";
import * as store from "./store";
import { makeActor, makeLivc, makeOrganisation } from "./testing";
import { expectSealed } from "../../../test/support/sealed";

const who = (actor: Actor) => ({ actor });

describeEachDialect("cases", (ctx, dialect) => {
  let livc: string;
  let otherLivc: string;
  let chair: Actor;
  let coordinator: Actor;
  let officer: Actor;
  let partner: Actor;
  let admin: Actor;
  let analyst: Actor;
  let dpo: Actor;
  let otherChair: Actor;
  let clb: string;

  beforeAll(async () => {
    livc = await makeLivc(ctx(), "GENT");
    otherLivc = await makeLivc(ctx(), "LEUVEN");
    clb = await makeOrganisation(ctx(), "CLB Gent", "clb");
    chair = await makeActor(ctx(), [{ livcId: livc, role: "chair" }]);
    coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    // The information officer works at the CLB: the CLB is one of the LIVC's core services and may own actions (decision 0061).
    officer = await makeActor(ctx(), [{ livcId: livc, role: "information_officer", organisationId: clb }]);
    partner = await makeActor(ctx(), [{ livcId: livc, role: "partner_member", organisationId: clb }]);
    admin = await makeActor(ctx(), [], { isAdmin: true });
    analyst = await makeActor(ctx(), [], { isRegionalAnalyst: true });
    dpo = await makeActor(ctx(), [], { isDpo: true });
    otherChair = await makeActor(ctx(), [{ livcId: otherLivc, role: "chair" }]);
  });

  const open = (opts: { minor?: boolean; name?: string; openedOn?: string } = {}) =>
    openCaseFromScreening(ctx(), who(coordinator), {
      livcId: livc,
      reportId: null,
      minor: opts.minor ?? false,
      identity: { fullName: opts.name ?? "Jan Fictief", dateOfBirth: "2001-02-03" },
      screeningDecision: "take_up",
      openedOn: opts.openedOn ?? "2026-03-01",
    });

  it("opens a case with a pseudonymous label per LIVC and year, identity encrypted", async () => {
    const a = await open();
    const b = await open();
    expect(a.label).toMatch(/^LIVC-GENT-2026-\d{3}$/);
    expect(Number(b.label.slice(-3))).toBe(Number(a.label.slice(-3)) + 1);
    const row = await store.caseById(ctx().database.db, a.id);
    expectSealed(row?.identity_enc, "Jan Fictief");
    expect(row?.status).toBe("active");
    const view = await getCase(ctx(), who(officer), a.id);
    expect(view.identity).toEqual({ fullName: "Jan Fictief", dateOfBirth: "2001-02-03" });
    expect((await timeline(ctx(), who(chair), a.id)).map((e) => e.kind)).toEqual(["opened"]);
  });

  describe("need to know", () => {
    it("the LIVC's chair, coordinator and information officer see the case", async () => {
      const c = await open();
      for (const a of [chair, coordinator, officer]) {
        expect((await getCase(ctx(), who(a), c.id)).label).toBe(c.label);
        expect((await listCases(ctx(), who(a))).map((x) => x.id)).toContain(c.id);
      }
    });

    it("nobody else reaches it: not by id, list, label search or person search", async () => {
      const c = await open({ name: "Piet Verborgen" });
      for (const a of [partner, admin, analyst, dpo, otherChair]) {
        await expect(getCase(ctx(), who(a), c.id)).rejects.toMatchObject({ code: "not_found" });
        await expect(timeline(ctx(), who(a), c.id)).rejects.toBeInstanceOf(CaseError);
        expect((await listCases(ctx(), who(a))).map((x) => x.id)).not.toContain(c.id);
        expect(await listCases(ctx(), who(a), { q: c.label })).toEqual([]);
        expect(await listCases(ctx(), who(a), { fullName: "Piet Verborgen", dateOfBirth: "2001-02-03" })).toEqual([]);
      }
      // The coordinator finds the person through the blind index.
      expect((await listCases(ctx(), who(coordinator), { fullName: "piet  VERBORGEN", dateOfBirth: "2001-02-03" })).map((x) => x.id)).toEqual([c.id]);
    });

    it("gives no case when its read cannot be audited (either entry), and the identity then stays unread", async () => {
      const c = await open({ name: "Nooit Getoond" });
      const db = ctx().database.db;
      for (const action of ["case.read", "personal_data.read"]) {
        if (dialect === "sqlite") {
          await sql.raw(`create trigger refuse_read before insert on audit_entry for each row when new.action = '${action}' begin select raise(abort, 'audit refused'); end`).execute(db);
        } else {
          await sql.raw("create or replace function refuse_read() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$").execute(db);
          await sql.raw(`create trigger refuse_read before insert on audit_entry for each row when (new.action = '${action}') execute function refuse_read()`).execute(db);
        }
        try {
          await expect(getCase(ctx(), who(chair), c.id)).rejects.toThrow(/audit refused/);
        } finally {
          await sql.raw(dialect === "sqlite" ? "drop trigger refuse_read" : "drop trigger refuse_read on audit_entry").execute(db);
        }
      }
      // With the audit back, it shows.
      expect((await getCase(ctx(), who(chair), c.id)).identity?.fullName).toBe("Nooit Getoond");
    });

    it("writes a case read's two entries (the case, the record decrypted) in one group commit", async () => {
      const c = await open();
      const db = ctx().database.db;
      await getCase(ctx(), who(chair), c.id);
      const before = await db.selectFrom("audit_entry").select(({ fn }) => fn.max("seq").as("seq")).executeTakeFirstOrThrow();
      // A group commit reads the chain head, or on PostgreSQL on a known head is one statement (decision 0080).
      const writes = (await queriesOf(db, () => getCase(ctx(), who(chair), c.id))).filter((q) => q.sql === "select seq, hash from audit_entry order by seq desc limit 1" || q.sql.startsWith("with locked as"));
      expect(writes).toHaveLength(1);
      const entries = await db.selectFrom("audit_entry").select(["action", "resource_type"]).where("seq", ">", Number(before.seq)).orderBy("seq").execute();
      expect(entries).toEqual([
        { action: "case.read", resource_type: "case" },
        { action: "personal_data.read", resource_type: "case_file" },
      ]);
    });

    it("a read scope reads and checks the case once for a page and is not shared", async () => {
      const c = await open();
      const scoped = readScope(who(chair));
      const first = await visibleCase(ctx(), scoped, c.id);
      // The same row object: the second service of the page did not read the case again.
      expect(await visibleCase(ctx(), scoped, c.id)).toBe(first);
      // Without a scope every call reads the case (a change in between is seen).
      expect(await visibleCase(ctx(), who(chair), c.id)).not.toBe(await visibleCase(ctx(), who(chair), c.id));
      // A new scope (the next request) reads the current row, not the one of the last page.
      await transitionCase(ctx(), who(chair), c.id, "start_follow_up");
      expect((await visibleCase(ctx(), readScope(who(chair)), c.id)).status).not.toBe(first.status);
      // Need to know is checked for the scope's own actor, once per case in a scope (decision 0087: a page's parts
      // read at once record one denial), and again in the next scope.
      const outsider = readScope(who(otherChair));
      await expect(visibleCase(ctx(), outsider, c.id)).rejects.toMatchObject({ code: "not_found" });
      await expect(visibleCase(ctx(), outsider, c.id)).rejects.toMatchObject({ code: "not_found" });
      const denials = async () => (await ctx().database.db.selectFrom("audit_entry").select("outcome").where("resource_id", "=", c.id).where("actor_id", "=", otherChair.userId).execute()).map((d) => d.outcome);
      expect(await denials()).toEqual(["denied"]);
      await expect(visibleCase(ctx(), readScope(who(otherChair)), c.id)).rejects.toMatchObject({ code: "not_found" });
      expect(await denials()).toEqual(["denied", "denied"]);
      // The chair's scope does not answer for the outsider's, nor the other way round.
      expect(await visibleCase(ctx(), scoped, c.id)).toBe(first);
    });

    it("a partner member sees exactly the cases granted to them; the filter and the detail check agree", async () => {
      const granted = await open();
      const notGranted = await open();
      await store.insertGrant(ctx().database.db, { case_id: granted.id, user_id: partner.userId, consultation_id: "m1" });
      expect((await getCase(ctx(), who(partner), granted.id)).label).toBe(granted.label);
      await expect(getCase(ctx(), who(partner), notGranted.id)).rejects.toMatchObject({ code: "not_found" });
      const listed = (await listCases(ctx(), who(partner))).map((x) => x.id);
      expect(listed).toContain(granted.id);
      expect(listed).not.toContain(notGranted.id);
      // A grant without the partner role in that LIVC gives nothing (membership ended).
      const former = await makeActor(ctx(), [{ livcId: otherLivc, role: "partner_member", organisationId: clb }]);
      await store.insertGrant(ctx().database.db, { case_id: granted.id, user_id: former.userId, consultation_id: "m1" });
      await expect(getCase(ctx(), who(former), granted.id)).rejects.toMatchObject({ code: "not_found" });
      const g = await caseGrants(ctx().database.db, former);
      const rows = await store.listCases(ctx().database.db, { visible: visibleCases(g) });
      expect(rows).toEqual([]);
    });
  });

  describe("status changes", () => {
    it("closing needs a reason from the list and is the chair's; it schedules the post-closure reviews", async () => {
      const c = await open();
      await expect(transitionCase(ctx(), who(coordinator), c.id, "close", { reason: "concern_addressed" })).rejects.toMatchObject({ code: "not_allowed" });
      await expect(transitionCase(ctx(), who(chair), c.id, "close", { reason: "" })).rejects.toMatchObject({ code: "reason_required" });
      await expect(transitionCase(ctx(), who(chair), c.id, "close", { reason: "because" })).rejects.toMatchObject({ code: "reason_required" });
      expect(await transitionCase(ctx(), who(chair), c.id, "close", { reason: "concern_addressed", today: "2026-04-30" })).toBe("closed");
      const reviews = await store.reviewsOf(ctx().database.db, c.id);
      expect(reviews.map((r) => [r.months, r.due_on])).toEqual([
        [6, "2026-10-30"],
        [12, "2027-04-30"],
      ]);
      const view = await getCase(ctx(), who(chair), c.id);
      expect(view.closureReason).toBe("concern_addressed");
      expect(view.retentionUntil! > "2032-04-29").toBe(true);
      const due = await dueReviewsFor(ctx(), who(coordinator), "2026-10-30");
      expect(due.filter((d) => d.caseId === c.id).map((d) => d.months)).toEqual([6]);
      expect(await dueReviewsFor(ctx(), who(partner), "2026-10-30")).toEqual([]);
      await transitionCase(ctx(), who(coordinator), c.id, "start_review");
      await transitionCase(ctx(), who(coordinator), c.id, "finish_review", { today: "2026-10-30" });
      expect((await dueReviewsFor(ctx(), who(coordinator), "2026-10-30")).filter((d) => d.caseId === c.id)).toEqual([]);
      expect((await timeline(ctx(), who(chair), c.id)).filter((e) => e.kind === "transition").map((e) => e.toStatus)).toEqual(["closed", "post_closure_review", "closed"]);
    });

    it("a refused step changes nothing", async () => {
      const c = await open();
      await expect(transitionCase(ctx(), who(chair), c.id, "finish_review")).rejects.toMatchObject({ code: "wrong_status" });
      await expect(transitionCase(ctx(), who(partner), c.id, "start_follow_up")).rejects.toMatchObject({ code: "not_found" });
      expect((await store.caseById(ctx().database.db, c.id))?.status).toBe("active");
    });
  });

  describe("follow-up plan", () => {
    it("lists overdue actions for the coordinator and for the owning organisation", async () => {
      const c = await open();
      await addActions(ctx(), who(coordinator), c.id, [
        { description: "Gesprek met de leerling", ownerOrganisationId: clb, dueOn: "2026-05-01" },
        { description: null, ownerOrganisationId: clb, dueOn: "2099-01-01" },
      ]);
      const lead = await overdueFor(ctx(), who(coordinator), "2026-06-01");
      expect(lead.asLead.filter((x) => x.caseId === c.id).map((x) => x.dueOn)).toEqual(["2026-05-01"]);
      // The CLB member owns the action but only sees it once the case is granted to them.
      expect((await overdueFor(ctx(), who(partner), "2026-06-01")).asOwner.filter((x) => x.caseId === c.id)).toEqual([]);
      await store.insertGrant(ctx().database.db, { case_id: c.id, user_id: partner.userId, consultation_id: "m2" });
      expect((await overdueFor(ctx(), who(partner), "2026-06-01")).asOwner.filter((x) => x.caseId === c.id).length).toBe(1);
      await expect(addActions(ctx(), who(partner), c.id, [{ description: "x", ownerOrganisationId: clb, dueOn: "2026-05-01" }])).rejects.toMatchObject({ code: "not_allowed" });
      // The owning organisation's member may mark its action done; a granted member of another organisation may not.
      const [mine] = (await actionsOfCase(ctx(), who(partner), c.id)).filter((a) => a.dueOn === "2026-05-01");
      expect(mine.mayUpdate).toBe(true);
      const caw = await makeOrganisation(ctx(), "CAW", "caw");
      const other = await makeActor(ctx(), [{ livcId: livc, role: "partner_member", organisationId: caw }]);
      await store.insertGrant(ctx().database.db, { case_id: c.id, user_id: other.userId, consultation_id: "m2" });
      expect((await actionsOfCase(ctx(), who(other), c.id)).every((a) => !a.mayUpdate)).toBe(true);
      await expect(setActionStatus(ctx(), who(other), mine.id, "done")).rejects.toMatchObject({ code: "not_allowed" });
      await setActionStatus(ctx(), who(partner), mine.id, "done");
      expect((await overdueFor(ctx(), who(coordinator), "2026-06-01")).asLead.filter((x) => x.caseId === c.id)).toEqual([]);
    });
  });

  describe("retention", () => {
    it("purges identity and free text after the term, keeps the anonymous shell, and logs what was removed", async () => {
      const adult = await open();
      const minor = await open({ minor: true });
      await addActions(ctx(), who(coordinator), adult.id, [{ description: "Huisbezoek", ownerOrganisationId: clb, dueOn: "2026-05-01" }]);
      await transitionCase(ctx(), who(chair), adult.id, "close", { reason: "moved_away", note: "Verhuisd naar het buitenland", today: "2026-05-01" });
      await transitionCase(ctx(), who(chair), minor.id, "close", { reason: "concern_addressed", today: "2026-05-01" });
      const adultUntil = (await store.caseById(ctx().database.db, adult.id))!.retention_until!;
      const minorUntil = (await store.caseById(ctx().database.db, minor.id))!.retention_until!;
      expect(minorUntil < adultUntil).toBe(true);

      const dry = await runPurge(ctx(), { dryRun: true, today: minorUntil });
      expect(dry.purged.map((p) => p.caseId)).toContain(minor.id);
      expect(dry.purged.map((p) => p.caseId)).not.toContain(adult.id);
      expect((await store.caseById(ctx().database.db, minor.id))?.status).toBe("closed");

      const run = await runPurge(ctx(), { today: adultUntil });
      const mine = run.purged.find((p) => p.caseId === adult.id)!;
      expect(mine.removed).toMatchObject({ identity: 1, subject_index: 1, closure_note: 1, action_descriptions: 1 });
      const row = await store.caseById(ctx().database.db, adult.id);
      expect(row).toMatchObject({ status: "purged", identity_enc: null, subject_index: null, closure_note_enc: null, closure_reason: "moved_away" });
      expect((await store.actionsOf(ctx().database.db, adult.id)).every((a) => a.description_enc === null)).toBe(true);
      const log = (await purgeLog(ctx())).find((l) => l.case_id === adult.id)!;
      expect(log.label).toBe(adult.label);
      expect(JSON.stringify(log)).not.toContain("Verhuisd");
      expect((await getCase(ctx(), who(chair), adult.id)).identity).toBeNull();
      expect((await runPurge(ctx(), { today: adultUntil })).purged.map((p) => p.caseId)).not.toContain(adult.id);
    });

    it("a legal hold blocks the purge until lifted, and needs a reason", async () => {
      const c = await open();
      await transitionCase(ctx(), who(chair), c.id, "close", { reason: "other", today: "2026-05-01" });
      const until = (await store.caseById(ctx().database.db, c.id))!.retention_until!;
      await expect(setLegalHold(ctx(), who(coordinator), c.id, "Gerechtelijk onderzoek")).rejects.toMatchObject({ code: "not_allowed" });
      await expect(setLegalHold(ctx(), who(chair), c.id, "")).rejects.toMatchObject({ code: "reason_required" });
      await setLegalHold(ctx(), who(chair), c.id, "Gerechtelijk onderzoek loopt");
      expect((await getCase(ctx(), who(chair), c.id)).legalHoldReason).toBe("Gerechtelijk onderzoek loopt");
      const held = await runPurge(ctx(), { today: until });
      expect(held.held.map((h) => h.caseId)).toContain(c.id);
      expect(held.purged.map((p) => p.caseId)).not.toContain(c.id);
      expect((await store.caseById(ctx().database.db, c.id))?.status).toBe("closed");
      await setLegalHold(ctx(), who(chair), c.id, null);
      expect((await runPurge(ctx(), { today: until })).purged.map((p) => p.caseId)).toContain(c.id);
    });
  });
});
