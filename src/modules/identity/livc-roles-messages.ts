import { defineMessages } from "../../platform/i18n/define";

/** Who holds a role in an LIVC (/livc-roles), and the notice when an administrator gives one. */
export const livcRolesMessages = defineMessages({
  nl: {
    "lr.nav": "Rollen in het LIVC",
    "lr.index.title": "Rollen in het LIVC",
    "lr.index.intro": "Kies het LIVC waarvan je wilt zien wie er een rol heeft.",
    "lr.title": "Wie heeft een rol in {name}",
    "lr.intro":
      "Iedereen met een rol in dit LIVC: wie nu een rol heeft, wie er een krijgt vanaf een latere datum, en wie er een had tot ten hoogste 90 dagen geleden. Als voorzitter of coördinator krijg je een e-mail wanneer een beheerder hier een rol toekent. Klopt er iets niet, meld het dan aan de beheerder en aan je functionaris voor gegevensbescherming.",
    "lr.caption": "Rollen in dit LIVC",
    "lr.col.name": "Naam",
    "lr.col.role": "Rol",
    "lr.col.organisation": "Organisatie",
    "lr.col.from": "Vanaf",
    "lr.col.to": "Tot en met",
    "lr.col.state": "Stand",
    "lr.state.current": "Nu",
    "lr.state.future": "Vanaf later",
    "lr.state.ended": "Beëindigd",
    "lr.disabled": "(account uitgeschakeld)",
    "lr.none": "Niemand heeft een rol in dit LIVC.",
    "lr.mail.subject": "Schakel: er is een rol toegekend in {livc}",
    "lr.mail.body":
      "Een beheerder heeft in {livc} deze rol toegekend: {roles}.\n\nBekijk wie een rol heeft in je LIVC: {link}\n\nWas dit niet afgesproken? Meld het aan de beheerder en aan je functionaris voor gegevensbescherming.",
  },
  fr: {
    "lr.nav": "Rôles dans la CSIL",
    "lr.index.title": "Rôles dans la CSIL",
    "lr.index.intro": "Choisissez la CSIL dont vous voulez voir qui y a un rôle.",
    "lr.title": "Qui a un rôle dans {name}",
    "lr.intro":
      "Toutes les personnes ayant un rôle dans cette CSIL : qui a un rôle maintenant, qui en aura un à partir d'une date ultérieure, et qui en avait un jusqu'à il y a 90 jours au plus. En tant que président ou coordinateur, vous recevez un e-mail lorsqu'un administrateur attribue un rôle ici. Si quelque chose ne va pas, signalez-le à l'administrateur et à votre délégué à la protection des données.",
    "lr.caption": "Rôles dans cette CSIL",
    "lr.col.name": "Nom",
    "lr.col.role": "Rôle",
    "lr.col.organisation": "Organisation",
    "lr.col.from": "À partir du",
    "lr.col.to": "Jusqu'au (inclus)",
    "lr.col.state": "État",
    "lr.state.current": "Actuel",
    "lr.state.future": "À partir d'une date ultérieure",
    "lr.state.ended": "Terminé",
    "lr.disabled": "(compte désactivé)",
    "lr.none": "Personne n'a de rôle dans cette CSIL.",
    "lr.mail.subject": "Schakel : un rôle a été attribué dans {livc}",
    "lr.mail.body":
      "Un administrateur a attribué ce rôle dans {livc} : {roles}.\n\nVoyez qui a un rôle dans votre CSIL : {link}\n\nCe n'était pas convenu ? Signalez-le à l'administrateur et à votre délégué à la protection des données.",
  },
  en: {
    "lr.nav": "Roles in the LIVC",
    "lr.index.title": "Roles in the LIVC",
    "lr.index.intro": "Choose the LIVC whose role holders you want to see.",
    "lr.title": "Who holds a role in {name}",
    "lr.intro":
      "Everyone with a role in this LIVC: who holds one now, who gets one from a later date, and who held one until at most 90 days ago. As chair or coordinator you get an e-mail when an administrator gives a role here. If something is wrong, tell the administrator and your data-protection officer.",
    "lr.caption": "Roles in this LIVC",
    "lr.col.name": "Name",
    "lr.col.role": "Role",
    "lr.col.organisation": "Organisation",
    "lr.col.from": "From",
    "lr.col.to": "To (inclusive)",
    "lr.col.state": "State",
    "lr.state.current": "Now",
    "lr.state.future": "From a later date",
    "lr.state.ended": "Ended",
    "lr.disabled": "(account disabled)",
    "lr.none": "Nobody holds a role in this LIVC.",
    "lr.mail.subject": "Schakel: a role was given in {livc}",
    "lr.mail.body":
      "An administrator gave this role in {livc}: {roles}.\n\nSee who holds a role in your LIVC: {link}\n\nWas this not agreed? Tell the administrator and your data-protection officer.",
  },
});
