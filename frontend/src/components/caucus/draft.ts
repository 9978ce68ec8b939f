/**
 * Something in a caucus the mediator (or the side's party) may propose to share, or the
 * mediator, under the rule, share.
 */
export interface DraftItem {
  kind: 'message' | 'note';
  id: number;
  text: string;
  confidential: boolean;
  issue: number | null;
  /** The rule it was written under. */
  rule?: string;
}
