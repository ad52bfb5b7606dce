import { defineMessages } from "../../platform/i18n/define";

/**
 * Screeners are told about new reports and screening deadlines (decision 0060). The mails name no
 * person, no place of the person, no reference and no text: the LIVC's name, a date, the link.
 */
export const screeningMailMessages = defineMessages({
  nl: {
    "intake.queue.alert.new_report": "Nieuwe melding te screenen: {reference}",
    "intake.queue.alert.deadline_near": "Screeningstermijn verstrijkt binnenkort: {reference}",
    "intake.queue.alert.deadline_passed": "Screeningstermijn overschreden: {reference}",
    "intake.mail.new.subject": "Schakel: nieuwe melding te screenen in {livc}",
    "intake.mail.new.body": "Er wacht een nieuwe melding op screening in {livc}. Meld je aan om ze te bekijken: {url}/screening",
    "intake.mail.near.subject": "Schakel: screeningstermijn verstrijkt op {date}",
    "intake.mail.near.body": "Een melding in {livc} is nog niet gescreend. De screeningstermijn verstrijkt op {date}. Meld je aan om ze te bekijken: {url}/screening",
    "intake.mail.passed.subject": "Schakel: screeningstermijn overschreden",
    "intake.mail.passed.body": "De screeningstermijn van een melding in {livc} verstreek op {date} en er is nog geen beslissing. Meld je aan om ze te bekijken: {url}/screening",
    "intake.mail.near_regional.subject": "Schakel: screeningstermijn verstrijkt op {date}",
    "intake.mail.near_regional.body": "Een melding in de regionale wachtrij is nog niet gescreend. De screeningstermijn verstrijkt op {date}. Meld je aan om ze te bekijken: {url}/screening/regional",
    "intake.mail.passed_regional.subject": "Schakel: screeningstermijn overschreden",
    "intake.mail.passed_regional.body": "De screeningstermijn van een melding in de regionale wachtrij verstreek op {date} en er is nog geen beslissing. Meld je aan om ze te bekijken: {url}/screening/regional",
    "case.ev.report_supplemented": "De melder voegde informatie toe aan de melding (de coördinator en de informatieambtenaar kunnen ze lezen)",
  },
  fr: {
    "intake.queue.alert.new_report": "Nouveau signalement à filtrer : {reference}",
    "intake.queue.alert.deadline_near": "Le délai de filtrage expire bientôt : {reference}",
    "intake.queue.alert.deadline_passed": "Délai de filtrage dépassé : {reference}",
    "intake.mail.new.subject": "Schakel : nouveau signalement à filtrer dans {livc}",
    "intake.mail.new.body": "Un nouveau signalement attend le filtrage dans {livc}. Connectez-vous pour le voir : {url}/screening",
    "intake.mail.near.subject": "Schakel : le délai de filtrage expire le {date}",
    "intake.mail.near.body": "Un signalement dans {livc} n'a pas encore été filtré. Le délai de filtrage expire le {date}. Connectez-vous pour le voir : {url}/screening",
    "intake.mail.passed.subject": "Schakel : délai de filtrage dépassé",
    "intake.mail.passed.body": "Le délai de filtrage d'un signalement dans {livc} a expiré le {date} et aucune décision n'a encore été prise. Connectez-vous pour le voir : {url}/screening",
    "intake.mail.near_regional.subject": "Schakel : le délai de filtrage expire le {date}",
    "intake.mail.near_regional.body": "Un signalement de la file régionale n'a pas encore été filtré. Le délai de filtrage expire le {date}. Connectez-vous pour le voir : {url}/screening/regional",
    "intake.mail.passed_regional.subject": "Schakel : délai de filtrage dépassé",
    "intake.mail.passed_regional.body": "Le délai de filtrage d'un signalement de la file régionale a expiré le {date} et aucune décision n'a encore été prise. Connectez-vous pour le voir : {url}/screening/regional",
    "case.ev.report_supplemented": "L'auteur du signalement y a ajouté des informations (le coordinateur et l'agent d'information peuvent les lire)",
  },
  en: {
    "intake.queue.alert.new_report": "New report to screen: {reference}",
    "intake.queue.alert.deadline_near": "Screening deadline close: {reference}",
    "intake.queue.alert.deadline_passed": "Screening deadline passed: {reference}",
    "intake.mail.new.subject": "Schakel: new report to screen in {livc}",
    "intake.mail.new.body": "A new report is waiting for screening in {livc}. Log in to see it: {url}/screening",
    "intake.mail.near.subject": "Schakel: screening deadline on {date}",
    "intake.mail.near.body": "A report in {livc} has not been screened yet. The screening deadline is {date}. Log in to see it: {url}/screening",
    "intake.mail.passed.subject": "Schakel: screening deadline passed",
    "intake.mail.passed.body": "The screening deadline of a report in {livc} passed on {date} and there is no decision yet. Log in to see it: {url}/screening",
    "intake.mail.near_regional.subject": "Schakel: screening deadline on {date}",
    "intake.mail.near_regional.body": "A report in the regional queue has not been screened yet. The screening deadline is {date}. Log in to see it: {url}/screening/regional",
    "intake.mail.passed_regional.subject": "Schakel: screening deadline passed",
    "intake.mail.passed_regional.body": "The screening deadline of a report in the regional queue passed on {date} and there is no decision yet. Log in to see it: {url}/screening/regional",
    "case.ev.report_supplemented": "The reporter added information to the report (the coordinator and the information officer can read it)",
  },
});
