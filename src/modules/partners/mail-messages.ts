import { defineMessages } from "../../platform/i18n/define";

/**
 * Invitation notices by e-mail, sent in the recipient account's language (decision 0035). No
 * personal data and nothing about the LIVC, the organisation or a case: only "log in" and a link.
 */
export const partnersMailMessages = defineMessages({
  nl: {
    "partners.mail.new.subject": "Nieuwe uitnodiging in Schakel",
    "partners.mail.new.body": "U hebt een nieuwe uitnodiging in Schakel. Meld u aan om ze te bekijken en te beantwoorden:\n{link}\n",
    "partners.mail.reminder.subject": "Herinnering: uitnodiging in Schakel",
    "partners.mail.reminder.body": "Een uitnodiging in Schakel wacht nog op uw antwoord en verloopt binnenkort. Meld u aan:\n{link}\n",
  },
  fr: {
    "partners.mail.new.subject": "Nouvelle invitation dans Schakel",
    "partners.mail.new.body": "Vous avez une nouvelle invitation dans Schakel. Connectez-vous pour la consulter et y répondre :\n{link}\n",
    "partners.mail.reminder.subject": "Rappel : invitation dans Schakel",
    "partners.mail.reminder.body": "Une invitation dans Schakel attend encore votre réponse et expire bientôt. Connectez-vous :\n{link}\n",
  },
  en: {
    "partners.mail.new.subject": "New invitation in Schakel",
    "partners.mail.new.body": "You have a new invitation in Schakel. Log in to read and answer it:\n{link}\n",
    "partners.mail.reminder.subject": "Reminder: invitation in Schakel",
    "partners.mail.reminder.body": "An invitation in Schakel is still waiting for your answer and expires soon. Log in:\n{link}\n",
  },
});
