import { defineMessages } from "../../platform/i18n/define";

/**
 * Meeting reminders by e-mail, sent in the recipient account's language (decision 0035): a date,
 * a time and a link, nothing about the cases or the place.
 */
export const meetingsReminderMessages = defineMessages({
  nl: {
    "meetings.mail.reminder.subject": "Herinnering: casusoverleg op {date}",
    "meetings.mail.reminder.body": "Herinnering: u neemt deel aan een casusoverleg op {when}. Meld u aan in Schakel voor de details:\n{link}\n",
    "meetings.mail.reminder.at": "{date} om {time}",
  },
  fr: {
    "meetings.mail.reminder.subject": "Rappel : concertation de cas le {date}",
    "meetings.mail.reminder.body": "Rappel : vous participez à une concertation de cas le {when}. Connectez-vous à Schakel pour les détails :\n{link}\n",
    "meetings.mail.reminder.at": "{date} à {time}",
  },
  en: {
    "meetings.mail.reminder.subject": "Reminder: case consultation on {date}",
    "meetings.mail.reminder.body": "Reminder: you take part in a case consultation on {when}. Log in to Schakel for the details:\n{link}\n",
    "meetings.mail.reminder.at": "{date} at {time}",
  },
});
