import type { DemoAccount } from "..";
import type { AppContext } from "../../platform/context";

/** Fictional reports for the demo LIVCs (filled in below once the registry's demo LIVCs exist). */
export async function seedIntakeDemo(_ctx: AppContext): Promise<DemoAccount[]> {
  return [];
}
