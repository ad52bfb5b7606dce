import type { SchakelMigration } from "../platform/db/migrate";
import { metaMigrations } from "../platform/meta";
import { referenceMigrations } from "./reference/migrations";

/** Every module's migrations. Add a module's list here; names order them globally. */
export function allMigrations(): SchakelMigration[] {
  return [...metaMigrations, ...referenceMigrations].sort((a, b) => a.name.localeCompare(b.name));
}
