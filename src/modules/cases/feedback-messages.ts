import { defineMessages } from "../../platform/i18n/define";

/** The feedback form's consultation rules (decision 0051): refusals on the case page and the form's blocker. */
export const feedbackMessages = defineMessages({
  nl: {
    "case.fb.blocker.not_discussed": "de casus werd niet besproken op dit overleg (niet op de agenda, of het overleg vond niet plaats)",
    "case.fb.error.consultation.unknown": "Kies een overleg van dit LIVC",
    "case.fb.error.consultation.not_on_agenda": "De casus stond niet op de agenda van dit overleg: kies een overleg waar de casus besproken werd",
    "case.fb.error.consultation.not_held": "Dit overleg vond nog niet plaats (de aanwezigheden zijn niet geregistreerd): kies een overleg dat plaatsvond",
    "case.fb.participants": "Alleen wie aanwezig was en deze casus mee besprak, stemt: de vaste leden van het LIVC en de diensten die voor deze casus uitgenodigd waren.",
  },
  fr: {
    "case.fb.blocker.not_discussed": "le cas n'a pas été discuté lors de cette concertation (pas à l'ordre du jour, ou la concertation n'a pas eu lieu)",
    "case.fb.error.consultation.unknown": "Choisissez une concertation de cette CSIL",
    "case.fb.error.consultation.not_on_agenda": "Le cas n'était pas à l'ordre du jour de cette concertation : choisissez une concertation où le cas a été discuté",
    "case.fb.error.consultation.not_held": "Cette concertation n'a pas encore eu lieu (les présences ne sont pas enregistrées) : choisissez une concertation qui a eu lieu",
    "case.fb.participants": "Seuls votent ceux qui étaient présents et ont discuté de ce cas : les membres permanents de la CSIL et les services invités pour ce cas.",
  },
  en: {
    "case.fb.blocker.not_discussed": "the case was not discussed at this consultation (not on its agenda, or the consultation did not take place)",
    "case.fb.error.consultation.unknown": "Choose a consultation of this LIVC",
    "case.fb.error.consultation.not_on_agenda": "The case was not on this consultation's agenda: choose a consultation where the case was discussed",
    "case.fb.error.consultation.not_held": "This consultation has not taken place yet (attendance is not recorded): choose a consultation that took place",
    "case.fb.participants": "Only those who were present and discussed this case vote: the LIVC's core members and the services invited for this case.",
  },
});
