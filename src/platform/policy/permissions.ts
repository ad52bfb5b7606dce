import { type Actor, hasAnyRole } from "./actor";

/**
 * Every route declares one permission (route option `config.permission`); a test fails on any
 * route without one, and a route without one is denied at run time (deny by default).
 * Each permission says in words who holds it and, as a predicate, decides it for an actor.
 * This is the route-level gate only: which LIVC or which record is decided by each module's
 * policy.ts with definePolicy (src/platform/policy/grants.ts).
 * "public" pages show reference data only, never personal data.
 */
type Holds = (actor: Actor | null) => boolean;

const signedIn: Holds = (a) => a !== null;

export const PERMISSIONS = {
  public: { description: "anyone, also without an account; reference data only", holds: () => true },
  authenticated: { description: "any logged-in account", holds: signedIn },
  "admin.accounts": { description: "platform administrator: accounts and organisations", holds: (a) => Boolean(a?.isAdmin) },
  "audit.export": { description: "data-protection officer: audit log export", holds: (a) => Boolean(a?.isDpo) },
  "privacy.record": { description: "data-protection officer or platform administrator: the record of processing (GDPR art. 30)", holds: (a) => Boolean(a && (a.isDpo || a.isAdmin)) },
  "monitoring.read": {
    description: "regional analysts, administrators, and chairs/coordinators of any LIVC: aggregates",
    holds: (a) => Boolean(a && (a.isRegionalAnalyst || a.isAdmin || hasAnyRole(a, "chair", "coordinator"))),
  },
  "registry.read": {
    description: "regional analysts, administrators, and any LIVC chair, coordinator or information officer",
    holds: (a) => Boolean(a && (a.isRegionalAnalyst || a.isAdmin || hasAnyRole(a, "chair", "coordinator", "information_officer"))),
  },
  "registry.manage": { description: "platform administrator: the LIVC register", holds: (a) => Boolean(a?.isAdmin) },
  "registry.framework": {
    description: "an LIVC chair, and administrators: a new version of the consultation framework (which LIVC: the registry policy)",
    holds: (a) => Boolean(a && (a.isAdmin || hasAnyRole(a, "chair"))),
  },
  "registry.obstacles": {
    description: "regional analysts and administrators: record, correct and end obstacles of municipalities without an LIVC",
    holds: (a) => Boolean(a && (a.isRegionalAnalyst || a.isAdmin)),
  },
  "livc.member": { description: "anyone with a membership in some LIVC", holds: (a) => Boolean(a && a.memberships.length > 0) },
  "case.access": {
    description: "chair, coordinator, information officer or partner member of some LIVC (which case: the cases policy)",
    holds: (a) => hasAnyRole(a, "chair", "coordinator", "information_officer", "partner_member"),
  },
  "report.file": { description: "any LIVC membership, reporters included: file a signal", holds: (a) => Boolean(a && a.memberships.length > 0) },
  "partners.manage": {
    description: "chair or coordinator of some LIVC: invitations, seats, attendance (which LIVC: the partners policy)",
    holds: (a) => hasAnyRole(a, "chair", "coordinator"),
  },
  "partners.respond": {
    description: "any logged-in account; the partners policy then requires being a contact of the invited organisation",
    holds: signedIn,
  },
  "intake.screen": {
    description: "coordinator or information officer of some LIVC: the screening queue (which LIVC: the intake policy)",
    holds: (a) => hasAnyRole(a, "coordinator", "information_officer"),
  },
  "intake.regional": {
    description: "any logged-in account; the intake policy then requires a regional contact-point designation for reports without an LIVC",
    holds: signedIn,
  },
  "intake.closing_days": {
    description: "chair or coordinator of some LIVC, and administrators: an LIVC's closing days (which LIVC: the intake policy)",
    holds: (a) => Boolean(a && (a.isAdmin || hasAnyRole(a, "chair", "coordinator"))),
  },
  "awareness.manage": {
    description: "regional analysts and administrators: awareness campaigns, survey links, analysis and advice",
    holds: (a) => Boolean(a && (a.isRegionalAnalyst || a.isAdmin)),
  },
} as const satisfies Record<string, { description: string; holds: Holds }>;

export type Permission = keyof typeof PERMISSIONS;

export const isPermission = (v: unknown): v is Permission => typeof v === "string" && v in PERMISSIONS;

/** Does this actor (null: not logged in) hold the route-level permission? */
export const holdsPermission = (actor: Actor | null, permission: Permission): boolean => PERMISSIONS[permission].holds(actor);

declare module "fastify" {
  interface FastifyContextConfig {
    permission?: Permission;
    /**
     * The one way out of the CSRF check (src/platform/auth/hooks.ts): a server-to-server endpoint whose
     * authority is a signed token in the request itself, never a cookie of ours. Only routes listed in
     * CSRF_EXEMPT_ROUTES may say it (a test walks the route table).
     */
    csrf?: "signed-request";
    /** Read the case list token in the session statement (decision 0088): routes whose reads are kept per token. */
    listToken?: boolean;
  }
}
