import { defineMessages } from "../../platform/i18n/define";

/** The account's language (decision 0035): the form on /account and the select when an administrator creates an account. */
export const languageMessages = defineMessages({
  nl: {
    "lang.account.title": "Taal",
    "lang.account.label": "Taal van uw e-mails en van Schakel",
    "lang.account.hint": "De e-mails van Schakel krijgt u in deze taal. Na het aanmelden toont Schakel zich ook in deze taal, tenzij u bovenaan de pagina een andere taal kiest.",
    "lang.account.submit": "Taal opslaan",
    "lang.account.saved": "Uw taal is opgeslagen.",
    "lang.account.invalid": "Kies Nederlands, Français of English.",
    "lang.admin.label": "Taal van het account",
    "lang.admin.hint": "De e-mails aan dit account komen in deze taal; na het aanmelden is het ook de taal van Schakel. De persoon kan ze zelf wijzigen.",
    "lang.admin.submit": "Taal van het account opslaan",
    "lang.admin.saved": "De taal van het account is opgeslagen.",
  },
  fr: {
    "lang.account.title": "Langue",
    "lang.account.label": "Langue de vos e-mails et de Schakel",
    "lang.account.hint": "Vous recevez les e-mails de Schakel dans cette langue. Après la connexion, Schakel s'affiche aussi dans cette langue, sauf si vous choisissez une autre langue en haut de la page.",
    "lang.account.submit": "Enregistrer la langue",
    "lang.account.saved": "Votre langue est enregistrée.",
    "lang.account.invalid": "Choisissez Nederlands, Français ou English.",
    "lang.admin.label": "Langue du compte",
    "lang.admin.hint": "Les e-mails adressés à ce compte sont envoyés dans cette langue ; après la connexion, c'est aussi la langue de Schakel. La personne peut la modifier elle-même.",
    "lang.admin.submit": "Enregistrer la langue du compte",
    "lang.admin.saved": "La langue du compte est enregistrée.",
  },
  en: {
    "lang.account.title": "Language",
    "lang.account.label": "Language of your e-mails and of Schakel",
    "lang.account.hint": "You receive Schakel's e-mails in this language. After you log in, Schakel is shown in this language too, unless you choose another language at the top of the page.",
    "lang.account.submit": "Save language",
    "lang.account.saved": "Your language has been saved.",
    "lang.account.invalid": "Choose Nederlands, Français or English.",
    "lang.admin.label": "Language of the account",
    "lang.admin.hint": "E-mails to this account are sent in this language; after logging in it is also Schakel's language. The person can change it themselves.",
    "lang.admin.submit": "Save the account's language",
    "lang.admin.saved": "The account's language has been saved.",
  },
});
