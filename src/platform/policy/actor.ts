/** Roles inside one LIVC. A person may hold roles in several LIVCs; grants never cross LIVCs. */
export const LIVC_ROLES = ["chair", "coordinator", "information_officer", "partner_member", "reporter"] as const;
export type LivcRole = (typeof LIVC_ROLES)[number];

export interface LivcMembership {
  livcId: string;
  role: LivcRole;
  /** The organisation the person acts for in this LIVC (partners issue), when known. */
  organisationId?: string | null;
}

/** The authenticated person behind a request, built by the session layer from the database. */
export interface Actor {
  userId: string;
  displayName: string;
  sessionId: string;
  /** How this session logged in (password + TOTP, or single sign-on). */
  authMethod?: "password" | "oidc";
  /** Platform administrator: accounts and reference data, never case content. */
  isAdmin: boolean;
  /** Regional analyst (Flemish administration): aggregates only. */
  isRegionalAnalyst: boolean;
  /** Data-protection officer: audit export and subject access. */
  isDpo: boolean;
  memberships: LivcMembership[];
  /** Pending LIVC role requests this person may approve (decision 0049): counted by the auth hooks for the pages of administrators, chairs and coordinators only. */
  pendingApprovals?: number;
}

export const rolesIn = (actor: Actor | null, livcId: string): LivcRole[] =>
  actor ? actor.memberships.filter((m) => m.livcId === livcId).map((m) => m.role) : [];

export const hasRoleIn = (actor: Actor | null, livcId: string, ...roles: LivcRole[]): boolean =>
  rolesIn(actor, livcId).some((r) => roles.includes(r));

export const hasAnyRole = (actor: Actor | null, ...roles: LivcRole[]): boolean =>
  Boolean(actor?.memberships.some((m) => roles.includes(m.role)));
