import { coreMessages } from "../platform/i18n/core.messages";
import { awarenessMessages } from "./awareness/messages";
import { casesMessages } from "./cases/messages";
import { rectifyMessages } from "./cases/rectify-messages";
import { auditLogMessages } from "./identity/audit-messages";
import { identityMessages } from "./identity/messages";
import { languageMessages } from "./identity/language-messages";
import { livcRolesMessages } from "./identity/livc-roles-messages";
import { recoveryMessages } from "./identity/recovery-messages";
import { rolesMessages } from "./identity/roles-messages";
import { ssoMessages } from "./identity/sso-messages";
import { closingDayMessages } from "./intake/closing-days-messages";
import { contactPointMessages } from "./intake/contacts-messages";
import { intakeMessages } from "./intake/messages";
import { intakeSignalMessages } from "./intake/signal-messages";
import { supplementMessages } from "./intake/supplement-messages";
import { meetingsMessages } from "./meetings/messages";
import { meetingsReminderMessages } from "./meetings/reminder-messages";
import { meetingsReplanMessages } from "./meetings/replan-messages";
import { monitoringMessages } from "./monitoring/messages";
import { partnersMailMessages } from "./partners/mail-messages";
import { partnersMessages } from "./partners/messages";
import { orgAdminMessages } from "./partners/org-admin-messages";
import { referenceMessages } from "./reference/messages";
import { registryChairMessages } from "./registry/chair-messages";
import { registryMessages } from "./registry/messages";

/** Every module's dictionary; the i18n layer merges them and types the keys. */
export const allMessages = [coreMessages, referenceMessages, identityMessages, auditLogMessages, languageMessages, livcRolesMessages, recoveryMessages, rolesMessages, ssoMessages, monitoringMessages, registryMessages, registryChairMessages, intakeMessages, intakeSignalMessages, contactPointMessages, closingDayMessages, supplementMessages, awarenessMessages, partnersMessages, partnersMailMessages, orgAdminMessages, casesMessages, rectifyMessages, meetingsMessages, meetingsReminderMessages, meetingsReplanMessages] as const;
