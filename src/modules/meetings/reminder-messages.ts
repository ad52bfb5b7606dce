import { defineMessages } from "../../platform/i18n/define";

/**
 * Meeting reminders by e-mail, sent in the recipient account's language (decision 0035): a date,
 * a time and a link, nothing about the cases or the place. The same for a rescheduled or cancelled
 * meeting (decision 0043): no reason, no note; and for an invitation withdrawn when its case is taken
 * off the agenda: the date and a link to the invitations, no case label, no names.
 */
export const meetingsReminderMessages = defineMessages({
  nl: {
    "meetings.mail.moved.subject": "Gewijzigd: casusoverleg van {date}",
    "meetings.mail.moved.body": "Het casusoverleg van {was} werd gewijzigd. Het vindt nu plaats op {when}. Meld u aan in Schakel voor de details:\n{link}\n",
    "meetings.mail.cancelled.subject": "Geannuleerd: casusoverleg van {date}",
    "meetings.mail.cancelled.body": "Het casusoverleg van {was} werd geannuleerd. Meld u aan in Schakel voor de details:\n{link}\n",
    "meetings.mail.reminder.subject": "Herinnering: casusoverleg op {date}",
    "meetings.mail.reminder.body": "Herinnering: u neemt deel aan een casusoverleg op {when}. Meld u aan in Schakel voor de details:\n{link}\n",
    "meetings.mail.reminder.at": "{date} om {time}",
    "meetings.mail.withdrawn.subject": "Uitnodiging ingetrokken: casusoverleg van {date}",
    "meetings.mail.withdrawn.body": "Een uitnodiging van uw organisatie voor het casusoverleg van {date} werd ingetrokken. Meld u aan in Schakel voor de details:\n{link}\n",
  },
  fr: {
    "meetings.mail.moved.subject": "Modifiée : concertation de cas du {date}",
    "meetings.mail.moved.body": "La concertation de cas du {was} a été modifiée. Elle a maintenant lieu le {when}. Connectez-vous à Schakel pour les détails :\n{link}\n",
    "meetings.mail.cancelled.subject": "Annulée : concertation de cas du {date}",
    "meetings.mail.cancelled.body": "La concertation de cas du {was} a été annulée. Connectez-vous à Schakel pour les détails :\n{link}\n",
    "meetings.mail.reminder.subject": "Rappel : concertation de cas le {date}",
    "meetings.mail.reminder.body": "Rappel : vous participez à une concertation de cas le {when}. Connectez-vous à Schakel pour les détails :\n{link}\n",
    "meetings.mail.reminder.at": "{date} à {time}",
    "meetings.mail.withdrawn.subject": "Invitation retirée : concertation de cas du {date}",
    "meetings.mail.withdrawn.body": "Une invitation de votre organisation à la concertation de cas du {date} a été retirée. Connectez-vous à Schakel pour les détails :\n{link}\n",
  },
  en: {
    "meetings.mail.moved.subject": "Changed: case consultation of {date}",
    "meetings.mail.moved.body": "The case consultation of {was} was changed. It now takes place on {when}. Log in to Schakel for the details:\n{link}\n",
    "meetings.mail.cancelled.subject": "Cancelled: case consultation of {date}",
    "meetings.mail.cancelled.body": "The case consultation of {was} was cancelled. Log in to Schakel for the details:\n{link}\n",
    "meetings.mail.reminder.subject": "Reminder: case consultation on {date}",
    "meetings.mail.reminder.body": "Reminder: you take part in a case consultation on {when}. Log in to Schakel for the details:\n{link}\n",
    "meetings.mail.reminder.at": "{date} at {time}",
    "meetings.mail.withdrawn.subject": "Invitation withdrawn: case consultation of {date}",
    "meetings.mail.withdrawn.body": "An invitation of your organisation to the case consultation of {date} was withdrawn. Log in to Schakel for the details:\n{link}\n",
  },
});
