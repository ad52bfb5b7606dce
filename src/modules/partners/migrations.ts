import type { SchakelMigration } from "../../platform/db/migrate";
import { newId, nowIso } from "../../platform/db/values";
import type { Sector } from "../identity/sectors";

/**
 * Partners and participation (issue 5).
 *
 * AGREEMENT WITH THE MEETINGS MODULE (issue 7): this module creates `consultation` (id, livc_id,
 * held_on, kind 'case_consultation', status planned/held/cancelled, created_at) and
 * `consultation_attendance` (the attendance register). The meetings module OWNS consultations:
 * it adds its own columns (place, agenda, confidentiality, minutes, ...) to `consultation` in its
 * own migration, and records attendance only through this module's service.ts
 * (recordAttendance, attendanceFor, consultationsOf). Do not rename or drop these columns.
 *
 * Organisations themselves live in the identity module's `organisation` table (one table only);
 * the municipalities an organisation works in and its contacts are this module's tables.
 */
export const partnersMigrations: SchakelMigration[] = [
  {
    name: "2026120200_partners_init",
    async up(db) {
      await db.schema
        .createTable("organisation_municipality")
        .addColumn("organisation_id", "text", (c) => c.notNull().references("organisation.id"))
        .addColumn("nis", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("organisation_municipality_pk", ["organisation_id", "nis"])
        .execute();
      await db.schema.createIndex("organisation_municipality_nis").on("organisation_municipality").column("nis").execute();
      // A contact is an account that answers invitations for the organisation.
      await db.schema
        .createTable("organisation_contact")
        .addColumn("organisation_id", "text", (c) => c.notNull().references("organisation.id"))
        .addColumn("user_id", "text", (c) => c.notNull().references("app_user.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("organisation_contact_pk", ["organisation_id", "user_id"])
        .execute();
      await db.schema.createIndex("organisation_contact_user").on("organisation_contact").column("user_id").execute();
      // Seats at the LIVC table over time. to_on is the last day (inclusive); null = still a member.
      // The chair's seat may have no organisation (the mayor or a delegate of the municipality).
      await db.schema
        .createTable("livc_partner")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("livc_id", "text", (c) => c.notNull())
        .addColumn("seat", "text", (c) => c.notNull())
        .addColumn("organisation_id", "text", (c) => c.references("organisation.id"))
        .addColumn("user_id", "text", (c) => c.references("app_user.id"))
        .addColumn("from_on", "text", (c) => c.notNull())
        .addColumn("to_on", "text")
        .addColumn("invitation_id", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("livc_partner_livc").on("livc_partner").columns(["livc_id", "from_on"]).execute();
      await db.schema.createIndex("livc_partner_org").on("livc_partner").column("organisation_id").execute();
      await db.schema
        .createTable("consultation")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("livc_id", "text", (c) => c.notNull())
        .addColumn("held_on", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull().defaultTo("case_consultation"))
        .addColumn("status", "text", (c) => c.notNull().defaultTo("planned"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("consultation_livc").on("consultation").columns(["livc_id", "held_on"]).execute();
      await db.schema
        .createTable("consultation_attendance")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("consultation_id", "text", (c) => c.notNull().references("consultation.id"))
        .addColumn("user_id", "text", (c) => c.references("app_user.id"))
        .addColumn("organisation_id", "text", (c) => c.notNull().references("organisation.id"))
        .addColumn("sector", "text", (c) => c.notNull())
        .addColumn("attended", "integer", (c) => c.notNull())
        .addColumn("recorded_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("consultation_attendance_consultation").on("consultation_attendance").column("consultation_id").execute();
      // case_ref is an opaque reference to a case (no case content is ever stored here).
      // Dates are YYYY-MM-DD so a report on any date can tell what the status was then.
      await db.schema
        .createTable("partner_invitation")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("livc_id", "text", (c) => c.notNull())
        .addColumn("organisation_id", "text", (c) => c.notNull().references("organisation.id"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("consultation_id", "text")
        .addColumn("case_ref", "text")
        .addColumn("invited_by", "text")
        .addColumn("sent_on", "text", (c) => c.notNull())
        .addColumn("expires_on", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("responded_on", "text")
        .addColumn("responded_by", "text")
        .addColumn("decline_reason", "text")
        .addColumn("decline_note", "text")
        .addColumn("reminded_on", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("partner_invitation_livc").on("partner_invitation").columns(["livc_id", "sent_on"]).execute();
      await db.schema.createIndex("partner_invitation_org").on("partner_invitation").columns(["organisation_id", "status"]).execute();
    },
  },
  {
    // Issue 9: the participation figures are cached per revision of their inputs (decision 0023).
    // `partners_revision` holds one row whose token is replaced (a new random id) in the same
    // transaction as every write to organisation_municipality, livc_partner, partner_invitation,
    // consultation (held_on, status) and consultation_attendance (store.ts, bumpRevision). The
    // indexes serve the analysis' reads by period: held consultations, invitations sent, attended
    // rows of a consultation (covering, so the table is not read).
    name: "2026121010_partners_revision_indexes",
    async up(db) {
      await db.schema
        .createTable("partners_revision")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("token", "text", (c) => c.notNull())
        .addColumn("changed_at", "text", (c) => c.notNull())
        .execute();
      await db.insertInto("partners_revision").values({ id: "current", token: newId(), changed_at: nowIso() }).execute();
      await db.schema.createIndex("consultation_status_held").on("consultation").columns(["status", "held_on"]).execute();
      await db.schema.createIndex("partner_invitation_sent").on("partner_invitation").column("sent_on").execute();
      await db.schema
        .createIndex("consultation_attendance_present")
        .on("consultation_attendance")
        .columns(["consultation_id", "attended", "organisation_id"])
        .execute();
    },
  },
];

export const SEATS = ["chair", "information_officer", "prevention_official", "partner"] as const;
export type Seat = (typeof SEATS)[number];
export const MANDATORY_SEATS = ["chair", "information_officer", "prevention_official"] as const satisfies readonly Seat[];

export const INVITATION_KINDS = ["structural", "consultation"] as const;
export type InvitationKind = (typeof INVITATION_KINDS)[number];
export const INVITATION_STATUSES = ["pending", "accepted", "declined", "expired", "withdrawn"] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];
/** The decree requires a reason for a decline; "other" needs a note. */
export const DECLINE_REASONS = ["professional_secrecy", "trust", "not_relevant", "no_capacity", "other"] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

export const CONSULTATION_STATUSES = ["planned", "held", "cancelled"] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];

export interface OrganisationMunicipalityTable { organisation_id: string; nis: string; created_at: string }
export interface OrganisationContactTable { organisation_id: string; user_id: string; created_at: string }
export interface LivcPartnerTable {
  id: string;
  livc_id: string;
  seat: Seat;
  organisation_id: string | null;
  user_id: string | null;
  from_on: string;
  to_on: string | null;
  invitation_id: string | null;
  created_at: string;
}
export interface ConsultationTable { id: string; livc_id: string; held_on: string; kind: "case_consultation"; status: ConsultationStatus; created_at: string }
export interface ConsultationAttendanceTable {
  id: string;
  consultation_id: string;
  user_id: string | null;
  /** Null for a core member linked on the LIVC form without an organisation (decision 0051). */
  organisation_id: string | null;
  sector: Sector | null;
  attended: number;
  recorded_at: string;
}
/** One row (id "current"): its token changes with every write to the participation inputs. */
export interface PartnersRevisionTable { id: string; token: string; changed_at: string }
export interface PartnerInvitationTable {
  id: string;
  livc_id: string;
  organisation_id: string;
  kind: InvitationKind;
  consultation_id: string | null;
  case_ref: string | null;
  invited_by: string | null;
  sent_on: string;
  expires_on: string;
  status: InvitationStatus;
  responded_on: string | null;
  responded_by: string | null;
  decline_reason: DeclineReason | null;
  decline_note: string | null;
  reminded_on: string | null;
  created_at: string;
  updated_at: string;
}

declare module "../../platform/db/schema" {
  interface DB {
    organisation_municipality: OrganisationMunicipalityTable;
    organisation_contact: OrganisationContactTable;
    livc_partner: LivcPartnerTable;
    consultation: ConsultationTable;
    consultation_attendance: ConsultationAttendanceTable;
    partner_invitation: PartnerInvitationTable;
    partners_revision: PartnersRevisionTable;
  }
}
