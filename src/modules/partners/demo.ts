import type { DemoAccount } from "..";
import type { AppContext } from "../../platform/context";
export async function seedPartnersDemo(_ctx: AppContext): Promise<DemoAccount[]> {
  return [];
}
