/**
 * Every route declares one permission (route option `config.permission`); a test fails on any
 * route without one, and a route without one is denied at run time (deny by default).
 * "public" pages show reference data only, never personal data.
 */
export const PERMISSIONS = {
  public: "anyone, also without an account; reference data only",
  authenticated: "any logged-in account",
} as const;

export type Permission = keyof typeof PERMISSIONS;

declare module "fastify" {
  interface FastifyContextConfig {
    permission?: Permission;
  }
}
