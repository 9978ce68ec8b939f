/** Something in a caucus the mediator may ask to share (or, under the rule, share). */
export interface DraftItem {
  kind: 'message' | 'note';
  id: number;
  text: string;
  confidential: boolean;
  issue: number | null;
}
