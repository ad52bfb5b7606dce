import { defineMessages } from "../../platform/i18n/define";

/** Decision 0051: the framework on the acknowledgement card, and acknowledging again after it changed. */
export const meetingsFrameworkMessages = defineMessages({
  nl: {
    "mtg.fw.title": "Het kader waaraan u gebonden bent",
    "mtg.fw.version": "Versie {n}, aangenomen op {date}. Deelnemers, doel en werkafspraken liggen vooraf vast (art. 458ter Strafwetboek).",
    "mtg.fw.participants": "Deelnemers",
    "mtg.fw.purpose": "Doel",
    "mtg.fw.arrangements": "Werkafspraken",
    "mtg.fw.none": "Voor dit overleg is geen kader gekend.",
    "mtg.fw.changed": "Het kader van dit overleg veranderde nadat u de vertrouwelijkheid bevestigde (toen versie {old}, nu versie {n}). Lees het kader en bevestig opnieuw.",
  },
  fr: {
    "mtg.fw.title": "Le cadre auquel vous êtes lié",
    "mtg.fw.version": "Version {n}, adoptée le {date}. Les participants, la finalité et les modalités sont fixés à l'avance (art. 458ter du Code pénal).",
    "mtg.fw.participants": "Participants",
    "mtg.fw.purpose": "Finalité",
    "mtg.fw.arrangements": "Modalités de travail",
    "mtg.fw.none": "Aucun cadre n'est connu pour cette concertation.",
    "mtg.fw.changed": "Le cadre de cette concertation a changé depuis votre confirmation de confidentialité (alors version {old}, maintenant version {n}). Lisez le cadre et confirmez à nouveau.",
  },
  en: {
    "mtg.fw.title": "The framework you are bound by",
    "mtg.fw.version": "Version {n}, adopted on {date}. Participants, purpose and working arrangements are fixed in advance (art. 458ter Criminal Code).",
    "mtg.fw.participants": "Participants",
    "mtg.fw.purpose": "Purpose",
    "mtg.fw.arrangements": "Working arrangements",
    "mtg.fw.none": "No framework is known for this consultation.",
    "mtg.fw.changed": "This consultation's framework changed after you acknowledged confidentiality (then version {old}, now version {n}). Read the framework and acknowledge again.",
  },
});
