import type { MessageKey } from "../platform/i18n";

/** Main navigation entries. "when" decides visibility; pages still check their own permission. */
export const navigation: { href: string; label: MessageKey; when: "always" | "signed-in" | "signed-out" }[] = [
  { href: "/", label: "nav.home", when: "always" },
  { href: "/municipalities", label: "nav.register", when: "always" },
  { href: "/registry", label: "nav.registry", when: "signed-in" },
  { href: "/monitoring", label: "nav.monitoring", when: "signed-in" },
  { href: "/reports", label: "intake.nav.reports", when: "signed-in" },
  { href: "/screening", label: "intake.nav.screening", when: "signed-in" },
  { href: "/partners", label: "nav.partners", when: "signed-in" },
  { href: "/awareness", label: "nav.awareness", when: "signed-in" },
  { href: "/account", label: "nav.account", when: "signed-in" },
  { href: "/login", label: "nav.login", when: "signed-out" },
];
