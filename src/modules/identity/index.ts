import type { DemoAccount, SchakelModule } from "..";
import { accountRoutes } from "./account-routes";
import { adminRoutes } from "./admin-routes";
import { auditRoutes } from "./audit-routes";
import { securityCli } from "./cli";
import { languageRoutes } from "./language-routes";
import { livcRolesRoutes } from "./livc-roles-routes";
import { accountNameRoutes } from "./recovery-routes";
import { loginRoutes } from "./routes";
import { ensureDemoUser } from "./service";
import { ssoAdminRoutes } from "./sso-admin.routes";
import { backchannelRoutes } from "./sso-backchannel.routes";
import { ssoRoutes } from "./sso.routes";

export const identityModule: SchakelModule = {
  name: "identity",
  async routes(app, ctx) {
    loginRoutes(app, ctx);
    accountRoutes(app, ctx);
    languageRoutes(app, ctx);
    accountNameRoutes(app, ctx);
    adminRoutes(app, ctx);
    auditRoutes(app, ctx);
    livcRolesRoutes(app, ctx);
    ssoRoutes(app, ctx);
    ssoAdminRoutes(app, ctx);
    backchannelRoutes(app, ctx);
  },
  cli: securityCli,
  async seedDemo(ctx) {
    const people = [
      { email: "admin@demo.schakel.test", displayName: "Ilse Beheer (demo)", role: "administrator", platformRoles: ["admin" as const] },
      { email: "analist@demo.schakel.test", displayName: "Ruben Analist (demo)", role: "regional analyst", platformRoles: ["regional_analyst" as const] },
      { email: "dpo@demo.schakel.test", displayName: "Dirk Privacy (demo)", role: "data-protection officer", platformRoles: ["dpo" as const] },
    ];
    const out: DemoAccount[] = [];
    for (const p of people) out.push((await ensureDemoUser(ctx, p)).account);
    return out;
  },
};
