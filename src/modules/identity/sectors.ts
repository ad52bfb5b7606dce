import type { Locale } from "../../platform/i18n";

/** Partner sectors of an organisation (DOMAIN.md). Keys are stored; labels are shown. */
export const SECTORS = {
  local_police: { nl: "Lokale politie", fr: "Police locale", en: "Local police" },
  prevention_service: { nl: "Preventiedienst", fr: "Service de prévention", en: "Prevention service" },
  ocmw_social_service: { nl: "OCMW / sociale dienst", fr: "CPAS / service social", en: "Public social welfare centre" },
  clb: { nl: "CLB (centrum voor leerlingenbegeleiding)", fr: "CLB (centre d'encadrement des élèves)", en: "Pupil guidance centre (CLB)" },
  school_primary: { nl: "Basisschool", fr: "École primaire", en: "Primary school" },
  school_secondary: { nl: "Secundaire school", fr: "École secondaire", en: "Secondary school" },
  youth_work: { nl: "Jeugdwerk", fr: "Travail de jeunesse", en: "Youth work" },
  neighbourhood_street_work: { nl: "Buurt- en straathoekwerk", fr: "Travail de rue et de quartier", en: "Neighbourhood and street work" },
  integration_service: { nl: "Integratiedienst", fr: "Service d'intégration", en: "Integration service" },
  caw: { nl: "CAW (centrum algemeen welzijnswerk)", fr: "CAW (centre d'aide sociale générale)", en: "General welfare centre (CAW)" },
  justice_house: { nl: "Justitiehuis", fr: "Maison de justice", en: "House of justice" },
  mental_health_cgg: { nl: "Geestelijke gezondheidszorg (CGG)", fr: "Santé mentale (CSM)", en: "Mental health care (CGG)" },
  child_family: { nl: "Opgroeien / Kind en Gezin", fr: "Opgroeien / Kind en Gezin", en: "Growing Up agency (Child and Family)" },
  employment_training: { nl: "Werk en opleiding (VDAB)", fr: "Emploi et formation (VDAB)", en: "Employment and training (VDAB)" },
  sport_sociocultural: { nl: "Sport en sociaal-cultureel werk", fr: "Sport et socioculturel", en: "Sport and socio-cultural work" },
  other: { nl: "Andere", fr: "Autre", en: "Other" },
} as const satisfies Record<string, Record<Locale, string>>;

export type Sector = keyof typeof SECTORS;
export const SECTOR_KEYS = Object.keys(SECTORS) as Sector[];
export const isSector = (v: unknown): v is Sector => typeof v === "string" && v in SECTORS;
export const sectorLabel = (sector: Sector, locale: Locale): string => SECTORS[sector][locale];
