import { defineMessages } from "../../platform/i18n/define";

/**
 * Report statuses that only screeners see (the reporter's own status page maps them to its six
 * REPORTER_STATUSES), and the screener-side labels of the reporter's details: the report form's
 * labels ("Jouw organisatie") speak to the reporter, not about them. Session 7 gap report item 3.
 */
export const intakeStatusMessages = defineMessages({
  nl: {
    "intake.status.draft": "Concept",
    "intake.status.no_action": "Geen verdere actie",
    "intake.status.passed_to_police": "Doorgegeven aan politie",
    "intake.screening.reporter_organisation": "Organisatie van de melder",
    "intake.screening.reporter_contact": "Telefoon of e-mail van de melder",
  },
  fr: {
    "intake.status.draft": "Brouillon",
    "intake.status.no_action": "Pas d'autre action",
    "intake.status.passed_to_police": "Transmis à la police",
    "intake.screening.reporter_organisation": "Organisation du signaleur",
    "intake.screening.reporter_contact": "Téléphone ou e-mail du signaleur",
  },
  en: {
    "intake.status.draft": "Draft",
    "intake.status.no_action": "No further action",
    "intake.status.passed_to_police": "Passed to the police",
    "intake.screening.reporter_organisation": "Reporter's organisation",
    "intake.screening.reporter_contact": "Reporter's phone or e-mail",
  },
});
