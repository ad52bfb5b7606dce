/**
 * The small part of oidc-provider 9 (a devDependency without bundled types) that sso.test.ts
 * uses to run a real OpenID provider. Kept here instead of adding @types/oidc-provider.
 */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  interface ProviderGrant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }
  interface KoaContextWithOidc {
    oidc: {
      provider: { Grant: new (init: { clientId: string; accountId: string }) => ProviderGrant };
      client?: { clientId: string };
      session?: { accountId?: string };
    };
  }
  interface LoginResult {
    accountId: string;
    amr?: string[];
    acr?: string;
    remember?: boolean;
  }
  interface Configuration {
    clients?: Record<string, unknown>[];
    pkce?: { required?: (ctx: KoaContextWithOidc, client: unknown) => boolean };
    features?: Record<string, { enabled: boolean }>;
    interactions?: { url: (ctx: KoaContextWithOidc, interaction: { uid: string }) => string };
    claims?: Record<string, null | string[]>;
    conformIdTokenClaims?: boolean;
    findAccount?: (ctx: KoaContextWithOidc, sub: string) => Promise<{ accountId: string; claims: () => Promise<Record<string, unknown>> }>;
    loadExistingGrant?: (ctx: KoaContextWithOidc) => Promise<ProviderGrant | undefined>;
    cookies?: { keys: string[] };
    jwks?: { keys: Record<string, unknown>[] };
    fetch?: (url: string | URL, options: RequestInit & { dispatcher?: unknown }) => Promise<Response>;
  }
  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: { login?: LoginResult }, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  }
}
