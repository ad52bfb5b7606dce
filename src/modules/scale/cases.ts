import type { Keyring } from "../../platform/crypto/keyring";
import { caseLabel } from "../cases/opening";
import { ACTIONS, DECISIONS, OBSERVATIONS, REASONS, STREETS } from "./names";
import { dateOfDay, dayNumber, instantOn, type Rng } from "./random";
import { fictionalName, type Structure } from "./structure";
import type { BulkWriter } from "./writer";

type Row = Record<string, unknown>;
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CLOSURES = ["concern_addressed", "referred_to_regular_care", "moved_away", "no_cooperation_possible", "taken_over_by_justice"] as const;

/** A report reference in intake's format, unique because it encodes the running number (scrambled). */
function reference(n: number, salt: number): string {
  let x = (BigInt(n) * 0x9e3779b97n + BigInt(salt)) & ((1n << 60n) - 1n);
  let out = "";
  for (let i = 0; i < 12; i++) {
    out += ALPHABET[Number(x & 31n)];
    x >>= 5n;
  }
  return `M-${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}`;
}

/**
 * Consultations (monthly per cell), reports with their screening history, cases taken up from them
 * with timeline, actions, agenda entries, minutes, reviews and the service invited for them (its
 * accepted invitation behind the partner member's access); plus reports not taken up.
 * Identities and free text are encrypted with the real key ring, bound to table/column/row.
 */
export async function seedCases(
  w: BulkWriter,
  rng: Rng,
  keyring: Keyring,
  s: Structure,
  opts: { cases: number; start: string; until: string; now: string },
): Promise<{ caseIds: string[]; caseLivc: number[] }> {
  const enc = (table: string, column: string, rowId: string, text: string) => keyring.encrypt({ table, column, rowId }, text);
  // Services invited for a case (decisions 0027 and 0061) draw from their own stream: the rest of the data set
  // stays as it was before they were added (session 15).
  const services = rng.fork("case services");
  const orgOfUser = new Map(s.users.map((u) => [u.id, u.org]));
  const untilDay = dayNumber(opts.until);
  const startDay = dayNumber(opts.start);

  // Consultations: one a month per cell from its founding (or the start of the period).
  const consultations = s.livcs.map(() => [] as { id: string; day: number }[]);
  const consultationRows: Row[] = [];
  const attendance: Row[] = [];
  const invitations: Row[] = [];
  const sectorOf = new Map(s.orgs.map((o) => [o.id, o.sector]));
  s.livcs.forEach((l, k) => {
    for (let day = Math.max(dayNumber(l.founded), startDay) + rng.int(0, 27); day < untilDay; day += rng.int(26, 35)) {
      const id = rng.id();
      const held = dateOfDay(day);
      consultations[k].push({ id, day });
      consultationRows.push({ id, livc_id: l.id, held_on: held, kind: "case_consultation", status: "held", created_at: instantOn(rng, dateOfDay(day - 14)), starts_at: `${held}T13:00:00.000Z`, place: "Gemeentehuis, vergaderzaal 1", video_url: null, scheduled_by: s.leadsOf[k][1], reminder_sent_at: null, updated_at: opts.now, framework_version: 1 });
      for (const org of s.seatOrgsOf[k]) {
        const sector = sectorOf.get(org) ?? "other";
        attendance.push({ id: rng.id(), consultation_id: id, user_id: null, organisation_id: org, sector, attended: rng.chance(0.85) ? 1 : 0, recorded_at: `${held}T15:00:00.000Z` });
      }
      // A case-specific invitation to a service outside the table, now and then declined.
      if (rng.chance(0.4)) {
        const org = s.orgs[rng.int(0, s.orgs.length - 1)];
        const declined = rng.chance(0.25);
        const sent = dateOfDay(day - 10);
        invitations.push({ id: rng.id(), livc_id: l.id, organisation_id: org.id, kind: "consultation", consultation_id: id, case_ref: null, invited_by: s.leadsOf[k][1], sent_on: sent, expires_on: dateOfDay(day - 1), status: declined ? "declined" : "accepted", responded_on: dateOfDay(day - 7), responded_by: null, decline_reason: declined ? rng.pick(["professional_secrecy", "trust", "no_capacity"]) : null, decline_note: null, reminded_on: null, created_at: `${sent}T09:00:00.000Z`, updated_at: `${sent}T09:00:00.000Z` });
      }
    }
  });
  await w.write([
    ["consultation", consultationRows],
    ["consultation_attendance", attendance],
    ["partner_invitation", invitations],
  ]);

  // Case skeletons first (cell and opening day), in date order, so labels number per cell and year.
  const totalWeight = s.livcs.reduce((a, l) => a + l.weight, 0);
  const cumulative: number[] = [];
  s.livcs.reduce((a, l, k) => (cumulative[k] = a + l.weight / totalWeight), 0);
  const skeletons = Array.from({ length: opts.cases }, () => {
    const r = rng.next();
    let k = cumulative.findIndex((c) => r < c);
    if (k < 0) k = s.livcs.length - 1;
    const first = Math.max(startDay, dayNumber(s.livcs[k].founded));
    return { k, day: first + Math.floor(rng.next() * Math.max(1, untilDay - first)) };
  });
  skeletons.sort((a, b) => a.day - b.day || a.k - b.k);
  const counters = new Map<string, number>();
  const caseIds: string[] = [];
  const caseLivc: number[] = [];
  const extraReports = Math.round(opts.cases * 0.3);
  let refNo = 0;
  const salt = rng.int(0, 2 ** 30);

  const CHUNK = 2000;
  for (let i = 0; i < skeletons.length; i += CHUNK) {
    const t: Record<string, Row[]> = { report: [], report_event: [], case_file: [], case_event: [], case_action: [], consultation_case: [], consultation_minutes: [], case_review: [], case_access_grant: [], partner_invitation: [], consultation_case_service: [] };
    for (const { k, day } of skeletons.slice(i, i + CHUNK)) {
      const l = s.livcs[k];
      const opened = dateOfDay(day);
      const year = Number(opened.slice(0, 4));
      const n = (counters.get(`${k}/${year}`) ?? 0) + 1;
      counters.set(`${k}/${year}`, n);
      const caseId = rng.id();
      const reportId = rng.id();
      caseIds.push(caseId);
      caseLivc.push(k);
      const name = fictionalName(rng);
      const birth = dateOfDay(dayNumber("1990-01-01") + rng.int(0, 6000));
      const minor = birth > dateOfDay(day - 18 * 365) ? 1 : 0;
      const subject = keyring.blindIndex([name, birth]);
      const reporter = rng.pick(s.reportersOf[k]);
      const submitted = instantOn(rng, dateOfDay(day - rng.int(3, 10)));
      const decidedAt = `${opened}T10:00:00.000Z`;
      const label = caseLabel(l.code, year, n);
      // Older cases are mostly closed; recent ones active or in follow-up.
      const age = untilDay - day;
      const status = age > 365 ? (rng.chance(0.85) ? "closed" : "in_follow_up") : age > 60 ? rng.pick(["active", "in_follow_up", "in_follow_up", "closed"]) : "active";
      const closedOn = status === "closed" ? dateOfDay(Math.min(untilDay - 1, day + rng.int(60, 330))) : null;
      t.report.push(reportRow(reportId, reference(refNo++, salt), "taken_up", reporter, l.id, l.nis[0], opened, minor, subject, submitted, caseId, enc("report", "content_enc", reportId, reportContent(rng, name, birth))));
      t.report_event.push(
        { id: rng.id(), report_id: reportId, at: submitted, actor_id: reporter, transition: "submit", from_status: "draft", to_status: "received", referral_service: null, reason_enc: null },
        { id: rng.id(), report_id: reportId, at: `${opened}T08:00:00.000Z`, actor_id: s.leadsOf[k][2], transition: "start_screening", from_status: "received", to_status: "in_screening", referral_service: null, reason_enc: null },
      );
      const decisionId = rng.id();
      t.report_event.push({ id: decisionId, report_id: reportId, at: decidedAt, actor_id: s.leadsOf[k][1], transition: "take_up", from_status: "in_screening", to_status: "taken_up", referral_service: null, reason_enc: enc("report_event", "reason_enc", decisionId, rng.pick(REASONS)) });
      t.case_file.push({
        id: caseId, livc_id: l.id, source_report_id: reportId, subject_index: subject, minor, status, opened_at: decidedAt, opened_by: s.leadsOf[k][1], retention_until: null,
        label, label_search: label.toLowerCase(), identity_enc: enc("case_file", "identity_enc", caseId, JSON.stringify({ fullName: name, dateOfBirth: birth })),
        screening_decision: "take_up", opened_on: opened, closed_on: closedOn, closure_reason: closedOn ? rng.pick(CLOSURES) : null, closure_note_enc: null,
        next_review_on: closedOn ? dateOfDay(dayNumber(closedOn) + 182) : null, legal_hold_reason_enc: null, legal_hold_at: null, legal_hold_by: null, purged_at: null, updated_at: decidedAt,
      });
      const ev = (at: string, kind: string, from: string | null, to: string | null, reason: string | null, consultation: string | null = null) =>
        t.case_event.push({ id: rng.id(), case_id: caseId, at, actor_id: s.leadsOf[k][0], kind, from_status: from, to_status: to, reason, consultation_id: consultation, note_enc: null });
      ev(decidedAt, "opened", null, "active", "take_up");
      // On the agenda of one to three consultations after opening.
      const upcoming = consultations[k].filter((c) => c.day >= day).slice(0, rng.int(1, 3));
      for (const [pos, c] of upcoming.entries()) {
        t.consultation_case.push({ consultation_id: c.id, case_id: caseId, position: pos + 1 });
        ev(`${dateOfDay(c.day)}T13:00:00.000Z`, "scheduled", null, null, null, c.id);
        if (rng.chance(0.6)) t.consultation_minutes.push({ consultation_id: c.id, case_id: caseId, decisions_enc: enc("consultation_minutes", "decisions_enc", `${c.id}:${caseId}`, rng.pick(DECISIONS)), next_review_on: null, recorded_by: s.leadsOf[k][1], recorded_at: `${dateOfDay(c.day)}T16:00:00.000Z` });
        const grantee = s.partnersOf[k][(pos + day) % Math.max(1, s.partnersOf[k].length)];
        if (grantee && pos === 0) {
          t.case_access_grant.push({ id: rng.id(), case_id: caseId, user_id: grantee, consultation_id: c.id, granted_at: `${dateOfDay(c.day)}T13:05:00.000Z`, revoked_at: null });
          // The grant comes from the grantee's organisation invited as a service for this case, invitation accepted.
          const org = orgOfUser.get(grantee);
          if (org) {
            const invitationId = services.id();
            const sent = dateOfDay(c.day - 10);
            t.partner_invitation.push({ id: invitationId, livc_id: l.id, organisation_id: org, kind: "consultation", consultation_id: c.id, case_ref: caseId, invited_by: s.leadsOf[k][1], sent_on: sent, expires_on: dateOfDay(c.day - 1), status: "accepted", responded_on: dateOfDay(c.day - services.int(2, 8)), responded_by: grantee, decline_reason: null, decline_note: null, reminded_on: null, created_at: `${sent}T09:00:00.000Z`, updated_at: `${sent}T09:00:00.000Z` });
            t.consultation_case_service.push({ consultation_id: c.id, case_id: caseId, organisation_id: org, invitation_id: invitationId });
          }
        }
      }
      if (status !== "active") ev(`${dateOfDay(day + 30)}T14:00:00.000Z`, "transition", "active", "in_follow_up", null);
      if (closedOn) {
        ev(`${closedOn}T14:00:00.000Z`, "transition", "in_follow_up", "closed", "concern_addressed");
        // Reviews that fell due before the end of the period were held (no renewed concern).
        for (const months of [6, 12]) {
          const due = dateOfDay(dayNumber(closedOn) + months * 30);
          const held = due < opts.until;
          t.case_review.push({ id: rng.id(), case_id: caseId, livc_id: l.id, months, due_on: due, done_at: held ? `${due}T10:00:00.000Z` : null, done_by: held ? s.leadsOf[k][0] : null, outcome: held ? "no_renewed_concern" : null });
        }
      }
      for (let a = rng.int(1, 3); a > 0; a--) {
        const id = rng.id();
        const due = dateOfDay(day + rng.int(14, 120));
        t.case_action.push({ id, case_id: caseId, livc_id: l.id, consultation_id: upcoming[0]?.id ?? null, description_enc: enc("case_action", "description_enc", id, rng.pick(ACTIONS)), owner_organisation_id: rng.pick(s.seatOrgsOf[k].length ? s.seatOrgsOf[k] : [s.orgs[0].id]), due_on: due, status: closedOn || due < opts.until ? rng.pick(["done", "done", "done", "cancelled"]) : "open", created_at: decidedAt, created_by: s.leadsOf[k][1], updated_at: decidedAt });
      }
    }
    // Reports that were not taken up (referred, no action, or still being screened), pro rata.
    const extra = Math.round((Math.min(i + CHUNK, skeletons.length) / skeletons.length) * extraReports) - Math.round((i / skeletons.length) * extraReports);
    for (let e = 0; e < extra; e++) {
      const k = rng.int(0, s.livcs.length - 1);
      const l = s.livcs[k];
      const day = Math.max(startDay, dayNumber(l.founded)) + rng.int(0, Math.max(1, untilDay - Math.max(startDay, dayNumber(l.founded))) - 1);
      const id = rng.id();
      const name = fictionalName(rng);
      const birth = dateOfDay(dayNumber("1990-01-01") + rng.int(0, 6000));
      const status = untilDay - day < 20 ? rng.pick(["received", "in_screening"]) : rng.pick(["referred", "no_action", "no_action", "passed_to_police"]);
      const reporter = rng.pick(s.reportersOf[k]);
      const submitted = instantOn(rng, dateOfDay(day));
      t.report.push(reportRow(id, reference(refNo++, salt), status, reporter, l.id, l.nis[0], status.startsWith("in") || status === "received" ? null : dateOfDay(day + 5), 0, keyring.blindIndex([name, birth]), submitted, null, enc("report", "content_enc", id, reportContent(rng, name, birth))));
      t.report_event.push({ id: rng.id(), report_id: id, at: submitted, actor_id: reporter, transition: "submit", from_status: "draft", to_status: "received", referral_service: null, reason_enc: null });
      if (status !== "received" && status !== "in_screening") {
        const ev = rng.id();
        t.report_event.push({ id: ev, report_id: id, at: `${dateOfDay(day + 5)}T10:00:00.000Z`, actor_id: s.leadsOf[k][2], transition: status === "referred" ? "refer" : status === "no_action" ? "no_action" : "pass_to_police", from_status: "received", to_status: status, referral_service: status === "referred" ? "caw" : null, reason_enc: enc("report_event", "reason_enc", ev, "Past beter bij reguliere hulpverlening.") });
      }
    }
    await w.write([
      ["report", t.report],
      ["report_event", t.report_event],
      ["case_file", t.case_file],
      ["case_event", t.case_event],
      ["case_action", t.case_action],
      ["consultation_case", t.consultation_case],
      ["partner_invitation", t.partner_invitation],
      ["consultation_case_service", t.consultation_case_service],
      ["consultation_minutes", t.consultation_minutes],
      ["case_review", t.case_review],
      ["case_access_grant", t.case_access_grant],
    ]);
  }
  const counterRows = [...counters].map(([key, last]) => {
    const [k, year] = key.split("/").map(Number);
    return { livc_id: s.livcs[k].id, year, last };
  });
  await w.write([["case_label_counter", counterRows]]);
  return { caseIds, caseLivc };
}

function reportRow(id: string, ref: string, status: string, reporter: string, livcId: string, nis: string, decidedOn: string | null, minor: number, subject: string, submitted: string, caseId: string | null, content: string): Row {
  const day = submitted.slice(0, 10);
  return {
    id, reference: ref, status, reporter_user_id: reporter, reporter_organisation_id: null, livc_id: livcId, regional_queue: null, municipality_nis: nis, routed_on: day,
    identity_known: 1, minor, danger_now: 0, notify_status: 1, subject_index: subject, content_enc: content, created_at: submitted, updated_at: submitted, submitted_at: submitted,
    screening_due_on: dateOfDay(dayNumber(day) + 14), retention_until: null, decided_at: decidedOn ? `${decidedOn}T10:00:00.000Z` : null, case_id: caseId,
  };
}

function reportContent(rng: Rng, name: string, birth: string): string {
  return JSON.stringify({
    identity: "known",
    subjectName: name,
    subjectBirthDate: birth,
    subjectDescription: `Woont in de ${rng.pick(STREETS)}.`,
    signals: [],
    observation: rng.pick(OBSERVATIONS),
    since: "",
    personKnows: "no",
    parentKnows: "unknown",
    reporterOrganisation: "",
    reporterContact: "",
  });
}
