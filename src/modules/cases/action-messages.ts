import { defineMessages } from "../../platform/i18n/define";

/** Action owners (decision 0061): who may own an action, the work list of open actions, the owners' mails, edit conflicts. */
export const actionMessages = defineMessages({
  nl: {
    "case.error.owner_no_access": "Kies een organisatie die deze casus kan inzien: een dienst van de voorzitter, coördinator of informatieambtenaar van dit LIVC, of een dienst die voor deze casus uitgenodigd werd en aanvaardde",
    "case.plan.owner_no_access": "geen toegang tot de casus",
    "case.plan.orphans": "Open acties staan op naam van een organisatie die deze casus niet kan inzien (aantal: {count}). Haar leden zien de actie niet en kunnen ze niet afvinken: wijs ze toe aan een andere organisatie.",
    "case.plan.owner_hint": "Alleen organisaties die de casus kunnen inzien: de diensten van de vaste leden van het LIVC en de diensten die voor deze casus uitgenodigd werden en aanvaardden.",
    "case.plan.conflict": "Iemand anders heeft deze actie intussen gewijzigd. Uw wijziging is niet bewaard. Hieronder staat wat u typte; vergelijk met wat nu bewaard is en bewaar opnieuw als u uw versie wilt behouden.",
    "case.plan.conflict_closed": "Deze actie is intussen niet meer open ({status}). Uw wijziging is niet bewaard. Heropen de actie eerst als ze nog gewijzigd moet worden.",
    "case.plan.saved_now": "Nu bewaard",
    "case.work.open_owner": "Open acties van uw organisatie",
    "case.work.open_none": "Geen open acties.",
    "case.actmail.assigned.subject": "Nieuwe actie voor uw organisatie in {livc}",
    "case.actmail.assigned.body":
      "Er werd een actie toegewezen aan uw organisatie in {livc}, uit te voeren uiterlijk op {date}.\n\nMeld u aan om ze in uw werklijst te bekijken: {link}\n\nDeze e-mail bevat bewust geen gegevens over de casus.",
    "case.actmail.reminder.subject": "Herinnering: actie van uw organisatie in {livc} uiterlijk op {date}",
    "case.actmail.reminder.body":
      "Een open actie van uw organisatie in {livc} moet uitgevoerd zijn uiterlijk op {date}.\n\nMeld u aan om ze in uw werklijst te bekijken of als gedaan te markeren: {link}\n\nDeze e-mail bevat bewust geen gegevens over de casus.",
  },
  fr: {
    "case.error.owner_no_access": "Choisissez une organisation qui peut consulter ce cas : un service du président, du coordinateur ou du fonctionnaire d'information de cette CSIL, ou un service invité pour ce cas qui a accepté",
    "case.plan.owner_no_access": "pas d'accès au cas",
    "case.plan.orphans": "Des actions ouvertes sont attribuées à une organisation qui ne peut pas consulter ce cas (nombre : {count}). Ses membres ne voient pas l'action et ne peuvent pas la cocher : attribuez-les à une autre organisation.",
    "case.plan.owner_hint": "Uniquement des organisations qui peuvent consulter le cas : les services des membres permanents de la CSIL et les services invités pour ce cas qui ont accepté.",
    "case.plan.conflict": "Quelqu'un d'autre a modifié cette action entre-temps. Votre modification n'a pas été enregistrée. Ce que vous avez saisi figure ci-dessous ; comparez avec ce qui est enregistré maintenant et enregistrez à nouveau si vous voulez garder votre version.",
    "case.plan.conflict_closed": "Cette action n'est plus ouverte ({status}). Votre modification n'a pas été enregistrée. Rouvrez d'abord l'action si elle doit encore être modifiée.",
    "case.plan.saved_now": "Enregistré maintenant",
    "case.work.open_owner": "Actions ouvertes de votre organisation",
    "case.work.open_none": "Aucune action ouverte.",
    "case.actmail.assigned.subject": "Nouvelle action pour votre organisation au sein de {livc}",
    "case.actmail.assigned.body":
      "Une action a été attribuée à votre organisation au sein de {livc}, à réaliser au plus tard le {date}.\n\nConnectez-vous pour la voir dans votre liste de travail : {link}\n\nCet e-mail ne contient volontairement aucune donnée sur le cas.",
    "case.actmail.reminder.subject": "Rappel : action de votre organisation au sein de {livc} au plus tard le {date}",
    "case.actmail.reminder.body":
      "Une action ouverte de votre organisation au sein de {livc} doit être réalisée au plus tard le {date}.\n\nConnectez-vous pour la voir dans votre liste de travail ou la marquer comme faite : {link}\n\nCet e-mail ne contient volontairement aucune donnée sur le cas.",
  },
  en: {
    "case.error.owner_no_access": "Choose an organisation that can see this case: a service of this LIVC's chair, coordinator or information officer, or a service invited for this case that accepted",
    "case.plan.owner_no_access": "no access to the case",
    "case.plan.orphans": "Open actions are owned by an organisation that cannot see this case (number: {count}). Its members do not see the action and cannot tick it off: give them to another organisation.",
    "case.plan.owner_hint": "Only organisations that can see the case: the services of the LIVC's permanent members and the services invited for this case that accepted.",
    "case.plan.conflict": "Someone else changed this action in the meantime. Your change was not saved. What you typed is below; compare it with what is saved now and save again if you want to keep your version.",
    "case.plan.conflict_closed": "This action is no longer open ({status}). Your change was not saved. Reopen the action first if it still needs changing.",
    "case.plan.saved_now": "Saved now",
    "case.work.open_owner": "Open actions of your organisation",
    "case.work.open_none": "No open actions.",
    "case.actmail.assigned.subject": "New action for your organisation in {livc}",
    "case.actmail.assigned.body":
      "An action was given to your organisation in {livc}, due on {date}.\n\nLog in to see it in your work list: {link}\n\nThis e-mail deliberately contains no information about the case.",
    "case.actmail.reminder.subject": "Reminder: action of your organisation in {livc} due on {date}",
    "case.actmail.reminder.body":
      "An open action of your organisation in {livc} is due on {date}.\n\nLog in to see it in your work list or mark it done: {link}\n\nThis e-mail deliberately contains no information about the case.",
  },
});
