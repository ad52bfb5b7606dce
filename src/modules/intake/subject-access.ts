import { registerSubjectRecords } from "../cases/service";
import { openReasons, openReportContent, openSupplements } from "./personal";
import * as store from "./store";

/**
 * Subject access (GDPR art. 15, cases/subject-access.ts): the reports (aanmeldingen) about the person,
 * found by the same blind index over name + date of birth, whatever their screening outcome: a report
 * not taken up as a case (referred, no further action, to the police, still in screening, a draft) is
 * held data too. Each document and screening reason is read through intake's personal-data door
 * (personal.ts), so every read is audited; the DPO's check is done before this runs.
 * The reporter's contact details and organisation are left out: they are another person's data
 * (art. 15(4): the right of access must not adversely affect the rights and freedoms of others).
 * Purged reports have no index left, so they are not found (their purge log says what went).
 */
registerSubjectRecords({
  name: "reports",
  export: async (ctx, who, subjectIndex) => {
    const db = ctx.database.db;
    const allowed = who.actor?.isDpo === true;
    const reports = await db.selectFrom("report").selectAll().where("subject_index", "=", subjectIndex).orderBy("created_at").execute();
    const rows: Record<string, string | null>[] = [];
    for (const r of reports) {
      const content = await openReportContent(ctx, who, { id: r.id, livcId: r.livc_id, allowed, contentEnc: r.content_enc });
      const events = await store.eventsOf(db, r.id);
      const reasons = await openReasons(ctx, who, r.livc_id, allowed, events);
      // The reporter's supplements (decision 0048) are data about the person too.
      const supplementRows = await db.selectFrom("report_supplement").select(["id", "created_at", "content_enc"]).where("report_id", "=", r.id).orderBy("created_at").execute();
      const supplements = await openSupplements(ctx, who, r.livc_id, allowed, supplementRows);
      rows.push({
        reference: r.reference,
        status: r.status,
        submitted_at: r.submitted_at,
        routed_on: r.routed_on,
        municipality_nis: r.municipality_nis,
        decided_at: r.decided_at,
        minor: r.minor === 1 ? "yes" : "no",
        name: content.subjectName || null,
        date_of_birth: content.subjectBirthDate || null,
        description: content.subjectDescription || null,
        signals: content.signals.join(", ") || null,
        observation: content.observation || null,
        since: content.since || null,
        person_knows: content.personKnows || null,
        parent_knows: content.parentKnows || null,
        supplements:
          supplementRows
            .flatMap((x) => {
              const c = supplements.get(x.id);
              return c && (c.observation || c.signals.length) ? [`${x.created_at} ${c.observation} ${c.signals.join(", ")}`.trim()] : [];
            })
            .join(" | ") || null,
        reporter: "withheld (GDPR art. 15(4))",
        screening: events.map((e) => [e.at, `${e.from_status} -> ${e.to_status}`, e.referral_service, reasons.get(e.id)].filter(Boolean).join(" ")).join(" | ") || null,
      });
    }
    return { title: "reports", rows };
  },
});
