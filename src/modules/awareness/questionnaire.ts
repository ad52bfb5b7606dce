import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import type { Objection } from "./objections";
import type { QuestionInput } from "./schema";
import { addQuestion } from "./service";

const option = (text_nl: string, text_fr: string, objection: Objection | null = null) => ({ text_nl, text_fr, objection });

/** The standard questionnaire of the awareness round (Dutch and French wording). */
export const STANDARD_QUESTIONNAIRE: QuestionInput[] = [
  {
    kind: "single",
    required: true,
    text_nl: "Neemt uw organisatie vandaag deel aan een LIVC?",
    text_fr: "Votre organisation participe-t-elle aujourd'hui à une CSIL ?",
    options: [
      option("Ja, op uitnodiging per casus", "Oui, sur invitation par cas"),
      option("Nee, nog nooit uitgenodigd", "Non, jamais invitée"),
      option("Nee, we hebben een uitnodiging geweigerd", "Non, nous avons décliné une invitation"),
    ],
  },
  {
    kind: "multiple",
    required: false,
    text_nl: "Welke bezwaren heeft uw organisatie bij deelname aan een LIVC?",
    text_fr: "Quelles objections votre organisation a-t-elle à participer à une CSIL ?",
    options: [
      option("Ons beroepsgeheim", "Notre secret professionnel", "professional_secrecy"),
      option("Wantrouwen tegenover wat de politie met de informatie doet", "Méfiance quant à l'usage des informations par la police", "trust_in_police"),
      option("Onze rol in het overleg is niet duidelijk", "Notre rôle dans la concertation n'est pas clair", "unclear_role"),
      option("Werklast of te weinig capaciteit", "Charge de travail ou capacité insuffisante", "workload_capacity"),
      option("Onduidelijkheid over het wettelijk kader", "Incertitude sur le cadre légal", "legal_uncertainty"),
      option("Er zijn bij ons geen casussen", "Il n'y a pas de cas chez nous", "no_local_cases"),
      option("Een ander bezwaar", "Une autre objection", "other"),
    ],
  },
  {
    kind: "scale",
    required: true,
    text_nl: "Hoe goed begrijpt u na de sessie wat het gedeeld beroepsgeheim (art. 458ter Sw.) voor u betekent? (1 = helemaal niet, 5 = volledig)",
    text_fr: "Après la séance, comprenez-vous ce que le secret professionnel partagé (art. 458ter C. pén.) signifie pour vous ? (1 = pas du tout, 5 = tout à fait)",
    options: [],
  },
  {
    kind: "scale",
    required: false,
    text_nl: "Hoe waarschijnlijk is het dat uw organisatie een uitnodiging van het LIVC aanvaardt? (1 = zeer onwaarschijnlijk, 5 = zeer waarschijnlijk)",
    text_fr: "Quelle est la probabilité que votre organisation accepte une invitation de la CSIL ? (1 = très improbable, 5 = très probable)",
    options: [],
  },
  {
    kind: "text",
    required: false,
    text_nl: "Wat zou uw organisatie helpen om deel te nemen? (schrijf geen namen of gegevens over personen)",
    text_fr: "Qu'est-ce qui aiderait votre organisation à participer ? (n'écrivez ni noms ni données sur des personnes)",
    options: [],
  },
];

export async function addStandardQuestionnaire(db: Kysely<DB>, campaignId: string) {
  for (const q of STANDARD_QUESTIONNAIRE) await addQuestion(db, campaignId, q);
}
