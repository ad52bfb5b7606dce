import type { MessageKey } from "../platform/i18n";
import type { Permission } from "../platform/policy/permissions";

/**
 * Main navigation. An entry shows only to those who hold its permission (the same map the routes use),
 * so nobody is shown a link that ends in 403; "signed-out" entries show only without a session.
 */
export const navigation: { href: string; label: MessageKey; show: Permission | "signed-out"; count?: "approvals" }[] = [
  { href: "/", label: "nav.home", show: "public" },
  { href: "/municipalities", label: "nav.register", show: "public" },
  { href: "/registry", label: "nav.registry", show: "registry.read" },
  { href: "/monitoring", label: "nav.monitoring", show: "monitoring.read" },
  { href: "/reports", label: "intake.nav.reports", show: "report.file" },
  { href: "/screening", label: "intake.nav.screening", show: "intake.screen" },
  { href: "/closing-days", label: "cd.nav", show: "intake.closing_days" },
  { href: "/cases", label: "nav.cases", show: "case.access" },
  { href: "/meetings", label: "nav.meetings", show: "case.access" },
  { href: "/subject-access", label: "nav.subject_access", show: "audit.export" },
  { href: "/audit", label: "al.nav", show: "audit.export" },
  { href: "/rectify", label: "rect.nav", show: "audit.export" },
  { href: "/retention", label: "ret.nav", show: "audit.export" },
  { href: "/privacy", label: "pr.nav", show: "privacy.record" },
  { href: "/partners", label: "nav.partners", show: "livc.member" },
  { href: "/livc-roles", label: "lr.nav", show: "partners.manage", count: "approvals" },
  { href: "/awareness", label: "nav.awareness", show: "awareness.manage" },
  { href: "/admin/accounts", label: "nav.admin", show: "admin.accounts" },
  { href: "/admin/approvals", label: "ap.nav", show: "admin.accounts", count: "approvals" },
  { href: "/account", label: "nav.account", show: "authenticated" },
  { href: "/login", label: "nav.login", show: "signed-out" },
];
