import { coreMessages } from "../platform/i18n/core.messages";
import { identityMessages } from "./identity/messages";
import { intakeMessages } from "./intake/messages";
import { intakeSignalMessages } from "./intake/signal-messages";
import { referenceMessages } from "./reference/messages";

/** Every module's dictionary; the i18n layer merges them and types the keys. */
export const allMessages = [coreMessages, referenceMessages, identityMessages, intakeMessages, intakeSignalMessages] as const;
