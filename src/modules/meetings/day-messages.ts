import { defineMessages } from "../../platform/i18n/define";

/**
 * Decision 0058: attendance and minutes from the meeting's day on, the confirmation when nobody is
 * ticked present, the minutes' save conflict, and the re-planning pages' answer for a meeting that is
 * no longer planned.
 */
export const meetingsDayMessages = defineMessages({
  nl: {
    "mtg.att.before_day": "U kunt de aanwezigheden opslaan vanaf de dag van het overleg ({date}). Tot dan kan het overleg nog verplaatst of geannuleerd worden en kan de agenda nog wijzigen.",
    "mtg.error.before_day.attendance": "De aanwezigheden kunnen pas vanaf de dag van het overleg ({date}) opgeslagen worden",
    "mtg.min.before_day": "U kunt dit verslag opslaan vanaf de dag van het overleg ({date}).",
    "mtg.error.before_day.minutes": "Het verslag kan pas vanaf de dag van het overleg ({date}) opgeslagen worden",
    "mtg.att.nobody.title": "Niemand aangeduid als aanwezig",
    "mtg.att.nobody.text": "U duidde niemand aan als aanwezig. Vond het overleg niet plaats, bevestig dat dan. Het overleg telt dan niet als gehouden: het blijft gepland, zodat u het kunt verplaatsen of annuleren (reden: te weinig deelnemers).",
    "mtg.att.nobody.confirm": "Bevestigen: niemand was aanwezig",
    "mtg.att.nobody.back": "Terug naar de aanwezigheden",
    "mtg.att.saved_nobody": "Niemand werd als aanwezig geregistreerd. Het overleg telt niet als gehouden en blijft gepland: verplaats of annuleer het.",
    "mtg.min.conflict.title": "Iemand anders heeft dit verslag intussen opgeslagen",
    "mtg.min.conflict.text": "Uw tekst en acties zijn niet opgeslagen; ze staan nog in het formulier hieronder. Vergelijk met de versie die opgeslagen werd op {time}, pas uw tekst aan en sla opnieuw op: dan vervangt uw versie die opgeslagen versie.",
    "mtg.min.conflict.saved": "Opgeslagen versie",
    "mtg.min.conflict.none": "(geen tekst)",
    "mtg.error.conflict": "Iemand anders heeft het verslag intussen opgeslagen: vergelijk en sla opnieuw op",
    "mtg.replan.not_planned.title": "Dit overleg kan niet meer gewijzigd worden",
  },
  fr: {
    "mtg.att.before_day": "Vous pouvez enregistrer les présences à partir du jour de la concertation ({date}). D'ici là, la concertation peut encore être déplacée ou annulée et l'ordre du jour peut encore changer.",
    "mtg.error.before_day.attendance": "Les présences ne peuvent être enregistrées qu'à partir du jour de la concertation ({date})",
    "mtg.min.before_day": "Vous pouvez enregistrer ce procès-verbal à partir du jour de la concertation ({date}).",
    "mtg.error.before_day.minutes": "Le procès-verbal ne peut être enregistré qu'à partir du jour de la concertation ({date})",
    "mtg.att.nobody.title": "Personne n'est indiqué comme présent",
    "mtg.att.nobody.text": "Vous n'avez indiqué personne comme présent. Si la concertation n'a pas eu lieu, confirmez-le. Elle ne comptera alors pas comme tenue : elle reste planifiée, pour que vous puissiez la déplacer ou l'annuler (motif : trop peu de participants).",
    "mtg.att.nobody.confirm": "Confirmer : personne n'était présent",
    "mtg.att.nobody.back": "Retour aux présences",
    "mtg.att.saved_nobody": "Personne n'a été enregistré comme présent. La concertation ne compte pas comme tenue et reste planifiée : déplacez-la ou annulez-la.",
    "mtg.min.conflict.title": "Quelqu'un d'autre a enregistré ce procès-verbal entre-temps",
    "mtg.min.conflict.text": "Votre texte et vos actions n'ont pas été enregistrés ; ils sont toujours dans le formulaire ci-dessous. Comparez avec la version enregistrée le {time}, adaptez votre texte et enregistrez à nouveau : votre version remplacera alors la version enregistrée.",
    "mtg.min.conflict.saved": "Version enregistrée",
    "mtg.min.conflict.none": "(pas de texte)",
    "mtg.error.conflict": "Quelqu'un d'autre a enregistré le procès-verbal entre-temps : comparez et enregistrez à nouveau",
    "mtg.replan.not_planned.title": "Cette concertation ne peut plus être modifiée",
  },
  en: {
    "mtg.att.before_day": "You can save the attendance from the day of the consultation ({date}) on. Until then the consultation can still be moved or cancelled and its agenda can still change.",
    "mtg.error.before_day.attendance": "Attendance can only be saved from the day of the consultation ({date}) on",
    "mtg.min.before_day": "You can save these minutes from the day of the consultation ({date}) on.",
    "mtg.error.before_day.minutes": "The minutes can only be saved from the day of the consultation ({date}) on",
    "mtg.att.nobody.title": "Nobody is marked present",
    "mtg.att.nobody.text": "You marked nobody as present. If the consultation did not take place, confirm it. It then does not count as held: it stays planned, so that you can move or cancel it (reason: too few participants).",
    "mtg.att.nobody.confirm": "Confirm: nobody was present",
    "mtg.att.nobody.back": "Back to the attendance",
    "mtg.att.saved_nobody": "Nobody was recorded as present. The consultation does not count as held and stays planned: move or cancel it.",
    "mtg.min.conflict.title": "Someone else saved these minutes in the meantime",
    "mtg.min.conflict.text": "Your text and actions were not saved; they are still in the form below. Compare them with the version saved at {time}, adjust your text and save again: your version then replaces the saved one.",
    "mtg.min.conflict.saved": "Saved version",
    "mtg.min.conflict.none": "(no text)",
    "mtg.error.conflict": "Someone else saved the minutes in the meantime: compare and save again",
    "mtg.replan.not_planned.title": "This consultation can no longer be changed",
  },
});
