/** A change refused for a reason the user can fix; `code` picks the message, `field` the form field. */
export class PartnerRuleError extends Error {
  constructor(
    readonly code:
      | "to_before_from"
      | "overlap"
      | "seat_taken"
      | "organisation_required"
      | "unknown_organisation"
      | "unknown_livc"
      | "unknown_seat"
      | "reason_required"
      | "note_required"
      | "note_not_allowed"
      | "not_pending"
      | "expired"
      | "case_ref_required"
      | "already_member"
      | "role_refused"
      | "bad_date",
    readonly field?: string,
  ) {
    super(code);
  }
}
